"""chainrule.nn activations: values and derivatives against the lecture's activation table,
finite differences in both modes to second order, the kink conventions, stability in the
tails and dtype preservation.

The table is in seed 001 (``shared/seeds/001_6e1511912d7dde2c.txt``, lines 353-361,
"ACTIVATION FUNCTION | PLOT | EQUATION | DERIVATIVE | RANGE"). Its EQUATION and
DERIVATIVE columns are written out below in plain NumPy, independently of the library;
its "undefined" entries are where chainrule picks a convention (documented in
``chainrule.nn.activations``). The table's RANGE column has slips that the tests do not
follow: softplus maps onto (0, inf) (not (0, 1)), leaky ReLU onto (-inf, inf) (not
(-1, 1)) and ELU onto (-alpha, inf) (not [0, inf)).
"""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import chainrule as cr
import chainrule.numpy as cnp
from chainrule import nn

ALPHA = 1.0          # the table's ELU alpha (its x = 0 entry assumes alpha = 1)
SLOPE = 0.01         # the table's leaky ReLU slope

# name -> (EQUATION, DERIVATIVE) of the seed's table, written with NumPy only.
TABLE = {
    "linear": (lambda x: x, lambda x: np.ones_like(x)),
    "binary_step": (lambda x: np.where(x < 0, 0.0, 1.0),
                    lambda x: np.zeros_like(x)),                  # 0 if x != 0
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)),
                lambda x: (1 / (1 + np.exp(-x))) * (1 - 1 / (1 + np.exp(-x)))),
    "tanh": (lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
             lambda x: 1 - ((np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))) ** 2),
    "relu": (lambda x: np.where(x < 0, 0.0, x),
             lambda x: np.where(x < 0, 0.0, 1.0)),                # x != 0
    "softplus": (lambda x: np.log(1 + np.exp(x)),
                 lambda x: 1 / (1 + np.exp(-x))),
    "leaky_relu": (lambda x: np.where(x < 0, SLOPE * x, x),
                   lambda x: np.where(x < 0, SLOPE, 1.0)),
    "elu": (lambda x: np.where(x <= 0, ALPHA * (np.exp(x) - 1), x),
            lambda x: np.where(x < 0, ALPHA * np.exp(x), 1.0)),   # x != 0
}
SMOOTH = ["linear", "sigmoid", "tanh", "softplus"]
KINKED = ["relu", "leaky_relu", "elu"]

# Second derivatives, from differentiating the table's DERIVATIVE column by hand.
SECOND = {
    "linear": lambda x: np.zeros_like(x),
    "sigmoid": lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s),
    "tanh": lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
    "softplus": lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s),
    "relu": lambda x: np.zeros_like(x),
    "leaky_relu": lambda x: np.zeros_like(x),
    "elu": lambda x: np.where(x < 0, ALPHA * np.exp(x), 0.0),
}


def fn(name):
    return nn.get_activation(name)


def points(seed=0, shape=(7,), away_from_zero=True):
    x = np.random.default_rng(seed).standard_normal(shape) * 3
    if away_from_zero:                      # finite differences must not straddle a kink
        x = np.where(np.abs(x) < 0.05, 0.5, x)
    return x


def elementwise_derivative(f, x, mode):
    if mode == "rev":
        return cr.grad(lambda v: cnp.sum(f(v)))(x)
    return cr.jvp(f, (x,), (np.ones_like(x),))[1]


# ------------------------------------------------------------------ the table
@pytest.mark.parametrize("name", list(TABLE))
def test_values_match_table(name):
    x = points(1, (4, 5))
    np.testing.assert_allclose(fn(name)(x), TABLE[name][0](x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("mode", ["rev", "fwd"])
@pytest.mark.parametrize("name", list(TABLE))
def test_derivative_matches_table(name, mode):
    x = points(2, (3, 6))
    got = elementwise_derivative(fn(name), x, mode)
    np.testing.assert_allclose(got, TABLE[name][1](x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivative_matches_table(name):
    x = points(3, (6,))
    f = fn(name)
    d2 = cr.grad(lambda v: cnp.sum(cr.grad(lambda w: cnp.sum(f(w)))(v)))(x)
    np.testing.assert_allclose(d2, SECOND[name](x), rtol=1e-10, atol=1e-14)
    # forward over reverse, and forward over forward, agree with it
    fwd_rev = cr.jvp(cr.grad(lambda w: cnp.sum(f(w))), (x,), (np.ones_like(x),))[1]
    fwd_fwd = cr.jvp(lambda w: cr.jvp(f, (w,), (np.ones(x.shape),))[1], (x,),
                     (np.ones_like(x),))[1]
    np.testing.assert_allclose(fwd_rev, SECOND[name](x), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fwd_fwd, SECOND[name](x), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
@pytest.mark.parametrize("name", SMOOTH + KINKED)
def test_finite_differences_both_modes_second_order(name, shape):
    cr.check_grads(fn(name), (points(4, shape),), modes=("fwd", "rev"), order=2)


@pytest.mark.parametrize("slope", [0.2, 3.0])
def test_leaky_relu_slope(slope):
    x = points(5)
    f = lambda v: nn.leaky_relu(v, slope)                     # noqa: E731
    np.testing.assert_allclose(f(x), np.where(x < 0, slope * x, x))
    np.testing.assert_allclose(elementwise_derivative(f, x, "rev"), np.where(x < 0, slope, 1.0))
    cr.check_grads(f, (x,), order=2)


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_elu_alpha(alpha):
    x = points(6)
    f = lambda v: nn.elu(v, alpha)                            # noqa: E731
    np.testing.assert_allclose(f(x), np.where(x <= 0, alpha * np.expm1(x), x))
    for mode in ("rev", "fwd"):
        np.testing.assert_allclose(elementwise_derivative(f, x, mode),
                                   np.where(x < 0, alpha * np.exp(x), 1.0))
    cr.check_grads(f, (x,), order=2)


# ---------------------------------------------------------- kink conventions
@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_conventions_at_zero(mode):
    z = np.zeros(3)
    d = lambda f: elementwise_derivative(f, z, mode)          # noqa: E731
    np.testing.assert_array_equal(d(nn.relu), 0.0)            # relu'(0) = 0, never NaN
    np.testing.assert_array_equal(d(nn.leaky_relu), 1.0)      # the table: 1 for x >= 0
    np.testing.assert_array_equal(d(nn.elu), 1.0)             # the table: 1 at 0 for alpha = 1
    np.testing.assert_array_equal(d(lambda v: nn.elu(v, 0.3)), 0.3)   # alpha e^0
    np.testing.assert_array_equal(d(nn.binary_step), 0.0)


def test_binary_step_has_zero_derivative_everywhere():
    x = np.array([-3.0, -1e-300, 0.0, 1e-300, 2.0])
    np.testing.assert_array_equal(nn.binary_step(x), [0, 0, 1, 1, 1])
    for mode in ("rev", "fwd"):
        np.testing.assert_array_equal(elementwise_derivative(nn.binary_step, x, mode), 0.0)
    np.testing.assert_array_equal(cr.hessian(lambda v: cnp.sum(nn.binary_step(v) * v))(x),
                                  np.zeros((5, 5)))


def test_relu_second_derivative_is_zero_at_the_kink():
    np.testing.assert_array_equal(cr.hessian(lambda v: cnp.sum(nn.relu(v)))(np.zeros(2)),
                                  np.zeros((2, 2)))


# ------------------------------------------------------------------ stability
TAILS = np.array([-1e4, -1000.0, -50.0, 50.0, 1000.0, 1e4])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["sigmoid", "softplus", "tanh", "elu", "gelu", "relu",
                                  "leaky_relu"])
def test_tails_are_finite_to_second_order(name, dtype):
    x = TAILS.astype(dtype)
    f = fn(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow is fine
        y = f(x)
        g = cr.grad(lambda v: cnp.sum(f(v)))(x)
        h = cr.grad(lambda v: cnp.sum(cr.grad(lambda w: cnp.sum(f(w)))(v)))(x)
    for a in (y, g, h):
        assert np.all(np.isfinite(a)), (name, a)


def test_sigmoid_and_softplus_tail_values():
    x = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(nn.sigmoid(x), [0.0, 1.0])
    np.testing.assert_array_equal(nn.softplus(x), [0.0, 1000.0])
    np.testing.assert_array_equal(cr.grad(lambda v: cnp.sum(nn.sigmoid(v)))(x), [0.0, 0.0])
    np.testing.assert_array_equal(cr.grad(lambda v: cnp.sum(nn.softplus(v)))(x), [0.0, 1.0])
    # accurate (not just finite) in the tails: relative error, not absolute
    x = np.array([-40.0, 40.0])
    np.testing.assert_allclose(nn.sigmoid(x)[0], math.exp(-40) / (1 + math.exp(-40)), rtol=1e-14)
    np.testing.assert_allclose(cr.grad(lambda v: cnp.sum(nn.sigmoid(v)))(x),
                               [math.exp(-40) / (1 + math.exp(-40)) ** 2] * 2, rtol=1e-12)
    np.testing.assert_allclose(nn.softplus(np.array([-40.0])), [math.log1p(math.exp(-40))],
                               rtol=1e-14)


@given(st.floats(-1e6, 1e6, allow_nan=False))
def test_sigmoid_softplus_identities(x):
    s, sp = float(nn.sigmoid(x)), float(nn.softplus(x))
    assert 0.0 <= s <= 1.0 and sp >= max(x, 0.0)
    assert abs(s + float(nn.sigmoid(-x)) - 1.0) < 1e-15
    assert abs(sp - float(nn.softplus(-x)) - x) <= 1e-12 * max(1.0, abs(x))
    d = float(cr.grad(nn.softplus)(x))
    assert math.isfinite(d) and abs(d - s) < 1e-15           # softplus' = sigmoid


@given(st.floats(-50, 50, allow_nan=False), st.floats(0.01, 5.0))
def test_elu_is_continuous_with_derivative_above_minus_alpha(x, alpha):
    y = float(nn.elu(x, alpha))
    assert y > -alpha or math.isclose(y, -alpha)
    d = float(cr.grad(lambda v: nn.elu(v, alpha))(x))
    assert math.isclose(d, alpha * math.exp(x) if x <= 0 else 1.0, rel_tol=1e-14)


# ------------------------------------------------------------------------ dtype
@pytest.mark.parametrize("name", sorted(set(nn.ACTIVATIONS) - {"identity"}))
def test_float32_in_float32_out(name):
    x = points(7, (3, 4)).astype(np.float32)
    f = fn(name)
    assert f(x).dtype == np.float32
    g = cr.grad(lambda v: cnp.sum(f(v)))(x)
    assert g.dtype == np.float32
    _, t = cr.jvp(f, (x,), (np.ones_like(x),))
    assert np.asarray(t).dtype == np.float32
    h = cr.hessian(lambda v: cnp.sum(f(v)))(x[0])
    assert h.dtype == np.float32


@pytest.mark.parametrize("name", sorted(set(nn.ACTIVATIONS) - {"identity"}))
def test_scalars_and_lists(name):
    f = fn(name)
    if name in ("softmax", "log_softmax"):
        np.testing.assert_allclose(f([1.0, 2.0]), f(np.array([1.0, 2.0])))
        return
    assert np.ndim(f(0.5)) == 0 and not isinstance(f(0.5), np.ndarray)
    np.testing.assert_allclose(f([0.5, -1.5]), f(np.array([0.5, -1.5])))
    np.testing.assert_allclose(f(np.array([1, -2])), f(np.array([1.0, -2.0])))   # ints


def test_inputs_are_not_modified():
    x = points(8, (3, 4))
    keep = x.copy()
    for name in nn.ACTIVATIONS:
        fn(name)(x)
        cr.grad(lambda v: cnp.sum(fn(name)(v)))(x)
    np.testing.assert_array_equal(x, keep)


# ------------------------------------------------------- softmax, log-softmax
def softmax_ref(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_values_and_jacobian(axis):
    x = points(9, (3, 4), away_from_zero=False)
    s = nn.softmax(x, axis=axis)
    np.testing.assert_allclose(s, softmax_ref(x, axis), rtol=1e-13)
    np.testing.assert_allclose(s.sum(axis=axis), 1.0)
    np.testing.assert_allclose(nn.log_softmax(x, axis=axis), np.log(softmax_ref(x, axis)),
                               rtol=1e-12, atol=1e-14)
    # one row's Jacobian: diag(s) - s s^T, and I - 1 s^T for log-softmax
    v = x[0]
    sv = softmax_ref(v)
    np.testing.assert_allclose(cr.jacrev(nn.softmax)(v), np.diag(sv) - np.outer(sv, sv),
                               atol=1e-14)
    np.testing.assert_allclose(cr.jacfwd(nn.log_softmax)(v), np.eye(4) - sv[None, :],
                               atol=1e-14)


@pytest.mark.parametrize("axis", [-1, 0, 1, 2])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_finite_differences(name, axis):
    x = points(10, (2, 3, 4), away_from_zero=False)
    f = lambda v: fn(name)(v, axis=axis)                      # noqa: E731
    cr.check_grads(f, (x,), order=2)
    np.testing.assert_allclose(cr.jacfwd(f)(x), cr.jacrev(f)(x), atol=1e-13)
    w = points(11, (2, 3, 4), away_from_zero=False)
    hess = lambda g: cr.hessian(lambda v: cnp.sum(w * g(v)))(x)   # noqa: E731
    np.testing.assert_allclose(hess(f), cr.jacrev(cr.grad(lambda v: cnp.sum(w * f(v))))(x),
                               atol=1e-12)


def test_softmax_stable_at_large_logits():
    x = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = nn.softmax(x)
        ls = nn.log_softmax(x)
        g = cr.grad(lambda v: cnp.sum(nn.log_softmax(v)[:, 0]))(x)
    np.testing.assert_allclose(s, softmax_ref(x - x.max(axis=1, keepdims=True)))
    np.testing.assert_allclose(ls[0, :2], np.log(softmax_ref(np.array([0.0, -1.0]))))
    np.testing.assert_allclose(ls[1], np.log(1 / 3) * np.ones(3))
    assert np.all(np.isfinite(g))


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=6), st.floats(-1e3, 1e3))
def test_softmax_shift_invariance(xs, c):
    x = np.array(xs)
    np.testing.assert_allclose(nn.softmax(x + c), nn.softmax(x), atol=1e-12)
    np.testing.assert_allclose(np.exp(nn.log_softmax(x)), nn.softmax(x), atol=1e-12)


def test_softmax_batched_tangents():
    x = points(12, (2, 5), away_from_zero=False)
    for f in (nn.softmax, nn.log_softmax, lambda v: nn.softmax(v, axis=0)):
        np.testing.assert_allclose(cr.jacfwd(f)(x), cr.jacrev(f)(x), atol=1e-13)


# ----------------------------------------------------------------------- GELU
def phi(x):
    return np.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def Phi(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def test_gelu_exact():
    x = points(13, (9,), away_from_zero=False)
    np.testing.assert_allclose(nn.gelu(x), x * Phi(x), rtol=1e-13, atol=1e-15)
    for mode in ("rev", "fwd"):
        np.testing.assert_allclose(elementwise_derivative(nn.gelu, x, mode),
                                   Phi(x) + x * phi(x), rtol=1e-12, atol=1e-15)
    cr.check_grads(nn.gelu, (x,), order=2)


def test_gelu_tanh_approximation():
    x = points(14, (9,), away_from_zero=False)
    c = math.sqrt(2 / math.pi)
    want = 0.5 * x * (1 + np.tanh(c * (x + 0.044715 * x ** 3)))
    for approximate in (True, "tanh"):
        np.testing.assert_allclose(nn.gelu(x, approximate=approximate), want, rtol=1e-13)
    assert np.max(np.abs(nn.gelu(x, True) - nn.gelu(x))) < 2e-3      # close to the exact one
    np.testing.assert_array_equal(nn.gelu(x, "none"), nn.gelu(x))
    cr.check_grads(lambda v: nn.gelu(v, approximate=True), (x,), order=2)


def test_gelu_without_scipy(monkeypatch):
    import chainrule.nn.activations as act
    x = points(15, (4,), away_from_zero=False)
    want = nn.gelu(x)
    monkeypatch.setattr(act, "_erf_np", None)
    import builtins
    real_import = builtins.__import__

    def no_scipy(name, *a, **k):
        if name.startswith("scipy"):
            raise ImportError("no scipy here")
        return real_import(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", no_scipy)
    np.testing.assert_allclose(nn.gelu(x), want, rtol=1e-15)
    assert nn.gelu(x.astype(np.float32)).dtype == np.float32
    monkeypatch.setattr(act, "_erf_np", None)               # forget the fallback again


# -------------------------------------------------------------------- lookup
def test_get_activation_names():
    for name in ("linear", "binary_step", "sigmoid", "tanh", "relu", "softplus", "leaky_relu",
                 "elu", "softmax", "log_softmax", "gelu"):
        assert nn.get_activation(name) is getattr(nn, name)
    assert nn.get_activation("identity") is nn.linear
    assert nn.get_activation("ReLU") is nn.relu
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu"):
        nn.get_activation("swish")


def test_bad_options_are_named():
    with pytest.raises(TypeError, match="leaky_relu: negative_slope must be a number"):
        nn.leaky_relu(np.ones(2), "0.1")
    with pytest.raises(ValueError, match="elu: alpha must be finite"):
        nn.elu(np.ones(2), math.inf)
    with pytest.raises(ValueError, match="softmax: axis 2 is out of range.*shape \\(3,\\)"):
        nn.softmax(np.ones(3), axis=2)
    with pytest.raises(ValueError, match="log_softmax: axis -1 is out of range"):
        nn.log_softmax(np.float64(1.0))
    with pytest.raises(TypeError, match="softmax: axis must be an int"):
        nn.softmax(np.ones(3), axis=None)
    with pytest.raises(ValueError, match="gelu: approximate must be"):
        nn.gelu(np.ones(2), approximate="erf")


# ------------------------------------------------------------ test the tester
def test_a_wrong_rule_is_caught(monkeypatch):
    from chainrule.core import REGISTRY
    prim = REGISTRY["nn.sigmoid"]
    x = points(16)
    # first order: a rule off by a factor
    monkeypatch.setattr(prim, "vjp_rules", (lambda g, ans, x: g * ans * (1 - ans) * 1.01,))
    with pytest.raises(AssertionError, match="VJP"):
        cr.check_grads(nn.sigmoid, (x,), modes=("rev",), order=1)
    # second order only: right values at first order, but written on raw arrays (so its
    # own derivative is lost)
    from chainrule.core.tracer import primal_value
    monkeypatch.setattr(prim, "vjp_rules", (lambda g, ans, x: g * primal_value(
        ans * (1 - ans)),))
    cr.check_grads(nn.sigmoid, (x,), modes=("rev",), order=1)
    with pytest.raises(AssertionError, match="order 2"):
        cr.check_grads(nn.sigmoid, (x,), modes=("rev",), order=2)
