"""Splitting data into train and test parts, and standardising features."""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np


def split_indices(n: int, test_size: float = 0.2, *, seed: int = 0,
                  stratify: Optional[np.ndarray] = None,
                  rng: Optional[np.random.Generator] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Row indices ``(train, test)`` of a random split, fixed by ``seed``.

    ``test_size`` is a fraction in (0, 1). With ``stratify`` (class indices, one per row)
    every class keeps its share in both parts (each class with at least two rows gives the
    test part at least one). Both index arrays are sorted. ``rng`` (a NumPy Generator)
    replaces the stream that ``seed`` selects.

    >>> train, test = split_indices(10, 0.2, seed=0)
    >>> len(train), len(test), sorted(set(train) | set(test)) == list(range(10))
    (8, 2, True)
    """
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"split_indices: test_size must be a fraction in (0, 1), got "
                         f"{test_size!r}")
    if rng is None:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    if stratify is None:
        perm = rng.permutation(n)
        k = max(1, int(round(test_size * n)))
        if k >= n:
            raise ValueError(f"split_indices: {n} rows are too few to hold out {test_size:.0%}")
        return np.sort(perm[k:]), np.sort(perm[:k])
    stratify = np.asarray(stratify)
    test = []
    for c in np.unique(stratify):
        rows = rng.permutation(np.flatnonzero(stratify == c))
        k = int(round(test_size * len(rows)))
        if len(rows) >= 2:
            k = min(max(k, 1), len(rows) - 1)
        test.append(rows[:k])
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(n), test)
    if len(test) == 0 or len(train) == 0:
        raise ValueError(f"split_indices: {n} rows are too few to hold out {test_size:.0%}")
    return train, test


class Standardizer:
    """Shifts and scales each column to mean 0 and standard deviation 1, with the statistics
    of the data it was fitted on (the training split only). Constant columns keep scale 1.

    >>> s = Standardizer().fit(np.array([[1.0, 5.0], [3.0, 5.0]]))
    >>> s.mean.tolist(), s.scale.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    >>> s.transform(np.array([[3.0, 6.0]])).tolist()
    [[1.0, 1.0]]
    """

    def __init__(self, mean: Optional[np.ndarray] = None, scale: Optional[np.ndarray] = None):
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float64)
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float64)

    def fit(self, X: np.ndarray) -> "Standardizer":
        X = np.asarray(X, dtype=np.float64)
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        # constant columns (digits' blank border pixels) stay as they are, not divided by ~0
        self.scale = np.where(std > 1e-12 * np.maximum(1.0, np.abs(self.mean)), std, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """A new array; ``X`` is not modified."""
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        return np.asarray(Z, dtype=np.float64) * self.scale + self.mean
