"""chainrule.optim against the published update rules.

Each optimiser is compared, over several steps on a quadratic, with an independent
implementation of the algorithm as PyTorch documents it (the pseudo-code boxes of
``torch.optim.SGD``, ``Adam``, ``RMSprop`` and ``Adagrad``), written below on one flat
vector with NumPy, step by step. The library works on pytrees; the optimisers are
elementwise, so the flat reference must agree entry by entry.
"""
import copy
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim

# ------------------------------------------------ the published algorithms
def ref_sgd(grad, theta, steps, lr, momentum=0.0, dampening=0.0, nesterov=False,
            weight_decay=0.0):
    theta = theta.copy()
    b = None
    for t in range(1, steps + 1):
        g = grad(theta)
        if weight_decay != 0:
            g = g + weight_decay * theta
        if momentum != 0:
            if t > 1:
                b = momentum * b + (1 - dampening) * g
            else:
                b = g
            if nesterov:
                g = g + momentum * b
            else:
                g = b
        theta = theta - lr(t - 1) * g
    return theta


def ref_adam(grad, theta, steps, lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0):
    theta = theta.copy()
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t in range(1, steps + 1):
        g = grad(theta)
        if weight_decay != 0:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        theta = theta - lr(t - 1) * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def ref_rmsprop(grad, theta, steps, lr, alpha=0.99, eps=1e-8, weight_decay=0.0,
                momentum=0.0, centered=False):
    theta = theta.copy()
    v = np.zeros_like(theta)
    b = np.zeros_like(theta)
    g_ave = np.zeros_like(theta)
    for t in range(1, steps + 1):
        g = grad(theta)
        if weight_decay != 0:
            g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g ** 2
        v_tilde = v
        if centered:
            g_ave = alpha * g_ave + (1 - alpha) * g
            v_tilde = v_tilde - g_ave ** 2
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            theta = theta - lr(t - 1) * b
        else:
            theta = theta - lr(t - 1) * g / (np.sqrt(v_tilde) + eps)
    return theta


def ref_adagrad(grad, theta, steps, lr, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10):
    theta = theta.copy()
    state_sum = np.full_like(theta, initial_accumulator_value)
    for t in range(1, steps + 1):
        g = grad(theta)
        gamma = lr(t - 1) / (1 + (t - 1) * lr_decay)
        if weight_decay != 0:
            g = g + weight_decay * theta
        state_sum = state_sum + g ** 2
        theta = theta - gamma * g / (np.sqrt(state_sum) + eps)
    return theta


# ------------------------------------------------------------- the problem
SHAPES = [(3, 2), (2,), (2, 2), (2,)]          # a list of (W, b) tuples, like the benchmark
N = sum(math.prod(s) for s in SHAPES)
_R = np.random.default_rng(0).standard_normal((N, N))
A = _R @ _R.T / N + 0.5 * np.eye(N)             # a positive definite quadratic
C = np.random.default_rng(1).standard_normal(N)
THETA0 = np.random.default_rng(2).standard_normal(N)


def flat_grad(theta):
    return A @ theta - C                        # gradient of 0.5 theta A theta - c theta


def to_tree(theta):
    parts, k = [], 0
    for s in SHAPES:
        n = math.prod(s)
        parts.append(theta[k:k + n].reshape(s))
        k += n
    return [(parts[0], parts[1]), (parts[2], parts[3])]


def to_flat(tree):
    return np.concatenate([np.ravel(a) for a in cr.tree_leaves(tree)])


def run(opt, steps, theta0=THETA0, convert=(to_tree, to_flat)):
    pack, unpack = convert
    params = pack(theta0.copy())
    state = opt.init(params)
    for _ in range(steps):
        grads = pack(flat_grad(unpack(params)))
        params, state = opt.update(params, grads, state)
    return unpack(params), state


def const(lr):
    return lambda step: lr


SCHED = optim.step_decay(0.05, step_size=3, gamma=0.5)
CASES = [
    ("SGD plain", optim.SGD(0.05), lambda n: ref_sgd(flat_grad, THETA0, n, const(0.05))),
    ("SGD momentum", optim.SGD(0.05, momentum=0.9),
     lambda n: ref_sgd(flat_grad, THETA0, n, const(0.05), momentum=0.9)),
    ("SGD nesterov", optim.SGD(0.05, momentum=0.9, nesterov=True),
     lambda n: ref_sgd(flat_grad, THETA0, n, const(0.05), momentum=0.9, nesterov=True)),
    ("SGD dampening+wd", optim.SGD(0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
     lambda n: ref_sgd(flat_grad, THETA0, n, const(0.05), momentum=0.8, dampening=0.3,
                     weight_decay=0.1)),
    ("SGD schedule", optim.SGD(SCHED, momentum=0.5),
     lambda n: ref_sgd(flat_grad, THETA0, n, SCHED, momentum=0.5)),
    ("Adam", optim.Adam(0.1), lambda n: ref_adam(flat_grad, THETA0, n, const(0.1))),
    ("Adam betas+wd", optim.Adam(0.05, b1=0.5, b2=0.9, eps=1e-3, weight_decay=0.2),
     lambda n: ref_adam(flat_grad, THETA0, n, const(0.05), b1=0.5, b2=0.9, eps=1e-3,
                      weight_decay=0.2)),
    ("Adam cosine", optim.Adam(optim.cosine_decay(0.1, 8, final_lr=0.01)),
     lambda n: ref_adam(flat_grad, THETA0, n, optim.cosine_decay(0.1, 8, final_lr=0.01))),
    ("RMSProp", optim.RMSProp(0.01), lambda n: ref_rmsprop(flat_grad, THETA0, n, const(0.01))),
    ("RMSProp centered", optim.RMSProp(0.01, alpha=0.9, centered=True),
     lambda n: ref_rmsprop(flat_grad, THETA0, n, const(0.01), alpha=0.9, centered=True)),
    ("RMSProp momentum+wd", optim.RMSProp(0.01, momentum=0.9, weight_decay=0.1, eps=1e-4),
     lambda n: ref_rmsprop(flat_grad, THETA0, n, const(0.01), momentum=0.9, weight_decay=0.1,
                         eps=1e-4)),
    ("RMSProp centered+momentum", optim.RMSProp(0.01, momentum=0.5, centered=True),
     lambda n: ref_rmsprop(flat_grad, THETA0, n, const(0.01), momentum=0.5, centered=True)),
    ("AdaGrad", optim.AdaGrad(0.3), lambda n: ref_adagrad(flat_grad, THETA0, n, const(0.3))),
    ("AdaGrad decay+init+wd", optim.AdaGrad(0.3, lr_decay=0.1, initial_accumulator_value=0.5,
                                            weight_decay=0.05, eps=1e-6),
     lambda n: ref_adagrad(flat_grad, THETA0, n, const(0.3), lr_decay=0.1,
                         initial_accumulator_value=0.5, weight_decay=0.05, eps=1e-6)),
]


@pytest.mark.parametrize("name,opt,reference", CASES, ids=[c[0] for c in CASES])
def test_matches_published_update_rule(name, opt, reference):
    for steps in (1, 2, 5, 12):                  # step by step, not only at the end
        got, state = run(opt, steps)
        np.testing.assert_allclose(got, reference(steps), rtol=1e-12, atol=1e-14)
        assert state["step"] == steps


@pytest.mark.parametrize("opt", [optim.SGD(0.1, momentum=0.9, nesterov=True), optim.Adam(0.05),
                                 optim.RMSProp(0.01), optim.AdaGrad(0.5)], ids=repr)
def test_converges_on_the_quadratic(opt):
    got, _ = run(opt, 3000)
    np.testing.assert_allclose(got, np.linalg.solve(A, C), atol=2e-2)


# ---------------------------------------------------------------- pytrees
STRUCTURES = {
    "list of (W, b) tuples": (to_tree, to_flat),
    "list of dicts": (lambda th: [{"W": a, "b": b} for a, b in to_tree(th)], to_flat),
    "dict": (lambda th: {"layer1": to_tree(th)[0], "z": {"w": to_tree(th)[1][0],
                                                          "b": to_tree(th)[1][1]}},
             lambda tr: np.concatenate([tr["layer1"][0].ravel(), tr["layer1"][1],
                                        tr["z"]["w"].ravel(), tr["z"]["b"]])),
    "bare array": (lambda th: th.copy(), lambda a: a.copy()),
}


@pytest.mark.parametrize("structure", list(STRUCTURES))
@pytest.mark.parametrize("name,opt,reference", CASES[1::3], ids=[c[0] for c in CASES[1::3]])
def test_any_pytree(structure, name, opt, reference):
    got, state = run(opt, 12, convert=STRUCTURES[structure])
    np.testing.assert_allclose(got, reference(12), rtol=1e-12, atol=1e-14)
    pack = STRUCTURES[structure][0]
    leaves = cr.tree_leaves(pack(THETA0))
    for s in opt.slots():                     # one buffer array per parameter array
        assert len(state[s]) == len(leaves)
        assert [b.shape for b in state[s]] == [p.shape for p in leaves]
        assert all(type(b) is np.ndarray for b in state[s])


def test_scalar_parameters():
    opt = optim.Adam(0.1)
    p = {"w": 1.0, "v": np.float64(-2.0)}
    state = opt.init(p)
    for _ in range(3):
        p, state = opt.update(p, {"w": 2 * p["w"], "v": 2 * p["v"]}, state)
    want = ref_adam(lambda th: 2 * th, np.array([-2.0, 1.0]), 3, const(0.1))
    np.testing.assert_allclose([p["v"], p["w"]], want)
    assert np.shape(p["w"]) == () and [np.shape(m) for m in state["m"]] == [(), ()]
    assert isinstance(p["w"], np.ndarray) and isinstance(state["v"][0], np.ndarray)


def test_training_a_model_with_cr_grad():
    model = nn.Sequential(nn.Dense(2, 8), nn.Tanh(), nn.Dense(8, 1))
    X = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
    y = (X[:, :1] * X[:, 1:]).astype(np.float32)
    params = model.init(0)
    opt = optim.Adam(0.02)
    state = opt.init(params)
    loss = lambda p: nn.mse(model(p, X), y)               # noqa: E731
    first = float(loss(params))
    for _ in range(300):
        params, state = opt.update(params, cr.grad(loss)(params), state)
    assert float(loss(params)) < 0.2 * first
    assert all(a.dtype == np.float32 for a in cr.tree_leaves((params, state["m"], state["v"])))


# ----------------------------------------------------- functional behaviour
@pytest.mark.parametrize("opt", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_inputs_are_never_modified_nor_aliased(opt):
    params = to_tree(THETA0.copy())
    state = opt.init(params)
    params, state = opt.update(params, to_tree(flat_grad(THETA0)), state)   # step 1 done
    grads = to_tree(flat_grad(to_flat(params)))
    keep = copy.deepcopy((params, grads, state))
    new_params, new_state = opt.update(params, grads, state)
    for a, b in zip(cr.tree_leaves((params, grads, state)), cr.tree_leaves(keep)):
        np.testing.assert_array_equal(a, b)
    old = cr.tree_leaves((params, grads, state))
    for a in cr.tree_leaves((new_params, {k: v for k, v in new_state.items() if k != "step"})):
        assert not any(np.shares_memory(a, b) for b in old if isinstance(b, np.ndarray))
    assert state["step"] == 1 and new_state["step"] == 2


def test_first_momentum_buffer_does_not_alias_the_gradient():
    opt = optim.SGD(0.1, momentum=0.9)
    g = np.ones(3)
    _, state = opt.update(np.zeros(3), g, opt.init(np.zeros(3)))
    g[:] = 5.0
    np.testing.assert_array_equal(state["momentum"], 1.0)


@pytest.mark.parametrize("opt", [optim.SGD(0.1, momentum=0.9), optim.Adam(), optim.RMSProp(),
                                 optim.AdaGrad(weight_decay=0.1)], ids=repr)
def test_float32_stays_float32(opt):
    params = [(np.ones((2, 3), np.float32), np.zeros(3, np.float32))]
    grads = [(np.full((2, 3), 0.5), np.full(3, 0.25))]       # float64 gradients
    state = opt.init(params)
    for _ in range(2):
        params, state = opt.update(params, grads, state)
    for a in cr.tree_leaves((params, {k: v for k, v in state.items() if k != "step"})):
        assert a.dtype == np.float32


# ---------------------------------------------------------------- schedules
def test_schedules():
    s = optim.step_decay(0.1, step_size=2, gamma=0.1)
    np.testing.assert_allclose([s(k) for k in range(6)], [0.1, 0.1, 0.01, 0.01, 1e-3, 1e-3])
    c = optim.cosine_decay(1.0, decay_steps=4)
    np.testing.assert_allclose([c(k) for k in range(6)],
                               [1.0, (1 + math.cos(math.pi / 4)) / 2, 0.5,
                                (1 + math.cos(3 * math.pi / 4)) / 2, 0.0, 0.0], atol=1e-15)
    assert optim.exponential_decay(2.0, 0.5)(2) == 0.5 and optim.constant(0.3)(99) == 0.3
    assert repr(s) == "step_decay(lr=0.1, step_size=2, gamma=0.1)"
    with pytest.raises(ValueError, match="step_decay: step_size must be a positive integer"):
        optim.step_decay(0.1, 0)
    with pytest.raises(ValueError, match="cosine_decay: lr must be a non-negative number"):
        optim.cosine_decay(-1.0, 10)


def test_schedule_is_called_with_the_step_count():
    seen = []
    opt = optim.SGD(lambda step: seen.append(step) or 0.1)
    p, state = np.ones(2), None
    state = opt.init(p)
    for _ in range(3):
        p, state = opt.update(p, np.ones(2), state)
    assert seen == [0, 1, 2]
    np.testing.assert_allclose(p, 1 - 0.3)


# -------------------------------------------------------------------- errors
def test_bad_hyperparameters():
    with pytest.raises(ValueError, match="SGD: lr .* must be a number >= 0, got -0.1"):
        optim.SGD(-0.1)
    with pytest.raises(ValueError, match="Adam: lr"):
        optim.Adam(float("nan"))
    with pytest.raises(ValueError, match="Adam: b1 must be a number \\[0, 1\\)"):
        optim.Adam(b1=1.0)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        optim.SGD(0.1, nesterov=True)
    with pytest.raises(ValueError, match="RMSProp: alpha"):
        optim.RMSProp(alpha=1.5)
    with pytest.raises(ValueError, match="AdaGrad: weight_decay must be a number >= 0"):
        optim.AdaGrad(weight_decay=-1)
    with pytest.raises(ValueError, match="SGD: lr"):
        optim.SGD("0.1")
    with pytest.raises(TypeError, match="SGD: nesterov must be True or False"):
        optim.SGD(0.1, momentum=0.9, nesterov="yes")


def test_bad_grads_and_state():
    opt = optim.Adam()
    params = [(np.ones((2, 2)), np.ones(2))]
    state = opt.init(params)
    with pytest.raises(ValueError, match="Adam.update: grads have the structure \\[\\(\\*,\\)\\] "
                                         "but params have \\[\\(\\*, \\*\\)\\]"):
        opt.update(params, [(np.ones((2, 2)),)], state)
    with pytest.raises(ValueError, match="the gradient of \\[0\\]\\[1\\] has shape \\(3,\\) "
                                         "but the parameter has shape \\(2,\\)"):
        opt.update(params, [(np.ones((2, 2)), np.ones(3))], state)
    with pytest.raises(ValueError, match="state must be the dict made by Adam.init"):
        opt.update(params, params, {"step": 0})
    with pytest.raises(ValueError, match="state\\['m'\\]\\[0\\] has shape \\(2,\\) but "
                                         "parameter array 0 has shape \\(2, 2\\)"):
        opt.update(params, params, opt.init([np.ones(2), np.ones(2)]) | {"v": state["v"]})
    with pytest.raises(ValueError, match="state\\['v'\\] must be a list of 2 arrays"):
        opt.update(params, params, dict(state, v=state["v"][:1]))
    with pytest.raises(ValueError, match="state\\['step'\\] must be a count"):
        opt.update(params, params, dict(state, step=-1))
    with pytest.raises(TypeError, match="parameter \\['w'\\] has dtype int64"):
        opt.init({"w": np.arange(3)})
    with pytest.raises(ValueError, match="params hold no arrays"):
        opt.init([])
    bad = optim.SGD(lambda step: -1.0)
    with pytest.raises(ValueError, match="schedule .* at step 0.*must be a number >= 0"):
        bad.update(np.ones(2), np.ones(2), bad.init(np.ones(2)))


def test_get_optimizer_and_repr():
    assert isinstance(optim.get_optimizer("SGD", lr=0.1, momentum=0.5), optim.SGD)
    assert repr(optim.get_optimizer("rmsprop")) == (
        "RMSProp(lr=0.01, alpha=0.99, eps=1e-08, momentum=0.0, centered=False, "
        "weight_decay=0.0)")
    assert repr(optim.AdaGrad()).startswith("AdaGrad(lr=0.01, lr_decay=0.0")
    assert "lr=step_decay(lr=0.1" in repr(optim.SGD(optim.step_decay(0.1, 5)))
    with pytest.raises(ValueError, match="unknown optimiser 'lbfgs'.*adam"):
        optim.get_optimizer("lbfgs")


# ------------------------------------------------------ subnormal state entries
@pytest.mark.parametrize("opt", [optim.SGD(0.1, momentum=0.9), optim.Adam(1e-3),
                                 optim.RMSProp(1e-3), optim.AdaGrad(0.1)], ids=repr)
def test_state_is_swept_of_subnormal_numbers_without_changing_the_params(opt):
    """Adam's m of a weight whose gradient stays exactly zero (a dead ReLU unit's) decays
    into float32's subnormal range and sticks there (0.9 m rounds back up to m), which
    made every later step several times slower on those entries. Every SUBNORMAL_SWEEP
    steps such entries are set to zero; the params come out as without the sweep."""
    sweep = optim.base.SUBNORMAL_SWEEP
    tiny = np.finfo(np.float32).tiny
    rng = np.random.default_rng(0)
    params = [(rng.standard_normal((6, 5)).astype(np.float32), np.ones(5, np.float32))]
    dead = np.zeros((6, 5), bool)
    dead[:, :2] = True                      # these entries get a gradient once, then never
    state = opt.init(params)
    leaves = lambda s: np.concatenate([np.ravel(b) for k in opt.slots() for b in s[k]])  # noqa
    plain = copy.deepcopy(params)           # the same optimiser run with the sweep off
    plain_state = copy.deepcopy(state)
    seen_subnormal = False
    for t in range(1, 3 * 1000 + 1):
        W, b = params[0]
        g = (W * 1e-2 * (t == 1)) * dead + (W - 0.5) * ~dead
        kept = copy.deepcopy(state)
        params, new_state = opt.update(params, [(g, np.zeros_like(b))], state)
        for x, y in zip(cr.tree_leaves(state), cr.tree_leaves(kept)):
            np.testing.assert_array_equal(x, y)  # the state handed in is left as it was
        state = new_state
        vals = np.abs(leaves(state))
        sub = (vals > 0) & (vals < tiny)
        seen_subnormal |= bool(sub.any())
        if t % sweep == 0:
            assert not sub.any(), f"subnormal state entries left after step {t}"
        # the same step, the same gradient, with the sweep switched off
        plain, plain_state = _unswept_update(opt, plain, [(g, np.zeros_like(b))], plain_state)
    if isinstance(opt, optim.Adam):
        assert seen_subnormal               # the case really arises (between sweeps)
    np.testing.assert_array_equal(params[0][0], plain[0][0])
    np.testing.assert_array_equal(params[0][1], plain[0][1])


def _unswept_update(opt, params, grads, state):
    old = optim.base.SUBNORMAL_SWEEP
    optim.base.SUBNORMAL_SWEEP = 1 << 62
    try:
        return opt.update(params, grads, state)
    finally:
        optim.base.SUBNORMAL_SWEEP = old
