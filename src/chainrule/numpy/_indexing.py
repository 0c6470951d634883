"""Indexing: ``x[idx]`` (basic, integer-array and boolean) and its transpose, the
scatter-add ``index_add``; take, take_along_axis, sort and friends are built on them.

Batch axes are put in front of an index as full slices. NumPy moves the axes of advanced
(integer or boolean array) indices to the front of the result when they are separated by
a slice, so for such indices the batch axes are moved back into place.
"""
from __future__ import annotations

import numpy as np

from ..core.primitive import Primitive, bind
from ..core.tracer import Tracer
from ._registry import public
from ._util import holds_tracer, norm_axis, plain

_NS = "numpy"
_FAM = "indexing"


def _canon(idx) -> tuple:
    """An index as a tuple of slices, ints, None, Ellipsis and plain ndarrays."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        i = plain(i)
        if isinstance(i, list):
            i = np.asarray(i)
        if isinstance(i, np.ndarray) and i.dtype.kind not in "biu":
            raise IndexError("chainrule.numpy: only integers, slices (`:`), ellipsis "
                             "(`...`), numpy.newaxis (`None`) and integer or boolean arrays "
                             f"are valid indices, got an array of dtype {i.dtype}")
        out.append(i)
    return tuple(out)


def _adv_separated(idx: tuple) -> int:
    """0 if the advanced indices are adjacent (or absent), else the number of result axes
    they produce (NumPy then puts those axes first)."""
    arrays = [i for i in idx if isinstance(i, np.ndarray)]
    if not arrays:
        return 0
    pos = [k for k, i in enumerate(idx)
           if isinstance(i, (np.ndarray, int, np.integer)) and not isinstance(i, bool)]
    if pos[-1] - pos[0] + 1 == len(pos):
        return 0
    shapes = []
    for i in idx:
        if isinstance(i, np.ndarray):
            shapes.append(i.shape if i.dtype != bool else (int(i.sum()),))
    return len(np.broadcast_shapes(*shapes)) or 0


def _batched(idx: tuple, nb: int) -> tuple:
    return (slice(None),) * nb + idx if nb else idx


def _gather(x, idx, nb):
    """``x[batch..., idx]`` with the batch axes kept in front."""
    r = bind(_pgetitem, (x,), {"idx": _batched(idx, nb)})
    k = _adv_separated(idx) if nb else 0
    if k:
        r = moveaxis_(r, tuple(range(k, k + nb)), tuple(range(nb)))
    return r


def _scatter(g, idx, shape, nb):
    """The transpose of :func:`_gather`: add ``g`` into zeros of ``batch + shape``."""
    batch = tuple(g.shape[:nb])
    k = _adv_separated(idx) if nb else 0
    if k:
        g = moveaxis_(g, tuple(range(nb)), tuple(range(k, k + nb)))
    return bind(_pindex_add, (g,), {"idx": _batched(idx, nb), "shape": batch + tuple(shape)})


def _getitem_impl(x, idx):
    return x[idx]


def _index_add_impl(g, idx, shape):
    out = np.zeros(shape, dtype=np.result_type(g, np.float16) if hasattr(g, "dtype")
                   else np.float64)
    np.add.at(out, idx, g)
    return out


_pgetitem = Primitive(
    "getitem", _getitem_impl, family=_FAM,
    vjp_rules=[lambda g, ans, x, idx: _scatter(g, idx, x.shape, g.ndim - ans.ndim)],
    jvp_rules=[lambda t, ans, x, idx: _gather(t, idx, t.ndim - x.ndim)])

_pindex_add = Primitive(
    "index_add", _index_add_impl, family=_FAM,
    vjp_rules=[lambda G, ans, g, idx, shape: _gather(G, idx, G.ndim - ans.ndim)],
    jvp_rules=[lambda t, ans, g, idx, shape: _scatter(t, idx, shape, t.ndim - g.ndim)])


def getitem(x, idx):
    """``x[idx]``: basic slicing, integer-array and boolean-mask indexing, differentiable.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.sum(x[np.array([0, 0, 2])]))(np.ones(3))
    array([2., 0., 1.])
    """
    idx = _canon(idx)
    if not isinstance(x, Tracer):
        return _getitem_impl(x, idx)
    return bind(_pgetitem, (x,), {"idx": idx})


def index_add(values, idx, shape):
    """A zeros array of ``shape`` with ``values`` added at ``idx`` (repeated indices
    accumulate, like ``numpy.add.at``); the transpose of indexing.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.index_add(np.array([1.0, 2.0, 3.0]), np.array([0, 2, 0]), (3,))
    array([4., 0., 2.])
    """
    return bind(_pindex_add, (values,), {"idx": _canon(idx), "shape": tuple(shape)})


public(_NS, "getitem", "primitive", getitem, ("getitem",))
public(_NS, "index_add", "primitive", index_add, ("index_add",))


def _int_index(indices):
    """Indices as an integer array (an empty list is an empty integer index, as in NumPy)."""
    ind = np.asarray(plain(indices))
    return ind.astype(np.intp) if ind.size == 0 and ind.dtype.kind == "f" else ind


def take(a, indices, axis=None, mode=None):
    """Differentiable ``numpy.take``.

    >>> import chainrule.numpy as cnp
    >>> cnp.take([1.0, 2.0, 3.0], [2, 0])
    array([3., 1.])
    """
    a = asarray_(a)
    ind = _int_index(indices)
    if mode == "wrap":
        ind = ind % (a.size if axis is None else a.shape[axis])
    elif mode == "clip":
        ind = np.clip(ind, 0, (a.size if axis is None else a.shape[axis]) - 1)
    if axis is None:
        return getitem(reshape_(a, (-1,)), ind)
    ax = norm_axis(axis, a.ndim, "take")
    return getitem(a, (Ellipsis, ind) + (slice(None),) * (-ax - 1))


def _along_axis_index(shape, indices, axis):
    """The full advanced index equivalent to ``take_along_axis(arr, indices, axis)``."""
    nd = len(shape)
    ax = axis % nd
    out = []
    for d in range(nd):
        if d == ax:
            out.append(indices)
        else:
            sh = [1] * nd
            sh[d] = shape[d]
            out.append(np.arange(shape[d]).reshape(sh))
    return tuple(out)


def take_along_axis(arr, indices, axis=-1):
    """Differentiable ``numpy.take_along_axis``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.take_along_axis(np.array([[3.0, 1.0]]), np.array([[1, 0]]), axis=1)
    array([[1., 3.]])
    """
    arr = asarray_(arr)
    ind = _int_index(indices)
    if axis is None:
        return getitem(reshape_(arr, (-1,)), ind)
    if ind.ndim != arr.ndim:
        raise ValueError("chainrule.numpy.take_along_axis: indices and arr must have the "
                         "same number of dimensions")
    return getitem(arr, _along_axis_index(arr.shape, ind, int(axis)))


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """Differentiable ``numpy.sort``: the derivative follows each element to its place.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.grad(lambda x: cnp.sort(x)[0])(np.array([3.0, 1.0, 2.0]))
    array([0., 1., 0.])
    """
    a = asarray_(a)
    if axis is None:
        a = reshape_(a, (-1,))
        axis = -1
    order_ = np.argsort(plain(a), axis=axis, kind=kind or "stable")
    return take_along_axis(a, order_, axis)


def compress(condition, a, axis=None):
    """Differentiable ``numpy.compress``.

    >>> import chainrule.numpy as cnp
    >>> cnp.compress([True, False, True], [1.0, 2.0, 3.0])
    array([1., 3.])
    """
    a = asarray_(a)
    cond = np.asarray(plain(condition), dtype=bool)
    if axis is None:
        return getitem(reshape_(a, (-1,)), np.nonzero(cond)[0])
    ax = norm_axis(axis, a.ndim, "compress")
    return getitem(a, (Ellipsis, np.nonzero(cond)[0]) + (slice(None),) * (-ax - 1))


def extract(condition, arr):
    """Differentiable ``numpy.extract``.

    >>> import chainrule.numpy as cnp
    >>> cnp.extract([True, False], [1.0, 2.0])
    array([1.])
    """
    return getitem(reshape_(asarray_(arr), (-1,)),
                   np.nonzero(np.ravel(plain(condition)))[0])


def select(condlist, choicelist, default=0):
    """Differentiable ``numpy.select`` (differentiable in the choices and the default).

    >>> import chainrule.numpy as cnp, numpy as np
    >>> x = np.array([-1.0, 2.0])
    >>> cnp.select([x < 0, x > 0], [x * 10, x * 100])
    array([-10., 200.])
    """
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        out = where_(plain(cond), choice, out)
    return out


def piecewise(x, condlist, funclist, *args, **kw):
    """Differentiable ``numpy.piecewise`` (each function is applied to the whole input and
    masked, so keep them finite everywhere).

    >>> import chainrule.numpy as cnp, numpy as np
    >>> x = np.array([-2.0, 3.0])
    >>> cnp.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v * v])
    array([2., 9.])
    """
    x = asarray_(x)
    condlist = [np.asarray(plain(c), dtype=bool) for c in
                (condlist if isinstance(condlist, (list, tuple)) else [condlist])]
    if len(funclist) == len(condlist) + 1:
        condlist.append(~np.any(condlist, axis=0))
    out = np.zeros(x.shape, dtype=plain(x).dtype)
    for cond, fn in zip(condlist, funclist):
        val = fn(x, *args, **kw) if callable(fn) else fn
        out = where_(cond, val, out)
    if not isinstance(out, Tracer) and out.dtype != plain(x).dtype:
        out = out.astype(plain(x).dtype)             # NumPy's output has x's dtype
    return out


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           **kw):
    """Differentiable ``numpy.unique``: each unique value is an entry of ``ar``, and its
    derivative goes to the first occurrence (indices, inverse and counts are constants).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cnp.unique([3.0, 1.0, 3.0])
    array([1., 3.])
    >>> cr.grad(lambda x: cnp.sum(cnp.unique(x) * np.array([1.0, 10.0])))(np.array([3.0, 1.0, 3.0]))
    array([10.,  1.,  0.])
    """
    ar = asarray_(ar)
    if not isinstance(ar, Tracer):
        return np.unique(ar, return_index, return_inverse, return_counts, axis, **kw)
    res = np.unique(plain(ar), True, return_inverse, return_counts, axis, **kw)
    values = take(ar, res[1], axis=axis)
    out = (values,) + res[1 if return_index else 2:]
    return out if len(out) > 1 else values


def bincount(x, weights=None, minlength=0):
    """Differentiable ``numpy.bincount``: the weighted counts are sums of ``weights``, so
    they differentiate in ``weights`` (``x`` is an integer constant).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cnp.bincount([0, 2, 2])
    array([1, 0, 2])
    >>> cr.jacrev(lambda w: cnp.bincount(np.array([0, 2, 2]), weights=w))(np.ones(3))
    array([[1., 0., 0.],
           [0., 0., 0.],
           [0., 1., 1.]])
    """
    idx = np.asarray(plain(x))
    if not holds_tracer(weights):
        return np.bincount(idx, weights=weights, minlength=minlength)
    n = len(np.bincount(idx, minlength=minlength))       # NumPy's checks and length
    return index_add(asarray_(weights), idx, (n,))


for _n, _f in (("take", take), ("take_along_axis", take_along_axis), ("sort", sort),
               ("compress", compress), ("extract", extract), ("select", select),
               ("piecewise", piecewise), ("unique", unique), ("bincount", bincount)):
    public(_NS, _n, "composite", _f)


def _late_imports():
    global moveaxis_, asarray_, reshape_, where_
    from ._shape import moveaxis as moveaxis_, asarray as asarray_, reshape as reshape_
    from ._elementwise import where as where_
