"""chainrule.scipy.special: values against SciPy, derivatives against finite differences
(both modes, to second order), jacfwd == jacrev, Hessians both ways, stability."""
import subprocess
import sys

import numpy as np
import pytest

sc = pytest.importorskip("scipy.special")

import chainrule as cr  # noqa: E402
import chainrule.numpy as cnp  # noqa: E402
import chainrule.scipy.special as csp  # noqa: E402
from chainrule.numpy._registry import PUBLIC  # noqa: E402

RNG = np.random.default_rng(1234)


def U(lo, hi):
    return ("u", lo, hi)


# name -> (domains of the arguments, indices of differentiable arguments).
# A domain is U(lo, hi) (random floats) or a constant (integer orders, fixed shapes).
TABLE = {
    "expit": ([U(-3, 3)], (0,)),
    "logit": ([U(0.05, 0.95)], (0,)),
    "log_expit": ([U(-3, 3)], (0,)),
    "erf": ([U(-2, 2)], (0,)),
    "erfc": ([U(-2, 2)], (0,)),
    "erfcx": ([U(-1, 2)], (0,)),
    "erfinv": ([U(-0.9, 0.9)], (0,)),
    "erfcinv": ([U(0.1, 1.9)], (0,)),
    "dawsn": ([U(-2, 2)], (0,)),
    "ndtr": ([U(-3, 3)], (0,)),
    "ndtri": ([U(0.05, 0.95)], (0,)),
    "log_ndtr": ([U(-6, 3)], (0,)),
    "ndtri_exp": ([U(-5, -0.1)], (0,)),
    "gammaln": ([U(0.5, 4)], (0,)),
    "loggamma": ([U(0.5, 4)], (0,)),
    "digamma": ([U(0.5, 4)], (0,)),
    "psi": ([U(0.5, 4)], (0,)),
    "gamma": ([U(0.5, 4)], (0,)),
    "rgamma": ([U(0.5, 4)], (0,)),
    "polygamma": ([2, U(0.5, 4)], (1,)),
    "betaln": ([U(0.5, 3), U(0.5, 3)], (0, 1)),
    "beta": ([U(0.5, 3), U(0.5, 3)], (0, 1)),
    "poch": ([U(0.5, 3), U(0.2, 2)], (0, 1)),
    "binom": ([U(3, 6), U(0.5, 2.5)], (0, 1)),
    "gammainc": ([U(0.5, 3), U(0.2, 4)], (1,)),
    "gammaincc": ([U(0.5, 3), U(0.2, 4)], (1,)),
    "gammaincinv": ([U(0.5, 3), U(0.1, 0.9)], (1,)),
    "gammainccinv": ([U(0.5, 3), U(0.1, 0.9)], (1,)),
    "betainc": ([U(0.8, 3), U(0.8, 3), U(0.1, 0.9)], (2,)),
    "betaincc": ([U(0.8, 3), U(0.8, 3), U(0.1, 0.9)], (2,)),
    "betaincinv": ([U(0.8, 3), U(0.8, 3), U(0.1, 0.9)], (2,)),
    "betainccinv": ([U(0.8, 3), U(0.8, 3), U(0.1, 0.9)], (2,)),
    "stdtr": ([U(2, 6), U(-2, 2)], (1,)),
    "stdtrit": ([U(2, 6), U(0.1, 0.9)], (1,)),
    "zeta": ([U(2, 4), U(0.5, 3)], (1,)),
    "entr": ([U(0.1, 2)], (0,)),
    "xlogy": ([U(-1, 2), U(0.2, 2)], (0, 1)),
    "xlog1py": ([U(-1, 2), U(-0.5, 2)], (0, 1)),
    "rel_entr": ([U(0.1, 2), U(0.1, 2)], (0, 1)),
    "kl_div": ([U(0.1, 2), U(0.1, 2)], (0, 1)),
    "huber": ([U(1.0, 1.5), U(-0.8, 0.8)], (0, 1)),
    "pseudo_huber": ([U(0.5, 1.5), U(-2, 2)], (0, 1)),
    "i0": ([U(-2, 2)], (0,)),
    "i1": ([U(-2, 2)], (0,)),
    "i0e": ([U(0.2, 2)], (0,)),
    "i1e": ([U(-2, -0.2)], (0,)),
    "iv": ([U(0.5, 2.5), U(0.3, 3)], (1,)),
    "ive": ([U(0.5, 2.5), U(0.3, 3)], (1,)),
    "j0": ([U(-3, 3)], (0,)),
    "j1": ([U(-3, 3)], (0,)),
    "jv": ([U(0.5, 2.5), U(0.3, 3)], (1,)),
    "y0": ([U(0.3, 3)], (0,)),
    "y1": ([U(0.5, 3)], (0,)),
    "yv": ([U(0.5, 2.5), U(0.8, 3)], (1,)),
    "k0": ([U(0.3, 3)], (0,)),
    "k1": ([U(0.3, 3)], (0,)),
    "k0e": ([U(0.3, 3)], (0,)),
    "k1e": ([U(0.3, 3)], (0,)),
    "kv": ([U(0.5, 2.5), U(0.3, 3)], (1,)),
    "kve": ([U(0.5, 2.5), U(0.3, 3)], (1,)),
    "exp10": ([U(-1, 1)], (0,)),
    "cosm1": ([U(-2, 2)], (0,)),
    "spence": ([U(0.1, 2)], (0,)),
    "softplus": ([U(-3, 3)], (0,)),
    "expm1": ([U(-1, 1)], (0,)),
    "log1p": ([U(-0.5, 1)], (0,)),
    "exp2": ([U(-1, 1)], (0,)),
    "cbrt": ([U(0.5, 2)], (0,)),
    "sinc": ([U(0.1, 2)], (0,)),
}

# Shapes of the arguments: each argument broadcasts against the others.
SHAPES = {1: [((),), ((5,),), ((2, 3),)],
          2: [((), ()), ((3, 4), (4,)), ((3,), (2, 1))],
          3: [((), (), ()), ((2, 1, 1), (3, 1), (4,))]}


def draw(domains, shapes, rng=RNG):
    out = []
    for d, s in zip(domains, shapes):
        if isinstance(d, tuple):
            out.append(rng.uniform(d[1], d[2], s))
        else:
            out.append(np.full(s, d, dtype=int) if s else d)
    return out


def cases():
    for name, (domains, diff) in TABLE.items():
        for shapes in SHAPES[len(domains)]:
            yield pytest.param(name, shapes, id=f"{name}-{'x'.join(map(str, shapes))}")


def fix_others(f, args, k):
    """f as a function of argument k alone, the others held constant."""
    def g(x):
        a = list(args)
        a[k] = x
        return f(*a)
    return g


def test_at_least_24_functions_with_both_rules():
    prims = [e for e in PUBLIC.values() if e["namespace"] == "scipy.special"
             and e["kind"] == "primitive"]
    assert len(prims) >= 24
    from chainrule.core import REGISTRY
    for e in prims:
        for p in e["prims"]:
            assert REGISTRY[p].has_vjp and REGISTRY[p].has_jvp, p


def test_every_public_function_is_tabled_or_tested_and_documented():
    names = {e["name"] for e in PUBLIC.values() if e["namespace"] == "scipy.special"}
    tested_elsewhere = {"logsumexp", "softmax", "log_softmax", "multigammaln"}
    assert names <= set(TABLE) | tested_elsewhere, names - set(TABLE) - tested_elsewhere
    for n in names:
        assert ">>>" in (getattr(csp, n).__doc__ or ""), n


@pytest.mark.parametrize("name,shapes", list(cases()))
def test_values_and_derivatives(name, shapes):
    domains, diff = TABLE[name]
    f = getattr(csp, name)
    ref = getattr(sc, name)
    args = draw(domains, shapes)
    np.testing.assert_allclose(f(*args), ref(*args), rtol=1e-12, atol=1e-14)
    for k in diff:
        g = fix_others(f, args, k)
        cr.check_grads(g, (args[k],), order=2)
        jf, jr = cr.jacfwd(g)(args[k]), cr.jacrev(g)(args[k])
        np.testing.assert_allclose(jf, jr, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(TABLE))
def test_hessian_both_ways(name):
    """Batched tangents and cotangents through the rules and through their derivatives."""
    domains, diff = TABLE[name]
    shapes = SHAPES[len(domains)][1]
    args = draw(domains, shapes)
    f = getattr(csp, name)
    for k in diff:
        g = fix_others(f, args, k)

        def s(x):
            return cnp.sum(cnp.sin(g(x)))
        hf = cr.jacfwd(cr.jacrev(s))(args[k])
        hr = cr.jacrev(cr.jacfwd(s))(args[k])
        np.testing.assert_allclose(hf, hr, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(cr.hessian(s)(args[k]), hf, rtol=1e-9, atol=1e-11)


def test_third_order_gammaln_erfinv():
    x = 1.7
    d3 = cr.grad(cr.grad(cr.grad(csp.gammaln)))(x)
    assert np.isclose(d3, sc.polygamma(2, x))
    d3 = cr.grad(cr.grad(cr.grad(csp.erfinv)))(0.3)
    fd = cr.numerical_grad(cr.grad(cr.grad(csp.erfinv)), 0.3)
    assert np.isclose(d3, fd, rtol=1e-6)


def test_polygamma_broadcast_orders():
    n = np.array([0, 1, 2, 3])
    x = RNG.uniform(0.5, 3, (2, 4))
    np.testing.assert_allclose(csp.polygamma(n, x), sc.polygamma(n, x), rtol=1e-12)
    cr.check_grads(lambda x: csp.polygamma(n, x), (x,), order=2)


# ------------------------------------------------------------- no derivative: clear errors
@pytest.mark.parametrize("call,arg", [
    (lambda a: csp.gammainc(a, 1.5), "a"), (lambda a: csp.gammaincc(a, 1.5), "a"),
    (lambda a: csp.betainc(a, 2.0, 0.3), "a"), (lambda b: csp.betainc(2.0, b, 0.3), "b"),
    (lambda v: csp.iv(v, 1.5), "v"), (lambda x: csp.zeta(x, 1.5), "x"),
    (lambda x: csp.zeta(x), "x"), (lambda df: csp.stdtr(df, 0.5), "df"),
])
def test_no_rule_raises_naming_the_argument(call, arg):
    for transform in (cr.grad, lambda f: cr.jacfwd(f)):
        with pytest.raises(cr.NoDerivativeRuleError, match=f"argument '{arg}'"):
            transform(call)(1.7)
    assert issubclass(cr.NoDerivativeRuleError, NotImplementedError)


def test_differentiable_argument_works_with_shape_parameter_from_outer_level():
    # d/da of d/dx gammainc(a, x) is the derivative of the density: closed form
    def dpdx(a, x):
        return cr.grad(lambda x: csp.gammainc(a, x))(x)
    got = cr.grad(dpdx)(1.5, 2.0)
    want = cr.numerical_grad(lambda a: dpdx(a, 2.0), 1.5)
    assert np.isclose(got, want, rtol=1e-6)


# ----------------------------------------------------------------- boundary conventions
def test_xlogy_at_zero():
    y = np.array([0.5, 2.0, 0.0])
    x = np.zeros(3)
    np.testing.assert_array_equal(csp.xlogy(x, y), 0.0)
    gx = cr.grad(lambda x: cnp.sum(csp.xlogy(x, y[:2])))(x[:2])
    np.testing.assert_allclose(gx, np.log(y[:2]))
    gy = cr.grad(lambda y: cnp.sum(csp.xlogy(x, y)))(y)
    np.testing.assert_array_equal(gy, 0.0)
    _, ty = cr.jvp(lambda y: csp.xlogy(x, y), (y,), (np.ones(3),))
    np.testing.assert_array_equal(ty, 0.0)
    # the mixed second derivative at x = 0 is 1 / y
    h = cr.grad(lambda x: cr.grad(lambda y: csp.xlogy(x, y))(2.0))(0.0)
    assert np.isclose(h, 0.5)
    assert cr.grad(lambda y: csp.xlog1py(0.0, y))(-1.0) == 0.0


def test_stability_expit_log_expit():
    x = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(csp.expit(x), [0.0, 1.0])
    for f in (csp.expit, csp.log_expit, csp.softplus):
        d1 = cr.grad(lambda x: cnp.sum(f(x)))(x)
        d2 = cr.hessian(lambda x: cnp.sum(f(x)))(x)
        assert np.all(np.isfinite(f(x))) or f is csp.log_expit
        assert np.all(np.isfinite(d1)) and np.all(np.isfinite(d2)), f
    np.testing.assert_array_equal(cr.grad(lambda x: cnp.sum(csp.log_expit(x)))(x), [1.0, 0.0])
    assert np.isclose(csp.log_expit(-1000.0), -1000.0)


def test_stability_log_ndtr_tail():
    g = cr.grad(csp.log_ndtr)(-30.0)       # ~ -x for x -> -inf
    assert np.isfinite(g) and abs(g - 30.03) < 0.01


# ------------------------------------------------------------------------- logsumexp
def test_logsumexp_stable():
    a = np.array([1000.0, 1000.0])
    assert csp.logsumexp(a) == 1000.0 + np.log(2.0)
    np.testing.assert_allclose(cr.grad(csp.logsumexp)(a), [0.5, 0.5])
    np.testing.assert_allclose(cr.jacfwd(csp.logsumexp)(a), [0.5, 0.5])
    assert np.all(np.isfinite(cr.hessian(csp.logsumexp)(a)))


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_axes(axis, keepdims):
    a = RNG.normal(size=(3, 4)) * 3
    np.testing.assert_allclose(csp.logsumexp(a, axis=axis, keepdims=keepdims),
                               sc.logsumexp(a, axis=axis, keepdims=keepdims), rtol=1e-13)
    f = lambda a: csp.logsumexp(a, axis=axis, keepdims=keepdims)  # noqa: E731
    cr.check_grads(f, (a,), order=2)
    np.testing.assert_allclose(cr.jacfwd(f)(a), cr.jacrev(f)(a), atol=1e-14)


def test_logsumexp_weights():
    a = RNG.normal(size=(3, 4))
    b = RNG.uniform(0.5, 2.0, (4,))
    np.testing.assert_allclose(csp.logsumexp(a, axis=1, b=b), sc.logsumexp(a, axis=1, b=b))
    cr.check_grads(lambda a, b: csp.logsumexp(a, axis=1, b=b), (a, b), order=2)
    # a broadcast up to b's shape
    a1 = RNG.normal(size=(4,))
    b2 = RNG.uniform(0.5, 2.0, (3, 4))
    np.testing.assert_allclose(csp.logsumexp(a1, axis=0, b=b2), sc.logsumexp(a1, axis=0, b=b2))
    cr.check_grads(lambda a, b: csp.logsumexp(a, axis=0, b=b), (a1, b2), order=2)
    # zero weight on a huge entry: finite value and finite derivatives
    a = np.array([1000.0, 0.0, 1.0])
    b = np.array([0.0, 1.0, 2.0])
    assert np.isclose(csp.logsumexp(a, b=b), sc.logsumexp(a, b=b))
    ga, gb = cr.grad(lambda a, b: csp.logsumexp(a, b=b), argnums=(0, 1))(a, b)
    assert np.all(np.isfinite(ga)) and ga[0] == 0.0 and np.isfinite(gb[1:]).all()


def test_logsumexp_return_sign_and_edges():
    a = np.array([1.0, 2.0])
    b = np.array([1.0, -1.0])
    out, sgn = csp.logsumexp(a, b=b, return_sign=True)
    ref_out, ref_sgn = sc.logsumexp(a, b=b, return_sign=True)
    assert np.isclose(out, ref_out) and sgn == ref_sgn
    cr.check_grads(lambda a, b: csp.logsumexp(a, b=b, return_sign=True)[0], (a, b), order=2)
    assert csp.logsumexp(np.array([-np.inf, -np.inf])) == -np.inf
    assert csp.logsumexp(np.array([np.inf, 1.0])) == np.inf
    assert csp.logsumexp(np.zeros(0)) == -np.inf
    assert np.isclose(csp.logsumexp(3.0), 3.0)
    x = np.array([-np.inf, 0.0])
    np.testing.assert_array_equal(cr.grad(csp.logsumexp)(x), [0.0, 1.0])
    with pytest.raises(np.exceptions.AxisError, match="logsumexp"):
        csp.logsumexp(np.ones(3), axis=1)


@pytest.mark.parametrize("fname", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_softmax(fname, axis):
    x = RNG.normal(size=(3, 4)) * 2
    f = getattr(csp, fname)
    np.testing.assert_allclose(f(x, axis=axis), getattr(sc, fname)(x, axis=axis), rtol=1e-12,
                               atol=1e-15)
    g = lambda x: f(x, axis=axis)  # noqa: E731
    cr.check_grads(g, (x,), order=2)
    np.testing.assert_allclose(cr.jacfwd(g)(x), cr.jacrev(g)(x), atol=1e-14)


def test_log_softmax_large():
    x = np.array([1e4, 0.0, -1e4])
    np.testing.assert_allclose(csp.log_softmax(x), [0.0, -1e4, -2e4])
    j = cr.jacrev(csp.log_softmax)(x)
    assert np.all(np.isfinite(j))
    np.testing.assert_allclose(j, np.eye(3) - np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(cr.jacfwd(csp.softmax)(x), np.zeros((3, 3)), atol=0)
    assert np.all(np.isfinite(cr.hessian(lambda x: csp.log_softmax(x)[1])(x)))


# ------------------------------------------------------------------------ multigammaln
def test_multigammaln():
    a = RNG.uniform(2.0, 4.0, (3,))
    np.testing.assert_allclose(csp.multigammaln(a, 3), sc.multigammaln(a, 3), rtol=1e-13)
    cr.check_grads(lambda a: csp.multigammaln(a, 3), (a,), order=2)
    with pytest.raises(ValueError, match="a > \\(d-1\\)/2"):
        csp.multigammaln(0.5, 3)
    with pytest.raises(ValueError, match="positive integer"):
        csp.multigammaln(3.0, 1.5)


# -------------------------------------------------------------------- dtype and calls
def test_float32_preserved():
    x = np.array([0.1, 0.5], dtype=np.float32)
    assert csp.erf(x).dtype == np.float32
    assert cr.grad(lambda x: cnp.sum(csp.erf(x)))(x).dtype == np.float32
    assert cr.grad(lambda x: cnp.sum(csp.expit(x)))(x).dtype == np.float32


def test_keyword_arguments_and_errors():
    assert csp.xlogy(x=2.0, y=3.0) == sc.xlogy(2.0, 3.0)
    assert csp.betainc(1.5, 2.0, x=0.3) == sc.betainc(1.5, 2.0, 0.3)
    with pytest.raises(TypeError, match="xlogy.*missing argument 'y'"):
        csp.xlogy(2.0)
    with pytest.raises(TypeError, match="xlogy.*unexpected"):
        csp.xlogy(2.0, 3.0, z=1.0)


def test_lists_and_python_scalars():
    assert csp.gammaln(3) == sc.gammaln(3)
    np.testing.assert_allclose(csp.xlogy([1.0, 2.0], [3.0, 4.0]), sc.xlogy([1, 2], [3, 4]))
    g = cr.grad(lambda y: cnp.sum(csp.xlogy([1.0, 2.0], y)))(np.array([3.0, 4.0]))
    np.testing.assert_allclose(g, [1 / 3, 2 / 4])


# ------------------------------------------------------------------- SciPy is optional
def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": ":".join(sys.path)})


def test_numpy_namespace_does_not_import_scipy():
    r = _run("import sys, chainrule, chainrule.numpy, chainrule.scipy\n"
             "assert not any(m == 'scipy' or m.startswith('scipy.') for m in sys.modules), "
             "[m for m in sys.modules if m.startswith('scipy')]")
    assert r.returncode == 0, r.stderr


def test_clear_error_without_scipy():
    r = _run("import sys\nsys.modules['scipy'] = None\nsys.modules['scipy.special'] = None\n"
             "import chainrule.numpy\n"
             "try:\n    import chainrule.scipy.special\n"
             "except ImportError as e:\n    print(e)\nelse:\n    print('imported')")
    assert r.returncode == 0, r.stderr
    assert "chainrule.scipy.special needs SciPy" in r.stdout
    assert "pip install scipy" in r.stdout
