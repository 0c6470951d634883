"""Reductions (sum, mean, prod, max, min, var, std, ...) and cumulative ops.

Axes are normalised to negative numbers before they reach a rule, so the same rule works
on cotangents and tangents that carry extra leading batch axes.
"""
from __future__ import annotations

import numpy as np

from ..core.primitive import Primitive, bind
from ._registry import public
from ._util import batch_of, norm_axes, norm_axis, plain

_NS = "numpy"
_FAM = "reductions"


def _expand_to(g, ans, x, axis, keepdims):
    """Broadcast the cotangent of a reduction back over the reduced axes of ``x``."""
    batch = batch_of(g, ans)
    if not keepdims:
        g = expand_dims_(g, axis)
    return broadcast_to_(g, batch + x.shape)


# ---------------------------------------------------------------------- sum
_psum = Primitive(
    "sum", lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims), family=_FAM,
    vjp_rules=[lambda g, ans, x, axis, keepdims: _expand_to(g, ans, x, axis, keepdims)],
    jvp_rules=[lambda t, ans, x, axis, keepdims: _sum(t, axis, keepdims)])


def _sum(x, axis, keepdims):
    return bind(_psum, (x,), {"axis": axis, "keepdims": keepdims})


def _check_out(name, out):
    if out is not None:
        raise TypeError(f"chainrule.numpy.{name}: out= is not supported (it writes into "
                        f"an existing array); use the returned value")


def sum(a, axis=None, dtype=None, out=None, keepdims=False):
    """Differentiable ``numpy.sum``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.sum(x ** 2))(np.array([1.0, 2.0]))
    array([2., 4.])
    """
    _check_out("sum", out)
    if dtype is not None:
        a = astype(a, dtype)
    return bind(_psum, (a,), {"axis": norm_axes(axis, np.ndim(plain(a)), "sum"),
                             "keepdims": bool(keepdims)})


public(_NS, "sum", "primitive", sum, ("sum",))


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Differentiable ``numpy.mean``.

    >>> import chainrule.numpy as cnp
    >>> float(cnp.mean([1.0, 2.0, 3.0]))
    2.0
    """
    _check_out("mean", out)
    a = asarray(a) if not hasattr(a, "ndim") else a
    if dtype is not None:
        a = astype(a, dtype)
    axes = norm_axes(axis, a.ndim, "mean")
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    s = bind(_psum, (a,), {"axis": axes, "keepdims": bool(keepdims)})
    if np.issubdtype(plain(s).dtype, np.integer):
        return s / n
    return s * (1.0 / n) if n else s / n


public(_NS, "mean", "composite", mean)


# ------------------------------------------------------------------ max and min
def _max_vjp(g, ans, x, axis, keepdims):
    batch = batch_of(g, ans)
    a = ans if keepdims else expand_dims_(ans, axis)
    mask = np.equal(plain(x), plain(a))                       # ties share the derivative
    count = np.sum(mask, axis=axis, keepdims=True)
    gg = g if keepdims else expand_dims_(g, axis)
    return broadcast_to_(gg, batch + x.shape) * (mask / count)


def _max_jvp(t, ans, x, axis, keepdims):
    a = ans if keepdims else expand_dims_(ans, axis)
    mask = np.equal(plain(x), plain(a))
    w = mask / np.sum(mask, axis=axis, keepdims=True)
    return _sum(t * w, axis, keepdims)


_pmax = Primitive("max", lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
                  vjp_rules=[_max_vjp], jvp_rules=[_max_jvp], family=_FAM)
_pmin = Primitive("min", lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
                  vjp_rules=[_max_vjp], jvp_rules=[_max_jvp], family=_FAM)


def max(a, axis=None, out=None, keepdims=False):
    """Differentiable ``numpy.max``; tied maxima share the derivative equally.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.max(x))(np.array([1.0, 3.0, 2.0]))
    array([0., 1., 0.])
    """
    _check_out("max", out)
    return bind(_pmax, (a,), {"axis": norm_axes(axis, np.ndim(plain(a)), "max"),
                             "keepdims": bool(keepdims)})


def min(a, axis=None, out=None, keepdims=False):
    """Differentiable ``numpy.min``; tied minima share the derivative equally.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.min(x))(np.array([1.0, 3.0, 2.0]))
    array([1., 0., 0.])
    """
    _check_out("min", out)
    return bind(_pmin, (a,), {"axis": norm_axes(axis, np.ndim(plain(a)), "min"),
                             "keepdims": bool(keepdims)})


public(_NS, "max", "primitive", max, ("max",))
public(_NS, "min", "primitive", min, ("min",))
amax = public(_NS, "amax", "composite", max)
amin = public(_NS, "amin", "composite", min)


def ptp(a, axis=None, keepdims=False):
    """Differentiable ``numpy.ptp`` (max - min).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.ptp([1.0, 4.0, 2.0]))
    3.0
    """
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


public(_NS, "ptp", "composite", ptp)


# ---------------------------------------------------------------- cumulative ops
def _cumsum_vjp(g, ans, x, axis):
    return flip_(_cumsum(flip_(g, axis), axis), axis)


_pcumsum = Primitive("cumsum", lambda x, axis: np.cumsum(x, axis=axis), family=_FAM,
                     vjp_rules=[_cumsum_vjp],
                     jvp_rules=[lambda t, ans, x, axis: _cumsum(t, axis)])


def _cumsum(x, axis):
    return bind(_pcumsum, (x,), {"axis": axis})


def cumsum(a, axis=None, dtype=None, out=None):
    """Differentiable ``numpy.cumsum`` (``axis=None`` works on the flattened array).

    >>> import chainrule.numpy as cnp
    >>> cnp.cumsum([1.0, 2.0, 3.0])
    array([1., 3., 6.])
    """
    _check_out("cumsum", out)
    a = asarray(a) if not hasattr(a, "ndim") else a
    if dtype is not None:
        a = astype(a, dtype)
    if axis is None:
        a = reshape_(a, (-1,))
        axis = -1
    return _cumsum(a, norm_axis(axis, a.ndim, "cumsum"))


public(_NS, "cumsum", "primitive", cumsum, ("cumsum",))


def _cumprod_vjp(g, ans, x, axis):
    # d ans_j / d x_i = prod_{k <= j, k != i} x_k for i <= j. Build, for each i, the
    # cumulative product of x with x_i replaced by 1 (an n x n table): exact with zeros.
    batch = batch_of(g, ans)
    xm = moveaxis_(x, axis, -1)
    gm = moveaxis_(g, axis, -1)
    n = xm.shape[-1]
    eye = np.eye(n, dtype=bool)
    rows = where_(eye, 1.0, expand_dims_(xm, (-2,)))             # (..., i, k)
    c = _cumprod(rows, -1)                                         # (..., i, j)
    upper = np.triu(np.ones((n, n), dtype=bool))                  # j >= i
    gi = _sum(where_(upper, c * expand_dims_(gm, (-2,)), 0.0), (-1,), False)
    return moveaxis_(gi, -1, axis)


def _cumprod_jvp(t, ans, x, axis):
    # the transpose of the VJP above, pushed forward directly
    xm = moveaxis_(x, axis, -1)
    tm = moveaxis_(t, axis, -1)
    n = xm.shape[-1]
    eye = np.eye(n, dtype=bool)
    rows = where_(eye, 1.0, expand_dims_(xm, (-2,)))
    c = _cumprod(rows, -1)                                         # (..., i, j)
    upper = np.triu(np.ones((n, n), dtype=bool))
    tj = _sum(where_(upper, c * expand_dims_(tm, (-1,)), 0.0), (-2,), False)
    return moveaxis_(tj, -1, axis)


_pcumprod = Primitive("cumprod", lambda x, axis: np.cumprod(x, axis=axis), family=_FAM,
                      vjp_rules=[_cumprod_vjp], jvp_rules=[_cumprod_jvp])


def _cumprod(x, axis):
    return bind(_pcumprod, (x,), {"axis": axis})


def cumprod(a, axis=None, dtype=None, out=None):
    """Differentiable ``numpy.cumprod``; exact derivatives also where entries are 0.

    >>> import chainrule.numpy as cnp
    >>> cnp.cumprod([1.0, 2.0, 3.0])
    array([1., 2., 6.])
    """
    _check_out("cumprod", out)
    a = asarray(a) if not hasattr(a, "ndim") else a
    if dtype is not None:
        a = astype(a, dtype)
    if axis is None:
        a = reshape_(a, (-1,))
        axis = -1
    return _cumprod(a, norm_axis(axis, a.ndim, "cumprod"))


public(_NS, "cumprod", "primitive", cumprod, ("cumprod",))


def prod(a, axis=None, dtype=None, out=None, keepdims=False):
    """Differentiable ``numpy.prod``; exact derivatives also where entries are 0.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.prod(x))(np.array([2.0, 0.0, 4.0]))
    array([0., 8., 0.])
    """
    _check_out("prod", out)
    a = asarray(a) if not hasattr(a, "ndim") else a
    if dtype is not None:
        a = astype(a, dtype)
    axes = norm_axes(axis, a.ndim, "prod")
    if not axes:
        return a
    nd = a.ndim
    keep = [ax for ax in range(-nd, 0) if ax not in axes]
    moved = transpose_(a, tuple(k + nd for k in keep) + tuple(ax + nd for ax in axes))
    lead = moved.shape[:len(keep)]
    flat = reshape_(moved, lead + (-1,))
    if flat.shape[-1] == 0:
        r = np.ones(lead, dtype=plain(a).dtype)
    else:
        r = getitem_(_cumprod(flat, -1), (Ellipsis, -1))
    if keepdims:
        r = reshape_(r, tuple(1 if ax - nd in axes else s for ax, s in enumerate(a.shape)))
    return r


public(_NS, "prod", "composite", prod)


# ------------------------------------------------------------------ var and std
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Differentiable ``numpy.var``.

    >>> import chainrule.numpy as cnp
    >>> float(cnp.var([1.0, 2.0, 3.0, 4.0]))
    1.25
    """
    _check_out("var", out)
    a = asarray(a) if not hasattr(a, "ndim") else a
    if dtype is not None:
        a = astype(a, dtype)
    axes = norm_axes(axis, a.ndim, "var")
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    d = a - mean(a, axis=axes, keepdims=True)
    return _sum(d * d, axes, bool(keepdims)) / (n - ddof)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Differentiable ``numpy.std`` (the derivative is infinite where the spread is 0).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.std([1.0, 3.0]))
    1.0
    """
    return sqrt_(var(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims))


public(_NS, "var", "composite", var)
public(_NS, "std", "composite", std)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """Differentiable ``numpy.average`` (differentiable in ``a`` and ``weights``).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.average([1.0, 3.0], weights=[3.0, 1.0]))
    1.5
    """
    if weights is None:
        r = mean(a, axis=axis, keepdims=keepdims)
        n = np.size(plain(a)) / np.size(plain(r))
        return (r, np.full(np.shape(plain(r)), n)) if returned else r
    a = asarray(a) if not hasattr(a, "ndim") else a
    w = asarray(weights) if not hasattr(weights, "ndim") else weights
    if w.shape != a.shape:
        if axis is None or w.ndim != 1:
            raise ValueError("chainrule.numpy.average: weights must have a's shape, or be "
                             "1-D along the given axis")
        ax = norm_axis(axis, a.ndim, "average")
        w = reshape_(w, tuple(-1 if i - a.ndim == ax else 1 for i in range(a.ndim)))
        w = broadcast_to_(w, a.shape)
    sw = sum(w, axis=axis, keepdims=keepdims)
    r = sum(a * w, axis=axis, keepdims=keepdims) / sw
    return (r, sw) if returned else r


public(_NS, "average", "composite", average)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False):
    """Differentiable ``numpy.nansum``: NaNs count as 0 and get derivative 0.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> float(cnp.nansum([1.0, np.nan, 2.0]))
    3.0
    """
    return sum(where_(np.isnan(plain(a)), 0.0, a), axis=axis, dtype=dtype, out=out,
               keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Differentiable ``numpy.nanmean``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> float(cnp.nanmean([1.0, np.nan, 3.0]))
    2.0
    """
    keep = ~np.isnan(plain(a))
    return (sum(where_(keep, a, 0.0), axis=axis, dtype=dtype, out=out, keepdims=keepdims)
            / np.sum(keep, axis=axis, keepdims=keepdims))


public(_NS, "nansum", "composite", nansum)
public(_NS, "nanmean", "composite", nanmean)


# filled in by __init__ to avoid import cycles between families
def _late_imports():
    global expand_dims_, broadcast_to_, flip_, moveaxis_, where_, reshape_, transpose_
    global getitem_, sqrt_, asarray, astype
    from ._shape import expand_dims as expand_dims_, broadcast_to as broadcast_to_
    from ._shape import flip as flip_, moveaxis as moveaxis_, reshape as reshape_
    from ._shape import transpose as transpose_, asarray, astype
    from ._indexing import getitem as getitem_
    from ._elementwise import where as where_, sqrt as sqrt_
