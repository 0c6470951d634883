"""Zero-derivative functions and array constructors.

A function in ``ZERO_DERIVATIVE`` accepts traced values, computes on their plain values
and returns a plain (constant) result: floor, sign, argmax, comparisons, ``*_like`` ...
Constructors (zeros, eye, arange, ...) take shapes and numbers and are NumPy's own.

Functions whose result does move with a traced input are not here: ``unique`` (its values),
``bincount`` (its weights) and ``full_like`` (its fill value) are differentiable
(``_indexing.py``, ``_shape.py``); ``histogram`` refuses traced weights rather than drop
their derivative.
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
    "searchsorted", "digitize", "lexsort", "nanargmax", "nanargmin",
    "histogram", "histogram_bin_edges", "argpartition",
    # shapes of things
    "shape", "ndim", "size", "result_type",
    # integer / bitwise
    "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift",
    "gcd", "lcm",
    # arrays shaped like an input
    "zeros_like", "ones_like", "empty_like",
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


# One runnable call per function, and NumPy's output for it.
_EXAMPLES = {
    "floor": ("cnp.floor([1.5, -0.5])", "array([ 1., -1.])"),
    "ceil": ("cnp.ceil([1.5, -0.5])", "array([ 2., -0.])"),
    "trunc": ("cnp.trunc([1.5, -0.5])", "array([ 1., -0.])"),
    "rint": ("cnp.rint([1.5, 2.5])", "array([2., 2.])"),
    "round": ("cnp.round([1.234, 5.678], 1)", "array([1.2, 5.7])"),
    "around": ("cnp.around([1.234, 5.678], 1)", "array([1.2, 5.7])"),
    "fix": ("cnp.fix([2.7, -2.7])", "array([ 2., -2.])"),
    "sign": ("cnp.sign([-2.0, 0.0, 3.0])", "array([-1.,  0.,  1.])"),
    "signbit": ("cnp.signbit([-2.0, 3.0])", "array([ True, False])"),
    "floor_divide": ("cnp.floor_divide([7.0, -7.0], 2.0)", "array([ 3., -4.])"),
    "heaviside": ("cnp.heaviside([-1.0, 0.0, 2.0], 0.5)", "array([0. , 0.5, 1. ])"),
    "nextafter": ("bool(cnp.nextafter(1.0, 2.0) > 1.0)", "True"),
    "spacing": ("bool(cnp.spacing(1.0) == np.finfo(float).eps)", "True"),
    "isnan": ("cnp.isnan([1.0, np.nan])", "array([False,  True])"),
    "isinf": ("cnp.isinf([1.0, np.inf])", "array([False,  True])"),
    "isfinite": ("cnp.isfinite([1.0, np.inf])", "array([ True, False])"),
    "isposinf": ("cnp.isposinf([-np.inf, np.inf])", "array([False,  True])"),
    "isneginf": ("cnp.isneginf([-np.inf, np.inf])", "array([ True, False])"),
    "isclose": ("cnp.isclose([1.0, 2.0], [1.0, 2.1])", "array([ True, False])"),
    "allclose": ("bool(cnp.allclose([1.0, 2.0], [1.0, 2.0 + 1e-9]))", "True"),
    "array_equal": ("cnp.array_equal([1.0, 2.0], [1.0, 2.0])", "True"),
    "array_equiv": ("cnp.array_equiv([1.0, 2.0], [[1.0, 2.0], [1.0, 2.0]])", "True"),
    "greater": ("cnp.greater([1.0, 3.0], 2.0)", "array([False,  True])"),
    "greater_equal": ("cnp.greater_equal([1.0, 2.0], 2.0)", "array([False,  True])"),
    "less": ("cnp.less([1.0, 3.0], 2.0)", "array([ True, False])"),
    "less_equal": ("cnp.less_equal([1.0, 3.0], 1.0)", "array([ True, False])"),
    "equal": ("cnp.equal([1.0, 2.0], 2.0)", "array([False,  True])"),
    "not_equal": ("cnp.not_equal([1.0, 2.0], 2.0)", "array([ True, False])"),
    "logical_and": ("cnp.logical_and([True, True], [True, False])", "array([ True, False])"),
    "logical_or": ("cnp.logical_or([True, False], [False, False])", "array([ True, False])"),
    "logical_not": ("cnp.logical_not([True, False])", "array([False,  True])"),
    "logical_xor": ("cnp.logical_xor([True, True], [True, False])", "array([False,  True])"),
    "all": ("bool(cnp.all([1.0, 2.0]))", "True"),
    "any": ("bool(cnp.any([0.0, 2.0]))", "True"),
    "isin": ("cnp.isin([1.0, 2.0, 3.0], [2.0])", "array([False,  True, False])"),
    "iscomplexobj": ("cnp.iscomplexobj([1.0])", "False"),
    "isrealobj": ("cnp.isrealobj([1.0])", "True"),
    "isscalar": ("cnp.isscalar(1.0)", "True"),
    "argmax": ("int(cnp.argmax([1.0, 3.0, 2.0]))", "1"),
    "argmin": ("int(cnp.argmin([1.0, 3.0, 2.0]))", "0"),
    "argsort": ("cnp.argsort([3.0, 1.0, 2.0])", "array([1, 2, 0])"),
    "argwhere": ("cnp.argwhere([0.0, 1.0, 2.0])", "array([[1],\n       [2]])"),
    "nonzero": ("cnp.nonzero([0.0, 1.0, 2.0])", "(array([1, 2]),)"),
    "flatnonzero": ("cnp.flatnonzero([[0.0, 1.0], [2.0, 0.0]])", "array([1, 2])"),
    "count_nonzero": ("int(cnp.count_nonzero([0.0, 1.0, 2.0]))", "2"),
    "searchsorted": ("cnp.searchsorted([1.0, 2.0, 3.0], [2.5, 0.5])", "array([2, 0])"),
    "digitize": ("cnp.digitize([0.5, 1.5, 2.5], [1.0, 2.0])", "array([0, 1, 2])"),
    "lexsort": ("cnp.lexsort(([1.0, 0.0, 1.0], [2.0, 2.0, 1.0]))", "array([2, 1, 0])"),
    "nanargmax": ("int(cnp.nanargmax([1.0, np.nan, 3.0]))", "2"),
    "nanargmin": ("int(cnp.nanargmin([1.0, np.nan, 3.0]))", "0"),
    "histogram": ("cnp.histogram([0.5, 1.5, 1.7], bins=2, range=(0.0, 2.0))",
                  "(array([1, 2]), array([0., 1., 2.]))"),
    "histogram_bin_edges": ("cnp.histogram_bin_edges([0.0, 1.0, 2.0], bins=2)",
                            "array([0., 1., 2.])"),
    "argpartition": ("int(cnp.argpartition([3.0, 1.0, 2.0], 0)[0])", "1"),
    "shape": ("cnp.shape([[1.0, 2.0]])", "(1, 2)"),
    "ndim": ("cnp.ndim([[1.0, 2.0]])", "2"),
    "size": ("cnp.size([[1.0, 2.0]])", "2"),
    "result_type": ("cnp.result_type(np.float32, 1.0)", "dtype('float32')"),
    "bitwise_and": ("cnp.bitwise_and([12, 10], 6)", "array([4, 2])"),
    "bitwise_or": ("cnp.bitwise_or([12, 10], 6)", "array([14, 14])"),
    "bitwise_xor": ("cnp.bitwise_xor([12, 10], 6)", "array([10, 12])"),
    "invert": ("cnp.invert([True, False])", "array([False,  True])"),
    "left_shift": ("cnp.left_shift([1, 2], 2)", "array([4, 8])"),
    "right_shift": ("cnp.right_shift([8, 4], 2)", "array([2, 1])"),
    "gcd": ("cnp.gcd([12, 20], 8)", "array([4, 4])"),
    "lcm": ("cnp.lcm([4, 6], 10)", "array([20, 30])"),
    "zeros_like": ("cnp.zeros_like([1.0, 2.0])", "array([0., 0.])"),
    "ones_like": ("cnp.ones_like([[1, 2]])", "array([[1, 1]])"),
    "empty_like": ("cnp.empty_like([1.0, 2.0]).shape", "(2,)"),
}


def _zero_derivative(name: str):
    np_fn = getattr(np, name)

    @functools.wraps(np_fn, assigned=("__name__", "__qualname__"))
    def f(*args, **kw):
        return np_fn(*(_strip(a) for a in args), **{k: _strip(v) for k, v in kw.items()})

    call, out = _EXAMPLES[name]
    f.__doc__ = (f"``numpy.{name}`` on the plain values of its arguments: a function with "
                 f"zero derivative (its result is a constant to every transformation).\n\n"
                 f">>> import chainrule.numpy as cnp, numpy as np\n>>> {call}\n{out}\n")
    return f


def _histogram(a, bins=10, range=None, density=None, weights=None):
    if isinstance(weights, Tracer):
        raise NotImplementedError(
            "chainrule.numpy.histogram: weights is a traced value, and the derivative of "
            "the counts with respect to the weights is not implemented; use "
            "cnp.bincount(cnp.digitize(a, edges) - 1, weights=w) for weighted counts that "
            "differentiate in w")
    return np.histogram(_strip(a), bins=_strip(bins), range=range, density=density,
                        weights=_strip(weights))


for _name in ZERO_DERIVATIVE:
    if hasattr(np, _name):
        globals()[_name] = public(_NS, _name, "nondiff", _zero_derivative(_name))
_histogram.__name__ = _histogram.__qualname__ = "histogram"
_histogram.__doc__ = histogram.__doc__ + """
Bin edges are constants. Traced ``weights`` are refused (their derivative is not
implemented) rather than silently given a zero derivative.
"""
histogram = public(_NS, "histogram", "nondiff", _histogram)

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
