"""``chainrule.scipy.stats``: SciPy's distributions, differentiable in the value and in
the parameters, both modes, any order.

Needs SciPy (an optional dependency) for its special functions. The objects have SciPy's
names, methods and argument conventions (shape parameters first, then ``loc`` and
``scale``, by position or keyword; calling an object freezes its parameters)::

    norm.logpdf(x, loc=0, scale=1)            t.logpdf(x, df, loc=0, scale=1)
    gamma.logpdf(x, a, loc=0, scale=1)        beta.logpdf(x, a, b, loc=0, scale=1)
    poisson.logpmf(k, mu, loc=0)              binom.logpmf(k, n, p, loc=0)
    multivariate_normal.logpdf(x, mean=None, cov=1, allow_singular=False)
    dirichlet.logpdf(x, alpha)

Continuous: ``norm, t, expon, laplace, cauchy, logistic, uniform, gamma, chi2, lognorm,
beta`` with ``logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf``. Discrete: ``poisson,
bernoulli, binom, geom`` with ``logpmf, pmf, cdf, logcdf, sf, logsf`` (the point ``k``
carries no derivative). Multivariate: ``multivariate_normal, dirichlet`` with ``logpdf,
pdf``.

Every method is a composite of ``chainrule.numpy`` and ``chainrule.scipy.special``.
Where a CDF has no closed-form derivative in a shape parameter (``t.cdf`` in ``df``,
``gamma.cdf`` in ``a``, ``beta.cdf`` in ``a``/``b``), that derivative raises
:class:`chainrule.NoDerivativeRuleError` (a ``NotImplementedError``) naming the argument;
the value, ``loc`` and ``scale`` stay differentiable.

>>> import chainrule as cr, chainrule.scipy.stats as cst
>>> float(cr.grad(lambda mu: cst.norm.logpdf(1.0, loc=mu))(0.0))
1.0
"""
try:
    import scipy.special  # noqa: F401
except ImportError as _err:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError('chainrule.scipy.stats needs SciPy, an optional dependency: '
                      'pip install scipy (or pip install "chainrule[scipy]")') from _err

from ._base import Frozen, rv_continuous, rv_discrete  # noqa: E402
from ._continuous import (norm, t, expon, laplace, cauchy, logistic, uniform,  # noqa: E402
                          gamma, chi2, lognorm, beta)
from ._discrete import poisson, bernoulli, binom, geom  # noqa: E402
from ._multivariate import multivariate_normal, dirichlet  # noqa: E402

__all__ = ["norm", "t", "expon", "laplace", "cauchy", "logistic", "uniform", "gamma",
           "chi2", "lognorm", "beta", "poisson", "bernoulli", "binom", "geom",
           "multivariate_normal", "dirichlet", "rv_continuous", "rv_discrete", "Frozen"]
