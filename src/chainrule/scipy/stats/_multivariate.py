"""Multivariate distributions: ``multivariate_normal`` and ``dirichlet``, differentiable in
the point and in every parameter (mean, covariance, concentration).

The normal density with a full covariance matrix needs the linear-algebra family
(``chainrule.numpy.linalg``): a Cholesky factor and a triangular solve when they are
there, else ``slogdet`` and ``solve``. A scalar or diagonal (1-D) covariance needs
neither. Derivatives in ``cov`` are those of a symmetric matrix: perturb it
symmetrically (``(S + S.T) / 2``) when comparing against finite differences.
"""
from __future__ import annotations

import math

import numpy as np

from ... import numpy as cnp
from .. import special as sp
from ...numpy._util import plain
from ._base import Distribution, Frozen, as_float, parse_args, scalar

_LOG_2PI = math.log(2.0 * math.pi)


def _squeeze(out):
    """SciPy's output convention: drop length-1 axes, 0-d to a scalar."""
    if isinstance(out, np.ndarray):
        return scalar(np.squeeze(out))
    return cnp.squeeze(out) if 1 in out.shape else out


class multivariate_normal_gen(Distribution):
    """The multivariate normal distribution:
    ``multivariate_normal.logpdf(x, mean=None, cov=1, allow_singular=False)``.

    ``x`` has the components on its last axis; ``cov`` is a scalar (``cov * I``), a
    vector (a diagonal) or a full matrix. Differentiable in ``x``, ``mean`` and ``cov``.

    >>> import numpy as np, scipy.stats as st, chainrule as cr, chainrule.scipy.stats as cst
    >>> x, m, d = np.array([0.3, -0.2]), np.array([0.1, 0.1]), np.array([1.5, 0.5])
    >>> mvn = cst.multivariate_normal
    >>> bool(np.isclose(mvn.logpdf(x, m, d), st.multivariate_normal.logpdf(x, m, d)))
    True
    >>> cr.grad(lambda m: mvn.logpdf(x, m, d))(m)     # (x - m) / d
    array([ 0.13333333, -0.6       ])
    """
    name = "multivariate_normal"
    _methods = ("logpdf", "pdf")

    def _params(self, method, args, kwds):
        mean, cov, allow_singular = parse_args(
            f"chainrule.scipy.stats.multivariate_normal.{method}",
            ("mean", "cov", "allow_singular"),
            {"mean": None, "cov": 1, "allow_singular": False}, args, dict(kwds))
        where = f"chainrule.scipy.stats.multivariate_normal.{method}"
        if mean is not None:
            mean = as_float(mean)
            dim = mean.size
        else:
            cov = as_float(cov)
            dim = 1 if cov.ndim < 2 else cov.shape[0]
            mean = np.zeros(dim)
        cov = as_float(cov)
        if dim == 1:
            mean = cnp.reshape(mean, (1,))
            if cov.size != 1:
                raise ValueError(f"{where}: 'cov' has shape {cov.shape} for a "
                                 f"one-dimensional distribution")
            cov = cnp.reshape(cov, ())
        if mean.ndim != 1 or mean.shape[0] != dim:
            raise ValueError(f"{where}: array 'mean' must be a vector of length {dim}")
        if cov.ndim == 2 and cov.shape != (dim, dim):
            raise ValueError(f"{where}: 'cov' must be square of size {dim} (the length "
                             f"of 'mean'), got shape {cov.shape}")
        if cov.ndim == 1 and cov.shape[0] != dim:
            raise ValueError(f"{where}: a 1-D 'cov' (the diagonal) must have length "
                             f"{dim}, got {cov.shape[0]}")
        if cov.ndim > 2:
            raise ValueError(f"{where}: 'cov' must be at most two-dimensional, got "
                             f"cov.ndim = {cov.ndim}")
        return dim, mean, cov, bool(allow_singular)

    def logpdf(self, x, *args, **kwds):
        """Log density: ``logpdf(x, mean=None, cov=1, allow_singular=False)``.

        >>> import numpy as np, chainrule.scipy.stats as cst
        >>> mvn = cst.multivariate_normal
        >>> round(float(mvn.logpdf([0.0, 0.0], mean=[0.0, 0.0])), 6)   # -log(2 pi)
        -1.837877
        """
        dim, mean, cov, allow_singular = self._params("logpdf", args, kwds)
        x = as_float(x)
        if x.ndim == 0:
            x = cnp.reshape(x, (1,))
        elif x.ndim == 1 and dim == 1:
            x = cnp.reshape(x, (x.shape[0], 1))
        if x.shape[-1] != dim:
            raise ValueError(f"chainrule.scipy.stats.multivariate_normal.logpdf: x has "
                             f"{x.shape[-1]} components on its last axis, the "
                             f"distribution {dim}")
        dev = x - mean
        if cov.ndim == 0:
            if not plain(cov) > 0:
                raise ValueError("chainrule.scipy.stats.multivariate_normal.logpdf: "
                                 "the covariance must be positive")
            maha = cnp.sum(dev * dev, axis=-1) / cov
            logdet, rank = dim * cnp.log(cov), dim
        elif cov.ndim == 1:
            if not np.all(plain(cov) > 0):
                raise ValueError("chainrule.scipy.stats.multivariate_normal.logpdf: "
                                 "the diagonal covariance must be positive")
            maha = cnp.sum(dev * dev / cov, axis=-1)
            logdet, rank = cnp.sum(cnp.log(cov)), dim
        else:
            maha, logdet, rank, off = _full_cov_terms(dev, cov, allow_singular)
            if off is not None and np.any(off):
                return _squeeze(cnp.where(off, -np.inf, -0.5 * (rank * _LOG_2PI + logdet
                                                                 + maha)))
        return _squeeze(-0.5 * (rank * _LOG_2PI + logdet + maha))

    def pdf(self, x, *args, **kwds):
        """Density: ``pdf(x, mean=None, cov=1, allow_singular=False)``.

        >>> import numpy as np, chainrule.scipy.stats as cst
        >>> round(float(cst.multivariate_normal.pdf(0.0)), 6)
        0.398942
        """
        return cnp.exp(self.logpdf(x, *args, **kwds))


def _full_cov_terms(dev, cov, allow_singular):
    """Mahalanobis terms, log-(pseudo-)determinant, rank, and the points off the support
    (None: all on it) for a full covariance matrix."""
    from ...numpy import linalg as la
    where = "chainrule.scipy.stats.multivariate_normal.logpdf"
    if allow_singular:
        eigh = getattr(la, "eigh", None)
        if eigh is None:
            raise NotImplementedError(f"{where}: allow_singular=True needs "
                                      f"chainrule.numpy.linalg.eigh, which is not available")
        s, u = eigh(cov)
        sp_ = plain(s)
        eps = 1e6 * np.finfo(sp_.dtype).eps * np.max(np.abs(sp_))
        if np.min(sp_) < -eps:
            raise ValueError(f"{where}: the covariance matrix must be positive "
                             f"semidefinite")
        keep = sp_ > eps
        s_safe = cnp.where(keep, s, 1.0)
        w = cnp.where(keep, 1.0 / cnp.sqrt(s_safe), 0.0)
        z = (dev @ u) * w
        # as SciPy: a point off the subspace the distribution lives on has density 0
        resid = np.linalg.norm(plain(dev) @ plain(u)[:, ~keep], axis=-1)
        return (cnp.sum(z * z, axis=-1), cnp.sum(cnp.log(s_safe)), int(np.sum(keep)),
                resid >= 1e3 * eps)
    # SciPy's test of a numerically singular matrix, on the plain values
    w = np.linalg.eigvalsh(plain(cov))
    eps = 1e6 * np.finfo(w.dtype).eps * np.max(np.abs(w))
    if np.min(w) < -eps:
        raise ValueError(f"{where}: the covariance matrix must be symmetric positive "
                         f"semidefinite")
    if np.min(w) <= eps:
        raise np.linalg.LinAlgError(f"{where}: the covariance matrix is singular (pass "
                                    f"allow_singular=True for a degenerate distribution)")
    cholesky = getattr(la, "cholesky", None)
    tri = _solve_triangular()
    if cholesky is not None and tri is not None:
        low = cholesky(cov)
        # L^-1 dev^T, all points at once: dev (..., d) -> (d, n)
        flat = cnp.reshape(dev, (-1, dev.shape[-1]))
        z = tri(low, cnp.swapaxes(flat, -1, -2), lower=True)
        maha = cnp.reshape(cnp.sum(z * z, axis=0), dev.shape[:-1])
        logdet = 2.0 * cnp.sum(cnp.log(cnp.diagonal(low)))
        return maha, logdet, dev.shape[-1], None
    slogdet, solve = getattr(la, "slogdet", None), getattr(la, "solve", None)
    if slogdet is None or solve is None:
        raise NotImplementedError(
            f"{where}: a full covariance matrix needs chainrule.numpy.linalg (cholesky "
            f"and chainrule.scipy.linalg.solve_triangular, or slogdet and solve), which "
            f"is not available; pass a scalar or 1-D (diagonal) cov instead")
    sign, logdet = slogdet(cov)
    if not np.all(plain(sign) > 0):
        raise np.linalg.LinAlgError(f"{where}: the covariance matrix is not positive "
                                    f"definite (pass allow_singular=True for a singular one)")
    flat = cnp.reshape(dev, (-1, dev.shape[-1]))
    sol = solve(cov, cnp.swapaxes(flat, -1, -2))
    maha = cnp.reshape(cnp.sum(cnp.swapaxes(flat, -1, -2) * sol, axis=0), dev.shape[:-1])
    return maha, logdet, dev.shape[-1], None


def _solve_triangular():
    try:
        from .. import linalg as sla
    except ImportError:
        return None
    return getattr(sla, "solve_triangular", None)


class dirichlet_gen(Distribution):
    """The Dirichlet distribution: ``dirichlet.logpdf(x, alpha)``, differentiable in ``x``
    and ``alpha``.

    As SciPy: the components are on the *first* axis of ``x`` (shape ``(K,)`` or
    ``(K, N)`` for N points); ``x`` may leave out the last component (``K - 1`` rows),
    which is then ``1 - sum``: differentiate in that form to stay on the simplex.

    >>> import numpy as np, scipy.stats as st, chainrule as cr, chainrule.scipy.stats as cst
    >>> x, a = np.array([0.2, 0.3, 0.5]), np.array([1.5, 2.0, 3.0])
    >>> bool(np.isclose(cst.dirichlet.logpdf(x, a), st.dirichlet.logpdf(x, a)))
    True
    >>> g = cr.grad(lambda a: cst.dirichlet.logpdf(x, a))(a)
    """
    name = "dirichlet"
    _methods = ("logpdf", "pdf")

    def __call__(self, alpha):
        return Frozen(self, (alpha,), {})

    def logpdf(self, x, alpha):
        """Log density ``sum((alpha - 1) log x) - log B(alpha)``.

        >>> import numpy as np, chainrule.scipy.stats as cst
        >>> float(cst.dirichlet.logpdf(np.array([0.5]), np.array([1.0, 1.0])))
        0.0
        """
        where = "chainrule.scipy.stats.dirichlet.logpdf"
        alpha = as_float(alpha)
        ap = plain(alpha)
        if ap.ndim != 1:
            raise ValueError(f"{where}: parameter vector 'alpha' must be one dimensional, "
                             f"got shape {ap.shape}")
        if np.min(ap) <= 0:
            raise ValueError(f"{where}: all parameters 'alpha' must be greater than 0")
        x = as_float(x)
        k = ap.shape[0]
        if x.ndim == 0 or x.shape[0] not in (k, k - 1):
            raise ValueError(f"{where}: 'x' must have {k} or {k - 1} entries on its first "
                             f"axis (the length of 'alpha'), got shape {x.shape}")
        if x.ndim > 2:
            raise ValueError(f"{where}: 'x' must be one or two dimensional")
        if x.shape[0] == k - 1:
            last = 1.0 - cnp.sum(x, axis=0, keepdims=True)
            x = cnp.concatenate([x, last], axis=0)
        xp = plain(x)
        if np.min(xp) < 0 or np.max(xp) > 1:
            raise ValueError(f"{where}: each entry of 'x' must lie in [0, 1]")
        alpha_col = alpha if x.ndim == 1 else cnp.reshape(alpha, (k, 1))
        if np.any((xp == 0) & (plain(alpha_col) < 1)):
            raise ValueError(f"{where}: each entry in 'x' must be greater than zero if "
                             f"its alpha is less than one")
        if np.any(np.abs(np.sum(xp, axis=0) - 1.0) > 1e-9):
            raise ValueError(f"{where}: 'x' must lie on the simplex, but its sum over "
                             f"the first axis is {np.sum(xp, axis=0)}")
        lnb = cnp.sum(sp.gammaln(alpha)) - sp.gammaln(cnp.sum(alpha))
        out = cnp.sum(sp.xlogy(alpha_col - 1.0, x), axis=0) - lnb
        return _squeeze(out)

    def pdf(self, x, alpha):
        """Density.

        >>> import numpy as np, chainrule.scipy.stats as cst
        >>> float(cst.dirichlet.pdf(np.array([0.5]), np.array([1.0, 1.0])))
        1.0
        """
        return cnp.exp(self.logpdf(x, alpha))


multivariate_normal = multivariate_normal_gen()
dirichlet = dirichlet_gen()
for _d in (multivariate_normal, dirichlet):
    _d._register()
