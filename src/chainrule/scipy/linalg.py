"""``chainrule.scipy.linalg``: SciPy's linear algebra, differentiable in both modes.

Needs SciPy (an optional dependency). Called with plain arrays, each function returns what
``scipy.linalg`` returns (except that ``cho_factor`` zeroes the triangle SciPy leaves
unused, so its result is well defined). Called with traced values it carries the
derivative, in forward and reverse mode and to any order; stacks of matrices work as in
SciPy's batched linear algebra.

* ``solve_triangular`` is a primitive (SciPy does the solve); its rules are written with
  itself: ``dx = T^-1 (db - dT x)``, cotangents ``gb = T^-T g``, ``ga = -gb x^T`` kept on
  the triangle that is read (the strict one with ``unit_diagonal=True``).
* ``cho_factor`` is ``chainrule.numpy.linalg.cholesky`` (the Cholesky rule) and returns
  ``(c, lower)`` with the unused triangle of ``c`` zero; ``cho_solve`` is two triangular
  solves, differentiable in ``c`` (on its used triangle) and ``b``.
* ``cholesky``, ``solve``, ``inv``, ``det`` are the ``chainrule.numpy.linalg`` ones with
  SciPy's signatures. With ``assume_a`` ``'sym'``/``'her'``/``'pos'`` only the triangle
  chosen by ``lower`` is read (its derivative says so), with ``'diagonal'`` only the
  diagonal, with ``'lower triangular'``/``'upper triangular'`` that triangle.

>>> import numpy as np, chainrule as cr, chainrule.scipy.linalg as csl
>>> L = np.array([[2.0, 0.0], [1.0, 1.0]])
>>> csl.solve_triangular(L, np.array([2.0, 2.0]), lower=True)
array([1., 1.])
"""
from __future__ import annotations

import numpy as np

try:
    import scipy.linalg as _sl
except ImportError as _err:  # pragma: no cover - exercised without SciPy only
    raise ImportError("chainrule.scipy.linalg needs SciPy: pip install scipy") from _err

from .. import numpy as cnp
from ..numpy import linalg as _la
from ..numpy._registry import public
from ..numpy._util import as_float

_NS = "scipy.linalg"
_traced, _T, _sym = _la._traced, _la._T, _la._sym


def _st_impl(a, b, lower, unit):
    return _sl.solve_triangular(a, b, lower=lower, unit_diagonal=unit, check_finite=False)


_solve_tri = _la.make_triangular_solve("scipy.linalg.solve_triangular", _st_impl)


def _transposed(trans) -> bool:
    if trans in (0, "N", "n"):
        return False
    if trans in (1, 2, "T", "C", "t", "c"):
        return True
    raise ValueError(f"chainrule.scipy.linalg.solve_triangular: trans must be 0, 1, 2, "
                     f"'N', 'T' or 'C', got {trans!r}")


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """Differentiable ``scipy.linalg.solve_triangular``: ``x`` with ``T x = b`` (``T^T x =
    b`` for ``trans`` 1/'T'/2/'C'), ``T`` the lower or upper triangle of ``a``. Only that
    triangle is read, so the derivative in ``a`` lives there. ``b`` is a vector when 1-D.

    >>> import numpy as np, chainrule as cr, chainrule.scipy.linalg as csl
    >>> L = np.array([[2.0, 0.0], [1.0, 1.0]])
    >>> cr.grad(lambda b: csl.solve_triangular(L, b, lower=True)[1])(np.array([2.0, 2.0]))
    array([-0.5,  1. ])
    """
    t = _transposed(trans)
    if not _traced(a, b):
        return _sl.solve_triangular(a, b, trans=trans, lower=lower,
                                    unit_diagonal=unit_diagonal, overwrite_b=overwrite_b,
                                    check_finite=check_finite)
    a, b = as_float(a), as_float(b)
    if t:
        a, lower = _T(a), not lower
    if b.ndim == 1:
        return _solve_tri(a, cnp.expand_dims(b, -1), lower, unit_diagonal)[..., 0]
    return _solve_tri(a, b, lower, unit_diagonal)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """Differentiable ``scipy.linalg.cho_factor``: ``(c, lower)``, ``c`` the Cholesky
    factor (upper by default) with the other triangle set to 0 (SciPy leaves garbage
    there). Reads only that triangle of ``a``.

    >>> import numpy as np, chainrule as cr, chainrule.scipy.linalg as csl
    >>> A = np.array([[4.0, 2.0], [2.0, 5.0]])
    >>> csl.cho_factor(A)
    (array([[2., 1.],
           [0., 2.]]), False)
    >>> cr.grad(lambda a: csl.cho_factor(a)[0][1, 1])(A)
    array([[ 0.0625, -0.25  ],
           [ 0.    ,  0.25  ]])
    """
    if not _traced(a):
        c, low = _sl.cho_factor(a, lower=lower, overwrite_a=overwrite_a,
                                check_finite=check_finite)
        return (np.tril(c) if low else np.triu(c)), low
    return cnp.linalg.cholesky(a, upper=not lower), bool(lower)


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """Differentiable ``scipy.linalg.cho_solve``: ``x`` with ``A x = b`` from ``(c,
    lower) = cho_factor(A)``; two triangular solves, differentiable in ``c`` (its used
    triangle) and ``b``.

    >>> import numpy as np, chainrule as cr, chainrule.scipy.linalg as csl
    >>> A = np.array([[4.0, 2.0], [2.0, 5.0]])
    >>> csl.cho_solve(csl.cho_factor(A), np.array([6.0, 7.0]))
    array([1., 1.])
    >>> np.allclose(cr.grad(lambda b: csl.cho_solve(csl.cho_factor(A), b)[0])(np.ones(2)),
    ...             np.linalg.inv(A)[0])
    True
    """
    c, lower = c_and_lower
    if not _traced(c, b):
        return _sl.cho_solve((c, lower), b, overwrite_b=overwrite_b,
                             check_finite=check_finite)
    if lower:                                         # A = L L^T
        return solve_triangular(c, solve_triangular(c, b, lower=True), trans=1, lower=True)
    return solve_triangular(c, solve_triangular(c, b, trans=1), lower=False)   # A = U^T U


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """Differentiable ``scipy.linalg.cholesky`` (upper factor by default; reads only that
    triangle of ``a``).

    >>> import numpy as np, chainrule.scipy.linalg as csl
    >>> csl.cholesky(np.array([[4.0, 2.0], [2.0, 5.0]]))
    array([[2., 1.],
           [0., 2.]])
    """
    if not _traced(a):
        return _sl.cholesky(a, lower=lower, overwrite_a=overwrite_a,
                            check_finite=check_finite)
    return cnp.linalg.cholesky(a, upper=not lower)


_SYM = ("sym", "symmetric", "her", "hermitian", "pos", "positive definite")


def _structured(a, assume_a, lower, name):
    """The matrix SciPy actually reads for this ``assume_a``."""
    a = as_float(a)
    if assume_a in (None, "gen", "general"):
        return a
    if assume_a in _SYM:
        return _sym(a, "L" if lower else "U")
    if assume_a == "lower triangular":
        return cnp.tril(a)
    if assume_a == "upper triangular":
        return cnp.triu(a)
    if assume_a == "diagonal":
        return a * np.eye(a.shape[-1], dtype=_la._fdtype(a))
    if assume_a == "tridiagonal":
        return cnp.tril(cnp.triu(a, -1), 1)
    raise ValueError(f"chainrule.scipy.linalg.{name}: assume_a={assume_a!r} is not "
                     f"differentiable here; use None, 'gen', 'sym', 'her', 'pos', "
                     f"'diagonal', 'tridiagonal', 'lower triangular' or 'upper triangular'")


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """Differentiable ``scipy.linalg.solve``: ``x`` with ``a @ x = b`` (``a.T`` for
    ``transposed=True``); ``assume_a`` selects which entries of ``a`` are read.

    >>> import numpy as np, chainrule as cr, chainrule.scipy.linalg as csl
    >>> A = np.array([[2.0, 0.0], [0.0, 4.0]])
    >>> csl.solve(A, np.array([2.0, 2.0]), assume_a="pos")
    array([1. , 0.5])
    >>> cr.grad(lambda b: csl.solve(A, b)[1])(np.array([2.0, 2.0]))
    array([0.  , 0.25])
    """
    if not _traced(a, b):
        return _sl.solve(a, b, lower=lower, overwrite_a=overwrite_a,
                         overwrite_b=overwrite_b, check_finite=check_finite,
                         assume_a=assume_a, transposed=transposed)
    if assume_a in ("lower triangular", "upper triangular"):
        return solve_triangular(a, b, trans=int(bool(transposed)),
                                lower=assume_a == "lower triangular")
    a = _structured(a, assume_a, lower, "solve")
    return cnp.linalg.solve(_T(a) if transposed else a, b)


def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    """Differentiable ``scipy.linalg.inv``: ``d inv(A) = -inv(A) dA inv(A)``; ``assume_a``
    selects which entries of ``a`` are read.

    >>> import numpy as np, chainrule.scipy.linalg as csl
    >>> csl.inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    if not _traced(a):
        opts = {} if assume_a is None else {"assume_a": assume_a, "lower": lower}
        return _sl.inv(a, overwrite_a=overwrite_a, check_finite=check_finite, **opts)
    return cnp.linalg.inv(_structured(a, assume_a, lower, "inv"))


def det(a, overwrite_a=False, check_finite=True):
    """Differentiable ``scipy.linalg.det``: ``d det(A) = det(A) tr(A^-1 dA)``.

    >>> import numpy as np, chainrule as cr, chainrule.scipy.linalg as csl
    >>> cr.grad(csl.det)(np.array([[2.0, 0.0], [0.0, 4.0]])) + 0.0
    array([[4., 0.],
           [0., 2.]])
    """
    if not _traced(a):
        return _sl.det(a, overwrite_a=overwrite_a, check_finite=check_finite)
    return cnp.linalg.det(a)


public(_NS, "solve_triangular", "primitive", solve_triangular,
       ("scipy.linalg.solve_triangular",))
public(_NS, "cho_factor", "composite", cho_factor, ("linalg.cholesky",))
public(_NS, "cho_solve", "composite", cho_solve, ("scipy.linalg.solve_triangular",))
public(_NS, "cholesky", "composite", cholesky, ("linalg.cholesky",))
public(_NS, "solve", "composite", solve, ("linalg.solve",))
public(_NS, "inv", "composite", inv, ("linalg.inv",))
public(_NS, "det", "composite", det, ("linalg.det",))

__all__ = ["solve_triangular", "cho_factor", "cho_solve", "cholesky", "solve", "inv", "det"]
