"""Shape manipulation: reshape, transpose, broadcast, flip, concatenate and the functions
built from them (stack, split, tile, repeat, pad, roll, tril, ...).

The primitives here are linear, so each rule is the primitive (or its inverse) applied to
the tangent or cotangent, with the batch axes kept in front.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..core.primitive import Primitive, bind
from ..core.tracer import Tracer
from ._registry import public
from ._util import as_traced, batch_of, norm_axes, norm_axis, plain, holds_tracer

_NS = "numpy"
_FAM = "shape"


def _nb(t, x) -> int:
    return t.ndim - x.ndim


# ----------------------------------------------------------------------- reshape
_preshape = Primitive(
    "reshape", lambda x, shape: np.reshape(x, shape), family=_FAM,
    vjp_rules=[lambda g, ans, x, shape: _reshape(g, batch_of(g, ans) + x.shape)],
    jvp_rules=[lambda t, ans, x, shape: _reshape(t, t.shape[:_nb(t, x)] + ans.shape)])


def _reshape(x, shape):
    if x.shape == shape:
        return x
    return bind(_preshape, (x,), {"shape": shape})


def _resolve_shape(size: int, shape, name="reshape") -> tuple:
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise ValueError(f"chainrule.numpy.{name}: can only specify one unknown dimension")
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or size % known:
            raise ValueError(f"chainrule.numpy.{name}: cannot reshape array of size {size} "
                             f"into shape {shape}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    n = 1
    for s in shape:
        n *= s
    if n != size:
        raise ValueError(f"chainrule.numpy.{name}: cannot reshape array of size {size} into "
                         f"shape {shape}")
    return shape


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    """Differentiable ``numpy.reshape`` (orders 'C', 'F' and 'A').

    >>> import chainrule.numpy as cnp
    >>> cnp.reshape(cnp.arange(6.0), (2, 3)).shape
    (2, 3)
    >>> cnp.reshape(cnp.arange(4.0), (2, 2), order="F")
    array([[0., 2.],
           [1., 3.]])
    """
    if shape is None:
        shape = newshape
    a = asarray(a)
    if _fortran(a, order, "reshape"):
        # Fortran order is C order on the reversed axes
        rev = tuple(range(a.ndim))[::-1]
        shape = _resolve_shape(a.size, shape)
        r = _reshape(_transpose(a, rev), shape[::-1])
        return _transpose(r, tuple(range(r.ndim))[::-1])
    return _reshape(a, _resolve_shape(a.size, shape))


def _fortran(a, order, name) -> bool:
    """Whether ``order`` asks for Fortran index order for ``a`` ('A': as its memory)."""
    if order in ("C", None):
        return False
    if order == "F":
        return True
    if order in ("A", "K"):
        flags = getattr(plain(a), "flags", None)
        return bool(flags is not None and flags.f_contiguous and not flags.c_contiguous)
    raise ValueError(f"chainrule.numpy.{name}: order must be one of 'C', 'F', 'A' "
                     f"(got {order!r})")


public(_NS, "reshape", "primitive", reshape, ("reshape",))


def ravel(a, order="C"):
    """Differentiable ``numpy.ravel``.

    >>> import chainrule.numpy as cnp
    >>> cnp.ravel([[1.0, 2.0], [3.0, 4.0]])
    array([1., 2., 3., 4.])
    """
    if not _has_tracer([a]):
        return np.ravel(a, order)
    return reshape(a, (-1,), order)


def expand_dims(a, axis):
    """Differentiable ``numpy.expand_dims``.

    >>> import chainrule.numpy as cnp
    >>> cnp.expand_dims(cnp.ones(3), 0).shape
    (1, 3)
    """
    a = asarray(a)
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    nd = a.ndim + len(axis)
    axes = {ax + nd if ax < 0 else ax for ax in axis}
    it = iter(a.shape)
    return _reshape(a, tuple(1 if i in axes else next(it) for i in range(nd)))


def squeeze(a, axis=None):
    """Differentiable ``numpy.squeeze``.

    >>> import chainrule.numpy as cnp
    >>> cnp.squeeze(cnp.ones((1, 3, 1))).shape
    (3,)
    """
    a = asarray(a)
    if axis is None:
        axes = tuple(i for i, s in enumerate(a.shape) if s == 1)
    else:
        axes = tuple(ax % a.ndim for ax in norm_axes(axis, a.ndim, "squeeze"))
        for ax in axes:
            if a.shape[ax] != 1:
                raise ValueError("chainrule.numpy.squeeze: cannot select an axis to squeeze "
                                 "out which has size not equal to one")
    return _reshape(a, tuple(s for i, s in enumerate(a.shape) if i not in axes))


for _n, _f in (("ravel", ravel), ("expand_dims", expand_dims), ("squeeze", squeeze)):
    public(_NS, _n, "composite", _f)


def atleast_1d(*arys):
    """Differentiable ``numpy.atleast_1d``.

    >>> import chainrule.numpy as cnp
    >>> cnp.atleast_1d(1.0).shape
    (1,)
    """
    res = [reshape(a, (1,)) if a.ndim == 0 else a for a in map(asarray, arys)]
    return res[0] if len(res) == 1 else res


def atleast_2d(*arys):
    """Differentiable ``numpy.atleast_2d``.

    >>> import chainrule.numpy as cnp
    >>> cnp.atleast_2d([1.0, 2.0]).shape
    (1, 2)
    """
    res = []
    for a in arys:
        a = asarray(a)
        res.append(a if a.ndim >= 2 else reshape(a, (1, -1) if a.ndim else (1, 1)))
    return res[0] if len(res) == 1 else res


def atleast_3d(*arys):
    """Differentiable ``numpy.atleast_3d``.

    >>> import chainrule.numpy as cnp
    >>> cnp.atleast_3d([1.0, 2.0]).shape
    (1, 2, 1)
    """
    res = []
    for a in arys:
        a = asarray(a)
        if a.ndim == 0:
            a = reshape(a, (1, 1, 1))
        elif a.ndim == 1:
            a = reshape(a, (1, -1, 1))
        elif a.ndim == 2:
            a = expand_dims(a, -1)
        res.append(a)
    return res[0] if len(res) == 1 else res


for _n, _f in (("atleast_1d", atleast_1d), ("atleast_2d", atleast_2d),
               ("atleast_3d", atleast_3d)):
    public(_NS, _n, "composite", _f)


# --------------------------------------------------------------------- transpose
def _perm_batched(axes, nb):
    return tuple(range(nb)) + tuple(nb + a for a in axes)


def _inverse_perm(axes):
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a] = i
    return tuple(inv)


_ptranspose = Primitive(
    "transpose", lambda x, axes: np.transpose(x, axes), family=_FAM,
    vjp_rules=[lambda g, ans, x, axes: _transpose(g, _perm_batched(_inverse_perm(axes),
                                                                     _nb(g, ans)))],
    jvp_rules=[lambda t, ans, x, axes: _transpose(t, _perm_batched(axes, _nb(t, x)))])


def _transpose(x, axes):
    if axes == tuple(range(len(axes))):
        return x
    return bind(_ptranspose, (x,), {"axes": axes})


def transpose(a, axes=None):
    """Differentiable ``numpy.transpose``.

    >>> import chainrule.numpy as cnp
    >>> cnp.transpose(cnp.ones((2, 3))).shape
    (3, 2)
    """
    a = asarray(a)
    nd = a.ndim
    if axes is None:
        axes = tuple(range(nd))[::-1]
    else:
        axes = tuple(int(ax) % nd if nd else int(ax) for ax in axes)
        if sorted(axes) != list(range(nd)):
            raise ValueError(f"chainrule.numpy.transpose: axes {axes} don't match an array "
                             f"of dimension {nd}")
    return _transpose(a, axes)


public(_NS, "transpose", "primitive", transpose, ("transpose",))


def swapaxes(a, axis1, axis2):
    """Differentiable ``numpy.swapaxes``.

    >>> import chainrule.numpy as cnp
    >>> cnp.swapaxes(cnp.ones((2, 3, 4)), 0, 2).shape
    (4, 3, 2)
    """
    a = asarray(a)
    perm = list(range(a.ndim))
    i, j = int(axis1) % a.ndim, int(axis2) % a.ndim
    perm[i], perm[j] = perm[j], perm[i]
    return _transpose(a, tuple(perm))


def moveaxis(a, source, destination):
    """Differentiable ``numpy.moveaxis``.

    >>> import chainrule.numpy as cnp
    >>> cnp.moveaxis(cnp.ones((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    a = asarray(a)
    nd = a.ndim
    src = [int(s) % nd for s in np.atleast_1d(source)]
    dst = [int(d) % nd for d in np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError("chainrule.numpy.moveaxis: source and destination must have the "
                         "same number of elements")
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _transpose(a, tuple(order))


def matrix_transpose(x):
    """Differentiable ``numpy.matrix_transpose``: swap the last two axes.

    >>> import chainrule.numpy as cnp
    >>> cnp.matrix_transpose(cnp.ones((5, 2, 3))).shape
    (5, 3, 2)
    """
    return swapaxes(x, -1, -2)


for _n, _f in (("swapaxes", swapaxes), ("moveaxis", moveaxis),
               ("matrix_transpose", matrix_transpose)):
    public(_NS, _n, "composite", _f)


# ------------------------------------------------------------------ broadcast_to
_pbroadcast = Primitive(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape), family=_FAM,
    vjp_rules=[lambda g, ans, x, shape: g],          # summed back centrally
    jvp_rules=[lambda t, ans, x, shape: _broadcast_t(t, x, shape)])


def _broadcast_t(t, x, shape):
    nb = _nb(t, x)
    if nb:
        t = _reshape(t, t.shape[:nb] + (1,) * (len(shape) - x.ndim) + x.shape)
    return broadcast_to(t, t.shape[:nb] + tuple(shape))


def broadcast_to(array, shape):
    """Differentiable ``numpy.broadcast_to`` (returns a read-only view when untraced).

    >>> import chainrule.numpy as cnp
    >>> cnp.broadcast_to([1.0, 2.0], (3, 2)).shape
    (3, 2)
    """
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(shape)
    array = as_traced(array)
    if not isinstance(array, Tracer):
        return np.broadcast_to(array, shape)
    if array.shape == shape:
        return array
    return bind(_pbroadcast, (array,), {"shape": shape})


public(_NS, "broadcast_to", "primitive", broadcast_to, ("broadcast_to",))


def broadcast_arrays(*args):
    """Differentiable ``numpy.broadcast_arrays``.

    >>> import chainrule.numpy as cnp
    >>> [a.shape for a in cnp.broadcast_arrays(cnp.ones(3), cnp.ones((2, 1)))]
    [(2, 3), (2, 3)]
    """
    args = [asarray(a) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in args))
    return [broadcast_to(a, shape) for a in args]


public(_NS, "broadcast_arrays", "composite", broadcast_arrays)


# ----------------------------------------------------------------------- astype
def _astype_impl(x, dtype):
    return x.astype(dtype) if hasattr(x, "astype") else np.asarray(x, dtype=dtype)


_pastype = Primitive(
    "astype", _astype_impl, family=_FAM,
    vjp_rules=[lambda g, ans, x, dtype: astype(g, x.dtype)],
    jvp_rules=[lambda t, ans, x, dtype: astype(t, dtype)])


def astype(x, dtype, /, *, copy=True):
    """Differentiable ``x.astype(dtype)``; a cast to a non-float type is a constant.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.astype(cnp.ones(2), np.float32).dtype
    dtype('float32')
    """
    dtype = np.dtype(dtype)
    if not isinstance(x, Tracer):
        return _astype_impl(x, dtype)
    if dtype.kind not in "fc":
        return _astype_impl(plain(x), dtype)
    if x.dtype == dtype:
        return x
    return bind(_pastype, (x,), {"dtype": dtype})


public(_NS, "astype", "primitive", astype, ("astype",))


def asarray(a, dtype=None, order=None, *, like=None):
    """``numpy.asarray`` that keeps traced values (and lists of them) traced.

    >>> import chainrule.numpy as cnp
    >>> cnp.asarray([1.0, 2.0])
    array([1., 2.])
    """
    if isinstance(a, Tracer):
        return a if dtype is None else astype(a, dtype)
    if isinstance(a, (list, tuple)) and _has_tracer(a):
        out = stack([asarray(v) for v in a])
        return out if dtype is None else astype(out, dtype)
    return np.asarray(a, dtype=dtype)


def array(object, dtype=None, *, copy=True, ndmin=0):
    """``numpy.array`` that keeps traced values (and nested lists of them) traced.

    >>> import chainrule.numpy as cnp
    >>> cnp.array([[1.0, 2.0]]).shape
    (1, 2)
    """
    if isinstance(object, Tracer) or (isinstance(object, (list, tuple))
                                      and _has_tracer(object)):
        out = asarray(object, dtype)
        while out.ndim < ndmin:
            out = expand_dims(out, 0)
        return out
    return np.array(object, dtype=dtype, copy=copy, ndmin=ndmin)


def _has_tracer(seq) -> bool:
    return any(holds_tracer(v) for v in seq)


def copy(a, order="K"):
    """Differentiable ``numpy.copy`` (a traced value is immutable: returned as is).

    >>> import chainrule.numpy as cnp
    >>> cnp.copy([1.0])
    array([1.])
    """
    a = as_traced(a)
    return a if isinstance(a, Tracer) else np.array(a, copy=True)


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    """``numpy.full_like``, differentiable in ``fill_value`` (``a`` gives only the shape
    and dtype). With a constant fill value the result is a plain array.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cnp.full_like([1.0, 2.0], 3.0)
    array([3., 3.])
    >>> float(cr.grad(lambda c: cnp.sum(cnp.full_like(np.ones(3), c)))(2.0))
    3.0
    """
    base = plain(a) if isinstance(a, Tracer) else _strip_list(a)
    if not isinstance(fill_value, Tracer):
        return np.full_like(base, fill_value, dtype, order, subok, shape)
    dt = np.dtype(dtype) if dtype is not None else np.asarray(base).dtype
    shp = np.shape(base) if shape is None else shape
    if dt.kind not in "fc":                       # an integer result is a constant
        return np.full_like(base, plain(fill_value), dt, order, subok, shape)
    return broadcast_to(astype(fill_value, dt), shp)


def _strip_list(a):
    if isinstance(a, (list, tuple)):
        return type(a)(_strip_list(v) for v in a)
    return plain(a)


for _n, _f in (("asarray", asarray), ("array", array), ("copy", copy),
               ("asanyarray", asarray), ("full_like", full_like)):
    public(_NS, _n, "composite", _f)
asanyarray = asarray


# --------------------------------------------------------------------------- flip
_pflip = Primitive(
    "flip", lambda x, axis: np.flip(x, axis), family=_FAM,
    vjp_rules=[lambda g, ans, x, axis: _flip(g, axis)],
    jvp_rules=[lambda t, ans, x, axis: _flip(t, axis)])


def _flip(x, axis):
    return bind(_pflip, (x,), {"axis": axis})


def flip(m, axis=None):
    """Differentiable ``numpy.flip``.

    >>> import chainrule.numpy as cnp
    >>> cnp.flip([1.0, 2.0, 3.0])
    array([3., 2., 1.])
    """
    m = asarray(m)
    return _flip(m, norm_axes(axis, m.ndim, "flip"))


def fliplr(m):
    """Differentiable ``numpy.fliplr``.

    >>> import chainrule.numpy as cnp
    >>> cnp.fliplr([[1.0, 2.0]])
    array([[2., 1.]])
    """
    return flip(m, 1)


def flipud(m):
    """Differentiable ``numpy.flipud``.

    >>> import chainrule.numpy as cnp
    >>> cnp.flipud([[1.0], [2.0]])
    array([[2.],
           [1.]])
    """
    return flip(m, 0)


public(_NS, "flip", "primitive", flip, ("flip",))
public(_NS, "fliplr", "composite", fliplr)
public(_NS, "flipud", "composite", flipud)


def rot90(m, k=1, axes=(0, 1)):
    """Differentiable ``numpy.rot90``.

    >>> import chainrule.numpy as cnp
    >>> cnp.rot90([[1.0, 2.0], [3.0, 4.0]])
    array([[2., 4.],
           [1., 3.]])
    """
    m = asarray(m)
    k %= 4
    a0, a1 = axes
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    perm = list(range(m.ndim))
    perm[a0 % m.ndim], perm[a1 % m.ndim] = perm[a1 % m.ndim], perm[a0 % m.ndim]
    if k == 1:
        return transpose(flip(m, a1), perm)
    return flip(transpose(m, perm), a1)


public(_NS, "rot90", "composite", rot90)


# -------------------------------------------------------------------- concatenate
def _concat_impl(*xs, axis):
    return np.concatenate(xs, axis=axis)


def _concat_vjp(i):
    def rule(g, ans, *xs, axis):
        start = 0
        for x in xs[:i]:
            start += x.shape[axis]
        stop = start + xs[i].shape[axis]
        idx = (Ellipsis, slice(start, stop)) + (slice(None),) * (-axis - 1)
        return getitem_(g, idx)
    return rule


def _concat_jvp(tangents, ans, *xs, axis):
    pos = next(i for i, t in enumerate(tangents) if t is not None)
    batch = batch_of(tangents[pos], xs[pos])
    parts = [t if t is not None else np.zeros(batch + np.shape(plain(x)), dtype=ans.dtype)
             for t, x in zip(tangents, xs)]
    return _concatenate(parts, axis)


class _ConcatRules(tuple):
    """Per-argument VJP rules for any number of arguments."""

    def __getitem__(self, i):
        return _concat_vjp(i)


_pconcat = Primitive("concatenate", _concat_impl, family=_FAM, jvp_all=_concat_jvp)
_pconcat.vjp_rules = _ConcatRules()


def _concatenate(arrays, axis):
    return bind(_pconcat, tuple(arrays), {"axis": axis})


def concatenate(arrays, axis=0, out=None, dtype=None):
    """Differentiable ``numpy.concatenate`` (``axis=None`` flattens first).

    >>> import chainrule.numpy as cnp
    >>> cnp.concatenate([cnp.ones(2), cnp.zeros(1)])
    array([1., 1., 0.])
    """
    if out is not None:
        raise TypeError("chainrule.numpy.concatenate: out= is not supported")
    arrays = [asarray(a) for a in arrays]
    if not arrays:
        raise ValueError("chainrule.numpy.concatenate: need at least one array to concatenate")
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    nd = arrays[0].ndim
    if nd == 0:
        raise ValueError("chainrule.numpy.concatenate: zero-dimensional arrays cannot be "
                         "concatenated")
    res = _concatenate(arrays, norm_axis(axis, nd, "concatenate"))
    return res if dtype is None else astype(res, dtype)


public(_NS, "concatenate", "primitive", concatenate, ("concatenate",))


def stack(arrays, axis=0, out=None, dtype=None):
    """Differentiable ``numpy.stack``.

    >>> import chainrule.numpy as cnp
    >>> cnp.stack([cnp.ones(2), cnp.zeros(2)]).shape
    (2, 2)
    """
    arrays = [asarray(a) for a in arrays]
    if not arrays:
        raise ValueError("chainrule.numpy.stack: need at least one array to stack")
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError("chainrule.numpy.stack: all input arrays must have the same shape")
    nd = arrays[0].ndim + 1
    ax = int(axis) % nd
    return concatenate([expand_dims(a, ax) for a in arrays], ax, out, dtype)


def hstack(tup, dtype=None):
    """Differentiable ``numpy.hstack``.

    >>> import chainrule.numpy as cnp
    >>> cnp.hstack([cnp.ones(2), cnp.zeros(1)]).shape
    (3,)
    """
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if arrs[0].ndim == 1 else 1, dtype=dtype)


def vstack(tup, dtype=None):
    """Differentiable ``numpy.vstack``.

    >>> import chainrule.numpy as cnp
    >>> cnp.vstack([cnp.ones(2), cnp.zeros(2)]).shape
    (2, 2)
    """
    return concatenate([atleast_2d(a) for a in tup], 0, dtype=dtype)


def dstack(tup):
    """Differentiable ``numpy.dstack``.

    >>> import chainrule.numpy as cnp
    >>> cnp.dstack([cnp.ones(2), cnp.zeros(2)]).shape
    (1, 2, 2)
    """
    return concatenate([atleast_3d(a) for a in tup], 2)


def column_stack(tup):
    """Differentiable ``numpy.column_stack``.

    >>> import chainrule.numpy as cnp
    >>> cnp.column_stack([cnp.ones(3), cnp.zeros(3)]).shape
    (3, 2)
    """
    arrs = []
    for a in tup:
        a = asarray(a)
        arrs.append(reshape(a, (-1, 1)) if a.ndim < 2 else a)
    return concatenate(arrs, 1)


def append(arr, values, axis=None):
    """Differentiable ``numpy.append``.

    >>> import chainrule.numpy as cnp
    >>> cnp.append([1.0], [2.0, 3.0])
    array([1., 2., 3.])
    """
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([arr, values], axis)


for _n, _f in (("stack", stack), ("hstack", hstack), ("vstack", vstack), ("dstack", dstack),
               ("column_stack", column_stack), ("append", append)):
    public(_NS, _n, "composite", _f)


# ------------------------------------------------------------------------ split
def _split_points(n, indices_or_sections, name, even):
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError(f"chainrule.numpy.{name}: number sections must be larger than 0")
        if even and n % k:
            raise ValueError(f"chainrule.numpy.{name}: array split does not result in an "
                             f"equal division")
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        pts, acc = [], 0
        for s in sizes[:-1]:
            acc += s
            pts.append(acc)
        return pts
    return [int(i) for i in indices_or_sections]


def _split(ary, indices_or_sections, axis, name, even):
    ary = asarray(ary)
    ax = norm_axis(axis, ary.ndim, name)
    n = ary.shape[ax]
    pts = [0] + _split_points(n, indices_or_sections, name, even) + [n]
    tail = (slice(None),) * (-ax - 1)
    return [getitem_(ary, (Ellipsis, slice(a, builtins.max(a, b))) + tail)
            for a, b in zip(pts[:-1], pts[1:])]


def split(ary, indices_or_sections, axis=0):
    """Differentiable ``numpy.split``.

    >>> import chainrule.numpy as cnp
    >>> [p.shape for p in cnp.split(cnp.ones(6), 3)]
    [(2,), (2,), (2,)]
    """
    return _split(ary, indices_or_sections, axis, "split", True)


def array_split(ary, indices_or_sections, axis=0):
    """Differentiable ``numpy.array_split``.

    >>> import chainrule.numpy as cnp
    >>> [p.shape for p in cnp.array_split(cnp.ones(5), 2)]
    [(3,), (2,)]
    """
    return _split(ary, indices_or_sections, axis, "array_split", False)


def hsplit(ary, indices_or_sections):
    """Differentiable ``numpy.hsplit``.

    >>> import chainrule.numpy as cnp
    >>> [p.shape for p in cnp.hsplit(cnp.ones((2, 4)), 2)]
    [(2, 2), (2, 2)]
    """
    ary = asarray(ary)
    return split(ary, indices_or_sections, 1 if ary.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    """Differentiable ``numpy.vsplit``.

    >>> import chainrule.numpy as cnp
    >>> [p.shape for p in cnp.vsplit(cnp.ones((4, 2)), 2)]
    [(2, 2), (2, 2)]
    """
    return split(ary, indices_or_sections, 0)


for _n, _f in (("split", split), ("array_split", array_split), ("hsplit", hsplit),
               ("vsplit", vsplit)):
    public(_NS, _n, "composite", _f)


# ----------------------------------------- functions built from indexing and where
def _axis_index(arr_ndim, ax, idx):
    """An index tuple selecting ``idx`` (an int array) along negative axis ``ax``."""
    return (Ellipsis, idx) + (slice(None),) * (-ax - 1)


def repeat(a, repeats, axis=None):
    """Differentiable ``numpy.repeat``.

    >>> import chainrule.numpy as cnp
    >>> cnp.repeat([1.0, 2.0], 2)
    array([1., 1., 2., 2.])
    """
    a = asarray(a)
    if axis is None:
        a = ravel(a)
        axis = 0
    ax = norm_axis(axis, a.ndim, "repeat")
    idx = np.repeat(np.arange(a.shape[ax]), repeats)
    return getitem_(a, _axis_index(a.ndim, ax, idx))


def tile(A, reps):
    """Differentiable ``numpy.tile``.

    >>> import chainrule.numpy as cnp
    >>> cnp.tile([1.0, 2.0], 2)
    array([1., 2., 1., 2.])
    """
    A = asarray(A)
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(int(r) for r in reps)
    nd = builtins.max(A.ndim, len(reps))
    A = reshape(A, (1,) * (nd - A.ndim) + A.shape)
    reps = (1,) * (nd - len(reps)) + reps
    for ax in range(nd):
        if reps[ax] != 1:
            idx = np.tile(np.arange(A.shape[ax]), reps[ax])
            A = getitem_(A, _axis_index(nd, ax - nd, idx))
    return A


def roll(a, shift, axis=None):
    """Differentiable ``numpy.roll``.

    >>> import chainrule.numpy as cnp
    >>> cnp.roll([1.0, 2.0, 3.0], 1)
    array([3., 1., 2.])
    """
    a = asarray(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    shifts = np.broadcast_to(shift, np.shape(axis)).ravel() if np.ndim(axis) else [shift]
    axes = np.atleast_1d(axis)
    for s, ax in zip(shifts, axes):
        ax = norm_axis(int(ax), a.ndim, "roll")
        n = a.shape[ax]
        idx = (np.arange(n) - int(s)) % n if n else np.arange(0)
        a = getitem_(a, _axis_index(a.ndim, ax, idx))
    return a


_PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum",
              "reflect", "symmetric", "wrap", "empty")


def pad(array, pad_width, mode="constant", **kwargs):
    """Differentiable ``numpy.pad``, every named mode (not a callable ``mode``);
    differentiable in ``array`` and in ``constant_values`` / ``end_values``. The
    statistic modes (maximum, minimum, median) follow max/min/sort; ``'empty'`` pads
    with zeros when traced (NumPy leaves the values undefined).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cnp.pad([1.0, 2.0], 1)
    array([0., 1., 2., 0.])
    >>> cnp.pad([1.0, 2.0, 4.0], (0, 2), mode="reflect", reflect_type="odd")
    array([1., 2., 4., 6., 7.])
    >>> cr.grad(lambda x: cnp.sum(cnp.pad(x, 2, mode="mean")))(np.array([1.0, 3.0]))
    array([3., 3.])
    """
    if callable(mode) or mode not in _PAD_MODES:
        raise NotImplementedError(f"chainrule.numpy.pad: mode {mode!r} is not supported "
                                  f"(one of {', '.join(_PAD_MODES)})")
    allowed = {"constant": {"constant_values"}, "linear_ramp": {"end_values"},
               "reflect": {"reflect_type"}, "symmetric": {"reflect_type"}}.get(mode, set())
    if mode in ("maximum", "mean", "median", "minimum"):
        allowed = {"stat_length"}
    unknown = set(kwargs) - allowed
    if unknown:
        raise ValueError(f"chainrule.numpy.pad: unsupported keyword arguments for mode "
                         f"{mode!r}: {sorted(unknown)}")
    if not _has_tracer([array] + list(kwargs.values())):
        return np.pad(array, pad_width, mode, **kwargs)       # NumPy's own, dtype and all
    a = asarray(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (a.ndim, 2))
    if (widths < 0).any():
        raise ValueError("chainrule.numpy.pad: index can't contain negative values")
    for ax in range(a.ndim):
        lo, hi = int(widths[ax][0]), int(widths[ax][1])
        if lo or hi:
            a = _pad_axis(a, ax, lo, hi, mode, kwargs)
    return a


def _pad_value(v, ndim, ax, side):
    """Entry ``[ax][side]`` of a per-axis pair value (constant_values, end_values, ...),
    traced when ``v`` is."""
    if _has_tracer([v]):
        return getitem_(broadcast_to(asarray(v), (ndim, 2)), (ax, side))
    return float(np.broadcast_to(np.asarray(v, dtype=float), (ndim, 2))[ax][side])


def _pad_axis(a, ax, lo, hi, mode, kw):
    """Pad negative-free axis ``ax`` of ``a`` by ``lo`` / ``hi`` entries, the way np.pad
    does (axis by axis, earlier axes already padded)."""
    n = a.shape[ax]
    tail = (slice(None),) * (a.ndim - ax - 1)

    def part(sl):
        return getitem_(a, (slice(None),) * ax + (sl,) + tail)

    def block(v, width):
        """``width`` entries along ``ax`` filled with ``v``: a scalar, or a statistic
        with a length-1 axis ``ax``."""
        shp = a.shape[:ax] + (width,) + a.shape[ax + 1:]
        if isinstance(v, Tracer):
            return broadcast_to(astype(v, plain(a).dtype), shp)
        return np.broadcast_to(np.asarray(v, dtype=plain(a).dtype), shp)

    if mode in ("constant", "empty"):
        cv = kw.get("constant_values", 0) if mode == "constant" else 0
        return concatenate([block(_pad_value(cv, a.ndim, ax, 0), lo), a,
                            block(_pad_value(cv, a.ndim, ax, 1), hi)], ax)
    if n == 0:
        raise ValueError(f"chainrule.numpy.pad: can't extend empty axis {ax} using modes "
                         f"other than 'constant' or 'empty'")
    if mode in ("edge", "wrap") or (mode in ("reflect", "symmetric")
                                    and kw.get("reflect_type", "even") == "even") or (
            mode in ("reflect", "symmetric") and n == 1):
        idx = np.pad(np.arange(n), (lo, hi), mode="edge" if n == 1 else mode)
        return getitem_(a, _axis_index(a.ndim, ax - a.ndim, idx))
    if mode in ("reflect", "symmetric"):                   # reflect_type="odd"
        return _pad_odd(a, ax, lo, hi, mode == "symmetric")
    if mode == "linear_ramp":
        ends = [_pad_value(kw.get("end_values", 0), a.ndim, ax, k) for k in (0, 1)]
        shp = [1] * a.ndim
        pieces = []
        for width, edge, end, left in ((lo, part(slice(0, 1)), ends[0], True),
                                       (hi, part(slice(n - 1, n)), ends[1], False)):
            shp[ax] = width
            i = np.arange(width, dtype=float)         # 0 at the outer end of the ramp
            w = ((i if left else width - 1 - i) / builtins.max(width, 1)).astype(
                plain(a).dtype)
            pieces.append(end + (edge - end) * w.reshape(shp))
        return concatenate([pieces[0], a, pieces[1]], ax)
    # statistics of the first / last stat_length entries
    sl = kw.get("stat_length")
    sl = (None, None) if sl is None else np.broadcast_to(np.asarray(sl, dtype=int),
                                                           (a.ndim, 2))[ax]
    nl = n if sl[0] is None else builtins.min(int(sl[0]), n)
    nr = n if sl[1] is None else builtins.min(int(sl[1]), n)
    if mode in ("maximum", "minimum") and (nl == 0 or nr == 0):
        raise ValueError("chainrule.numpy.pad: stat_length of 0 yields no value for padding")
    stat = {"maximum": max_, "minimum": min_, "mean": mean_, "median": _median}[mode]
    left = stat(part(slice(0, nl)), axis=ax, keepdims=True)
    right = left if nl == nr == n else stat(part(slice(n - nr, n)), axis=ax, keepdims=True)
    return concatenate([block(left, lo), a, block(right, hi)], ax)


def _median(x, axis, keepdims):
    s = sort_(x, axis=axis)
    n = s.shape[axis]
    tail = (slice(None),) * (x.ndim - axis - 1)
    mid = getitem_(s, (slice(None),) * axis + (slice((n - 1) // 2, n // 2 + 1),) + tail)
    return mean_(mid, axis=axis, keepdims=keepdims)


def _pad_odd(a, ax, lo, hi, include_edge):
    """np.pad's odd reflection: chunks reflected about the edge value (2 * edge - x),
    repeated until the pad is full, exactly as NumPy iterates."""
    period = a.shape[ax]
    tail = (slice(None),) * (a.ndim - ax - 1)

    def take_ax(x, idx):
        return getitem_(x, (slice(None),) * ax + (idx,) + tail)

    cur = a
    while lo > 0 or hi > 0:
        length = cur.shape[ax]
        if include_edge:
            old, off = length // period * period, 1
        else:
            old, off = (length - 1) // (period - 1) * (period - 1), 0
        if lo > 0:
            c = builtins.min(old, lo)
            chunk = take_ax(cur, np.arange(c - off, -off, -1))
            chunk = 2 * take_ax(cur, slice(0, 1)) - chunk
            cur = concatenate([chunk, cur], ax)
            lo -= c
        if hi > 0:
            c = builtins.min(old, hi)
            m = cur.shape[ax]
            start = m - 2 + off
            chunk = take_ax(cur, np.arange(start, start - c, -1))
            chunk = 2 * take_ax(cur, slice(m - 1, m)) - chunk
            cur = concatenate([cur, chunk], ax)
            hi -= c
    return cur


def tril(m, k=0):
    """Differentiable ``numpy.tril``.

    >>> import chainrule.numpy as cnp
    >>> cnp.tril([[1.0, 2.0], [3.0, 4.0]])
    array([[1., 0.],
           [3., 4.]])
    """
    m = asarray(m)
    mask = np.tri(m.shape[-2], m.shape[-1], k, dtype=bool)
    return where_(mask, m, np.zeros((), plain(m).dtype))


def triu(m, k=0):
    """Differentiable ``numpy.triu``.

    >>> import chainrule.numpy as cnp
    >>> cnp.triu([[1.0, 2.0], [3.0, 4.0]])
    array([[1., 2.],
           [0., 4.]])
    """
    m = asarray(m)
    mask = ~np.tri(m.shape[-2], m.shape[-1], k - 1, dtype=bool)
    return where_(mask, m, np.zeros((), plain(m).dtype))


def diagonal(a, offset=0, axis1=0, axis2=1):
    """Differentiable ``numpy.diagonal`` (the diagonal becomes the last axis).

    >>> import chainrule.numpy as cnp
    >>> cnp.diagonal([[1.0, 2.0], [3.0, 4.0]])
    array([1., 4.])
    """
    a = asarray(a)
    m = moveaxis(a, (axis1, axis2), (-2, -1))
    n1, n2 = m.shape[-2], m.shape[-1]
    rows = np.arange(builtins.max(0, -offset), n1)
    cols = rows + offset
    keep = (cols >= 0) & (cols < n2)
    return getitem_(m, (Ellipsis, rows[keep], cols[keep]))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Differentiable ``numpy.trace``.

    >>> import chainrule.numpy as cnp
    >>> float(cnp.trace([[1.0, 2.0], [3.0, 4.0]]))
    5.0
    """
    return sum_(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype, out=out)


def diag(v, k=0):
    """Differentiable ``numpy.diag``: the diagonal of a matrix, or a matrix from a vector.

    >>> import chainrule.numpy as cnp
    >>> cnp.diag([1.0, 2.0])
    array([[1., 0.],
           [0., 2.]])
    """
    v = asarray(v)
    if not isinstance(v, Tracer):
        return np.diag(v, k)                         # NumPy's dtype (index_add is float)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("chainrule.numpy.diag: input must be 1- or 2-d")
    n = v.shape[0] + builtins.abs(k)
    rows = np.arange(v.shape[0]) + builtins.max(-k, 0)
    cols = np.arange(v.shape[0]) + builtins.max(k, 0)
    return index_add_(v, (rows, cols), (n, n))


def diagflat(v, k=0):
    """Differentiable ``numpy.diagflat``.

    >>> import chainrule.numpy as cnp
    >>> cnp.diagflat([[1.0, 2.0]]).shape
    (2, 2)
    """
    return diag(ravel(v), k)


for _n, _f in (("repeat", repeat), ("tile", tile), ("roll", roll), ("pad", pad),
               ("tril", tril), ("triu", triu), ("diagonal", diagonal), ("trace", trace),
               ("diag", diag), ("diagflat", diagflat)):
    public(_NS, _n, "composite", _f)


def _late_imports():
    global getitem_, where_, sum_, index_add_, max_, min_, mean_, sort_
    from ._indexing import getitem as getitem_, index_add as index_add_, sort as sort_
    from ._elementwise import where as where_
    from ._reductions import sum as sum_, max as max_, min as min_, mean as mean_
