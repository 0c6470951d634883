"""Small helpers shared by the rule files: axis normalisation and batch axes."""
from __future__ import annotations

import numpy as np

from ..core.tracer import Tracer


def plain(x):
    """The untraced value under ``x``."""
    while isinstance(x, Tracer):
        x = x._primal
    return x


def norm_axes(axis, ndim: int, name: str = "function") -> tuple:
    """``axis`` (None, int or tuple) as a sorted tuple of *negative* axes of an
    ``ndim``-dimensional array: negative axes stay valid when batch axes are prepended."""
    if axis is None:
        return tuple(range(-ndim, 0))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(
                f"chainrule.numpy.{name}: axis {a} is out of bounds for an array of "
                f"dimension {ndim}")
        out.append(a - ndim if a >= 0 else a)
    if len(set(out)) != len(out):
        raise ValueError(f"chainrule.numpy.{name}: repeated axis in {axis}")
    return tuple(sorted(out))


def norm_axis(axis: int, ndim: int, name: str = "function") -> int:
    return norm_axes(axis, ndim, name)[0]


def batch_of(g, ans) -> tuple:
    """The leading batch axes of a tangent/cotangent ``g`` of a value shaped like ``ans``."""
    nb = g.ndim - ans.ndim
    return g.shape[:nb] if nb else ()


def holds_tracer(x) -> bool:
    """Whether ``x`` is traced or is a (nested) list/tuple holding a traced value."""
    if isinstance(x, Tracer):
        return True
    return type(x) in (list, tuple) and any(holds_tracer(v) for v in x)


def as_traced(x):
    """A list/tuple holding traced values (NumPy's array_like) as one traced array, so
    the derivative flows through it; anything else unchanged."""
    if type(x) in (list, tuple) and holds_tracer(x):
        from ._shape import asarray          # late: _shape imports this module
        return asarray(x)
    return x



def as_float(x):
    """A traced value as it is; anything else as a floating-point ndarray (ints promoted)."""
    if isinstance(x, Tracer):
        return x
    x = np.asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(np.float64)


def scalar(x):
    """A 0-d array as a NumPy scalar, as NumPy and SciPy return full reductions."""
    return x[()] if isinstance(x, np.ndarray) and x.ndim == 0 else x
