"""More of NumPy, written with the differentiable functions of the other files, so their
derivatives (both modes, any order) follow: differences, convolution, interpolation,
order statistics, NaN-aware reductions, polynomials, integration, covariance and grids.
"""
from __future__ import annotations

import numpy as np

from ._registry import public
from ._util import holds_tracer, norm_axis, plain
from ._elementwise import where, sqrt
from ._reductions import sum, max, min, prod, cumsum, mean
from ._shape import (asarray, concatenate, reshape, moveaxis, expand_dims, broadcast_to,
                     ravel, flip, stack)
from ._indexing import getitem, sort, take_along_axis
from ._products import matmul

_NS = "numpy"


def _numpy_when_plain(np_fn):
    """Call NumPy's own function when nothing is traced, so that plain calls return
    exactly NumPy's result (integer dtypes, NumPy scalars); trace otherwise."""
    def wrap(fn):
        def f(*args, **kw):
            if _has_tracer(args) or _has_tracer(kw.values()):
                return fn(*args, **kw)
            return np_fn(*args, **kw)
        f.__name__ = f.__qualname__ = fn.__name__
        f.__doc__ = fn.__doc__
        f.__wrapped__ = fn
        return f
    return wrap


def _has_tracer(values) -> bool:
    return any(holds_tracer(v) for v in values)


def _along(ax, sl):
    """An index selecting ``sl`` along negative axis ``ax``."""
    return (Ellipsis, sl) + (slice(None),) * (-ax - 1)


@_numpy_when_plain(np.diff)
def diff(a, n=1, axis=-1, prepend=None, append=None):
    """Differentiable ``numpy.diff``.

    >>> import chainrule.numpy as cnp
    >>> cnp.diff([1.0, 4.0, 9.0, 16.0], n=2)
    array([2., 2.])
    """
    a = asarray(a)
    ax = norm_axis(axis, a.ndim, "diff")

    def edge(e):
        e = asarray(e)
        if e.ndim == 0:
            shape = list(a.shape)
            shape[ax] = 1
            e = broadcast_to(e, tuple(shape))
        return e

    if prepend is not None or append is not None:
        seq = (([edge(prepend)] if prepend is not None else []) + [a]
               + ([edge(append)] if append is not None else []))
        a = concatenate(seq, axis=ax)
    for _ in range(n):
        a = getitem(a, _along(ax, slice(1, None))) - getitem(a, _along(ax, slice(None, -1)))
    return a


@_numpy_when_plain(np.ediff1d)
def ediff1d(ary, to_end=None, to_begin=None):
    """Differentiable ``numpy.ediff1d``.

    >>> import chainrule.numpy as cnp
    >>> cnp.ediff1d([1.0, 2.0, 4.0], to_begin=0.0)
    array([0., 1., 2.])
    """
    d = diff(ravel(ary))
    dt = plain(d).dtype

    def edge(e):                                # NumPy casts the ends to the array's dtype
        e = ravel(asarray(e))
        return e if _has_tracer([e]) else np.asarray(e, dtype=dt)

    parts = [edge(to_begin)] if to_begin is not None else []
    parts.append(d)
    if to_end is not None:
        parts.append(edge(to_end))
    return concatenate(parts) if len(parts) > 1 else d


@_numpy_when_plain(np.convolve)
def convolve(a, v, mode="full"):
    """Differentiable ``numpy.convolve`` (1-D; in both inputs).

    >>> import chainrule.numpy as cnp
    >>> cnp.convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    a, v = asarray(a), asarray(v)
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError("chainrule.numpy.convolve: a and v must be 1-D")
    if a.shape[0] < v.shape[0]:
        a, v = v, a
    n, m = a.shape[0], v.shape[0]
    if m == 0:
        raise ValueError("chainrule.numpy.convolve: v cannot be empty")
    k = np.arange(n + m - 1)[:, None] - np.arange(n)[None, :]     # full[k] = sum_i a_i v_{k-i}
    valid = (k >= 0) & (k < m)
    toeplitz = where(valid, getitem(v, np.clip(k, 0, m - 1)), 0.0)
    full = matmul(toeplitz, a)
    if mode == "full":
        return full
    if mode == "same":
        start = (m - 1) // 2
        return getitem(full, slice(start, start + n))
    if mode == "valid":
        return getitem(full, slice(m - 1, n))
    raise ValueError(f"chainrule.numpy.convolve: mode must be 'full', 'same' or 'valid', "
                     f"got {mode!r}")


@_numpy_when_plain(np.correlate)
def correlate(a, v, mode="valid"):
    """Differentiable ``numpy.correlate`` (real 1-D inputs).

    >>> import chainrule.numpy as cnp
    >>> cnp.correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([3.5])
    """
    a, v = asarray(a), asarray(v)
    if v.shape[0] > a.shape[0]:
        return flip(convolve(flip(a), v, mode))
    return convolve(a, flip(v), mode)


@_numpy_when_plain(np.interp)
def interp(x, xp, fp, left=None, right=None, period=None):
    """Differentiable ``numpy.interp`` (in ``x``, ``xp`` and ``fp``; piecewise linear, so
    the derivative in ``x`` jumps at the knots, where the right-hand segment is used).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.interp(1.5, [1.0, 2.0], [10.0, 20.0]))
    15.0
    """
    if period is not None:
        raise NotImplementedError("chainrule.numpy.interp: period= is not supported")
    x, xp, fp = asarray(x), asarray(xp), asarray(fp)
    xpp = plain(xp)
    n = xpp.shape[0]
    if n < 2:
        return broadcast_to(getitem(fp, 0) if n else 0.0, x.shape) if n else np.interp(
            plain(x), xpp, plain(fp))
    i = np.clip(np.searchsorted(xpp, plain(x), side="right") - 1, 0, n - 2)
    x0, x1 = getitem(xp, i), getitem(xp, i + 1)
    f0, f1 = getitem(fp, i), getitem(fp, i + 1)
    val = f0 + (f1 - f0) * (x - x0) / (x1 - x0)
    lo = getitem(fp, 0) if left is None else left
    hi = getitem(fp, -1) if right is None else right
    xv = plain(x)
    val = where(xv < xpp[0], lo, val)
    return where(xv > xpp[-1], hi, val)


@_numpy_when_plain(np.quantile)
def quantile(a, q, axis=None, method="linear", keepdims=False):
    """Differentiable ``numpy.quantile`` (method 'linear'; in ``a`` and ``q``).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.quantile([1.0, 2.0, 3.0, 4.0], 0.5))
    2.5
    """
    if method != "linear":
        raise NotImplementedError("chainrule.numpy.quantile: only method='linear'")
    a = asarray(a)
    if axis is None:
        src, ax = ravel(a), -1
    else:
        src, ax = a, norm_axis(axis, a.ndim, "quantile")
    s = moveaxis(sort(src, axis=ax), ax, -1)
    n = s.shape[-1]
    qv = asarray(q)
    pos = qv * (n - 1)
    lo = np.clip(np.floor(plain(pos)).astype(int), 0, n - 1)
    hi = np.clip(lo + 1, 0, n - 1)
    frac = pos - lo
    if plain(s).dtype.kind == "f" and not _has_tracer([q]):
        frac = np.asarray(plain(frac), dtype=plain(s).dtype)
    qshape = np.shape(plain(qv))
    lo_v = getitem(s, (Ellipsis, lo.reshape(-1)))               # (..., nq)
    hi_v = getitem(s, (Ellipsis, hi.reshape(-1)))
    fr = reshape(frac, (-1,)) if qshape else frac
    r = lo_v + (hi_v - lo_v) * fr
    r = moveaxis(r, -1, 0) if qshape else getitem(r, (Ellipsis, 0))
    if qshape:
        r = reshape(r, qshape + r.shape[1:])
    if keepdims:
        if axis is None:
            r = reshape(r, qshape + (1,) * a.ndim)
        else:
            r = expand_dims(r, len(qshape) + (ax % a.ndim))
    return r


@_numpy_when_plain(np.percentile)
def percentile(a, q, axis=None, method="linear", keepdims=False):
    """Differentiable ``numpy.percentile`` (method 'linear').

    >>> import chainrule.numpy as cnp
    >>> float(cnp.percentile([1.0, 2.0, 3.0, 4.0], 50))
    2.5
    """
    return quantile(a, asarray(q) / 100.0, axis=axis, method=method, keepdims=keepdims)


@_numpy_when_plain(np.median)
def median(a, axis=None, keepdims=False):
    """Differentiable ``numpy.median`` (the middle element, or the mean of the two).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.median([3.0, 1.0, 2.0]))
    2.0
    """
    return quantile(a, 0.5, axis=axis, keepdims=keepdims)


@_numpy_when_plain(np.nanmax)
def nanmax(a, axis=None, keepdims=False):
    """Differentiable ``numpy.nanmax``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> float(cnp.nanmax([1.0, np.nan, 3.0]))
    3.0
    """
    a = asarray(a)
    return max(where(np.isnan(plain(a)), -np.inf, a), axis=axis, keepdims=keepdims)


@_numpy_when_plain(np.nanmin)
def nanmin(a, axis=None, keepdims=False):
    """Differentiable ``numpy.nanmin``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> float(cnp.nanmin([1.0, np.nan, 3.0]))
    1.0
    """
    a = asarray(a)
    return min(where(np.isnan(plain(a)), np.inf, a), axis=axis, keepdims=keepdims)


@_numpy_when_plain(np.nanprod)
def nanprod(a, axis=None, keepdims=False):
    """Differentiable ``numpy.nanprod``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> float(cnp.nanprod([2.0, np.nan, 3.0]))
    6.0
    """
    a = asarray(a)
    return prod(where(np.isnan(plain(a)), 1.0, a), axis=axis, keepdims=keepdims)


@_numpy_when_plain(np.nancumsum)
def nancumsum(a, axis=None):
    """Differentiable ``numpy.nancumsum``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.nancumsum([1.0, np.nan, 3.0])
    array([1., 1., 4.])
    """
    a = asarray(a)
    return cumsum(where(np.isnan(plain(a)), 0.0, a), axis=axis)


@_numpy_when_plain(np.nan_to_num)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """Differentiable ``numpy.nan_to_num`` (replaced entries get derivative 0).

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.nan_to_num([np.nan, 1.0, np.inf])
    array([0.00000000e+000, 1.00000000e+000, 1.79769313e+308])
    """
    x = asarray(x)
    xv = plain(x)
    big = np.finfo(xv.dtype if xv.dtype.kind == "f" else np.float64).max
    x = where(np.isnan(xv), nan, x)
    x = where(np.isposinf(xv), big if posinf is None else posinf, x)
    return where(np.isneginf(xv), -big if neginf is None else neginf, x)


@_numpy_when_plain(np.polyval)
def polyval(p, x):
    """Differentiable ``numpy.polyval`` (Horner's scheme; in the coefficients and ``x``).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.polyval([1.0, 0.0, -2.0], 3.0))
    7.0
    """
    p, x = asarray(p), asarray(x)
    y = x * 0.0
    for k in range(p.shape[0]):
        y = y * x + getitem(p, k)
    return y


@_numpy_when_plain(np.vander)
def vander(x, N=None, increasing=False):
    """Differentiable ``numpy.vander``.

    >>> import chainrule.numpy as cnp
    >>> cnp.vander([2.0, 3.0], 3)
    array([[4., 2., 1.],
           [9., 3., 1.]])
    """
    x = asarray(x)
    N = x.shape[0] if N is None else int(N)
    powers = np.arange(N) if increasing else np.arange(N)[::-1]
    cols = [x ** float(k) if k else x * 0.0 + 1.0 for k in powers]
    return stack(cols, axis=1) if cols else np.zeros((x.shape[0], 0))


@_numpy_when_plain(np.trapezoid)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Differentiable ``numpy.trapezoid`` (in ``y`` and ``x``).

    >>> import chainrule.numpy as cnp
    >>> float(cnp.trapezoid([1.0, 2.0, 3.0]))
    4.0
    """
    y = asarray(y)
    ax = norm_axis(axis, y.ndim, "trapezoid")
    if x is None:
        d = dx
    else:
        x = asarray(x)
        d = diff(x) if x.ndim == 1 else diff(x, axis=ax)
        if x.ndim == 1 and y.ndim > 1:
            d = reshape(d, (-1,) + (1,) * (-ax - 1))
    mid = (getitem(y, _along(ax, slice(1, None))) + getitem(y, _along(ax, slice(None, -1))))
    return sum(d * mid / 2.0, axis=ax)


@_numpy_when_plain(np.cov)
def cov(m, y=None, rowvar=True, bias=False, ddof=None):
    """Differentiable ``numpy.cov`` (no weights).

    >>> import chainrule.numpy as cnp
    >>> cnp.cov([[1.0, 2.0, 3.0], [2.0, 4.0, 7.0]])
    array([[1.        , 2.5       ],
           [2.5       , 6.33333333]])
    """
    X = asarray(m)
    if X.ndim == 1:
        X = reshape(X, (1, -1))
    if not rowvar and X.shape[0] != 1:
        X = X.T
    if y is not None:
        Y = asarray(y)
        if Y.ndim == 1:
            Y = reshape(Y, (1, -1))
        if not rowvar and Y.shape[0] != 1:
            Y = Y.T
        X = concatenate([X, Y], axis=0)
    n = X.shape[1]
    dd = (0 if bias else 1) if ddof is None else ddof
    Xc = X - mean(X, axis=1, keepdims=True)
    c = matmul(Xc, Xc.T) / (n - dd)
    return reshape(c, ()) if c.shape == (1, 1) else c


@_numpy_when_plain(np.corrcoef)
def corrcoef(x, y=None, rowvar=True):
    """Differentiable ``numpy.corrcoef``.

    >>> import chainrule.numpy as cnp
    >>> cnp.corrcoef([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    c = cov(x, y, rowvar)
    if np.ndim(plain(c)) == 0:
        return c / c
    d = sqrt(getitem(c, (np.arange(c.shape[0]), np.arange(c.shape[0]))))
    return c / expand_dims(d, -1) / expand_dims(d, 0)


@_numpy_when_plain(np.meshgrid)
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Differentiable ``numpy.meshgrid``.

    >>> import chainrule.numpy as cnp
    >>> [g.shape for g in cnp.meshgrid([1.0, 2.0, 3.0], [4.0, 5.0])]
    [(2, 3), (2, 3)]
    """
    xs = [ravel(asarray(x)) for x in xi]
    nd = len(xs)
    shapes = [x.shape[0] for x in xs]
    if indexing == "xy" and nd > 1:
        shapes[0], shapes[1] = shapes[1], shapes[0]
    out = []
    for i, x in enumerate(xs):
        pos = i
        if indexing == "xy" and nd > 1 and i < 2:
            pos = 1 - i
        shp = [1] * nd
        shp[pos] = -1
        g = reshape(x, tuple(shp))
        out.append(g if sparse else broadcast_to(g, tuple(shapes)))
    return out


@_numpy_when_plain(np.vecdot)
def vecdot(x1, x2, /, *, axis=-1):
    """Differentiable ``numpy.vecdot`` (real inputs): the dot product along ``axis``.

    >>> import chainrule.numpy as cnp
    >>> float(cnp.vecdot([1.0, 2.0], [3.0, 4.0]))
    11.0
    """
    return sum(asarray(x1) * asarray(x2), axis=axis)


@_numpy_when_plain(np.matvec)
def matvec(x1, x2, /):
    """Differentiable ``numpy.matvec``: stacked matrix-vector products.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.matvec(np.eye(2), [1.0, 2.0])
    array([1., 2.])
    """
    return getitem(matmul(x1, expand_dims(asarray(x2), -1)), (Ellipsis, 0))


@_numpy_when_plain(np.vecmat)
def vecmat(x1, x2, /):
    """Differentiable ``numpy.vecmat`` (real inputs): stacked vector-matrix products.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.vecmat([1.0, 2.0], np.eye(2))
    array([1., 2.])
    """
    return getitem(matmul(expand_dims(asarray(x1), -2), x2), (Ellipsis, 0, slice(None)))


@_numpy_when_plain(np.cumulative_sum)
def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """Differentiable ``numpy.cumulative_sum``.

    >>> import chainrule.numpy as cnp
    >>> cnp.cumulative_sum([1.0, 2.0, 3.0], include_initial=True)
    array([0., 1., 3., 6.])
    """
    x = asarray(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError("chainrule.numpy.cumulative_sum: axis is required for arrays "
                             "with more than one dimension")
        axis = -1
    c = cumsum(x, axis=axis, dtype=dtype)
    if include_initial:
        ax = norm_axis(axis, x.ndim, "cumulative_sum")
        shape = list(c.shape)
        shape[ax] = 1
        c = concatenate([np.zeros(tuple(shape), dtype=plain(c).dtype), c], axis=ax)
    return c


@_numpy_when_plain(np.real)
def real(val):
    """``numpy.real`` for real-valued inputs (the value itself).

    >>> import chainrule.numpy as cnp
    >>> cnp.real([1.0, 2.0])
    array([1., 2.])
    """
    return asarray(val)


@_numpy_when_plain(np.conj)
def conj(x, /):
    """``numpy.conj`` for real-valued inputs (the value itself).

    >>> import chainrule.numpy as cnp
    >>> cnp.conj([1.0])
    array([1.])
    """
    return asarray(x)


for _f in (diff, ediff1d, convolve, correlate, interp, quantile, percentile, median, nanmax,
           nanmin, nanprod, nancumsum, nan_to_num, polyval, vander, trapezoid, cov, corrcoef,
           meshgrid, vecdot, matvec, vecmat, cumulative_sum, real, conj):
    public(_NS, _f.__name__, "composite", _f)
conjugate = public(_NS, "conjugate", "composite", conj)
