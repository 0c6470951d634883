"""Zero-derivative functions and array constructors.

A function in ``ZERO_DERIVATIVE`` accepts traced values, computes on their plain values
and returns a plain (constant) result: floor, sign, argmax, comparisons, ``*_like`` ...
Constructors (zeros, eye, arange, ...) take shapes and numbers and are NumPy's own.
"""
from __future__ import annotations

import functools

import numpy as np

from ..core.tracer import Tracer
from ._registry import public

_NS = "numpy"

ZERO_DERIVATIVE = (
    # rounding and sign
    "floor", "ceil", "trunc", "rint", "round", "around", "fix", "sign", "signbit",
    "floor_divide", "heaviside", "nextafter", "spacing",
    # predicates and comparisons
    "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isclose", "allclose",
    "array_equal", "array_equiv", "greater", "greater_equal", "less", "less_equal",
    "equal", "not_equal", "logical_and", "logical_or", "logical_not", "logical_xor",
    "all", "any", "isin", "iscomplexobj", "isrealobj", "isscalar",
    # positions and counts
    "argmax", "argmin", "argsort", "argwhere", "nonzero", "flatnonzero", "count_nonzero",
    "searchsorted", "digitize", "bincount", "unique", "lexsort", "nanargmax", "nanargmin",
    "histogram", "histogram_bin_edges", "argpartition",
    # shapes of things
    "shape", "ndim", "size", "result_type",
    # integer / bitwise
    "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift",
    "gcd", "lcm",
    # arrays shaped like an input
    "zeros_like", "ones_like", "empty_like", "full_like",
)

CONSTRUCTORS = ("zeros", "ones", "empty", "full", "eye", "identity", "arange", "linspace",
                "logspace", "geomspace", "tri", "indices", "meshgrid", "mgrid", "ogrid",
                "ix_", "diag_indices", "tril_indices", "triu_indices", "unravel_index",
                "ravel_multi_index")


def _strip(x):
    if isinstance(x, Tracer):
        while isinstance(x, Tracer):
            x = x._primal
        return x
    if type(x) in (list, tuple):
        return type(x)(_strip(v) for v in x)
    return x


def _zero_derivative(name: str):
    np_fn = getattr(np, name)

    @functools.wraps(np_fn, assigned=("__name__", "__qualname__"))
    def f(*args, **kw):
        return np_fn(*(_strip(a) for a in args), **{k: _strip(v) for k, v in kw.items()})

    f.__doc__ = (f"``numpy.{name}`` on the plain values of its arguments: a function with "
                 f"zero derivative (its result is a constant to every transformation).\n\n"
                 f">>> import chainrule.numpy as cnp\n>>> r = cnp.{name}\n")
    return f


for _name in ZERO_DERIVATIVE:
    if hasattr(np, _name):
        globals()[_name] = public(_NS, _name, "nondiff", _zero_derivative(_name))

for _name in CONSTRUCTORS:
    if hasattr(np, _name):
        globals()[_name] = public(_NS, _name, "constant", getattr(np, _name))

# NumPy's own constants and types, for code written against ``numpy``.
pi, e, inf, nan, newaxis, euler_gamma = np.pi, np.e, np.inf, np.nan, np.newaxis, np.euler_gamma
float16, float32, float64, int8, int16, int32, int64 = (np.float16, np.float32, np.float64,
                                                       np.int8, np.int16, np.int32, np.int64)
bool_, uint8, complex64, complex128, ndarray, dtype, finfo, iinfo = (
    np.bool_, np.uint8, np.complex64, np.complex128, np.ndarray, np.dtype, np.finfo, np.iinfo)
errstate, seterr, broadcast_shapes, issubdtype = (np.errstate, np.seterr, np.broadcast_shapes,
                                                   np.issubdtype)
floating, integer, number, inexact = np.floating, np.integer, np.number, np.inexact
