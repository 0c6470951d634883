"""Training networks built with :mod:`chainrule.nn`: the :func:`fit` loop (shuffled
minibatches, validation split, early stopping, progress bar, history, per-layer gradient
norms), plots of a run, and model files that hold plain arrays plus a JSON header.

>>> from chainrule import train
>>> sorted(n for n in train.__all__ if not n[0].isupper())
['blas_threads', 'fit', 'load_model', 'mlp', 'plot_history']
"""
from .history import History
from .loop import FitResult, fit
from .modelfile import ModelFileError
from .models import mlp
from .plots import plot_history
from .threads import blas_threads
from .trained import TrainedModel, load_model

__all__ = ["fit", "FitResult", "History", "plot_history", "TrainedModel", "load_model",
           "ModelFileError", "mlp", "blas_threads"]
