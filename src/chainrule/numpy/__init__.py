"""``chainrule.numpy``: NumPy's names and signatures, differentiable.

Called with plain arrays, every function returns exactly what NumPy returns. Called with
traced values (inside ``cr.grad`` and the other transforms) it records or propagates the
derivative. Where each function's rules live:

* ``_elementwise.py``: unary math, arithmetic, where, clip, maximum/minimum
* ``_reductions.py``: sum, mean, prod, max/min, var/std, cumsum/cumprod
* ``_shape.py``: reshape, transpose, broadcast, concatenate/stack/split, pad, tril, ...
* ``_indexing.py``: ``x[idx]`` and its transpose, take, take_along_axis, sort
* ``_products.py``: matmul, einsum, dot, tensordot, inner, outer, kron
* ``linalg.py``: ``chainrule.numpy.linalg``
* ``_nondiff.py``: zero-derivative functions (floor, sign, argmax, comparisons, ...)

``chainrule.numpy.random`` is NumPy's own ``numpy.random`` (sampling is not
differentiated).
"""
import numpy as _np
from numpy import random  # noqa: F401  (sampling is not differentiated)

from . import _elementwise, _reductions, _shape, _indexing, _products, _nondiff
from ._registry import PUBLIC as _PUBLIC

for _m in (_reductions, _shape, _indexing, _products):
    _m._late_imports()

from . import _methods  # noqa: E402,F401  (installs operators on tracers)
from . import _composites  # noqa: E402,F401
from ._nondiff import *  # noqa: E402,F401,F403
from ._nondiff import (ZERO_DERIVATIVE, CONSTRUCTORS, pi, e, inf, nan, newaxis,  # noqa
                       euler_gamma, float16, float32, float64, int8, int16, int32, int64,
                       bool_, uint8, complex64, complex128, ndarray, dtype, finfo, iinfo,
                       errstate, seterr, broadcast_shapes, issubdtype, floating, integer,
                       number, inexact)

_globals = globals()
for _key, _entry in list(_PUBLIC.items()):
    if _entry["namespace"] == "numpy":
        _globals[_entry["name"]] = _entry["fn"]

from . import linalg  # noqa: E402,F401

__all__ = sorted(e["name"] for e in _PUBLIC.values() if e["namespace"] == "numpy")


def __getattr__(name: str):
    # A NumPy function chainrule has no rule for: say so, and how to give it one.
    if not name.startswith("_") and hasattr(_np, name):
        raise AttributeError(
            f"chainrule.numpy.{name}: numpy.{name} has no derivative rule in chainrule "
            f"(neither reverse (VJP) nor forward (JVP) mode). Call numpy.{name} on plain "
            f"values outside the differentiated code, or give a function that uses it its "
            f"own rule with @chainrule.custom_vjp (reverse) / @chainrule.custom_jvp "
            f"(forward and reverse).")
    raise AttributeError(f"module 'chainrule.numpy' has no attribute {name!r}")
