"""Ready-made architectures for the training command and the estimators."""
from __future__ import annotations

from typing import Any, Sequence

ACTIVATION_LAYERS = {
    "linear": "Identity", "identity": "Identity", "binary_step": "BinaryStep",
    "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "softplus": "Softplus",
    "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU",
}
"""Activation names (as in ``nn.get_activation``) and the ``nn`` layer class of each."""

_HE = ("relu", "leaky_relu", "elu", "gelu", "softplus")


def mlp(n_in: int, hidden: Sequence[int], n_out: int, *, activation: str = "relu",
        dropout: float = 0.0, output: str = "linear") -> Any:
    """A multilayer perceptron ``Dense -> activation [-> Dropout] -> ... -> Dense [-> output]``.

    The seeds' model h = F[m] ∘ Θ[m] ∘ ... ∘ F[1] ∘ Θ[1]: one ``nn.Dense`` per Θ, the named
    ``activation`` as each hidden F, ``output`` ("linear": none, e.g. logits for
    cross_entropy; "sigmoid" for binary_cross_entropy) as the last. Weights start with He
    initialisation for ReLU-like activations and Glorot otherwise.

    >>> mlp(64, [128], 10)
    Sequential(
      (0): Dense(in_features=64, out_features=128, ...)
      (1): ReLU()
      (2): Dense(in_features=128, out_features=10, ...)
    )
    """
    from .. import nn
    if activation not in ACTIVATION_LAYERS:
        raise ValueError(f"mlp: unknown activation {activation!r}; choose one of "
                         f"{', '.join(sorted(ACTIVATION_LAYERS))}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"mlp: dropout must be a probability in [0, 1), got {dropout!r}")
    init = "he" if activation in _HE else "glorot"
    act = getattr(nn, ACTIVATION_LAYERS[activation])
    layers, width = [], n_in
    for h in hidden:
        layers += [nn.Dense(width, int(h), init=init), act()]
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = int(h)
    layers.append(nn.Dense(width, n_out, init="glorot"))
    if output != "linear":
        layers.append(getattr(nn, ACTIVATION_LAYERS[output])())
    return nn.Sequential(*layers)
