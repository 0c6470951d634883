"""A trained network together with what it needs to be used on new, raw data: the input
standardisation, the class labels (or the target scaling for regression), feature names."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np

from ..data.prep import Standardizer
from . import modelfile
from .modelfile import ModelFileError

CLASSIFICATION_LOSSES = ("cross_entropy", "binary_cross_entropy", "hinge")


class TrainedModel:
    """``model`` (an ``nn`` layer) with its ``params`` and the data conventions it was
    trained with, so that ``predict`` takes raw feature rows and returns labels or values.

    - ``loss``: the training loss name; ``task`` follows from it ("classification" for
      cross_entropy, binary_cross_entropy, hinge; "regression" for mse);
    - ``classes``: the label of each output index (classification);
    - ``x_scaler`` / ``y_scaler``: :class:`~chainrule.data.Standardizer` of the inputs
      (and of a regression target), fitted on the training split;
    - ``feature_names``, ``label_name``: the columns, for CSV files;
    - ``info``: free-form JSON-able notes (dataset, options, test score) kept in the file.

    >>> import numpy as np
    >>> from chainrule import nn
    >>> from chainrule.data import Standardizer
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> net = nn.Sequential(nn.Dense(2, 3))
    >>> tm = TrainedModel(net, net.init(0), loss="cross_entropy", classes=["a", "b", "c"],
    ...                   x_scaler=Standardizer().fit(X))
    >>> tm.predict(X).shape, tm.predict_proba(X).sum(axis=1).round(6).tolist()
    ((2,), [1.0, 1.0])
    """

    def __init__(self, model: Any, params: Any, *, loss: str, classes: Optional[list] = None,
                 x_scaler: Optional[Standardizer] = None, y_scaler: Optional[Standardizer] = None,
                 feature_names: Optional[List[str]] = None, label_name: Optional[str] = None,
                 info: Optional[Dict[str, Any]] = None) -> None:
        self.model, self.params, self.loss = model, params, loss
        self.task = "classification" if loss in CLASSIFICATION_LOSSES else "regression"
        self.classes = list(classes) if classes is not None else None
        self.x_scaler, self.y_scaler = x_scaler, y_scaler
        self.feature_names = list(feature_names) if feature_names is not None else None
        self.label_name, self.info = label_name, dict(info or {})

    @property
    def n_features(self) -> Optional[int]:
        if self.x_scaler is not None and self.x_scaler.mean is not None:
            return int(self.x_scaler.mean.shape[0])
        return len(self.feature_names) if self.feature_names is not None else None

    def _dtype(self):
        from ..tree import tree_leaves
        leaves = tree_leaves(self.params)
        return leaves[0].dtype if leaves else np.float64

    def outputs(self, X: np.ndarray) -> np.ndarray:
        """The network's raw outputs (logits, probabilities or scaled values) for raw rows."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"predict: X must be a 2-D array (rows of features), got shape "
                             f"{X.shape}")
        if self.n_features is not None and X.shape[1] != self.n_features:
            raise ValueError(f"predict: X has {X.shape[1]} features, the model was trained on "
                             f"{self.n_features}")
        if self.x_scaler is not None:
            X = self.x_scaler.transform(X)
        return np.asarray(self.model(self.params, X.astype(self._dtype())))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, one column per class (classification with cross_entropy or
        binary_cross_entropy)."""
        out = self.outputs(X).astype(np.float64)
        if self.loss == "cross_entropy":
            z = out - out.max(axis=1, keepdims=True)
            e = np.exp(z)
            return e / e.sum(axis=1, keepdims=True)
        if self.loss == "binary_cross_entropy":
            p = out[:, :1] if out.ndim == 2 else out[:, None]
            return np.concatenate([1.0 - p, p], axis=1)
        raise ValueError(f"predict_proba: a model trained with {self.loss} gives no "
                         f"probabilities")

    def predict_indices(self, X: np.ndarray) -> np.ndarray:
        """Class indices (classification)."""
        out = self.outputs(X)
        if out.ndim == 2 and out.shape[1] > 1:
            return out.argmax(axis=1)
        threshold = 0.5 if self.loss == "binary_cross_entropy" else 0.0
        return (out.reshape(len(out)) > threshold).astype(np.int64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (classification) or target values in the original units (regression)."""
        if self.task == "classification":
            idx = self.predict_indices(X)
            if self.classes is None:
                return idx
            return np.asarray(self.classes)[idx]
        out = self.outputs(X).astype(np.float64)
        if self.y_scaler is not None:
            out = self.y_scaler.inverse_transform(out)
        return out[:, 0] if out.ndim == 2 and out.shape[1] == 1 else out

    def save(self, path: str) -> None:
        """Write a model file (see :mod:`chainrule.train.modelfile`)."""
        header = {"model": self.model.config(), "loss": self.loss, "task": self.task,
                  "classes": self.classes, "feature_names": self.feature_names,
                  "label_name": self.label_name, "info": self.info}
        arrays = {}
        for prefix, scaler in (("x", self.x_scaler), ("y", self.y_scaler)):
            if scaler is not None:
                arrays[f"{prefix}_mean"], arrays[f"{prefix}_scale"] = scaler.mean, scaler.scale
        modelfile.write(path, header, self.params, arrays)

    @classmethod
    def load(cls, path: str) -> "TrainedModel":
        """Read a model file; a bad file raises :class:`ModelFileError` (one line)."""
        from .. import nn
        header, params, arrays = modelfile.read(path)
        try:
            model = nn.from_config(header["model"])
        except Exception as e:                   # any failure: the architecture is not ours
            raise ModelFileError(f"{path}: the architecture in the header is not understood "
                                 f"({type(e).__name__}: {e})") from None
        _check_shapes(path, model, params)
        scalers = {}
        for prefix in ("x", "y"):
            mean, scale = arrays.get(f"{prefix}_mean"), arrays.get(f"{prefix}_scale")
            unmatched = (mean is None) != (scale is None)
            if unmatched or (mean is not None and mean.shape != scale.shape):
                raise ModelFileError(f"{path}: corrupt model file ({prefix}_mean and "
                                     f"{prefix}_scale do not match)")
            scalers[prefix] = None if mean is None else Standardizer(mean, scale)
        loss = header.get("loss")
        if not isinstance(loss, str):
            raise ModelFileError(f"{path}: corrupt model file (no loss named in the header)")
        return cls(model, params, loss=loss, classes=header.get("classes"),
                   x_scaler=scalers["x"], y_scaler=scalers["y"],
                   feature_names=header.get("feature_names"),
                   label_name=header.get("label_name"), info=header.get("info"))


def _check_shapes(path, model, params):
    """The stored parameters must have the shapes the architecture initialises."""
    from ..tree import tree_flatten
    want, want_def = tree_flatten(model.init(0))
    got, got_def = tree_flatten(params)
    if want_def != got_def:
        raise ModelFileError(f"{path}: corrupt model file (the parameters do not have the "
                             f"structure of the architecture)")
    for i, (w, g) in enumerate(zip(want, got)):
        if np.shape(w) != np.shape(g):
            raise ModelFileError(f"{path}: corrupt model file (parameter {i} has shape "
                                 f"{np.shape(g)}, the architecture needs {np.shape(w)})")


def load_model(path: str) -> TrainedModel:
    """Read a model file written by :meth:`TrainedModel.save` (or ``chainrule train --save``).

    >>> load_model("no-such-model.npz")
    Traceback (most recent call last):
    ...
    chainrule.train.modelfile.ModelFileError: no-such-model.npz: no such file
    """
    return TrainedModel.load(path)
