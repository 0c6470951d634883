"""``chainrule.sklearn``: scikit-learn estimators trained by chainrule.

:class:`MLPClassifier` and :class:`MLPRegressor` take scikit-learn's MLP
hyperparameters and follow its estimator contract (``fit``, ``partial_fit``, ``predict``,
``predict_proba``, ``score``, ``get_params`` / ``set_params``, cloning, pickling; they pass
``sklearn.utils.estimator_checks.check_estimator``), so they drop into pipelines and
grid searches; underneath, the network is a ``chainrule.nn.Sequential`` trained by
``chainrule.train.fit``.

Needs scikit-learn (the ``sklearn`` extra: ``pip install "chainrule[sklearn]"``).

>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from sklearn.datasets import load_wine
>>> from chainrule.sklearn import MLPClassifier
>>> X, y = load_wine(return_X_y=True)
>>> model = make_pipeline(StandardScaler(), MLPClassifier((32,), learning_rate_init=0.01,
...                                                       random_state=0))
>>> model.fit(X, y).score(X, y)
1.0
"""
_MIN_SKLEARN = (1, 6)
_NEEDS = (f'chainrule.sklearn needs scikit-learn >= {_MIN_SKLEARN[0]}.{_MIN_SKLEARN[1]}: '
          f'pip install "chainrule[sklearn]"')

try:
    import sklearn as _sklearn
except ImportError as _exc:
    raise ImportError(f"{_NEEDS} (it is not installed)") from _exc


def _version(text: str) -> tuple:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(c for c in piece if c.isdigit()) if not piece.isdigit() else piece
        parts.append(int(digits or 0))
    return tuple(parts)


if _version(_sklearn.__version__) < _MIN_SKLEARN:
    raise ImportError(f"{_NEEDS} (found scikit-learn {_sklearn.__version__})")

from ._classifier import MLPClassifier  # noqa: E402
from ._params import InvalidParameterError  # noqa: E402
from ._regressor import MLPRegressor  # noqa: E402

__all__ = ["MLPClassifier", "MLPRegressor", "InvalidParameterError"]
