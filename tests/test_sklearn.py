"""Tests of chainrule.sklearn: scikit-learn's own estimator checks, step-for-step agreement
with scikit-learn's MLPs, every fitted attribute, errors, parameters, cloning, pickling,
pipelines and grid searches, determinism."""
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network as sk_nn  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.sklearn import InvalidParameterError, MLPClassifier, MLPRegressor  # noqa: E402
from chainrule.sklearn import _network as net  # noqa: E402


# ------------------------------------------------------------------ check_estimator
# max_iter=100: the setting scikit-learn's own test suite gives its MLPs
CHECKED = [MLPClassifier(max_iter=100), MLPRegressor(max_iter=100),
           MLPClassifier(solver="lbfgs", max_iter=100),
           MLPRegressor(solver="sgd", learning_rate="adaptive", max_iter=100)]


@parametrize_with_checks(CHECKED)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_lbfgs_multilabel_saturation_fails_the_check_as_scikit_learns_does():
    """A known limit, shared with scikit-learn: with max_iter=200 L-BFGS fits the check's
    multilabel data until some logistic outputs round to exactly 1.0, which
    check_classifiers_multilabel_output_format_predict_proba rejects."""
    from sklearn.utils.estimator_checks import (
        check_classifiers_multilabel_output_format_predict_proba as check)
    for est in (sk_nn.MLPClassifier(solver="lbfgs"), MLPClassifier(solver="lbfgs")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            with pytest.raises(AssertionError, match="between 0 and 1"):
                check(type(est).__name__, est)


# --------------------------------------------------- step for step with scikit-learn
RNG = np.random.RandomState(0)
X5 = RNG.randn(103, 5)
Y_MULTICLASS = (X5[:, 0] + X5[:, 1] > 0).astype(int) + (X5[:, 2] > 0.5)
Y_BINARY = np.where(X5[:, 0] * X5[:, 1] > 0, "yes", "no")
Y_MULTILABEL = np.stack([X5[:, 0] > 0, X5[:, 1] > 0, X5[:, 0] + X5[:, 2] > 0], 1).astype(int)
Y_REG = np.sin(X5[:, 0]) + X5[:, 1] ** 2
Y_REG2 = np.stack([Y_REG, X5[:, 2] - X5[:, 3]], axis=1)
Y_COUNTS = RNG.poisson(np.exp(0.5 * X5[:, 0]))
WEIGHTS = RNG.uniform(0, 2, len(X5))

SAME_AS_SKLEARN = [
    ("multiclass, adam", "C", Y_MULTICLASS, {}, None),
    ("binary string labels, sgd nesterov", "C", Y_BINARY,
     dict(solver="sgd", learning_rate_init=0.05), None),
    ("multilabel, alpha, batches of 16", "C", Y_MULTILABEL, dict(alpha=0.1, batch_size=16), None),
    ("sgd invscaling, plain momentum", "C", Y_MULTICLASS,
     dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.5, momentum=0.5,
          nesterovs_momentum=False), None),
    ("sgd adaptive", "C", Y_MULTICLASS, dict(solver="sgd", learning_rate="adaptive", tol=0.05,
                                             n_iter_no_change=2, learning_rate_init=0.1), None),
    ("early stopping", "C", Y_MULTICLASS,
     dict(early_stopping=True, validation_fraction=0.2, n_iter_no_change=3,
          learning_rate_init=0.01), None),
    ("early stopping, binary, weighted", "C", Y_BINARY,
     dict(early_stopping=True, learning_rate_init=0.01), WEIGHTS),
    ("sample weights, batches of 10", "C", Y_MULTICLASS, dict(batch_size=10, alpha=0.01), WEIGHTS),
    ("two hidden layers, identity", "C", Y_MULTICLASS,
     dict(activation="identity", hidden_layer_sizes=(4, 3)), None),
    ("lbfgs, weighted", "C", Y_MULTICLASS, dict(solver="lbfgs"), WEIGHTS),
    ("regression, tanh", "R", Y_REG, dict(activation="tanh", learning_rate_init=0.01), None),
    ("regression, early stopping", "R", Y_REG, dict(early_stopping=True,
                                                    learning_rate_init=0.01), None),
    ("regression, poisson", "R", Y_COUNTS, dict(loss="poisson", learning_rate_init=0.01), None),
    ("regression, lbfgs, logistic", "R", Y_REG, dict(solver="lbfgs", activation="logistic"), None),
]


def _pair(kind, **kw):
    kw = {**dict(hidden_layer_sizes=(8,), max_iter=40, shuffle=False, random_state=0), **kw}
    if kind == "C":
        return MLPClassifier(**kw), sk_nn.MLPClassifier(**kw)
    return MLPRegressor(**kw), sk_nn.MLPRegressor(**kw)


@pytest.mark.parametrize("name, kind, y, kw, sw", SAME_AS_SKLEARN,
                         ids=[c[0] for c in SAME_AS_SKLEARN])
def test_same_training_as_scikit_learn(name, kind, y, kw, sw):
    """Same random_state and no shuffling: the same initial weights, losses, steps,
    validation split and stopping epoch as scikit-learn's MLP, to rounding."""
    ours, ref = _pair(kind, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X5, y, sample_weight=sw)
        ref.fit(X5, y, sample_weight=sw)
    tol = dict(rtol=1e-9, atol=1e-10)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.loss_, ref.loss_, **tol)
    for a, b in zip(ours.coefs_ + ours.intercepts_, ref.coefs_ + ref.intercepts_):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, **tol)
    for attr in ("t_", "n_outputs_", "n_layers_", "out_activation_", "n_features_in_"):
        assert getattr(ours, attr) == getattr(ref, attr), attr
    if kw.get("solver") != "lbfgs":
        np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, **tol)
        for attr in ("best_loss_", "best_validation_score_"):
            assert (getattr(ours, attr) is None) == (getattr(ref, attr) is None)
            if getattr(ref, attr) is not None:
                np.testing.assert_allclose(getattr(ours, attr), getattr(ref, attr), **tol)
        if ref.validation_scores_ is not None:
            np.testing.assert_allclose(ours.validation_scores_, ref.validation_scores_, **tol)
    if kind == "C":
        np.testing.assert_array_equal(ours.classes_, ref.classes_)
        np.testing.assert_allclose(ours.predict_proba(X5), ref.predict_proba(X5), **tol)
    np.testing.assert_array_equal(ours.predict(X5) if kind == "C" else 0,
                                  ref.predict(X5) if kind == "C" else 0)
    if kind == "R":
        np.testing.assert_allclose(ours.predict(X5), ref.predict(X5), **tol)


def test_multi_output_squared_error_follows_the_same_gradient_as_scikit_learn():
    """scikit-learn divides the reported squared error by the number of outputs but follows
    the gradient of the sum (its issue #8349); ours reports the sum: the same steps, and a
    loss twice scikit-learn's data term for 2 outputs."""
    ours, ref = _pair("R", alpha=0.0, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X5, Y_REG2)
        ref.fit(X5, Y_REG2)
    for a, b in zip(ours.coefs_, ref.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_, 2 * np.array(ref.loss_curve_), rtol=1e-9)
    # and it is the loss whose gradient we follow: check it against finite differences
    z = RNG.randn(6, 2)
    targets = net.encode_targets("identity", RNG.randn(6, 2), RNG.uniform(0.5, 2, 6), float)
    cr.check_grads(lambda z: net.make_loss("identity")(z, targets), (z,), order=2)


def test_partial_fit_and_warm_start_continue_as_scikit_learn_does():
    ours, ref = _pair("C", warm_start=True, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est in (ours, ref):
            est.fit(X5, Y_MULTICLASS).fit(X5, Y_MULTICLASS)      # warm start: 10 epochs
            for _ in range(3):
                est.partial_fit(X5, Y_MULTICLASS)                # optimiser state kept
    np.testing.assert_allclose(ours.loss_curve_, ref.loss_curve_, rtol=1e-9)
    assert len(ours.loss_curve_) == 13 and ours.t_ == ref.t_ == 13 * len(X5)
    assert ours.n_iter_ == ref.n_iter_ == 1
    for a, b in zip(ours.coefs_, ref.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------- as good as scikit-learn's
def test_digits_accuracy_close_to_scikit_learn():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X / 16, y, test_size=0.3, random_state=0,
                                              stratify=y)
    kw = dict(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=30,
              random_state=1)                                     # shuffled batches
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**kw).fit(X_tr, y_tr).score(X_te, y_te)
        ref = sk_nn.MLPClassifier(**kw).fit(X_tr, y_tr).score(X_te, y_te)
    assert ours > 0.95 and abs(ours - ref) < 0.03, (ours, ref)


def test_regression_r2_close_to_scikit_learn():
    rng = np.random.RandomState(3)
    X = rng.uniform(-2, 2, (400, 3))
    y = np.sin(X[:, 0]) * X[:, 1] + 0.3 * X[:, 2] + 0.05 * rng.randn(400)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
    kw = dict(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=150, random_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPRegressor(**kw).fit(X_tr, y_tr).score(X_te, y_te)
        ref = sk_nn.MLPRegressor(**kw).fit(X_tr, y_tr).score(X_te, y_te)
    assert ours > 0.9 and abs(ours - ref) < 0.05, (ours, ref)


@pytest.mark.parametrize("activation", ["elu", "gelu", "softplus", "leaky_relu"])
@pytest.mark.parametrize("solver", ["rmsprop", "adagrad"])
def test_chainrule_activations_and_solvers_learn(activation, solver):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = MLPClassifier((16,), activation=activation, solver=solver,
                        learning_rate_init=0.1 if solver == "adagrad" else 0.01,
                        max_iter=60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert clf.fit(X, y).score(X, y) > 0.9
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] / 2


# ----------------------------------------------------------------- the losses' gradients
@pytest.mark.parametrize("kind", net.OUTPUT_ACTIVATIONS)
def test_loss_gradients(kind):
    """Each loss against finite differences to second order, and its gradient in the
    logits against scikit-learn's backprop delta ``w (output(z) - y) / sum w``."""
    rng = np.random.RandomState(1)
    z = rng.randn(7, 3)
    Y = (np.eye(3)[rng.randint(0, 3, 7)] if kind == "softmax" else
         rng.randint(0, 2, (7, 3)).astype(float) if kind == "logistic" else
         rng.poisson(2.0, (7, 3)).astype(float) if kind == "exp" else rng.randn(7, 3))
    w = rng.uniform(0, 2, 7)
    targets = net.encode_targets(kind, Y, w, np.float64)
    loss = net.make_loss(kind)
    cr.check_grads(lambda z: loss(z, targets), (z,), order=2)
    delta = w[:, None] * (net.output(kind, z) - Y) / w.sum()
    np.testing.assert_allclose(cr.grad(lambda z: loss(z, targets))(z), delta, rtol=1e-12)


def test_loss_values_match_scikit_learn():
    from sklearn.neural_network._base import LOSS_FUNCTIONS
    rng = np.random.RandomState(2)
    z = rng.randn(9, 3)
    w = rng.uniform(0.1, 2, 9)
    cases = [("softmax", "log_loss", np.eye(3)[rng.randint(0, 3, 9)]),
             ("logistic", "binary_log_loss", rng.randint(0, 2, (9, 3)).astype(float)),
             ("exp", "poisson", rng.poisson(2.0, (9, 3)).astype(float))]
    for kind, name, Y in cases:
        ours = net.make_loss(kind)(z, net.encode_targets(kind, Y, w, np.float64))
        ref = LOSS_FUNCTIONS[name](Y, net.output(kind, z), w)
        np.testing.assert_allclose(float(ours), ref, rtol=1e-12, err_msg=kind)
    Y = rng.randn(9, 1)                   # one output: identical to scikit-learn's
    ours = net.make_loss("identity")(z[:, :1], net.encode_targets("identity", Y, w, float))
    np.testing.assert_allclose(float(ours), LOSS_FUNCTIONS["squared_error"](Y, z[:, :1], w))


def test_zero_weight_batch_adds_nothing():
    targets = net.encode_targets("logistic", np.ones((3, 1)), np.zeros(3), np.float64)
    g = cr.grad(lambda z: net.make_loss("logistic")(z, targets))(np.ones((3, 1)))
    assert float(net.make_loss("logistic")(np.ones((3, 1)), targets)) == 0.0
    assert not g.any()


# ------------------------------------------------------------------- fitted attributes
def test_fitted_attributes_of_a_classifier():
    clf = MLPClassifier((6, 4), max_iter=15, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(15\) reached"):
        clf.fit(X5, Y_BINARY)
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    assert clf.n_iter_ == 15 and clf.t_ == 15 * len(X5)
    assert clf.n_features_in_ == 5 and clf.n_outputs_ == 1 and clf.n_layers_ == 4
    assert clf.out_activation_ == "logistic"
    assert [W.shape for W in clf.coefs_] == [(5, 6), (6, 4), (4, 1)]
    assert [b.shape for b in clf.intercepts_] == [(6,), (4,), (1,)]
    assert all(W.dtype == np.float64 for W in clf.coefs_ + clf.intercepts_)
    assert isinstance(clf.loss_curve_, list) and len(clf.loss_curve_) == 15
    assert clf.loss_ == clf.loss_curve_[-1] and clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert not hasattr(clf, "feature_names_in_")
    proba = clf.predict_proba(X5)
    assert proba.shape == (len(X5), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X5), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X5), np.log(proba))
    assert clf.score(X5, Y_BINARY) == np.mean(clf.predict(X5) == Y_BINARY)


def test_fitted_attributes_with_early_stopping():
    clf = MLPClassifier((8,), early_stopping=True, n_iter_no_change=4, learning_rate_init=0.02,
                        max_iter=200, random_state=0).fit(X5, Y_MULTICLASS)
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.loss_curve_) < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # stopped n_iter_no_change + 1 epochs after the best, whose weights it kept
    best = int(np.argmax(np.array(clf.validation_scores_) >= clf.best_validation_score_))
    assert clf.n_iter_ - 1 - best >= clf.n_iter_no_change + 1
    X_tr, X_val, y_tr, y_val = train_test_split(X5, Y_MULTICLASS, random_state=0,
                                                test_size=0.1)
    assert clf.score(X_val, y_val) == clf.best_validation_score_
    np.testing.assert_allclose(clf.predict_proba(X5).sum(axis=1), 1.0)


def test_multilabel_classifier():
    clf = MLPClassifier((16,), learning_rate_init=0.02, max_iter=150, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X5, Y_MULTILABEL)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict(X5).shape == clf.predict_proba(X5).shape == (len(X5), 3)
    assert clf.score(X5, Y_MULTILABEL) > 0.8               # subset accuracy


def test_regressor_shapes_and_attributes():
    reg = MLPRegressor(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=30,
                       random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert reg.fit(X5, Y_REG).predict(X5).shape == (len(X5),)
        assert reg.n_outputs_ == 1 and reg.out_activation_ == "identity"
        assert reg.fit(X5, Y_REG2).predict(X5).shape == (len(X5), 2)
        assert reg.n_outputs_ == 2 and reg.coefs_[-1].shape == (8, 2)
        pois = MLPRegressor(hidden_layer_sizes=(8,), loss="poisson", max_iter=30,
                            random_state=0).fit(X5, Y_COUNTS)
    assert pois.out_activation_ == "exp" and (pois.predict(X5) > 0).all()
    assert not hasattr(reg, "classes_")
    from sklearn.metrics import r2_score
    assert reg.score(X5, Y_REG2) == r2_score(Y_REG2, reg.predict(X5))


def test_lbfgs_attributes():
    clf = MLPClassifier((8,), solver="lbfgs", max_iter=500, random_state=0).fit(X5, Y_MULTICLASS)
    assert 0 < clf.n_iter_ < 500 and clf.loss_ < 0.05 and clf.t_ == 0
    assert not hasattr(clf, "loss_curve_")
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge after 3"):
        MLPClassifier((8,), solver="lbfgs", max_iter=3, random_state=0).fit(X5, Y_MULTICLASS)


def test_float32_input_stays_float32_and_input_is_not_modified():
    X32 = X5.astype(np.float32)
    X_copy, y_copy, w = X32.copy(), Y_MULTICLASS.copy(), WEIGHTS.copy()
    clf = MLPClassifier((8,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X32, Y_MULTICLASS, sample_weight=w)
    assert all(a.dtype == np.float32 for a in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X32).dtype == np.float32
    np.testing.assert_array_equal(X32, X_copy)
    np.testing.assert_array_equal(Y_MULTICLASS, y_copy)
    np.testing.assert_array_equal(WEIGHTS, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X5.astype(int), Y_MULTICLASS)                # integers compute in float64
    assert clf.coefs_[0].dtype == np.float64


def test_feature_names_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X5, columns=list("abcde"))
    clf = MLPClassifier((4,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(frame, Y_MULTICLASS)
    np.testing.assert_array_equal(clf.feature_names_in_, list("abcde"))
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X5)


def test_verbose_prints_every_epoch(capsys):
    clf = MLPClassifier((4,), max_iter=3, verbose=True, early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X5, Y_MULTICLASS)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Iteration 1, loss = %.8f" % clf.loss_curve_[0]
    assert lines[1] == "Validation score: %f" % clf.validation_scores_[0]
    assert len(lines) == 6


def test_convergence_rule_stops_without_warning():
    # tol=10: no epoch improves by 10, so training stops once n_iter_no_change + 1 epochs
    # after the first have not (scikit-learn's "more than n_iter_no_change")
    clf = MLPClassifier((4,), tol=10.0, n_iter_no_change=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X5, Y_MULTICLASS)
    assert clf.n_iter_ == 4


# ------------------------------------------------------------------------- errors
def test_not_fitted():
    for method in ("predict", "predict_proba", "predict_log_proba", "score"):
        args = (X5, Y_MULTICLASS) if method == "score" else (X5,)
        with pytest.raises(NotFittedError):
            getattr(MLPClassifier(), method)(*args)
    with pytest.raises(NotFittedError):
        MLPRegressor().predict(X5)


@pytest.fixture(scope="module")
def fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return (MLPClassifier((4,), max_iter=3, random_state=0).fit(X5, Y_MULTICLASS),
                MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X5, Y_REG))


def test_wrong_number_of_features(fitted):
    for est in fitted:
        with pytest.raises(ValueError, match="X has 4 features, but .* is expecting 5"):
            est.predict(X5[:, :4])


@pytest.mark.parametrize("where", ["fit X", "fit y", "predict X"])
def test_nan_input(fitted, where):
    bad = X5.copy()
    bad[3, 2] = np.nan
    for est in fitted:
        y = Y_MULTICLASS if isinstance(est, MLPClassifier) else Y_REG
        with pytest.raises(ValueError, match="NaN"):
            if where == "fit X":
                clone(est).fit(bad, y)
            elif where == "fit y":
                y_bad = y.astype(float)
                y_bad[0] = np.nan
                clone(est).fit(X5, y_bad)
            else:
                est.predict(bad)


BAD_HYPERPARAMETERS = [
    ("hidden_layer_sizes", (10, 0), "a positive int or a sequence of positive ints"),
    ("hidden_layer_sizes", "10", "a positive int or a sequence"),
    ("activation", "softmax", "one of 'identity', 'logistic', 'tanh', 'relu', 'elu'"),
    ("solver", "newton", "one of 'adam', 'sgd', 'rmsprop', 'adagrad', 'lbfgs'"),
    ("alpha", -1.0, "a number >= 0"),
    ("alpha", "big", "a number >= 0"),
    ("batch_size", 0, "'auto' or a positive int"),
    ("learning_rate", "cyclic", "one of 'constant', 'invscaling', 'adaptive'"),
    ("learning_rate_init", 0.0, "a number > 0"),
    ("max_iter", 0, "a positive int"),
    ("max_iter", 2.5, "a positive int"),
    ("shuffle", "yes", "True or False"),
    ("random_state", -1, "None, an int in [0, 2**32) or a numpy.random.RandomState"),
    ("tol", np.nan, "a number >= 0"),
    ("momentum", 1.5, "a number in [0, 1]"),
    ("validation_fraction", 1.0, "a number in [0, 1)"),
    ("beta_1", 1.0, "a number in [0, 1)"),
    ("beta_2", -0.1, "a number in [0, 1)"),
    ("epsilon", 0.0, "a number > 0"),
    ("n_iter_no_change", 0, "a positive int or numpy.inf"),
    ("max_fun", 0, "a positive int"),
]


@pytest.mark.parametrize("name, value, expected", BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_name_the_argument(name, value, expected):
    clf = MLPClassifier(**{name: value})                 # __init__ stores, fit checks
    with pytest.raises(InvalidParameterError) as info:
        clf.fit(X5, Y_MULTICLASS)
    msg = str(info.value)
    assert msg.startswith(f"MLPClassifier: {name} must be {expected}"), msg
    assert repr(value) in msg
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)


def test_bad_regressor_loss_and_early_stopping_without_validation_rows():
    with pytest.raises(InvalidParameterError, match="MLPRegressor: loss must be one of "
                                                    "'squared_error', 'poisson', got 'mae'"):
        MLPRegressor(loss="mae").fit(X5, Y_REG)
    with pytest.raises(InvalidParameterError, match="early_stopping=True needs a "
                                                    "validation_fraction in"):
        MLPRegressor(early_stopping=True, validation_fraction=0.0).fit(X5, Y_REG)
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPRegressor(early_stopping=True).fit(X5[:10], Y_REG[:10])


def test_data_errors():
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        MLPClassifier().fit(X5, Y_REG)
    with pytest.raises(ValueError, match="loss='poisson' needs targets y >= 0"):
        MLPRegressor(loss="poisson").fit(X5, Y_REG)
    from scipy import sparse
    with pytest.raises(TypeError, match="dense data is required"):
        MLPClassifier().fit(sparse.csr_matrix(X5), Y_MULTICLASS)
    with pytest.raises(ValueError, match="Found input variables with inconsistent"):
        MLPRegressor().fit(X5, Y_REG[:-1])


@pytest.mark.parametrize("weights, match", [
    (np.ones(5), r"sample_weight must have shape \(103,\)"),
    (np.ones((103, 2)), r"sample_weight must have shape \(103,\)"),
    (-WEIGHTS, "sample_weight must be >= 0"),
    (np.zeros(103), "sample_weight must not be all zero"),
    (np.full(103, np.inf), "sample_weight holds NaN or infinite"),
    (np.array(["a"] * 103), "sample_weight must hold numbers"),
])
def test_bad_sample_weight(weights, match):
    with pytest.raises(ValueError, match=match):
        MLPRegressor(max_iter=2).fit(X5, Y_REG, sample_weight=weights)


def test_divergence_names_the_learning_rate():
    big = np.c_[X5 * 1e3, X5]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # NumPy's overflow notice
        with pytest.raises(ValueError, match="non-finite.*lower learning_rate_init"):
            MLPRegressor(solver="sgd", learning_rate_init=10.0, max_iter=50,
                         random_state=0).fit(big, Y_REG * 1e3)


def test_partial_fit_errors():
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X5, Y_MULTICLASS)
    clf = MLPClassifier((4,), random_state=0).partial_fit(X5, Y_MULTICLASS, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        clf.partial_fit(X5, Y_MULTICLASS, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="y has classes not in classes_"):
        clf.partial_fit(X5, Y_MULTICLASS + 1)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X5, Y_REG)
    for est in (MLPClassifier(solver="lbfgs"), MLPRegressor(solver="lbfgs")):
        assert not hasattr(est, "partial_fit")
        with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as info:
            est.partial_fit(X5, Y_REG)
        assert "only available for the stochastic solvers" in str(info.value.__cause__)


def test_partial_fit_with_labels_missing_from_a_batch():
    clf = MLPClassifier((4,), random_state=0)
    clf.partial_fit(X5[:30], np.zeros(30, int), classes=[0, 1, 2])
    assert clf.out_activation_ == "softmax" and clf.predict_proba(X5).shape == (103, 3)


def test_warm_start_errors():
    clf = MLPClassifier((4,), warm_start=True, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X5, Y_MULTICLASS)
        with pytest.raises(ValueError, match="warm_start needs y with the same classes"):
            clf.fit(X5, np.minimum(Y_MULTICLASS, 1))
        clf.set_params(hidden_layer_sizes=(5,))
        with pytest.raises(ValueError, match=r"layer sizes \[5, 4, 3\] but .* \[5, 5, 3\]"):
            clf.fit(X5, Y_MULTICLASS)
        clf.set_params(warm_start=False).fit(X5, Y_MULTICLASS)    # starts again
    assert clf.coefs_[0].shape == (5, 5)


def test_large_batch_size_is_clipped_with_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(UserWarning, match="batch_size=500 is larger than the 103"):
            MLPRegressor(batch_size=500, max_iter=2).fit(X5, Y_REG)


# ----------------------------------------------------- the scikit-learn contract
def test_get_set_params_round_trip_and_clone():
    clf = MLPClassifier()
    params = clf.get_params()
    assert params == sk_nn.MLPClassifier().get_params()       # the same names and defaults
    assert set(MLPRegressor().get_params()) == set(sk_nn.MLPRegressor().get_params())
    new = dict(hidden_layer_sizes=(7, 3), activation="gelu", alpha=0.5, solver="rmsprop",
               max_iter=9, random_state=4, early_stopping=True)
    assert clf.set_params(**new) is clf
    assert clf.get_params() == {**params, **new}
    twin = clone(clf)
    assert twin is not clf and twin.get_params() == clf.get_params()
    assert MLPClassifier(**clf.get_params()).get_params() == clf.get_params()
    with pytest.raises(ValueError, match="Invalid parameter 'learning_rat'"):
        clf.set_params(learning_rat=0.1)
    assert "activation='gelu'" in repr(clf)


def test_clone_of_a_fitted_estimator_is_unfitted(fitted):
    twin = clone(fitted[0])
    assert not hasattr(twin, "coefs_")
    with pytest.raises(NotFittedError):
        twin.predict(X5)


def test_pickle_round_trip_keeps_predictions_and_the_optimiser(fitted):
    for est in fitted:
        again = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(again.predict(X5), est.predict(X5))
    clf = MLPClassifier((4,), random_state=0).partial_fit(X5, Y_MULTICLASS, classes=[0, 1, 2])
    twin = pickle.loads(pickle.dumps(clf))
    clf.partial_fit(X5, Y_MULTICLASS)
    twin.partial_fit(X5, Y_MULTICLASS)
    np.testing.assert_array_equal(clf.coefs_[0], twin.coefs_[0])


def test_pipeline_and_grid_search():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier((8,), learning_rate_init=0.02,
                                                         max_iter=80, random_state=0))
    grid = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1.0],
                               "mlpclassifier__hidden_layer_sizes": [(4,), (8,)]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert set(grid.best_params_) == {"mlpclassifier__alpha",
                                      "mlpclassifier__hidden_layer_sizes"}
    assert grid.best_score_ > 0.85 and grid.score(X, y) > 0.9
    assert len(grid.cv_results_["mean_test_score"]) == 4


def test_determinism_with_random_state():
    def coefs(random_state, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est = MLPClassifier((6,), max_iter=5, random_state=random_state, **kw)
            return np.concatenate([W.ravel() for W in est.fit(X5, Y_MULTICLASS).coefs_])
    np.testing.assert_array_equal(coefs(3), coefs(3))             # init and batch order
    np.testing.assert_array_equal(coefs(3, early_stopping=True), coefs(3, early_stopping=True))
    assert not np.array_equal(coefs(3), coefs(4))
    rs = np.random.RandomState(0)
    assert not np.array_equal(coefs(rs), coefs(rs))                 # draws advance
    np.testing.assert_array_equal(coefs(np.random.RandomState(5)), coefs(5))
    assert not np.array_equal(coefs(None), coefs(None))


def test_shuffling_depends_on_random_state_only():
    def curve(random_state, shuffle=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est = MLPClassifier((6,), max_iter=4, batch_size=10, shuffle=shuffle,
                                random_state=random_state)
            return est.fit(X5, Y_MULTICLASS).loss_curve_
    assert curve(0) == curve(0) and curve(0) != curve(0, shuffle=False)


# ------------------------------------------------------------------- the import
def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, "PYTHONPATH": sys.path[0]})


def test_import_without_scikit_learn_names_the_extra():
    import chainrule
    src = chainrule.__file__.rsplit("chainrule", 1)[0]
    out = _run(f"import sys; sys.path.insert(0, {src!r}); sys.modules['sklearn'] = None\n"
               "import chainrule, chainrule.nn\n"            # the rest works without it
               "try:\n    import chainrule.sklearn\n"
               "except ImportError as e:\n    print(e)\n")
    assert out.returncode == 0, out.stderr
    assert 'pip install "chainrule[sklearn]"' in out.stdout, out.stdout
    old = _run(f"import sys; sys.path.insert(0, {src!r}); import sklearn\n"
               "sklearn.__version__ = '1.3.2'\n"
               "try:\n    import chainrule.sklearn\n"
               "except ImportError as e:\n    print(e)\n")
    assert "needs scikit-learn >= 1.6" in old.stdout and "found scikit-learn 1.3.2" in old.stdout


# ------------------------------------------------------------------- doctests
@pytest.mark.parametrize("name", ["chainrule.sklearn", "chainrule.sklearn._classifier",
                                  "chainrule.sklearn._regressor", "chainrule.sklearn._network",
                                  "chainrule.sklearn._params", "chainrule.sklearn._optimizers"])
def test_doctests(name):
    import doctest
    import importlib
    mod = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)        # the examples converge
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0, name


def test_interrupted_training_keeps_the_last_whole_epoch(monkeypatch):
    from chainrule.sklearn import _base
    real_fit = _base.train_fit

    def interrupted(*args, callback, **kw):
        def interrupt_in_epoch_2(epoch, metrics, params):
            if epoch == 2:
                raise KeyboardInterrupt
            return callback(epoch, metrics, params)
        return real_fit(*args, callback=interrupt_in_epoch_2, **kw)
    monkeypatch.setattr(_base, "train_fit", interrupted)
    clf = MLPClassifier((4,), max_iter=10, shuffle=False, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        clf.fit(X5, Y_MULTICLASS)
    monkeypatch.undo()
    one = MLPClassifier((4,), max_iter=1, shuffle=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one.fit(X5, Y_MULTICLASS)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 1
    np.testing.assert_array_equal(clf.coefs_[0], one.coefs_[0])
    assert clf._optimizer.state["step"] == one._optimizer.state["step"] == 1
