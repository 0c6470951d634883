"""The bundled example datasets (from scikit-learn, no download) and two-moons.

Each loader returns a :class:`Dataset`: float64 features ``X``, targets ``y`` (class
indices ``0..K-1`` for classification, float values for regression), the names of the
features and of the classes.
"""
from __future__ import annotations

import os
from typing import List, Optional

import numpy as np

from .csvfile import DataError, load_csv

CLASSIFICATION = ("digits", "iris", "breast_cancer", "wine", "moons")
REGRESSION = ("diabetes",)
NAMES = CLASSIFICATION + REGRESSION


class Dataset:
    """Features ``X`` (n, d) float64 and targets ``y``; ``task`` is "classification" (then
    ``y`` holds indices into ``classes``) or "regression" (``y`` float, (n,) or (n, k))."""

    def __init__(self, name: str, X: np.ndarray, y: np.ndarray, task: str,
                 feature_names: List[str], classes: Optional[list] = None,
                 label_name: Optional[str] = None) -> None:
        self.name, self.X, self.y, self.task = name, X, y, task
        self.feature_names, self.classes, self.label_name = feature_names, classes, label_name

    @property
    def n_classes(self) -> int:
        return len(self.classes) if self.classes is not None else 0

    def __repr__(self) -> str:
        n, d = self.X.shape
        what = f"{self.n_classes} classes" if self.task == "classification" else "regression"
        return f"Dataset({self.name!r}: {n} samples, {d} features, {what})"


def _sklearn_datasets(name: str):
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError(f"the {name!r} dataset comes with scikit-learn, which is not "
                          f"installed: pip install 'chainrule[sklearn]' (or use moons or a "
                          f"CSV file)") from None
    return datasets


def moons(n_samples: int = 1000, noise: float = 0.2, seed: int = 0) -> Dataset:
    """Two interleaving half circles in the plane (made here with NumPy, no scikit-learn).

    >>> d = moons(200, seed=1)
    >>> d.X.shape, np.bincount(d.y).tolist(), d.classes
    ((200, 2), [100, 100], [0, 1])
    """
    rng = np.random.default_rng(seed)
    n0 = n_samples // 2
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n_samples - n0)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], axis=1),
                        np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)])
    X += noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n_samples - n0, np.int64)])
    order = rng.permutation(n_samples)
    return Dataset("moons", X[order], y[order], "classification", ["x1", "x2"], [0, 1])


def load_dataset(name: str, *, seed: int = 0) -> Dataset:
    """One of the named datasets: digits, iris, breast_cancer, wine (classification, from
    scikit-learn's bundled files), diabetes (regression, also bundled), moons (generated,
    1000 points, noise 0.2, from ``seed``).

    >>> d = load_dataset("moons")
    >>> d
    Dataset('moons': 1000 samples, 2 features, 2 classes)
    """
    if name == "moons":
        return moons(seed=seed)
    if name not in NAMES:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(NAMES)} "
                        f"or give a .csv file")
    datasets = _sklearn_datasets(name)
    bunch = getattr(datasets, f"load_{name}")()
    X = np.asarray(bunch.data, dtype=np.float64)
    features = [str(f) for f in getattr(bunch, "feature_names", range(X.shape[1]))]
    if name in REGRESSION:
        return Dataset(name, X, np.asarray(bunch.target, np.float64), "regression", features,
                       label_name="target")
    classes = [c.item() if hasattr(c, "item") else str(c) for c in bunch.target_names]
    return Dataset(name, X, np.asarray(bunch.target, np.int64), "classification", features,
                   classes, label_name="target")


def from_csv(path: str, label: Optional[str] = None, task: Optional[str] = None) -> Dataset:
    """A CSV file as a :class:`Dataset`. ``task`` None picks regression when the labels are
    numbers that are not all whole, classification otherwise (words or whole numbers).

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(path, "w").write("a,b,y\\n1,2,cat\\n3,4,dog\\n5,6,cat\\n")
    >>> d = from_csv(path)
    >>> d.y.tolist(), d.classes, d.label_name
    ([0, 1, 0], ['cat', 'dog'], 'y')
    """
    table = load_csv(path, label)
    labels = table.labels
    if task is None:
        task = "regression" if labels.dtype.kind == "f" else "classification"
    if task == "regression":
        if labels.dtype.kind not in "fi":
            raise DataError(f"{path}: the label column {table.label_name!r} holds words, "
                            f"so it cannot be a regression target (use a classification loss)")
        return Dataset(os.path.basename(path), table.X, labels.astype(np.float64), "regression",
                       table.feature_names, label_name=table.label_name)
    classes, y = np.unique(labels, return_inverse=True)
    if len(classes) < 2:
        raise DataError(f"{path}: the label column {table.label_name!r} has a single class "
                        f"({classes[0]!r}); classification needs at least two")
    return Dataset(os.path.basename(path), table.X, y.astype(np.int64).reshape(-1),
                   "classification", table.feature_names, [c.item() for c in classes],
                   label_name=table.label_name)

