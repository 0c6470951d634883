"""The machinery shared by the univariate distributions: argument parsing as in SciPy,
location/scale, the support, invalid parameters, frozen distributions.

A distribution only writes its *standardized* functions (``_logpdf(z, *shapes)``,
``_cdf``, ...) with chainrule functions; the public methods here handle ``loc`` and
``scale``, points outside the support (evaluated at a safe inner point and replaced by
the constant SciPy returns, so no NaN leaks into derivatives) and invalid parameters
(NaN, as SciPy).
"""
from __future__ import annotations

import numpy as np

from ... import numpy as cnp
from ...core.tracer import Tracer
from ...numpy._registry import public
from ...numpy._util import as_float, plain, scalar  # noqa: F401  (re-exported to siblings)

_NS = "scipy.stats"
_INF = np.inf

# Value of each method below / above the support.
_OUTSIDE = {"logpdf": (-_INF, -_INF), "pdf": (0.0, 0.0), "cdf": (0.0, 1.0),
            "logcdf": (-_INF, 0.0), "sf": (1.0, 0.0), "logsf": (0.0, -_INF),
            "logpmf": (-_INF, -_INF), "pmf": (0.0, 0.0)}




def _is_const(v, c) -> bool:
    return not isinstance(v, Tracer) and np.ndim(v) == 0 and v == c


def parse_args(where: str, names: tuple, defaults: dict, args: tuple, kwds: dict) -> list:
    """SciPy's argument convention: ``names`` filled from positional arguments first,
    then keywords, then ``defaults``; clear errors otherwise."""
    if len(args) > len(names):
        raise TypeError(f"{where}: takes at most {len(names)} parameters after the first "
                        f"argument ({', '.join(names)}), got {len(args)}")
    out = list(args)
    for n in names[len(args):]:
        if n in kwds:
            out.append(kwds.pop(n))
        elif n in defaults:
            out.append(defaults[n])
        else:
            raise TypeError(f"{where}: missing required argument '{n}' (parameters: "
                            f"{', '.join(names)})")
    if kwds:
        dup = [k for k in kwds if k in names]
        what = "got multiple values for" if dup else "unexpected keyword argument(s)"
        raise TypeError(f"{where}: {what} {', '.join(repr(k) for k in kwds)} "
                        f"(parameters: {', '.join(names)})")
    return out


class Frozen:
    """A distribution with its parameters fixed, as ``scipy.stats.norm(loc, scale)``.

    >>> import chainrule.scipy.stats as cst
    >>> rv = cst.norm(loc=1.0, scale=2.0)
    >>> float(rv.cdf(1.0))
    0.5
    """

    def __init__(self, dist, args, kwds):
        self.dist, self.args, self.kwds = dist, tuple(args), dict(kwds)

    def __getattr__(self, method):
        if method.startswith("_") or method not in self.dist._methods:
            raise AttributeError(f"frozen {self.dist.name} has no method {method!r}")
        fn = getattr(self.dist, method)
        return lambda x: fn(x, *self.args, **self.kwds)

    def __repr__(self) -> str:
        return f"<frozen chainrule.scipy.stats.{self.dist.name}{self.args}{self.kwds}>"


class Distribution:
    """What every distribution object has: a name, its shape parameters, freezing."""

    name = ""
    shapes: tuple = ()
    _methods: tuple = ()

    def __call__(self, *args, **kwds) -> Frozen:
        return Frozen(self, args, kwds)

    def __repr__(self) -> str:
        return f"<chainrule.scipy.stats.{self.name}>"

    def _register(self) -> None:
        for m in self._methods:
            public(_NS, f"{self.name}.{m}", "composite", getattr(self, m))

    def _argcheck(self, *shapes):
        """Plain boolean: where the shape parameters are valid (default: all > 0)."""
        ok = True
        for s in shapes:
            ok = ok & (plain(s) > 0)
        return ok


class rv_continuous(Distribution):
    """A univariate continuous distribution with ``loc`` and ``scale``.

    Subclasses define ``_logpdf(z, *shapes)`` and ``_cdf`` (and, where they are more
    accurate, ``_sf``, ``_logcdf``, ``_logsf``, ``_ppf``, ``_isf``) on the standardized
    variable ``z = (x - loc) / scale``; ``support`` is the closed support of ``z``
    (``lo_open`` makes its lower end open) and ``inner`` a point inside it.
    """

    support = (-_INF, _INF)
    lo_open = False
    inner = 0.0
    _methods = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")

    # default standardized functions
    def _pdf(self, z, *s):
        return cnp.exp(self._logpdf(z, *s))

    def _logcdf(self, z, *s):
        return cnp.log(self._cdf(z, *s))

    def _sf(self, z, *s):
        return 1.0 - self._cdf(z, *s)

    def _logsf(self, z, *s):
        return cnp.log(self._sf(z, *s))

    def _isf(self, q, *s):
        return self._ppf(1.0 - q, *s)

    # --- the public methods -----------------------------------------------------------
    def _params(self, method, args, kwds):
        names = self.shapes + ("loc", "scale")
        vals = parse_args(f"chainrule.scipy.stats.{self.name}.{method}", names,
                          {"loc": 0.0, "scale": 1.0}, args, dict(kwds))
        return [as_float(v) for v in vals[:-2]], as_float(vals[-2]), as_float(vals[-1])

    def _eval(self, method, x, args, kwds):
        with np.errstate(divide="ignore", invalid="ignore"):   # SciPy: -inf / NaN, quietly
            return self._eval_z(method, x, args, kwds)

    def _eval_z(self, method, x, args, kwds):
        shapes, loc, scale = self._params(method, args, kwds)
        z = as_float(x)
        if not _is_const(loc, 0):
            z = z - loc
        if not _is_const(scale, 1):
            z = z / scale
        fn = getattr(self, "_" + method)
        lo, hi = self.support
        if lo == -_INF and hi == _INF:
            out = fn(z, *shapes)
        else:
            zp = plain(z)
            below = (zp <= lo) if self.lo_open else (zp < lo)
            above = zp > hi
            outside = below | above
            if np.any(outside):
                out = fn(cnp.where(outside, self.inner, z), *shapes)
                vb, va = _OUTSIDE[method]
                out = cnp.where(below, vb, cnp.where(above, va, out))
            else:
                out = fn(z, *shapes)
        if not _is_const(scale, 1):
            if method == "logpdf":
                out = out - cnp.log(scale)
            elif method == "pdf":
                out = out / scale
        return scalar(_invalid_to_nan(out, ~(np.asarray(plain(scale)) > 0)
                                      | ~np.asarray(self._argcheck(*shapes))))

    def _eval_q(self, method, q, args, kwds):
        shapes, loc, scale = self._params(method, args, kwds)
        q = as_float(q)
        qp = plain(q)
        bad = ~((qp >= 0) & (qp <= 1)) | ~(np.asarray(plain(scale)) > 0) \
            | ~np.asarray(self._argcheck(*shapes))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = getattr(self, "_" + method)(q, *shapes)
        if not _is_const(scale, 1):
            out = out * scale
        if not _is_const(loc, 0):
            out = out + loc
        return scalar(_invalid_to_nan(out, bad))

    def logpdf(self, x, *args, **kwds):
        """Log of the probability density at ``x``: ``logpdf(x, *shapes, loc=0, scale=1)``.

        >>> import numpy as np, chainrule as cr, chainrule.scipy.stats as cst
        >>> bool(np.isclose(cst.norm.logpdf(0.5, loc=1.0, scale=2.0), -1.6433357137646))
        True
        >>> float(cr.grad(lambda m: cst.norm.logpdf(0.5, loc=m, scale=2.0))(1.0))
        -0.125
        """
        return self._eval("logpdf", x, args, kwds)

    def pdf(self, x, *args, **kwds):
        """Probability density at ``x``: ``pdf(x, *shapes, loc=0, scale=1)``.

        >>> import chainrule.scipy.stats as cst
        >>> round(float(cst.expon.pdf(0.0, scale=2.0)), 3)
        0.5
        """
        return self._eval("pdf", x, args, kwds)

    def cdf(self, x, *args, **kwds):
        """Cumulative distribution function: ``cdf(x, *shapes, loc=0, scale=1)``.

        >>> import chainrule as cr, chainrule.scipy.stats as cst
        >>> float(cst.norm.cdf(0.0))
        0.5
        >>> round(float(cr.grad(cst.norm.cdf)(0.0)), 6)     # the density at 0
        0.398942
        """
        return self._eval("cdf", x, args, kwds)

    def logcdf(self, x, *args, **kwds):
        """Log of the CDF: ``logcdf(x, *shapes, loc=0, scale=1)`` (stable in the tail
        where the distribution has a special function for it, e.g. ``norm``).

        >>> import numpy as np, chainrule.scipy.stats as cst
        >>> bool(np.isfinite(cst.norm.logcdf(-40.0)))
        True
        """
        return self._eval("logcdf", x, args, kwds)

    def sf(self, x, *args, **kwds):
        """Survival function ``1 - cdf``: ``sf(x, *shapes, loc=0, scale=1)``.

        >>> import chainrule.scipy.stats as cst
        >>> round(float(cst.expon.sf(1.0)), 6)
        0.367879
        """
        return self._eval("sf", x, args, kwds)

    def logsf(self, x, *args, **kwds):
        """Log of the survival function: ``logsf(x, *shapes, loc=0, scale=1)``.

        >>> import chainrule.scipy.stats as cst
        >>> float(cst.expon.logsf(3.0))
        -3.0
        """
        return self._eval("logsf", x, args, kwds)

    def ppf(self, q, *args, **kwds):
        """Quantile function (inverse CDF): ``ppf(q, *shapes, loc=0, scale=1)``;
        differentiable in ``q``, ``loc`` and ``scale``.

        >>> import chainrule as cr, chainrule.scipy.stats as cst
        >>> float(cst.norm.ppf(0.5, loc=3.0))
        3.0
        >>> round(float(cr.grad(cst.norm.ppf)(0.5)), 6)       # sqrt(2 pi)
        2.506628
        """
        return self._eval_q("ppf", q, args, kwds)

    def isf(self, q, *args, **kwds):
        """Inverse survival function: ``isf(q, *shapes, loc=0, scale=1)``.

        >>> import chainrule.scipy.stats as cst
        >>> round(float(cst.expon.isf(0.5)), 6)
        0.693147
        """
        return self._eval_q("isf", q, args, kwds)


class rv_discrete(Distribution):
    """A univariate discrete distribution with an integer shift ``loc``.

    The point ``k`` and ``loc`` carry no derivative (they are integers); the shape
    parameters do. Subclasses define ``_logpmf(k, *shapes)`` and ``_cdf(k, *shapes)`` on
    integer ``k`` inside ``support`` (and ``_sf`` where it is more accurate).
    """

    support = (0, _INF)
    _methods = ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf")

    def _sf(self, k, *s):
        return 1.0 - self._cdf(k, *s)

    def _params(self, method, args, kwds):
        names = self.shapes + ("loc",)
        vals = parse_args(f"chainrule.scipy.stats.{self.name}.{method}", names,
                          {"loc": 0}, args, dict(kwds))
        return [as_float(v) for v in vals[:-1]], plain(vals[-1])

    def _eval(self, method, k, args, kwds):
        shapes, loc = self._params(method, args, kwds)
        k = np.asarray(plain(k), dtype=float) - np.asarray(loc)
        lo, hi = self.support
        hi = plain(hi(*shapes)) if callable(hi) else hi
        if method in ("logpmf", "pmf"):
            inside = (k >= lo) & (k <= hi) & (k == np.floor(k))
            kk = np.where(inside, k, lo)
            with np.errstate(divide="ignore"):
                out = self._logpmf(kk, *shapes)
                out = cnp.exp(out) if method == "pmf" else out
            out = cnp.where(inside, out, _OUTSIDE[method][0])
        else:
            k = np.floor(k)
            below, above = k < lo, k >= hi
            kk = np.where(below | above, lo, k)
            fn = {"cdf": self._cdf, "logcdf": self._cdf, "sf": self._sf,
                  "logsf": self._sf}[method]
            out = fn(kk, *shapes)
            if method in ("logcdf", "logsf"):
                with np.errstate(divide="ignore"):
                    out = cnp.log(out)
            vb, va = _OUTSIDE[method]
            out = cnp.where(below, vb, cnp.where(above, va, out))
        return scalar(_invalid_to_nan(out, ~np.asarray(self._argcheck(*shapes))))

    def logpmf(self, k, *args, **kwds):
        """Log of the probability mass at ``k``: ``logpmf(k, *shapes, loc=0)``.

        >>> import numpy as np, chainrule as cr, chainrule.scipy.stats as cst
        >>> bool(np.isclose(cst.poisson.logpmf(3, 2.0), 3 * np.log(2.0) - np.log(6.0) - 2.0))
        True
        >>> round(float(cr.grad(lambda mu: cst.poisson.logpmf(3, mu))(2.0)), 6)   # k/mu - 1
        0.5
        """
        return self._eval("logpmf", k, args, kwds)

    def pmf(self, k, *args, **kwds):
        """Probability mass at ``k``: ``pmf(k, *shapes, loc=0)``.

        >>> import chainrule.scipy.stats as cst
        >>> float(cst.bernoulli.pmf(1, 0.25))
        0.25
        """
        return self._eval("pmf", k, args, kwds)

    def cdf(self, k, *args, **kwds):
        """``P(X <= k)``: ``cdf(k, *shapes, loc=0)``.

        >>> import chainrule.scipy.stats as cst
        >>> float(cst.bernoulli.cdf(0, 0.25))
        0.75
        """
        return self._eval("cdf", k, args, kwds)

    def logcdf(self, k, *args, **kwds):
        """Log of the CDF: ``logcdf(k, *shapes, loc=0)``.

        >>> import numpy as np, chainrule.scipy.stats as cst
        >>> bool(np.isclose(cst.poisson.logcdf(0, 2.0), -2.0))
        True
        """
        return self._eval("logcdf", k, args, kwds)

    def sf(self, k, *args, **kwds):
        """``P(X > k)``: ``sf(k, *shapes, loc=0)``.

        >>> import chainrule.scipy.stats as cst
        >>> float(cst.bernoulli.sf(0, 0.25))
        0.25
        """
        return self._eval("sf", k, args, kwds)

    def logsf(self, k, *args, **kwds):
        """Log of the survival function: ``logsf(k, *shapes, loc=0)``.

        >>> import numpy as np, chainrule.scipy.stats as cst
        >>> bool(np.isclose(cst.bernoulli.logsf(0, 0.25), np.log(0.25)))
        True
        """
        return self._eval("logsf", k, args, kwds)


def _invalid_to_nan(out, bad):
    """NaN where the parameters are invalid (as SciPy), a constant there for derivatives."""
    if np.any(bad):
        return cnp.where(bad, np.nan, out)
    return out
