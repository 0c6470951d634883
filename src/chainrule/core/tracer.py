"""Traced values: what a transform passes through the user's function in place of arrays.

A :class:`Tracer` holds the ``primal`` value (an array, or a tracer of a lower level when
transforms nest) and belongs to one trace of one ``level``. Each transform gets a fresh,
higher level; a primitive acts for the highest level among its arguments and treats the
lower ones as constants, which is what keeps nested derivatives from confusing their
perturbations. The array-like operators and methods (``+``, ``@``, ``.sum()`` ...) are
installed on this class by :mod:`chainrule.numpy._methods`, so that the core does not
depend on the NumPy namespace.
"""
from __future__ import annotations

import gc
import itertools
import threading

import numpy as np

from .errors import TracedNumpyError

_levels = itertools.count(1)


def new_level() -> int:
    """A fresh trace level, higher than every level handed out before (thread-safe)."""
    return next(_levels)


class _GCPause:
    """Pause Python's cyclic garbage collector while a trace is recorded and replayed.

    A tape is a long list of small tuples; with the collector on, every few hundred
    allocations it rescans them all, which made long traces several times slower. Tapes
    hold no reference cycles, so nothing is lost: collection resumes (and catches up) when
    the outermost transformation returns. Nested and concurrent transforms share a count.
    (A class rather than a generator-based context manager: this runs on every call of a
    transformation, and the class costs a third of the Python steps.)
    """

    __slots__ = ("lock", "depth", "was_enabled")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False

    def __call__(self) -> "_GCPause":
        return self

    def __enter__(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.depth += 1

    def __exit__(self, *exc) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.was_enabled:
                gc.enable()


gc_paused = _GCPause()
"""``with gc_paused():`` pauses the cyclic collector (see :class:`_GCPause`)."""


_HINT = ("use chainrule.numpy (e.g. `import chainrule.numpy as cnp; cnp.{name}(...)`) "
         "inside functions you differentiate")


class Tracer:
    """Base class of traced values. Behaves like an ndarray in user code."""

    __slots__ = ("_primal", "_trace", "_level")
    __array_priority__ = 1000

    # --- array attributes, read from the primal -----------------------------------
    @property
    def shape(self) -> tuple:
        return self._primal.shape

    @property
    def ndim(self) -> int:
        return self._primal.ndim

    @property
    def size(self) -> int:
        return self._primal.size

    @property
    def dtype(self):
        return self._primal.dtype

    @property
    def primal(self):
        """The value this tracer stands for (one level down)."""
        return self._primal

    def __len__(self) -> int:
        return len(self._primal)

    # Python control flow on traced values uses the primal (define-by-run).
    def __bool__(self) -> bool:
        return bool(self._primal)

    def __float__(self) -> float:
        return float(self._primal)

    def __int__(self) -> int:
        return int(self._primal)

    def __complex__(self) -> complex:
        return complex(self._primal)

    def item(self, *args):
        """The primal as a Python scalar (no derivative flows through it)."""
        return primal_value(self).item(*args)

    def tolist(self):
        return primal_value(self).tolist()

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(level={self._level}, primal={self._primal!r})"

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d traced array")
        return (self[i] for i in range(len(self)))

    def __setitem__(self, key, value):
        raise TypeError(
            "traced arrays do not support item assignment (x[i] = v): it would overwrite a "
            "value the derivative still needs. Build a new array instead: "
            "cnp.where(mask, v, x) for masked updates, cnp.concatenate / cnp.stack to "
            "assemble pieces, or x + cnp.zeros_like(x) patterns with one-hot masks.")

    # --- plain NumPy must not swallow a tracer silently -----------------------------
    def __array__(self, dtype=None, copy=None):
        raise TracedNumpyError(
            "a traced value was passed to plain NumPy (np.asarray / np.array or a NumPy "
            "function), which would drop its derivative; " + _HINT.format(name="asarray"))

    def __array_function__(self, func, types, args, kwargs):
        if func in _HARMLESS:                       # shape queries drop nothing
            return func(*(primal_value(a) for a in args), **kwargs)
        raise TracedNumpyError(
            f"numpy.{func.__name__} was called on a traced value, which would drop its "
            f"derivative; " + _HINT.format(name=func.__name__))


_HARMLESS = {np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj}


def primal_value(x):
    """Strip every level of tracing: the plain value underneath."""
    while isinstance(x, Tracer):
        x = x._primal
    return x
