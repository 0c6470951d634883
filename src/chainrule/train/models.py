"""Ready-made architectures for the training command and the estimators."""
from __future__ import annotations

from typing import Any, Sequence

HIDDEN_ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "softplus", "tanh", "sigmoid",
                      "linear", "binary_step")
"""Activation names for hidden layers (``nn.get_activation``'s names without the softmaxes)."""

_HE = ("relu", "leaky_relu", "elu", "gelu", "softplus")


def mlp(n_in: int, hidden: Sequence[int], n_out: int, *, activation: str = "relu",
        dropout: float = 0.0, input_dropout: float = 0.0, output: str = "linear") -> Any:
    """A multilayer perceptron ``[Dropout ->] Dense -> activation [-> Dropout] -> ... -> Dense
    [-> output]``.

    The seeds' model h = F[m] ∘ Θ[m] ∘ ... ∘ F[1] ∘ Θ[1]: one ``nn.Dense`` per Θ, the named
    ``activation`` as each hidden F, ``output`` ("linear": none, e.g. logits for
    cross_entropy; "sigmoid" for binary_cross_entropy) as the last. Weights start with He
    initialisation for ReLU-like activations and Glorot otherwise. ``dropout`` follows each
    hidden activation, ``input_dropout`` drops input features (a cheap regulariser that
    helps on small image sets such as digits).

    >>> mlp(64, [128], 10)
    Sequential(
      (0): Dense(in_features=64, out_features=128, init='he', bias=True, dtype='float32')
      (1): ReLU()
      (2): Dense(in_features=128, out_features=10, init='glorot', bias=True, dtype='float32')
    )
    """
    from .. import nn
    if activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"mlp: unknown activation {activation!r}; choose one of "
                         f"{', '.join(HIDDEN_ACTIVATIONS)}")
    for name, p in (("dropout", dropout), ("input_dropout", input_dropout)):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"mlp: {name} must be a probability in [0, 1), got {p!r}")
    init = "he" if activation in _HE else "glorot"
    layers, width = ([nn.Dropout(input_dropout)] if input_dropout else []), n_in
    for h in hidden:
        layers += [nn.Dense(width, int(h), init=init), nn.activation_layer(activation)]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = int(h)
    layers.append(nn.Dense(width, n_out, init="glorot"))
    if output != "linear":
        layers.append(nn.activation_layer(output))
    return nn.Sequential(*layers)
