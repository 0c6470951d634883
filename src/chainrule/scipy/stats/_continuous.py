"""Univariate continuous distributions, on the standardized variable ``z``.

Each one is a few lines of chainrule.numpy / chainrule.scipy.special (composites), so the
derivatives in the value, ``loc``, ``scale`` and the shape parameters follow to any
order. Where a CDF has no closed-form derivative in a shape parameter (``t.cdf`` in
``df``, ``gamma.cdf`` in ``a``, ``beta.cdf`` in ``a`` and ``b``, ``chi2.cdf`` in ``df``,
and the quantile functions in those parameters), differentiating that parameter raises
:class:`chainrule.NoDerivativeRuleError` naming it.
"""
from __future__ import annotations

import math

import numpy as np

from ... import numpy as cnp
from .. import special as sp
from ...numpy._util import plain
from ._base import rv_continuous

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG2 = math.log(2.0)
_LOGPI = math.log(math.pi)
# how a CDF without a derivative in a shape parameter names itself in the error
_CDF_CALLER = "chainrule.scipy.stats.{}.cdf/sf/ppf/isf (and logcdf, logsf)"


class norm_gen(rv_continuous):
    """The normal distribution: ``norm.logpdf(x, loc=0, scale=1)`` and the other methods;
    ``cdf`` via ``ndtr``, ``logcdf`` via ``log_ndtr`` (stable far in the tail).

    >>> import numpy as np, scipy.stats as st, chainrule as cr, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.norm.logcdf(-3.0, 1.0, 2.0), st.norm.logcdf(-3.0, 1.0, 2.0)))
    True
    >>> g = cr.grad(lambda s: cst.norm.logpdf(3.0, 1.0, s))(2.0)     # ((x-m)^2/s^2 - 1)/s
    >>> float(g)
    0.0
    """
    name = "norm"

    def _logpdf(self, z):
        return -0.5 * z * z - _LOG_SQRT_2PI

    def _cdf(self, z):
        return sp.ndtr(z)

    def _logcdf(self, z):
        return sp.log_ndtr(z)

    def _sf(self, z):
        return sp.ndtr(-z)

    def _logsf(self, z):
        return sp.log_ndtr(-z)

    def _ppf(self, q):
        return sp.ndtri(q)

    def _isf(self, q):
        return -sp.ndtri(q)


class t_gen(rv_continuous):
    """Student's t: ``t.logpdf(x, df, loc=0, scale=1)``. The density is differentiable in
    every argument; ``cdf``/``sf``/``ppf`` in ``x`` (``q``), ``loc`` and ``scale`` only
    (``df`` raises NoDerivativeRuleError).

    >>> import numpy as np, scipy.stats as st, chainrule as cr, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.t.logpdf(0.3, 3.0), st.t.logpdf(0.3, 3.0)))
    True
    >>> bool(np.isclose(cr.grad(cst.t.cdf)(0.3, 3.0), st.t.pdf(0.3, 3.0)))
    True
    """
    name = "t"
    _labels = {0: (_CDF_CALLER.format("t"), "df")}
    shapes = ("df",)

    def _logpdf(self, z, df):
        return sp._t_logpdf(z, df)

    def _cdf(self, z, df):
        return sp._call("stdtr", (df, z), self._labels)

    def _sf(self, z, df):
        return sp._call("stdtr", (df, -z), self._labels)

    def _ppf(self, q, df):
        return sp._call("stdtrit", (df, q), self._labels)

    def _isf(self, q, df):
        return -sp._call("stdtrit", (df, q), self._labels)


class expon_gen(rv_continuous):
    """The exponential distribution: ``expon.logpdf(x, loc=0, scale=1)``.

    >>> import chainrule as cr, chainrule.scipy.stats as cst
    >>> float(cr.grad(lambda s: cst.expon.logpdf(2.0, scale=s))(2.0))     # (x/s - 1)/s
    0.0
    """
    name = "expon"
    support = (0.0, np.inf)
    inner = 1.0

    def _logpdf(self, z):
        return -z

    def _cdf(self, z):
        return -cnp.expm1(-z)

    def _logcdf(self, z):
        return cnp.log(-cnp.expm1(-z))

    def _sf(self, z):
        return cnp.exp(-z)

    def _logsf(self, z):
        return -z

    def _ppf(self, q):
        return -cnp.log1p(-q)

    def _isf(self, q):
        return -cnp.log(q)


def _halves(z):
    """``z`` where ``z <= 0`` (else 0) and where ``z > 0`` (else 0): each branch of a
    two-sided formula sees only its own half, so neither overflows."""
    neg = plain(z) <= 0
    return neg, cnp.where(neg, z, 0.0), cnp.where(neg, 0.0, z)


class laplace_gen(rv_continuous):
    """The Laplace distribution: ``laplace.logpdf(x, loc=0, scale=1)``; the derivative of
    ``|x - loc|`` at ``x = loc`` is taken as 0.

    >>> import numpy as np, scipy.stats as st, chainrule.scipy.stats as cst
    >>> x = np.array([-30.0, -1.0, 0.5, 30.0])
    >>> bool(np.allclose(cst.laplace.logsf(x), st.laplace.logsf(x)))
    True
    """
    name = "laplace"

    def _logpdf(self, z):
        return -cnp.abs(z) - _LOG2

    def _cdf(self, z):
        neg, zn, zp = _halves(z)
        return cnp.where(neg, 0.5 * cnp.exp(zn), 1.0 - 0.5 * cnp.exp(-zp))

    def _sf(self, z):
        return self._cdf(-z)

    def _logcdf(self, z):
        neg, zn, zp = _halves(z)
        return cnp.where(neg, zn - _LOG2, cnp.log1p(-0.5 * cnp.exp(-zp)))

    def _logsf(self, z):
        return self._logcdf(-z)

    def _ppf(self, q):
        low = plain(q) <= 0.5
        ql = cnp.where(low, q, 0.25)
        qh = cnp.where(low, 0.75, q)
        return cnp.where(low, cnp.log(2.0 * ql), -cnp.log(2.0 - 2.0 * qh))

    def _isf(self, q):
        return -self._ppf(q)


class cauchy_gen(rv_continuous):
    """The Cauchy distribution: ``cauchy.logpdf(x, loc=0, scale=1)``.

    >>> import chainrule.scipy.stats as cst
    >>> float(cst.cauchy.cdf(0.0))
    0.5
    """
    name = "cauchy"

    def _logpdf(self, z):
        return -_LOGPI - cnp.log1p(z * z)

    def _cdf(self, z):
        return 0.5 + cnp.arctan(z) / math.pi

    def _sf(self, z):
        return 0.5 - cnp.arctan(z) / math.pi

    def _ppf(self, q):
        return cnp.tan(math.pi * (q - 0.5))

    def _isf(self, q):
        return cnp.tan(math.pi * (0.5 - q))


class logistic_gen(rv_continuous):
    """The logistic distribution: ``logistic.logpdf(x, loc=0, scale=1)``; ``cdf`` is
    ``expit``, ``logcdf`` is ``log_expit`` (stable).

    >>> import chainrule.scipy.stats as cst
    >>> float(cst.logistic.cdf(0.0))
    0.5
    """
    name = "logistic"

    def _logpdf(self, z):
        return sp.log_expit(z) + sp.log_expit(-z)

    def _cdf(self, z):
        return sp.expit(z)

    def _logcdf(self, z):
        return sp.log_expit(z)

    def _sf(self, z):
        return sp.expit(-z)

    def _logsf(self, z):
        return sp.log_expit(-z)

    def _ppf(self, q):
        return sp.logit(q)

    def _isf(self, q):
        return -sp.logit(q)


class uniform_gen(rv_continuous):
    """The uniform distribution on ``[loc, loc + scale]``: ``uniform.logpdf(x, loc=0,
    scale=1)``.

    >>> import chainrule as cr, chainrule.scipy.stats as cst
    >>> float(cr.grad(lambda s: cst.uniform.logpdf(0.5, 0.0, s))(2.0))    # -1/s
    -0.5
    """
    name = "uniform"
    support = (0.0, 1.0)
    inner = 0.5

    def _logpdf(self, z):
        return 0.0 * z

    def _cdf(self, z):
        return z

    def _sf(self, z):
        return 1.0 - z

    def _logsf(self, z):
        return cnp.log1p(-z)

    def _ppf(self, q):
        return q

    def _isf(self, q):
        return 1.0 - q


class gamma_gen(rv_continuous):
    """The gamma distribution: ``gamma.logpdf(x, a, loc=0, scale=1)``, differentiable in
    all four; ``cdf``/``sf``/``ppf`` (``gammainc``) in ``x``, ``loc``, ``scale`` only
    (``a`` raises NoDerivativeRuleError).

    >>> import numpy as np, scipy.stats as st, chainrule as cr, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.gamma.logpdf(2.0, 3.0, scale=0.5),
    ...                 st.gamma.logpdf(2.0, 3.0, scale=0.5)))
    True
    >>> bool(np.isclose(cr.grad(cst.gamma.cdf)(2.0, 3.0), st.gamma.pdf(2.0, 3.0)))
    True
    """
    name = "gamma"
    _labels = {0: (_CDF_CALLER.format("gamma"), "a")}
    shapes = ("a",)
    support = (0.0, np.inf)
    inner = 1.0

    def _logpdf(self, z, a):
        return sp.xlogy(a - 1.0, z) - z - sp.gammaln(a)

    def _cdf(self, z, a):
        return sp._call("gammainc", (a, z), self._labels)

    def _sf(self, z, a):
        return sp._call("gammaincc", (a, z), self._labels)

    def _ppf(self, q, a):
        return sp._call("gammaincinv", (a, q), self._labels)

    def _isf(self, q, a):
        return sp._call("gammainccinv", (a, q), self._labels)


class chi2_gen(rv_continuous):
    """The chi-squared distribution: ``chi2.logpdf(x, df, loc=0, scale=1)``; ``cdf`` is
    differentiable in ``x``, ``loc``, ``scale`` (not ``df``).

    >>> import numpy as np, scipy.stats as st, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.chi2.logpdf(2.0, 3.0), st.chi2.logpdf(2.0, 3.0)))
    True
    """
    name = "chi2"
    _labels = {0: (_CDF_CALLER.format("chi2"), "df")}
    shapes = ("df",)
    support = (0.0, np.inf)
    inner = 1.0

    def _logpdf(self, z, df):
        h = 0.5 * df
        return sp.xlogy(h - 1.0, z) - 0.5 * z - sp.gammaln(h) - h * _LOG2

    def _cdf(self, z, df):
        return sp._call("gammainc", (0.5 * df, 0.5 * z), self._labels)

    def _sf(self, z, df):
        return sp._call("gammaincc", (0.5 * df, 0.5 * z), self._labels)

    def _ppf(self, q, df):
        return 2.0 * sp._call("gammaincinv", (0.5 * df, q), self._labels)

    def _isf(self, q, df):
        return 2.0 * sp._call("gammainccinv", (0.5 * df, q), self._labels)


class lognorm_gen(rv_continuous):
    """The log-normal distribution: ``lognorm.logpdf(x, s, loc=0, scale=1)``,
    differentiable in every argument for every method.

    >>> import numpy as np, scipy.stats as st, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.lognorm.cdf(2.0, 0.5), st.lognorm.cdf(2.0, 0.5)))
    True
    """
    name = "lognorm"
    shapes = ("s",)
    support = (0.0, np.inf)
    lo_open = True
    inner = 1.0

    def _logpdf(self, z, s):
        lz = cnp.log(z)
        u = lz / s
        return -0.5 * u * u - lz - cnp.log(s) - _LOG_SQRT_2PI

    def _cdf(self, z, s):
        return sp.ndtr(cnp.log(z) / s)

    def _logcdf(self, z, s):
        return sp.log_ndtr(cnp.log(z) / s)

    def _sf(self, z, s):
        return sp.ndtr(-cnp.log(z) / s)

    def _logsf(self, z, s):
        return sp.log_ndtr(-cnp.log(z) / s)

    def _ppf(self, q, s):
        return cnp.exp(s * sp.ndtri(q))

    def _isf(self, q, s):
        return cnp.exp(-s * sp.ndtri(q))


class beta_gen(rv_continuous):
    """The beta distribution: ``beta.logpdf(x, a, b, loc=0, scale=1)``, differentiable in
    all five; ``cdf``/``sf``/``ppf`` (``betainc``) in ``x``, ``loc``, ``scale`` only
    (``a`` and ``b`` raise NoDerivativeRuleError).

    >>> import numpy as np, scipy.stats as st, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.beta.logpdf(0.3, 2.0, 3.0), st.beta.logpdf(0.3, 2.0, 3.0)))
    True
    """
    name = "beta"
    _labels = {0: (_CDF_CALLER.format("beta"), "a"), 1: (_CDF_CALLER.format("beta"), "b")}
    shapes = ("a", "b")
    support = (0.0, 1.0)
    inner = 0.5

    def _logpdf(self, z, a, b):
        return sp.xlogy(a - 1.0, z) + sp.xlog1py(b - 1.0, -z) - sp.betaln(a, b)

    def _cdf(self, z, a, b):
        return sp._call("betainc", (a, b, z), self._labels)

    def _sf(self, z, a, b):
        return sp._call("betaincc", (a, b, z), self._labels)

    def _ppf(self, q, a, b):
        return sp._call("betaincinv", (a, b, q), self._labels)

    def _isf(self, q, a, b):
        return sp._call("betainccinv", (a, b, q), self._labels)


norm = norm_gen()
t = t_gen()
expon = expon_gen()
laplace = laplace_gen()
cauchy = cauchy_gen()
logistic = logistic_gen()
uniform = uniform_gen()
gamma = gamma_gen()
chi2 = chi2_gen()
lognorm = lognorm_gen()
beta = beta_gen()

CONTINUOUS = (norm, t, expon, laplace, cauchy, logistic, uniform, gamma, chi2, lognorm, beta)
for _d in CONTINUOUS:
    _d._register()
