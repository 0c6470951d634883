"""Products: matmul and einsum are primitives; dot, vdot, inner, outer, tensordot, kron
and cross are written with them.

``matmul`` rules handle NumPy's 1-D promotion explicitly, so that they also work when
tangents and cotangents carry leading batch axes. ``einsum`` specs are made explicit
(ellipses expanded into letters) before they reach the primitive; batch axes get fresh
letters.
"""
from __future__ import annotations

import string

import numpy as np

from ..core.primitive import Primitive, bind
from ..core.tracer import Tracer
from ._registry import public
from ._util import as_traced, plain

_NS = "numpy"
_FAM = "products"
_EMPTY: dict = {}


def _swap(x):
    return swapaxes_(x, -1, -2)


# ------------------------------------------------------------------------ matmul
# 1-D operands are promoted as in NumPy; when the other operand is a plain matrix the
# rules use one GEMM over all batch axes ((..., k) @ (k, m)) rather than a stack of
# matrix-vector products, which is what makes batched Jacobians and Hessians fast.
def _mm_vjp_a(g, ans, a, b):
    if type(g) is np.ndarray and type(b) is np.ndarray and b.ndim > 1 and a.ndim > 1:
        return np.matmul(g, b.swapaxes(-1, -2))   # plain matrices (the hot case): NumPy
    if b.ndim == 1:                               # a (..., n, k) or (k,): outer product
        return expand_dims_(g, -1) * b
    if a.ndim == 1:
        if b.ndim == 2:
            return matmul(g, _swap(b))
        return getitem_(matmul(expand_dims_(g, -2), _swap(b)), (Ellipsis, 0, slice(None)))
    return matmul(g, _swap(b))


def _mm_vjp_b(g, ans, a, b):
    if type(g) is np.ndarray and type(a) is np.ndarray and a.ndim > 1 and b.ndim > 1:
        return np.matmul(a.swapaxes(-1, -2), g)   # plain matrices (the hot case): NumPy
    if a.ndim == 1 and b.ndim == 1:
        return expand_dims_(g, -1) * a
    if a.ndim == 1:
        return expand_dims_(a, -1) * expand_dims_(g, -2)
    if b.ndim == 1:
        if a.ndim == 2:
            return matmul(g, a)
        return getitem_(matmul(_swap(a), expand_dims_(g, -1)), (Ellipsis, 0))
    return matmul(_swap(a), g)


def _mm_jvp_a(t, ans, a, b):
    if a.ndim == 1 and b.ndim > 2:        # t was aligned to batch + (1,)*(b.ndim-2) + (k,)
        return getitem_(matmul(expand_dims_(t, -2), b), (Ellipsis, 0, slice(None)))
    return matmul(t, b)


def _mm_jvp_b(t, ans, a, b):
    if b.ndim == 1:
        if a.ndim == 1:
            return matmul(t, a)
        if a.ndim == 2:
            return matmul(t, _swap(a))
        return getitem_(matmul(a, expand_dims_(t, -1)), (Ellipsis, 0))
    return matmul(a, t)


# ``elementwise=True`` asks the forward trace to line up a batched tangent with the
# output's rank (prepending 1s), which is exactly matmul's stack broadcasting.
_pmatmul = Primitive("matmul", np.matmul, vjp_rules=[_mm_vjp_a, _mm_vjp_b],
                     jvp_rules=[_mm_jvp_a, _mm_jvp_b], elementwise=True, family=_FAM)


def matmul(x1, x2, /):
    """Differentiable ``numpy.matmul`` (the ``@`` operator), with NumPy's 1-D promotion
    and stack broadcasting.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> cr.grad(lambda x: cnp.sum(A @ x))(np.ones(2))
    array([4., 6.])
    """
    if type(x1) in (list, tuple) or type(x2) in (list, tuple):     # lists of traced values
        x1, x2 = as_traced(x1), as_traced(x2)
    if isinstance(x1, Tracer):                   # the traced path, without bind's loop
        if isinstance(x2, Tracer):
            if x2._trace is x1._trace:
                return x1._trace.process2(_pmatmul, x1, x2)
            if x2._level > x1._level:
                return x2._trace.process(_pmatmul, (x1, x2), _EMPTY)
        return x1._trace.process(_pmatmul, (x1, x2), _EMPTY)
    if isinstance(x2, Tracer):
        return x2._trace.process(_pmatmul, (x1, x2), _EMPTY)
    return _pmatmul.impl(x1, x2)


_pmatmul.fn = matmul
public(_NS, "matmul", "primitive", matmul, ("matmul",))


# ------------------------------------------------------------------------ einsum
_LETTERS = string.ascii_letters


def _parse_einsum(spec: str, shapes) -> tuple[list, str]:
    """Explicit subscripts (ellipses expanded) for operands of the given shapes."""
    spec = spec.replace(" ", "")
    if "->" in spec:
        ins, out = spec.split("->")
        explicit = True
    else:
        ins, out, explicit = spec, None, False
    subs = ins.split(",")
    if len(subs) != len(shapes):
        raise ValueError(f"chainrule.numpy.einsum: {len(subs)} operand subscripts for "
                         f"{len(shapes)} operands")
    used = set(c for c in spec if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    ell_nd = 0
    for s, shp in zip(subs, shapes):
        if "..." in s:
            ell_nd = max(ell_nd, len(shp) - (len(s) - 3))
    ell = "".join(free[:ell_nd])
    new = []
    for s, shp in zip(subs, shapes):
        if "..." in s:
            k = len(shp) - (len(s) - 3)
            s = s.replace("...", ell[ell_nd - k:] if k else "")
        if len(s) != len(shp):
            raise ValueError(f"chainrule.numpy.einsum: subscripts {s!r} do not match an "
                             f"operand of shape {shp}")
        new.append(s)
    if explicit:
        out = out.replace("...", ell)
    else:
        counts = {}
        for s in new:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return new, out


def _fresh(subs, out, n):
    used = set("".join(subs) + out)
    return "".join([c for c in _LETTERS if c not in used][:n])


def _einsum_impl(*ops, subs, out):
    r = np.einsum(",".join(subs) + "->" + out, *ops, optimize=len(ops) > 2)
    # the optimized path returns a 0-d array where NumPy's default returns a scalar
    return r[()] if not out and isinstance(r, np.ndarray) else r


def _einsum_jvp(tangents, ans, *ops, subs, out):
    res = None
    for i, t in enumerate(tangents):
        if t is None:
            continue
        nb = t.ndim - ops[i].ndim
        bl = _fresh(subs, out, nb)
        s = list(subs)
        s[i] = bl + s[i]
        args = list(ops)
        args[i] = t
        r = bind(_peinsum, tuple(args), {"subs": tuple(s), "out": bl + out})
        res = r if res is None else res + r
    return res


def _einsum_vjp(i):
    def rule(g, ans, *ops, subs, out):
        target = subs[i]
        nb = g.ndim - ans.ndim
        bl = _fresh(subs, out, nb)
        # A letter repeated inside operand i ('ii': a diagonal) gets a fresh letter for
        # each repeat, tied to the first by an identity matrix: the cotangent lives on the
        # diagonal and is zero off it.
        fresh = iter(_fresh(subs, out + bl, len(target)))
        renamed, eye_subs, eyes = "", [], []
        for k, c in enumerate(target):
            if c in target[:k]:
                f = next(fresh)
                eye_subs.append(c + f)
                eyes.append(np.eye(ops[i].shape[k], dtype=plain(ans).dtype))
                renamed += f
            else:
                renamed += c
        others = [s for j, s in enumerate(subs) if j != i]
        in_subs = (bl + out,) + tuple(others) + tuple(eye_subs)
        avail = set("".join(in_subs))
        keep = "".join(c for c in renamed if c in avail)
        args = (g,) + tuple(o for j, o in enumerate(ops) if j != i) + tuple(eyes)
        r = bind(_peinsum, args, {"subs": in_subs, "out": bl + keep})
        if keep != renamed:                         # letters summed only inside operand i
            shape = g.shape[:nb] + tuple(ops[i].shape)
            r = reshape_(r, g.shape[:nb] + tuple(ops[i].shape[k] if c in avail else 1
                                                 for k, c in enumerate(renamed)))
            r = broadcast_to_(r, shape)
        return r
    return rule


class _EinsumRules(tuple):
    def __getitem__(self, i):
        return _einsum_vjp(i)


_peinsum = Primitive("einsum", _einsum_impl, jvp_all=_einsum_jvp, family=_FAM)
_peinsum.vjp_rules = _EinsumRules()


def einsum(subscripts, *operands, optimize=False):
    """Differentiable ``numpy.einsum`` (string subscripts, with or without ``->`` and
    ``...``; a repeated index inside an operand, as in ``"ii"``, takes its diagonal).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cnp.einsum("ij,j->i", np.eye(2), np.array([1.0, 2.0]))
    array([1., 2.])
    >>> cr.grad(lambda a: cnp.einsum("ii", a))(np.ones((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
    if not isinstance(subscripts, str):
        raise TypeError("chainrule.numpy.einsum: only string subscripts are supported")
    ops = [asarray_(o) for o in operands]
    subs, out = _parse_einsum(subscripts, [o.shape for o in ops])
    return bind(_peinsum, tuple(ops), {"subs": tuple(subs), "out": out})


public(_NS, "einsum", "primitive", einsum, ("einsum",))


# --------------------------------------------------------------- built from those
def tensordot(a, b, axes=2):
    """Differentiable ``numpy.tensordot``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
    (2, 4)
    """
    a, b = asarray_(a), asarray_(b)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        ax_a = list(range(a.ndim - n, a.ndim))
        ax_b = list(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = [int(x) % a.ndim for x in np.atleast_1d(ax_a)]
        ax_b = [int(x) % b.ndim for x in np.atleast_1d(ax_b)]
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in ax_a] + \
          [c for k, c in enumerate(sb) if k not in ax_b]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


def dot(a, b, out=None):
    """Differentiable ``numpy.dot``.

    >>> import chainrule.numpy as cnp
    >>> float(cnp.dot([1.0, 2.0], [3.0, 4.0]))
    11.0
    """
    if out is not None:
        raise TypeError("chainrule.numpy.dot: out= is not supported")
    a, b = asarray_(a), asarray_(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return matmul(a, b)
    return tensordot(a, b, ([-1], [0 if b.ndim == 1 else -2]))


def vdot(a, b, /):
    """Differentiable ``numpy.vdot`` (real arrays): the dot product of the flattened inputs.

    >>> import chainrule.numpy as cnp
    >>> float(cnp.vdot([[1.0, 2.0]], [[3.0, 4.0]]))
    11.0
    """
    return sum_(ravel_(a) * ravel_(b))


def inner(a, b, /):
    """Differentiable ``numpy.inner``.

    >>> import chainrule.numpy as cnp
    >>> float(cnp.inner([1.0, 2.0], [3.0, 4.0]))
    11.0
    """
    a, b = asarray_(a), asarray_(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, ([-1], [-1]))


def outer(a, b, out=None):
    """Differentiable ``numpy.outer``.

    >>> import chainrule.numpy as cnp
    >>> cnp.outer([1.0, 2.0], [1.0, 10.0])
    array([[ 1., 10.],
           [ 2., 20.]])
    """
    return expand_dims_(ravel_(a), -1) * ravel_(b)


def kron(a, b):
    """Differentiable ``numpy.kron``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.kron(np.eye(2), np.ones((1, 2)))
    array([[1., 1., 0., 0.],
           [0., 0., 1., 1.]])
    """
    a, b = asarray_(a), asarray_(b)
    nd = max(a.ndim, b.ndim)
    a = reshape_(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape_(b, (1,) * (nd - b.ndim) + b.shape)
    ea = reshape_(a, tuple(x for s in a.shape for x in (s, 1)))
    eb = reshape_(b, tuple(x for s in b.shape for x in (1, s)))
    return reshape_(ea * eb, tuple(sa * sb for sa, sb in zip(a.shape, b.shape)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Differentiable ``numpy.cross`` for 3-vectors.

    >>> import chainrule.numpy as cnp
    >>> cnp.cross([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    array([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis_(asarray_(a), axisa, -1)
    b = moveaxis_(asarray_(b), axisb, -1)
    if a.shape[-1] != 3 or b.shape[-1] != 3:
        raise ValueError("chainrule.numpy.cross: only 3-vectors are supported")
    a0, a1, a2 = (getitem_(a, (Ellipsis, k)) for k in range(3))
    b0, b1, b2 = (getitem_(b, (Ellipsis, k)) for k in range(3))
    c = stack_([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], -1)
    return moveaxis_(c, -1, axisc)


for _n, _f in (("tensordot", tensordot), ("dot", dot), ("vdot", vdot), ("inner", inner),
               ("outer", outer), ("kron", kron), ("cross", cross)):
    public(_NS, _n, "composite", _f)


def _late_imports():
    global swapaxes_, expand_dims_, getitem_, reshape_, broadcast_to_, asarray_, sum_
    global ravel_, moveaxis_, stack_
    from ._shape import swapaxes as swapaxes_, expand_dims as expand_dims_
    from ._shape import reshape as reshape_, broadcast_to as broadcast_to_
    from ._shape import asarray as asarray_, ravel as ravel_, moveaxis as moveaxis_
    from ._shape import stack as stack_
    from ._indexing import getitem as getitem_
    from ._reductions import sum as sum_
