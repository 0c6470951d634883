"""Losses ``loss(prediction, target) -> scalar`` and the 0-1 metric.

The cost functions of the lecture (``shared/seeds/001``): mean squared error for
regression, cross-entropy for classification, hinge and 0-1 loss. Every loss is
averaged over rows (samples) and returns a scalar; a row's own loss sums over its
outputs, as in the lecture's ``L = sum_k 1/2 (y_k - c_k)^2`` (without the 1/2).

``cross_entropy`` takes logits: the log-softmax primitive computes them stably once (its
derivative reuses them), the negative log-likelihood is one dot product; the derivative
is ``(softmax(z) - y) / n`` for one-hot ``y``. It stays finite at logits of 1e4 and
beyond.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .. import numpy as cnp
from ..core.primitive import Primitive
from ..core.tracer import Tracer
from ..numpy._registry import public
from .activations import _plog_softmax, log_softmax, relu, softplus
from .._lookup import by_name

_NS = "nn"
_EMPTY: dict = {}


def _plain(x):
    while isinstance(x, Tracer):
        x = x._primal
    return x


def _as_input(fname: str, arg: str, x):
    """A traced value as it is; anything else as a floating-point ndarray."""
    if isinstance(x, Tracer):
        return x
    try:
        a = np.asarray(x)
    except Exception as exc:  # noqa: BLE001  (a ragged list, an object, ...)
        raise TypeError(f"chainrule.nn.{fname}: {arg} must be an array of numbers, got "
                        f"{type(x).__name__}") from exc
    if a.dtype.kind == "f":
        return a
    if a.dtype.kind in "iub":
        return a.astype(np.float64)
    raise TypeError(f"chainrule.nn.{fname}: {arg} must hold numbers, got dtype {a.dtype}")


def _like_prediction(pred, target):
    """A constant target in the prediction's float dtype: float32 models give float32
    losses and gradients even with float64 (or integer) targets."""
    dt = _plain(pred).dtype
    if not isinstance(target, Tracer) and target.dtype != dt:
        return target.astype(dt)
    return target


def _same_shape(fname: str, pred, target):
    """``target`` shaped like ``pred``, in its dtype when constant; a column ``(n, 1)``
    against ``(n,)`` is reshaped (it would broadcast to ``(n, n)`` otherwise, a classic
    silent bug)."""
    target = _like_prediction(pred, target)
    ps, ts = np.shape(_plain(pred)), np.shape(_plain(target))
    if ps == ts:
        return target
    if len(ps) == 2 and ps[1] == 1 and ts == ps[:1]:
        return cnp.reshape(target, ps)
    raise ValueError(f"chainrule.nn.{fname}: prediction has shape {ps} but target has shape "
                     f"{ts}; they must match (one target per prediction)")


def _rows(x) -> int:
    shape = np.shape(_plain(x))
    return shape[0] if shape else 1


def _row_mean(per_entry, fname):
    """Sum over everything, divided by the number of rows (the first axis)."""
    n = _rows(per_entry)
    if n == 0:
        raise ValueError(f"chainrule.nn.{fname}: empty batch (0 rows)")
    return cnp.sum(per_entry) * (1.0 / n)


# ----------------------------------------------------------------------- MSE
def mse(prediction, target):
    """Mean squared error ``1/n sum_i ||h(x_i) - y_i||^2``: squared errors summed over a
    row's outputs and averaged over the ``n`` rows (for 1-D inputs: the mean of the
    squares).

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> float(nn.mse(np.array([1.0, 2.0]), np.array([0.0, 0.0])))
    2.5
    >>> cr.grad(nn.mse)(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
    array([1., 2.])
    """
    prediction = _as_input("mse", "prediction", prediction)
    target = _same_shape("mse", prediction, _as_input("mse", "target", target))
    d = prediction - target
    return _row_mean(d * d, "mse")


# ------------------------------------------------------------- cross-entropy
# cross_entropy(z, y) = nll(log_softmax(z), y): two primitives. log_softmax computes the
# stable log-softmax once and its VJP reuses it (softmax = exp(log_softmax)); nll is the
# linear map -sum(y * logp) / n, one dot product forward and one product backward.
def _n_rows(x) -> int:
    return x.size // x.shape[-1] if x.ndim else 1


def _nll_impl(logp, y):
    return np.vdot(y, logp) * (-1.0 / _n_rows(logp))


def _scaled(g, x, factor):
    """``factor * g`` lined up against ``x``: a cotangent of the scalar loss, with any
    leading batch axes it carries."""
    if g.ndim:
        g = cnp.reshape(g, g.shape + (1,) * x.ndim)
    return g * factor


def _all_axes(x):
    return tuple(range(-x.ndim, 0))


_pnll = Primitive(
    "nn.nll", _nll_impl, family="nn",
    vjp_rules=[lambda g, ans, logp, y: y * _scaled(g, logp, -1.0 / _n_rows(logp)),
               lambda g, ans, logp, y: logp * _scaled(g, logp, -1.0 / _n_rows(logp))],
    jvp_rules=[lambda t, ans, logp, y: cnp.sum(t * y, axis=_all_axes(logp))
               * (-1.0 / _n_rows(logp)),
               lambda t, ans, logp, y: cnp.sum(t * logp, axis=_all_axes(logp))
               * (-1.0 / _n_rows(logp))])


def _one_hot(fname: str, labels, k: int, shape, dtype):
    if labels.shape != shape:
        raise ValueError(f"chainrule.nn.{fname}: integer class labels must have shape "
                         f"{shape} (one per row), got {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"chainrule.nn.{fname}: class labels must lie in 0..{k - 1} "
                         f"({k} classes), got values from {labels.min()} to {labels.max()}")
    out = np.zeros(shape + (k,), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out


def cross_entropy(logits, target):
    """Softmax cross-entropy from logits, averaged over rows:
    ``-1/n sum_i sum_k y_ik log softmax(z_i)_k``.

    ``logits`` has the classes on its last axis (shape ``(n, K)``, or ``(K,)`` for one
    row); ``target`` holds integer class indices (shape ``(n,)``) or one-hot /
    probability rows (shape ``(n, K)``). Stable for any finite logits (1e4 is fine); the
    derivative in the logits is ``(softmax(z) - y) / n`` for one-hot or index targets.

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> z = np.array([[1e4, 0.0], [0.0, 0.0]])
    >>> float(nn.cross_entropy(z, np.array([0, 1]))) == float(np.log(2.0) / 2)
    True
    >>> cr.grad(nn.cross_entropy)(z, np.array([[1.0, 0.0], [0.0, 1.0]]))
    array([[ 0.  ,  0.  ],
           [ 0.25, -0.25]])
    """
    if isinstance(logits, Tracer) and type(target) is np.ndarray:
        z = logits._primal
        if type(z) is np.ndarray and z.shape == target.shape and z.dtype is target.dtype \
                and z.ndim and z.shape[-1]:
            # a training step's case (traced logits, one-hot rows of their dtype): nothing
            # to convert or check, so the two primitives are recorded directly
            trace = logits._trace
            logp = trace.process(_plog_softmax, (logits,), {"axis": -1})
            return trace.process(_pnll, (logp, target), _EMPTY)
    logits = _as_input("cross_entropy", "logits", logits)
    shape = logits.shape
    if not shape or shape[-1] == 0:
        raise ValueError(f"chainrule.nn.cross_entropy: logits need a class axis (last), "
                         f"got shape {shape}")
    if not isinstance(target, Tracer):
        t = np.asarray(target)
        if t.dtype.kind in "iub" and t.shape != shape:       # class indices
            target = _one_hot("cross_entropy", t, shape[-1], shape[:-1],
                              _plain(logits).dtype)
        elif t.dtype.kind in "iubf":
            target = _like_prediction(logits, t)
        else:
            raise TypeError(f"chainrule.nn.cross_entropy: target must hold class indices "
                            f"or probabilities, got dtype {t.dtype}")
    if target.shape != shape:
        raise ValueError(f"chainrule.nn.cross_entropy: target has shape {target.shape}; "
                         f"give one class index per row (shape {shape[:-1]}) or one-hot "
                         f"rows (shape {shape})")
    logp = log_softmax(logits)
    if isinstance(logp, Tracer):
        if isinstance(target, Tracer) and target._level > logp._level:
            return target._trace.process(_pnll, (logp, target), _EMPTY)
        return logp._trace.process(_pnll, (logp, target), _EMPTY)
    if isinstance(target, Tracer):
        return target._trace.process(_pnll, (logp, target), _EMPTY)
    return _nll_impl(logp, target)


public(_NS, "cross_entropy", "composite", cross_entropy, ("nn.log_softmax", _pnll.name))


# ------------------------------------------------------- binary cross-entropy
def binary_cross_entropy(prediction, target, *, from_logits: bool = False):
    """Binary cross-entropy ``-1/n sum [y log p + (1 - y) log(1 - p)]`` for targets in
    [0, 1], summed over a row's outputs and averaged over rows.

    ``prediction`` holds probabilities, clipped to ``[eps, 1 - eps]`` (``eps`` the dtype's
    machine epsilon) so that ``log`` never sees 0. With ``from_logits=True`` it holds
    logits ``z`` and the loss is computed exactly and stably as
    ``softplus(z) - y z`` (prefer this for training).

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> p, y = np.array([0.5, 0.9]), np.array([1.0, 1.0])
    >>> round(float(nn.binary_cross_entropy(p, y)), 6)
    0.399254
    >>> float(nn.binary_cross_entropy(np.array([1e4, -1e4]), np.array([1.0, 0.0]),
    ...                               from_logits=True))
    0.0
    """
    prediction = _as_input("binary_cross_entropy", "prediction", prediction)
    target = _same_shape("binary_cross_entropy", prediction,
                         _as_input("binary_cross_entropy", "target", target))
    if from_logits:
        per = softplus(prediction) - target * prediction
    else:
        eps = float(np.finfo(_plain(prediction).dtype).eps)
        p = cnp.clip(prediction, eps, 1.0 - eps)
        per = -(target * cnp.log(p) + (1.0 - target) * cnp.log(1.0 - p))
    return _row_mean(per, "binary_cross_entropy")


# -------------------------------------------------------------------- hinge
def hinge(scores, target):
    """Hinge loss, averaged over rows.

    * Binary: ``scores`` of shape ``(n,)`` (or ``(n, 1)``), labels in {-1, +1} (or {0, 1},
      0 read as -1): ``1/n sum_i max(0, 1 - y_i s_i)``.
    * Multiclass (Weston-Watkins, as in cs231n): ``scores`` of shape ``(n, K)``, integer
      labels ``(n,)`` or one-hot rows: ``1/n sum_i sum_{j != y_i} max(0, 1 + s_ij - s_iy_i)``.

    The kink has derivative 0 (ReLU's convention).

    >>> import numpy as np
    >>> from chainrule import nn
    >>> float(nn.hinge(np.array([2.0, 0.5, 0.0]), np.array([1, 1, 1])))
    0.5
    >>> float(nn.hinge(np.array([[3.0, 2.5, 0.0]]), np.array([0])))
    0.5
    """
    scores = _as_input("hinge", "scores", scores)
    shape = np.shape(_plain(scores))
    multiclass = len(shape) >= 2 and shape[-1] > 1
    if not multiclass:
        y = _as_input("hinge", "target", target)
        y = _same_shape("hinge", scores, y)
        yv = _plain(y)
        if not np.all(np.isin(yv, (-1.0, 1.0))):
            if not np.all(np.isin(yv, (0.0, 1.0))):
                raise ValueError("chainrule.nn.hinge: binary labels must be -1/+1 or 0/1")
            y = 2.0 * y - 1.0
        return _row_mean(relu(1.0 - y * scores), "hinge")
    y = np.asarray(_plain(target))
    if y.dtype.kind in "iub" and y.shape == shape[:-1]:
        onehot = _one_hot("hinge", y, shape[-1], shape[:-1], _plain(scores).dtype)
    elif y.shape == shape:
        onehot = y.astype(_plain(scores).dtype)
    else:
        raise ValueError(f"chainrule.nn.hinge: target must be class indices of shape "
                         f"{shape[:-1]} or one-hot rows of shape {shape}, got {y.shape}")
    correct = cnp.sum(scores * onehot, axis=-1, keepdims=True)
    margins = relu(1.0 + scores - correct) * (1.0 - onehot)
    return _row_mean(margins, "hinge")


# ------------------------------------------------------------------ 0-1 loss
def zero_one(prediction, target) -> float:
    """The 0-1 loss: the fraction of rows classified wrongly (a metric: no derivative).

    ``prediction`` with a class axis (shape ``(n, K)``, K > 1: scores, logits or
    probabilities) is read by its argmax; otherwise it holds predicted labels. ``target``
    holds labels, or one-hot rows (read by argmax).

    >>> import numpy as np
    >>> from chainrule import nn
    >>> nn.zero_one(np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), np.array([0, 0, 0]))
    0.3333333333333333
    """
    p = np.asarray(_plain(prediction))
    t = np.asarray(_plain(target))
    if p.ndim >= 2 and p.shape[-1] > 1:
        p = p.argmax(axis=-1)
        if t.shape == np.shape(_plain(prediction)):
            t = t.argmax(axis=-1)
    elif p.ndim == 2 and p.shape[-1] == 1 and t.ndim == 1:
        p = p[:, 0]
    if p.shape != t.shape:
        raise ValueError(f"chainrule.nn.zero_one: predicted labels have shape {p.shape} but "
                         f"target has shape {t.shape}")
    if p.size == 0:
        raise ValueError("chainrule.nn.zero_one: empty batch (0 rows)")
    return float(np.mean(p != t))


public(_NS, "mse", "composite", mse)
public(_NS, "binary_cross_entropy", "composite", binary_cross_entropy)
public(_NS, "hinge", "composite", hinge, ("nn.relu",))
public(_NS, "zero_one", "nondiff", zero_one)

LOSSES = {"mse": mse, "cross_entropy": cross_entropy,
          "binary_cross_entropy": binary_cross_entropy, "hinge": hinge, "zero_one": zero_one}
"""Every loss (and the 0-1 metric) by name."""


def get_loss(name: str) -> Callable:
    """The loss called ``name`` (see :data:`LOSSES`).

    >>> from chainrule import nn
    >>> nn.get_loss("cross_entropy") is nn.cross_entropy
    True
    """
    return by_name(LOSSES, name, "chainrule.nn.get_loss", "loss")
