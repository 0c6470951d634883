"""The transformations of API.md section 2: structure, argnums, pytrees, composition."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp

RNG = np.random.default_rng(42)


def f_seed(x1, x2):
    return cnp.log(x1) + x1 * x2 - cnp.sin(x2)


# ----------------------------------------------------------------- grad & friends
def test_grad_argnums_int_and_tuple():
    g1 = cr.grad(f_seed)(2.0, 5.0)
    g2 = cr.grad(f_seed, argnums=1)(2.0, 5.0)
    g12 = cr.grad(f_seed, argnums=(0, 1))(2.0, 5.0)
    assert g1 == pytest.approx(5.5)
    assert g2 == pytest.approx(2.0 - np.cos(5.0))
    assert isinstance(g12, tuple) and len(g12) == 2
    assert g12[0] == pytest.approx(5.5) and g12[1] == pytest.approx(1.7163378145367738)


def test_grad_negative_argnums():
    assert cr.grad(f_seed, argnums=-1)(2.0, 5.0) == pytest.approx(2.0 - np.cos(5.0))


def test_value_and_grad_and_has_aux():
    v, g = cr.value_and_grad(f_seed)(2.0, 5.0)
    assert v == pytest.approx(11.652071455223084) and g == pytest.approx(5.5)

    def f(x):
        y = cnp.sum(x ** 2)
        return y, {"norm": cnp.sqrt(y), "n": 3}

    (v, aux), g = cr.value_and_grad(f, has_aux=True)(np.array([3.0, 4.0]))
    assert v == pytest.approx(25.0)
    assert aux["norm"] == pytest.approx(5.0) and aux["n"] == 3
    assert not isinstance(aux["norm"], cr.core.Tracer)
    np.testing.assert_allclose(g, [6.0, 8.0])
    g2, aux2 = cr.grad(f, has_aux=True)(np.array([3.0, 4.0]))
    np.testing.assert_allclose(g2, [6.0, 8.0])
    assert aux2["norm"] == pytest.approx(5.0)


def test_value_and_grad_pauses_the_collector_only_while_it_runs():
    import gc
    seen = []

    def f(x):
        seen.append(gc.isenabled())
        return cnp.sum(x * x)

    def inner(x):                            # a nested call leaves the collector paused
        seen.append(gc.isenabled())
        return cr.grad(f)(x).sum()

    was = gc.isenabled()
    try:
        gc.enable()
        cr.value_and_grad(f)(np.ones(3))
        assert seen == [False] and gc.isenabled()
        seen.clear()
        cr.grad(inner)(np.ones(3))
        assert seen == [False, False] and gc.isenabled()

        def fails(x):
            raise RuntimeError("boom")
        with pytest.raises(RuntimeError, match="boom"):
            cr.grad(fails)(1.0)
        assert gc.isenabled()                # resumed on the error path too
        gc.disable()                         # a caller's own pause is left as it is
        cr.grad(f)(np.ones(3))
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_gradients_are_the_callers_to_change_in_place():
    # x + y hands one cotangent to both arguments; sum pulls back a read-only broadcast
    # view. Returned as they were, gx += 1 changed gy too, and g += 1 failed.
    x, y = np.ones(3), np.ones(3)
    gx, gy = cr.grad(lambda x, y: cnp.sum((x + y) * 2.0), argnums=(0, 1))(x, y)
    gx += 1.0
    np.testing.assert_array_equal(gy, [2.0, 2.0, 2.0])
    g = cr.grad(lambda p: cnp.sum(p["a"] + p["b"]))({"a": np.ones((2, 3)), "b": np.ones(3)})
    for leaf in g.values():
        assert leaf.flags.writeable and leaf.base is None
    g["a"] += 1.0
    np.testing.assert_array_equal(g["b"], [2.0, 2.0, 2.0])
    _, pullback = cr.vjp(lambda x: x.T, np.ones((2, 3)))
    (ct,) = pullback(np.ones((3, 2)))
    assert ct.base is None and ct.flags.writeable
    # the identity must not hand back the caller's own cotangent or tangent
    seed = np.ones(3)
    _, pullback = cr.vjp(lambda x: x, np.zeros(3))
    (ct,) = pullback(seed)
    assert ct is not seed and not np.shares_memory(ct, seed)
    t = np.ones(3)
    _, (t1, t2, t3) = cr.jvp(lambda x: (x, x, x.reshape(3, 1)), (np.zeros(3),), (t,))
    for a, b in [(t1, t), (t2, t), (t3, t), (t1, t2), (t1, t3), (t2, t3)]:
        assert not np.shares_memory(a, b)
    t1 += 1.0
    np.testing.assert_array_equal(t, [1.0, 1.0, 1.0])


def test_grad_of_pytree_argument():
    params = {"W": RNG.standard_normal((3, 2)), "b": [np.zeros(2), (np.ones(2),)]}
    x = RNG.standard_normal((4, 3))

    def loss(p, x):
        h = x @ p["W"] + p["b"][0] * p["b"][1][0]
        return cnp.sum(cnp.tanh(h) ** 2)

    g = cr.grad(loss)(params, x)
    assert set(g) == {"W", "b"} and isinstance(g["b"], list) and isinstance(g["b"][1], tuple)
    assert g["W"].shape == (3, 2) and g["b"][1][0].shape == (2,)
    num = cr.numerical_grad(lambda W: loss({**params, "W": W}, x), params["W"])
    np.testing.assert_allclose(g["W"], num, rtol=1e-6, atol=1e-8)


def test_grad_constant_function_gives_zeros():
    g = cr.grad(lambda x: 3.0)(np.ones(3))
    np.testing.assert_array_equal(g, np.zeros(3))
    g = cr.grad(lambda x, y: cnp.sum(y), argnums=0)(np.ones(2), np.ones(2))
    np.testing.assert_array_equal(g, np.zeros(2))


def test_grad_python_control_flow():
    def f(x):
        if x > 0:
            return x ** 2
        for _ in range(3):
            x = x * 2.0
        return x

    assert cr.grad(f)(3.0) == pytest.approx(6.0)
    assert cr.grad(f)(-1.0) == pytest.approx(8.0)


# ---------------------------------------------------------------------- vjp / jvp
def test_vjp_structure_and_values():
    x, y = RNG.standard_normal(3), RNG.standard_normal(3)
    out, pull = cr.vjp(lambda a, b: (a * b, cnp.sum(a)), x, y)
    np.testing.assert_allclose(out[0], x * y)
    ct = pull((np.ones(3), 2.0))
    assert isinstance(ct, tuple) and len(ct) == 2
    np.testing.assert_allclose(ct[0], y + 2.0)
    np.testing.assert_allclose(ct[1], x)
    # the pullback can be used twice
    ct2 = pull((np.zeros(3), 1.0))
    np.testing.assert_allclose(ct2[0], np.ones(3))


def test_vjp_rejects_wrong_cotangent_shape():
    _, pull = cr.vjp(lambda a: a * 2, np.ones(3))
    with pytest.raises(ValueError, match="shape"):
        pull(np.ones(4))


def test_jvp_structure_and_values():
    y, t = cr.jvp(f_seed, (2.0, 5.0), (1.0, 0.0))
    assert y == pytest.approx(11.652, abs=5e-4) and t == pytest.approx(5.5)
    y, t = cr.jvp(f_seed, (2.0, 5.0), (0.0, 1.0))
    assert t == pytest.approx(1.716, abs=5e-4)
    out, tout = cr.jvp(lambda d: {"a": d["x"] * 2, "b": 1.0}, ({"x": np.ones(2)},),
                       ({"x": np.arange(2.0)},))
    np.testing.assert_allclose(tout["a"], [0.0, 2.0])
    assert tout["b"] is None or np.all(np.asarray(tout["b"]) == 0)


def test_jvp_rejects_mismatched_tangent():
    with pytest.raises(ValueError, match="shape"):
        cr.jvp(cnp.sin, (np.ones(3),), (np.ones(2),))
    with pytest.raises(TypeError, match="tuples"):
        cr.jvp(cnp.sin, np.ones(3), np.ones(3))


# ------------------------------------------------------------------ Jacobians
def tall(x):
    W = np.linspace(-1, 1, 40).reshape(8, 5)
    return cnp.tanh(W @ x)


def wide(x):
    W = np.linspace(-1, 1, 40).reshape(5, 8)
    return cnp.tanh(W @ x)


@pytest.mark.parametrize("fun,n", [(tall, 5), (wide, 8)])
def test_jacobians_agree_with_analytic(fun, n):
    x = RNG.standard_normal(n)
    W = np.linspace(-1, 1, 40).reshape((8, 5) if n == 5 else (5, 8))
    want = (1 - np.tanh(W @ x) ** 2)[:, None] * W
    for jac in (cr.jacfwd(fun), cr.jacrev(fun), cr.jacobian(fun),
                cr.jacobian(fun, mode="fwd"), cr.jacobian(fun, mode="rev")):
        np.testing.assert_allclose(jac(x), want, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(jac(x), want, rtol=1e-12, atol=1e-12)   # cached mode


def test_jacobian_picks_mode_by_size(monkeypatch):
    from chainrule import transforms
    calls = []
    real_run = transforms._jvp_run

    def spy(*a, **k):
        calls.append("fwd")
        return real_run(*a, **k)

    monkeypatch.setattr(transforms, "_jvp_run", spy)
    j = cr.jacobian(tall)                     # 5 inputs < 8 outputs: forward
    j(np.ones(5)); j(np.ones(5))
    assert calls == ["fwd", "fwd"]
    calls.clear()
    j = cr.jacobian(wide)                     # 8 inputs > 5 outputs: reverse
    j(np.ones(8)); j(np.ones(8))
    assert calls == []
    with pytest.raises(ValueError, match="mode"):
        cr.jacobian(tall, mode="sideways")


def test_jacobian_is_one_vectorised_pass():
    """Jacobians push all directions at once: the function runs once per call."""
    count = [0]

    def f(x):
        count[0] += 1
        return cnp.sin(x) * x[0]

    x = RNG.standard_normal(6)
    cr.jacfwd(f)(x)
    cr.jacrev(f)(x)
    cr.hessian(lambda x: cnp.sum(f(x)))(x)
    assert count[0] == 3


def test_jacobian_shapes_and_pytrees():
    x = RNG.standard_normal((2, 3))
    J = cr.jacrev(lambda x: x.T * 2)(x)
    assert J.shape == (3, 2, 2, 3)
    Jf = cr.jacfwd(lambda x: x.T * 2)(x)
    np.testing.assert_allclose(J, Jf)
    a, b = RNG.standard_normal(2), RNG.standard_normal(3)
    for jac in (cr.jacfwd, cr.jacrev):
        J = jac(lambda a, b: {"o": cnp.outer(a, b), "s": cnp.sum(a)}, argnums=(0, 1))(a, b)
        assert J["o"][0].shape == (2, 3, 2) and J["o"][1].shape == (2, 3, 3)
        assert J["s"][0].shape == (2,) and J["s"][1].shape == (3,)
        np.testing.assert_allclose(J["o"][1][1], a[1] * np.eye(3))


def test_hessian_and_hvp():
    A = RNG.standard_normal((6, 4))
    x, v = RNG.standard_normal(4), RNG.standard_normal(4)

    def f(x):
        return cnp.sum(cnp.tanh(A @ x) ** 2) + 0.5 * x @ x

    t = np.tanh(A @ x)
    d2 = -2 * (1 - t ** 2) * (3 * t ** 2 - 1)   # d^2/du^2 tanh(u)^2
    H = A.T @ (d2[:, None] * A) + np.eye(4)
    np.testing.assert_allclose(cr.hessian(f)(x), H, rtol=1e-10)
    np.testing.assert_allclose(cr.hvp(f, (x,), (v,)), H @ v, rtol=1e-10)
    np.testing.assert_allclose(cr.jacfwd(cr.jacrev(f))(x), H, rtol=1e-10)
    np.testing.assert_allclose(cr.jacrev(cr.jacrev(f))(x), H, rtol=1e-10)
    np.testing.assert_allclose(cr.jacrev(cr.jacfwd(f))(x), H, rtol=1e-10)
    np.testing.assert_allclose(cr.jacfwd(cr.jacfwd(f))(x), H, rtol=1e-10)


def test_hessian_of_several_arguments():
    f = lambda x, y: cnp.sum(x ** 2 * y)
    x, y = RNG.standard_normal(2), RNG.standard_normal(2)
    H = cr.hessian(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(H[0][0], np.diag(2 * y))
    np.testing.assert_allclose(H[0][1], np.diag(2 * x))
    np.testing.assert_allclose(H[1][1], np.zeros((2, 2)))
    hv = cr.hvp(f, (x, y), (np.ones(2), np.zeros(2)))
    np.testing.assert_allclose(hv[0], 2 * y)
    np.testing.assert_allclose(hv[1], 2 * x)


def test_third_and_fourth_derivatives():
    d = cnp.sin
    for k, want in enumerate([np.cos(0.3), -np.sin(0.3), -np.cos(0.3), np.sin(0.3)]):
        d = cr.grad(d)
        assert d(0.3) == pytest.approx(want, rel=1e-12)
    # mixed: jvp of grad of grad
    g2 = cr.grad(cr.grad(lambda x: x ** 5))
    assert cr.jvp(g2, (2.0,), (1.0,))[1] == pytest.approx(60 * 4.0)


# ------------------------------------------------- perturbation confusion (nesting)
MODES = ["grad", "jvp"]


def D(mode):
    if mode == "grad":
        return cr.grad
    return lambda f: (lambda x: cr.jvp(f, (x,), (np.ones(np.shape(x)),))[1])


@pytest.mark.parametrize("outer", MODES)
@pytest.mark.parametrize("inner", MODES)
def test_perturbation_confusion(outer, inner):
    # d/dx [x * d/dy (x + y)] = 1
    f = lambda x: x * D(inner)(lambda y: x + y)(x)
    assert D(outer)(f)(3.0) == pytest.approx(1.0)
    assert D(outer)(f)(-7.5) == pytest.approx(1.0)
    # f1(x) = d/dy [y * (x - y)] at y = x  ->  x - 2x = -x; d/dx f1 = -1
    f1 = lambda x: D(inner)(lambda y: y * (x - y))(x)
    assert D(outer)(f1)(2.0) == pytest.approx(-1.0)
    # D(x -> x * D(y -> x * y)) at 4 = 8
    g = lambda x: x * D(inner)(lambda y: x * y)(4.0)
    assert D(outer)(g)(4.0) == pytest.approx(8.0)


# ------------------------------------------------------------- stop_gradient etc.
def test_stop_gradient():
    assert cr.grad(lambda x: x * cr.stop_gradient(x))(3.0) == pytest.approx(3.0)
    tree = cr.stop_gradient({"a": 1.0, "b": [np.ones(2)]})
    assert tree["a"] == 1.0
    assert cr.jvp(lambda x: cr.stop_gradient(x) ** 2, (2.0,), (1.0,))[1] == 0.0


def test_checkpoint_matches_plain_and_recomputes():
    count = [0]

    def block(x, w):
        count[0] += 1
        return cnp.tanh(x @ w) * 2.0

    x, w = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 4))
    f_plain = lambda x, w: cnp.sum(block(block(x, w), w) ** 2)
    ck = cr.checkpoint(block)
    f_ck = lambda x, w: cnp.sum(ck(ck(x, w), w) ** 2)
    g_plain = cr.grad(f_plain, argnums=(0, 1))(x, w)
    count[0] = 0
    g_ck = cr.grad(f_ck, argnums=(0, 1))(x, w)
    assert count[0] == 4                      # 2 forward + 2 recomputed in the backward
    for a, b in zip(g_plain, g_ck):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    # composes: second order and forward mode
    np.testing.assert_allclose(cr.hessian(lambda w: f_ck(x, w))(w),
                               cr.hessian(lambda w: f_plain(x, w))(w), rtol=1e-10, atol=1e-12)
    cr.check_grads(lambda w: f_ck(x, w), (w,), order=2)
    np.testing.assert_allclose(cr.jacfwd(lambda x: ck(x, w))(x), cr.jacrev(lambda x: block(x, w))(x))


def test_checkpoint_multiple_outputs_and_pytree():
    @cr.checkpoint
    def two(d):
        return d["a"] * d["b"], cnp.sin(d["a"])

    f = lambda a, b: cnp.sum(two({"a": a, "b": b})[0]) + cnp.sum(two({"a": a, "b": b})[1] ** 2)
    a, b = RNG.standard_normal(3), RNG.standard_normal(3)
    cr.check_grads(f, (a, b), order=2)


def test_custom_vjp():
    @cr.custom_vjp
    def f(x, y):
        return cnp.sin(x) * y

    def fwd(x, y):
        return f(x, y), (cnp.cos(x), cnp.sin(x), y)

    def bwd(res, g):
        cos_x, sin_x, y = res
        return (cos_x * g * y, sin_x * g)

    f.defvjp(fwd, bwd)
    x, y = 0.7, 1.3
    assert f(x, y) == pytest.approx(np.sin(x) * y)
    gx, gy = cr.grad(lambda x, y: f(x, y), argnums=(0, 1))(x, y)
    assert gx == pytest.approx(np.cos(x) * y) and gy == pytest.approx(np.sin(x))
    # the rule really is used: a deliberately different rule shows through
    @cr.custom_vjp
    def ident(x):
        return x
    ident.defvjp(lambda x: (x, None), lambda res, g: (3.0 * g,))
    assert cr.grad(lambda x: ident(x) * 2.0)(1.0) == pytest.approx(6.0)
    # second order: outer level differentiates through bwd
    assert cr.grad(cr.grad(lambda x: f(x, 2.0)))(0.4) == pytest.approx(-2 * np.sin(0.4))
    # forward mode differentiates the original function
    assert cr.jvp(lambda x: f(x, 2.0), (0.4,), (1.0,))[1] == pytest.approx(2 * np.cos(0.4))
    np.testing.assert_allclose(cr.jacrev(lambda x: f(x, 2.0))(np.array([0.1, 0.2])),
                               np.diag(2 * np.cos([0.1, 0.2])))


def test_custom_vjp_bad_bwd_is_clear():
    @cr.custom_vjp
    def f(x, y):
        return x * y
    f.defvjp(lambda x, y: (x * y, None), lambda res, g: (g,))
    with pytest.raises(TypeError, match="one cotangent per argument"):
        cr.grad(f)(1.0, 2.0)
    @cr.custom_vjp
    def h(x):
        return x
    with pytest.raises(TypeError, match="defvjp"):
        cr.grad(h)(1.0)


def test_custom_jvp_both_modes_and_stability():
    @cr.custom_jvp
    def log1pexp(x):
        return cnp.log1p(cnp.exp(x))

    @log1pexp.defjvp
    def rule(primals, tangents):
        (x,), (t,) = primals, tangents
        return log1pexp(x), t * (1.0 - 1.0 / (1.0 + cnp.exp(x)))

    # without the rule the gradient at 1000 is nan (inf / inf)
    assert cr.grad(log1pexp)(1000.0) == pytest.approx(1.0)
    assert cr.jvp(log1pexp, (1000.0,), (1.0,))[1] == pytest.approx(1.0)
    xs = np.array([-2.0, 0.5, 3.0])
    want = 1 / (1 + np.exp(-xs))
    np.testing.assert_allclose(cr.jacfwd(log1pexp)(xs), np.diag(want))
    np.testing.assert_allclose(cr.jacrev(log1pexp)(xs), np.diag(want))
    # second order through the rule
    assert cr.grad(cr.grad(log1pexp))(0.3) == pytest.approx(want_d2(0.3))
    cr.check_grads(log1pexp, (xs,), order=2)


def want_d2(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)


# --------------------------------------------------------------------- pytrees
def test_tree_utils():
    tree = {"b": (1.0, [2.0, None]), "a": np.ones(2)}
    leaves, td = cr.tree_flatten(tree)
    assert len(leaves) == 3
    back = cr.tree_unflatten(td, leaves)
    assert back["b"][1][1] is None and back["b"][0] == 1.0
    doubled = cr.tree_map(lambda x: x * 2, tree)
    np.testing.assert_array_equal(doubled["a"], [2.0, 2.0])
    with pytest.raises(ValueError):
        cr.tree_map(lambda x, y: x, {"a": 1}, {"b": 1})
    with pytest.raises(ValueError):
        cr.tree_unflatten(td, [1.0])


def test_square_by_self_multiplication_all_modes():
    """x * x takes a combined rule in the backward pass (one call, no accumulation)."""
    x = RNG.standard_normal((3, 2))
    for dt in (np.float64, np.float32):
        xv = x.astype(dt)
        g = cr.grad(lambda v: cnp.sum(v * v * v))(xv)
        assert g.dtype == dt
        np.testing.assert_allclose(g, 3 * xv ** 2, rtol=1e-5)
    cr.check_grads(lambda v: v * v, (x,), order=2)
    np.testing.assert_allclose(cr.jacrev(lambda v: v * v)(x), cr.jacfwd(lambda v: v * v)(x))
    np.testing.assert_allclose(cr.hessian(lambda v: cnp.sum((v * v) * (v * v)))(x[0]),
                               np.diag(12 * x[0] ** 2))
    # the same value at two levels is not "the same argument"
    assert cr.grad(lambda a: cr.grad(lambda b: a * b)(a))(3.0) == pytest.approx(1.0)
