"""The training loop: minibatches, shuffling, validation split, early stopping, history,
gradient norms (checked against cr.grad computed independently), reproducibility."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.train import FitResult, fit


class Recorder:
    """Wraps a model and records, for every training-mode call, the first input column
    (the row ids the tests put there) and the batch size."""

    def __init__(self, inner):
        self.inner, self.layers, self.batches = inner, inner.layers, []

    def init(self, seed):
        return self.inner.init(seed)

    def __call__(self, params, x, *, train=False, rng=None):
        if train:
            self.batches.append(np.asarray(x)[:, 0].astype(int).copy())
        return self.inner(params, x, train=train, rng=rng)


def blobs(n=120, seed=0, classes=3):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    centers = np.array([[0, 3], [3, -2], [-3, -2], [4, 4]])[:classes]
    X = centers[y] + 0.6 * rng.standard_normal((n, 2))
    return X, y


def small_net(n_in=2, n_out=3, hidden=8, seed_layers=None):
    return nn.Sequential(nn.Dense(n_in, hidden), nn.Tanh(), nn.Dense(hidden, n_out))


def with_ids(X):
    return np.column_stack([np.arange(len(X), dtype=float), X])


def test_every_row_once_per_epoch_in_a_fresh_order():
    X, y = blobs(103)
    net = Recorder(small_net(3))
    fit(net, with_ids(X), y, epochs=3, batch_size=10, seed=1)
    assert len(net.batches) == 3 * 11                       # ceil(103 / 10) steps per epoch
    sizes = [len(b) for b in net.batches[:11]]
    assert sizes == [10] * 10 + [3]
    orders = [np.concatenate(net.batches[i * 11:(i + 1) * 11]) for i in range(3)]
    for order in orders:
        np.testing.assert_array_equal(np.sort(order), np.arange(103))
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    assert not np.array_equal(orders[0], np.arange(103))


def test_no_shuffle_keeps_the_order():
    X, y = blobs(25)
    net = Recorder(small_net(3))
    fit(net, with_ids(X), y, epochs=2, batch_size=7, shuffle=False)
    np.testing.assert_array_equal(np.concatenate(net.batches), np.tile(np.arange(25), 2))


def test_validation_split_is_disjoint_stratified_and_never_trained_on():
    X, y = blobs(150)
    net = Recorder(small_net(3))
    r = fit(net, with_ids(X), y, epochs=2, batch_size=16, validation_split=0.2, seed=3)
    val = r.validation_rows
    seen = np.unique(np.concatenate(net.batches))
    assert len(val) == 30 and np.intersect1d(seen, val).size == 0
    np.testing.assert_array_equal(np.union1d(seen, val), np.arange(150))
    assert np.bincount(y[val]).tolist() == [10, 10, 10]
    r2 = fit(Recorder(small_net(3)), with_ids(X), y, epochs=1, validation_split=0.2, seed=3)
    np.testing.assert_array_equal(r2.validation_rows, val)   # the seed fixes the split


def test_history_keys_classification_and_regression():
    X, y = blobs(60)
    r = fit(small_net(), X, y, epochs=3, validation_split=0.25)
    assert isinstance(r, FitResult)
    h = r.history
    assert set(h.keys()) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "time"}
    assert h["epoch"] == [1, 2, 3] and len(h) == 3
    assert all(0 <= a <= 1 for a in h["accuracy"] + h["val_accuracy"])
    assert np.all(np.diff(h["time"]) > 0)
    r = fit(small_net(n_out=1), X, X[:, 0] - X[:, 1], loss="mse", epochs=2)
    assert set(r.history.keys()) == {"epoch", "loss", "time"}
    params, history = r                                     # unpacks as (params, history)
    assert history is r.history and params is r.params


def layer_norms(grads):
    return [np.sqrt(sum(float(np.sum(np.asarray(a, np.float64) ** 2))
                        for a in cr.tree_leaves(g))) for g in grads if cr.tree_leaves(g)]


def test_gradient_norms_match_cr_grad_step_by_step():
    """Replay the run with cr.grad and optim.Adam by hand (no shuffle): every recorded
    per-layer norm equals the norm of cr.grad's gradient at that step's parameters."""
    X, y = blobs(40)
    net = nn.Sequential(nn.Dense(2, 6), nn.ReLU(), nn.Dense(6, 5), nn.Tanh(), nn.Dense(5, 3))
    r = fit(net, X, y, epochs=2, batch_size=16, shuffle=False, lr=0.05, seed=4)
    h = r.history
    assert h.grad_norms.shape == (2 * 3, 3)
    assert h.layer_names == ["0: Dense 2x6", "2: Dense 6x5", "4: Dense 5x3"]

    def loss(p, xb, yb):
        return nn.cross_entropy(net(p, xb), yb)

    params = net.init(4)
    opt = optim.get_optimizer("adam", lr=0.05)
    state = opt.init(params)
    Xf = X.astype(np.float32)
    k = 0
    for _ in range(2):
        for s in range(0, 40, 16):
            g = cr.grad(loss)(params, Xf[s:s + 16], y[s:s + 16])
            np.testing.assert_allclose(h.grad_norms[k], layer_norms(g), rtol=1e-5)
            params, state = opt.update(params, g, state)
            k += 1
    for a, b in zip(cr.tree_leaves(params), cr.tree_leaves(r.params)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.epoch_grad_norms, h.grad_norms.reshape(2, 3, 3).mean(axis=1))


def test_gradient_norms_can_be_switched_off():
    X, y = blobs(30)
    r = fit(small_net(), X, y, epochs=2, record_grad_norms=False)
    assert r.history.grad_norms.shape == (0, 2)


def test_vanishing_gradient_is_visible_in_a_deep_sigmoid_net():
    """The seeds' point: in a deep sigmoid stack the early layers' gradients are orders of
    magnitude smaller than the last layer's."""
    X, y = blobs(64)
    layers = [nn.Dense(2, 16)]
    for _ in range(8):
        layers += [nn.Sigmoid(), nn.Dense(16, 16)]
    layers += [nn.Sigmoid(), nn.Dense(16, 3)]
    r = fit(nn.Sequential(*layers), X, y, epochs=1, batch_size=64)
    first, last = r.history.grad_norms[0, 0], r.history.grad_norms[0, -1]
    assert first < 1e-3 * last


def test_same_seed_same_run_other_seed_other_run():
    X, y = blobs(80)
    net = nn.Sequential(nn.Dense(2, 8), nn.ReLU(), nn.Dropout(0.3), nn.Dense(8, 3))
    kw = dict(epochs=3, batch_size=16, validation_split=0.2)
    a, b, c = fit(net, X, y, seed=7, **kw), fit(net, X, y, seed=7, **kw), fit(net, X, y, seed=8, **kw)
    for pa, pb in zip(cr.tree_leaves(a.params), cr.tree_leaves(b.params)):
        np.testing.assert_array_equal(pa, pb)
    assert a.history["loss"] == b.history["loss"]
    np.testing.assert_array_equal(a.history.grad_norms, b.history.grad_norms)
    assert a.history["loss"] != c.history["loss"]


def test_starts_from_model_init_of_the_seed_or_given_params():
    X, y = blobs(30)
    net = small_net()
    r0 = fit(net, X, y, epochs=0, seed=5)
    for p, q in zip(cr.tree_leaves(r0.params), cr.tree_leaves(net.init(5))):
        np.testing.assert_array_equal(p, q)
    start = net.init(9)
    r1 = fit(net, X, y, epochs=0, params=start)
    assert r1.params is start


def test_loss_decreases_and_separable_blobs_are_learned():
    X, y = blobs(150)
    r = fit(small_net(), X, y, epochs=40, lr=0.02, batch_size=16, seed=0)
    h = r.history
    assert h["loss"][-1] < 0.1 * h["loss"][0]
    assert h["accuracy"][-1] == 1.0
    assert np.all(np.diff(h["loss"][:10]) < 0)


def test_regression_with_mse_fits_a_curve():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (200, 1))
    y = np.sin(X[:, 0])                             # shape (n,), the model gives (n, 1)
    net = nn.Sequential(nn.Dense(1, 16), nn.Tanh(), nn.Dense(16, 1))
    r = fit(net, X, y, loss="mse", epochs=150, lr=0.01, batch_size=20, seed=0)
    pred = np.asarray(net(r.params, X.astype(np.float32)))[:, 0]
    assert np.mean((pred - y) ** 2) < 5e-3 < np.var(y)
    assert r.history["loss"][-1] < 0.02 * r.history["loss"][0]


def test_binary_cross_entropy_with_sigmoid_output():
    X, y = blobs(100, classes=2)
    net = nn.Sequential(nn.Dense(2, 8), nn.Tanh(), nn.Dense(8, 1), nn.Sigmoid())
    r = fit(net, X, y, loss="binary_cross_entropy", epochs=30, lr=0.02, seed=0)
    assert r.history["accuracy"][-1] == 1.0


def test_one_hot_targets():
    X, y = blobs(60)
    r = fit(small_net(), X, np.eye(3)[y], epochs=20, lr=0.02, validation_split=0.2)
    assert r.history["val_accuracy"][-1] == 1.0


def regression_with_opposite_validation():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((64, 2))
    y = X @ np.array([1.0, -2.0])
    net = nn.Sequential(nn.Dense(2, 1))
    # the validation targets are the negated relation: every step of training makes the
    # validation loss worse, so the best epoch is the first one
    return net, X, y, (X, -y)


def test_early_stopping_stops_and_restores_the_best_epoch():
    net, X, y, val = regression_with_opposite_validation()
    kw = dict(loss="mse", lr=0.05, batch_size=8, seed=2, validation_data=val)
    r = fit(net, X, y, epochs=50, patience=3, **kw)
    h = r.history
    assert h.stopped_early and len(h) == 4 and h.best_epoch == 1 and h.monitor == "val_loss"
    assert np.all(np.diff(h["val_loss"]) > 0)
    one = fit(net, X, y, epochs=1, **kw)                      # the run after its first epoch
    for p, q in zip(cr.tree_leaves(r.params), cr.tree_leaves(one.params)):
        np.testing.assert_array_equal(p, q)
    pred = np.asarray(net(r.params, X.astype(np.float32)))[:, 0]
    np.testing.assert_allclose(np.mean((pred + y) ** 2), h["val_loss"][0], rtol=1e-5)
    last = fit(net, X, y, epochs=50, patience=3, restore_best=False, **kw)
    assert not np.array_equal(cr.tree_leaves(last.params)[0], cr.tree_leaves(one.params)[0])


def test_without_patience_all_epochs_run():
    net, X, y, val = regression_with_opposite_validation()
    r = fit(net, X, y, loss="mse", epochs=6, validation_data=val)
    assert len(r.history) == 6 and not r.history.stopped_early and r.history.best_epoch is None


def test_callback_can_stop_training():
    X, y = blobs(30)
    seen = []
    r = fit(small_net(), X, y, epochs=10,
            callback=lambda epoch, metrics, params: seen.append(metrics["loss"]) or epoch == 3)
    assert len(r.history) == 3 and len(seen) == 3


def test_l2_penalty_shrinks_weights_but_not_biases():
    X, y = blobs(60)
    net = small_net()
    plain = fit(net, X, y, epochs=20, lr=0.02, seed=0)
    decayed = fit(net, X, y, epochs=20, lr=0.02, seed=0, l2=1.0)
    w = lambda r: sum(float(np.sum(r.params[i]["W"] ** 2)) for i in (0, 2))
    assert w(decayed) < 0.5 * w(plain)


def test_inputs_are_not_modified():
    X, y = blobs(40)
    X0, y0 = X.copy(), y.copy()
    fit(small_net(), X, y, epochs=2, validation_split=0.25)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_lines_progress_and_tqdm_bar(capsys):
    X, y = blobs(30)
    fit(small_net(), X, y, epochs=2, progress="lines", validation_split=0.2)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("epoch 1/2  loss ") and "val_acc" in err[1]
    pytest.importorskip("tqdm")
    fit(small_net(), X, y, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "loss=" in err and "acc=" in err


@pytest.mark.parametrize("kwargs, match", [
    (dict(X=np.ones(5)), "X must be a 2-D array"),
    (dict(y=np.zeros(3, int)), "one row per row of X"),
    (dict(y=np.full(10, 3)), "class indices up to 3, the model gives 3 outputs"),
    (dict(y=np.full(10, 0.5)), "class indices"),
    (dict(epochs=-1), "epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(validation_split=1.0), "validation_split"),
    (dict(patience=0), "patience"),
    (dict(X=np.full((10, 2), np.nan)), "NaN"),
    (dict(optimizer="adam-ish"), "adam-ish"),
    (dict(validation_split=0.2, validation_data=(np.ones((3, 2)), np.zeros(3, int))),
     "not both"),
    (dict(monitor="accuracy", patience=2, loss="mse"), "monitor='accuracy' is not recorded"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    args = dict(X=np.ones((10, 2)), y=np.zeros(10, int))
    if kwargs.get("loss") == "mse":
        kwargs["y"] = np.zeros((10, 3))
    args.update({k: kwargs.pop(k) for k in ("X", "y") if k in kwargs})
    with pytest.raises((ValueError, KeyError), match=match):
        fit(small_net(), args["X"], args["y"], **kwargs)


def test_lr_with_an_optimizer_object_is_refused():
    with pytest.raises(ValueError, match="lr is given with an optimiser object"):
        fit(small_net(), np.ones((4, 2)), np.zeros(4, int), optimizer=optim.Adam(0.1), lr=0.1)


def test_diverging_training_says_so():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 2)) * 100
    net = nn.Sequential(nn.Dense(2, 32), nn.ReLU(), nn.Dense(32, 1))
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        with np.errstate(all="ignore"):
            fit(net, X, X[:, 0] ** 3, loss="mse", optimizer="sgd", lr=10.0, epochs=20)


def test_early_stopping_on_validation_accuracy():
    X, y = blobs(90)
    r = fit(small_net(), X, y, epochs=200, lr=0.05, validation_split=0.3, patience=3,
            monitor="val_accuracy", seed=0)
    h = r.history
    assert h.stopped_early and h.monitor == "val_accuracy" and len(h) < 200
    best = h["val_accuracy"][h.best_epoch - 1]
    assert best == max(h["val_accuracy"])
    assert all(a <= best for a in h["val_accuracy"][h.best_epoch:])
    assert len(h) == h.best_epoch + 3
    with pytest.raises(ValueError, match="monitor='val_accuracy' is not recorded"):
        fit(small_net(), X, y, epochs=1, patience=2, monitor="val_accuracy")


def test_progress_bar_without_tqdm_names_the_extra(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    X, y = blobs(20)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[progress\]'"):
        fit(small_net(), X, y, epochs=1, progress=True)
