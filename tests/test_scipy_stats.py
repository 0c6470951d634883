"""chainrule.scipy.stats: values against SciPy, derivatives in the value and in every
parameter against finite differences (both modes, to second order), jacfwd == jacrev,
broadcasting, support edges, invalid parameters, clear errors."""
import numpy as np
import pytest

st = pytest.importorskip("scipy.stats")

import chainrule as cr  # noqa: E402
import chainrule.numpy as cnp  # noqa: E402
import chainrule.scipy.stats as cst  # noqa: E402
from chainrule.numpy._registry import PUBLIC  # noqa: E402

RNG = np.random.default_rng(7)

# name -> (domain of the standardized point z, domains of the shape parameters,
#          shape parameters without a derivative in cdf/sf/ppf/isf)
CONT = {
    "norm": ((-2.5, 2.5), {}, ()),
    "t": ((-2.5, 2.5), {"df": (2.0, 6.0)}, ("df",)),
    "expon": ((0.1, 3.0), {}, ()),
    "laplace": ((-2.5, 2.5), {}, ()),
    "cauchy": ((-2.5, 2.5), {}, ()),
    "logistic": ((-2.5, 2.5), {}, ()),
    "uniform": ((0.1, 0.9), {}, ()),
    "gamma": ((0.3, 4.0), {"a": (1.5, 3.0)}, ("a",)),
    "chi2": ((0.3, 4.0), {"df": (2.5, 5.0)}, ("df",)),
    "lognorm": ((0.3, 3.0), {"s": (0.4, 1.2)}, ()),
    "beta": ((0.1, 0.9), {"a": (1.5, 3.0), "b": (1.5, 3.0)}, ("a", "b")),
}
DENSITY = ("logpdf", "pdf")
CDFS = ("cdf", "logcdf", "sf", "logsf")
QUANTILES = ("ppf", "isf")


def u(lo_hi, shape=()):
    return RNG.uniform(lo_hi[0], lo_hi[1], shape)


def point(name, xshape=(3, 4), pshape=(4,)):
    """x, loc, scale and shape parameters with x inside the support; loc and the shape
    parameters broadcast against x."""
    zdom, sdoms, _ = CONT[name]
    shapes = [u(d, pshape) for d in sdoms.values()]
    loc = u((-0.5, 0.5), pshape)
    scale = u((0.8, 1.5))
    x = loc + scale * u(zdom, xshape)
    return x, loc, scale, shapes


def test_public_entries():
    names = {e["name"] for e in PUBLIC.values() if e["namespace"] == "scipy.stats"}
    for d in ("norm", "t", "beta", "gamma"):
        for m in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"):
            assert f"{d}.{m}" in names
    for m in ("logpmf", "pmf", "cdf"):
        assert f"poisson.{m}" in names
    assert {"multivariate_normal.logpdf", "dirichlet.logpdf"} <= names


@pytest.mark.parametrize("name", list(CONT))
@pytest.mark.parametrize("method", DENSITY + CDFS + QUANTILES)
def test_values_against_scipy(name, method):
    x, loc, scale, shapes = point(name)
    if method in QUANTILES:
        x = u((0.05, 0.95), x.shape)
    got = getattr(getattr(cst, name), method)(x, *shapes, loc=loc, scale=scale)
    want = getattr(getattr(st, name), method)(x, *shapes, loc=loc, scale=scale)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(CONT))
@pytest.mark.parametrize("method", DENSITY + CDFS + QUANTILES)
def test_derivatives(name, method):
    """Value, loc, scale and (where a closed form exists) the shape parameters, all at
    once; second order, both modes. Shapes: x (3, 4) against loc and shapes (4,)."""
    x, loc, scale, shapes = point(name, (2, 3), (3,))
    if method in QUANTILES:
        x = u((0.1, 0.9), x.shape)
    dist = getattr(cst, name)
    snames = list(CONT[name][1])
    nodiff = CONT[name][2] if method not in DENSITY else ()
    diff = [i for i, s in enumerate(snames) if s not in nodiff]

    def f(x, loc, scale, *ds):
        sh = list(shapes)
        for i, v in zip(diff, ds):
            sh[i] = v
        return getattr(dist, method)(x, *sh, loc=loc, scale=scale)

    args = (x, loc, scale) + tuple(shapes[i] for i in diff)
    cr.check_grads(f, args, order=2)
    g = lambda x: f(x, *args[1:])  # noqa: E731
    np.testing.assert_allclose(cr.jacfwd(g)(x), cr.jacrev(g)(x), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", ["norm", "t", "gamma", "beta"])
def test_hessian_both_ways(name):
    x, loc, scale, shapes = point(name, (3,), ())

    def s(x):
        return cnp.sum(getattr(cst, name).logpdf(x, *shapes, loc=loc, scale=scale) ** 2)
    np.testing.assert_allclose(cr.jacfwd(cr.jacrev(s))(x), cr.jacrev(cr.jacfwd(s))(x),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,param,method", [
    ("t", "df", "cdf"), ("t", "df", "sf"), ("t", "df", "ppf"), ("gamma", "a", "cdf"),
    ("gamma", "a", "logsf"), ("beta", "a", "cdf"), ("beta", "b", "cdf"),
    ("chi2", "df", "cdf"),
])
def test_shape_parameter_of_cdf_raises(name, param, method):
    _, loc, scale, shapes = point(name, (), ())
    snames = list(CONT[name][1])
    k = snames.index(param)

    def f(p):
        sh = list(shapes)
        sh[k] = p
        return getattr(getattr(cst, name), method)(0.5, *sh)
    for transform in (cr.grad, cr.jacfwd):
        with pytest.raises(cr.NoDerivativeRuleError,
                           match=f"chainrule.scipy.stats.{name}.*argument '{param}'"):
            transform(f)(shapes[k])
    with pytest.raises(NotImplementedError):
        cr.grad(f)(shapes[k])


@pytest.mark.parametrize("name", ["expon", "gamma", "beta", "uniform", "lognorm"])
def test_outside_support(name):
    dist, ref = getattr(cst, name), getattr(st, name)
    shapes = [2.0] * len(CONT[name][1])
    x = np.array([-1.0, -0.0, 0.0, 1.0, 1.5, 7.0])
    for m in DENSITY + CDFS:
        np.testing.assert_allclose(getattr(dist, m)(x, *shapes), getattr(ref, m)(x, *shapes),
                                   rtol=1e-12, err_msg=f"{name}.{m}")
        xs = np.array([-1.0, 5.0]) if name in ("beta", "uniform") else np.array([-1.0])
        for transform in (cr.grad, lambda f: (lambda x: cr.jvp(f, (x,), (np.ones_like(x),))[1])):
            d = transform(lambda x: cnp.sum(getattr(dist, m)(x, *shapes)))(xs)
            np.testing.assert_array_equal(d, 0.0)


def test_invalid_parameters_give_nan():
    assert np.isnan(cst.norm.logpdf(0.5, scale=-1.0))
    assert np.isnan(cst.gamma.cdf(0.5, -1.0))
    assert np.isnan(cst.norm.ppf(1.5))
    np.testing.assert_array_equal(np.isnan(cst.t.logpdf(0.5, np.array([-1.0, 2.0]))),
                                  [True, False])
    np.testing.assert_allclose(cst.norm.ppf([0.0, 1.0]), [-np.inf, np.inf])
    assert np.isnan(cst.poisson.logpmf(1, -1.0))


def test_argument_conventions_and_frozen():
    x = np.array([0.3, 1.2])
    a = cst.t.logpdf(x, 3.0, 0.5, 2.0)
    b = cst.t.logpdf(x, df=3.0, loc=0.5, scale=2.0)
    c = cst.t(3.0, loc=0.5, scale=2.0).logpdf(x)
    np.testing.assert_allclose(a, st.t.logpdf(x, 3.0, 0.5, 2.0))
    np.testing.assert_allclose(b, a)
    np.testing.assert_allclose(c, a)
    g = cr.grad(lambda m: cnp.sum(cst.norm(m, 2.0).logpdf(x)))(0.1)
    assert np.isclose(g, np.sum(x - 0.1) / 4.0)
    with pytest.raises(TypeError, match="t.logpdf: missing required argument 'df'"):
        cst.t.logpdf(x)
    with pytest.raises(TypeError, match="unexpected keyword"):
        cst.norm.logpdf(x, mu=1.0)
    with pytest.raises(TypeError, match="at most"):
        cst.norm.cdf(x, 0.0, 1.0, 2.0)
    assert isinstance(cst.norm.logpdf(0.3), np.float64)


def test_python_scalars_and_lists():
    assert np.isclose(cst.norm.logpdf(1, 0, 1), st.norm.logpdf(1, 0, 1))
    np.testing.assert_allclose(cst.gamma.logpdf([1, 2], 2, loc=[0, 0.5]),
                               st.gamma.logpdf([1, 2], 2, loc=[0, 0.5]))


def test_tail_stability():
    for x in (-40.0, -1e3):
        g = cr.grad(cst.norm.logcdf)(x)
        assert np.isfinite(cst.norm.logcdf(x)) and np.isfinite(g) and g > 0
    assert np.isclose(cr.grad(cst.norm.logsf)(40.0), -40.0, rtol=1e-3)
    for m in ("logcdf", "logsf", "logpdf"):
        v = getattr(cst.logistic, m)(np.array([-800.0, 800.0]))
        d = cr.grad(lambda x: cnp.sum(getattr(cst.logistic, m)(x)))(np.array([-800.0, 800.0]))
        assert np.all(np.isfinite(v)) and np.all(np.isfinite(d)), m
    d = cr.grad(lambda x: cnp.sum(cst.laplace.logcdf(x)))(np.array([-800.0, 800.0]))
    assert np.all(np.isfinite(d))
    np.testing.assert_allclose(cst.laplace.logsf(np.array([-800.0, 800.0])),
                               [0.0, -800.0 - np.log(2.0)])       # SciPy gives -inf


# ------------------------------------------------------------------------------ discrete
DISC = {
    "poisson": ({"mu": (0.5, 4.0)}, np.array([-1.0, 0.0, 1.0, 2.5, 3.0, 7.0])),
    "bernoulli": ({"p": (0.1, 0.9)}, np.array([-1.0, 0.0, 0.5, 1.0, 2.0])),
    "binom": ({"n": 5, "p": (0.1, 0.9)}, np.array([-1.0, 0.0, 2.0, 2.5, 5.0, 6.0])),
    "geom": ({"p": (0.1, 0.9)}, np.array([0.0, 1.0, 2.0, 3.5, 6.0])),
}
DMETHODS = ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf")


def dparams(name):
    return [u(d) if isinstance(d, tuple) else d for d in DISC[name][0].values()]


@pytest.mark.parametrize("name", list(DISC))
@pytest.mark.parametrize("method", DMETHODS)
def test_discrete(name, method):
    params = dparams(name)
    k = DISC[name][1]
    dist, ref = getattr(cst, name), getattr(st, name)
    np.testing.assert_allclose(getattr(dist, method)(k, *params),
                               getattr(ref, method)(k, *params), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(getattr(dist, method)(k + 2, *params, loc=2),
                               getattr(ref, method)(k + 2, *params, loc=2), rtol=1e-10,
                               atol=1e-14)
    i = next(j for j, d in enumerate(DISC[name][0].values()) if isinstance(d, tuple))
    kin = k[(k >= 0) & (k == np.floor(k)) & (k <= 4) & (k >= (1 if name == "geom" else 0))]
    if name == "bernoulli":                          # k = 1 is the top: sf = 0 there
        kin = kin[kin < 1] if method in ("cdf", "logcdf", "sf", "logsf") else kin[kin <= 1]

    def f(p):
        ps = list(params)
        ps[i] = p
        return getattr(dist, method)(kin, *ps)
    p0 = np.full(kin.shape, params[i])
    cr.check_grads(f, (p0,), order=2)
    np.testing.assert_allclose(cr.jacfwd(f)(p0), cr.jacrev(f)(p0), rtol=1e-10, atol=1e-13)


def test_poisson_zero_rate_and_gradient_value():
    assert cst.poisson.logpmf(0, 0.0) == 0.0
    mu = 2.5
    k = np.arange(6.0)
    g = cr.grad(lambda mu: cnp.sum(cst.poisson.logpmf(k, mu)))(mu)
    assert np.isclose(g, np.sum(k / mu - 1.0))


# --------------------------------------------------------------------------- multivariate
def _linalg_ready():
    import chainrule.numpy.linalg as la
    return hasattr(la, "cholesky") or (hasattr(la, "slogdet") and hasattr(la, "solve"))


def spd(d, rng=RNG):
    a = rng.normal(size=(d, d))
    return a @ a.T + d * np.eye(d)


@pytest.mark.parametrize("xshape", [(3,), (4, 3), (2, 2, 3)])
@pytest.mark.parametrize("covkind", ["scalar", "diag", "full"])
def test_mvn_values_and_derivatives(xshape, covkind):
    if covkind == "full" and not _linalg_ready():
        pytest.skip("chainrule.numpy.linalg (cholesky or slogdet/solve) not available yet")
    d = 3
    x = RNG.normal(size=xshape)
    mean = RNG.normal(size=d)
    cov = {"scalar": 1.7, "diag": RNG.uniform(0.5, 2.0, d), "full": spd(d)}[covkind]
    got = cst.multivariate_normal.logpdf(x, mean, cov)
    np.testing.assert_allclose(got, st.multivariate_normal.logpdf(x, mean, cov), rtol=1e-10)
    np.testing.assert_allclose(cst.multivariate_normal.pdf(x, mean=mean, cov=cov),
                               st.multivariate_normal.pdf(x, mean=mean, cov=cov), rtol=1e-10)

    def f(x, mean, cov):
        if np.ndim(cov) == 2:
            cov = 0.5 * (cov + cov.T)          # derivatives of a symmetric matrix
        return cst.multivariate_normal.logpdf(x, mean, cov)
    cr.check_grads(f, (x, mean, np.asarray(cov, dtype=float)), order=2)
    g = lambda m: f(x, m, cov)  # noqa: E731
    np.testing.assert_allclose(cr.jacfwd(g)(mean), cr.jacrev(g)(mean), rtol=1e-10)


def test_mvn_full_cov_without_triangular_solve(monkeypatch):
    """The slogdet/solve fallback gives the same density and derivatives."""
    if not _linalg_ready():
        pytest.skip("chainrule.numpy.linalg not available yet")
    from chainrule.scipy.stats import _multivariate
    x, mean, cov = RNG.normal(size=(4, 3)), RNG.normal(size=3), spd(3)
    f = lambda x, c: cst.multivariate_normal.logpdf(x, mean, 0.5 * (c + c.T))  # noqa: E731
    want = cr.grad(lambda c: cnp.sum(f(x, c)))(cov)
    monkeypatch.setattr(_multivariate, "_solve_triangular", lambda: None)
    np.testing.assert_allclose(f(x, cov), st.multivariate_normal.logpdf(x, mean, cov))
    np.testing.assert_allclose(cr.grad(lambda c: cnp.sum(f(x, c)))(cov), want, rtol=1e-10)
    cr.check_grads(f, (x, cov), order=2)


def test_mvn_allow_singular():
    import chainrule.numpy.linalg as la
    if not hasattr(la, "eigh"):
        pytest.skip("chainrule.numpy.linalg.eigh not available yet")
    b = RNG.normal(size=(3, 2))
    cov = b @ b.T                                    # rank 2
    mean = RNG.normal(size=3)
    on = mean + (b @ RNG.normal(size=(2, 4))).T       # 4 points on the support
    off = on[0] + np.array([0.3, -0.2, 0.5])
    x = np.vstack([on, off])
    np.testing.assert_allclose(
        cst.multivariate_normal.logpdf(x, mean, cov, allow_singular=True),
        st.multivariate_normal.logpdf(x, mean, cov, allow_singular=True), rtol=1e-8)
    # derivatives along the support: x = mean + B t
    t0 = RNG.normal(size=(4, 2))
    f = lambda t, m: cst.multivariate_normal.logpdf(m + t @ b.T, m, cov,  # noqa: E731
                                                    allow_singular=True)
    cr.check_grads(f, (t0, mean), order=2)
    # a regular matrix gives the ordinary density, differentiable in cov too
    full = spd(3)
    g = lambda x, c: cst.multivariate_normal.logpdf(x, mean, 0.5 * (c + c.T),  # noqa: E731
                                                    allow_singular=True)
    np.testing.assert_allclose(g(on, full), st.multivariate_normal.logpdf(on, mean, full))
    cr.check_grads(g, (on, full), order=2)
    with pytest.raises(np.linalg.LinAlgError):
        cst.multivariate_normal.logpdf(on, mean, cov)


def test_mvn_one_dimensional_and_frozen():
    for x in (0.3, np.array([0.3, -1.0, 2.0])):
        np.testing.assert_allclose(cst.multivariate_normal.logpdf(x, 0.5, 2.0),
                                   st.multivariate_normal.logpdf(x, 0.5, 2.0))
    rv = cst.multivariate_normal(np.zeros(2), np.array([1.0, 2.0]))
    assert np.isclose(rv.logpdf(np.array([0.1, 0.2])),
                      st.multivariate_normal(np.zeros(2), np.array([1.0, 2.0])).logpdf([0.1, 0.2]))
    with pytest.raises(ValueError, match="mean"):
        cst.multivariate_normal.logpdf(np.zeros(3), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="last axis"):
        cst.multivariate_normal.logpdf(np.zeros(3), np.zeros(2))


def test_dirichlet():
    alpha = np.array([1.5, 2.0, 3.0])
    x = RNG.dirichlet(alpha, size=4).T               # components on the first axis
    for xx in (x, x[:, 0], x[:2], x[:2, 0]):
        np.testing.assert_allclose(cst.dirichlet.logpdf(xx, alpha),
                                   st.dirichlet.logpdf(xx, alpha), rtol=1e-12)
    np.testing.assert_allclose(cst.dirichlet.pdf(x, alpha), st.dirichlet.pdf(x, alpha))
    # in the K-1 form finite differences stay on the simplex
    cr.check_grads(lambda x, a: cst.dirichlet.logpdf(x, a), (x[:2], alpha), order=2)
    cr.check_grads(lambda a: cst.dirichlet.logpdf(x, a), (alpha,), order=2)
    f = lambda a: cst.dirichlet.logpdf(x, a)  # noqa: E731
    np.testing.assert_allclose(cr.jacfwd(f)(alpha), cr.jacrev(f)(alpha), rtol=1e-10)
    with pytest.raises(ValueError, match="simplex"):
        cst.dirichlet.logpdf(np.array([0.2, 0.2, 0.2]), alpha)
    with pytest.raises(ValueError, match="greater than 0"):
        cst.dirichlet.logpdf(x, -alpha)
    with pytest.raises(ValueError, match="entries on its first axis"):
        cst.dirichlet.logpdf(np.ones(5) / 5, alpha)


def test_clear_error_without_scipy():
    import subprocess
    import sys
    code = ("import sys\nsys.modules['scipy'] = None\nsys.modules['scipy.special'] = None\n"
            "try:\n    import chainrule.scipy.stats\n"
            "except ImportError as e:\n    print(e)\nelse:\n    print('imported')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"PYTHONPATH": ":".join(sys.path)})
    assert r.returncode == 0, r.stderr
    assert "chainrule.scipy.stats needs SciPy" in r.stdout and "pip install" in r.stdout
