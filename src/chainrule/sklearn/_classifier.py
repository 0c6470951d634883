"""``MLPClassifier``: scikit-learn's multilayer-perceptron classifier, trained by chainrule."""
from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d, validate_data

from ._base import ATTRIBUTES_DOC, FLOATS, PARAMETERS_DOC, BaseMLP


class MLPClassifier(ClassifierMixin, BaseMLP):
    __doc__ = """Multilayer-perceptron classifier with scikit-learn's interface, trained by
    chainrule (``chainrule.train.fit`` on ``cr.value_and_grad``).

    Binary, multiclass and multilabel (``y`` a 0/1 indicator matrix) targets, any labels
    (``classes_``); ``predict_proba`` rows sum to 1 (multilabel: one probability per
    label); ``score`` is the accuracy. The output layer is softmax for multiclass and
    logistic for binary and multilabel targets; the loss is the cross-entropy (log loss),
    computed from the logits.

{params}
{attrs}
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from chainrule.sklearn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> labels = np.array(["setosa", "versicolor", "virginica"])[y]
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01,
    ...                     max_iter=500, random_state=0).fit(X, labels)
    >>> clf.classes_
    array(['setosa', 'versicolor', 'virginica'], dtype='<U10')
    >>> clf.predict(X[[0, 50, 100]])
    array(['setosa', 'versicolor', 'virginica'], dtype='<U10')
    >>> clf.predict_proba(X[:1]).sum().round(6), clf.score(X, labels) > 0.95
    (np.float64(1.0), True)
    >>> [W.shape for W in clf.coefs_], clf.out_activation_, clf.n_iter_ < 500
    ([(4, 16), (16, 3)], 'softmax', True)
    """.format(params=PARAMETERS_DOC,
               attrs=ATTRIBUTES_DOC.format(extra=", ``classes_`` (the labels, sorted)"))

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    # ---------------------------------------------------------------- fitting
    def fit(self, X, y, sample_weight=None) -> "MLPClassifier":
        """Train on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,) or a 0/1
        indicator matrix (n_samples, n_labels); ``sample_weight`` (n_samples,) weighs each
        row's loss. Returns ``self``.

        >>> import numpy as np
        >>> from chainrule.sklearn import MLPClassifier
        >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)
        >>> y = np.array([[0, 0], [0, 1], [0, 1], [1, 1]] * 10)     # multilabel: AND, OR
        >>> clf = MLPClassifier((8,), solver="lbfgs", random_state=0).fit(X, y)
        >>> clf.predict(X[:4])
        array([[0, 0],
               [0, 1],
               [0, 1],
               [1, 1]])
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None) -> "MLPClassifier":
        """One epoch over ``(X, y)`` from where the last call stopped (optimiser state
        included). ``classes`` (every label that will ever be seen) is required on the
        first call. Stochastic solvers only.

        >>> import numpy as np
        >>> from chainrule.sklearn import MLPClassifier
        >>> rng = np.random.RandomState(0)
        >>> X = rng.randn(40, 3); y = (X[:, 0] > 0).astype(int)
        >>> clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
        >>> for _ in range(3):
        ...     clf = clf.partial_fit(X, y, classes=[0, 1])
        >>> clf.n_iter_, clf.t_, len(clf.loss_curve_)
        (1, 120, 3)
        """
        name = type(self).__name__
        if classes is not None:
            classes = unique_labels(classes)
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError(f"{name}.partial_fit: classes must be passed on the first "
                                 f"call (every label that will be seen, e.g. np.unique(y))")
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y if type_of_target(y).startswith("multilabel")
                                      else classes)
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(self.classes_, classes):
            raise ValueError(f"{name}.partial_fit: classes={classes!r} is not the same as "
                             f"on the first call, {self.classes_!r}")
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, multi_output=True, dtype=FLOATS, reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        name = type(self).__name__
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(f"{name}.fit: warm_start needs y with the same classes "
                                     f"as the last fit, {self.classes_!r}; y has {classes!r}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"{name}.partial_fit: y has classes not in classes_ "
                                 f"{self.classes_!r}: "
                                 f"{np.setdiff1d(classes, self.classes_)!r}")
        return X, self._label_binarizer.transform(y).astype(X.dtype)

    def _output_kind(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _decode(self, out: np.ndarray):
        """Labels from the output activation's values."""
        if self.n_outputs_ == 1:
            out = out.ravel()
        return self._label_binarizer.inverse_transform(out)

    def _val_target(self, Y_val):
        return self._label_binarizer.inverse_transform(
            Y_val.ravel() if Y_val.shape[1] == 1 else Y_val)

    @staticmethod
    def _score_function(y, y_pred, sample_weight):
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

    # ------------------------------------------------------------ predictions
    def predict(self, X):
        """The predicted labels, shape (n_samples,) (multilabel: (n_samples, n_labels)).

        >>> import numpy as np
        >>> from chainrule.sklearn import MLPClassifier
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = MLPClassifier((4,), solver="lbfgs", random_state=0).fit(X, ["a", "a", "b", "b"])
        >>> clf.predict([[-3.0], [3.0]])
        array(['a', 'b'], dtype='<U1')
        """
        return self._decode(self._forward(X))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in the order of
        ``classes_``; each row sums to 1 (multilabel: each label's own probability).

        >>> import numpy as np
        >>> from chainrule.sklearn import MLPClassifier
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = MLPClassifier((4,), solver="lbfgs", random_state=0).fit(X, [0, 0, 1, 1])
        >>> p = clf.predict_proba([[-3.0], [3.0]])
        >>> p.shape, p.sum(axis=1), p.argmax(axis=1)
        ((2, 2), array([1., 1.]), array([0, 1]))
        """
        p = self._forward(X)
        if self.n_outputs_ == 1:
            p = p[:, 0]
            return np.stack([1.0 - p, p], axis=1)
        return p

    def predict_log_proba(self, X) -> np.ndarray:
        """``log(predict_proba(X))`` (``-inf`` where a probability is 0).

        >>> import numpy as np
        >>> from chainrule.sklearn import MLPClassifier
        >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
        >>> clf = MLPClassifier((4,), solver="lbfgs", random_state=0).fit(X, [0, 0, 1, 1])
        >>> bool(np.allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X)))
        True
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
