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

import numpy as np

from .errors import TracedNumpyError

_levels = itertools.count(1)


def new_level() -> int:
    """A fresh trace level, higher than every level handed out before (thread-safe)."""
    return next(_levels)


_gc_isenabled, _gc_disable, _gc_enable = gc.isenabled, gc.disable, gc.enable


def pause_gc() -> bool:
    """Pause Python's cyclic garbage collector while a trace is recorded and replayed;
    True when this call paused it, to be handed to :func:`resume_gc` afterwards.

    A tape is a long list of small tuples; with the collector on, every few hundred
    allocations it rescans them all, which made long traces several times slower. Tapes
    hold no reference cycles, so nothing is lost: collection resumes (and catches up) when
    the call that paused it returns. A nested call, or one in another thread, finds the
    collector already paused and leaves it to that call; a thread may so finish with the
    collector back on, which is only slower. No lock: this runs on every call of
    ``value_and_grad``, a training step's hot path.

    >>> import gc
    >>> paused = pause_gc(); inside = gc.isenabled(); resume_gc(paused)
    >>> inside, gc.isenabled() == paused
    (False, True)
    """
    if _gc_isenabled():
        _gc_disable()
        return True
    return False


def resume_gc(paused: bool) -> None:
    """Turn the collector back on if ``paused`` (what :func:`pause_gc` returned) says
    that call paused it."""
    if paused:
        _gc_enable()


class gc_paused:
    """``with gc_paused():`` pauses the cyclic collector for the block (see
    :func:`pause_gc`)."""

    __slots__ = ("paused",)

    def __enter__(self) -> None:
        self.paused = pause_gc()

    def __exit__(self, *exc) -> None:
        resume_gc(self.paused)


_HINT = ("use chainrule.numpy (e.g. `import chainrule.numpy as cnp; cnp.{name}(...)`) "
         "inside functions you differentiate")


def _to_scalar_message(kind: str) -> str:
    return (f"{kind}() of a traced value would drop its derivative (math.sin and the "
            f"rest of the `math` module, and '%f' % x, call {kind}() too); keep it an "
            f"array and use chainrule.numpy (cnp.sin(x) for math.sin(x)); to print it, "
            f"f\"{{x:.4f}}\" works, and x.item() gives the value with no derivative on "
            f"purpose")


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

    # float() and complex() would hand on the value without its derivative (and math.sin
    # and friends call float() for you), so they refuse; int() is locally constant, so
    # its derivative really is zero and it stays. x.item() is the explicit way out.
    def __float__(self) -> float:
        raise TracedNumpyError(_to_scalar_message("float"))

    def __int__(self) -> int:
        return int(self._primal)

    def __complex__(self) -> complex:
        raise TracedNumpyError(_to_scalar_message("complex"))

    def item(self, *args):
        """The primal as a Python scalar (no derivative flows through it)."""
        return primal_value(self).item(*args)

    def tolist(self):
        # Python floats carry no derivative: refuse, as float() does.
        raise TracedNumpyError(
            "tolist() of a traced value would drop its derivative; iterate over it "
            "(`for row in x`, `list(x)`) to keep traced elements, or call "
            "cr.stop_gradient(x).tolist() if you want the values with no derivative")

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
