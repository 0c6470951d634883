"""The network behind the estimators and what it is trained on.

* the model: a ``chainrule.nn.Sequential`` of ``Dense`` layers with the hidden activation
  between them; the output activation (softmax, logistic, identity, exp) is not a layer,
  it is applied when predicting, and each loss is written from the logits;
* its parameters: scikit-learn's ``coefs_`` / ``intercepts_`` (``W`` of shape (in, out)),
  drawn as scikit-learn draws them (uniform in ``+-sqrt(6 / (fan_in + fan_out))``, 2
  instead of 6 for the logistic activation, weights then biases, layer by layer);
* the targets handed to ``chainrule.train.fit``: the model's targets with each row's
  sample weight as a last column, so that the weights follow the rows through fit's
  shuffling into every minibatch;
* the losses of scikit-learn's MLPs, per minibatch, weighted: ``sum_i w_i l_i / sum_i w_i``
  (the plain mean when every weight is 1), and the L2 term ``alpha / 2 * sum ||W||^2``
  divided by the batch's total weight (the batch's row count without weights).

>>> import numpy as np, chainrule as cr
>>> from chainrule.sklearn import _network as net
>>> coefs, intercepts = net.init_coefs(np.random.RandomState(0), [3, 4, 2], "relu", np.float64)
>>> [c.shape for c in coefs], [b.shape for b in intercepts]
([(3, 4), (4, 2)], [(4,), (2,)])
>>> model, params = net.build(coefs, intercepts, "relu"), net.to_params(coefs, intercepts)
>>> targets = net.encode_targets("softmax", np.eye(2)[[0, 1, 1]], None, np.float64)
>>> targets                                     # one-hot rows, then each row's weight
array([[1., 0., 1.],
       [0., 1., 1.],
       [0., 1., 1.]])
>>> loss = net.make_loss("softmax")
>>> value = loss(model(params, np.ones((3, 3))), targets)
>>> g = cr.grad(lambda p: loss(model(p, np.ones((3, 3))), targets))(params)
>>> g[0]["W"].shape
(3, 4)
"""
from __future__ import annotations

from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from .. import nn
from .. import numpy as cnp
from ._params import HIDDEN_ACTIVATIONS

OUTPUT_ACTIVATIONS = ("softmax", "logistic", "identity", "exp")
"""The output activations, as scikit-learn names them in ``out_activation_``: softmax
(multiclass), logistic (binary and multilabel), identity (squared error), exp (Poisson)."""


# ------------------------------------------------------------------ the model
def build(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray],
          activation: str) -> nn.Sequential:
    """``Dense -> activation -> ... -> Dense`` with the layer sizes of ``coefs``."""
    dtype = np.asarray(coefs[0]).dtype if len(coefs) else np.float64
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    layers: List[nn.Layer] = []
    for i, W in enumerate(coefs):
        if i:
            layers.append(nn.activation_layer(HIDDEN_ACTIVATIONS[activation]))
        fan_in, fan_out = np.shape(W)
        layers.append(nn.Dense(fan_in, fan_out, dtype=dtype))
    return nn.Sequential(*layers)


def to_params(coefs: Sequence[np.ndarray], intercepts: Sequence[np.ndarray]) -> list:
    """The ``Sequential`` params of :func:`build`'s model: ``{"W", "b"}`` per Dense, ``{}``
    per activation."""
    params: list = []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        if i:
            params.append({})
        params.append({"W": W, "b": b})
    return params


def from_params(params: list) -> Tuple[list, list]:
    """``(coefs, intercepts)`` from the params of :func:`build`'s model."""
    dense = [p for p in params if p]
    return [p["W"] for p in dense], [p["b"] for p in dense]


def init_coefs(rs: np.random.RandomState, layer_units: Sequence[int], activation: str,
               dtype) -> Tuple[list, list]:
    """scikit-learn's initialisation (Glorot uniform for weights and biases), drawn from
    ``rs`` in scikit-learn's order, so the same ``random_state`` gives the same start."""
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rs.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False))
        intercepts.append(rs.uniform(-bound, bound, fan_out).astype(dtype, copy=False))
    return coefs, intercepts


# ------------------------------------------------------------- predictions
def output(kind: str, z: np.ndarray) -> np.ndarray:
    """The output activation applied to the logits ``z`` (plain arrays)."""
    if kind == "softmax":
        return nn.softmax(z, axis=1)
    if kind == "logistic":
        return nn.sigmoid(z)
    if kind == "exp":
        return np.exp(z)
    return z


# ---------------------------------------------------------------- targets
def encode_targets(kind: str, Y: np.ndarray, sample_weight: Optional[np.ndarray],
                   dtype) -> np.ndarray:
    """``[targets | weight]`` rows for :func:`make_loss`: for softmax the one-hot rows are
    stored already multiplied by the weight (the fused cross-entropy takes weighted rows)."""
    Y = np.asarray(Y, dtype=dtype).reshape(len(Y), -1)
    w = (np.ones(len(Y), dtype=dtype) if sample_weight is None
         else np.asarray(sample_weight, dtype=dtype))
    if kind == "softmax":
        Y = Y * w[:, None]
    return np.concatenate([Y, w[:, None]], axis=1)


def _weight(targets: np.ndarray) -> Tuple[Optional[np.ndarray], float]:
    """The batch's weight column (n, 1), None when every weight is 1 (the loss then skips
    the product), and the total weight."""
    w = targets[:, -1:]
    total = float(w.sum())
    return (None if total == len(w) and (w == 1.0).all() else w), total


def _weighted_mean(per_entry, w: Optional[np.ndarray], total: float, factor: float = 1.0):
    """``factor * sum_i w_i sum_k per_entry_ik / total`` (0 for a batch whose weights are
    all 0: it adds nothing)."""
    summed = cnp.sum(per_entry if w is None else per_entry * w)
    return summed * (factor / total if total > 0 else 0.0)


def make_loss(kind: str) -> Callable:
    """The loss ``loss(logits, targets) -> scalar`` of scikit-learn's MLP for ``kind``
    (its output activation), from the logits, on :func:`encode_targets`' rows:

    * softmax: cross-entropy ``-sum_i w_i sum_k y_ik log softmax(z_i)_k / sum w``;
    * logistic: binary cross-entropy summed over outputs, ``sum_i w_i sum_k (softplus(z_ik)
      - y_ik z_ik) / sum w`` (the exact form of ``-y log p - (1 - y) log(1 - p)``);
    * identity: half the squared error, summed over outputs, averaged over rows,
      ``sum_i w_i ||z_i - y_i||^2 / (2 sum w)``. scikit-learn (1.9) reports this divided
      by the number of outputs K but follows the gradient of the sum (its issue #8349):
      the same training, a loss that matches its gradient (``loss_`` is K times
      scikit-learn's for K > 1 outputs);
    * exp: half the Poisson deviance with prediction ``exp(z)``, summed over outputs,
      ``sum_i w_i sum_k (y log(y / e^z) - y + e^z) / sum w``.
    """
    if kind == "softmax":
        def softmax_loss(z, targets):
            _, total = _weight(targets)
            # the weighted one-hot rows go straight into the fused primitive, which
            # divides by the row count: rescale to the total weight
            loss = nn.cross_entropy(z, targets[:, :-1])
            scale = len(targets) / total if total > 0 else 0.0
            return loss if scale == 1.0 else loss * scale
        return softmax_loss
    if kind == "logistic":
        def logistic_loss(z, targets):
            w, total = _weight(targets)
            return _weighted_mean(nn.softplus(z) - targets[:, :-1] * z, w, total)
        return logistic_loss
    if kind == "identity":
        def squared_loss(z, targets):
            w, total = _weight(targets)
            d = z - targets[:, :-1]
            return _weighted_mean(d * d, w, total, 0.5)
        return squared_loss
    if kind == "exp":
        def poisson_loss(z, targets):
            w, total = _weight(targets)
            y = targets[:, :-1]
            safe = np.where(y > 0, y, 1.0)
            # the part without z: a constant that makes the loss the deviance
            const = _weighted_mean(np.where(y > 0, y * np.log(safe), 0.0) - y, w, total)
            return _weighted_mean(cnp.exp(z) - y * z, w, total) + float(const)
        return poisson_loss
    raise ValueError(f"make_loss: unknown output kind {kind!r}; expected one of "
                     f"{', '.join(OUTPUT_ACTIVATIONS)}")


def make_penalty(alpha: float, n_layers: int) -> Optional[Callable]:
    """scikit-learn's L2 term for fit's ``penalty=``: ``alpha / 2 * sum ||W||^2`` over the
    weights (not the biases), divided by the batch's total weight; None for alpha 0."""
    if not alpha:
        return None
    positions = [2 * i for i in range(n_layers)]      # the Dense entries of the params

    def l2_penalty(params, targets):
        weight = float(targets[:, -1].sum())
        squares = None
        for i in positions:
            W = params[i]["W"]
            term = cnp.sum(W * W)
            squares = term if squares is None else squares + term
        return squares * (0.5 * alpha / weight if weight > 0 else 0.0)
    return l2_penalty
