"""Activation functions: the lecture's table and the usual extras.

The seed's activation table (``shared/seeds/001``): linear, binary step, sigmoid, tanh,
ReLU, softplus, leaky ReLU and ELU, plus softmax, log-softmax and GELU. Each is a plain
function of an array (or a traced value) and keeps its floating dtype (float32 in,
float32 values and derivatives out).

ReLU, leaky ReLU, ELU, sigmoid, softplus, softmax and log-softmax are primitives of
their own: one tape entry each, the NumPy implementation written to be stable, and both
derivative rules side by side, written with differentiable functions so that every
order works. The others are built from ``chainrule.numpy``.

Conventions where the derivative is undefined (the table's "undefined" entries):

* ``relu'(0) = 0`` (the core's convention at kinks: 0, never NaN);
* ``binary_step`` has derivative 0 everywhere (it is piecewise constant);
* ``leaky_relu'(0) = 1`` (the table: 1 for ``x >= 0``);
* ``elu'(0) = alpha`` (the left derivative; the table's 1 when ``alpha = 1``).

Stability: ``sigmoid`` and ``softplus`` never evaluate ``exp`` of a large positive
number, so they and their derivatives are finite at +-1000 (and beyond); softmax and
log-softmax subtract the row maximum first.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import numpy as cnp
from ..core.primitive import Primitive, bind, make_unary
from ..core.tracer import Tracer
from ..numpy._registry import public
from .._lookup import by_name

_NS = "nn"
_FAM = "nn"
_SQRT_HALF = math.sqrt(0.5)
_GELU_C = math.sqrt(2.0 / math.pi)


def _plain(x):
    while isinstance(x, Tracer):
        x = x._primal
    return x


def _scalar(out):
    """NumPy returns scalars for scalar input; so do we (not 0-d arrays)."""
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


def _floating(x):
    """A plain input as an array of a floating dtype (ints promoted to float64)."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _unary_primitive(name: str, impl, vjp, jvp, doc: str) -> Callable:
    p = Primitive(f"nn.{name}", impl, vjp_rules=[vjp], jvp_rules=[jvp], elementwise=True,
                  family=_FAM)
    return public(_NS, name, "primitive", make_unary(p, name, doc), (p.name,))


# ----------------------------------------------------------------------- ReLU
def _relu_impl(x):
    return np.maximum(x, 0)


relu = _unary_primitive(
    "relu", _relu_impl,
    # ans > 0 exactly where x > 0: a boolean mask, so g keeps its dtype (no conversion)
    lambda g, ans, x: g * (ans > 0),
    lambda t, ans, x: t * (ans > 0),
    """Rectified linear unit ``max(x, 0)``; derivative 1 for ``x > 0``, else 0
    (``relu'(0) = 0``).

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    >>> cr.grad(lambda x: nn.relu(x).sum())(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 1.])
    """)


# ------------------------------------------------------------------ sigmoid
def _sigmoid_impl(x):
    x = _floating(x)
    e = np.exp(-np.abs(x))              # in (0, 1]: never overflows
    r = 1 / (1 + e)                     # sigmoid(|x|)
    return _scalar(np.where(x >= 0, r, e * r))


sigmoid = _unary_primitive(
    "sigmoid", _sigmoid_impl,
    # f'(x) = f(x) (1 - f(x)) (the table), with 1 - f(x) = f(-x): accurate in both tails
    lambda g, ans, x: g * (ans * sigmoid(-x)),
    lambda t, ans, x: t * (ans * sigmoid(-x)),
    """The logistic function ``1 / (1 + exp(-x))``, stable for any ``x``; derivative
    ``f(x) (1 - f(x))``.

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    >>> float(cr.grad(nn.sigmoid)(0.0))
    0.25
    """)


# ----------------------------------------------------------------- softplus
def _softplus_impl(x):
    return _scalar(np.logaddexp(0, _floating(x)))     # log(1 + e^x) without overflow


softplus = _unary_primitive(
    "softplus", _softplus_impl,
    lambda g, ans, x: g * sigmoid(x),
    lambda t, ans, x: t * sigmoid(x),
    """Softplus ``ln(1 + e^x)``, stable for any ``x``; derivative ``1 / (1 + e^-x)``
    (the sigmoid).

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.softplus(np.array([-1000.0, 0.0, 1000.0]))
    array([   0.        ,    0.69314718, 1000.        ])
    >>> float(cr.grad(nn.softplus)(0.0))
    0.5
    """)


# --------------------------------------------------------------- leaky ReLU
def _leaky_impl(x, negative_slope):
    x = _floating(x)
    return _scalar(np.where(x >= 0, x, x * negative_slope))


def _leaky_d(x, negative_slope):
    # 1 for x >= 0 (the table), the slope below; a plain array in x's dtype
    x = _plain(x)
    return np.where(x >= 0, 1, negative_slope).astype(x.dtype)


_pleaky = Primitive("nn.leaky_relu", _leaky_impl, elementwise=True, family=_FAM,
                    vjp_rules=[lambda g, ans, x, negative_slope: g * _leaky_d(x, negative_slope)],
                    jvp_rules=[lambda t, ans, x, negative_slope: t * _leaky_d(x, negative_slope)])


def leaky_relu(x, negative_slope: float = 0.01):
    """Leaky ReLU: ``x`` for ``x >= 0``, ``negative_slope * x`` below; derivative 1 for
    ``x >= 0`` and ``negative_slope`` below.

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.leaky_relu(np.array([-2.0, 0.0, 3.0]))
    array([-0.02,  0.  ,  3.  ])
    >>> cr.grad(lambda x: nn.leaky_relu(x, 0.1).sum())(np.array([-2.0, 0.0, 3.0]))
    array([0.1, 1. , 1. ])
    """
    negative_slope = _number("leaky_relu", "negative_slope", negative_slope)
    return bind(_pleaky, (x,), {"negative_slope": negative_slope})


public(_NS, "leaky_relu", "primitive", leaky_relu, (_pleaky.name,))


# ---------------------------------------------------------------------- ELU
def _elu_impl(x, alpha):
    x = _floating(x)
    neg = np.expm1(np.minimum(x, 0)) * alpha        # expm1 of x <= 0 only: no overflow
    return _scalar(np.where(x > 0, x, neg))


def _elu_d(x, ans, alpha):
    # alpha e^x for x <= 0 (so elu'(0) = alpha), 1 above. Not ans + alpha: that cancels
    # to 0 below x = -37. exp sees only x <= 0 (x itself there, 0 elsewhere): no overflow.
    pos = _plain(x) > 0
    return cnp.where(pos, 1.0, alpha * cnp.exp(cnp.where(pos, 0.0, x)))


_pelu = Primitive("nn.elu", _elu_impl, elementwise=True, family=_FAM,
                  vjp_rules=[lambda g, ans, x, alpha: g * _elu_d(x, ans, alpha)],
                  jvp_rules=[lambda t, ans, x, alpha: t * _elu_d(x, ans, alpha)])


def elu(x, alpha: float = 1.0):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha (e^x - 1)`` for ``x <= 0``;
    derivative 1 for ``x > 0`` and ``alpha e^x`` for ``x <= 0`` (so ``elu'(0) = alpha``,
    the table's 1 when ``alpha = 1``).

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.elu(np.array([-1000.0, 0.0, 2.0]))
    array([-1.,  0.,  2.])
    >>> cr.grad(lambda x: nn.elu(x).sum())(np.array([0.0, 2.0]))
    array([1., 1.])
    """
    alpha = _number("elu", "alpha", alpha)
    return bind(_pelu, (x,), {"alpha": alpha})


public(_NS, "elu", "primitive", elu, (_pelu.name,))


def _number(fname: str, arg: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"chainrule.nn.{fname}: {arg} must be a number, got "
                        f"{type(value).__name__} ({value!r:.40})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"chainrule.nn.{fname}: {arg} must be finite, got {value}")
    return value


# ------------------------------------------------------- softmax, log-softmax
def _axis(fname: str, x, axis) -> int:
    """``axis`` as a negative int (stays right when rules see leading batch axes)."""
    if type(axis) is not int and (isinstance(axis, (bool, np.bool_))
                                  or not isinstance(axis, (int, np.integer))):
        raise TypeError(f"chainrule.nn.{fname}: axis must be an int, got {axis!r}")
    ndim = x.ndim if isinstance(x, (Tracer, np.ndarray)) else np.ndim(x)
    if not -ndim <= axis < ndim:
        raise ValueError(f"chainrule.nn.{fname}: axis {axis} is out of range for an input "
                         f"of shape {np.shape(_plain(x))} (it needs at least one axis)")
    return int(axis) - ndim if axis >= 0 else int(axis)


_ONES: dict = {}


def _ones_column(k: int, dtype) -> np.ndarray:
    """A cached (k, 1) column of ones: ``v @ ones`` sums the last axis with one matrix
    product, several times faster than NumPy's reduction for short rows (10 classes)."""
    key = (k, dtype)
    col = _ONES.get(key)
    if col is None:
        col = _ONES[key] = np.ones((k, 1), dtype=dtype)
        col.setflags(write=False)
    return col


def _row_sums(v, axis: int):
    """``sum(v, axis, keepdims=True)``, differentiable; the last axis by a matmul."""
    if axis == -1:
        dt = _plain(v).dtype
        return v @ _ones_column(v.shape[-1], dt if dt.kind == "f" else np.float64)
    return cnp.sum(v, axis=axis, keepdims=True)


def _softmax_impl(x, axis):
    z = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= _row_sums(z, axis)
    return z


def _log_softmax_impl(x, axis):
    z = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    lse = _row_sums(np.exp(z), axis)
    np.log(lse, out=lse)
    z -= lse
    return z


_psoftmax = Primitive(
    "nn.softmax", _softmax_impl, family=_FAM,
    # Jacobian diag(s) - s s^T applied to g (reverse) or t (forward)
    vjp_rules=[lambda g, ans, x, axis: ans * (g - _row_sums(g * ans, axis))],
    jvp_rules=[lambda t, ans, x, axis: ans * (t - _row_sums(t * ans, axis))])

_plog_softmax = Primitive(
    "nn.log_softmax", _log_softmax_impl, family=_FAM,
    # Jacobian I - 1 s^T with s = exp(log_softmax(x)) = exp(ans): the softmax is not
    # computed again from x
    vjp_rules=[lambda g, ans, x, axis: g - cnp.exp(ans) * _row_sums(g, axis)],
    jvp_rules=[lambda t, ans, x, axis: t - _row_sums(cnp.exp(ans) * t, axis)])


def softmax(x, axis: int = -1):
    """``exp(x) / sum(exp(x))`` along ``axis``, computed from ``x - max(x)`` (stable for any
    finite input).

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.softmax(np.array([[1e4, 1e4], [0.0, np.log(3.0)]]))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    >>> cr.jacobian(nn.softmax)(np.zeros(2))
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    axis = _axis("softmax", x, axis)
    if not isinstance(x, Tracer):
        return _softmax_impl(_floating(x), axis)
    return x._trace.process(_psoftmax, (x,), {"axis": axis})


def log_softmax(x, axis: int = -1):
    """``x - log(sum(exp(x)))`` along ``axis``, stable for any finite input.

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.log_softmax(np.array([1e4, 1e4]))
    array([-0.69314718, -0.69314718])
    >>> cr.grad(lambda x: nn.log_softmax(x)[0])(np.zeros(2))
    array([ 0.5, -0.5])
    """
    axis = _axis("log_softmax", x, axis)
    if not isinstance(x, Tracer):
        return _log_softmax_impl(_floating(x), axis)
    return x._trace.process(_plog_softmax, (x,), {"axis": axis})


public(_NS, "softmax", "primitive", softmax, (_psoftmax.name,))
public(_NS, "log_softmax", "primitive", log_softmax, (_plog_softmax.name,))


# --------------------------------------------------------------------- GELU
_erf_np = None


def _erf_impl(x):
    """erf on arrays: SciPy's when it is installed, else Python's math.erf per entry."""
    global _erf_np
    if _erf_np is None:
        try:
            from scipy.special import erf as _erf_np
        except ImportError:                         # NumPy only: exact, but slower
            _vec = np.frompyfunc(math.erf, 1, 1)
            _erf_np = lambda a: _vec(a).astype(np.result_type(a, np.float16))  # noqa: E731
    x = _floating(x)
    return _scalar(np.asarray(_erf_np(x), dtype=x.dtype))


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_perf = Primitive("nn.erf", _erf_impl, elementwise=True, family=_FAM,
                  vjp_rules=[lambda g, ans, x: g * (_TWO_OVER_SQRT_PI * cnp.exp(-(x * x)))],
                  jvp_rules=[lambda t, ans, x: t * (_TWO_OVER_SQRT_PI * cnp.exp(-(x * x)))])
_erf = make_unary(_perf, "erf")


def gelu(x, approximate: bool = False):
    """Gaussian error linear unit ``x * Phi(x)`` (``Phi`` the standard normal CDF), or its
    tanh approximation ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`` with
    ``approximate=True`` (also accepted: PyTorch's ``"none"`` / ``"tanh"``).

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.gelu(np.array([-1000.0, 0.0, 1000.0]))
    array([  -0.,    0., 1000.])
    >>> float(cr.grad(nn.gelu)(0.0))
    0.5
    """
    if approximate in ("tanh", "none"):
        approximate = approximate == "tanh"
    if not isinstance(approximate, (bool, np.bool_)):
        raise ValueError(f"chainrule.nn.gelu: approximate must be True/False (or 'tanh' / "
                         f"'none'), got {approximate!r}")
    if not isinstance(x, Tracer):
        x = _floating(x)
    if approximate:
        inner = _GELU_C * (x + 0.044715 * (x * x * x))
        return 0.5 * x * (1.0 + cnp.tanh(inner))
    return 0.5 * x * (1.0 + _erf(x * _SQRT_HALF))


public(_NS, "gelu", "composite", gelu, (_perf.name,))


# ------------------------------------------------- linear, binary step, tanh
def linear(x):
    """The identity ``f(x) = x`` (the table's "linear"); derivative 1.

    >>> import chainrule as cr
    >>> from chainrule import nn
    >>> float(cr.grad(nn.linear)(3.0))
    1.0
    """
    if isinstance(x, (Tracer, np.ndarray)):
        return x
    return _scalar(np.asarray(x))


def binary_step(x):
    """``1`` for ``x >= 0``, else ``0``, in ``x``'s floating dtype; derivative 0
    everywhere (the table leaves it undefined at 0; we take 0: the function is a
    constant on both sides).

    >>> import chainrule as cr, numpy as np
    >>> from chainrule import nn
    >>> nn.binary_step(np.array([-1.0, 0.0, 2.0]))
    array([0., 1., 1.])
    >>> cr.grad(lambda x: nn.binary_step(x).sum())(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 0.])
    """
    v = _floating(_plain(x))
    return np.heaviside(v, 1)                     # a constant: no derivative flows


def tanh(x):
    """Hyperbolic tangent; derivative ``1 - tanh(x)^2``.

    >>> import chainrule as cr
    >>> from chainrule import nn
    >>> float(cr.grad(nn.tanh)(0.0))
    1.0
    """
    if not isinstance(x, Tracer):
        x = _floating(x)
    return cnp.tanh(x)


public(_NS, "linear", "composite", linear)
public(_NS, "binary_step", "nondiff", binary_step)
public(_NS, "tanh", "composite", tanh, ("tanh",))


# ------------------------------------------------------------------- lookup
ACTIVATIONS = {
    "linear": linear, "identity": linear, "binary_step": binary_step, "sigmoid": sigmoid,
    "tanh": tanh, "relu": relu, "softplus": softplus, "leaky_relu": leaky_relu, "elu": elu,
    "softmax": softmax, "log_softmax": log_softmax, "gelu": gelu,
}
"""Every activation function by name ("identity" is an alias of "linear")."""


def get_activation(name: str) -> Callable:
    """The activation function called ``name`` (see :data:`ACTIVATIONS`).

    >>> from chainrule import nn
    >>> nn.get_activation("relu") is nn.relu
    True
    """
    return by_name(ACTIVATIONS, name, "chainrule.nn.get_activation", "activation")
