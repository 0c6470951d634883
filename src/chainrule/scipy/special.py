"""``chainrule.scipy.special``: SciPy's special functions, differentiable to any order.

Needs SciPy (an optional dependency). Called with plain arrays, each function returns what
``scipy.special`` returns; called with traced values it carries the derivative, in
forward and reverse mode. Every elementwise function is one primitive whose derivative is
written with chainrule functions (``d gammaln = digamma``, ``d digamma = polygamma(1, .)``,
``d erfinv = sqrt(pi)/2 exp(erfinv**2)``, ...), so second and higher derivatives need no
extra code. ``logsumexp``, ``softmax``, ``log_softmax``, ``softplus`` and ``multigammaln``
are composites of those.

Arguments without a derivative:

* integer orders (``n`` of ``polygamma``) carry none: they are constants;
* a real argument whose derivative has no closed form here (the shape ``a`` of
  ``gammainc``, ``a`` and ``b`` of ``betainc``, ``df`` of ``stdtr``, the order ``v`` of
  the Bessel functions, ``x`` of ``zeta``) raises :class:`chainrule.NoDerivativeRuleError`
  (a ``NotImplementedError``) naming the argument, if it is differentiated.

Conventions at boundaries: ``xlogy(0, y)`` is 0, its derivative in ``x`` is ``log(y)``
and in ``y`` it is ``x / y``, taken as 0 when ``x = y = 0`` (no NaN); likewise
``xlog1py`` at ``y = -1``, ``rel_entr`` and ``kl_div``.
"""
from __future__ import annotations

import inspect
import math
import operator

import numpy as np

try:
    import scipy.special as _sc
except ImportError as _err:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError('chainrule.scipy.special needs SciPy, an optional dependency: '
                      'pip install scipy (or pip install "chainrule[scipy]")') from _err

from .. import numpy as cnp
from ..core.errors import NoDerivativeRuleError
from ..core.primitive import REGISTRY, Primitive, bind, make_unary
from ..core.tracer import Tracer
from ..numpy._registry import PUBLIC, public
from ..numpy._util import as_float, plain, scalar

_NS = "scipy.special"
_FAM = "special"
_EMPTY: dict = {}
_SQRT_PI = math.sqrt(math.pi)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LN10 = math.log(10.0)


# ----------------------------------------------------------------- registration helpers
def _no_derivative(fname: str, argname: str, why: str, pos: int = 0):
    """A rule for an argument that has no derivative here: it raises, naming it (or
    naming the caller's own argument, when a caller passed ``labels``: see :func:`_call`)."""
    def rule(*args, labels=None):
        caller, arg = (labels or {}).get(pos, (f"chainrule.scipy.special.{fname}", argname))
        raise NoDerivativeRuleError(
            f"{caller}: no derivative with respect to argument '{arg}' ({why}). Pass "
            f"'{arg}' as a constant (not among the differentiated arguments), or give the "
            f"function its own rule with chainrule.custom_vjp / chainrule.custom_jvp.")
    return rule


def _times(d):
    """VJP and JVP rule of an elementwise partial derivative ``d(*args, ans)``."""
    return lambda g, ans, *args, labels=None: g * d(*args, ans)


def _accept_labels(impl):
    return lambda *args, labels=None: impl(*args)


def _call(name: str, args: tuple, labels: dict):
    """Call the elementwise primitive ``name`` for another chainrule function, which
    names its own arguments in the errors: ``labels`` maps an argument position without
    a derivative to ``(caller, argument name)``, e.g. ``{0: ("chainrule.scipy.stats.t",
    "df")}``."""
    return bind(REGISTRY[name], tuple(_as_arg(a) for a in args), {"labels": labels})


def _as_arg(a):
    return a if isinstance(a, Tracer) else np.asarray(a)


def _nary(p: Primitive, name: str, argnames: tuple, doc: str):
    """The public function of an n-argument elementwise primitive, with SciPy's names."""
    n = len(argnames)

    def f(*args, **kw):
        if kw or len(args) != n:
            args = _collect(name, argnames, args, kw)
        return bind(p, tuple(_as_arg(a) for a in args), _EMPTY)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    f.__signature__ = inspect.Signature(
        [inspect.Parameter(a, inspect.Parameter.POSITIONAL_OR_KEYWORD) for a in argnames])
    return f


def _collect(name, argnames, args, kw):
    out = list(args)
    for a in argnames[len(args):]:
        if a not in kw:
            raise TypeError(f"chainrule.scipy.special.{name}: missing argument '{a}' "
                            f"(it takes {', '.join(argnames)})")
        out.append(kw.pop(a))
    if kw or len(out) != len(argnames):
        extra = ", ".join(kw) if kw else f"{len(args)} positional arguments"
        raise TypeError(f"chainrule.scipy.special.{name}: unexpected {extra} "
                        f"(it takes {', '.join(argnames)})")
    return out


def _doc(name, argnames, rule, example, argnum):
    args = ", ".join(repr(v) for v in example)
    return (f"Differentiable ``scipy.special.{name}({', '.join(argnames)})``.\n\n"
            f"{rule}\n\n"
            ">>> import numpy as np, scipy.special as sc, chainrule as cr\n"
            ">>> import chainrule.scipy.special as csp\n"
            f">>> bool(np.isclose(csp.{name}({args}), sc.{name}({args})))\nTrue\n"
            f">>> g = cr.grad(csp.{name}, argnums={argnum})({args})\n"
            f">>> bool(np.isclose(g, cr.numerical_grad(csp.{name}, {args}, "
            f"argnums={argnum})))\nTrue\n")


def _elementwise(name: str, argnames: str, partials: tuple, rule: str, example: tuple,
                 impl=None):
    """Register an elementwise primitive ``scipy.special.<name>``.

    ``partials[i]`` is ``d(*args, ans)``, the partial derivative in argument ``i``
    (written with chainrule functions); ``None`` for an integer argument (no derivative);
    a string for a real argument without a rule here (differentiating it raises, with
    that string as the reason).
    """
    argnames = tuple(argnames.split())
    rules = []
    for pos, (arg, d) in enumerate(zip(argnames, partials)):
        if d is None:
            rules.append(None)
        elif isinstance(d, str):
            rules.append(_no_derivative(name, arg, d, pos))
        else:
            rules.append(_times(d))
    impl = impl if impl is not None else getattr(_sc, name)
    if any(isinstance(d, str) for d in partials):
        impl = _accept_labels(impl)                 # see _call
    p = Primitive(name, impl, vjp_rules=rules,
                  jvp_rules=rules, elementwise=True, family=_FAM)
    argnum = next(i for i, d in enumerate(partials) if callable(d))
    doc = _doc(name, argnames, rule, example, argnum)
    f = make_unary(p, name, doc) if len(argnames) == 1 else _nary(p, name, argnames, doc)
    return public(_NS, name, "primitive", f, (name,))


def _sgn(x):
    """sign(x) as a constant (the derivative of |x| away from 0; 0 at the kink)."""
    return np.sign(plain(x))


def _safe_ratio(x, y):
    """x / y, with 0 where x == y == 0 (the derivative of x log y in y at x = 0)."""
    both = (x == 0) & (y == 0)
    return x / cnp.where(both, 1.0, y) if np.any(both) else x / y


_NO_SHAPE = "the derivative in the shape parameter has no closed form"
_NO_ORDER = "the derivative in the order of a Bessel function has no closed form"

# ------------------------------------------------------------------ logistic family
expit = _elementwise("expit", "x", (lambda x, a: expit(-x) * a,),
                     "Derivative ``expit(x) * expit(-x)``: accurate in both tails "
                     "(finite and exact 0 at +-1000).", (0.3,))
logit = _elementwise("logit", "x", (lambda x, a: 1.0 / (x * (1.0 - x)),),
                     "Derivative ``1 / (x (1 - x))``.", (0.3,))
log_expit = _elementwise("log_expit", "x", (lambda x, a: expit(-x),),
                         "Derivative ``expit(-x)``.", (0.3,))

# ------------------------------------------------------- error function and normal
erf = _elementwise("erf", "x", (lambda x, a: (2.0 / _SQRT_PI) * cnp.exp(-x * x),),
                   "Derivative ``2 / sqrt(pi) * exp(-x**2)``.", (0.3,))
erfc = _elementwise("erfc", "x", (lambda x, a: (-2.0 / _SQRT_PI) * cnp.exp(-x * x),),
                    "Derivative ``-2 / sqrt(pi) * exp(-x**2)``.", (0.3,))
erfcx = _elementwise("erfcx", "x", (lambda x, a: 2.0 * x * a - 2.0 / _SQRT_PI,),
                     "``exp(x**2) erfc(x)``; derivative ``2 x erfcx(x) - 2 / sqrt(pi)``.",
                     (0.3,))
erfinv = _elementwise("erfinv", "y", (lambda y, a: (0.5 * _SQRT_PI) * cnp.exp(a * a),),
                      "Derivative ``sqrt(pi) / 2 * exp(erfinv(y)**2)``.", (0.3,))
erfcinv = _elementwise("erfcinv", "y", (lambda y, a: (-0.5 * _SQRT_PI) * cnp.exp(a * a),),
                       "Derivative ``-sqrt(pi) / 2 * exp(erfcinv(y)**2)``.", (0.3,))
dawsn = _elementwise("dawsn", "x", (lambda x, a: 1.0 - 2.0 * x * a,),
                     "Dawson's integral; derivative ``1 - 2 x dawsn(x)``.", (0.3,))
ndtr = _elementwise("ndtr", "x", (lambda x, a: cnp.exp(-0.5 * x * x - _LOG_SQRT_2PI),),
                    "The standard normal CDF; derivative the normal density.", (0.3,))
ndtri = _elementwise("ndtri", "y", (lambda y, a: cnp.exp(0.5 * a * a + _LOG_SQRT_2PI),),
                     "The normal quantile; derivative ``sqrt(2 pi) exp(ndtri(y)**2 / 2)``.",
                     (0.3,))
log_ndtr = _elementwise(
    "log_ndtr", "x", (lambda x, a: cnp.exp(-0.5 * x * x - a - _LOG_SQRT_2PI),),
    "Derivative ``pdf(x) / cdf(x)``, computed as ``exp(-x**2/2 - log_ndtr(x)) / "
    "sqrt(2 pi)``: finite far in the left tail.", (-3.0,))
ndtri_exp = _elementwise(
    "ndtri_exp", "y", (lambda y, a: cnp.exp(y + 0.5 * a * a + _LOG_SQRT_2PI),),
    "The inverse of ``log_ndtr``; derivative ``exp(y + x**2 / 2) sqrt(2 pi)`` at "
    "``x = ndtri_exp(y)``.", (-2.0,))

# ---------------------------------------------------------------- gamma family
gammaln = _elementwise("gammaln", "x", (lambda x, a: digamma(x),),
                       "``log|Gamma(x)|``; derivative ``digamma(x)``.", (2.5,))
loggamma = _elementwise("loggamma", "x", (lambda x, a: digamma(x),),
                        "``log Gamma(x)`` (real x > 0); derivative ``digamma(x)``.", (2.5,))
digamma = _elementwise("digamma", "x", (lambda x, a: polygamma(1, x),),
                       "Derivative ``polygamma(1, x)``.", (2.5,))
psi = public(_NS, "psi", "composite", digamma)
gamma = _elementwise("gamma", "x", (lambda x, a: a * digamma(x),),
                     "Derivative ``gamma(x) digamma(x)``.", (2.5,))
rgamma = _elementwise("rgamma", "x", (lambda x, a: -a * digamma(x),),
                      "``1 / gamma(x)``; derivative ``-rgamma(x) digamma(x)``.", (2.5,))
polygamma = _elementwise("polygamma", "n x", (None, lambda n, x, a: polygamma(plain(n) + 1, x)),
                         "The integer order ``n`` carries no derivative; in ``x`` the "
                         "derivative is ``polygamma(n + 1, x)``.", (1, 2.5))
betaln = _elementwise("betaln", "a b", (lambda a, b, r: digamma(a) - digamma(a + b),
                                        lambda a, b, r: digamma(b) - digamma(a + b)),
                      "Partials ``digamma(a) - digamma(a + b)`` and likewise in ``b``.",
                      (1.5, 2.5))
beta = _elementwise("beta", "a b", (lambda a, b, r: r * (digamma(a) - digamma(a + b)),
                                    lambda a, b, r: r * (digamma(b) - digamma(a + b))),
                    "Partials ``beta(a, b) (digamma(a) - digamma(a + b))`` and likewise.",
                    (1.5, 2.5))
poch = _elementwise("poch", "z m", (lambda z, m, r: r * (digamma(z + m) - digamma(z)),
                                    lambda z, m, r: r * digamma(z + m)),
                    "``gamma(z + m) / gamma(z)``; partials ``poch (digamma(z+m) - "
                    "digamma(z))`` and ``poch digamma(z + m)``.", (1.5, 2.5))
binom = _elementwise("binom", "n k",
                     (lambda n, k, r: r * (digamma(n + 1) - digamma(n - k + 1)),
                      lambda n, k, r: r * (digamma(n - k + 1) - digamma(k + 1))),
                     "The binomial coefficient for real ``n``, ``k`` (through gamma); "
                     "partials via digamma.", (5.5, 2.5))


def _gamma_density(a, x):
    # x**(a-1) exp(-x) / Gamma(a), with 0 * log 0 = 0 so that a = 1, x = 0 gives 1
    return cnp.exp(xlogy(a - 1.0, x) - x - gammaln(a))


gammainc = _elementwise("gammainc", "a x", (_NO_SHAPE, lambda a, x, r: _gamma_density(a, x)),
                        "Regularized lower incomplete gamma. Differentiable in ``x`` "
                        "(derivative ``x**(a-1) exp(-x) / gamma(a)``); differentiating "
                        "``a`` raises NoDerivativeRuleError.", (1.5, 2.0))
gammaincc = _elementwise("gammaincc", "a x",
                         (_NO_SHAPE, lambda a, x, r: -_gamma_density(a, x)),
                         "Regularized upper incomplete gamma; differentiable in ``x`` "
                         "only.", (1.5, 2.0))
gammaincinv = _elementwise("gammaincinv", "a y",
                           (_NO_SHAPE, lambda a, y, r: 1.0 / _gamma_density(a, r)),
                           "Inverse of ``gammainc`` in ``x``; differentiable in ``y`` "
                           "only.", (1.5, 0.3))
gammainccinv = _elementwise("gammainccinv", "a y",
                            (_NO_SHAPE, lambda a, y, r: -1.0 / _gamma_density(a, r)),
                            "Inverse of ``gammaincc`` in ``x``; differentiable in ``y`` "
                            "only.", (1.5, 0.3))


def _beta_density(a, b, x):
    return cnp.exp(xlogy(a - 1.0, x) + xlog1py(b - 1.0, -x) - betaln(a, b))


betainc = _elementwise("betainc", "a b x",
                       (_NO_SHAPE, _NO_SHAPE, lambda a, b, x, r: _beta_density(a, b, x)),
                       "Regularized incomplete beta. Differentiable in ``x`` (derivative "
                       "the beta density); differentiating ``a`` or ``b`` raises "
                       "NoDerivativeRuleError.", (1.5, 2.5, 0.3))
betaincc = _elementwise("betaincc", "a b x",
                        (_NO_SHAPE, _NO_SHAPE, lambda a, b, x, r: -_beta_density(a, b, x)),
                        "``1 - betainc``; differentiable in ``x`` only.", (1.5, 2.5, 0.3))
betaincinv = _elementwise("betaincinv", "a b y",
                          (_NO_SHAPE, _NO_SHAPE,
                           lambda a, b, y, r: 1.0 / _beta_density(a, b, r)),
                          "Inverse of ``betainc`` in ``x``; differentiable in ``y`` only.",
                          (1.5, 2.5, 0.3))
betainccinv = _elementwise("betainccinv", "a b y",
                           (_NO_SHAPE, _NO_SHAPE,
                            lambda a, b, y, r: -1.0 / _beta_density(a, b, r)),
                           "Inverse of ``betaincc`` in ``x``; differentiable in ``y`` "
                           "only.", (1.5, 2.5, 0.3))


def _t_logpdf(t, df):
    """Log density of Student's t (the normal one where ``df`` is infinite)."""
    inf = np.isinf(plain(df))
    if np.any(inf):
        df = cnp.where(inf, 1.0, df)                # keep the unused branch finite
        return cnp.where(inf, -0.5 * t * t - _LOG_SQRT_2PI, _t_logpdf(t, df))
    return (gammaln(0.5 * (df + 1.0)) - gammaln(0.5 * df) - 0.5 * cnp.log(df * math.pi)
            - 0.5 * (df + 1.0) * cnp.log1p(t * t / df))


stdtr = _elementwise("stdtr", "df t",
                     ("the derivative in the degrees of freedom has no closed form",
                      lambda df, t, r: cnp.exp(_t_logpdf(t, df))),
                     "Student t CDF. Differentiable in ``t`` (derivative the t density); "
                     "differentiating ``df`` raises NoDerivativeRuleError.", (3.5, 0.7))
stdtrit = _elementwise("stdtrit", "df p",
                       ("the derivative in the degrees of freedom has no closed form",
                        lambda df, p, r: cnp.exp(-_t_logpdf(r, df))),
                       "Student t quantile; differentiable in ``p`` only.", (3.5, 0.7))


def _zeta_impl(x, q):
    return _sc.zeta(x, q)


_hurwitz = _elementwise("zeta", "x q",
                        ("no closed form", lambda x, q, r: -x * _hurwitz(x + 1.0, q)),
                        "", (3.0, 1.5), impl=_zeta_impl)
_riemann = Primitive("riemann_zeta", _sc.zeta, family=_FAM, elementwise=True,
                     vjp_rules=[_no_derivative("zeta", "x", "no closed form")],
                     jvp_rules=[_no_derivative("zeta", "x", "no closed form")])


def zeta(x, q=None):
    """Differentiable ``scipy.special.zeta(x, q=None)`` (Riemann, or Hurwitz with ``q``).

    Differentiable in ``q`` (derivative ``-x zeta(x + 1, q)``); differentiating ``x``
    raises NoDerivativeRuleError.

    >>> import numpy as np, chainrule as cr, chainrule.scipy.special as csp
    >>> round(float(csp.zeta(2.0)), 6)
    1.644934
    >>> round(float(cr.grad(lambda q: csp.zeta(3.0, q))(1.0)), 6)   # -3 zeta(4)
    -3.24697
    """
    if q is None:
        return bind(_riemann, (_as_arg(x),), _EMPTY)
    return _hurwitz(x, q)


# listed once, as "zeta", with both primitives (replacing the Hurwitz-only entry)
public(_NS, "zeta", "primitive", zeta, ("zeta", "riemann_zeta"))

# ------------------------------------------------------- information theory
entr = _elementwise("entr", "x", (lambda x, a: -(cnp.log(x) + 1.0),),
                    "``-x log x``; derivative ``-(log x + 1)``.", (0.3,))
xlogy = _elementwise("xlogy", "x y",
                     (lambda x, y, r: cnp.log(y), lambda x, y, r: _safe_ratio(x, y)),
                     "Partials ``log(y)`` (also at ``x = 0``) and ``x / y`` (0 when "
                     "``x = y = 0``).", (0.3, 1.7))
xlog1py = _elementwise("xlog1py", "x y",
                       (lambda x, y, r: cnp.log1p(y), lambda x, y, r: _safe_ratio(x, 1.0 + y)),
                       "Partials ``log1p(y)`` and ``x / (1 + y)`` (0 when ``x = 0, "
                       "y = -1``).", (0.3, 0.7))
rel_entr = _elementwise("rel_entr", "x y",
                        (lambda x, y, r: cnp.log(x) - cnp.log(y) + 1.0,
                         lambda x, y, r: -_safe_ratio(x, y)),
                        "``x log(x / y)``; partials ``log(x / y) + 1`` and ``-x / y``.",
                        (0.3, 0.7))
kl_div = _elementwise("kl_div", "x y",
                      (lambda x, y, r: cnp.log(x) - cnp.log(y),
                       lambda x, y, r: 1.0 - _safe_ratio(x, y)),
                      "``x log(x / y) - x + y``; partials ``log(x / y)`` and ``1 - x / y``.",
                      (0.3, 0.7))


def _huber_inside(delta, r):
    return np.abs(plain(r)) <= plain(delta)


huber = _elementwise(
    "huber", "delta r",
    (lambda d, r, a: cnp.where(_huber_inside(d, r), 0.0, cnp.abs(r) - d),
     lambda d, r, a: cnp.where(_huber_inside(d, r), r, d * _sgn(r))),
    "Partials: in ``r``, ``r`` inside ``|r| <= delta`` and ``delta sign(r)`` outside; in "
    "``delta``, 0 inside and ``|r| - delta`` outside.", (1.0, 2.5))


def _ph_root(d, r):
    q = r / d
    return cnp.sqrt(1.0 + q * q)


pseudo_huber = _elementwise(
    "pseudo_huber", "delta r",
    (lambda d, r, a: (2.0 * a - r * r / _ph_root(d, r)) / d,
     lambda d, r, a: r / _ph_root(d, r)),
    "``delta**2 (sqrt(1 + (r/delta)**2) - 1)``; partials in closed form (``delta > 0``).",
    (1.0, 2.5))

# -------------------------------------------------------------- Bessel functions
i0 = _elementwise("i0", "x", (lambda x, a: i1(x),), "Derivative ``i1(x)``.", (0.7,))
i1 = _elementwise("i1", "x", (lambda x, a: 0.5 * (i0(x) + iv(2.0, x)),),
                  "Derivative ``(i0(x) + iv(2, x)) / 2`` (no division by x).", (0.7,))
i0e = _elementwise("i0e", "x", (lambda x, a: i1e(x) - _sgn(x) * a,),
                   "``exp(-|x|) i0(x)``; derivative ``i1e(x) - sign(x) i0e(x)``.", (0.7,))
i1e = _elementwise("i1e", "x", (lambda x, a: 0.5 * (i0e(x) + ive(2.0, x)) - _sgn(x) * a,),
                   "``exp(-|x|) i1(x)``; derivative ``(i0e + ive(2, .)) / 2 - sign(x) "
                   "i1e``.", (0.7,))
iv = _elementwise("iv", "v x", (_NO_ORDER, lambda v, x, a: 0.5 * (iv(v - 1.0, x) + iv(v + 1.0, x))),
                  "Modified Bessel function of the first kind; derivative in ``x`` is "
                  "``(iv(v-1, x) + iv(v+1, x)) / 2``; ``v`` has none.", (1.5, 0.7))
ive = _elementwise("ive", "v x",
                   (_NO_ORDER, lambda v, x, a: 0.5 * (ive(v - 1.0, x) + ive(v + 1.0, x))
                    - _sgn(x) * a),
                   "``exp(-|x|) iv(v, x)``; differentiable in ``x``.", (1.5, 0.7))
j0 = _elementwise("j0", "x", (lambda x, a: -j1(x),), "Derivative ``-j1(x)``.", (0.7,))
j1 = _elementwise("j1", "x", (lambda x, a: 0.5 * (j0(x) - jv(2.0, x)),),
                  "Derivative ``(j0(x) - jv(2, x)) / 2``.", (0.7,))
jv = _elementwise("jv", "v x", (_NO_ORDER, lambda v, x, a: 0.5 * (jv(v - 1.0, x) - jv(v + 1.0, x))),
                  "Bessel function of the first kind; derivative in ``x`` is "
                  "``(jv(v-1, x) - jv(v+1, x)) / 2``.", (1.5, 0.7))
y0 = _elementwise("y0", "x", (lambda x, a: -y1(x),), "Derivative ``-y1(x)``.", (0.7,))
y1 = _elementwise("y1", "x", (lambda x, a: 0.5 * (y0(x) - yv(2.0, x)),),
                  "Derivative ``(y0(x) - yv(2, x)) / 2``.", (0.7,))
yv = _elementwise("yv", "v x", (_NO_ORDER, lambda v, x, a: 0.5 * (yv(v - 1.0, x) - yv(v + 1.0, x))),
                  "Bessel function of the second kind; derivative in ``x`` is "
                  "``(yv(v-1, x) - yv(v+1, x)) / 2``.", (1.5, 0.7))
k0 = _elementwise("k0", "x", (lambda x, a: -k1(x),), "Derivative ``-k1(x)``.", (0.7,))
k1 = _elementwise("k1", "x", (lambda x, a: -0.5 * (k0(x) + kv(2.0, x)),),
                  "Derivative ``-(k0(x) + kv(2, x)) / 2``.", (0.7,))
k0e = _elementwise("k0e", "x", (lambda x, a: a - k1e(x),),
                   "``exp(x) k0(x)``; derivative ``k0e(x) - k1e(x)``.", (0.7,))
k1e = _elementwise("k1e", "x", (lambda x, a: a - 0.5 * (k0e(x) + kve(2.0, x)),),
                   "``exp(x) k1(x)``; derivative ``k1e - (k0e + kve(2, .)) / 2``.", (0.7,))
kv = _elementwise("kv", "v x",
                  (_NO_ORDER, lambda v, x, a: -0.5 * (kv(v - 1.0, x) + kv(v + 1.0, x))),
                  "Modified Bessel function of the second kind; derivative in ``x`` is "
                  "``-(kv(v-1, x) + kv(v+1, x)) / 2``.", (1.5, 0.7))
kve = _elementwise("kve", "v x",
                   (_NO_ORDER, lambda v, x, a: a - 0.5 * (kve(v - 1.0, x) + kve(v + 1.0, x))),
                   "``exp(x) kv(v, x)``; differentiable in ``x``.", (1.5, 0.7))

# ------------------------------------------------------------ small elementary ones
exp10 = _elementwise("exp10", "x", (lambda x, a: a * _LN10,),
                     "Derivative ``log(10) 10**x``.", (0.3,))
cosm1 = _elementwise("cosm1", "x", (lambda x, a: -cnp.sin(x),),
                     "``cos(x) - 1``; derivative ``-sin(x)``.", (0.3,))


def _spence_d(z, a):
    # d/dz spence(z) = log(z) / (1 - z), with its limit -1 at z = 1
    at1 = z == 1
    zs = cnp.where(at1, 0.5, z)
    return cnp.where(at1, -1.0, cnp.log(zs) / (1.0 - zs))


spence = _elementwise("spence", "z", (_spence_d,),
                      "Dilogarithm; derivative ``log(z) / (1 - z)`` (-1 at z = 1).", (0.3,))

# NumPy's own functions that SciPy re-exports.
for _name in ("expm1", "log1p", "exp2", "cbrt", "sinc"):
    globals()[_name] = public(_NS, _name, "primitive", getattr(cnp, _name), (_name,))


# ------------------------------------------------------------- composite functions
def _axes(axis, ndim: int, fname: str) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    out = []
    for a in axis:
        a = operator.index(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(
                f"chainrule.scipy.special.{fname}: axis {a} is out of bounds for an array "
                f"of dimension {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"chainrule.scipy.special.{fname}: repeated axis in {axis}")
    return tuple(sorted(out))




def _lse(a, axes: tuple, b=None):
    """log(sum(b * exp(a))) over ``axes``, keeping the reduced axes; shifted by the
    (constant) maximum so nothing overflows. The shift does not change the value, so
    taking it from the plain values leaves every derivative exact."""
    ap = plain(a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if b is not None:
            bp = np.broadcast_to(plain(b), ap.shape)
            m = np.max(np.where(bp != 0, ap, -np.inf), axis=axes, keepdims=True)
        else:
            m = np.max(ap, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        z = a - m
        if b is not None and np.any(plain(z) > 700.0):
            # entries with weight 0 above the shift: keep b * exp(z) finite (= 0)
            z = cnp.minimum(z, 700.0)
        e = cnp.exp(z)
        if b is not None:
            e = e * b
        return cnp.sum(e, axis=axes, keepdims=True), m


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """Differentiable ``scipy.special.logsumexp``: ``log(sum(b * exp(a)))``, stable.

    The derivative in ``a`` is ``b * exp(a - logsumexp(a))`` (the softmax), in ``b`` it is
    ``exp(a - logsumexp(a))``; both are finite where the value is. With
    ``return_sign=True`` it returns ``(log|sum|, sign)`` and the sign is a constant.

    >>> import numpy as np, chainrule as cr, chainrule.scipy.special as csp
    >>> float(csp.logsumexp(np.array([1000.0, 1000.0]))) == 1000.0 + float(np.log(2.0))
    True
    >>> cr.grad(csp.logsumexp)(np.array([1000.0, 1000.0]))
    array([0.5, 0.5])
    """
    a = as_float(a)
    if b is not None:
        b = as_float(b)
        shape = np.broadcast_shapes(a.shape, b.shape)
        if a.shape != shape:
            a = cnp.broadcast_to(a, shape)
    if a.ndim == 0:                                 # as SciPy: at least one dimension
        a = cnp.reshape(a, (1,))
    axes = _axes(axis, a.ndim, "logsumexp")
    if a.size == 0:
        shape = tuple(1 if i in axes else n for i, n in enumerate(a.shape))
        out = np.full(shape, -np.inf, dtype=plain(a).dtype)
        sgn = np.sign(out)
    else:
        s, m = _lse(a, axes, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            if return_sign:
                sgn = np.sign(plain(s))
                s = cnp.abs(s)
            out = cnp.log(s) + m
    if not keepdims:
        out = cnp.squeeze(out, axis=axes)
        if return_sign:
            sgn = np.squeeze(sgn, axis=axes)
    if return_sign:
        return scalar(out), scalar(sgn)
    return scalar(out)


def softmax(x, axis=None):
    """Differentiable ``scipy.special.softmax``: ``exp(x - logsumexp(x, axis))``.

    >>> import numpy as np, chainrule.scipy.special as csp
    >>> np.round(csp.softmax(np.array([0.0, np.log(3.0)])), 3)
    array([0.25, 0.75])
    """
    x = as_float(x)
    s, m = _lse(x, _axes(axis, x.ndim, "softmax"))
    return cnp.exp((x - m) - cnp.log(s))


def log_softmax(x, axis=None):
    """Differentiable ``scipy.special.log_softmax``: ``x - logsumexp(x, axis)``, stable
    for large inputs (``log_softmax([1e4, 0])`` is ``[0, -1e4]``, finite derivative).

    >>> import numpy as np, chainrule.scipy.special as csp
    >>> csp.log_softmax(np.array([1e4, 0.0]))
    array([     0., -10000.])
    """
    x = as_float(x)
    s, m = _lse(x, _axes(axis, x.ndim, "log_softmax"))
    return (x - m) - cnp.log(s)


def softplus(x):
    """Differentiable ``scipy.special.softplus``: ``log(1 + exp(x))``, stable; derivative
    ``expit(x)``.

    >>> import chainrule as cr, chainrule.scipy.special as csp
    >>> float(csp.softplus(0.0)) == float(__import__('numpy').log(2.0))
    True
    >>> float(cr.grad(csp.softplus)(0.0))
    0.5
    """
    return cnp.logaddexp(0.0, as_float(x))


def multigammaln(a, d):
    """Differentiable ``scipy.special.multigammaln(a, d)``: the log of the multivariate
    gamma function, ``d(d-1)/4 log(pi) + sum_j gammaln(a - j/2)``. ``d`` is a positive
    integer (no derivative); ``a`` must exceed ``(d - 1) / 2``.

    >>> import numpy as np, scipy.special as sc, chainrule as cr, chainrule.scipy.special as csp
    >>> bool(np.isclose(csp.multigammaln(3.5, 3), sc.multigammaln(3.5, 3)))
    True
    >>> want = sum(sc.digamma(3.5 - j / 2) for j in range(3))
    >>> bool(np.isclose(cr.grad(csp.multigammaln)(3.5, 3), want))
    True
    """
    if not np.isscalar(d) or int(d) != d or d < 1:
        raise ValueError(f"chainrule.scipy.special.multigammaln: d should be a positive "
                         f"integer (the dimension), got {d!r}")
    d = int(d)
    a = as_float(a)
    if np.any(plain(a) <= 0.5 * (d - 1)):
        raise ValueError(f"chainrule.scipy.special.multigammaln: condition a > (d-1)/2 = "
                         f"{0.5 * (d - 1)} not met by a = {plain(a)!r}")
    out = gammaln(a)
    for j in range(1, d):
        out = out + gammaln(a - 0.5 * j)
    return scalar(out + 0.25 * d * (d - 1) * math.log(math.pi))


for _f in (logsumexp, softmax, log_softmax, softplus, multigammaln):
    public(_NS, _f.__name__, "composite", _f)

__all__ = sorted(e["name"] for e in PUBLIC.values() if e["namespace"] == _NS)
# The generated functions live in another module's code; list them so that doctest
# (``pytest --doctest-modules``) runs their examples too.
__test__ = {e["name"]: e["fn"] for e in PUBLIC.values()
            if e["namespace"] == _NS and e["kind"] == "primitive" and e["fn"].__doc__
            and "csp." in e["fn"].__doc__}
