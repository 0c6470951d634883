"""chainrule.nn layers: Dense, Dropout, Sequential, activation layers, initialisers,
config round trips, repr and summary, and the errors for bad input."""
import json

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
from chainrule import nn
from chainrule.nn import init as nn_init


def x_of(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------------- Dense
def test_dense_computes_x_at_W_plus_b():
    layer = nn.Dense(3, 2)
    params = layer.init(0)
    assert set(params) == {"W", "b"} and params["W"].shape == (3, 2)
    assert params["W"].dtype == np.float32 and params["b"].dtype == np.float32
    np.testing.assert_array_equal(params["b"], 0.0)
    params = {"W": params["W"], "b": np.array([1.0, -1.0], np.float32)}
    x = x_of((4, 3))
    np.testing.assert_allclose(layer(params, x), x @ params["W"] + params["b"], rtol=1e-6)
    assert layer(params, x).dtype == np.float32
    assert layer(params, x[0]).shape == (2,)                     # one row
    assert layer(params, x_of((2, 5, 3))).shape == (2, 5, 2)      # leading axes


def test_dense_gradients_are_the_lectures_formulas():
    # dL/dW = x^T dL/dz, dL/db = sum over rows of dL/dz (seed 001, "Proposition")
    layer = nn.Dense(3, 2, dtype="float64")
    params = layer.init(1)
    x, c = x_of((4, 3), dtype=float), x_of((4, 2), seed=2, dtype=float)
    g = cr.grad(lambda p: 0.5 * cnp.sum((layer(p, x) - c) ** 2))(params)
    dz = x @ params["W"] + params["b"] - c
    np.testing.assert_allclose(g["W"], x.T @ dz)
    np.testing.assert_allclose(g["b"], dz.sum(axis=0))
    cr.check_grads(lambda W, b: cnp.sum(cnp.tanh(layer({"W": W, "b": b}, x))),
                   (params["W"], params["b"]), order=2)


def test_dense_without_bias_and_dtypes():
    layer = nn.Dense(3, 2, bias=False, dtype=np.float64)
    params = layer.init(0)
    assert list(params) == ["W"] and params["W"].dtype == np.float64
    assert layer.num_params() == 6 and nn.Dense(3, 2).num_params() == 8
    x = x_of((2, 3), dtype=float)
    np.testing.assert_allclose(layer(params, x), x @ params["W"])


def test_dense_init_is_deterministic_per_seed():
    a, b, c = nn.Dense(5, 4).init(7), nn.Dense(5, 4).init(7), nn.Dense(5, 4).init(8)
    np.testing.assert_array_equal(a["W"], b["W"])
    assert not np.array_equal(a["W"], c["W"])
    rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(nn.Dense(5, 4).init(rng1)["W"], nn.Dense(5, 4).init(rng2)["W"])


@pytest.mark.parametrize("name,var,bound", [
    ("glorot", lambda i, o: 2 / (i + o), lambda i, o: np.sqrt(6 / (i + o))),
    ("glorot_uniform", lambda i, o: 2 / (i + o), lambda i, o: np.sqrt(6 / (i + o))),
    ("glorot_normal", lambda i, o: 2 / (i + o), None),
    ("he", lambda i, o: 2 / i, None),
    ("he_normal", lambda i, o: 2 / i, None),
    ("he_uniform", lambda i, o: 2 / i, lambda i, o: np.sqrt(6 / i)),
    ("lecun_normal", lambda i, o: 1 / i, None),
])
def test_initialiser_statistics(name, var, bound):
    i, o = 400, 300
    W = nn.Dense(i, o, init=name, dtype="float64").init(0)["W"]
    assert abs(W.mean()) < 0.01 * np.sqrt(var(i, o)) * 10
    np.testing.assert_allclose(W.var(), var(i, o), rtol=0.02)
    if bound is not None:
        assert np.abs(W).max() <= bound(i, o)
        assert np.abs(W).max() > 0.99 * bound(i, o)
    else:                                         # normal: about 0.3% beyond 3 sigma
        frac = np.mean(np.abs(W) > 3 * np.sqrt(var(i, o)))
        assert 0.0015 < frac < 0.0045


def test_zeros_initialiser_and_lookup():
    np.testing.assert_array_equal(nn.Dense(2, 2, init="zeros").init(0)["W"], 0.0)
    assert nn_init.get_initializer("kaiming") is nn_init.he_normal
    with pytest.raises(ValueError, match="unknown initialiser 'orthogonal'.*glorot"):
        nn.Dense(2, 2, init="orthogonal")


def test_dense_bad_input():
    with pytest.raises(ValueError, match="Dense: in_features must be a positive int"):
        nn.Dense(0, 2)
    with pytest.raises(ValueError, match="Dense: out_features must be a positive int"):
        nn.Dense(2, 2.5)
    with pytest.raises(TypeError, match="Dense: dtype must be a floating dtype"):
        nn.Dense(2, 2, dtype="int32")
    with pytest.raises(TypeError, match="Dense: bias must be True or False"):
        nn.Dense(2, 2, bias="yes")
    layer = nn.Dense(3, 2)
    params = layer.init(0)
    with pytest.raises(ValueError, match="last axis must have 3 features.*shape \\(4, 5\\)"):
        layer(params, x_of((4, 5)))
    with pytest.raises(TypeError, match="params must be a dict"):
        layer([params["W"], params["b"]], x_of((4, 3)))
    with pytest.raises(TypeError, match="init: expected an int seed or a numpy.random.Gen"):
        layer.init("seed")


# ------------------------------------------------------------------- Dropout
def test_dropout_is_the_identity_in_evaluation_mode():
    x = x_of((50, 40))
    drop = nn.Dropout(0.3)
    assert drop({}, x) is x
    assert drop({}, x, train=False, rng=np.random.default_rng(0)) is x
    assert nn.Dropout(0.0)({}, x, train=True) is x


def test_dropout_in_training_mode():
    x = np.ones((200, 100), np.float32)
    y = nn.Dropout(0.3)({}, x, train=True, rng=np.random.default_rng(0))
    assert y.dtype == np.float32
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)        # inverted dropout
    assert abs(kept.mean() - 0.7) < 0.01
    assert abs(y.mean() - 1.0) < 0.02                               # expectation kept
    again = nn.Dropout(0.3)({}, x, train=True, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(y, again)                         # same rng, same mask
    np.testing.assert_array_equal(nn.Dropout(0.3)({}, x, train=True, rng=0), y)   # int seed
    np.testing.assert_array_equal(nn.Dropout(1.0)({}, x, train=True, rng=0), 0.0)


def test_dropout_gradient_is_the_mask():
    x = x_of((6, 5), dtype=float)
    g = cr.grad(lambda v: cnp.sum(nn.Dropout(0.5)({}, v, train=True, rng=1)))(x)
    y = nn.Dropout(0.5)({}, x, train=True, rng=1)
    np.testing.assert_allclose(g, np.where(y != 0, 2.0, 0.0))
    cr.check_grads(lambda v: nn.Dropout(0.5)({}, v, train=True, rng=1) ** 2, (x,), order=2)


def test_dropout_bad_input():
    with pytest.raises(ValueError, match="Dropout: p must be a probability in \\[0, 1\\]"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="training mode needs rng="):
        nn.Dropout(0.5)({}, np.ones(3), train=True)


# ---------------------------------------------------------------- Sequential
def make_model():
    return nn.Sequential(nn.Dense(4, 8), nn.ReLU(), nn.Dropout(0.25), nn.Dense(8, 3))


def test_sequential_params_and_forward():
    model = make_model()
    params = model.init(0)
    assert isinstance(params, list) and len(params) == len(model.layers) == 4
    assert params[1] == {} and params[2] == {}
    x = x_of((5, 4))
    h = np.maximum(x @ params[0]["W"] + params[0]["b"], 0)
    np.testing.assert_allclose(model(params, x), h @ params[3]["W"] + params[3]["b"], rtol=1e-6)
    y_train = model(params, x, train=True, rng=np.random.default_rng(0))
    assert y_train.shape == (5, 3) and not np.allclose(y_train, model(params, x))
    np.testing.assert_array_equal(y_train, model(params, x, train=True, rng=0))
    again = make_model().init(0)
    for a, b in zip(cr.tree_leaves(params), cr.tree_leaves(again)):
        np.testing.assert_array_equal(a, b)
    assert model[0] is model.layers[0] and len(model) == 4 and list(model) == model.layers


def test_sequential_shares_one_generator_between_dropouts():
    model = nn.Sequential(nn.Dropout(0.5), nn.Dropout(0.5))
    x = np.ones((1, 2000))
    y = model(model.init(0), x, train=True, rng=3)
    # independent masks: kept with probability 1/4 (the same mask twice would be 1/2)
    assert abs((y != 0).mean() - 0.25) < 0.03


def test_sequential_training_step_float32():
    model = make_model()
    params = model.init(0)
    x, labels = x_of((16, 4)), np.arange(16) % 3
    loss = lambda p: nn.cross_entropy(model(p, x, train=True, rng=0), labels)  # noqa: E731
    v, g = cr.value_and_grad(loss)(params)
    assert v.dtype == np.float32
    for a, b in zip(cr.tree_leaves(g), cr.tree_leaves(params)):
        assert a.shape == b.shape and a.dtype == np.float32
    num = cr.numerical_grad(lambda b: loss([params[0], {}, {}, {"W": params[3]["W"], "b": b}]),
                            params[3]["b"].astype(np.float64))
    np.testing.assert_allclose(g[3]["b"], num, atol=1e-3)


def test_sequential_bad_input():
    with pytest.raises(TypeError, match="Sequential: layer 1 is a function"):
        nn.Sequential(nn.Dense(2, 2), nn.relu)
    model = make_model()
    params = model.init(0)
    with pytest.raises(TypeError, match="one entry per layer \\(4.*got a list of 3"):
        model(params[:3], x_of((2, 4)))
    with pytest.raises(TypeError, match="got a dict"):
        model({"W": 1}, x_of((2, 4)))


def test_sequential_accepts_a_list_and_nests():
    inner = nn.Sequential([nn.Dense(2, 3), nn.Tanh()])
    outer = nn.Sequential(inner, nn.Dense(3, 1))
    params = outer.init(0)
    assert isinstance(params[0], list) and len(params[0]) == 2
    assert outer(params, x_of((4, 2))).shape == (4, 1)
    assert outer.num_params() == 9 + 4 == nn.count_params(params)


# ---------------------------------------------------- activation layers
ACT_LAYERS = [nn.Identity(), nn.BinaryStep(), nn.Sigmoid(), nn.Tanh(), nn.ReLU(),
              nn.Softplus(), nn.LeakyReLU(0.2), nn.ELU(0.5), nn.Softmax(axis=0),
              nn.LogSoftmax(), nn.GELU(), nn.GELU(approximate=True)]
ACT_FUNCS = [nn.linear, nn.binary_step, nn.sigmoid, nn.tanh, nn.relu, nn.softplus,
             lambda x: nn.leaky_relu(x, 0.2), lambda x: nn.elu(x, 0.5),
             lambda x: nn.softmax(x, axis=0), nn.log_softmax, nn.gelu,
             lambda x: nn.gelu(x, approximate=True)]


@pytest.mark.parametrize("layer,f", list(zip(ACT_LAYERS, ACT_FUNCS)), ids=repr)
def test_activation_layers_apply_their_function(layer, f):
    x = x_of((3, 4), dtype=float)
    assert layer.init(0) == {} and layer.num_params() == 0
    np.testing.assert_array_equal(layer({}, x), f(x))
    assert layer.output_shape((None, 4)) == (None, 4)


def test_activation_layer_by_name():
    for name in nn.ACTIVATIONS:
        layer = nn.activation_layer(name)
        x = x_of((2, 3), dtype=float)
        np.testing.assert_array_equal(layer({}, x), nn.get_activation(name)(x))
    with pytest.raises(ValueError, match="unknown activation"):
        nn.activation_layer("swish")


# ---------------------------------------------------------- config, repr, summary
ALL_LAYERS = ACT_LAYERS + [nn.Dense(3, 5, init="he", bias=False, dtype="float64"),
                           nn.Dropout(0.1), make_model(),
                           nn.Sequential(nn.Sequential(nn.Dense(2, 2)), nn.Sigmoid())]


def first_in_features(layer, default=3):
    if isinstance(layer, nn.Dense):
        return layer.in_features
    if isinstance(layer, nn.Sequential) and len(layer):
        return first_in_features(layer[0], default)
    return default


@pytest.mark.parametrize("layer", ALL_LAYERS, ids=lambda l: type(l).__name__)
def test_config_round_trips_through_json(layer):
    cfg = layer.config()
    text = json.dumps(cfg)
    rebuilt = nn.from_config(json.loads(text))
    assert type(rebuilt) is type(layer)
    assert rebuilt.config() == cfg and repr(rebuilt) == repr(layer)
    params = layer.init(0)
    x = x_of((2, first_in_features(layer)), dtype=float)
    for a, b in zip(cr.tree_leaves(layer(params, x)), cr.tree_leaves(rebuilt(params, x))):
        np.testing.assert_array_equal(a, b)


def test_from_config_errors():
    with pytest.raises(TypeError, match="expected a dict with a 'type' entry"):
        nn.from_config(["Dense"])
    with pytest.raises(ValueError, match="unknown layer type 'Conv2d'.*Dense"):
        nn.from_config({"type": "Conv2d"})
    with pytest.raises(ValueError, match="bad arguments for Dense"):
        nn.from_config({"type": "Dense", "in_features": 2, "out_features": 2, "units": 3})
    with pytest.raises(ValueError, match="a Sequential config is"):
        nn.from_config({"type": "Sequential"})


def test_reprs_read_like_pytorch():
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.Dropout(0.5)) == "Dropout(p=0.5)"
    assert repr(nn.Sequential()) == "Sequential()"
    nested = repr(nn.Sequential(nn.Sequential(nn.ReLU()), nn.Tanh()))
    assert nested == "Sequential(\n  (0): Sequential(\n    (0): ReLU()\n  )\n  (1): Tanh()\n)"


def test_summary():
    model = make_model()
    text = model.summary()
    lines = text.splitlines()
    assert lines[0].split() == ["Layer", "Output", "shape", "Params"]
    assert "(0) Dense(4 -> 8, init='glorot')" in lines[2] and lines[2].endswith("40")
    assert "(2) Dropout(p=0.25)" in lines[4] and "(None, 8)" in lines[4]
    assert lines[5].endswith("(None, 3)         27") and lines[5].startswith("(3) Dense")
    assert lines[-1] == "Total parameters: 67"
    assert "(7, 3)" in model.summary(input_shape=(7, 4))
    with pytest.raises(ValueError, match="pass input_shape"):
        nn.Sequential(nn.ReLU()).summary()
