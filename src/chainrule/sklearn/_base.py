"""What MLPClassifier and MLPRegressor share: checking the input, the first
initialisation, and training.

The stochastic solvers train through :func:`chainrule.train.fit` (the project's one
training loop): the estimator hands it the network, its current parameters, targets that
carry the sample weights, the loss, the L2 ``penalty`` and an optimiser that resumes from
a saved state; scikit-learn's bookkeeping and convergence rule live in the per-epoch
``callback`` (fit stops when it returns True). ``solver="lbfgs"`` goes through
``scipy.optimize`` (see ``_lbfgs.py``), as scikit-learn's own does.
"""
from __future__ import annotations

import warnings
from itertools import chain
from typing import Optional

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import optim
from ..train import fit as train_fit
from . import _network as net
from ._optimizers import ScikitAdam, ScikitSGD
from ._params import STOCHASTIC_SOLVERS, check_hyperparameters, hidden_sizes

FLOATS = (np.float64, np.float32)
"""The dtypes the estimators compute in: float32 input stays float32, the rest is float64
(as scikit-learn's MLPs do)."""


class _ResumableOptimizer:
    """A ``chainrule.optim`` optimiser that starts from a saved state and keeps its latest
    one, so that ``partial_fit`` goes on where the last call stopped (``fit`` asks its
    optimiser for a fresh state with ``init``), and whose learning rate can change
    between epochs (scikit-learn's "invscaling" and "adaptive")."""

    def __init__(self, optimizer: optim.Optimizer) -> None:
        self.optimizer = optimizer
        self.state: Optional[dict] = None

    def init(self, params) -> dict:
        return self.state if self.state is not None else self.optimizer.init(params)

    def update(self, params, grads, state):
        params, self.state = self.optimizer.update(params, grads, state)
        return params, self.state

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = float(value)


def check_sample_weight(where: str, sample_weight, n: int) -> Optional[np.ndarray]:
    """``sample_weight`` as a new float64 array of ``n`` finite weights >= 0, not all 0
    (None stays None: every row weighs 1)."""
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight)
    if sw.ndim == 0:
        sw = np.full(n, sw)
    if sw.dtype.kind not in "fiub":
        raise ValueError(f"{where}: sample_weight must hold numbers, got dtype {sw.dtype}")
    if sw.shape != (n,):
        raise ValueError(f"{where}: sample_weight must have shape ({n},), one weight per "
                         f"row of X, got shape {sw.shape}")
    sw = sw.astype(np.float64)                       # a copy: the caller's is not touched
    if not np.isfinite(sw).all():
        raise ValueError(f"{where}: sample_weight holds NaN or infinite values")
    if (sw < 0).any():
        raise ValueError(f"{where}: sample_weight must be >= 0, got {sw.min()}")
    if not sw.any():
        raise ValueError(f"{where}: sample_weight must not be all zero (no row would count)")
    return sw


class BaseMLP(BaseEstimator):
    """The shared part of :class:`MLPClassifier` and :class:`MLPRegressor`. Subclasses
    give ``__init__`` (the hyperparameters), ``_validate_input`` (X and 2-D float
    targets), ``_output_kind`` (the output activation), ``_decode`` (predictions from the
    output activation's values), ``_val_target`` (validation targets for the score) and
    ``_score_function`` (accuracy or R^2)."""

    # ------------------------------------------------------------ predictions
    def _logits(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=FLOATS)
        return self._logits_of(X, self.coefs_, self.intercepts_)

    def _logits_of(self, X, coefs, intercepts) -> np.ndarray:
        model = net.build(coefs, intercepts, self.activation)
        return np.asarray(model(net.to_params(coefs, intercepts), X))

    def _forward(self, X) -> np.ndarray:
        """The network's output for ``X`` after the output activation, (n, n_outputs_)."""
        z = self._logits(X)                   # first: it raises NotFittedError
        return net.output(self.out_activation_, z)

    # --------------------------------------------------------------- training
    def _fit(self, X, y, sample_weight=None, incremental: bool = False):
        name = type(self).__name__
        where = f"{name}.{'partial_fit' if incremental else 'fit'}"
        check_hyperparameters(name, self.get_params(deep=False))
        hidden = hidden_sizes(self.hidden_layer_sizes)
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        sw = check_sample_weight(where, sample_weight, len(X))
        layer_units = [X.shape[1], *hidden, Y.shape[1]]
        rs = check_random_state(self.random_state)
        if first_pass:
            self._initialize(Y, layer_units, X.dtype, rs)
        else:
            self._check_continuable(where, layer_units)
        self.n_outputs_ = Y.shape[1]
        if self.solver == "lbfgs":
            from ._lbfgs import fit_lbfgs
            fit_lbfgs(self, X, Y, sw)
        else:
            self._fit_stochastic(where, X, Y, sw, rs, incremental)
        if not all(np.isfinite(a).all() for a in chain(self.coefs_, self.intercepts_)):
            raise ValueError(f"{where}: training produced non-finite weights; lower "
                             f"learning_rate_init or scale the data (e.g. with "
                             f"sklearn.preprocessing.StandardScaler)")
        return self

    def _initialize(self, Y, layer_units, dtype, rs) -> None:
        """The first call's state: counters, the output activation, scikit-learn's initial
        weights (drawn from ``rs``) and the convergence bookkeeping."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_kind()
        self.coefs_, self.intercepts_ = net.init_coefs(rs, layer_units, self.activation, dtype)
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]
        if hasattr(self, "_optimizer"):
            del self._optimizer
        if self.solver in STOCHASTIC_SOLVERS:
            self._start_bookkeeping()

    def _start_bookkeeping(self) -> None:
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _check_continuable(self, where: str, layer_units) -> None:
        """warm_start / partial_fit go on from ``coefs_``: they must fit the layer sizes."""
        have = [self.coefs_[0].shape[0]] + [W.shape[1] for W in self.coefs_]
        if have != list(layer_units):
            raise ValueError(f"{where}: the fitted network has layer sizes {have} but the "
                             f"data and hidden_layer_sizes ask for {list(layer_units)}; "
                             f"set warm_start=False to start again")
        if self.solver in STOCHASTIC_SOLVERS and not hasattr(self, "loss_curve_"):
            self._start_bookkeeping()                  # the last fit used lbfgs
        if self.early_stopping and self.validation_scores_ is None:
            self.validation_scores_, self.best_validation_score_ = [], -np.inf
        if not self.early_stopping and self.best_loss_ is None:
            self.best_loss_ = np.inf

    def _make_optimizer(self) -> optim.Optimizer:
        lr = self.learning_rate_init
        if self.solver == "adam":
            return ScikitAdam(lr, b1=self.beta_1, b2=self.beta_2, eps=self.epsilon)
        if self.solver == "sgd":
            return ScikitSGD(lr, momentum=self.momentum, nesterov=self.nesterovs_momentum)
        if self.solver == "rmsprop":
            return optim.RMSProp(lr, eps=self.epsilon)
        return optim.AdaGrad(lr, eps=self.epsilon)

    def _fit_stochastic(self, where, X, Y, sw, rs, incremental) -> None:
        if self.early_stopping and incremental:
            raise ValueError(f"{where}: partial_fit does not support early_stopping=True")
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = _ResumableOptimizer(self._make_optimizer())

        X_val = y_val = sw_val = None
        X_train, Y_train, sw_train = X, Y, sw
        if self.early_stopping:
            # scikit-learn's split: stratified for single-output classifiers only
            stratify = Y.astype(bool) if is_classifier(self) and Y.shape[1] == 1 else None
            arrays = (X, Y) if sw is None else (X, Y, sw)
            parts = train_test_split(*arrays, random_state=rs,
                                     test_size=self.validation_fraction, stratify=stratify)
            X_train, X_val, Y_train, Y_val = parts[:4]
            if sw is not None:
                sw_train, sw_val = parts[4:]
            if X_val.shape[0] < 2:
                raise ValueError(f"{where}: the validation set is too small "
                                 f"({X_val.shape[0]} row); increase validation_fraction or "
                                 f"use more data")
            y_val = self._val_target(Y_val)

        n = X_train.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn(f"{where}: batch_size={self.batch_size} is larger than the "
                              f"{n} training rows; it is clipped to {n}")
            batch_size = int(min(self.batch_size, n))

        dtype = self.coefs_[0].dtype
        targets = net.encode_targets(self.out_activation_, Y_train, sw_train, dtype)
        model = net.build(self.coefs_, self.intercepts_, self.activation)
        on_epoch_end = _EpochEnd(self, n, (X_val, y_val, sw_val), incremental)
        self.n_iter_ = 0
        try:
            result = train_fit(
                model, X_train, targets, loss=net.make_loss(self.out_activation_),
                optimizer=self._optimizer, epochs=1 if incremental else self.max_iter,
                batch_size=batch_size, shuffle=self.shuffle,
                seed=int(rs.randint(np.iinfo(np.int32).max)),
                params=net.to_params(self.coefs_, self.intercepts_),
                penalty=net.make_penalty(self.alpha, len(self.coefs_)),
                # the targets are ours (weights in the last column): fit records no accuracy
                task="regression", record_grad_norms=False, progress=False,
                callback=on_epoch_end)
        except FloatingPointError:
            raise ValueError(f"{where}: the training loss became non-finite in epoch "
                             f"{self.n_iter_ + 1}; lower learning_rate_init or scale the "
                             f"data (e.g. with sklearn.preprocessing.StandardScaler)") from None
        except KeyboardInterrupt:
            # keep the last whole epoch: coefs_ (set by the callback) and its optimiser state
            self._optimizer.state = on_epoch_end.optimizer_state
            warnings.warn("Training interrupted by user.")
        else:
            self.coefs_, self.intercepts_ = net.from_params(result.params)
        if self.early_stopping:
            self.coefs_, self.intercepts_ = self._best_coefs, self._best_intercepts

    def _validation_score(self, params, X_val, y_val, sw_val) -> float:
        coefs, intercepts = net.from_params(params)
        out = net.output(self.out_activation_, self._logits_of(X_val, coefs, intercepts))
        if not np.isfinite(out).all():
            return np.nan
        return float(self._score_function(y_val, self._decode(out), sw_val))

    def _update_no_improvement_count(self, params, validation) -> None:
        """scikit-learn's rule: an epoch counts as no improvement when the validation score
        is below the best so far plus ``tol`` (with early stopping), or the training loss
        above the best so far minus ``tol``; the best validation score keeps its weights."""
        if self.early_stopping:
            score = self._validation_score(params, *validation)
            self.validation_scores_.append(score)
            if self.verbose:
                print("Validation score: %f" % score)
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_coefs, self._best_intercepts = net.from_params(params)
        else:
            loss = self.loss_curve_[-1]
            if loss > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if loss < self.best_loss_:
                self.best_loss_ = loss

    # ------------------------------------------------------------------ misc
    def _check_solver(self) -> bool:
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(f"partial_fit is only available for the stochastic solvers "
                                 f"({', '.join(STOCHASTIC_SOLVERS)}); solver={self.solver!r} "
                                 f"trains on the whole data at once")
        return True


class _EpochEnd:
    """fit's per-epoch callback: scikit-learn's attributes, verbose lines, learning-rate
    changes and convergence rule; returns True to stop."""

    def __init__(self, est: BaseMLP, n_train: int, validation, incremental: bool) -> None:
        self.est, self.n_train = est, n_train
        self.validation, self.incremental = validation, incremental
        self.optimizer_state = est._optimizer.state      # at the end of the last epoch

    def __call__(self, epoch: int, metrics: dict, params) -> bool:
        est = self.est
        est.coefs_, est.intercepts_ = net.from_params(params)
        self.optimizer_state = est._optimizer.state
        est.n_iter_ += 1
        est.loss_ = metrics["loss"]
        est.t_ += self.n_train
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print("Iteration %d, loss = %.8f" % (est.n_iter_, est.loss_))
        est._update_no_improvement_count(params, self.validation)
        opt = est._optimizer
        if est.solver == "sgd" and est.learning_rate == "invscaling":
            opt.lr = est.learning_rate_init / (est.t_ + 1) ** est.power_t
        if est._no_improvement_count > est.n_iter_no_change:
            what = "Validation score" if est.early_stopping else "Training loss"
            msg = (f"{what} did not improve more than tol={est.tol:f} for "
                   f"{est.n_iter_no_change} consecutive epochs.")
            if est.solver == "sgd" and est.learning_rate == "adaptive" and opt.lr > 1e-6:
                opt.lr = opt.lr / 5.0
                est._no_improvement_count = 0
                if est.verbose:
                    print(msg + " Setting learning rate to %f" % opt.lr)
            else:
                if est.verbose:
                    print(msg + (" Learning rate too small." if est.learning_rate ==
                                 "adaptive" and est.solver == "sgd" else "") + " Stopping.")
                return True
        if self.incremental:
            return True
        if est.n_iter_ == est.max_iter:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) "
                          f"reached and the optimization hasn't converged yet.",
                          ConvergenceWarning)
        return False


PARAMETERS_DOC = """\
    Parameters (scikit-learn's, with its defaults; checked by ``fit``):

    - ``hidden_layer_sizes``: the width of each hidden layer, e.g. ``(100,)`` or
      ``(64, 32)``; ``()`` for none (a linear model).
    - ``activation``: of the hidden layers: scikit-learn's ``"relu"``, ``"tanh"``,
      ``"logistic"``, ``"identity"``, and chainrule's ``"elu"``, ``"gelu"``,
      ``"softplus"``, ``"leaky_relu"`` (slope 0.01).
    - ``solver``: ``"adam"`` and ``"sgd"`` (scikit-learn's Adam, and SGD with
      ``momentum``, ``nesterovs_momentum`` and the ``learning_rate`` schedule, step for
      step: see ``_optimizers.py``), chainrule's ``"rmsprop"`` and ``"adagrad"``
      (``optim.RMSProp`` / ``optim.AdaGrad`` with ``learning_rate_init`` and
      ``epsilon``), all trained by ``chainrule.train.fit``; or ``"lbfgs"``: full-batch
      L-BFGS-B through ``scipy.optimize`` with chainrule's gradients (``max_iter``
      iterations, ``max_fun`` loss evaluations, ``tol`` on the gradient), as
      scikit-learn's.
    - ``alpha``: L2 penalty, scikit-learn's scaling: ``alpha / 2 * sum ||W||^2`` (weights,
      not biases) divided by the minibatch's row count (its total sample weight), added
      to the minibatch's mean loss.
    - ``batch_size``: rows per step; ``"auto"`` is ``min(200, n_samples)``.
    - ``learning_rate`` (sgd only): ``"constant"``, ``"invscaling"``
      (``learning_rate_init / (t_ + 1) ** power_t`` after each epoch), ``"adaptive"``
      (divided by 5 instead of stopping when the loss stalls, down to 1e-6).
    - ``learning_rate_init``, ``power_t``, ``momentum`` (sgd), ``nesterovs_momentum`` (sgd),
      ``beta_1``, ``beta_2``, ``epsilon`` (adam): the optimiser's settings.
    - ``max_iter``: epochs (L-BFGS: iterations). ``shuffle``: shuffle the rows every epoch.
    - ``random_state``: None, an int or a ``numpy.random.RandomState``: the initial weights
      (scikit-learn's draws: the same int gives the same start as scikit-learn's MLP), the
      validation split and the batch order.
    - ``tol``, ``n_iter_no_change``: training stops when the loss (with
      ``early_stopping``: the validation score) has not improved by at least ``tol`` for
      more than ``n_iter_no_change`` consecutive epochs; a ``ConvergenceWarning`` says when
      ``max_iter`` epochs ran out first.
    - ``early_stopping``, ``validation_fraction``: hold out that fraction of the rows
      (stratified for single-output classification), score them after every epoch
      (accuracy, R^2) and keep the weights of the best epoch.
    - ``verbose``: print the loss (and validation score) of every epoch.
    - ``warm_start``: ``fit`` starts from the last fit's weights instead of new ones.
    - ``max_fun``: L-BFGS's limit on loss evaluations.
"""

ATTRIBUTES_DOC = """\
    Fitted attributes (scikit-learn's names): ``coefs_`` / ``intercepts_`` (lists: ``W`` of
    shape (fan_in, fan_out), ``b`` of shape (fan_out,)), ``n_iter_`` (epochs of the last
    call), ``t_`` (training rows seen, counting all calls), ``loss_`` (the last epoch's
    mean loss with the L2 term), ``loss_curve_``, ``best_loss_`` (None with early
    stopping), ``validation_scores_`` and ``best_validation_score_`` (None without),
    ``n_features_in_``, ``feature_names_in_`` (DataFrame input), ``n_outputs_``,
    ``n_layers_``, ``out_activation_``{extra}.
"""
