"""Reductions (sum, mean, prod, max, min, var, std, ...) and cumulative ops.

Axes are normalised to negative numbers before they reach a rule, so the same rule works
on cotangents and tangents that carry extra leading batch axes.
"""
from __future__ import annotations

import numpy as np

from ..core.primitive import Primitive, bind
from ..core.tracer import Tracer
from ._registry import public
from ._util import as_traced, batch_of, holds_tracer, norm_axes, norm_axis, plain

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


def _extra(**kw) -> dict:
    """The optional NumPy keywords that were given (None: not given)."""
    return {k: plain(v) for k, v in kw.items() if v is not None}


def _mask(where, a):
    """A ``where=`` argument as a constant boolean mask shaped like ``a``."""
    return np.broadcast_to(np.asarray(plain(where), dtype=bool), a.shape)


def _count(mask, axes, keepdims, like):
    """How many entries ``mask`` selects along ``axes``, in ``like``'s float dtype (an
    integer count would promote float32 results to float64)."""
    dt = plain(like).dtype
    return np.sum(mask, axis=axes, keepdims=keepdims).astype(
        dt if dt.kind == "f" else np.float64)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Differentiable ``numpy.sum`` (also ``initial=`` and a constant ``where=`` mask).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.sum(x ** 2))(np.array([1.0, 2.0]))
    array([2., 4.])
    >>> cr.grad(lambda x: cnp.sum(x ** 2, where=x > 1.5))(np.array([1.0, 2.0]))
    array([0., 4.])
    """
    _check_out("sum", out)
    if (initial is not None or where is not None) and not holds_tracer(a):
        return np.sum(a, axis=axis, dtype=dtype, keepdims=keepdims,
                      **_extra(initial=initial, where=where))
    if type(a) in (list, tuple):                 # lists of traced values are array_like
        a = as_traced(a)
    if dtype is not None:
        a = astype(a, dtype)
    if where is not None:
        a = asarray(a)
        a = where_(_mask(where, a), a, 0.0)
    axes = norm_axes(axis, np.ndim(plain(a)), "sum")
    if not axes and initial is None and _traced_float(a):
        return a                    # nothing to reduce (a 0-d value): no tape entry
    r = bind(_psum, (a,), {"axis": axes, "keepdims": bool(keepdims)})
    return r if initial is None else r + initial


def _traced_float(a) -> bool:
    return isinstance(a, Tracer) and a.dtype.kind in "fc"


public(_NS, "sum", "primitive", sum, ("sum",))


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """Differentiable ``numpy.mean`` (also with a constant ``where=`` mask).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.mean([1.0, 2.0, 3.0]))
    2.0
    >>> float(cnp.mean([1.0, 2.0, 3.0], where=[True, False, True]))
    2.0
    """
    if axis is None and dtype is None and out is None and where is None \
            and _traced_float(a) and a.ndim == 0:
        return a                    # the mean of a traced 0-d value (a loss): itself, at once
    _check_out("mean", out)
    if where is not None and not holds_tracer(a):
        return np.mean(a, axis=axis, dtype=dtype, keepdims=keepdims, where=plain(where))
    a = asarray(a) if not hasattr(a, "ndim") else a
    if dtype is not None:
        a = astype(a, dtype)
    axes = norm_axes(axis, a.ndim, "mean")
    # a mean over no axes (axis=(), or a 0-d value given a dtype): no tape entries
    if not axes and where is None and _traced_float(a):
        return a
    if where is not None:
        m = _mask(where, a)
        s = bind(_psum, (where_(m, a, 0.0),), {"axis": axes, "keepdims": bool(keepdims)})
        return s / _count(m, axes, bool(keepdims), a)
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    s = bind(_psum, (a,), {"axis": axes, "keepdims": bool(keepdims)})
    if np.issubdtype(plain(s).dtype, np.integer):
        return s / n
    return s * (1.0 / n) if n else s / n


public(_NS, "mean", "composite", mean)
_mean = mean                 # var's keyword ``mean=`` shadows the function there


# ------------------------------------------------------------------ max and min
def _max_weights(ans, x, axis, keepdims):
    """Where the extreme value sits: 1 / (number of ties) there, 0 elsewhere, in x's
    floating dtype (a float64 weight would turn a float32 pass into float64)."""
    a = ans if keepdims else expand_dims_(ans, axis)
    mask = np.equal(plain(x), plain(a))                       # ties share the derivative
    w = mask / np.sum(mask, axis=axis, keepdims=True)
    dt = plain(x).dtype
    return w.astype(dt) if dt.kind == "f" else w


def _max_vjp(g, ans, x, axis, keepdims):
    batch = batch_of(g, ans)
    gg = g if keepdims else expand_dims_(g, axis)
    return broadcast_to_(gg, batch + x.shape) * _max_weights(ans, x, axis, keepdims)


def _max_jvp(t, ans, x, axis, keepdims):
    return _sum(t * _max_weights(ans, x, axis, keepdims), axis, keepdims)


_pmax = Primitive("max", lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
                  vjp_rules=[_max_vjp], jvp_rules=[_max_jvp], family=_FAM)
_pmin = Primitive("min", lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
                  vjp_rules=[_max_vjp], jvp_rules=[_max_jvp], family=_FAM)


def _extremum(name, prim, pair, a, axis, out, keepdims, initial, where):
    """max / min with NumPy's ``initial=`` and ``where=`` (masked entries and ``initial``
    join the comparison as constants; ties follow ``maximum``'s convention)."""
    _check_out(name, out)
    if (initial is not None or where is not None) and not holds_tracer(a):
        return getattr(np, name)(a, axis=axis, keepdims=keepdims,
                                 **_extra(initial=initial, where=where))
    if type(a) in (list, tuple):
        a = as_traced(a)
    if where is not None:
        if initial is None:
            raise ValueError(f"chainrule.numpy.{name}: a where= mask needs initial= (the "
                             f"value of an empty selection)")
        a = asarray(a)
        a = where_(_mask(where, a), a, initial)
    r = bind(prim, (a,), {"axis": norm_axes(axis, np.ndim(plain(a)), name),
                          "keepdims": bool(keepdims)})
    return r if initial is None else pair(r, initial)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Differentiable ``numpy.max``; tied maxima share the derivative equally.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.max(x))(np.array([1.0, 3.0, 2.0]))
    array([0., 1., 0.])
    """
    return _extremum("max", _pmax, maximum_, a, axis, out, keepdims, initial, where)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Differentiable ``numpy.min``; tied minima share the derivative equally.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.min(x))(np.array([1.0, 3.0, 2.0]))
    array([1., 0., 0.])
    """
    return _extremum("min", _pmin, minimum_, a, axis, out, keepdims, initial, where)


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


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Differentiable ``numpy.prod``; exact derivatives also where entries are 0.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.prod(x))(np.array([2.0, 0.0, 4.0]))
    array([0., 8., 0.])
    """
    _check_out("prod", out)
    if not holds_tracer(a):              # NumPy's own result (a scalar, not a 0-d array)
        return np.prod(a, axis=axis, dtype=dtype, keepdims=keepdims,
                       **_extra(initial=initial, where=where))
    if initial is not None or where is not None:
        a = asarray(a)
        if where is not None:
            a = where_(_mask(where, a), a, 1.0)
        r = prod(a, axis=axis, dtype=dtype, keepdims=keepdims)
        return r if initial is None else r * initial
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
    size = 1
    for ax in axes:
        size *= a.shape[ax]
    flat = reshape_(moved, lead + (size,))            # explicit: -1 is ambiguous at size 0
    if flat.shape[-1] == 0:
        r = np.ones(lead, dtype=plain(a).dtype)
    else:
        r = getitem_(_cumprod(flat, -1), (Ellipsis, -1))
    if keepdims:
        r = reshape_(r, tuple(1 if ax - nd in axes else s for ax, s in enumerate(a.shape)))
    return r


public(_NS, "prod", "composite", prod)


# ------------------------------------------------------------------ var and std
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        mean=None, correction=None):
    """Differentiable ``numpy.var`` (also ``where=``, a given ``mean=`` and
    ``correction=``, NumPy 2's name for ``ddof``).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.var([1.0, 2.0, 3.0, 4.0]))
    1.25
    """
    _check_out("var", out)
    if correction is not None:
        ddof = correction
    if (where is not None or mean is not None) and not holds_tracer([a, mean]):
        return np.var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
                      **_extra(where=where, mean=mean))
    a = asarray(a) if not hasattr(a, "ndim") else a
    if dtype is not None:
        a = astype(a, dtype)
    axes = norm_axes(axis, a.ndim, "var")
    if mean is None:
        mean = _mean(a, axis=axes, keepdims=True, where=where)
    d = a - mean
    if where is not None:
        m = _mask(where, a)
        return (_sum(where_(m, d * d, 0.0), axes, bool(keepdims))
                / (_count(m, axes, bool(keepdims), a) - ddof))
    n = 1
    for ax in axes:
        n *= a.shape[ax]
    return _sum(d * d, axes, bool(keepdims)) / (n - ddof)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        mean=None, correction=None):
    """Differentiable ``numpy.std`` (the derivative is infinite where the spread of two or
    more values is 0; over a single value the std is the constant 0, derivative 0).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.std([1.0, 3.0]))
    1.0
    """
    ddof = ddof if correction is None else correction
    v = var(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims, where=where,
            mean=mean)
    if not holds_tracer([a, mean]):
        return np.sqrt(v)
    a = asarray(a) if not hasattr(a, "ndim") else a
    axes = norm_axes(axis, a.ndim, "std")
    ones = np.ones(a.shape, dtype=bool) if where is None else _mask(where, a)
    single = np.sum(ones, axis=axes, keepdims=bool(keepdims)) == 1
    if ddof != 0 or not single.any():
        return sqrt_(v)
    # over a single value the variance is identically 0: keep it (derivative 0) instead
    # of sqrt's infinite slope times a zero tangent
    return where_(single, v, sqrt_(where_(single, 1.0, v)))


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
    a = as_traced(a)
    if np.asarray(plain(a)).dtype.kind in "fc":     # integers have no NaN: keep their dtype
        a = where_(np.isnan(plain(a)), 0.0, a)
    return sum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Differentiable ``numpy.nanmean``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> float(cnp.nanmean([1.0, np.nan, 3.0]))
    2.0
    """
    a = as_traced(a)
    keep = ~np.isnan(plain(a))
    if not holds_tracer(a):
        return np.nanmean(a, axis=axis, dtype=dtype, keepdims=keepdims)
    axes = norm_axes(axis, a.ndim, "nanmean")
    return (sum(where_(keep, a, 0.0), axis=axes, dtype=dtype, out=out, keepdims=keepdims)
            / _count(keep, axes, bool(keepdims), a))


public(_NS, "nansum", "composite", nansum)
public(_NS, "nanmean", "composite", nanmean)


# filled in by __init__ to avoid import cycles between families
def _late_imports():
    global expand_dims_, broadcast_to_, flip_, moveaxis_, where_, reshape_, transpose_
    global getitem_, sqrt_, asarray, astype, maximum_, minimum_
    from ._shape import expand_dims as expand_dims_, broadcast_to as broadcast_to_
    from ._shape import flip as flip_, moveaxis as moveaxis_, reshape as reshape_
    from ._shape import transpose as transpose_, asarray, astype
    from ._indexing import getitem as getitem_
    from ._elementwise import where as where_, sqrt as sqrt_
    from ._elementwise import maximum as maximum_, minimum as minimum_
