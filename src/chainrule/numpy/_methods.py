"""The array interface of traced values: operators and ndarray methods.

Installed on :class:`chainrule.core.Tracer` when ``chainrule.numpy`` is imported, so that
``x * y``, ``x[i]``, ``x.sum(axis=0)`` ... inside a differentiated function call the
differentiable functions.
"""
from __future__ import annotations

import math

import numpy as np

from ..core.errors import TracedNumpyError
from ..core.tracer import Tracer, primal_value
from . import _elementwise as ew, _reductions as red, _shape as sh, _indexing as ix
from . import _products as pr, _nondiff as nd


def _r(f):
    return lambda self, other: f(other, self)


def _cmp(op):
    def f(self, other):
        return op(nd._strip(self), nd._strip(other))
    return f


def _reshape_method(self, *shape, order="C"):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    return sh.reshape(self, shape, order)


def _transpose_method(self, *axes):
    if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
        axes = axes[0]
    return sh.transpose(self, axes if axes else None)


def _round(self, decimals=0):
    return nd.round(self, decimals)


def _divmod(self, other):
    # the quotient is a constant (floor), the remainder differentiates like mod
    return np.floor_divide(nd._strip(self), nd._strip(other)), ew.mod(self, other)


def _rdivmod(self, other):
    return np.floor_divide(nd._strip(other), nd._strip(self)), ew.mod(other, self)


# Operators NumPy reaches through __array_ufunc__ (ndarray OP tracer, np.float64 OP tracer).
_UFUNCS = {
    np.add: ew.add, np.subtract: ew.subtract, np.multiply: ew.multiply,
    np.divide: ew.divide, np.power: ew.power, np.matmul: pr.matmul,
    np.negative: ew.negative, np.positive: ew.positive,
    np.maximum: ew.maximum, np.minimum: ew.minimum,
}
_CMP_UFUNCS = (np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
               np.floor_divide, np.remainder, np.mod, np.logical_and, np.logical_or)


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if method == "__call__" and not kwargs:
        f = _UFUNCS.get(ufunc)
        if f is not None:
            return f(*inputs)
        if ufunc in (np.remainder, np.mod):
            return ew.mod(*inputs)
        if ufunc in _CMP_UFUNCS:
            return ufunc(*(nd._strip(i) for i in inputs))
    raise TracedNumpyError(
        f"numpy.{ufunc.__name__} was called on a traced value, which would drop its "
        f"derivative; use chainrule.numpy (e.g. `import chainrule.numpy as cnp; "
        f"cnp.{ufunc.__name__}(...)`) inside functions you differentiate")


def _install() -> None:
    T = Tracer
    # + and * commute: x.__radd__(c) = add(x, c) saves a call on the hot path
    T.__add__, T.__radd__ = ew.add, ew.add
    T.__sub__, T.__rsub__ = ew.subtract, _r(ew.subtract)
    T.__mul__, T.__rmul__ = ew.multiply, ew.multiply
    T.__truediv__, T.__rtruediv__ = ew.divide, _r(ew.divide)
    T.__pow__ = lambda self, other, mod=None: ew.power(self, other)
    T.__rpow__ = _r(ew.power)
    T.__matmul__, T.__rmatmul__ = pr.matmul, _r(pr.matmul)
    T.__mod__, T.__rmod__ = ew.mod, _r(ew.mod)
    T.__floordiv__ = _cmp(np.floor_divide)
    T.__rfloordiv__ = lambda self, other: np.floor_divide(nd._strip(other), nd._strip(self))
    T.__neg__ = ew.negative
    T.__pos__ = ew.positive
    T.__abs__ = ew.absolute
    T.__lt__, T.__le__ = _cmp(np.less), _cmp(np.less_equal)
    T.__gt__, T.__ge__ = _cmp(np.greater), _cmp(np.greater_equal)
    T.__eq__, T.__ne__ = _cmp(np.equal), _cmp(np.not_equal)
    T.__hash__ = object.__hash__
    T.__getitem__ = ix.getitem
    T.__array_ufunc__ = _array_ufunc
    T.T = property(lambda self: sh.transpose(self))
    T.mT = property(lambda self: sh.matrix_transpose(self))
    T.real = property(lambda self: self)
    T.imag = property(lambda self: np.zeros(self.shape, self.dtype))
    T.conj = T.conjugate = lambda self: self
    T.__divmod__, T.__rdivmod__ = _divmod, _rdivmod
    # Printing and rounding read the value (f"{loss:.3f}" inside a differentiated
    # function); rounding is piecewise constant, so no derivative is lost. `[()]` turns a
    # 0-d array (a traced Python scalar) into a NumPy scalar, which Python can round.
    T.__format__ = lambda self, spec: format(primal_value(self), spec)
    T.__round__ = lambda self, ndigits=None: round(primal_value(self)[()], ndigits)
    T.__floor__ = lambda self: math.floor(primal_value(self)[()])
    T.__ceil__ = lambda self: math.ceil(primal_value(self)[()])
    T.__trunc__ = lambda self: math.trunc(primal_value(self)[()])
    methods = {
        "sum": red.sum, "mean": red.mean, "prod": red.prod, "max": red.max, "min": red.min,
        "var": red.var, "std": red.std, "cumsum": red.cumsum, "cumprod": red.cumprod,
        "ptp": red.ptp, "dot": pr.dot, "astype": sh.astype, "flatten": sh.ravel,
        "ravel": sh.ravel, "squeeze": sh.squeeze, "swapaxes": sh.swapaxes,
        "diagonal": sh.diagonal, "trace": sh.trace, "repeat": sh.repeat, "take": ix.take,
        "clip": ew.clip, "copy": sh.copy, "argmax": nd.argmax, "argmin": nd.argmin,
        "argsort": nd.argsort, "all": nd.all, "any": nd.any, "nonzero": nd.nonzero,
        "round": _round, "reshape": _reshape_method, "transpose": _transpose_method,
        "compress": lambda self, condition, axis=None: ix.compress(condition, self, axis),
        "searchsorted": lambda self, v, side="left", sorter=None: nd.searchsorted(
            self, v, side, sorter),
        "argpartition": nd.argpartition,
    }
    for name, fn in methods.items():
        setattr(T, name, fn)
    T.sort = None   # in-place in NumPy; see __setitem__ for the alternatives


def _sort_inplace(self, *a, **k):
    raise TypeError("traced arrays cannot be sorted in place (x.sort()); use "
                    "y = cnp.sort(x) instead")


_install()
Tracer.sort = _sort_inplace
