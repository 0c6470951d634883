"""``chainrule.numpy.linalg``: NumPy's linear algebra, differentiable in both modes.

Called with plain arrays, every function returns exactly what ``numpy.linalg`` returns.
With traced values the derivative follows, in forward and reverse mode and to any order:
each rule below is written with chainrule functions (matmul, swapaxes, where, ``solve``,
the triangular solve ...), so it can be differentiated again. All functions work on
stacks of matrices (leading axes) where NumPy does, and every rule accepts tangents and
cotangents with extra leading batch axes (how ``jacfwd`` / ``jacrev`` / ``hessian`` push
many directions through at once).

Primitives (their own rules) and composites (built from those):

* ``solve`` (matrix right-hand side; a vector one is a matrix of one column), ``inv``,
  ``det``, ``slogdet`` (its ``logabsdet`` is a primitive, its ``sign`` a constant),
  ``cholesky`` (Murray 2016: ``dL = L Phi(L^-1 dA L^-T)``), ``pinv`` (the Golub-Pereyra
  rule, valid while the rank does not change) and a triangular solve (shared with
  ``chainrule.scipy.linalg.solve_triangular``).
* Decompositions with several outputs are *multi-output primitives* (``n_out``): ``eigh``
  (``(w, v)``), ``svd`` (``(U, S, Vh)``, thin) and ``qr`` (``(Q, R)``, reduced). One
  primitive per decomposition because every output's derivative needs the others (the
  eigenvectors' rule needs the eigenvalues and vice versa), the factorisation is done
  once, and in reverse mode the rule skips the terms of outputs nobody used (their
  cotangents arrive as zeros). ``slogdet`` is not one of them: its ``sign`` has no
  derivative, so it is a plain constant beside the ``logabsdet`` primitive.
* Composites: ``eigvalsh``, ``svdvals``, ``svd(compute_uv=False)``, ``qr(mode='r')``,
  ``norm``, ``vector_norm``, ``matrix_norm``, ``cond``, ``lstsq``, ``matrix_power``,
  ``multi_dot`` and NumPy 2's ``matmul``, ``matrix_transpose``, ``diagonal``, ``trace``,
  ``vecdot``, ``outer``, ``cross``, ``tensordot``; ``matrix_rank`` has no derivative.

Which entries are read. ``cholesky`` and ``eigh`` (and ``pinv``/``svd`` with
``hermitian=True``) read one triangle of ``a`` only, as NumPy does (the lower one, or the
upper one for ``upper=True`` / ``UPLO='U'``); their derivative with respect to the other
triangle is exactly 0, and a perturbation of an off-diagonal entry of the read triangle
moves both mirrored entries of the symmetric matrix it stands for.

Where the derivative does not exist:

* ``eigh`` with repeated eigenvalues and ``svd`` with repeated singular values: the
  eigen/singular *vectors* are not differentiable there (the rule has ``1 / (w_j - w_i)``
  off the diagonal). The rules put 0 where a gap is exactly 0 (no NaN, and the
  eigenvalues' / singular values' own derivative stays right), but the vectors'
  derivative is then meaningless. Eigen/singular vectors are defined up to sign; the
  derivative is that of the vectors NumPy returns, continued smoothly.
* ``svd`` with a zero singular value (rank-deficient input): the vectors' derivative is
  undefined; ``S^-1`` is taken as 0 there. ``pinv`` and ``lstsq`` are differentiable
  while the rank is constant.
* ``inv``, ``solve``, ``det``, ``slogdet`` need a non-singular matrix for the derivative;
  ``cholesky`` a positive definite one; ``qr`` a matrix of full column rank.
* ``norm`` and ``vector_norm``/``matrix_norm``: the derivative at 0 is 0, never NaN (the
  2-norm, ``'fro'``, any ``p > 0``; the 1- and inf-norms through ``abs``'s convention).
  Negative ``p`` are differentiable only where no entry is 0.

>>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
>>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
>>> g = cr.grad(lambda a: cnp.linalg.det(a))(A)
>>> np.allclose(g, np.linalg.det(A) * np.linalg.inv(A).T)
True
"""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .. import numpy as cnp
from ..core.primitive import Primitive, bind
from ..core.tracer import Tracer
from ._registry import public
from ._util import as_float, plain

_NS = "numpy.linalg"
_FAM = "linalg"

LinAlgError = np.linalg.LinAlgError

_lg = getattr(np.linalg, "_linalg", None)


def _result(name, fields):
    return getattr(_lg, name, None) or namedtuple(name, fields)


EighResult = _result("EighResult", "eigenvalues eigenvectors")
SVDResult = _result("SVDResult", "U S Vh")
QRResult = _result("QRResult", "Q R")
SlogdetResult = _result("SlogdetResult", "sign logabsdet")


# ------------------------------------------------------------------------ helpers
def _traced(*xs) -> bool:
    return builtins.any(isinstance(x, Tracer) for x in xs)


def _fdtype(x):
    dt = np.asarray(plain(x)).dtype
    return dt if dt.kind == "f" else np.dtype(np.float64)


def _T(x):
    """Transpose of the last two axes (works with leading batch axes)."""
    return cnp.swapaxes(x, -1, -2)


def _eye(n, like):
    return np.eye(n, dtype=_fdtype(like))


def _diag_part(m):
    return cnp.diagonal(m, 0, -2, -1)


def _diag_embed(v):
    """A stack of diagonal matrices from a stack of vectors."""
    return cnp.expand_dims(v, -1) * _eye(v.shape[-1], v)


def _trace(m):
    return cnp.sum(_diag_part(m), axis=-1)


def _expand2(x):
    return cnp.expand_dims(cnp.expand_dims(x, -1), -1)


def _is_zero(x) -> bool:
    """A cotangent that is a plain array of zeros (an unused output of a decomposition)."""
    return isinstance(x, np.ndarray) and not x.any()


def _sym(t, uplo):
    """The symmetric matrix a function reading only one triangle of ``t`` sees."""
    if uplo == "L":
        return cnp.tril(t) + _T(cnp.tril(t, -1))
    return cnp.triu(t) + _T(cnp.triu(t, 1))


def _sym_adjoint(s, uplo):
    """The transpose of :func:`_sym`: a cotangent on the read triangle only."""
    if uplo == "L":
        return cnp.tril(s) + cnp.tril(_T(s), -1)
    return cnp.triu(s) + cnp.triu(_T(s), 1)


def _gap_inverse(w):
    """``F[..., i, j] = 1 / (w_j - w_i)`` off the diagonal; 0 on it and where the gap is
    exactly 0 (repeated values: see the module docstring)."""
    d = cnp.expand_dims(w, -2) - cnp.expand_dims(w, -1)
    ok = plain(d) != 0
    return cnp.where(ok, 1.0 / cnp.where(ok, d, 1.0), 0.0)


def _safe_reciprocal(s):
    ok = plain(s) != 0
    if ok.all():
        return 1.0 / s
    return cnp.where(ok, 1.0 / cnp.where(ok, s, 1.0), 0.0)


def _register(name, fn, kind="composite", prims=()):
    public(_NS, name, kind, fn, prims)
    return fn


# ============================================================ triangular solve
def _tri_mask(n, lower, unit):
    k = -1 if unit else 0
    m = np.tri(n, k=k, dtype=bool)
    return m if lower else m.T


def _trisolve_numpy(a, b, lower, unit):
    n = a.shape[-1]
    t = np.where(_tri_mask(n, lower, unit), a, 0.0)
    if unit:
        t = t + np.eye(n, dtype=t.dtype)
    return np.linalg.solve(t, b)


def make_triangular_solve(name: str, impl, family: str = _FAM):
    """A triangular-solve primitive ``x = T^-1 b`` (``T`` the lower or upper triangle of
    ``a``, unit diagonal optional; ``b`` a stack of matrices) with the given ``impl`` and
    rules written with itself. Returns ``solve_(a, b, lower, unit)``.

    >>> import numpy as np
    >>> from chainrule.numpy.linalg import _trisolve
    >>> _trisolve(np.array([[2.0, 0.0], [1.0, 1.0]]), np.array([[2.0], [2.0]]), True, False)
    array([[1.],
           [1.]])
    """
    def solve_(a, b, lower, unit=False):
        return bind(p, (a, b), {"lower": bool(lower), "unit": bool(unit)})

    def mask(x, lower, unit):
        k = 1 if unit else 0
        return cnp.tril(x, -k) if lower else cnp.triu(x, k)

    def vjp_a(g, ans, a, b, lower, unit):
        return -mask(solve_(_T(a), g, not lower, unit) @ _T(ans), lower, unit)

    def vjp_b(g, ans, a, b, lower, unit):
        return solve_(_T(a), g, not lower, unit)

    def jvp_a(t, ans, a, b, lower, unit):
        return -solve_(a, mask(t, lower, unit) @ ans, lower, unit)

    def jvp_b(t, ans, a, b, lower, unit):
        return solve_(a, t, lower, unit)

    # elementwise=True: the forward trace lines a batched tangent up with the output's
    # stack axes (prepending 1s), which is the stack broadcasting of a batched solve.
    p = Primitive(name, impl, vjp_rules=[vjp_a, vjp_b], jvp_rules=[jvp_a, jvp_b],
                  elementwise=True, family=family)
    solve_.primitive = p
    return solve_


_trisolve = make_triangular_solve("linalg.triangular_solve", _trisolve_numpy)


# ============================================================================ solve
def _solve_impl(a, b):
    return np.linalg.solve(a, b)


def _solve_m(a, b):
    return bind(_psolve, (a, b), {})


_psolve = Primitive(
    "linalg.solve", _solve_impl, family=_FAM,
    elementwise=True,                               # see make_triangular_solve
    vjp_rules=[lambda g, ans, a, b: -(_solve_m(_T(a), g) @ _T(ans)),
               lambda g, ans, a, b: _solve_m(_T(a), g)],
    jvp_rules=[lambda t, ans, a, b: -_solve_m(a, t @ ans),
               lambda t, ans, a, b: _solve_m(a, t)])


def solve(a, b):
    """Differentiable ``numpy.linalg.solve``: ``x`` with ``a @ x = b``; ``b`` is a vector
    when it is 1-D, else a (stack of) matrices, as in NumPy 2.

    Rules: ``dx = solve(a, db - da x)``; cotangents ``gb = solve(a.T, g)``,
    ``ga = -gb x.T``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[2.0, 0.0], [0.0, 4.0]])
    >>> cnp.linalg.solve(A, np.array([2.0, 2.0]))
    array([1. , 0.5])
    >>> cr.grad(lambda b: cnp.sum(cnp.linalg.solve(A, b)))(np.array([2.0, 2.0]))
    array([0.5 , 0.25])
    """
    if not _traced(a, b):
        return np.linalg.solve(a, b)
    a, b = as_float(a), as_float(b)
    if b.ndim == 1:
        return _solve_m(a, cnp.expand_dims(b, -1))[..., 0]
    return _solve_m(a, b)


_register("solve", solve, "primitive", ("linalg.solve",))


# ============================================================================== inv
_pinv_ = Primitive(
    "linalg.inv", np.linalg.inv, family=_FAM,
    vjp_rules=[lambda g, ans, a: -(_T(ans) @ g @ _T(ans))],
    jvp_rules=[lambda t, ans, a: -(ans @ t @ ans)])


def inv(a):
    """Differentiable ``numpy.linalg.inv``: ``d inv(A) = -inv(A) dA inv(A)``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    >>> cr.grad(lambda a: cnp.linalg.inv(a)[0, 0])(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[-0.25, -0.  ],
           [-0.  , -0.  ]])
    """
    if not _traced(a):
        return np.linalg.inv(a)
    return bind(_pinv_, (as_float(a),), {})


_register("inv", inv, "primitive", ("linalg.inv",))


# ====================================================================== det, slogdet
_pdet = Primitive(
    "linalg.det", np.linalg.det, family=_FAM,
    vjp_rules=[lambda g, ans, a: _expand2(g * ans) * _T(inv(a))],
    jvp_rules=[lambda t, ans, a: ans * _trace(_solve_m(a, t))])


def det(a):
    """Differentiable ``numpy.linalg.det``: ``d det(A) = det(A) tr(A^-1 dA)`` (the
    derivative needs a non-singular ``A``).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[2.0, 1.0], [0.0, 3.0]])
    >>> float(cnp.linalg.det(A))
    6.0
    >>> cr.grad(cnp.linalg.det)(A) + 0.0
    array([[ 3.,  0.],
           [-1.,  2.]])
    """
    if not _traced(a):
        return np.linalg.det(a)
    return bind(_pdet, (as_float(a),), {})


_register("det", det, "primitive", ("linalg.det",))


def _logabsdet_impl(a):
    return np.linalg.slogdet(a)[1]


_plogabsdet = Primitive(
    "linalg.logabsdet", _logabsdet_impl, family=_FAM,
    vjp_rules=[lambda g, ans, a: _expand2(g) * _T(inv(a))],
    jvp_rules=[lambda t, ans, a: _trace(_solve_m(a, t))])


def slogdet(a):
    """Differentiable ``numpy.linalg.slogdet``: ``(sign, logabsdet)``. ``sign`` is a
    constant (zero derivative); ``d logabsdet = tr(A^-1 dA)``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[-2.0, 0.0], [0.0, 3.0]])
    >>> sign, logdet = cnp.linalg.slogdet(A)
    >>> float(sign), round(float(logdet), 6)
    (-1.0, 1.791759)
    >>> cr.grad(lambda a: cnp.linalg.slogdet(a)[1])(A) + 0.0
    array([[-0.5       ,  0.        ],
           [ 0.        ,  0.33333333]])
    """
    if not _traced(a):
        return np.linalg.slogdet(a)
    a = as_float(a)
    sign = np.linalg.slogdet(plain(a))[0]
    return SlogdetResult(sign, bind(_plogabsdet, (a,), {}))


_register("slogdet", slogdet, "primitive", ("linalg.logabsdet",))


# ========================================================================= cholesky
def _phi(n, like):
    """Lower triangle with the diagonal halved (the Phi of the Cholesky rule)."""
    return np.tri(n, k=-1, dtype=_fdtype(like)) + 0.5 * _eye(n, like)


def _chol_jvp(t, ans, a):
    dA = _sym(t, "L")
    y = _trisolve(ans, dA, True)                      # L^-1 dA
    x = _T(_trisolve(ans, _T(y), True))                # L^-1 dA L^-T
    return ans @ (x * _phi(a.shape[-1], a))


def _chol_vjp(g, ans, a):
    lt = _T(ans)
    p = (lt @ g) * _phi(a.shape[-1], a)
    z = _trisolve(lt, p, False)                        # L^-T P
    s = _T(_trisolve(lt, _T(z), False))                # L^-T P L^-1
    return _sym_adjoint(s, "L")


_pchol = Primitive("linalg.cholesky", np.linalg.cholesky, family=_FAM,
                   vjp_rules=[_chol_vjp], jvp_rules=[_chol_jvp])


def cholesky(a, /, *, upper=False):
    """Differentiable ``numpy.linalg.cholesky``: lower ``L`` with ``A = L L^T`` (or upper
    ``U`` with ``A = U^T U`` for ``upper=True``). Reads only that triangle of ``a``.

    Rule (Murray 2016): ``dL = L Phi(L^-1 dA L^-T)``, ``Phi`` = lower triangle with the
    diagonal halved; written with triangular solves.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[4.0, 2.0], [2.0, 5.0]])
    >>> cnp.linalg.cholesky(A)
    array([[2., 0.],
           [1., 2.]])
    >>> cr.grad(lambda a: cnp.linalg.cholesky(a)[0, 0])(A)
    array([[0.25, 0.  ],
           [0.  , 0.  ]])
    """
    if not _traced(a):
        return np.linalg.cholesky(a, upper=upper)
    a = as_float(a)
    if upper:
        return _T(bind(_pchol, (_T(a),), {}))
    return bind(_pchol, (a,), {})


_register("cholesky", cholesky, "primitive", ("linalg.cholesky",))


# ============================================================================ eigh
def _eigh_impl(a, UPLO):
    return tuple(np.linalg.eigh(a, UPLO=UPLO))


def _eigh_jvp(tangents, ans, a, UPLO):
    w, v = ans
    p = _T(v) @ _sym(tangents[0], UPLO) @ v
    return _diag_part(p), v @ (_gap_inverse(w) * p)


def _eigh_vjp(g, ans, a, UPLO):
    gw, gv = g
    w, v = ans
    inner = _diag_embed(gw)
    if not _is_zero(gv):
        inner = inner + _gap_inverse(w) * (_T(v) @ gv)
    return _sym_adjoint(v @ inner @ _T(v), UPLO)


_peigh = Primitive("linalg.eigh", _eigh_impl, vjp_rules=[_eigh_vjp], jvp_all=_eigh_jvp,
                   n_out=2, family=_FAM)


def _uplo(UPLO, name):
    u = str(UPLO).upper()
    if u not in ("L", "U"):
        raise ValueError(f"chainrule.numpy.linalg.{name}: UPLO must be 'L' or 'U', got "
                         f"{UPLO!r}")
    return u


def eigh(a, UPLO="L"):
    """Differentiable ``numpy.linalg.eigh``: ``(eigenvalues, eigenvectors)`` of a symmetric
    matrix, read from its lower (``UPLO='L'``) or upper triangle.

    Rule, with ``P = V^T dA V``: ``dw = diag(P)``, ``dV = V (F * P)``, ``F_ij = 1/(w_j -
    w_i)`` off the diagonal. Repeated eigenvalues make the eigenvectors' derivative
    undefined (see the module docstring).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> cnp.linalg.eigh(A).eigenvalues
    array([1., 3.])
    >>> cr.grad(lambda a: cnp.linalg.eigh(a)[0][1])(A)
    array([[0.5, 0. ],
           [1. , 0.5]])
    """
    if not _traced(a):
        return np.linalg.eigh(a, UPLO=UPLO)
    w, v = bind(_peigh, (as_float(a),), {"UPLO": _uplo(UPLO, "eigh")})
    return EighResult(w, v)


def eigvalsh(a, UPLO="L"):
    """Differentiable ``numpy.linalg.eigvalsh``: ``dw = diag(V^T dA V)``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> g = cr.grad(lambda a: cnp.sum(cnp.linalg.eigvalsh(a)))(A)
    >>> np.round(g, 12) + 0.0
    array([[1., 0.],
           [0., 1.]])
    """
    if not _traced(a):
        return np.linalg.eigvalsh(a, UPLO=UPLO)
    return eigh(a, UPLO)[0]


_register("eigh", eigh, "primitive", ("linalg.eigh",))
_register("eigvalsh", eigvalsh, "composite")


# ============================================================================= svd
def _svd_impl(a):
    return tuple(np.linalg.svd(a, full_matrices=False))


def _svd_jvp(tangents, ans, a):
    t = tangents[0]
    u, s, vh = ans
    v = _T(vh)
    s_row, s_col = cnp.expand_dims(s, -2), cnp.expand_dims(s, -1)
    f = _gap_inverse(s * s)
    inv_row = cnp.expand_dims(_safe_reciprocal(s), -2)
    tv = t @ v
    p = _T(u) @ tv                                      # U^T dA V
    ds = _diag_part(p)
    du = u @ (f * (p * s_row + s_col * _T(p))) + (tv - u @ p) * inv_row
    tu = _T(t) @ u
    dv = v @ (f * (s_col * p + _T(p) * s_row)) + (tu - v @ _T(p)) * inv_row
    return du, ds, _T(dv)


def _svd_vjp(g, ans, a):
    gu, gs, gvh = g
    u, s, vh = ans
    inner = _diag_embed(gs)
    out = None
    if not (_is_zero(gu) and _is_zero(gvh)):
        v = _T(vh)
        gv = _T(gvh)
        s_row, s_col = cnp.expand_dims(s, -2), cnp.expand_dims(s, -1)
        f = _gap_inverse(s * s)
        inv_row = cnp.expand_dims(_safe_reciprocal(s), -2)
        utgu = _T(u) @ gu
        vtgv = _T(v) @ gv
        inner = inner + (f * (utgu - _T(utgu))) * s_row + s_col * (f * (vtgv - _T(vtgv)))
        out = ((gu - u @ utgu) * inv_row) @ vh + (u * inv_row) @ (gvh - _T(vtgv) @ vh)
    res = u @ inner @ vh
    return res if out is None else res + out


_psvd = Primitive("linalg.svd", _svd_impl, vjp_rules=[_svd_vjp], jvp_all=_svd_jvp, n_out=3,
                  family=_FAM)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Differentiable ``numpy.linalg.svd``. Differentiating ``U`` and ``Vh`` needs the thin
    SVD: pass ``full_matrices=False`` for a non-square ``a`` (the extra columns of the full
    ``U``/``Vh`` are not unique, so they have no derivative). ``compute_uv=False`` gives the
    singular values, whose derivative is ``dS = diag(U^T dA V)``.

    The vectors' rule is the standard thin-SVD one (``F_ij = 1/(s_j^2 - s_i^2)``, plus the
    projections off the span of ``U`` / ``V``): repeated or zero singular values make it
    undefined (see the module docstring). ``hermitian=True`` reads the lower triangle of
    ``a``; its ``U``/``Vh`` may differ in sign from NumPy's eigendecomposition-based ones.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[3.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    >>> cnp.linalg.svd(A, compute_uv=False)
    array([3., 2.])
    >>> cr.grad(lambda a: cnp.linalg.svd(a, compute_uv=False)[0])(A)
    array([[1., 0.],
           [0., 0.],
           [0., 0.]])
    """
    if not _traced(a):
        return np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                             hermitian=hermitian)
    a = as_float(a)
    if hermitian:
        a = _sym(a, "L")
    if compute_uv and full_matrices and a.shape[-1] != a.shape[-2]:
        raise ValueError(
            "chainrule.numpy.linalg.svd: full_matrices=True (NumPy's default) has no "
            "derivative for a non-square matrix (the extra columns of U or Vh are not "
            f"unique; got shape {a.shape}); pass full_matrices=False (the thin SVD), or "
            "compute_uv=False for the singular values only")
    u, s, vh = bind(_psvd, (a,), {})
    if not compute_uv:
        return s
    return SVDResult(u, s, vh)


def svdvals(x, /):
    """Differentiable ``numpy.linalg.svdvals``: ``svd(x, compute_uv=False)``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.svdvals(np.diag([1.0, 4.0]))
    array([4., 1.])
    """
    if not _traced(x):
        return np.linalg.svdvals(x)
    return svd(x, full_matrices=False, compute_uv=False)


_register("svd", svd, "primitive", ("linalg.svd",))
_register("svdvals", svdvals, "composite")


# ============================================================================== qr
def _qr_impl(a):
    return tuple(np.linalg.qr(a, mode="reduced"))


def _qr_jvp(tangents, ans, a):
    q, r = ans
    c = _T(_trisolve(_T(r), _T(tangents[0]), True))     # dA R^-1
    x = _T(q) @ c
    low = cnp.tril(x, -1)
    up = x - low + _T(low)                               # X - Omega: upper triangular
    return c - q @ up, up @ r


def _qr_vjp(g, ans, a):
    gq, gr = g
    q, r = ans
    m = gr @ _T(r) - _T(q) @ gq
    y = gq + q @ (cnp.triu(m) + cnp.tril(_T(m), -1))
    return _T(_trisolve(r, _T(y), False))                # y R^-T


_pqr = Primitive("linalg.qr", _qr_impl, vjp_rules=[_qr_vjp], jvp_all=_qr_jvp, n_out=2,
                 family=_FAM)


def qr(a, mode="reduced"):
    """Differentiable ``numpy.linalg.qr`` (modes ``'reduced'``, ``'r'``, and
    ``'complete'`` where it equals the reduced one); ``a`` of full rank.

    Rule (``m >= n``), with ``X = Q^T dA R^-1`` and ``Omega`` its antisymmetric part built
    from the strict lower triangle: ``dR = (X - Omega) R``,
    ``dQ = dA R^-1 - Q (X - Omega)``.
    For ``m < n`` the first ``m`` columns are factorised and ``R``'s rest is ``Q^T A``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[3.0, 1.0], [4.0, 2.0]])
    >>> q, r = cnp.linalg.qr(A)
    >>> np.allclose(q @ r, A)
    True
    >>> g = cr.grad(lambda a: cnp.abs(cnp.linalg.qr(a)[1][0, 0]))(A)
    >>> np.allclose(g, [[0.6, 0.0], [0.8, 0.0]])
    True
    """
    if not _traced(a):
        return np.linalg.qr(a, mode=mode)
    a = as_float(a)
    m, n = a.shape[-2], a.shape[-1]
    if mode not in ("reduced", "r", "complete") or (mode == "complete" and m > n):
        raise ValueError(
            f"chainrule.numpy.linalg.qr: mode={mode!r} has no derivative here; use "
            f"mode='reduced' (or 'r'; 'complete' only when it equals 'reduced', m <= n)")
    if m >= n:
        q, r = bind(_pqr, (a,), {})
    else:
        q, r0 = bind(_pqr, (a[..., :, :m],), {})
        r = cnp.concatenate([r0, _T(q) @ a[..., :, m:]], axis=-1)
    return r if mode == "r" else QRResult(q, r)


_register("qr", qr, "primitive", ("linalg.qr",))


# ============================================================================ pinv
def _pinv_impl(a, opts, hermitian):
    return np.linalg.pinv(a, hermitian=hermitian, **dict(opts))


def _pinv_jvp(t, ans, a, opts, hermitian):
    p = ans
    tt = _T(t)
    return (-(p @ t @ p) + (p @ _T(p)) @ (tt - (tt @ a) @ p)
            + (tt - p @ (a @ tt)) @ (_T(p) @ p))


def _pinv_vjp(g, ans, a, opts, hermitian):
    p = ans
    gt = _T(g)
    return (-(_T(p) @ g @ _T(p)) + (gt - a @ (p @ gt)) @ (p @ _T(p))
            + (_T(p) @ p) @ (gt - (gt @ p) @ a))


_ppinv = Primitive("linalg.pinv", _pinv_impl, vjp_rules=[_pinv_vjp], jvp_rules=[_pinv_jvp],
                   family=_FAM)

_UNSET = object()


def pinv(a, rcond=None, hermitian=False, *, rtol=_UNSET):
    """Differentiable ``numpy.linalg.pinv``. The derivative (Golub & Pereyra) holds where
    the rank is locally constant:
    ``dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    >>> cnp.linalg.pinv(A)
    array([[1. , 0. , 0. ],
           [0. , 0.5, 0. ]])
    >>> cr.grad(lambda a: cnp.linalg.pinv(a)[1, 1])(A)
    array([[ 0.  ,  0.  ],
           [ 0.  , -0.25],
           [ 0.  ,  0.  ]])
    """
    opts = (("rcond", rcond),) if rtol is _UNSET else (("rcond", rcond), ("rtol", rtol))
    if not _traced(a):
        return np.linalg.pinv(a, hermitian=hermitian, **dict(opts))
    a = as_float(a)
    if hermitian:
        a = _sym(a, "L")
    return bind(_ppinv, (a,), {"opts": opts, "hermitian": bool(hermitian)})


_register("pinv", pinv, "primitive", ("linalg.pinv",))


# =========================================================================== lstsq
def lstsq(a, b, rcond=None):
    """Differentiable ``numpy.linalg.lstsq``: ``(x, residuals, rank, s)`` with
    ``x = pinv(a) b`` (differentiable while the rank is constant), ``residuals`` the
    squared residual norms (empty unless ``a`` has full column rank and more rows than
    columns, as in NumPy), ``rank`` a constant and ``s`` the singular values of ``a``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> b = np.array([1.0, 1.0, 1.0])
    >>> np.round(cnp.linalg.lstsq(A, b)[0], 6)
    array([0.666667, 0.666667])
    >>> cr.grad(lambda v: cnp.sum(cnp.linalg.lstsq(A, v)[0]))(b)
    array([0.33333333, 0.33333333, 0.66666667])
    """
    if not _traced(a, b):
        return np.linalg.lstsq(a, b, rcond=rcond)
    a, b = as_float(a), as_float(b)
    if a.ndim != 2 or b.ndim not in (1, 2):
        raise ValueError(f"chainrule.numpy.linalg.lstsq: a must be 2-d and b 1- or 2-d "
                         f"(got shapes {a.shape} and {b.shape})")
    m, n = a.shape
    _, res0, rank, _ = np.linalg.lstsq(plain(a), plain(b), rcond=rcond)
    cut = np.finfo(_fdtype(a)).eps * builtins.max(m, n) if rcond is None else rcond
    x = pinv(a, rcond=cut) @ b
    if res0.size:
        r = b - a @ x
        res = cnp.sum(r * r, axis=0)
        if b.ndim == 1:
            res = cnp.reshape(res, (1,))
    else:
        res = res0
    return x, res, rank, svd(a, full_matrices=False, compute_uv=False)


_register("lstsq", lstsq)


# ================================================================ matrix_power etc.
def matrix_power(a, n):
    """Differentiable ``numpy.linalg.matrix_power`` (repeated squaring with ``matmul``;
    negative ``n`` through ``inv``).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A = np.array([[1.0, 1.0], [0.0, 1.0]])
    >>> cnp.linalg.matrix_power(A, 3)
    array([[1., 3.],
           [0., 1.]])
    >>> cr.grad(lambda a: cnp.linalg.matrix_power(a, 2)[0, 1])(A)
    array([[1., 2.],
           [0., 1.]])
    """
    if not _traced(a):
        return np.linalg.matrix_power(a, n)
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"chainrule.numpy.linalg.matrix_power: n must be an integer, got "
                        f"{type(n).__name__}")
    a = as_float(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise LinAlgError(f"chainrule.numpy.linalg.matrix_power: a must be a (stack of) "
                          f"square matrices, got shape {a.shape}")
    n = int(n)
    if n == 0:
        return np.broadcast_to(_eye(a.shape[-1], a), a.shape).copy()
    if n < 0:
        a, n = inv(a), -n
    result = None
    base = a
    while True:                                    # binary exponentiation
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if not n:
            return result
        base = base @ base


def _chain_order(dims):
    """Optimal parenthesisation of a matrix chain (dims ``p0..pn``): split table."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s
    return split


def multi_dot(arrays, *, out=None):
    """Differentiable ``numpy.linalg.multi_dot``: a chain of ``matmul`` in the cheapest
    order (first / last argument may be 1-D).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> A, B = np.eye(2), np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> float(cnp.linalg.multi_dot([np.ones(2), A, B, np.ones(2)]))
    10.0
    >>> cr.grad(lambda b: cnp.linalg.multi_dot([A, b, A])[0, 0])(B)
    array([[1., 0.],
           [0., 0.]])
    """
    if out is not None:
        raise TypeError("chainrule.numpy.linalg.multi_dot: out= is not supported (it "
                        "writes into an existing array); use the returned value")
    if not _traced(*arrays):
        return np.linalg.multi_dot(arrays)
    xs = [as_float(x) for x in arrays]
    if len(xs) < 2:
        raise ValueError("chainrule.numpy.linalg.multi_dot: expecting at least two arrays")
    first_1d, last_1d = xs[0].ndim == 1, xs[-1].ndim == 1
    if first_1d:
        xs[0] = cnp.expand_dims(xs[0], 0)
    if last_1d:
        xs[-1] = cnp.expand_dims(xs[-1], -1)
    for x in xs:
        if x.ndim != 2:
            raise ValueError(f"chainrule.numpy.linalg.multi_dot: arrays must be 2-d (the "
                             f"first and last may be 1-d), got shape {x.shape}")
    split = _chain_order([x.shape[0] for x in xs] + [xs[-1].shape[1]])

    def chain(i, j):
        if i == j:
            return xs[i]
        s = split[i][j]
        return chain(i, s) @ chain(s + 1, j)

    r = chain(0, len(xs) - 1)
    if first_1d and last_1d:
        return r[0, 0]
    if first_1d:
        return r[0]
    if last_1d:
        return r[:, 0]
    return r


_register("matrix_power", matrix_power)
_register("multi_dot", multi_dot)


# ============================================================================ norms
def _l2(x, axis, keepdims):
    """sqrt(sum(x^2)) with derivative 0 (not NaN) where the norm is 0."""
    s = cnp.sum(x * x, axis=axis, keepdims=keepdims)
    pos = plain(s) > 0
    if np.all(pos):
        return cnp.sqrt(s)
    return cnp.where(pos, cnp.sqrt(cnp.where(pos, s, 1.0)), 0.0)


def _pnorm(x, p, axis, keepdims):
    """(sum |x|^p)^(1/p); for p > 0 the zero entries and zero norms get derivative 0."""
    ax = cnp.abs(x)
    if p < 0:
        return cnp.sum(ax ** p, axis=axis, keepdims=keepdims) ** (1.0 / p)
    nz = plain(ax) > 0
    powed = ax ** p if nz.all() else cnp.where(nz, cnp.where(nz, ax, 1.0) ** p, 0.0)
    s = cnp.sum(powed, axis=axis, keepdims=keepdims)
    pos = plain(s) > 0
    if np.all(pos):
        return s ** (1.0 / p)
    return cnp.where(pos, cnp.where(pos, s, 1.0) ** (1.0 / p), 0.0)


def _vector_norm(x, ord, axis, keepdims):
    if isinstance(ord, str):
        raise ValueError(f"chainrule.numpy.linalg.norm: invalid norm order {ord!r} for "
                         f"vectors")
    if ord is None or ord == 2:
        return _l2(x, axis, keepdims)
    if ord == np.inf:
        return cnp.max(cnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return cnp.min(cnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:                                  # a count: zero derivative
        return np.sum(plain(x) != 0, axis=axis, keepdims=keepdims).astype(_fdtype(x))
    if ord == 1:
        return cnp.sum(cnp.abs(x), axis=axis, keepdims=keepdims)
    return _pnorm(x, float(ord), axis, keepdims)


def _matrix_norm(x, ord, row, col, keepdims):
    if ord in (2, -2, "nuc"):
        s = svdvals(cnp.moveaxis(x, (row, col), (-2, -1)))
        r = (cnp.max(s, axis=-1) if ord == 2 else cnp.min(s, axis=-1) if ord == -2
             else cnp.sum(s, axis=-1))
    elif ord in (1, -1):
        red = cnp.max if ord == 1 else cnp.min
        r = red(cnp.sum(cnp.abs(x), axis=row), axis=col - 1 if col > row else col)
    elif ord in (np.inf, -np.inf):
        red = cnp.max if ord == np.inf else cnp.min
        r = red(cnp.sum(cnp.abs(x), axis=col), axis=row - 1 if row > col else row)
    elif ord is None or ord in ("fro", "f"):
        r = _l2(x, (row, col), False)
    else:
        raise ValueError(f"chainrule.numpy.linalg.norm: invalid norm order {ord!r} for "
                         f"matrices")
    if keepdims:
        shape = list(x.shape)
        shape[row] = shape[col] = 1
        r = cnp.reshape(r, tuple(shape))
    return r


def norm(x, ord=None, axis=None, keepdims=False):
    """Differentiable ``numpy.linalg.norm`` (vector and matrix norms, ``axis``,
    ``keepdims``). Convention: the derivative at 0 is 0, never NaN (2-norm, ``'fro'``,
    ``p > 0``, 1- and inf-norms). Spectral norms (``2``, ``-2``, ``'nuc'``) go through the
    SVD; the 1/inf norms through ``abs`` and ``max``/``min`` (ties share the derivative).

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> float(cnp.linalg.norm(np.array([3.0, 4.0])))
    5.0
    >>> cr.grad(cnp.linalg.norm)(np.array([3.0, 4.0]))
    array([0.6, 0.8])
    >>> cr.grad(cnp.linalg.norm)(np.zeros(2))
    array([0., 0.])
    """
    if not _traced(x):
        return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    x = as_float(x)
    nd = x.ndim
    if axis is None:
        if ord is None:
            return _l2(x, None, keepdims)
        if nd == 1:
            axis = (0,)
        elif nd == 2:
            axis = (0, 1)
        else:
            raise ValueError("chainrule.numpy.linalg.norm: improper number of dimensions "
                             f"to norm ({nd}) for ord={ord!r} with axis=None")
    elif not isinstance(axis, tuple):
        axis = (int(axis),)
    axis = tuple(int(a) % nd if -nd <= int(a) < nd else _bad_axis(a, nd) for a in axis)
    if len(axis) == 1:
        return _vector_norm(x, ord, axis, keepdims)
    if len(axis) == 2:
        if axis[0] == axis[1]:
            raise ValueError("chainrule.numpy.linalg.norm: duplicate axes given")
        return _matrix_norm(x, ord, axis[0], axis[1], keepdims)
    raise ValueError("chainrule.numpy.linalg.norm: improper number of dimensions to norm "
                     f"(axis={axis})")


def _bad_axis(a, nd):
    raise np.exceptions.AxisError(f"chainrule.numpy.linalg.norm: axis {a} is out of "
                                  f"bounds for an array of dimension {nd}")


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Differentiable ``numpy.linalg.vector_norm`` (NumPy 2): the vector norm over
    ``axis`` (None: all axes; a tuple: those axes flattened together). Derivative 0 at 0.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.vector_norm(np.array([[3.0, 4.0], [6.0, 8.0]]), axis=1)
    array([ 5., 10.])
    >>> cr.grad(lambda v: cnp.linalg.vector_norm(v, ord=1))(np.array([-1.0, 0.0, 2.0]))
    array([-1.,  0.,  1.])
    """
    if not _traced(x):
        return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
    x = as_float(x)
    nd = x.ndim
    axes = tuple(range(nd)) if axis is None else (
        (axis,) if not isinstance(axis, tuple) else axis)
    axes = tuple(int(a) % nd if -nd <= int(a) < nd else _bad_axis(a, nd) for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError("chainrule.numpy.linalg.vector_norm: repeated axis")
    rest = tuple(i for i in range(nd) if i not in axes)
    y = cnp.transpose(x, rest + axes)
    y = cnp.reshape(y, tuple(x.shape[i] for i in rest) + (-1,))
    r = _vector_norm(y, ord, (-1,), False)
    if keepdims:
        r = cnp.reshape(r, tuple(1 if i in axes else x.shape[i] for i in range(nd)))
    return r


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Differentiable ``numpy.linalg.matrix_norm`` (NumPy 2): the matrix norm over the
    last two axes. Derivative 0 at 0 for ``'fro'``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> float(cnp.linalg.matrix_norm(np.array([[3.0, 0.0], [0.0, 4.0]]), ord=2))
    4.0
    >>> cr.grad(lambda m: cnp.linalg.matrix_norm(m, ord="nuc"))(np.diag([3.0, 4.0]))
    array([[1., 0.],
           [0., 1.]])
    """
    if not _traced(x):
        return np.linalg.matrix_norm(x, keepdims=keepdims, ord=ord)
    x = as_float(x)
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def cond(x, p=None):
    """Differentiable ``numpy.linalg.cond``: ``s_max / s_min`` for ``p`` None, 2 (and the
    inverse for -2), else ``norm(x, p) * norm(inv(x), p)``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> float(cnp.linalg.cond(np.diag([1.0, 4.0])))
    4.0
    >>> cr.grad(cnp.linalg.cond)(np.diag([1.0, 4.0]))
    array([[-4.,  0.],
           [ 0.,  1.]])
    """
    if not _traced(x):
        return np.linalg.cond(x, p)
    x = as_float(x)
    if p is None or p in (2, -2):
        s = svdvals(x)
        r = s[..., 0] / s[..., -1]
        return 1.0 / r if p == -2 else r
    return (norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1)))


for _n, _f in (("norm", norm), ("vector_norm", vector_norm), ("matrix_norm", matrix_norm),
               ("cond", cond)):
    _register(_n, _f)


# ====================================================== NumPy 2's array-API helpers
def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """``numpy.linalg.matrix_rank``: an integer, so zero derivative.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> int(cnp.linalg.matrix_rank(np.eye(3)))
    3
    """
    return np.linalg.matrix_rank(plain(A), tol=tol, hermitian=hermitian, rtol=rtol)


def matmul(x1, x2, /):
    """Differentiable ``numpy.linalg.matmul`` (same as ``chainrule.numpy.matmul``).

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.matmul(np.eye(2), np.array([1.0, 2.0]))
    array([1., 2.])
    """
    return cnp.matmul(x1, x2)


def matrix_transpose(x, /):
    """Differentiable ``numpy.linalg.matrix_transpose``: swap the last two axes.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.matrix_transpose(np.zeros((2, 3, 4))).shape
    (2, 4, 3)
    """
    return cnp.matrix_transpose(x)


def diagonal(x, /, *, offset=0):
    """Differentiable ``numpy.linalg.diagonal``: the diagonal of the last two axes.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.diagonal(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([1., 4.])
    """
    return cnp.diagonal(x, offset, -2, -1)


def trace(x, /, *, offset=0, dtype=None):
    """Differentiable ``numpy.linalg.trace``: the trace over the last two axes.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.trace(np.stack([np.eye(2), 2 * np.eye(2)]))
    array([2., 4.])
    """
    return cnp.trace(x, offset, -2, -1, dtype=dtype)


def vecdot(x1, x2, /, *, axis=-1):
    """Differentiable ``numpy.linalg.vecdot`` (real arrays): ``sum(x1 * x2, axis)``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> float(cnp.linalg.vecdot(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
    11.0
    """
    return cnp.sum(cnp.multiply(x1, x2), axis=axis)


def outer(x1, x2, /):
    """Differentiable ``numpy.linalg.outer`` (1-D arguments).

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.outer(np.array([1.0, 2.0]), np.array([1.0, 10.0]))
    array([[ 1., 10.],
           [ 2., 20.]])
    """
    if np.ndim(plain(x1)) != 1 or np.ndim(plain(x2)) != 1:
        raise ValueError("chainrule.numpy.linalg.outer: x1 and x2 must be 1-dimensional")
    return cnp.outer(x1, x2)


def cross(x1, x2, /, *, axis=-1):
    """Differentiable ``numpy.linalg.cross`` (3-vectors).

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])
    """
    return cnp.cross(x1, x2, axis=axis)


def tensordot(x1, x2, /, *, axes=2):
    """Differentiable ``numpy.linalg.tensordot``.

    >>> import chainrule.numpy as cnp, numpy as np
    >>> cnp.linalg.tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
    (2, 4)
    """
    return cnp.tensordot(x1, x2, axes)


_register("matrix_rank", matrix_rank, "nondiff")
for _n, _f in (("matmul", matmul), ("matrix_transpose", matrix_transpose),
               ("diagonal", diagonal), ("trace", trace), ("vecdot", vecdot),
               ("outer", outer), ("cross", cross), ("tensordot", tensordot)):
    _register(_n, _f)

__all__ = ["LinAlgError", "solve", "inv", "det", "slogdet", "cholesky", "eigh", "eigvalsh",
           "svd", "svdvals", "qr", "pinv", "lstsq", "matrix_power", "multi_dot", "norm",
           "vector_norm", "matrix_norm", "cond", "matrix_rank", "matmul",
           "matrix_transpose", "diagonal", "trace", "vecdot", "outer", "cross",
           "tensordot"]


def __getattr__(name: str):
    # A numpy.linalg function chainrule has no rule for: say so, and what to do.
    if not name.startswith("_") and hasattr(np.linalg, name):
        raise AttributeError(
            f"chainrule.numpy.linalg.{name}: numpy.linalg.{name} has no derivative rule in "
            f"chainrule (neither reverse (VJP) nor forward (JVP) mode). Call "
            f"numpy.linalg.{name} on plain values outside the differentiated code, or give "
            f"a function that uses it its own rule with @chainrule.custom_vjp / "
            f"@chainrule.custom_jvp.")
    raise AttributeError(f"module 'chainrule.numpy.linalg' has no attribute {name!r}")
