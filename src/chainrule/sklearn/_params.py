"""Checking the estimators' hyperparameters at ``fit`` time (scikit-learn's convention:
``__init__`` and ``set_params`` store values as given, ``fit`` validates them), with one
message per argument naming the estimator, the argument and what it accepts.

>>> from chainrule.sklearn._params import InvalidParameterError, check_hyperparameters
>>> try:
...     check_hyperparameters("MLPClassifier", {"alpha": -1.0})
... except InvalidParameterError as error:
...     print(error)
MLPClassifier: alpha must be a number >= 0, got -1.0
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Dict

import numpy as np

HIDDEN_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh",
                      "relu": "relu", "elu": "elu", "gelu": "gelu", "softplus": "softplus",
                      "leaky_relu": "leaky_relu"}
"""The ``activation`` names the estimators take, each with the ``chainrule.nn`` activation
it stands for (scikit-learn's four, then chainrule's own)."""

STOCHASTIC_SOLVERS = ("adam", "sgd", "rmsprop", "adagrad")
SOLVERS = STOCHASTIC_SOLVERS + ("lbfgs",)


class InvalidParameterError(ValueError, TypeError):
    """A hyperparameter has a value the estimator does not accept (a ValueError and a
    TypeError, as scikit-learn's own ``InvalidParameterError``)."""


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _real(lo: float, hi: float = math.inf, *, lo_open=False, hi_open=False):
    def ok(v):
        if not (_is_real(v) and math.isfinite(v)):
            return False
        above = lo < v if lo_open else lo <= v
        below = v < hi if hi_open else v <= hi
        return above and below
    if hi == math.inf:
        what = f"a number {'>' if lo_open else '>='} {lo:g}"
    else:
        what = (f"a number in {'(' if lo_open else '['}{lo:g}, {hi:g}"
                f"{')' if hi_open else ']'}")
    return ok, what


def _one_of(*names):
    return (lambda v: isinstance(v, str) and v in names,
            "one of " + ", ".join(repr(n) for n in names))


def _boolean():
    return lambda v: isinstance(v, (bool, np.bool_)), "True or False"


def _hidden_layer_sizes(v) -> bool:
    if _is_int(v):
        return v >= 1
    if isinstance(v, (str, bytes, dict)) or not hasattr(v, "__iter__"):
        return False
    return all(_is_int(h) and h >= 1 for h in v)


def _random_state(v) -> bool:
    return v is None or (_is_int(v) and 0 <= v < 2 ** 32) \
        or isinstance(v, np.random.RandomState)


CHECKS: Dict[str, tuple] = {
    "hidden_layer_sizes": (_hidden_layer_sizes, "a positive int or a sequence of positive "
                           "ints (the width of each hidden layer), e.g. (100,)"),
    "activation": _one_of(*HIDDEN_ACTIVATIONS),
    "solver": _one_of(*SOLVERS),
    "alpha": _real(0.0),
    "batch_size": (lambda v: v == "auto" if isinstance(v, str) else _is_int(v) and v >= 1,
                   "'auto' or a positive int"),
    "learning_rate": _one_of("constant", "invscaling", "adaptive"),
    "learning_rate_init": _real(0.0, lo_open=True),
    "power_t": _real(0.0),
    "max_iter": (lambda v: _is_int(v) and v >= 1, "a positive int"),
    "shuffle": _boolean(),
    "random_state": (_random_state, "None, an int in [0, 2**32) or a "
                     "numpy.random.RandomState"),
    "tol": _real(0.0),
    "verbose": (lambda v: isinstance(v, (bool, np.bool_)) or (_is_int(v) and v >= 0),
                "True, False or an int >= 0"),
    "warm_start": _boolean(),
    "momentum": _real(0.0, 1.0),
    "nesterovs_momentum": _boolean(),
    "early_stopping": _boolean(),
    "validation_fraction": _real(0.0, 1.0, hi_open=True),
    "beta_1": _real(0.0, 1.0, hi_open=True),
    "beta_2": _real(0.0, 1.0, hi_open=True),
    "epsilon": _real(0.0, lo_open=True),
    "n_iter_no_change": (lambda v: (_is_int(v) and v >= 1) or (_is_real(v) and v == math.inf),
                         "a positive int or numpy.inf"),
    "max_fun": (lambda v: _is_int(v) and v >= 1, "a positive int"),
    "loss": _one_of("squared_error", "poisson"),
}


def check_hyperparameters(estimator: str, params: Dict[str, Any]) -> None:
    """Raise :class:`InvalidParameterError` for the first entry of ``params`` (name ->
    value) that :data:`CHECKS` rejects; names without a check pass."""
    for name, value in params.items():
        check = CHECKS.get(name)
        if check is None:
            continue
        ok, what = check
        try:
            good = bool(ok(value))
        except Exception:  # noqa: BLE001  (a comparison that an odd object refuses)
            good = False
        if not good:
            raise InvalidParameterError(f"{estimator}: {name} must be {what}, got {value!r}")
    if params.get("early_stopping") and params.get("validation_fraction") == 0:
        raise InvalidParameterError(f"{estimator}: early_stopping=True needs a "
                                    f"validation_fraction in (0, 1), got 0")


def hidden_sizes(value) -> list:
    """``hidden_layer_sizes`` as a list of ints (an int stands for one layer)."""
    return [int(value)] if _is_int(value) else [int(h) for h in value]
