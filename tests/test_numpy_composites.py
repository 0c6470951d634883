"""Functions of chainrule/numpy/_composites.py: values against NumPy, derivatives against
finite differences (both modes, second order) and jacfwd against jacrev."""
import doctest

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
import chainrule.numpy._composites as comp

rng = np.random.default_rng(1)
a = rng.uniform(0.5, 1.5, 6)
v = rng.uniform(0.5, 1.5, 3)
M = rng.uniform(0.5, 1.5, (3, 5))
xs = np.sort(rng.uniform(0, 1, 5))
knots = np.linspace(0, 2, 6)

CASES = {
    "diff": (lambda a: cnp.diff(a, n=2), (a,), lambda a: np.diff(a, n=2)),
    "diff_axis_prepend_append": (lambda M: cnp.diff(M, axis=0, prepend=0.0, append=M[:1]),
                                 (M,), lambda M: np.diff(M, axis=0, prepend=0.0,
                                                         append=M[:1])),
    "ediff1d": (lambda a: cnp.ediff1d(a, to_end=[1.0], to_begin=0.5), (a,),
                lambda a: np.ediff1d(a, to_end=[1.0], to_begin=0.5)),
    "convolve_full": (lambda a, v: cnp.convolve(a, v), (a, v), np.convolve),
    "convolve_same": (lambda a, v: cnp.convolve(v, a, "same"), (a, v),
                      lambda a, v: np.convolve(v, a, "same")),
    "convolve_valid": (lambda a, v: cnp.convolve(a, v, "valid"), (a, v),
                       lambda a, v: np.convolve(a, v, "valid")),
    "correlate": (lambda a, v: cnp.correlate(a, v, "full"), (a, v),
                  lambda a, v: np.correlate(a, v, "full")),
    "interp": (lambda x, fp: cnp.interp(x, knots, fp), (np.array([-0.5, 0.13, 0.9, 1.77, 2.5]), a),
               lambda x, fp: np.interp(x, knots, fp)),
    "interp_in_xp": (lambda xp: cnp.interp(np.array([0.13, 0.9]), xp, a), (knots,),
                     lambda xp: np.interp([0.13, 0.9], xp, a)),
    "quantile": (lambda M: cnp.quantile(M, np.array([0.2, 0.7]), axis=1), (M,),
                 lambda M: np.quantile(M, [0.2, 0.7], axis=1)),
    "quantile_keepdims": (lambda M: cnp.quantile(M, 0.3, axis=0, keepdims=True), (M,),
                          lambda M: np.quantile(M, 0.3, axis=0, keepdims=True)),
    "quantile_in_q": (lambda q: cnp.quantile(a, q), (np.array([0.3, 0.55]),),
                      lambda q: np.quantile(a, q)),
    "median_axis": (lambda M: cnp.median(M, axis=1), (M,), lambda M: np.median(M, axis=1)),
    "median": (lambda a: cnp.median(a), (a,), np.median),
    "percentile": (lambda a: cnp.percentile(a, 30), (a,), lambda a: np.percentile(a, 30)),
    "nanmax": (lambda M: cnp.nanmax(M, axis=0), (M,), lambda M: np.nanmax(M, axis=0)),
    "nanmin": (lambda M: cnp.nanmin(M, axis=1), (M,), lambda M: np.nanmin(M, axis=1)),
    "nanprod": (lambda a: cnp.nanprod(a), (a,), np.nanprod),
    "nancumsum": (lambda a: cnp.nancumsum(a), (a,), np.nancumsum),
    "nan_to_num": (lambda a: cnp.nan_to_num(a), (a,), np.nan_to_num),
    "polyval": (lambda p, x: cnp.polyval(p, x), (v, a), np.polyval),
    "vander": (lambda v: cnp.vander(v, 4), (v,), lambda v: np.vander(v, 4)),
    "vander_increasing": (lambda v: cnp.vander(v, increasing=True), (v,),
                          lambda v: np.vander(v, increasing=True)),
    "trapezoid": (lambda M, x: cnp.trapezoid(M, x), (M, xs), np.trapezoid),
    "trapezoid_dx": (lambda a: cnp.trapezoid(a, dx=0.5), (a,), lambda a: np.trapezoid(a, dx=0.5)),
    "cov": (lambda M: cnp.cov(M), (M,), np.cov),
    "cov_rowvar_false": (lambda M: cnp.cov(M, rowvar=False), (M,),
                         lambda M: np.cov(M, rowvar=False)),
    "corrcoef": (lambda M: cnp.corrcoef(M), (M,), np.corrcoef),
    "meshgrid": (lambda a, v: cnp.meshgrid(a, v)[0] * cnp.meshgrid(a, v)[1] ** 2, (a, v),
                 lambda a, v: np.meshgrid(a, v)[0] * np.meshgrid(a, v)[1] ** 2),
    "meshgrid_ij": (lambda a, v: cnp.meshgrid(a, v, indexing="ij")[1] * 2.0, (a, v),
                    lambda a, v: np.meshgrid(a, v, indexing="ij")[1] * 2.0),
    "vecdot": (lambda M, x: cnp.vecdot(M, x), (M, a[:5]), np.vecdot),
    "matvec": (lambda M, x: cnp.matvec(M, x), (M, a[:5]), np.matvec),
    "vecmat": (lambda M, x: cnp.vecmat(x, M), (M, v), lambda M, x: np.vecmat(x, M)),
    "cumulative_sum": (lambda a: cnp.cumulative_sum(a, include_initial=True), (a,),
                       lambda a: np.cumulative_sum(a, include_initial=True)),
    "real": (lambda a: cnp.real(a) * 2, (a,), lambda a: np.real(a) * 2),
    "conj": (lambda a: cnp.conj(a) * cnp.conjugate(a), (a,), lambda a: a * a),  # + conjugate
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_composite(name):
    f, args, ref = CASES[name]
    np.testing.assert_allclose(f(*args), ref(*args), rtol=1e-12, atol=1e-12)
    cr.check_grads(f, args, order=2)
    for k in range(len(args)):
        np.testing.assert_allclose(cr.jacfwd(f, argnums=k)(*args),
                                   cr.jacrev(f, argnums=k)(*args), rtol=1e-10, atol=1e-12)


def test_every_composite_is_covered():
    names = {e["name"] for e in cnp._PUBLIC.values()
             if getattr(e["fn"], "__module__", "") == comp.__name__} - {"conjugate"}
    missing = {n for n in names if not any(k == n or k.startswith(n + "_") for k in CASES)}
    assert not missing, f"composites without a test case: {sorted(missing)}"


def test_nan_aware_derivatives_skip_nans():
    x = np.array([1.0, np.nan, 3.0])
    np.testing.assert_array_equal(cr.grad(lambda x: cnp.nanmax(x))(x), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(cr.grad(lambda x: cnp.nanprod(x))(x), [3.0, 0.0, 1.0])
    np.testing.assert_array_equal(cr.grad(lambda x: cnp.sum(cnp.nan_to_num(x)))(x),
                                  [1.0, 0.0, 1.0])


def test_doctests():
    res = doctest.testmod(comp)
    assert res.failed == 0 and res.attempted > 20
