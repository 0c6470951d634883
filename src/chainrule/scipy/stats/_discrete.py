"""Univariate discrete distributions: differentiable in their real parameters (``mu``,
``p``); the point ``k``, the shift ``loc`` and integer parameters (``n`` of ``binom``)
are constants.
"""
from __future__ import annotations

import numpy as np

from ... import numpy as cnp
from .. import special as sp
from ...numpy._util import plain
from ._base import rv_discrete


class poisson_gen(rv_discrete):
    """The Poisson distribution: ``poisson.logpmf(k, mu, loc=0)``; ``cdf`` and ``sf``
    through the incomplete gamma function, differentiable in ``mu``.

    >>> import numpy as np, scipy.stats as st, chainrule as cr, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.poisson.cdf(3, 2.5), st.poisson.cdf(3, 2.5)))
    True
    >>> bool(np.isclose(cr.grad(lambda mu: cst.poisson.cdf(3, mu))(2.5), -st.poisson.pmf(3, 2.5)))
    True
    """
    name = "poisson"
    shapes = ("mu",)

    def _argcheck(self, mu):
        return plain(mu) >= 0

    def _logpmf(self, k, mu):
        return sp.xlogy(k, mu) - sp.gammaln(k + 1.0) - mu

    def _cdf(self, k, mu):
        return sp.gammaincc(k + 1.0, mu)

    def _sf(self, k, mu):
        return sp.gammainc(k + 1.0, mu)


class bernoulli_gen(rv_discrete):
    """The Bernoulli distribution: ``bernoulli.logpmf(k, p, loc=0)``.

    >>> import chainrule as cr, chainrule.scipy.stats as cst
    >>> float(cr.grad(lambda p: cst.bernoulli.logpmf(1, p))(0.25))     # 1/p
    4.0
    """
    name = "bernoulli"
    shapes = ("p",)
    support = (0, 1)

    def _argcheck(self, p):
        p = plain(p)
        return (p >= 0) & (p <= 1)

    def _logpmf(self, k, p):
        return sp.xlogy(k, p) + sp.xlog1py(1.0 - k, -p)

    def _cdf(self, k, p):
        return 1.0 - p + 0.0 * k

    def _sf(self, k, p):
        return p + 0.0 * k


class binom_gen(rv_discrete):
    """The binomial distribution: ``binom.logpmf(k, n, p, loc=0)``; differentiable in
    ``p`` (``n`` is an integer: a constant).

    >>> import numpy as np, scipy.stats as st, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.binom.logpmf(2, 5, 0.3), st.binom.logpmf(2, 5, 0.3)))
    True
    """
    name = "binom"
    shapes = ("n", "p")
    support = (0, lambda n, p: n)

    def _argcheck(self, n, p):
        n, p = plain(n), plain(p)
        return (n >= 0) & (n == np.floor(n)) & (p >= 0) & (p <= 1)

    def _logpmf(self, k, n, p):
        n = plain(n)
        return (sp.gammaln(n + 1.0) - sp.gammaln(k + 1.0) - sp.gammaln(n - k + 1.0)
                + sp.xlogy(k, p) + sp.xlog1py(n - k, -p))

    def _cdf(self, k, n, p):
        n = plain(n)
        return sp.betainc(np.maximum(n - k, 1.0), k + 1.0, 1.0 - p)

    def _sf(self, k, n, p):
        n = plain(n)
        return sp.betainc(k + 1.0, np.maximum(n - k, 1.0), p)


class geom_gen(rv_discrete):
    """The geometric distribution on ``1, 2, ...``: ``geom.logpmf(k, p, loc=0)``.

    >>> import numpy as np, scipy.stats as st, chainrule.scipy.stats as cst
    >>> bool(np.isclose(cst.geom.logsf(3, 0.3), st.geom.logsf(3, 0.3)))
    True
    """
    name = "geom"
    shapes = ("p",)
    support = (1, np.inf)

    def _argcheck(self, p):
        p = plain(p)
        return (p > 0) & (p <= 1)

    def _logpmf(self, k, p):
        return sp.xlog1py(k - 1.0, -p) + cnp.log(p)

    def _cdf(self, k, p):
        return -cnp.expm1(k * cnp.log1p(-p))

    def _sf(self, k, p):
        return cnp.exp(k * cnp.log1p(-p))


poisson = poisson_gen()
bernoulli = bernoulli_gen()
binom = binom_gen()
geom = geom_gen()

DISCRETE = (poisson, bernoulli, binom, geom)
for _d in DISCRETE:
    _d._register()
