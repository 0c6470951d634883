"""``MLPRegressor``: scikit-learn's multilayer-perceptron regressor, trained by chainrule."""
from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import column_or_1d, validate_data

from ._base import ATTRIBUTES_DOC, FLOATS, PARAMETERS_DOC, BaseMLP


class MLPRegressor(RegressorMixin, BaseMLP):
    __doc__ = """Multilayer-perceptron regressor with scikit-learn's interface, trained by
    chainrule (``chainrule.train.fit`` on ``cr.value_and_grad``).

    ``y`` of shape (n_samples,) or (n_samples, n_outputs); ``predict`` gives the same
    shape; ``score`` is R^2. ``loss="squared_error"`` (half the mean squared error,
    identity output) or ``"poisson"`` (half the Poisson deviance, exp output, ``y >= 0``).

{params}
{attrs}
    >>> import numpy as np
    >>> from chainrule.sklearn import MLPRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, (300, 2))
    >>> y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01,
    ...                    max_iter=300, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape, reg.score(X, y) > 0.95
    ((3,), True)
    >>> reg.out_activation_, [b.shape for b in reg.intercepts_]
    ('identity', [(32,), (1,)])
    """.format(params=PARAMETERS_DOC.replace(
        "    Parameters (scikit-learn's, with its defaults; checked by ``fit``):\n",
        "    Parameters (scikit-learn's, with its defaults; checked by ``fit``):\n\n"
        "    - ``loss``: ``\"squared_error\"`` or ``\"poisson\"``.\n"),
        attrs=ATTRIBUTES_DOC.format(extra=""))

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu", *,
                 solver="adam", alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, max_fun=15000):
        self.loss = loss
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

    def fit(self, X, y, sample_weight=None) -> "MLPRegressor":
        """Train on ``X`` (n_samples, n_features) and targets ``y`` (n_samples,) or
        (n_samples, n_outputs); ``sample_weight`` (n_samples,) weighs each row's loss.
        Returns ``self``.

        >>> import numpy as np
        >>> from chainrule.sklearn import MLPRegressor
        >>> X = np.linspace(-1, 1, 40)[:, None]
        >>> Y = np.c_[X[:, 0] ** 2, -X[:, 0]]                  # two outputs
        >>> reg = MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
        >>> reg.fit(X, Y).score(X, Y) > 0.99, reg.n_outputs_
        (True, 2)
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, sample_weight=None) -> "MLPRegressor":
        """One epoch over ``(X, y)`` from where the last call stopped (optimiser state
        included). Stochastic solvers only.

        >>> import numpy as np
        >>> from chainrule.sklearn import MLPRegressor
        >>> X = np.linspace(-1, 1, 50)[:, None]
        >>> reg = MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
        >>> reg = reg.partial_fit(X, X[:, 0]).partial_fit(X, X[:, 0])
        >>> reg.loss_curve_[1] < reg.loss_curve_[0], reg.t_
        (True, 100)
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=FLOATS,
                             reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError(f"{type(self).__name__}.fit: loss='poisson' needs targets y >= 0 "
                             f"(counts or rates), got a minimum of {y.min()}")
        return X, y.reshape(len(y), -1).astype(X.dtype)

    def _output_kind(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _decode(self, out: np.ndarray) -> np.ndarray:
        return out.ravel() if out.shape[1] == 1 else out

    def _val_target(self, Y_val):
        return self._decode(Y_val)

    @staticmethod
    def _score_function(y, y_pred, sample_weight):
        return r2_score(y, y_pred, sample_weight=sample_weight)

    def predict(self, X) -> np.ndarray:
        """The predictions, shape (n_samples,) for a 1-D ``y``, else (n_samples, n_outputs).

        >>> import numpy as np
        >>> from chainrule.sklearn import MLPRegressor
        >>> X = np.linspace(-1, 1, 40)[:, None]
        >>> reg = MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0)
        >>> reg.fit(X, 3 * X[:, 0] + 1).predict([[0.0], [0.5]]).round(1)
        array([1. , 2.5])
        """
        return self._decode(self._forward(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags
