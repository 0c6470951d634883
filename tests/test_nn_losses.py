"""chainrule.nn losses: values and derivatives against closed forms written here in plain
NumPy (the cost functions of seed 001, ``shared/seeds/001_6e1511912d7dde2c.txt`` lines
33-41: mean squared error, cross-entropy, hinge, 0-1), finite differences in both modes
to second order, stability, dtypes, bad input; and the Hessian of a loss over a small
MLP against finite differences of its values."""
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import chainrule as cr
import chainrule.numpy as cnp
from chainrule import nn

RNG = np.random.default_rng(0)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def softmax_ref(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def onehot(labels, k):
    return np.eye(k)[labels]


# ------------------------------------------------------------------------ MSE
def test_mse_closed_form():
    h, y = randn(6, 3, seed=1), randn(6, 3, seed=2)
    # J = 1/n sum_i ||h_i - y_i||^2, dJ/dh = 2 (h - y) / n
    np.testing.assert_allclose(nn.mse(h, y), ((h - y) ** 2).sum() / 6)
    np.testing.assert_allclose(cr.grad(nn.mse)(h, y), 2 * (h - y) / 6)
    np.testing.assert_allclose(cr.grad(nn.mse, argnums=1)(h, y), -2 * (h - y) / 6)
    hv, yv = h[:, 0], y[:, 0]                       # one output per row: the mean square
    np.testing.assert_allclose(nn.mse(hv, yv), np.mean((hv - yv) ** 2))
    np.testing.assert_allclose(cr.hessian(nn.mse)(hv, yv), 2 * np.eye(6) / 6)
    cr.check_grads(nn.mse, (h, y), order=2)


def test_mse_column_against_vector_target():
    h, y = randn(5, 1, seed=3), randn(5, seed=4)
    np.testing.assert_allclose(nn.mse(h, y), np.mean((h[:, 0] - y) ** 2))
    with pytest.raises(ValueError, match="mse: prediction has shape \\(5, 2\\) but target"):
        nn.mse(randn(5, 2), y)


# -------------------------------------------------------------- cross-entropy
@pytest.mark.parametrize("n,k", [(1, 2), (5, 3), (8, 10)])
def test_cross_entropy_closed_form(n, k):
    z, labels = randn(n, k, seed=n), np.random.default_rng(k).integers(0, k, n)
    y = onehot(labels, k)
    # J = -1/n sum_i sum_k 1(y_i = k) ln softmax(z_i)_k ; dJ/dz = (softmax(z) - y) / n
    want = -np.mean(np.log(softmax_ref(z))[np.arange(n), labels])
    grad = (softmax_ref(z) - y) / n
    for target in (labels, y):
        np.testing.assert_allclose(nn.cross_entropy(z, target), want, rtol=1e-13)
        np.testing.assert_allclose(cr.grad(nn.cross_entropy)(z, target), grad, atol=1e-15)
        _, t = cr.jvp(lambda v: nn.cross_entropy(v, target), (z,), (y,))
        np.testing.assert_allclose(t, np.sum(grad * y), atol=1e-14)
    # Hessian of one row: (diag(s) - s s^T) / n, block-diagonal over rows
    s = softmax_ref(z[0])
    H = cr.hessian(nn.cross_entropy)(z, labels)
    np.testing.assert_allclose(H[0, :, 0, :], (np.diag(s) - np.outer(s, s)) / n, atol=1e-15)
    if n > 1:
        np.testing.assert_array_equal(H[0, :, 1, :], 0.0)


def test_cross_entropy_soft_targets_and_their_derivative():
    z, y = randn(4, 3, seed=5), softmax_ref(randn(4, 3, seed=6)) * 1.5   # rows sum to 1.5
    want = -np.sum(y * np.log(softmax_ref(z))) / 4
    np.testing.assert_allclose(nn.cross_entropy(z, y), want, rtol=1e-13)
    np.testing.assert_allclose(cr.grad(nn.cross_entropy)(z, y),
                               (softmax_ref(z) * y.sum(1, keepdims=True) - y) / 4, atol=1e-15)
    np.testing.assert_allclose(cr.grad(nn.cross_entropy, argnums=1)(z, y),
                               -np.log(softmax_ref(z)) / 4, rtol=1e-13)
    cr.check_grads(nn.cross_entropy, (z, y), order=2)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 3, 4)])
def test_cross_entropy_finite_differences(shape):
    z = randn(*shape, seed=7)
    y = softmax_ref(randn(*shape, seed=8))
    cr.check_grads(lambda v: nn.cross_entropy(v, y), (z,), order=2)
    labels = np.random.default_rng(1).integers(0, shape[-1], shape[:-1])
    cr.check_grads(lambda v: nn.cross_entropy(v, labels), (z,), order=2)
    f = lambda v: nn.cross_entropy(v, labels)                # noqa: E731
    np.testing.assert_allclose(cr.jacfwd(cr.grad(f))(z), cr.jacrev(cr.grad(f))(z), atol=1e-14)


def test_cross_entropy_rows_average_over_leading_axes():
    z = randn(2, 3, 4, seed=9)
    labels = np.array([[0, 1, 3], [2, 2, 0]])
    flat = nn.cross_entropy(z.reshape(6, 4), labels.reshape(6))
    np.testing.assert_allclose(nn.cross_entropy(z, labels), flat)


@pytest.mark.parametrize("scale", [1e4, 1e6])
def test_cross_entropy_is_stable_at_large_logits(scale):
    z = np.array([[scale, 0.0, -scale], [0.0, scale, scale]])
    labels = np.array([0, 2])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = nn.cross_entropy(z, labels)
        g = cr.grad(nn.cross_entropy)(z, labels)
        H = cr.hessian(nn.cross_entropy)(z, labels)
    np.testing.assert_allclose(value, math.log(2.0) / 2)
    np.testing.assert_allclose(g, [[0, 0, 0], [0, 0.25, -0.25]], atol=1e-15)
    assert np.all(np.isfinite(H))
    z32 = z.astype(np.float32)
    assert np.isfinite(nn.cross_entropy(z32, labels))
    wrong = np.array([2, 0])                      # confidently wrong: a large finite loss
    np.testing.assert_allclose(nn.cross_entropy(z, wrong), (3 * scale + math.log(2.0)) / 2)


def test_cross_entropy_float32():
    z = randn(5, 4, seed=10).astype(np.float32)
    y = np.arange(5) % 4
    v, g = cr.value_and_grad(nn.cross_entropy)(z, y)
    assert v.dtype == np.float32 and g.dtype == np.float32
    assert cr.hessian(nn.cross_entropy)(z, y).dtype == np.float32
    assert nn.cross_entropy(z, onehot(y, 4)).dtype == np.float32     # float64 one-hot too
    np.testing.assert_allclose(v, nn.cross_entropy(z.astype(float), y), rtol=1e-6)


@pytest.mark.parametrize("shape", [(4,), (5, 3), (2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_direct_path_matches_the_general_one(shape, dtype, monkeypatch):
    # Traced logits with a one-hot ndarray target of their dtype are recorded directly
    # (a training step); a list target or another dtype goes through the conversions.
    # Both must give the same values and derivatives, in both modes and to second order.
    z = randn(*shape, seed=11).astype(dtype)
    y = onehot(np.arange(int(np.prod(shape[:-1]))) % shape[-1], shape[-1]) \
        .reshape(shape).astype(dtype)
    other = np.float64 if dtype is np.float32 else np.float32
    fast = lambda z: nn.cross_entropy(z, y)                       # noqa: E731
    slow_list = lambda z: nn.cross_entropy(z, y.tolist())         # noqa: E731
    slow_cast = lambda z: nn.cross_entropy(z, y.astype(other))    # noqa: E731
    for slow in (slow_list, slow_cast):
        np.testing.assert_allclose(cr.grad(fast)(z), cr.grad(slow)(z), rtol=1e-6)
        np.testing.assert_allclose(cr.hessian(fast)(z), cr.hessian(slow)(z), rtol=1e-5,
                                   atol=1e-7)
        t = randn(*shape, seed=12).astype(dtype)
        np.testing.assert_allclose(cr.jvp(fast, (z,), (t,))[1], cr.jvp(slow, (z,), (t,))[1],
                                   rtol=1e-5, atol=1e-7)
    assert cr.grad(fast)(z).dtype == dtype
    # the direct path is the one taken under tracing: it needs no input conversion
    from chainrule.nn import losses

    def no_conversion(*a):
        raise AssertionError("the general path was taken")
    monkeypatch.setattr(losses, "_as_input", no_conversion)
    g = cr.grad(fast)(z)
    with pytest.raises(AssertionError, match="general path"):
        cr.grad(slow_list)(z)
    # the derivative in the logits is (softmax(z) - y) / n
    n = int(np.prod(shape[:-1]))
    np.testing.assert_allclose(g, (softmax_ref(z) - y) / n,
                               rtol=1e-5 if dtype is np.float32 else 1e-12, atol=1e-7)


def test_mean_of_a_traced_loss_is_the_loss():
    z, y = randn(4, 3, seed=13), onehot(np.array([0, 1, 2, 0]), 3)
    f = lambda z: cnp.mean(nn.cross_entropy(z, y))                 # noqa: E731
    np.testing.assert_allclose(cr.grad(f)(z), cr.grad(nn.cross_entropy)(z, y))
    np.testing.assert_allclose(cr.hessian(f)(z), cr.hessian(nn.cross_entropy)(z, y))
    np.testing.assert_allclose(cr.grad(lambda z: cnp.mean(nn.cross_entropy(z, y),
                                                           keepdims=True))(z),
                               cr.grad(nn.cross_entropy)(z, y))


def test_cross_entropy_bad_targets():
    z = randn(3, 4)
    with pytest.raises(ValueError, match="class labels must lie in 0..3.*from 0 to 4"):
        nn.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="class labels must lie in 0..3.*from -1"):
        nn.cross_entropy(z, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match="integer class labels must have shape \\(3,\\)"):
        nn.cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ValueError, match="target has shape \\(3, 5\\)"):
        nn.cross_entropy(z, np.ones((3, 5)))
    with pytest.raises(ValueError, match="logits need a class axis"):
        nn.cross_entropy(np.float64(1.0), 0)
    with pytest.raises(TypeError, match="target must hold class indices or probabilities"):
        nn.cross_entropy(z, np.array(["a", "b", "c"]))


# ------------------------------------------------------- binary cross-entropy
def test_binary_cross_entropy_closed_form():
    p = 1 / (1 + np.exp(-randn(6, 2, seed=11)))
    y = (randn(6, 2, seed=12) > 0).astype(float)
    # J = -1/n sum [y ln p + (1 - y) ln(1 - p)], dJ/dp = (p - y) / (p (1 - p)) / n
    want = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / 6
    np.testing.assert_allclose(nn.binary_cross_entropy(p, y), want, rtol=1e-13)
    np.testing.assert_allclose(cr.grad(nn.binary_cross_entropy)(p, y),
                               (p - y) / (p * (1 - p)) / 6, rtol=1e-12)
    cr.check_grads(nn.binary_cross_entropy, (p, y), order=2)


def test_binary_cross_entropy_from_logits():
    z = randn(7, seed=13) * 3
    y = (randn(7, seed=14) > 0).astype(float)
    p = 1 / (1 + np.exp(-z))
    f = lambda z, y: nn.binary_cross_entropy(z, y, from_logits=True)   # noqa: E731
    np.testing.assert_allclose(f(z, y), nn.binary_cross_entropy(p, y), rtol=1e-12)
    np.testing.assert_allclose(cr.grad(f)(z, y), (p - y) / 7, rtol=1e-12)    # (sigmoid - y)/n
    cr.check_grads(f, (z, y), order=2)
    big = np.array([1e4, -1e4, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(f(big, np.array([1.0, 0.0, 0.0])), 1e4 / 3)
        assert np.all(np.isfinite(cr.hessian(f)(big, np.array([1.0, 0.0, 0.0]))))


def test_binary_cross_entropy_clips_probabilities():
    p, y = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    with np.errstate(divide="raise", invalid="raise"):
        v = nn.binary_cross_entropy(p, y)
        g = cr.grad(nn.binary_cross_entropy)(p, y)
    assert np.isfinite(v) and np.all(np.isfinite(g))
    np.testing.assert_allclose(v, -np.log(np.finfo(float).eps))
    assert nn.binary_cross_entropy(p.astype(np.float32), y).dtype == np.float32


# -------------------------------------------------------------------- hinge
def test_binary_hinge():
    s = randn(8, seed=15)
    y = np.where(randn(8, seed=16) > 0, 1.0, -1.0)
    s = np.where(np.abs(1 - y * s) < 0.05, s + 0.3, s)     # keep off the kink
    want = np.mean(np.maximum(0, 1 - y * s))
    np.testing.assert_allclose(nn.hinge(s, y), want)
    np.testing.assert_allclose(nn.hinge(s, (y + 1) / 2), want)          # 0/1 labels
    np.testing.assert_allclose(nn.hinge(s[:, None], y), want)           # a score column
    np.testing.assert_allclose(cr.grad(nn.hinge)(s, y), np.where(1 - y * s > 0, -y, 0) / 8)
    cr.check_grads(lambda v: nn.hinge(v, y), (s,), order=2)
    np.testing.assert_array_equal(cr.grad(nn.hinge)(np.array([1.0]), np.array([1.0])), [0.0])
    with pytest.raises(ValueError, match="binary labels must be -1/\\+1 or 0/1"):
        nn.hinge(s, np.full(8, 2.0))


def test_multiclass_hinge():
    s, labels = randn(6, 4, seed=17), np.array([0, 3, 1, 1, 2, 0])
    margins = 1 + s - s[np.arange(6), labels][:, None]
    margins[np.arange(6), labels] = 0
    want = np.maximum(0, margins).sum() / 6
    np.testing.assert_allclose(nn.hinge(s, labels), want)
    np.testing.assert_allclose(nn.hinge(s, onehot(labels, 4)), want)
    # d/ds_j = 1(margin_j > 0) for j != y, d/ds_y = -(number of positive margins)
    active = (margins > 0).astype(float)
    want_g = active.copy()
    want_g[np.arange(6), labels] = -active.sum(1)
    np.testing.assert_allclose(cr.grad(nn.hinge)(s, labels), want_g / 6)
    cr.check_grads(lambda v: nn.hinge(v, labels), (s,), order=2)


# ----------------------------------------------------------------- zero-one
def test_zero_one():
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    assert nn.zero_one(scores, np.array([0, 0, 0, 1])) == 0.25
    assert nn.zero_one(scores, onehot(np.array([0, 0, 0, 1]), 2)) == 0.25
    assert nn.zero_one(np.array([1, 0, 1]), np.array([1, 1, 1])) == pytest.approx(1 / 3)
    assert nn.zero_one(np.array([[1], [0]]), np.array([1, 1])) == 0.5
    assert isinstance(nn.zero_one(scores, np.zeros(4, int)), float)
    # a metric: fine inside a differentiated function, contributes nothing
    g = cr.grad(lambda s: cnp.sum(s) * 0 + nn.zero_one(s, np.zeros(4, int)))(scores)
    np.testing.assert_array_equal(g, 0.0)
    with pytest.raises(ValueError, match="zero_one: predicted labels have shape \\(4,\\)"):
        nn.zero_one(scores, np.zeros(3, int))


# ------------------------------------------------------------- all losses
LOSS_CASES = {
    "mse": (lambda: (randn(5, 2, seed=20), randn(5, 2, seed=21))),
    "cross_entropy": (lambda: (randn(5, 3, seed=22), softmax_ref(randn(5, 3, seed=23)))),
    "binary_cross_entropy": (lambda: (1 / (1 + np.exp(-randn(5, seed=24))),
                                      (randn(5, seed=25) > 0).astype(float))),
    "hinge": (lambda: (randn(5, 3, seed=26) * 0.2, onehot(np.array([0, 1, 2, 0, 1]), 3))),
}


@pytest.mark.parametrize("name", list(LOSS_CASES))
def test_losses_are_scalars_keep_float32_and_leave_inputs_alone(name):
    f = nn.get_loss(name)
    p, t = LOSS_CASES[name]()
    keep_p, keep_t = p.copy(), t.copy()
    v = f(p, t)
    assert np.shape(v) == ()
    cr.check_grads(lambda a: f(a, t), (p,), order=2)
    p32 = p.astype(np.float32)
    v32, g32 = cr.value_and_grad(f)(p32, t.astype(np.float32))
    assert np.asarray(v32).dtype == np.float32 and g32.dtype == np.float32
    np.testing.assert_allclose(v32, v, rtol=1e-5)
    np.testing.assert_array_equal(p, keep_p)
    np.testing.assert_array_equal(t, keep_t)


def test_get_loss():
    for name in ("mse", "cross_entropy", "binary_cross_entropy", "hinge", "zero_one"):
        assert nn.get_loss(name) is getattr(nn, name)
    with pytest.raises(ValueError, match="unknown loss 'l1'.*cross_entropy"):
        nn.get_loss("l1")


def test_empty_batch_is_an_error():
    with pytest.raises(ValueError, match="mse: empty batch"):
        nn.mse(np.zeros((0, 2)), np.zeros((0, 2)))


@given(st.integers(1, 5), st.integers(2, 5), st.integers(0, 10 ** 6))
def test_cross_entropy_properties(n, k, seed):
    z = np.random.default_rng(seed).standard_normal((n, k)) * 5
    labels = np.random.default_rng(seed + 1).integers(0, k, n)
    v = float(nn.cross_entropy(z, labels))
    assert v >= 0
    g = cr.grad(nn.cross_entropy)(z, labels)
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-14)     # softmax - onehot
    np.testing.assert_allclose(nn.cross_entropy(z + 7.0, labels), v, rtol=1e-12)


# ------------------------------------------- Hessian of a loss over a small MLP
def mlp(activation):
    return nn.Sequential(nn.Dense(3, 4, dtype="float64"), activation,
                         nn.Dense(4, 3, dtype="float64"))


def fd_hessian(f, x, h=1e-4):
    """Second differences of the values only (no derivative code involved)."""
    n = x.size
    H = np.zeros((n, n))
    e = np.eye(n) * h
    for i, j in itertools.product(range(n), range(n)):
        if j < i:
            H[i, j] = H[j, i]
            continue
        H[i, j] = (f(x + e[i] + e[j]) - f(x + e[i] - e[j]) - f(x - e[i] + e[j])
                   + f(x - e[i] - e[j])) / (4 * h * h)
    return H


@pytest.mark.parametrize("activation", [nn.Tanh(), nn.Sigmoid(), nn.Softplus(), nn.GELU(),
                                        nn.ELU(0.7), nn.ReLU(), nn.LeakyReLU(0.1)],
                         ids=repr)
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_hessian_of_loss_over_small_mlp_matches_finite_differences(activation, loss):
    model = mlp(activation)
    params = model.init(3)
    X = randn(5, 3, seed=30)
    target = np.array([0, 1, 2, 1, 0]) if loss == "cross_entropy" else randn(5, 3, seed=31)
    leaves, tree = cr.tree_flatten(params)
    sizes = [p.size for p in leaves]
    shapes = [p.shape for p in leaves]
    rng = np.random.default_rng(32)
    for k, p in enumerate(leaves):
        if p.ndim == 1:
            leaves[k] = rng.standard_normal(p.shape) * 0.5    # nonzero biases too

    def unpack(theta):
        ends = np.cumsum(sizes)
        parts = [theta[a - n:a] for a, n in zip(ends, sizes)]     # slicing works traced too
        return cr.tree_unflatten(tree, [q.reshape(s) for q, s in zip(parts, shapes)])

    def f(theta):
        return nn.get_loss(loss)(model(unpack(theta), X), target)

    theta = np.concatenate([p.ravel() for p in leaves])
    H = cr.hessian(f)(theta)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    np.testing.assert_allclose(H, fd_hessian(f, theta), atol=2e-6, rtol=1e-4)
    np.testing.assert_allclose(cr.jacrev(cr.grad(f))(theta), H, atol=1e-12)
    cr.check_grads(f, (theta,), modes=("fwd", "rev"), order=2)
    # and directly over the parameter pytree (the way training code differentiates)
    g = cr.grad(lambda p: nn.get_loss(loss)(model(p, X), target))(unpack(theta))
    np.testing.assert_allclose(np.concatenate([a.ravel() for a in cr.tree_leaves(g)]),
                               cr.grad(f)(theta), atol=1e-14)
