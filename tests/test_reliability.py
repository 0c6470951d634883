"""Deep chains, memory, threads, dtypes and kinks."""
import gc
import threading
import tracemalloc

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
from chainrule.core import Primitive


def test_million_primitive_chain_no_recursion_error():
    n = 1_000_000

    def f(x):
        for _ in range(n):
            x = x * 1.0000001
        return x

    g = cr.grad(f)(np.float64(1.0))
    assert g == pytest.approx(1.0000001 ** n, rel=1e-9)


def test_deep_forward_mode_memory_does_not_grow():
    def f(x):
        for _ in range(20000):
            x = x * 0.999 + 0.001 * cnp.sin(x)
        return x

    tracemalloc.start()
    cr.jvp(f, (0.3,), (1.0,))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2_000_000      # forward mode keeps no tape


def test_memory_returns_to_baseline_after_many_grads():
    W = np.random.default_rng(0).standard_normal((20, 20))

    def loss(w, x):
        return cnp.sum(cnp.tanh(x @ w) ** 2) + cnp.sum(w ** 2)

    g = cr.grad(loss)
    x = np.ones((5, 20))
    for _ in range(20):                          # warm caches
        g(W, x)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):
        g(W, x)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after - base < 100_000, f"grew by {after - base} bytes over 1000 grad calls"


def test_tape_released_during_backward():
    """The backward pass drops each entry once used: a long chain's memory peaks at the
    end of the forward pass, not at twice that."""
    def f(x):
        for _ in range(3000):
            x = cnp.sin(x) * 1.0001
        return cnp.sum(x)

    x = np.ones(1000)
    tracemalloc.start()
    cr.grad(f)(x)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # 6000 primitives x 8 kB arrays ~ 48 MB stored; allow slack but not a second copy
    assert peak < 75_000_000


def test_two_threads_differentiate_concurrently():
    results, errors = {}, []

    def work(name, fun, x, want):
        try:
            for _ in range(200):
                got = cr.grad(fun)(x)
                np.testing.assert_allclose(got, want, rtol=1e-12)
            results[name] = True
        except Exception as e:          # pragma: no cover - reported below
            errors.append((name, e))

    x = np.linspace(0.1, 1.0, 7)
    t1 = threading.Thread(target=work, args=("sin", lambda v: cnp.sum(cnp.sin(v) ** 2), x,
                                             2 * np.sin(x) * np.cos(x)))
    t2 = threading.Thread(target=work, args=("exp", lambda v: cnp.sum(cnp.exp(v) * v), x,
                                             np.exp(x) * (1 + x)))
    t1.start(); t2.start(); t1.join(); t2.join()
    assert not errors, errors
    assert results == {"sin": True, "exp": True}
    assert gc.isenabled()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    x = np.linspace(0.1, 1.0, 4).astype(dtype)
    W = np.ones((3, 4))                           # float64 constant
    f = lambda v: cnp.sum(cnp.tanh(W @ v) * 0.5) + cnp.sum(v ** 2)
    assert cr.grad(f)(x).dtype == dtype
    assert cr.jacfwd(lambda v: cnp.sin(v) * 2.0)(x).dtype == dtype
    assert cr.jacrev(lambda v: cnp.sin(v) * 2.0)(x).dtype == dtype
    assert cr.hessian(lambda v: cnp.sum(cnp.sin(v)))(x).dtype == dtype
    out, t = cr.jvp(lambda v: cnp.exp(v), (x,), (np.ones_like(x),))
    assert out.dtype == dtype and t.dtype == dtype
    assert cr.vjp(lambda v: v * 3.0, x)[1](np.ones_like(x))[0].dtype == dtype


def test_kinks_give_zero_not_nan():
    z = np.zeros(3)
    assert np.all(cr.grad(lambda v: cnp.sum(cnp.abs(v)))(z) == 0)
    assert np.all(cr.grad(lambda v: cnp.sum(cnp.maximum(v, 0.0)))(z) == 0)       # relu
    assert np.all(cr.grad(lambda v: cnp.sum(cnp.minimum(v, 0.0)))(z) == 0)
    assert np.all(cr.jacfwd(lambda v: cnp.maximum(v, 0.0))(z) == 0)
    assert cr.grad(lambda v: cnp.sum(cnp.fabs(v)))(z).tolist() == [0.0, 0.0, 0.0]
    assert cr.grad(cr.grad(lambda v: cnp.abs(v)))(0.0) == 0.0
    # a tie between two traced values splits the derivative; maximum(x, x) = x
    gx, gy = cr.grad(lambda a, b: cnp.maximum(a, b), argnums=(0, 1))(1.0, 1.0)
    assert gx == 0.5 and gy == 0.5
    assert cr.grad(lambda a: cnp.maximum(a, a))(1.0) == 1.0


def test_linalg_norm_at_zero_is_zero():
    import chainrule.numpy.linalg as la
    if not hasattr(la, "norm"):
        pytest.skip("chainrule.numpy.linalg.norm not available")
    z = np.zeros(4)
    for ord_ in (None, 2, 1, np.inf):
        g = cr.grad(lambda v: la.norm(v, ord_))(z)
        assert np.all(np.isfinite(g)) and np.all(g == 0), ord_
    g = cr.grad(lambda m: la.norm(m))(np.zeros((2, 2)))
    assert np.all(g == 0)


# ---------------------------------------------------------- testing the tester
def _wrong_first_order():
    p = Primitive("wrong1", np.sin, register=False,
                  vjp_rules=[lambda g, ans, x: g * cnp.cos(x) * 1.01],
                  jvp_rules=[lambda t, ans, x: t * cnp.cos(x) * 1.01])
    return lambda x: p(x)


def _wrong_second_order():
    # correct first derivative, but written on raw NumPy values: its own derivative is 0
    from chainrule.core.tracer import primal_value
    p = Primitive("wrong2", np.sin, register=False,
                  vjp_rules=[lambda g, ans, x: g * np.cos(primal_value(x))],
                  jvp_rules=[lambda t, ans, x: t * np.cos(primal_value(x))])
    return lambda x: p(x)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_check_grads_catches_wrong_rule_at_order_1(mode):
    x = np.array([0.3, 0.8])
    with pytest.raises(AssertionError, match=rf"mode {mode}, order 1"):
        cr.check_grads(_wrong_first_order(), (x,), modes=(mode,), order=1)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_check_grads_catches_wrong_rule_at_order_2(mode):
    x = np.array([0.3, 0.8])
    f = _wrong_second_order()
    cr.check_grads(f, (x,), modes=(mode,), order=1)          # first order is right
    with pytest.raises(AssertionError, match=r"(JVP|VJP) of (JVP|VJP) of f.*order 2"):
        cr.check_grads(f, (x,), modes=(mode,), order=2)


def test_check_grads_message_names_argument_and_entry():
    f = _wrong_first_order()
    with pytest.raises(AssertionError) as e:
        cr.check_grads(lambda a, b: a * 2.0 + f(b), (np.ones(2), np.array([0.1, 0.5])),
                       modes=("fwd",), order=1)
    msg = str(e.value)
    assert "argument 1" in msg and "worst entry" in msg and "JVP of f" in msg


def test_numerical_grad_matches():
    f = lambda x, y: cnp.sum(x ** 2 * y)
    x, y = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    np.testing.assert_allclose(cr.numerical_grad(f, x, y), 2 * x * y, rtol=1e-7)
    np.testing.assert_allclose(cr.numerical_grad(f, x, y, argnums=1), x ** 2, rtol=1e-7)


def test_numerical_grad_tuple_argnums():
    g = cr.numerical_grad(lambda a, b: a * b ** 2, 2.0, 5.0, argnums=(0, 1))
    assert isinstance(g, tuple)
    assert g[0] == pytest.approx(25.0) and g[1] == pytest.approx(20.0)
    with pytest.raises(TypeError, match="argnums"):
        cr.numerical_grad(lambda a: a, 1.0, argnums=3)


@pytest.mark.parametrize("reduce", ["max", "min", "sum", "mean", "logsumexp-by-hand"])
def test_float32_backward_pass_stays_float32_inside(reduce):
    """Regression: max/min's rule built float64 weights, so every cotangent upstream of it
    became float64 (the result was cast back, but the matmuls ran in float64, ~3x slower)."""
    seen = []

    @cr.custom_vjp
    def probe(x):
        return x

    probe.defvjp(lambda x: (x, None), lambda res, g: (seen.append(g.dtype) or g,))

    def red(h):
        if reduce == "logsumexp-by-hand":
            m = cnp.max(h, axis=1, keepdims=True)
            return cnp.log(cnp.sum(cnp.exp(h - m), axis=1)) + m[:, 0]
        return getattr(cnp, reduce)(h, axis=1)

    W = np.ones((3, 4), dtype=np.float32)
    f = lambda x: cnp.sum(red(probe(x) @ W))          # noqa: E731
    g = cr.grad(f)(np.linspace(0.1, 1.0, 6, dtype=np.float32).reshape(2, 3))
    assert g.dtype == np.float32
    assert seen == [np.float32], seen
