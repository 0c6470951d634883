"""Data for training: the bundled example datasets, CSV files, train/test splits and
standardisation.

>>> from chainrule import data
>>> d = data.load_dataset("moons", seed=0)
>>> train, test = data.split_indices(len(d.y), 0.2, seed=0, stratify=d.y)
>>> len(train), len(test)
(800, 200)
"""
from .csvfile import DataError, Table, load_csv
from .datasets import CLASSIFICATION, NAMES, REGRESSION, Dataset, from_csv, load_dataset, moons
from .prep import Standardizer, split_indices

__all__ = ["DataError", "Table", "load_csv", "Dataset", "load_dataset", "from_csv", "moons",
           "NAMES", "CLASSIFICATION", "REGRESSION", "Standardizer", "split_indices"]
