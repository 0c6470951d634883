"""Tests of ``chainrule.numpy.linalg`` and ``chainrule.scipy.linalg``.

Every case is checked four ways (as in test_numpy_rules.py): the value against NumPy /
SciPy, ``cr.check_grads`` in both modes to second order, ``jacfwd == jacrev`` (batched
tangents and cotangents) and the Hessian of ``sum(sin(f))`` both ways,
``jacfwd(jacrev)`` and ``jacrev(jacfwd)``. Inputs are well conditioned: SPD matrices
``B B^T + n I``, symmetric matrices and SVDs with well separated spectra, single matrices
and stacks. Multi-output functions are checked on all their outputs (flattened and
joined).
"""
from __future__ import annotations

import doctest

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
import chainrule.numpy.linalg as cla
from chainrule.numpy._registry import PUBLIC

scipy = pytest.importorskip("scipy")
import scipy.linalg as sla  # noqa: E402

import chainrule.scipy.linalg as csl  # noqa: E402

RNG = np.random.default_rng(20240611)


# ------------------------------------------------------------------ inputs
def general(*shape):
    """Well-conditioned square matrices (random + n I)."""
    n = shape[-1]
    return RNG.normal(size=shape) * 0.5 + n * np.eye(n)


def spd(*shape):
    n = shape[-1]
    b = RNG.normal(size=shape)
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def orth(n):
    return np.linalg.qr(RNG.normal(size=(n, n)))[0]


def sym_separated(*shape, w=(1.0, 2.5, 4.5, 7.0)):
    """Symmetric matrices with eigenvalues 1, 2.5, 4.5, ... (gaps >= 1.5)."""
    n = shape[-1]
    mats = [orth(n) @ np.diag(np.array(w[:n]) + 0.1 * k) @ orth(n).T
            for k in range(int(np.prod(shape[:-2], dtype=int)))]
    q = np.array(mats).reshape(shape)
    return (q + np.swapaxes(q, -1, -2)) / 2


def svd_separated(*shape, s=(4.0, 2.5, 1.2)):
    """Matrices with singular values 4, 2.5, 1.2 (gaps >= 1.3)."""
    m, n = shape[-2:]
    k = min(m, n)
    out = []
    for j in range(int(np.prod(shape[:-2], dtype=int))):
        u = orth(m)[:, :k]
        v = orth(n)[:, :k]
        out.append(u @ np.diag(np.array(s[:k]) + 0.1 * j) @ v.T)
    return np.array(out).reshape(shape)


def rand(*shape):
    return RNG.normal(size=shape)


def lower_tri(*shape):
    n = shape[-1]
    return np.tril(RNG.normal(size=shape) * 0.5) + n * np.eye(n)


# ------------------------------------------------------------------ the checks
def _join(m, out):
    if isinstance(out, (list, tuple)):
        return m.concatenate([m.ravel(o) for o in out])
    return out


def run_checks(f, args, ref=None, hess=True, order=2, jac=True):
    """f(m, *args) for m in (cnp / csl side, reference side)."""
    got = f(*args)
    if ref is not None:
        want = ref(*args)
        assert np.allclose(np.asarray(_join(np, got)), np.asarray(_join(np, want)),
                           rtol=1e-8, atol=1e-10)
    fj = lambda *a: _join(cnp, f(*a))
    cr.check_grads(fj, args, order=order)
    for k in range(len(args)):
        if jac:
            jf = cr.jacfwd(fj, argnums=k)(*args)
            jr = cr.jacrev(fj, argnums=k)(*args)
            assert np.allclose(jf, jr, atol=1e-9), f"jacfwd != jacrev, argument {k}"
        if hess:
            s = lambda *a: cnp.sum(cnp.sin(fj(*a)))
            hf = cr.jacfwd(cr.jacrev(s, argnums=k), argnums=k)(*args)
            hr = cr.jacrev(cr.jacfwd(s, argnums=k), argnums=k)(*args)
            assert np.allclose(hf, hr, atol=1e-8), f"Hessians differ, argument {k}"
            n = np.size(args[k])
            assert np.allclose(hf.reshape(n, n), hf.reshape(n, n).T, atol=1e-8)


def case(name, f, args, ref, **kw):
    return pytest.param(f, args, ref, kw, id=name)


L = cla
CASES = [
    # solve: vector and matrix right-hand sides, single and stacked, broadcast stacks
    case("solve-vec", L.solve, (general(3, 3), rand(3)), np.linalg.solve),
    case("solve-mat", L.solve, (general(3, 3), rand(3, 2)), np.linalg.solve),
    case("solve-stack-vec", L.solve, (general(2, 3, 3), rand(3)), np.linalg.solve),
    case("solve-stack-mat", L.solve, (general(2, 3, 3), rand(2, 3, 2)), np.linalg.solve),
    case("solve-bcast", L.solve, (general(3, 3), rand(2, 3, 2)), np.linalg.solve),
    case("inv", L.inv, (general(3, 3),), np.linalg.inv),
    case("inv-stack", L.inv, (general(2, 3, 3),), np.linalg.inv),
    case("det", L.det, (general(3, 3),), np.linalg.det),
    case("det-stack", L.det, (general(2, 3, 3),), np.linalg.det),
    case("slogdet", lambda a: L.slogdet(a)[1], (general(3, 3),),
         lambda a: np.linalg.slogdet(a)[1]),
    case("slogdet-neg-stack", lambda a: L.slogdet(a)[1], (-general(2, 3, 3),),
         lambda a: np.linalg.slogdet(a)[1]),
    case("cholesky", L.cholesky, (spd(3, 3),), np.linalg.cholesky),
    case("cholesky-stack", L.cholesky, (spd(2, 3, 3),), np.linalg.cholesky),
    case("cholesky-upper", lambda a: L.cholesky(a, upper=True), (spd(3, 3),),
         lambda a: np.linalg.cholesky(a, upper=True)),
    case("cholesky-nonsym-input", L.cholesky, (spd(3, 3) + np.triu(rand(3, 3), 1),),
         np.linalg.cholesky),
    case("eigh", lambda a: tuple(L.eigh(a)), (sym_separated(3, 3),),
         lambda a: tuple(np.linalg.eigh(a))),
    case("eigh-U-stack", lambda a: tuple(L.eigh(a, UPLO="U")), (sym_separated(2, 3, 3),),
         lambda a: tuple(np.linalg.eigh(a, UPLO="U"))),
    case("eigh-vectors-only", lambda a: L.eigh(a)[1], (sym_separated(4, 4),),
         lambda a: np.linalg.eigh(a)[1], hess=False),
    case("eigvalsh", L.eigvalsh, (sym_separated(3, 3) + np.tril(rand(3, 3), -1),),
         np.linalg.eigvalsh),
    case("eigvalsh-U", lambda a: L.eigvalsh(a, UPLO="U"), (sym_separated(2, 3, 3),),
         lambda a: np.linalg.eigvalsh(a, UPLO="U")),
    case("svd-tall", lambda a: tuple(L.svd(a, full_matrices=False)), (svd_separated(4, 3),),
         lambda a: tuple(np.linalg.svd(a, full_matrices=False))),
    case("svd-wide", lambda a: tuple(L.svd(a, full_matrices=False)), (svd_separated(2, 4),),
         lambda a: tuple(np.linalg.svd(a, full_matrices=False))),
    case("svd-square-default", lambda a: tuple(L.svd(a)), (svd_separated(3, 3),),
         lambda a: tuple(np.linalg.svd(a))),
    case("svd-stack", lambda a: tuple(L.svd(a, full_matrices=False)),
         (svd_separated(2, 4, 3),),
         lambda a: tuple(np.linalg.svd(a, full_matrices=False)), hess=False),
    case("svd-values", lambda a: L.svd(a, compute_uv=False), (svd_separated(2, 3, 4),),
         lambda a: np.linalg.svd(a, compute_uv=False)),
    case("svdvals", L.svdvals, (svd_separated(4, 3),), np.linalg.svdvals),
    case("qr-tall", lambda a: tuple(L.qr(a)), (rand(4, 3),),
         lambda a: tuple(np.linalg.qr(a))),
    case("qr-square-stack", lambda a: tuple(L.qr(a)), (general(2, 3, 3),),
         lambda a: tuple(np.linalg.qr(a))),
    case("qr-wide", lambda a: tuple(L.qr(a)), (rand(2, 4),), lambda a: tuple(np.linalg.qr(a))),
    case("qr-r", lambda a: L.qr(a, mode="r"), (rand(4, 3),),
         lambda a: np.linalg.qr(a, mode="r")),
    case("pinv-tall", L.pinv, (svd_separated(4, 3),), np.linalg.pinv),
    case("pinv-wide-stack", L.pinv, (svd_separated(2, 2, 3),), np.linalg.pinv),
    case("pinv-square", L.pinv, (general(3, 3),), np.linalg.pinv),
    case("lstsq-vec", lambda a, b: L.lstsq(a, b)[0], (svd_separated(4, 2), rand(4)),
         lambda a, b: np.linalg.lstsq(a, b)[0]),
    case("lstsq-res", lambda a, b: (L.lstsq(a, b)[1], L.lstsq(a, b)[3]),
         (svd_separated(4, 2), rand(4, 2)),
         lambda a, b: (np.linalg.lstsq(a, b)[1], np.linalg.lstsq(a, b)[3])),
    case("matrix_power-3", lambda a: L.matrix_power(a, 3), (rand(3, 3) * 0.5,),
         lambda a: np.linalg.matrix_power(a, 3)),
    case("matrix_power-neg-stack", lambda a: L.matrix_power(a, -2), (general(2, 3, 3),),
         lambda a: np.linalg.matrix_power(a, -2)),
    case("matrix_power-1", lambda a: L.matrix_power(a, 1), (rand(2, 2),),
         lambda a: np.linalg.matrix_power(a, 1)),
    case("multi_dot", lambda a, b, c: L.multi_dot([a, b, c]),
         (rand(2, 3), rand(3, 4), rand(4, 2)),
         lambda a, b, c: np.linalg.multi_dot([a, b, c])),
    case("multi_dot-1d", lambda a, b, c: L.multi_dot([a, b, c]),
         (rand(3), rand(3, 4), rand(4)),
         lambda a, b, c: np.linalg.multi_dot([a, b, c])),
    case("multi_dot-4", lambda a, b, c, d: L.multi_dot([a, b, c, d]),
         (rand(3, 2), rand(2, 4), rand(4, 1), rand(1, 3)),
         lambda a, b, c, d: np.linalg.multi_dot([a, b, c, d]), hess=False),
    case("cond", L.cond, (general(3, 3),), np.linalg.cond),
    case("cond-1", lambda a: L.cond(a, 1), (general(3, 3),), lambda a: np.linalg.cond(a, 1)),
    case("trace-diag-vecdot", lambda a, b: (L.trace(a), L.diagonal(a, offset=1),
                                            L.vecdot(a, b), L.matrix_transpose(a)),
         (rand(2, 3, 3), rand(3)),
         lambda a, b: (np.linalg.trace(a), np.linalg.diagonal(a, offset=1),
                       np.linalg.vecdot(a, b), np.linalg.matrix_transpose(a))),
    case("outer-cross-tensordot", lambda a, b: (L.outer(a, b), L.cross(a, b),
                                                L.tensordot(a, b, axes=1), L.matmul(a, b)),
         (rand(3), rand(3)),
         lambda a, b: (np.linalg.outer(a, b), np.linalg.cross(a, b),
                       np.linalg.tensordot(a, b, axes=1), np.linalg.matmul(a, b))),
]

# norms: vector and matrix orders, axis, keepdims
_V = rand(4) + np.sign(rand(4)) * 0.3
_M = svd_separated(3, 3) + 0.01 * rand(3, 3)
_S = svd_separated(2, 3, 3) + 0.01 * rand(2, 3, 3)
for _ord in (None, 2, 1, np.inf, -np.inf, 3, 0.5, -1.5):
    CASES.append(case(f"norm-vec-{_ord}", lambda x, o=_ord: L.norm(x, o), (_V,),
                      lambda x, o=_ord: np.linalg.norm(x, o)))
for _ord in (None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf):
    CASES.append(case(f"norm-mat-{_ord}", lambda x, o=_ord: L.norm(x, o), (_M,),
                      lambda x, o=_ord: np.linalg.norm(x, o)))
CASES += [
    case("norm-axis", lambda x: L.norm(x, axis=1, keepdims=True), (rand(3, 4),),
         lambda x: np.linalg.norm(x, axis=1, keepdims=True)),
    case("norm-3d-none", lambda x: L.norm(x), (rand(2, 3, 2),), np.linalg.norm),
    case("norm-3d-keep", lambda x: L.norm(x, keepdims=True), (rand(2, 3, 2),),
         lambda x: np.linalg.norm(x, keepdims=True)),
    case("norm-mat-axes-1", lambda x: L.norm(x, 1, axis=(2, 0), keepdims=True),
         (_S.transpose(1, 2, 0),),
         lambda x: np.linalg.norm(x, 1, axis=(2, 0), keepdims=True)),
    case("norm-mat-axes-inf", lambda x: L.norm(x, np.inf, axis=(0, 2)), (_S,),
         lambda x: np.linalg.norm(x, np.inf, axis=(0, 2))),
    case("norm-mat-stack-2", lambda x: L.norm(x, 2, axis=(1, 2)), (_S,),
         lambda x: np.linalg.norm(x, 2, axis=(1, 2))),
    case("norm-mat-stack-nuc-keep", lambda x: L.norm(x, "nuc", axis=(-1, -2), keepdims=True),
         (_S,), lambda x: np.linalg.norm(x, "nuc", axis=(-1, -2), keepdims=True)),
    case("vector_norm", lambda x: L.vector_norm(x, axis=(0, 2), ord=3, keepdims=True),
         (rand(2, 3, 2),), lambda x: np.linalg.vector_norm(x, axis=(0, 2), ord=3,
                                                          keepdims=True)),
    case("vector_norm-all", lambda x: L.vector_norm(x), (rand(2, 3),), np.linalg.vector_norm),
    case("vector_norm-inf", lambda x: L.vector_norm(x, axis=-1, ord=np.inf), (rand(2, 3),),
         lambda x: np.linalg.vector_norm(x, axis=-1, ord=np.inf)),
    case("matrix_norm", lambda x: L.matrix_norm(x, keepdims=True), (_S,),
         lambda x: np.linalg.matrix_norm(x, keepdims=True)),
    case("matrix_norm-2", lambda x: L.matrix_norm(x, ord=2), (_S,),
         lambda x: np.linalg.matrix_norm(x, ord=2)),
]

# chainrule.scipy.linalg
_LT = lower_tri(3, 3)
CASES += [
    case("st-lower-vec", lambda a, b: csl.solve_triangular(a, b, lower=True),
         (_LT + np.triu(rand(3, 3), 1), rand(3)),
         lambda a, b: sla.solve_triangular(a, b, lower=True)),
    case("st-upper-mat", lambda a, b: csl.solve_triangular(a, b), (_LT.T, rand(3, 2)),
         lambda a, b: sla.solve_triangular(a, b)),
    case("st-trans-unit", lambda a, b: csl.solve_triangular(a, b, trans=1, lower=True,
                                                            unit_diagonal=True),
         (lower_tri(3, 3), rand(3, 2)),
         lambda a, b: sla.solve_triangular(a, b, trans=1, lower=True, unit_diagonal=True)),
    case("st-trans-T-stack", lambda a, b: csl.solve_triangular(a, b, trans="T"),
         (np.swapaxes(lower_tri(2, 3, 3), -1, -2), rand(2, 3, 2)),
         lambda a, b: sla.solve_triangular(a, b, trans="T")),
    case("st-stack-vec", lambda a, b: csl.solve_triangular(a, b, lower=True),
         (lower_tri(2, 3, 3), rand(3)),
         lambda a, b: sla.solve_triangular(a, b, lower=True)),
    case("cho_factor-upper", lambda a: csl.cho_factor(a)[0], (spd(3, 3),),
         lambda a: np.triu(sla.cho_factor(a)[0])),
    case("cho_factor-lower", lambda a: csl.cho_factor(a, lower=True)[0], (spd(3, 3),),
         lambda a: np.tril(sla.cho_factor(a, lower=True)[0])),
    case("cho_solve-vec", lambda a, b: csl.cho_solve(csl.cho_factor(a), b),
         (spd(3, 3), rand(3)),
         lambda a, b: sla.cho_solve(sla.cho_factor(a), b)),
    case("cho_solve-mat-lower", lambda c, b: csl.cho_solve((c, True), b),
         (np.linalg.cholesky(spd(3, 3)), rand(3, 2)),
         lambda c, b: sla.cho_solve((c, True), b)),
    case("cho_solve-upper-factor", lambda c, b: csl.cho_solve((c, False), b),
         (np.linalg.cholesky(spd(3, 3)).T, rand(3, 2)),
         lambda c, b: sla.cho_solve((c, False), b)),
    case("sp-cholesky", csl.cholesky, (spd(3, 3),), sla.cholesky),
    case("sp-cholesky-lower", lambda a: csl.cholesky(a, lower=True), (spd(3, 3),),
         lambda a: sla.cholesky(a, lower=True)),
    case("sp-solve", csl.solve, (general(3, 3), rand(3, 2)), sla.solve),
    case("sp-solve-pos", lambda a, b: csl.solve(a, b, assume_a="pos"),
         (spd(3, 3) + np.tril(rand(3, 3), -1), rand(3)),
         lambda a, b: sla.solve(a, b, assume_a="pos")),
    case("sp-solve-sym-lower-T", lambda a, b: csl.solve(a, b, assume_a="sym", lower=True,
                                                        transposed=True),
         (spd(3, 3) + np.triu(rand(3, 3), 1), rand(3)),
         lambda a, b: sla.solve(a, b, assume_a="sym", lower=True, transposed=True)),
    case("sp-solve-triangular", lambda a, b: csl.solve(a, b, assume_a="lower triangular"),
         (_LT + np.triu(rand(3, 3), 1), rand(3)),
         lambda a, b: sla.solve(a, b, assume_a="lower triangular")),
    case("sp-inv", csl.inv, (general(3, 3),), sla.inv),
    case("sp-inv-pos", lambda a: csl.inv(a, assume_a="pos", lower=True),
         (spd(3, 3) + np.triu(rand(3, 3), 1),),
         lambda a: sla.inv(a, assume_a="pos", lower=True)),
    case("sp-det", csl.det, (general(3, 3),), sla.det),
]


@pytest.mark.parametrize("f, args, ref, kw", CASES)
def test_rule(f, args, ref, kw):
    run_checks(f, args, ref, **kw)


# ------------------------------------------------------------- plain calls are NumPy's
def test_plain_calls_return_numpy_results():
    a = spd(3, 3)
    assert type(cla.eigh(a)) is type(np.linalg.eigh(a))
    assert type(cla.svd(a)) is type(np.linalg.svd(a))
    assert type(cla.slogdet(a)) is type(np.linalg.slogdet(a))
    u, s, vh = cla.svd(rand(4, 3))                     # full_matrices=True: NumPy's
    assert u.shape == (4, 4)
    c, low = csl.cho_factor(a)
    assert low is False and np.all(np.tril(c, -1) == 0)
    assert np.allclose(np.triu(c), sla.cholesky(a))


def test_traced_results_are_named_tuples():
    def f(a):
        r = cla.eigh(a)
        s = cla.svd(a, full_matrices=False)
        q = cla.qr(a)
        d = cla.slogdet(a)
        return cnp.sum(r.eigenvalues) + cnp.sum(s.S) + cnp.sum(q.R) + d.logabsdet
    cr.grad(f)(spd(3, 3))


def test_slogdet_sign_is_constant():
    a = -general(3, 3)
    a[0] *= -1
    sign, logdet = cr.jvp(lambda x: cla.slogdet(x)[0], (a,), (rand(3, 3),))
    assert np.all(logdet == 0)


# ----------------------------------------------------------------- conventions, errors
def test_norm_at_zero_has_zero_gradient():
    z = np.zeros(4)
    for o in (None, 2, 1, np.inf, 3, 0.5):
        g = cr.grad(lambda v: cla.norm(v, o))(z)
        assert np.all(np.isfinite(g)) and np.all(g == 0), o
        g = cr.jacfwd(lambda v: cla.norm(v, o))(z)
        assert np.all(np.isfinite(g)) and np.all(g == 0), o
    for o in (None, "fro", 1, np.inf):
        g = cr.grad(lambda m: cla.norm(m, o))(np.zeros((2, 3)))
        assert np.all(g == 0), o
    # zeros in some rows only: those rows get 0, the others the usual gradient
    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    g = cr.jacrev(lambda m: cla.norm(m, axis=1))(x)
    assert np.all(np.isfinite(g)) and np.allclose(g[1, 1], [0.6, 0.8]) and np.all(g[0] == 0)
    h = cr.hessian(lambda v: cla.norm(v))(z)            # second order: 0 too, no NaN
    assert np.all(h == 0)
    h = cr.hessian(lambda v: cla.vector_norm(v))(np.array([0.0, 3.0, 4.0]))
    assert np.all(np.isfinite(h))
    # entries at 0 inside a nonzero vector: p-norm derivative 0 there (p > 1) and no NaN
    g = cr.grad(lambda v: cla.norm(v, 3))(np.array([0.0, 1.0, -2.0]))
    assert np.isfinite(g).all() and g[0] == 0


def test_norm_zero_order_is_a_count():
    x = np.array([0.0, 1.5, -2.0])
    assert cla.norm(x, 0) == 2.0
    assert np.all(cr.grad(lambda v: cla.norm(v, 0) + cnp.sum(v))(x) == 1.0)


def test_svd_full_matrices_error_names_the_argument():
    with pytest.raises(ValueError, match="full_matrices"):
        cr.grad(lambda a: cnp.sum(cla.svd(a)[0]))(rand(4, 3))
    # singular values only: fine with the default full_matrices
    cr.grad(lambda a: cnp.sum(cla.svd(a, compute_uv=False)))(rand(4, 3))


def test_errors():
    with pytest.raises(ValueError, match="UPLO"):
        cr.grad(lambda a: cnp.sum(cla.eigh(a, UPLO="X")[0]))(spd(2, 2))
    with pytest.raises(ValueError, match="mode"):
        cr.grad(lambda a: cnp.sum(cla.qr(a, mode="complete")[0]))(rand(4, 3))
    with pytest.raises(ValueError, match="vectors"):
        cr.grad(lambda a: cla.norm(a, "fro"))(rand(3))
    with pytest.raises(ValueError, match="matrices"):
        cr.grad(lambda a: cla.norm(a, 3))(rand(3, 3))
    with pytest.raises(TypeError, match="out="):
        cla.multi_dot([rand(2, 2), rand(2, 2)], out=np.zeros((2, 2)))
    with pytest.raises(AttributeError, match="no derivative rule"):
        cla.eig                                            # noqa: B018
    with pytest.raises(ValueError, match="trans"):
        cr.grad(lambda a: cnp.sum(csl.solve_triangular(a, np.ones(2), trans=5)))(spd(2, 2))
    with pytest.raises(ValueError, match="assume_a"):
        cr.grad(lambda a: cnp.sum(csl.solve(a, np.ones(2), assume_a="banded")))(spd(2, 2))


def test_matrix_power_zero_and_rank():
    a = rand(2, 3, 3)
    assert np.allclose(cr.jacfwd(lambda x: cla.matrix_power(x, 0))(a), 0)
    assert np.array_equal(cla.matrix_power(a, 0), np.linalg.matrix_power(a, 0))
    assert cla.matrix_rank(spd(3, 3)) == 3


def test_repeated_eigenvalues_give_no_nan():
    # eigenvalue derivatives are fine at a repeated eigenvalue; no NaN anywhere
    g = cr.grad(lambda a: cnp.sum(cla.eigvalsh(a) ** 2))(np.eye(3))
    assert np.allclose(g, 2 * np.eye(3))
    g = cr.grad(lambda a: cnp.sum(cla.svd(a, compute_uv=False)))(np.eye(3))
    assert np.allclose(g, np.eye(3))
    g = cr.grad(lambda a: cla.norm(a, "nuc"))(np.zeros((2, 2)))
    assert np.all(np.isfinite(g))


def test_float32_preserved():
    a = spd(3, 3).astype(np.float32)
    for f in (lambda x: cnp.sum(cla.inv(x)), lambda x: cla.det(x),
              lambda x: cnp.sum(cla.cholesky(x)), lambda x: cnp.sum(cla.eigh(x)[1]),
              lambda x: cla.norm(x)):
        g = cr.grad(f)(a)
        assert g.dtype == np.float32


def test_registry():
    names = {e["name"] for e in PUBLIC.values() if e["namespace"] == "numpy.linalg"}
    assert {"inv", "det", "slogdet", "solve", "cholesky", "norm", "eigh", "eigvalsh", "svd",
            "pinv", "qr", "matrix_power", "multi_dot", "lstsq", "vector_norm",
            "matrix_norm"} <= names
    names = {e["name"] for e in PUBLIC.values() if e["namespace"] == "scipy.linalg"}
    assert {"solve_triangular", "cho_factor", "cho_solve", "cholesky", "solve", "inv",
            "det"} <= names


@pytest.mark.parametrize("mod", [cla, csl], ids=["numpy.linalg", "scipy.linalg"])
def test_doctests(mod):
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0
