"""The worked examples of the seed lecture notes, as tests.

Each test names the seed file it comes from (the notes live outside the repository, in
``shared/seeds/``; the numbers below are copied from them):

* ``000_4de5be4f4a8e286f.txt``: Deisenroth, Faisal, Ong, *Mathematics for Machine
  Learning*, sec. 5.6 (backpropagation, Fig. 5.9/5.10, Example 5.14).
* ``001_6e1511912d7dde2c.txt``: lecture "Artificial Neural Network - Algorithm"
  (one-layer sigmoid network, gates, Baydin's evaluation trace, matrix backprop,
  activation table, cost functions).
* ``002_356f6264d7a26d71.txt``: blog post retelling MML sec. 5.6.2 (Example 5.14).
* ``003_1908e16d7a0e325f.txt``: Mark van der Wilk, "Automatic Differentiation" slides
  (evaluation traces, single-layer tanh network, multi-layer network, f(K(D(theta)))).
* ``004_ec6e256746019f25.txt``: Goodfellow, Bengio, Courville, *Deep Learning*
  sec. 6.5 slides (computational graphs, chain rule, Fig. 6.9, Algorithms 6.1/6.2).

All computations are float64. Hand-written derivatives use plain NumPy on purpose: they
are the independent reference the library is checked against.
"""
import math

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp

from seed_examples import f_trace, sigmoid_loss

S000 = "000_4de5be4f4a8e286f.txt"
S001 = "001_6e1511912d7dde2c.txt"
S002 = "002_356f6264d7a26d71.txt"
S003 = "003_1908e16d7a0e325f.txt"
S004 = "004_ec6e256746019f25.txt"


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _csig(x):
    return 1.0 / (1.0 + cnp.exp(-x))


def approx3(x, expected):
    """The notes print 3 decimals: equal after rounding to 3 decimals."""
    return round(float(x), 3) == pytest.approx(expected, abs=1e-12)


# =====================================================================================
# Baydin et al.'s evaluation trace: f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5)
# seeds 001 ("Another Example") and 003 ("Forward/Reverse mode Autodiff: Example")
# =====================================================================================
X1, X2 = 2.0, 5.0


def f_trace_vec(x):
    return cnp.log(x[0]) + x[0] * x[1] - cnp.sin(x[1])


def primal_trace(x1, x2):
    """v1..v5 of the forward primal trace, one chainrule operation per row."""
    v_m1, v0 = x1, x2
    v1 = cnp.log(v_m1)
    v2 = cnp.multiply(v_m1, v0)
    v3 = cnp.sin(v0)
    v4 = cnp.add(v1, v2)
    v5 = cnp.subtract(v4, v3)
    return cnp.stack([v1, v2, v3, v4, v5])


def test_baydin_primal_trace_values():
    # seed 001 / 003, Forward Primal Trace: v1 = ln 2, v2 = 2 x 5, v3 = sin 5,
    # v4 = 0.693 + 10, v5 = 10.693 + 0.959, y = 11.652
    v1, v2, v3, v4, v5 = primal_trace(X1, X2)
    assert v1 == pytest.approx(math.log(2.0)) and approx3(v1, 0.693)
    assert v2 == 10.0
    assert v3 == pytest.approx(math.sin(5.0)) and approx3(-v3, 0.959)
    assert approx3(v4, 10.693)
    assert approx3(v5, 11.652)
    assert f_trace(X1, X2) == pytest.approx(float(v5))


def test_baydin_forward_tangent_trace_x1_seeded():
    # seed 001 / 003, Forward Tangent Trace with x1' = 1, x2' = 0:
    # v1' = 1/2, v2' = 1 x 5 + 0 x 2, v3' = 0 x cos 5, v4' = 0.5 + 5, v5' = 5.5 - 0, y' = 5.5
    vs, vdots = cr.jvp(primal_trace, (X1, X2), (1.0, 0.0))
    np.testing.assert_allclose(vdots, [0.5, 5.0, 0.0, 5.5, 5.5])
    y, ydot = cr.jvp(f_trace, (X1, X2), (1.0, 0.0))
    assert approx3(y, 11.652) and ydot == pytest.approx(5.5)


def test_baydin_forward_tangent_trace_x2_seeded():
    # seed 001 / 003: the same table seeded with x1' = 0, x2' = 1 (the second forward
    # pass the slides ask for: "Repeat for all i to find all gradients"):
    # v1' = 0, v2' = 2, v3' = cos 5, v4' = 2, v5' = 2 - cos 5 = 1.716
    _, vdots = cr.jvp(primal_trace, (X1, X2), (0.0, 1.0))
    np.testing.assert_allclose(vdots, [0.0, 2.0, math.cos(5.0), 2.0, 2.0 - math.cos(5.0)])
    _, ydot = cr.jvp(f_trace, (X1, X2), (0.0, 1.0))
    assert approx3(ydot, 1.716)


def test_baydin_forward_tangent_trace_row_by_row():
    # seed 001 / 003: each tangent row v_j' = sum_k dv_j/dv_k v_k' is the jvp of that
    # one elementary operation
    _, d1 = cr.jvp(cnp.log, (X1,), (1.0,))
    _, d2 = cr.jvp(cnp.multiply, (X1, X2), (1.0, 0.0))
    _, d3 = cr.jvp(cnp.sin, (X2,), (0.0,))
    _, d4 = cr.jvp(cnp.add, (math.log(2), 10.0), (d1, d2))
    _, d5 = cr.jvp(cnp.subtract, (10.693, math.sin(5)), (d4, d3))
    assert (d1, d2, d3, d4, d5) == pytest.approx((0.5, 5.0, 0.0, 5.5, 5.5))


def test_baydin_reverse_adjoints():
    # seed 001 / 003, Reverse Adjoint Trace: x1_bar = 5.5, x2_bar = 1.716
    g1, g2 = cr.grad(f_trace, argnums=(0, 1))(X1, X2)
    assert g1 == pytest.approx(5.5) and approx3(g2, 1.716)
    assert g2 == pytest.approx(X1 - math.cos(X2))
    y, pullback = cr.vjp(f_trace, X1, X2)
    assert approx3(y, 11.652)
    b1, b2 = pullback(1.0)
    assert b1 == pytest.approx(5.5) and approx3(b2, 1.716)
    v, (h1, h2) = cr.value_and_grad(f_trace, argnums=(0, 1))(X1, X2)
    assert approx3(v, 11.652) and h1 == pytest.approx(5.5) and approx3(h2, 1.716)


def test_baydin_reverse_adjoint_trace_row_by_row():
    # seed 001 / 003: the adjoint table, bottom to top, each row the vjp of one
    # elementary operation:
    # v5_bar = y_bar = 1; v4_bar = v5_bar x 1 = 1; v3_bar = v5_bar x (-1) = -1;
    # v1_bar = v4_bar = 1; v2_bar = v4_bar = 1; v0_bar = v3_bar x cos v0 = -0.284;
    # v-1_bar = v2_bar x v0 = 5; v0_bar += v2_bar x v-1 -> 1.716;
    # v-1_bar += v1_bar / v-1 -> 5.5
    v5b = 1.0
    _, pb = cr.vjp(cnp.subtract, 10.693, math.sin(5.0))
    v4b, v3b = pb(v5b)
    assert (v4b, v3b) == (1.0, -1.0)
    _, pb = cr.vjp(cnp.add, math.log(2.0), 10.0)
    v1b, v2b = pb(v4b)
    assert (v1b, v2b) == (1.0, 1.0)
    _, pb = cr.vjp(cnp.sin, X2)
    (v0b,) = pb(v3b)
    assert approx3(v0b, -0.284)
    _, pb = cr.vjp(cnp.multiply, X1, X2)
    vm1b_from_v2, v0b_from_v2 = pb(v2b)
    assert vm1b_from_v2 == 5.0
    v0b = v0b + v0b_from_v2
    assert approx3(v0b, 1.716)
    _, pb = cr.vjp(cnp.log, X1)
    (vm1b_from_v1,) = pb(v1b)
    vm1b = vm1b_from_v2 + vm1b_from_v1
    assert vm1b == pytest.approx(5.5)


def test_baydin_adjoints_of_intermediates():
    # seed 001 / 003: v_i_bar := dy/dv_i. Perturb each intermediate by e_i; the adjoint
    # is dy/de_i at e = 0. Table: v1_bar = 1, v2_bar = 1, v3_bar = -1, v4_bar = 1, v5_bar = 1
    def y_of(e, x1=X1, x2=X2):
        v1 = cnp.log(x1) + e[0]
        v2 = x1 * x2 + e[1]
        v3 = cnp.sin(x2) + e[2]
        v4 = v1 + v2 + e[3]
        return v4 - v3 + e[4]

    np.testing.assert_array_equal(cr.grad(y_of)(np.zeros(5)), [1.0, 1.0, -1.0, 1.0, 1.0])


def test_baydin_jacobians_and_hessian():
    # seed 001 / 003 with x = (x1, x2) as one vector
    x = np.array([X1, X2])
    expected_grad = np.array([1 / X1 + X2, X1 - math.cos(X2)])
    for jac in (cr.jacfwd, cr.jacrev, cr.jacobian, cr.grad):
        np.testing.assert_allclose(jac(f_trace_vec)(x), expected_grad, rtol=1e-14)
    # analytic Hessian: [[-1/x1^2, 1], [1, sin x2]]
    H = np.array([[-1 / X1 ** 2, 1.0], [1.0, math.sin(X2)]])
    np.testing.assert_allclose(cr.hessian(f_trace_vec)(x), H, rtol=1e-14)
    for outer in (cr.jacfwd, cr.jacrev):
        for inner in (cr.jacfwd, cr.jacrev):
            np.testing.assert_allclose(outer(inner(f_trace_vec))(x), H, rtol=1e-14)
    v = np.array([0.3, -1.1])
    np.testing.assert_allclose(cr.hvp(f_trace_vec, (x,), (v,)), H @ v, rtol=1e-14)
    # and the Jacobian of the whole primal trace: rows dv_i/dx
    J = np.array([[1 / X1, 0.0], [X2, X1], [0.0, math.cos(X2)],
                  [1 / X1 + X2, X1], [1 / X1 + X2, X1 - math.cos(X2)]])
    trace_vec = lambda x: primal_trace(x[0], x[1])  # noqa: E731
    np.testing.assert_allclose(cr.jacfwd(trace_vec)(x), J, rtol=1e-14)
    np.testing.assert_allclose(cr.jacrev(trace_vec)(x), J, rtol=1e-14)


def test_baydin_check_grads():
    # seed 001: "check your implementation with numerical gradient"
    cr.check_grads(f_trace, (X1, X2), order=2)
    num1 = cr.numerical_grad(f_trace, X1, X2, argnums=0)
    num2 = cr.numerical_grad(f_trace, X1, X2, argnums=1)
    assert num1 == pytest.approx(5.5, rel=1e-7) and approx3(num2, 1.716)


def test_baydin_tables_from_explain():
    # seed 001 / 003: cr.explain prints these very tables (API.md section 3), in the
    # slides' numbering: v1 = ln v-1, v2 = v-1 x v0, v3 = sin v0, v4 = v1 + v2, v5 = v4 - v3
    e = cr.explain(f_trace, X1, X2)
    values = [float(r["value"]) for r in e.rows]
    expected = [2.0, 5.0, math.log(2.0), 10.0, math.sin(5.0), 10.0 + math.log(2.0),
                11.652071455223084, 11.652071455223084]
    assert values == pytest.approx(expected, rel=1e-15)
    assert [approx3(g, w) for g, w in zip(e.grad, (5.5, 1.716))] == [True, True]
    assert approx3(e.tangents["x1"], 5.5)


# =====================================================================================
# One-layer sigmoid network with squared loss (seed 001, "Example: One layer neural
# network"): z = w x + b, y = sigma(z), L = 1/2 (y - c)^2; "data x = 1, c = 1",
# "initial step w = 0, b = 0".
# =====================================================================================
def test_one_layer_sigmoid_at_notes_point():
    # seed 001: dL/dy = y - c, dL/dz = dL/dy sigma(z)(1 - sigma(z)), dL/dw = dL/dz x,
    # dL/db = dL/dz. At x = 1, c = 1, w = b = 0: z = 0, y = 1/2, L = 1/8,
    # dL/dy = -1/2, dL/dz = -1/2 * 1/4 = -1/8, so dL/dw = dL/db = -0.125.
    (L, (gw, gb)) = cr.value_and_grad(sigmoid_loss, argnums=(0, 1))(0.0, 0.0)
    assert L == pytest.approx(0.125)
    assert gw == pytest.approx(-0.125) and gb == pytest.approx(-0.125)
    # the same in forward mode
    _, dw = cr.jvp(sigmoid_loss, (0.0, 0.0), (1.0, 0.0))
    _, db = cr.jvp(sigmoid_loss, (0.0, 0.0), (0.0, 1.0))
    assert dw == pytest.approx(-0.125) and db == pytest.approx(-0.125)
    # sigmoid gate: sigma'(0) = sigma(0)(1 - sigma(0)) = 1/4
    assert cr.grad(_csig)(0.0) == pytest.approx(0.25)


@pytest.mark.parametrize("w,b,x,c", [(0.0, 0.0, 1.0, 1.0), (0.7, -0.3, 2.0, 0.2),
                                     (-1.5, 0.4, -0.5, 0.9), (2.0, 1.0, 3.0, 0.0)])
def test_one_layer_sigmoid_analytic_formula(w, b, x, c):
    # seed 001, "Analytical Derivatives":
    # dL/dw = (sigma(wx + b) - t) sigma'(wx + b) x,  dL/db = (sigma(wx + b) - t) sigma'(wx + b)
    s = _sig(w * x + b)
    dw = (s - c) * s * (1 - s) * x
    db = (s - c) * s * (1 - s)
    gw, gb = cr.grad(sigmoid_loss, argnums=(0, 1))(w, b, x, c)
    assert gw == pytest.approx(dw, rel=1e-13, abs=1e-16)
    assert gb == pytest.approx(db, rel=1e-13, abs=1e-16)
    cr.check_grads(lambda w, b: sigmoid_loss(w, b, x, c), (w, b), order=2)


def test_one_layer_sigmoid_gradient_descent_step():
    # seed 001, "Optimization - Gradient Descent": Theta^{j+1} = Theta^j - alpha grad J.
    # From w = b = 0 with alpha = 1: w = b = 0.125, and the loss goes down.
    w, b = 0.0, 0.0
    losses = []
    for _ in range(3):
        L, (gw, gb) = cr.value_and_grad(sigmoid_loss, argnums=(0, 1))(w, b)
        losses.append(float(L))
        w, b = w - 1.0 * gw, b - 1.0 * gb
        if len(losses) == 1:
            assert (w, b) == pytest.approx((0.125, 0.125))
    assert losses[0] > losses[1] > losses[2]


# =====================================================================================
# Gates (seed 001, "Other gates"): add distributes, max routes, multiply swaps,
# copy adds.
# =====================================================================================
def test_gates():
    g = 3.0
    # add gate: gradient distributor
    _, pb = cr.vjp(cnp.add, 2.0, -1.0)
    assert pb(g) == (g, g)
    # max gate: gradient router (only the larger input receives the gradient)
    _, pb = cr.vjp(cnp.maximum, 2.0, -1.0)
    assert pb(g) == (g, 0.0)
    _, pb = cr.vjp(cnp.maximum, -4.0, 5.0)
    assert pb(g) == (0.0, g)
    # multiplication gate: gradient switcher (swap multiplier)
    _, pb = cr.vjp(cnp.multiply, 2.0, -1.0)
    assert pb(g) == (-g, 2 * g)
    # copy gate: gradient adder (x used by two branches)
    def copy_then_use(x):
        a, b = x, x
        return 2.0 * a + cnp.sin(b)

    assert cr.grad(copy_then_use)(0.5) == pytest.approx(2.0 + math.cos(0.5))


# =====================================================================================
# Chain rules (seed 001 "The Chain Rules", seed 004 sec. 6.5.2, seed 003 summary)
# =====================================================================================
def test_univariate_chain_rule():
    # seed 001: df(x(t))/dt = df/dx dx/dt; seed 004: dz/dx = dz/dy dy/dx
    f, x = cnp.exp, cnp.sin
    t = 0.7
    expected = math.exp(math.sin(t)) * math.cos(t)
    assert cr.grad(lambda t: f(x(t)))(t) == pytest.approx(expected)
    assert cr.jvp(lambda t: f(x(t)), (t,), (1.0,))[1] == pytest.approx(expected)


def test_multivariate_chain_rule_R_to_Rn_to_R():
    # seed 001: df(x(t))/dt = df/dx1 dx1/dt + ... + df/dxn dxn/dt
    def xs(t):
        return cnp.stack([cnp.sin(t), t ** 2, cnp.exp(-t)])

    def f(x):
        return x[0] * x[1] + cnp.cos(x[2])

    t = 0.4
    x = np.array([math.sin(t), t ** 2, math.exp(-t)])
    dfdx = np.array([x[1], x[0], -math.sin(x[2])])
    dxdt = np.array([math.cos(t), 2 * t, -math.exp(-t)])
    expected = float(dfdx @ dxdt)
    assert cr.grad(lambda t: f(xs(t)))(t) == pytest.approx(expected, rel=1e-14)
    assert cr.jvp(lambda t: f(xs(t)), (t,), (1.0,))[1] == pytest.approx(expected, rel=1e-14)


def test_matrix_chain_rule_R2_to_Rn_to_R3():
    # seed 001: F: R^2 -> R^n -> R^3, dF/dt = dF/dx dx/dt (numerator layout Jacobians);
    # seed 004: grad_x z = (dy/dx)^T grad_y z
    rng = np.random.default_rng(1)
    P, Q = rng.standard_normal((4, 2)), rng.standard_normal((3, 4))

    def x_of_t(t):
        return cnp.tanh(P @ t)

    def F(x):
        return cnp.sin(Q @ x) * cnp.sum(x ** 2)

    t = rng.standard_normal(2)
    J_total = cr.jacfwd(lambda t: F(x_of_t(t)))(t)
    J_F = cr.jacrev(F)(x_of_t(t))
    J_x = cr.jacfwd(x_of_t)(t)
    assert J_total.shape == (3, 2) and J_F.shape == (3, 4) and J_x.shape == (4, 2)
    np.testing.assert_allclose(J_total, J_F @ J_x, rtol=1e-12)
    np.testing.assert_allclose(cr.jacrev(lambda t: F(x_of_t(t)))(t), J_F @ J_x, rtol=1e-12)
    # per entry: df_j/dt_i = sum_k df_j/dx_k dx_k/dt_i
    j, i = 2, 1
    assert J_total[j, i] == pytest.approx(sum(J_F[j, k] * J_x[k, i] for k in range(4)))
    # seed 004: backprop is a Jacobian-gradient product
    z = lambda x: cnp.sum(F(x) ** 2)  # noqa: E731
    y = x_of_t(t)
    np.testing.assert_allclose(cr.grad(lambda t: z(x_of_t(t)))(t),
                               J_x.T @ cr.grad(z)(y), rtol=1e-12)


def test_numerator_layout_conventions():
    # seed 001: "If F(x) = Ax, then dF/dx = A"; for f: R^{m x n} -> R the derivative has
    # the shape of X
    rng = np.random.default_rng(2)
    A = rng.standard_normal((3, 5))
    x = rng.standard_normal(5)
    np.testing.assert_allclose(cr.jacfwd(lambda x: A @ x)(x), A, rtol=1e-15)
    np.testing.assert_allclose(cr.jacrev(lambda x: A @ x)(x), A, rtol=1e-15)
    X = rng.standard_normal((3, 4))
    g = cr.grad(lambda X: cnp.sum(X ** 3))(X)
    assert g.shape == X.shape
    np.testing.assert_allclose(g, 3 * X ** 2, rtol=1e-14)


def test_tensor_chain_rule():
    # seed 004: if Y = g(X) and z = f(Y) for tensors, (grad_X z)_i = sum_j (grad_X Y_j) dz/dY_j
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2, 3, 4))
    W = rng.standard_normal((4, 2))

    def g(X):
        return cnp.tanh(X @ W)          # (2, 3, 2)

    def f(Y):
        return cnp.sum(Y ** 2 * cnp.cos(Y))

    dY_dX = cr.jacfwd(g)(X)              # shape Y.shape + X.shape
    dz_dY = cr.grad(f)(g(X))
    expected = np.tensordot(dz_dY, dY_dX, axes=3)
    np.testing.assert_allclose(cr.grad(lambda X: f(g(X)))(X), expected, rtol=1e-12)


def test_finite_difference_definition():
    # seed 001: df/dx = lim_{h -> 0} (f(x + h) - f(x)) / h; numerical differentiation as
    # the check of an exact derivative
    f = lambda x: cnp.sqrt(x) * cnp.exp(-x)  # noqa: E731
    x, h = 1.3, 1e-7
    forward_difference = (float(f(x + h)) - float(f(x))) / h
    exact = cr.grad(f)(x)
    assert exact == pytest.approx(forward_difference, rel=1e-6)
    assert exact == pytest.approx((0.5 / math.sqrt(x) - math.sqrt(x)) * math.exp(-x))


# =====================================================================================
# Activation functions (seed 001, the table "ACTIVATION FUNCTION / EQUATION / DERIVATIVE")
# =====================================================================================
ACTIVATIONS = {
    # name: (f written with chainrule, derivative column of the table, in NumPy)
    "linear": (lambda x: 1.0 * x, lambda x: np.ones_like(x)),
    "binary_step": (lambda x: cnp.where(x >= 0, 1.0, 0.0), lambda x: np.zeros_like(x)),
    "sigmoid": (_csig, lambda x: _sig(x) * (1 - _sig(x))),
    "tanh": (cnp.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (lambda x: cnp.where(x >= 0, x, 0.0), lambda x: (x > 0).astype(float)),
    "softplus": (lambda x: cnp.log1p(cnp.exp(x)), lambda x: 1 / (1 + np.exp(-x))),
    "leaky_relu": (lambda x: cnp.where(x >= 0, x, 0.01 * x),
                   lambda x: np.where(x >= 0, 1.0, 0.01)),
    "elu": (lambda x: cnp.where(x > 0, x, 0.7 * (cnp.exp(x) - 1.0)),
            lambda x: np.where(x > 0, 1.0, 0.7 * np.exp(x))),
}
# away from 0, where the table marks the derivative "undefined" for step and ReLU
ACT_POINTS = np.array([-2.5, -1.0, -0.3, 0.2, 0.9, 3.0])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_table_derivatives(name):
    # seed 001, activation table, derivative column
    f, df = ACTIVATIONS[name]
    expected = df(ACT_POINTS)
    # elementwise function: the gradient of the sum is the derivative at each point
    np.testing.assert_allclose(cr.grad(lambda x: cnp.sum(f(x)))(ACT_POINTS), expected,
                               rtol=1e-14, atol=0)
    _, tangent = cr.jvp(f, (ACT_POINTS,), (np.ones_like(ACT_POINTS),))
    np.testing.assert_allclose(tangent, expected, rtol=1e-14, atol=0)
    np.testing.assert_allclose(cr.jacrev(f)(ACT_POINTS), np.diag(expected), rtol=1e-14)
    for x in ACT_POINTS:
        assert cr.grad(f)(float(x)) == pytest.approx(float(df(np.array(x))), rel=1e-14)


def test_activation_table_derivatives_in_terms_of_f():
    # seed 001: sigmoid f' = f(1 - f), tanh f' = 1 - f^2, softplus f' = 1/(1 + e^-x)
    x = ACT_POINTS
    s = _sig(x)
    np.testing.assert_allclose(cr.grad(lambda x: cnp.sum(_csig(x)))(x), s * (1 - s))
    t = np.tanh(x)
    np.testing.assert_allclose(cr.grad(lambda x: cnp.sum(cnp.tanh(x)))(x), 1 - t ** 2)
    np.testing.assert_allclose(cr.grad(lambda x: cnp.sum(cnp.log1p(cnp.exp(x))))(x), s)


def test_elu_with_alpha_one_at_zero():
    # seed 001: ELU f'(0) = 1 "if x = 0 and alpha = 1" (both one-sided derivatives agree)
    elu1 = lambda x: cnp.where(x > 0, x, 1.0 * (cnp.exp(x) - 1.0))  # noqa: E731
    assert cr.grad(elu1)(0.0) == pytest.approx(1.0)
    assert cr.jvp(elu1, (0.0,), (1.0,))[1] == pytest.approx(1.0)


# =====================================================================================
# Cost functions (seed 001, "Cost Functions" and "(1) Derivative for the metric function")
# =====================================================================================
def test_mean_square_error_gradient():
    # seed 001: J(z) = 1/n ||z - y||^2, so dJ/dz = 2/n (z - y)
    rng = np.random.default_rng(4)
    z, y = rng.standard_normal(6), rng.standard_normal(6)
    J = lambda z: cnp.sum((z - y) ** 2) / z.shape[0]  # noqa: E731
    np.testing.assert_allclose(cr.grad(J)(z), 2 / 6 * (z - y), rtol=1e-14)
    np.testing.assert_allclose(cr.jacfwd(J)(z), 2 / 6 * (z - y), rtol=1e-14)


def test_cross_entropy_gradient():
    # seed 001: J = -1/n sum_i sum_k I(y_i = k) ln(h_ik); dJ/dh_ik = -I(y_i = k) / (n h_ik)
    rng = np.random.default_rng(5)
    n, K = 5, 3
    logits = rng.standard_normal((n, K))
    H = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = np.array([0, 2, 1, 1, 0])
    onehot = np.eye(K)[labels]

    def J(H):
        return -cnp.sum(onehot * cnp.log(H)) / n

    np.testing.assert_allclose(cr.grad(J)(H), -onehot / (n * H), rtol=1e-14)
    # through a softmax the textbook result is (softmax - onehot) / n
    def J_logits(Z):
        Zs = Z - cnp.max(Z, axis=1, keepdims=True)
        P = cnp.exp(Zs) / cnp.sum(cnp.exp(Zs), axis=1, keepdims=True)
        return J(P)

    np.testing.assert_allclose(cr.grad(J_logits)(logits), (H - onehot) / n,
                               rtol=1e-12, atol=1e-15)


# =====================================================================================
# Linear layer and two-layer network, matrix notation (seed 001)
# =====================================================================================
def test_linear_layer_jacobian_and_proposition():
    # seed 001: z = W y + b; dz_k/dw_ij = y_j if k = i else 0 (an m x (m x d) matrix);
    # Proposition: dL/dW = "y dL/dz" (i.e. dL/dw_ij = dL/dz_i y_j), dL/db = dL/dz
    rng = np.random.default_rng(6)
    m, d = 3, 4
    W, b, y = rng.standard_normal((m, d)), rng.standard_normal(m), rng.standard_normal(d)
    dz_dW = cr.jacfwd(lambda W: W @ y + b)(W)
    expected = np.einsum("ki,j->kij", np.eye(m), y)
    np.testing.assert_allclose(dz_dW, expected, rtol=1e-15)
    np.testing.assert_allclose(cr.jacrev(lambda W: W @ y + b)(W), expected, rtol=1e-15)
    np.testing.assert_allclose(cr.jacfwd(lambda y: W @ y + b)(y), W, rtol=1e-15)  # dz/dy = W
    np.testing.assert_allclose(cr.jacrev(lambda b: W @ y + b)(b), np.eye(m))
    L = lambda W, b: cnp.sum(cnp.sin(W @ y + b))  # noqa: E731
    dL_dz = np.cos(W @ y + b)
    gW, gb = cr.grad(L, argnums=(0, 1))(W, b)
    np.testing.assert_allclose(gW, np.outer(dL_dz, y), rtol=1e-14)
    np.testing.assert_allclose(gb, dL_dz, rtol=1e-14)


def _two_layer_loss(W1, b1, W2, b2, x, c):
    # seed 001, "Multilayer Perceptron (multiple outputs)":
    # z = W1 x + b1, v = sigma(z), y = W2 v + b2, L = sum_k 1/2 (y_k - c_k)^2
    z = W1 @ x + b1
    v = _csig(z)
    y = W2 @ v + b2
    return cnp.sum(0.5 * (y - c) ** 2)


def _two_layer_backprop(W1, b1, W2, b2, x, c):
    # seed 001, "Backward pass" exactly as written (plain NumPy)
    z = W1 @ x + b1
    v = _sig(z)
    y = W2 @ v + b2
    dL_dy = y - c
    dL_dW2 = np.outer(dL_dy, v)
    dL_db2 = dL_dy
    dL_dv = dL_dy @ W2                  # sum_k dL/dy_k w_ki
    dL_dz = dL_dv * v * (1 - v)         # dL/dv_i sigma'(z_i)
    dL_dW1 = np.outer(dL_dz, x)
    dL_db1 = dL_dz
    return dL_dW1, dL_db1, dL_dW2, dL_db2


@pytest.mark.parametrize("seed", range(4))
def test_two_layer_network_backprop(seed):
    rng = np.random.default_rng(100 + seed)
    d, m, k = 4, 5, 3
    args = (rng.standard_normal((m, d)), rng.standard_normal(m),
            rng.standard_normal((k, m)), rng.standard_normal(k),
            rng.standard_normal(d), rng.standard_normal(k))
    expected = _two_layer_backprop(*args)
    got = cr.grad(_two_layer_loss, argnums=(0, 1, 2, 3))(*args)
    for g, e in zip(got, expected):
        assert g.dtype == np.float64
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)
    got_fwd = cr.jacfwd(_two_layer_loss, argnums=(0, 1, 2, 3))(*args)
    for g, e in zip(got_fwd, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_minibatch_linear_backprop(seed):
    # seed 001: "When backpropagating through a linear layer, using minibatches, we need a
    # similar trick" (cs231n linear-backprop): rows are examples, Z = X W^T + b,
    # dL/dW = dZ^T X, dL/db = sum of dZ over rows, dL/dX = dZ W
    rng = np.random.default_rng(200 + seed)
    n, d, m = 6, 4, 3
    X, W, b = rng.standard_normal((n, d)), rng.standard_normal((m, d)), rng.standard_normal(m)
    C = rng.standard_normal((n, m))
    L = lambda X, W, b: cnp.sum(0.5 * (cnp.tanh(X @ W.T + b) - C) ** 2)  # noqa: E731
    T = np.tanh(X @ W.T + b)
    dZ = (T - C) * (1 - T ** 2)
    gX, gW, gb = cr.grad(L, argnums=(0, 1, 2))(X, W, b)
    np.testing.assert_allclose(gW, dZ.T @ X, rtol=1e-12)
    np.testing.assert_allclose(gb, dZ.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(gX, dZ @ W, rtol=1e-12)


# seed 001, "Back-Propagation for multi-layer neural network":
# z^[l+1] = W^[l] y^[l] + b^[l], y^[l] = F^[l](z^[l]), y^[0] = x; activations from the table
_F = {"sigmoid": (_csig, lambda z: _sig(z) * (1 - _sig(z)), _sig),
      "tanh": (cnp.tanh, lambda z: 1 - np.tanh(z) ** 2, np.tanh),
      "softplus": (lambda z: cnp.log1p(cnp.exp(z)), _sig, lambda z: np.log1p(np.exp(z))),
      "leaky_relu": (lambda z: cnp.where(z >= 0, z, 0.01 * z),
                     lambda z: np.where(z >= 0, 1.0, 0.01),
                     lambda z: np.where(z >= 0, z, 0.01 * z))}


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("acts", [("sigmoid", "tanh"), ("softplus", "leaky_relu", "tanh")])
def test_multi_layer_backprop_seed001_notation(seed, acts):
    rng = np.random.default_rng(300 + seed)
    sizes = [4] + [5, 3, 2][:len(acts)]
    Ws = [rng.standard_normal((sizes[l + 1], sizes[l])) for l in range(len(acts))]
    bs = [rng.standard_normal(sizes[l + 1]) for l in range(len(acts))]
    x, c = rng.standard_normal(sizes[0]), rng.standard_normal(sizes[-1])

    def loss(Ws, bs):
        y = x
        for W, b, a in zip(Ws, bs, acts):
            y = _F[a][0](W @ y + b)
        return cnp.sum(0.5 * (y - c) ** 2)

    # 1. forward pass: z^[k], y^[k] for k = 1..m
    ys, zs = [x], []
    for W, b, a in zip(Ws, bs, acts):
        zs.append(W @ ys[-1] + b)
        ys.append(_F[a][2](zs[-1]))
    # 2. backward pass, k = m..1: dL/dy^[m] from the metric, then through F and G
    dL_dy = ys[-1] - c
    gWs, gbs = [None] * len(acts), [None] * len(acts)
    for k in reversed(range(len(acts))):
        dL_dz = dL_dy * _F[acts[k]][1](zs[k])
        gWs[k] = np.outer(dL_dz, ys[k])
        gbs[k] = dL_dz
        dL_dy = dL_dz @ Ws[k]
    got_W, got_b = cr.grad(loss, argnums=(0, 1))(Ws, bs)
    for g, e in zip(got_W + got_b, gWs + gbs):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-14)


# =====================================================================================
# Multi-layer network in MML notation (seed 000 eqs. 5.115-5.118 and Fig. 5.9, seed 003
# "Gradients of a Multi-Layer Neural Network"):
#   f_0 = x, f_i = sigma_i(A_{i-1} f_{i-1} + b_{i-1}), i = 1..K,  L = ||y - f_K||^2,
#   theta_j = {A_j, b_j}, j = 0..K-1
# =====================================================================================
_SIGMAS = [(cnp.tanh, np.tanh, lambda z: 1 - np.tanh(z) ** 2),
           (_csig, _sig, lambda z: _sig(z) * (1 - _sig(z))),
           (cnp.sin, np.sin, np.cos)]


def _mml_net(K, seed):
    rng = np.random.default_rng(seed)
    sizes = [5, 4, 3, 2][:K + 1]
    theta = [(rng.standard_normal((sizes[j + 1], sizes[j])), rng.standard_normal(sizes[j + 1]))
             for j in range(K)]
    return theta, rng.standard_normal(sizes[0]), rng.standard_normal(sizes[-1])


def _mml_loss(theta, x, y):
    f = x
    for i, (A, b) in enumerate(theta):
        f = _SIGMAS[i][0](A @ f + b)
    return cnp.sum((y - f) ** 2)


def _mml_forward_numpy(theta, x):
    fs, zs = [x], []
    for i, (A, b) in enumerate(theta):
        zs.append(A @ fs[-1] + b)
        fs.append(_SIGMAS[i][1](zs[-1]))
    return fs, zs


def _mml_backprop_jacobians(theta, x, y):
    """Eq. 5.118 literally: dL/dtheta_i = dL/df_K df_K/df_{K-1} ... df_{i+1}/df_i df_i/dtheta_i,
    with every Jacobian built as an explicit (numerator layout) array; the product to the
    left of the box is reused from layer i+1 ("most of the computation can be reused")."""
    K = len(theta)
    fs, zs = _mml_forward_numpy(theta, x)
    left = -2.0 * (y - fs[K])                       # dL/df_K, a 1 x M_K row
    grads = [None] * K
    for i in reversed(range(K)):                    # layer i+1 has parameters theta_i
        A, b = theta[i]
        D = np.diag(_SIGMAS[i][2](zs[i]))           # df_{i+1}/dz
        M, N = A.shape
        dz_dA = np.einsum("lj,k->ljk", np.eye(M), fs[i])   # M x (M x N)
        df_dA = np.tensordot(D, dz_dA, axes=1)
        df_db = D                                   # dz/db = I
        grads[i] = (np.tensordot(left, df_dA, axes=1), left @ df_db)
        left = left @ (D @ A)                       # times df_{i+1}/df_i
    return grads


def _mml_backprop_vectors(theta, x, y):
    """The same recursion with error vectors instead of Jacobian matrices."""
    K = len(theta)
    fs, zs = _mml_forward_numpy(theta, x)
    delta = -2.0 * (y - fs[K])
    grads = [None] * K
    for i in reversed(range(K)):
        dz = delta * _SIGMAS[i][2](zs[i])
        grads[i] = (np.outer(dz, fs[i]), dz)
        delta = dz @ theta[i][0]
    return grads


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("K", [2, 3])
def test_multi_layer_network_backprop_mml(K, seed):
    theta, x, y = _mml_net(K, 1000 * K + seed)
    ref = _mml_backprop_jacobians(theta, x, y)
    ref_vec = _mml_backprop_vectors(theta, x, y)
    rev = cr.grad(_mml_loss)(theta, x, y)
    fwd = cr.jacfwd(_mml_loss)(theta, x, y)
    val, rev2 = cr.value_and_grad(_mml_loss)(theta, x, y)
    fs, _ = _mml_forward_numpy(theta, x)
    assert val == pytest.approx(np.sum((y - fs[-1]) ** 2), rel=1e-14)
    assert isinstance(rev, list) and len(rev) == K
    for j in range(K):
        for k in range(2):                          # A_j, b_j
            e = ref[j][k]
            np.testing.assert_allclose(ref_vec[j][k], e, rtol=1e-12, atol=1e-14)
            for got in (rev, fwd, rev2):
                assert got[j][k].dtype == np.float64 and got[j][k].shape == e.shape
                np.testing.assert_allclose(got[j][k], e, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("K", [2, 3])
def test_multi_layer_network_layer_jacobians_mml(K):
    # seed 000 eq. 5.118 with every factor computed by chainrule itself: the Jacobians of
    # the layers, chained in reverse order, give the gradient
    theta, x, y = _mml_net(K, 77 + K)
    fs, _ = _mml_forward_numpy(theta, x)

    def layer(i):
        return lambda f, A, b: _SIGMAS[i][0](A @ f + b)

    left = cr.grad(lambda f: cnp.sum((y - f) ** 2))(fs[K])
    full = cr.grad(_mml_loss)(theta, x, y)
    for i in reversed(range(K)):
        A, b = theta[i]
        dfdf, dfdA, dfdb = cr.jacrev(layer(i), argnums=(0, 1, 2))(fs[i], A, b)
        np.testing.assert_allclose(np.tensordot(left, dfdA, axes=1), full[i][0], rtol=1e-12)
        np.testing.assert_allclose(left @ dfdb, full[i][1], rtol=1e-12)
        left = left @ dfdf


# =====================================================================================
# Single-layer tanh network (seed 003, "Gradients of a Single-Layer Neural Network",
# "Putting Things Together")
# =====================================================================================
@pytest.mark.parametrize("seed", range(3))
def test_single_layer_tanh_jacobians(seed):
    # f = tanh(Ax + b), z = Ax + b;  df/dz = diag(1 - tanh^2(z)), dz/db = I,
    # dz/dA[l, j, k] = x_k if l = j else 0;  df/db = df/dz dz/db (M x M),
    # df/dA[i, j, k] = sum_l df/dz[i, l] dz/dA[l, j, k] (M x (M x N))
    rng = np.random.default_rng(seed)
    M, N = 3, 4
    A, b, x = rng.standard_normal((M, N)), rng.standard_normal(M), rng.standard_normal(N)
    f = lambda A, b: cnp.tanh(A @ x + b)  # noqa: E731
    z = A @ x + b
    df_dz = np.diag(1 - np.tanh(z) ** 2)
    dz_dA = np.einsum("lj,k->ljk", np.eye(M), x)
    df_db = df_dz @ np.eye(M)
    df_dA = np.einsum("il,ljk->ijk", df_dz, dz_dA)
    for jac in (cr.jacfwd, cr.jacrev, cr.jacobian):
        gA, gb = jac(f, argnums=(0, 1))(A, b)
        assert gA.shape == (M, M, N) and gb.shape == (M, M)
        np.testing.assert_allclose(gb, df_db, rtol=1e-14, atol=1e-16)
        np.testing.assert_allclose(gA, df_dA, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("seed", range(3))
def test_single_layer_tanh_squared_loss(seed):
    # L = 1/2 ||e||^2, e = y - f(z); dL/dA = dL/de de/df df/dz dz/dA with
    # dL/de = e^T, de/df = -I, df/dz = diag(1 - tanh^2 z), dz/dA as above, dz/db = I
    rng = np.random.default_rng(10 + seed)
    M, N = 3, 4
    A, b = rng.standard_normal((M, N)), rng.standard_normal(M)
    x, y = rng.standard_normal(N), rng.standard_normal(M)
    L = lambda A, b: 0.5 * cnp.sum((y - cnp.tanh(A @ x + b)) ** 2)  # noqa: E731
    z = A @ x + b
    e = y - np.tanh(z)
    chain = e @ (-np.eye(M)) @ np.diag(1 - np.tanh(z) ** 2)     # 1 x M
    dL_dA = np.tensordot(chain, np.einsum("lj,k->ljk", np.eye(M), x), axes=1)
    dL_db = chain @ np.eye(M)
    gA, gb = cr.grad(L, argnums=(0, 1))(A, b)
    np.testing.assert_allclose(gA, dL_dA, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(gb, dL_db, rtol=1e-13, atol=1e-16)
    fA, fb = cr.jacfwd(L, argnums=(0, 1))(A, b)
    np.testing.assert_allclose(fA, dL_dA, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(fb, dL_db, rtol=1e-13, atol=1e-16)
    cr.check_grads(L, (A, b), order=2)


# =====================================================================================
# x -> a -> b -> y (seed 000 Fig. 5.10 and eqs. 5.119-5.121; seed 002)
# =====================================================================================
def test_x_a_b_y_chain_both_orders():
    # dy/dx = dy/db db/da da/dx; reverse mode = (dy/db db/da) da/dx (eq. 5.120),
    # forward mode = dy/db (db/da da/dx) (eq. 5.121): same numbers
    rng = np.random.default_rng(7)
    P, Q, R = rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), rng.standard_normal((2, 5))
    a_of = lambda x: cnp.sin(P @ x)  # noqa: E731
    b_of = lambda a: cnp.exp(0.3 * (Q @ a))  # noqa: E731
    y_of = lambda b: R @ cnp.log1p(b)  # noqa: E731
    x = rng.standard_normal(3)
    a = a_of(x)
    b = b_of(a)
    da_dx, db_da, dy_db = cr.jacfwd(a_of)(x), cr.jacfwd(b_of)(a), cr.jacfwd(y_of)(b)
    reverse = (dy_db @ db_da) @ da_dx
    forward = dy_db @ (db_da @ da_dx)
    np.testing.assert_allclose(reverse, forward, rtol=1e-13)
    full = lambda x: y_of(b_of(a_of(x)))  # noqa: E731
    np.testing.assert_allclose(cr.jacrev(full)(x), reverse, rtol=1e-12)
    np.testing.assert_allclose(cr.jacfwd(full)(x), forward, rtol=1e-12)
    # reverse mode row by row: a cotangent pulled back through y, b, a in turn
    u = np.array([1.0, -2.0])
    _, pb_y = cr.vjp(y_of, b)
    _, pb_b = cr.vjp(b_of, a)
    _, pb_a = cr.vjp(a_of, x)
    np.testing.assert_allclose(pb_a(pb_b(pb_y(u)[0])[0])[0], u @ reverse, rtol=1e-12)
    # forward mode column by column: a tangent pushed through a, b, y
    t = np.array([0.5, 0.1, -1.0])
    ta = cr.jvp(a_of, (x,), (t,))[1]
    tb = cr.jvp(b_of, (a,), (ta,))[1]
    ty = cr.jvp(y_of, (b,), (tb,))[1]
    np.testing.assert_allclose(ty, forward @ t, rtol=1e-12)


def test_forward_vs_reverse_is_left_vs_right_multiplication():
    # seed 001: "forward mode and backward mode is analogous to ... left-multiplying versus
    # right-multiplying a sequence of matrices, such as ABCD"
    rng = np.random.default_rng(8)
    A, B, C, D = (rng.standard_normal(s) for s in [(2, 3), (3, 4), (4, 5), (5, 6)])
    f = lambda x: A @ (B @ (C @ (D @ x)))  # noqa: E731
    x = rng.standard_normal(6)
    np.testing.assert_allclose(cr.jacfwd(f)(x), A @ B @ C @ D, rtol=1e-13)
    np.testing.assert_allclose(cr.jacrev(f)(x), A @ B @ C @ D, rtol=1e-13)


# =====================================================================================
# Example 5.14 (seed 000; seed 002): f(x) = sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2))
# =====================================================================================
def mml_5_14(x, e=(0.0,) * 6):
    # intermediate variables (eqs. 5.123-5.128); e perturbs each one to read its adjoint
    a = x ** 2 + e[0]
    b = cnp.exp(a) + e[1]
    c = a + b + e[2]
    d = cnp.sqrt(c) + e[3]
    e_ = cnp.cos(c) + e[4]
    return d + e_ + e[5]


@pytest.mark.parametrize("x", [-1.2, 0.3, 0.9, 1.7])
def test_mml_example_5_14(x):
    a = x ** 2
    b = math.exp(a)
    c = a + b
    expected_f = math.sqrt(c) + math.cos(c)
    # derivatives of the elementary functions and the backward recursion of the notes:
    # df/dc = 1/(2 sqrt c) + (-sin c); df/db = df/dc; df/da = df/db exp(a) + df/dc;
    # df/dx = df/da 2x
    df_dc = 1 / (2 * math.sqrt(c)) - math.sin(c)
    df_db = df_dc * 1
    df_da = df_db * math.exp(a) + df_dc * 1
    df_dx = df_da * 2 * x
    assert mml_5_14(x) == pytest.approx(expected_f)
    assert cr.grad(mml_5_14)(x) == pytest.approx(df_dx, rel=1e-13)
    assert cr.jvp(mml_5_14, (x,), (1.0,))[1] == pytest.approx(df_dx, rel=1e-13)
    # the adjoints of the intermediate variables a, b, c, d, e, f
    adj = cr.grad(lambda e: mml_5_14(x, e))(np.zeros(6))
    np.testing.assert_allclose(adj, [df_da, df_db, df_dc, 1.0, 1.0, 1.0], rtol=1e-13)
    cr.check_grads(mml_5_14, (x,), order=2)


# =====================================================================================
# van der Wilk (seed 003): other slides
# =====================================================================================
@pytest.mark.parametrize("seed", range(2))
def test_f_K_D_theta_both_bracketings(seed):
    # "Example: Inefficient Symbolic Differentiation": L(theta) = f(K(D(theta))),
    # f: R^{NxN} -> R, K: R^{NxN} -> R^{NxN}, D: R^P -> R^{NxN};
    # dL/dtheta = dL/dK dK/dD dD/dtheta, (1 x N^2)(N^2 x N^2)(N^2 x P), either bracketing
    rng = np.random.default_rng(seed)
    N = P = 4
    theta = rng.standard_normal(P)
    D = lambda th: (th[:, None] - th[None, :]) ** 2  # noqa: E731
    K = lambda Dm: cnp.exp(-0.5 * Dm) + 0.1 * np.eye(N)  # noqa: E731
    f = lambda Km: cnp.sum(cnp.sin(Km) * Km)  # noqa: E731
    dL_dK = cr.grad(f)(K(D(theta))).reshape(1, N * N)
    dK_dD = cr.jacfwd(K)(D(theta)).reshape(N * N, N * N)
    dD_dth = cr.jacfwd(D)(theta).reshape(N * N, P)
    left = (dL_dK @ dK_dD) @ dD_dth
    right = dL_dK @ (dK_dD @ dD_dth)
    np.testing.assert_allclose(left, right, rtol=1e-12, atol=1e-14)
    L = lambda th: f(K(D(th)))  # noqa: E731
    np.testing.assert_allclose(cr.grad(L)(theta), left[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cr.jacfwd(L)(theta), left[0], rtol=1e-12, atol=1e-14)


def test_graph_with_shared_input():
    # "Example: f(x1, x2) = f(x1, g(x1, x2))": x1 reaches the output along two edges;
    # df/dx1 = d1f + d2f dg/dx1 (the sum over outputs of eq. 3)
    g = lambda x1, x2: x1 * cnp.exp(x2)  # noqa: E731
    h = lambda x1, u: cnp.sin(x1) * u ** 2  # noqa: E731
    F = lambda x1, x2: h(x1, g(x1, x2))  # noqa: E731
    x1, x2 = 0.8, -0.4
    u = x1 * math.exp(x2)
    d1 = math.cos(x1) * u ** 2
    d2 = 2 * math.sin(x1) * u
    expected = (d1 + d2 * math.exp(x2), d2 * x1 * math.exp(x2))
    assert cr.grad(F, argnums=(0, 1))(x1, x2) == pytest.approx(expected, rel=1e-14)
    assert cr.jvp(F, (x1, x2), (1.0, 0.0))[1] == pytest.approx(expected[0], rel=1e-14)


def test_product_rule_by_forward_mode():
    # "Fun exercise: prove the product rule using forward mode autodiff": the tangent of
    # v = u * w is u' w + u w'
    u = lambda x: cnp.sin(x)  # noqa: E731
    w = lambda x: x ** 3  # noqa: E731
    x = 1.1
    _, t = cr.jvp(lambda x: u(x) * w(x), (x,), (1.0,))
    assert t == pytest.approx(math.cos(x) * x ** 3 + math.sin(x) * 3 * x ** 2, rel=1e-14)


def test_directional_and_partial_derivatives():
    # "Directional derivatives motivate partial derivatives": the derivative along v is
    # grad f . v (one forward pass); along a unit vector e_i it is the partial df/dx_i.
    # "Repeat for all i to find all gradients": forward mode needs one pass per input.
    rng = np.random.default_rng(9)
    f = lambda x: cnp.sum(cnp.sin(x) * x[::-1]) + cnp.prod(x)  # noqa: E731
    x = rng.standard_normal(4)
    gradient = cr.grad(f)(x)
    v = rng.standard_normal(4)
    assert cr.jvp(f, (x,), (v,))[1] == pytest.approx(gradient @ v, rel=1e-13)
    partials = [cr.jvp(f, (x,), (np.eye(4)[i],))[1] for i in range(4)]
    np.testing.assert_allclose(partials, gradient, rtol=1e-13)
    # the directional derivative as a limit of difference quotients
    h = 1e-6
    fd = (float(f(x + h * v)) - float(f(x - h * v))) / (2 * h)
    assert cr.jvp(f, (x,), (v,))[1] == pytest.approx(fd, rel=1e-7)


def test_conditions_for_minimum():
    # "Conditions for minimum: df/dx = 0, lambda_i(H) > 0 for all i"
    rng = np.random.default_rng(10)
    B = rng.standard_normal((3, 3))
    Q = B @ B.T + 3 * np.eye(3)
    r = rng.standard_normal(3)
    f = lambda x: 0.5 * x @ (Q @ x) - r @ x + 0.1 * cnp.sum(x ** 4)  # noqa: E731
    x = np.zeros(3)
    for _ in range(50):                  # Newton's method with chainrule's grad and Hessian
        x = x - np.linalg.solve(cr.hessian(f)(x), cr.grad(f)(x))
    np.testing.assert_allclose(cr.grad(f)(x), 0.0, atol=1e-12)
    H = cr.hessian(f)(x)
    np.testing.assert_allclose(H, Q + np.diag(1.2 * x ** 2), rtol=1e-13)
    assert np.all(np.linalg.eigvalsh(H) > 0)


def test_vector_chain_rule_is_matrix_multiplication_index_notation():
    # "df/dA[i, j, k] = sum_l df/dz[i, l] dz/dA[l, j, k]": with reshaped inputs every
    # array function is a multivariate function and the chain rule sums over the shared index
    rng = np.random.default_rng(11)
    A = rng.standard_normal((2, 3))
    x = rng.standard_normal(3)
    z_of = lambda A: A @ x  # noqa: E731
    f_of = lambda z: cnp.stack([z[0] * z[1], cnp.exp(z[1])])  # noqa: E731
    df_dz = cr.jacfwd(f_of)(z_of(A))
    dz_dA = cr.jacfwd(z_of)(A)
    expected = np.einsum("il,ljk->ijk", df_dz, dz_dA)
    np.testing.assert_allclose(cr.jacrev(lambda A: f_of(z_of(A)))(A), expected, rtol=1e-13)
    # and as a plain matrix product after reshaping A to a vector
    flat = cr.jacfwd(lambda a: f_of(z_of(a.reshape(2, 3))))(A.ravel())
    np.testing.assert_allclose(flat, df_dz @ dz_dA.reshape(2, 6), rtol=1e-13)


# =====================================================================================
# Goodfellow et al. sec. 6.5 (seed 004)
# =====================================================================================
def test_graph_z_equals_x_times_y():
    # Figure (a): z = x y
    assert cr.grad(lambda x, y: x * y, argnums=(0, 1))(3.0, -2.0) == (-2.0, 3.0)


@pytest.mark.parametrize("seed", range(3))
def test_logistic_regression_graph(seed):
    # Figure (b): y_hat = sigma(x^T w + b), with u1 = x^T w, u2 = u1 + b
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal(4), rng.standard_normal(4), 0.3
    yhat = lambda w, b: _csig(x @ w + b)  # noqa: E731
    s = _sig(x @ w + b)
    gw, gb = cr.grad(yhat, argnums=(0, 1))(w, b)
    np.testing.assert_allclose(gw, s * (1 - s) * x, rtol=1e-14)
    assert gb == pytest.approx(s * (1 - s), rel=1e-14)
    # "gradient of x, where y are inputs whose derivatives are not required": argnums
    np.testing.assert_allclose(cr.grad(lambda x, w: _csig(x @ w + b))(x, w),
                               s * (1 - s) * w, rtol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_relu_design_matrix_graph(seed):
    # Figure (c): H = max{0, XW + b} for a minibatch X; with a downstream gradient G,
    # dW = X^T (G * [XW + b > 0]), db = column sums of the same
    rng = np.random.default_rng(seed)
    X, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    G = rng.standard_normal((5, 4))
    H = lambda W, b: cnp.maximum(0.0, X @ W + b)  # noqa: E731
    mask = (X @ W + b) > 0
    np.testing.assert_allclose(H(W, b), np.maximum(0, X @ W + b))
    gW, gb = cr.grad(lambda W, b: cnp.sum(H(W, b) * G), argnums=(0, 1))(W, b)
    np.testing.assert_allclose(gW, X.T @ (G * mask), rtol=1e-13)
    np.testing.assert_allclose(gb, (G * mask).sum(axis=0), rtol=1e-13)
    _, pb = cr.vjp(H, W, b)
    np.testing.assert_allclose(pb(G)[0], X.T @ (G * mask), rtol=1e-13)


def test_weight_decay_graph_weights_used_twice():
    # Figure (d): w feeds both the prediction y_hat = x^T w and the weight decay penalty
    # lambda sum_i w_i^2; the gradient sums both paths
    rng = np.random.default_rng(12)
    X, y, w, lam = rng.standard_normal((6, 3)), rng.standard_normal(6), rng.standard_normal(3), 0.1
    J = lambda w: cnp.mean((X @ w - y) ** 2) + lam * cnp.sum(w ** 2)  # noqa: E731
    expected = 2 / 6 * X.T @ (X @ w - y) + 2 * lam * w
    np.testing.assert_allclose(cr.grad(J)(w), expected, rtol=1e-13)
    np.testing.assert_allclose(cr.jacfwd(J)(w), expected, rtol=1e-13)


@pytest.mark.parametrize("name", ["sin", "exp", "tanh", "square"])
def test_figure_6_9_repeated_subexpressions(name):
    # Figure 6.9: x = f(w), y = f(x), z = f(y);
    # dz/dw = f'(y) f'(x) f'(w) (eq. 6.52) = f'(f(f(w))) f'(f(w)) f'(w) (eq. 6.53)
    fns = {"sin": (cnp.sin, np.sin, np.cos), "exp": (cnp.exp, np.exp, np.exp),
           "tanh": (cnp.tanh, np.tanh, lambda v: 1 - np.tanh(v) ** 2),
           "square": (cnp.square, np.square, lambda v: 2 * v)}
    f, f_np, df = fns[name]
    w = 0.37
    x = f_np(w)
    y = f_np(x)
    eq_6_52 = df(y) * df(x) * df(w)
    eq_6_53 = df(f_np(f_np(w))) * df(f_np(w)) * df(w)
    assert eq_6_52 == eq_6_53
    chain = lambda w: f(f(f(w)))  # noqa: E731
    assert cr.grad(chain)(w) == pytest.approx(eq_6_52, rel=1e-14)
    assert cr.jvp(chain, (w,), (1.0,))[1] == pytest.approx(eq_6_52, rel=1e-14)
    # the memory-saving variant of the text: recompute instead of storing
    assert cr.grad(cr.checkpoint(chain))(w) == pytest.approx(eq_6_52, rel=1e-14)


# Algorithms 6.1 (forward) and 6.2 (back-propagation) on a small graph: each node u(i)
# = f(i)(A(i)) with hand-written local partial derivatives; grad_table[u(j)] =
# sum_{i: j in Pa(u(i))} grad_table[u(i)] du(i)/du(j)
_GRAPH = [
    # (name, parents, op, local partials d op / d parent)
    ("u3", ("u1",), lambda a: np.log(a), (lambda a: 1 / a,)),
    ("u4", ("u1", "u2"), lambda a, b: a * b, (lambda a, b: b, lambda a, b: a)),
    ("u5", ("u2",), lambda a: np.sin(a), (lambda a: np.cos(a),)),
    ("u6", ("u3", "u4"), lambda a, b: a + b, (lambda a, b: 1.0, lambda a, b: 1.0)),
    ("u7", ("u6", "u5"), lambda a, b: a - b, (lambda a, b: 1.0, lambda a, b: -1.0)),
    ("u8", ("u7", "u4"), lambda a, b: a * np.tanh(b),
     (lambda a, b: np.tanh(b), lambda a, b: a * (1 - np.tanh(b) ** 2))),
]


def _algorithm_6_1_and_6_2(x1, x2):
    u = {"u1": x1, "u2": x2}
    for name, parents, op, _ in _GRAPH:                 # Algorithm 6.1
        u[name] = op(*(u[p] for p in parents))
    grad_table = {k: 0.0 for k in u}
    grad_table[_GRAPH[-1][0]] = 1.0                     # d u(n) / d u(n) = 1
    for name, parents, _, partials in reversed(_GRAPH):  # Algorithm 6.2
        args = [u[p] for p in parents]
        for p, d in zip(parents, partials):
            grad_table[p] += grad_table[name] * d(*args)
    return u, grad_table


def _graph_chainrule(x1, x2, e=np.zeros(6)):
    u3 = cnp.log(x1) + e[0]
    u4 = x1 * x2 + e[1]
    u5 = cnp.sin(x2) + e[2]
    u6 = u3 + u4 + e[3]
    u7 = u6 - u5 + e[4]
    return u7 * cnp.tanh(u4) + e[5]


@pytest.mark.parametrize("x1,x2", [(2.0, 5.0), (0.5, -1.0), (3.0, 0.25)])
def test_algorithms_6_1_and_6_2(x1, x2):
    u, table = _algorithm_6_1_and_6_2(x1, x2)
    assert _graph_chainrule(x1, x2) == pytest.approx(u["u8"], rel=1e-15)
    g = cr.grad(_graph_chainrule, argnums=(0, 1))(x1, x2)
    assert g == pytest.approx((table["u1"], table["u2"]), rel=1e-13)
    inner = cr.grad(lambda e: _graph_chainrule(x1, x2, e))(np.zeros(6))
    np.testing.assert_allclose(inner, [table[f"u{i}"] for i in range(3, 9)], rtol=1e-13)


def test_backprop_computes_jacobians_of_multi_output_functions():
    # "can be used to compute values such as the Jacobian of a function f with multiple
    # outputs": one reverse pass per output row
    rng = np.random.default_rng(13)
    x = rng.standard_normal(3)
    f = lambda x: cnp.stack([x[0] * x[1], cnp.sin(x[2]), cnp.sum(x ** 2)])  # noqa: E731
    expected = np.array([[x[1], x[0], 0.0], [0.0, 0.0, np.cos(x[2])], 2 * x])
    out, pb = cr.vjp(f, x)
    rows = np.stack([pb(np.eye(3)[i])[0] for i in range(3)])
    np.testing.assert_allclose(rows, expected, rtol=1e-14)
    np.testing.assert_allclose(cr.jacrev(f)(x), expected, rtol=1e-14)


# =====================================================================================
# Nested derivatives: perturbation confusion (Siskind & Pearlmutter). Every combination
# of reverse (grad) and forward (jvp) mode for the inner and the outer derivative.
# =====================================================================================
def _D_rev(f):
    return cr.grad(f)


def _D_fwd(f):
    return lambda x: cr.jvp(f, (x,), (1.0,))[1]


MODES = {"grad-of-grad": (_D_rev, _D_rev), "jvp-of-grad": (_D_fwd, _D_rev),
         "grad-of-jvp": (_D_rev, _D_fwd), "jvp-of-jvp": (_D_fwd, _D_fwd)}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("x", [-3.0, 0.5, 1.0, 7.25])
def test_nested_x_times_d_dy_x_plus_y(mode, x):
    # d/dx [x * d/dy (x + y)] = 1 at any x (a confused implementation gives 2)
    outer, inner = MODES[mode]
    assert outer(lambda x: x * inner(lambda y: x + y)(1.0))(x) == pytest.approx(1.0)
    # the inner derivative taken at y = x, so both perturbations meet in one expression
    assert outer(lambda x: x * inner(lambda y: x + y)(x))(x) == pytest.approx(1.0)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("x", [-2.0, 0.0, 1.5, 4.0])
def test_nested_f1_d_dy_y_times_x_minus_y(mode, x):
    # f1(x) = d/dy [y (x - y)] at y = x  (= x - 2y = -x); d/dx f1 = -1
    outer, inner = MODES[mode]
    f1 = lambda x: inner(lambda y: y * (x - y))(x)  # noqa: E731
    assert f1(x) == pytest.approx(-x)
    assert outer(f1)(x) == pytest.approx(-1.0)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_nested_D_x_times_D_y_x_times_y(mode):
    # D(x -> x * D(y -> x * y)) at 4 = 8  (x * x has derivative 2x)
    outer, inner = MODES[mode]
    assert outer(lambda x: x * inner(lambda y: x * y)(4.0))(4.0) == pytest.approx(8.0)
    for x in (-1.0, 0.5, 3.0):
        assert outer(lambda x: x * inner(lambda y: x * y)(2.0))(x) == pytest.approx(2 * x)


def test_nested_perturbation_three_levels():
    # three nested derivatives of mixed modes: d/dx [x * d/dy [y * d/dz (x + y + z)]]
    # inner-most = 1, middle = d/dy [y] = 1, outer = d/dx [x] = 1
    for o in (_D_rev, _D_fwd):
        for m in (_D_rev, _D_fwd):
            for i in (_D_rev, _D_fwd):
                h = lambda x: x * m(lambda y: y * i(lambda z: x + y + z)(1.0))(2.0)  # noqa
                assert o(h)(3.0) == pytest.approx(1.0)
