"""Elementwise functions: unary math, binary arithmetic, where/clip/maximum/minimum.

Each primitive is one line of registration: its NumPy implementation and the derivative
of the elementwise map, from which both the VJP (``g * f'(x)``) and the JVP
(``t * f'(x)``) follow. Broadcasting is undone centrally (core.reverse.unbroadcast).
Derivatives are written with chainrule.numpy functions so that they can be differentiated
again.

Kink conventions: ``abs``/``fabs`` have derivative 0 at 0 (``sign``); ``maximum``,
``minimum``, ``fmax``, ``fmin`` send the derivative to the strictly larger (smaller)
argument; a tie between two traced arguments splits it equally (``maximum(x, x)`` has
derivative 1), a tie with a constant gives 0 (``maximum(x, 0)``, ReLU, at 0);
``clip`` passes derivative inside the closed interval ``[a_min, a_max]``.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from ..core.primitive import REGISTRY as _REG, Primitive, make_binary, make_unary, bind
from ..core.primitive import pass_through
from ..core.primitive import _as_array
from ..core.tracer import Tracer
from ._registry import public

_NS = "numpy"
_FAM = "elementwise"


def _unary(name: str, impl, deriv, doc: str = "", vjp=None, jvp=None) -> callable:
    """Register a unary elementwise primitive with derivative ``deriv(x, ans)``
    (``vjp``/``jvp`` may give the rules directly, saving a call on hot paths)."""
    p = Primitive(name, impl,
                  vjp_rules=[vjp or (lambda g, ans, x: g * deriv(x, ans))],
                  jvp_rules=[jvp or (lambda t, ans, x: t * deriv(x, ans))],
                  elementwise=True, family=_FAM)
    f = make_unary(p, name, doc)                 # doc examples: _add_examples below
    return public(_NS, name, "primitive", f, (name,))


def _linear_unary(name: str, impl, doc: str = "") -> callable:
    """A unary primitive that is linear: its JVP and VJP are the function itself."""
    p = Primitive(name, impl, elementwise=True, family=_FAM)
    f = make_unary(p, name, doc)
    p.vjp_rules = (lambda g, ans, x: f(g),)
    p.jvp_rules = (lambda t, ans, x: f(t),)
    return public(_NS, name, "primitive", f, (name,))


def _binary(name: str, impl, d1, d2, doc: str = "", op=None) -> callable:
    """Register a binary elementwise primitive with partials ``d1(x, y, ans)``,
    ``d2(x, y, ans)`` (``None``: no derivative in that argument)."""
    vr = [None if d1 is None else (lambda g, ans, x, y: g * d1(x, y, ans)),
          None if d2 is None else (lambda g, ans, x, y: g * d2(x, y, ans))]
    jr = [None if d1 is None else (lambda t, ans, x, y: t * d1(x, y, ans)),
          None if d2 is None else (lambda t, ans, x, y: t * d2(x, y, ans))]
    p = Primitive(name, impl, vjp_rules=vr, jvp_rules=jr, elementwise=True, family=_FAM)
    f = make_binary(p, name, doc or f"Differentiable ``numpy.{name}`` (broadcasting).")
    if op is not None:
        # Traced values hold ndarrays or NumPy scalars, for which the Python operator is
        # the same ufunc but much cheaper on 0-d values; the public function keeps NumPy's.
        p.impl = op
    return public(_NS, name, "primitive", f, (name,))


# ------------------------------------------------------------------ arithmetic (linear)
def _add_rules():
    p = Primitive("add", np.add, elementwise=True, family=_FAM,
                  vjp_rules=[pass_through, pass_through],
                  jvp_rules=[pass_through, pass_through])
    q = Primitive("subtract", np.subtract, elementwise=True, family=_FAM,
                  vjp_rules=[pass_through, lambda g, ans, x, y: -g],
                  jvp_rules=[pass_through, lambda t, ans, x, y: -t])
    return p, q


_padd, _psub = _add_rules()
add = public(_NS, "add", "primitive", make_binary(_padd, "add", "Differentiable ``numpy.add``.\n\n>>> import chainrule as cr, chainrule.numpy as cnp\n>>> float(cr.grad(lambda x: cnp.add(x, x))(1.0))\n2.0\n"), ("add",))
subtract = public(_NS, "subtract", "primitive", make_binary(_psub, "subtract", "Differentiable ``numpy.subtract``."), ("subtract",))
_padd.impl, _psub.impl = operator.add, operator.sub    # traced path only (see _binary)
negative = _linear_unary("negative", np.negative, "Differentiable ``numpy.negative``.")
positive = _linear_unary("positive", np.positive, "Differentiable ``numpy.positive``.")

multiply = _binary("multiply", np.multiply, lambda x, y, a: y, lambda x, y, a: x, op=operator.mul)
# multiply is the hottest rule: give it direct rules (one call instead of two)
_REG["multiply"].vjp_rules = (lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x)
_REG["multiply"].jvp_rules = (lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t)
_REG["multiply"].vjp_same = lambda g, ans, x, y: g * (x + x)      # x * x
# divide(1.0, y): a constant Python 0 divisor gives inf like NumPy, not ZeroDivisionError
divide = _binary("divide", np.divide, lambda x, y, a: divide(1.0, y), lambda x, y, a: -a / y,
                 op=operator.truediv)
true_divide = public(_NS, "true_divide", "composite", divide)


def _pow_dx(x, y, ans):
    # y * x**(y-1), written so that x = 0, y = 1 gives 1 rather than 0 * inf
    return y * power(x, y - 1)


def _pow_dy(x, y, ans):
    # log(x) * x**y, with 0 where x == 0 (the limit for y > 0) instead of NaN
    safe = where(x == 0, 1.0, x)
    return where(x == 0, 0.0, ans * log(safe))


power = _binary("power", np.power, _pow_dx, _pow_dy)
float_power = _binary("float_power", np.float_power, lambda x, y, a: y * float_power(x, y - 1),
                      _pow_dy)

# ----------------------------------------------------------------------- unary math
_LN2, _LN10 = math.log(2.0), math.log(10.0)

sin = _unary("sin", np.sin, lambda x, a: cos(x), vjp=lambda g, ans, x: g * cos(x),
             jvp=lambda t, ans, x: t * cos(x))
cos = _unary("cos", np.cos, lambda x, a: -sin(x), vjp=lambda g, ans, x: -(g * sin(x)),
             jvp=lambda t, ans, x: -(t * sin(x)))
tan = _unary("tan", np.tan, lambda x, a: 1.0 + a * a)
arcsin = _unary("arcsin", np.arcsin, lambda x, a: 1.0 / sqrt(1.0 - x * x))
arccos = _unary("arccos", np.arccos, lambda x, a: -1.0 / sqrt(1.0 - x * x))
arctan = _unary("arctan", np.arctan, lambda x, a: 1.0 / (1.0 + x * x))
sinh = _unary("sinh", np.sinh, lambda x, a: cosh(x))
cosh = _unary("cosh", np.cosh, lambda x, a: sinh(x))
tanh = _unary("tanh", np.tanh, lambda x, a: 1.0 - a * a,
              vjp=lambda g, ans, x: g * (1.0 - ans * ans))
arcsinh = _unary("arcsinh", np.arcsinh, lambda x, a: 1.0 / sqrt(x * x + 1.0))
arccosh = _unary("arccosh", np.arccosh, lambda x, a: 1.0 / sqrt(x * x - 1.0))
arctanh = _unary("arctanh", np.arctanh, lambda x, a: 1.0 / (1.0 - x * x))
exp = _unary("exp", np.exp, lambda x, a: a, vjp=lambda g, ans, x: g * ans,
             jvp=lambda t, ans, x: t * ans)
exp2 = _unary("exp2", np.exp2, lambda x, a: a * _LN2)
expm1 = _unary("expm1", np.expm1, lambda x, a: a + 1.0)
log = _unary("log", np.log, lambda x, a: 1.0 / x)
log2 = _unary("log2", np.log2, lambda x, a: 1.0 / (x * _LN2))
log10 = _unary("log10", np.log10, lambda x, a: 1.0 / (x * _LN10))
log1p = _unary("log1p", np.log1p, lambda x, a: 1.0 / (1.0 + x))
sqrt = _unary("sqrt", np.sqrt, lambda x, a: 0.5 / a)
cbrt = _unary("cbrt", np.cbrt, lambda x, a: 1.0 / (3.0 * a * a))
square = _unary("square", np.square, lambda x, a: 2.0 * x)
reciprocal = _unary("reciprocal", np.reciprocal, lambda x, a: -(a * a))
absolute = _unary("absolute", np.absolute, lambda x, a: sign(x),
                  "Differentiable ``numpy.absolute``; derivative ``sign(x)``, 0 at 0.")
abs = public(_NS, "abs", "composite", absolute)
fabs = _unary("fabs", np.fabs, lambda x, a: sign(x), "``numpy.fabs``; derivative 0 at 0.")
deg2rad = _unary("deg2rad", np.deg2rad, lambda x, a: math.pi / 180.0)
rad2deg = _unary("rad2deg", np.rad2deg, lambda x, a: 180.0 / math.pi)
radians = public(_NS, "radians", "composite", deg2rad)
degrees = public(_NS, "degrees", "composite", rad2deg)


def _sinc_d(x, a):
    # d/dx sin(pi x)/(pi x) = (cos(pi x) - sinc(x)) / x, and 0 at x = 0
    safe = where(x == 0, 1.0, x)
    return where(x == 0, 0.0, (cos(math.pi * safe) - sinc(safe)) / safe)


sinc = _unary("sinc", np.sinc, _sinc_d)
logaddexp = _binary("logaddexp", np.logaddexp, lambda x, y, a: exp(x - a),
                    lambda x, y, a: exp(y - a))
logaddexp2 = _binary("logaddexp2", np.logaddexp2, lambda x, y, a: exp2(x - a),
                     lambda x, y, a: exp2(y - a))
hypot = _binary("hypot", np.hypot,
                lambda x, y, a: where(a == 0, 0.0, x / where(a == 0, 1.0, a)),
                lambda x, y, a: where(a == 0, 0.0, y / where(a == 0, 1.0, a)))
arctan2 = _binary("arctan2", np.arctan2,
                  lambda y, x, a: x / (x * x + y * y), lambda y, x, a: -y / (x * x + y * y))

# Kinks. The derivative goes to the strictly larger (smaller) argument. On a tie it is
# split equally when both arguments are traced (so maximum(x, x) = x has derivative 1,
# and max(x, y) gets a subgradient) and is 0 when the other argument is a constant (so
# ReLU, maximum(x, 0), has derivative 0 at 0). The public function decides which case
# applies and passes the tie weight to the rules.
def _kink_partial(pick, nan_passes):
    def d(x, y, tie):
        # A boolean mask where possible: multiplying by it keeps the cotangent's dtype
        # (float32 stays float32) and costs no conversion.
        xv, yv = _p(x), _p(y)
        w = pick(xv, yv)
        if nan_passes:
            w = w | (np.isnan(yv) & ~np.isnan(xv))
        if tie:
            w = np.where(np.equal(xv, yv), tie, w).astype(_ftype(x, y))
        return w
    return d


def _kink(name, np_fn, pick, nan_passes, doc):
    d = _kink_partial(pick, nan_passes)
    p = Primitive(name, lambda x, y, tie: np_fn(x, y), elementwise=True, family=_FAM,
                  vjp_rules=[lambda g, ans, x, y, tie: g * d(x, y, tie),
                             lambda g, ans, x, y, tie: g * d(y, x, tie)],
                  jvp_rules=[lambda t, ans, x, y, tie: t * d(x, y, tie),
                             lambda t, ans, x, y, tie: t * d(y, x, tie)])

    def f(x1, x2, /):
        x1, x2 = _as_array(x1), _as_array(x2)   # lists may hold traced values
        t1, t2 = isinstance(x1, Tracer), isinstance(x2, Tracer)
        if not (t1 or t2):
            return np_fn(x1, x2)
        return bind(p, (x1, x2), {"tie": 0.5 if t1 and t2 else 0.0})

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    p.fn = lambda x, y, tie: bind(p, (x, y), {"tie": tie})
    return public(_NS, name, "primitive", f, (name,))


_TIE_DOC = ("Differentiable ``numpy.{0}``: the derivative goes to the {1} argument; on a "
            "tie it is split equally between two traced arguments (``{0}(x, x)`` has "
            "derivative 1) and is 0 against a constant (``{0}(x, 0)`` has derivative 0 "
            "at 0).")
maximum = _kink("maximum", np.maximum, np.greater, False, _TIE_DOC.format("maximum", "larger"))
minimum = _kink("minimum", np.minimum, np.less, False, _TIE_DOC.format("minimum", "smaller"))
fmax = _kink("fmax", np.fmax, np.greater, True, _TIE_DOC.format("fmax", "larger")
             + " A NaN argument passes the derivative to the other one.")
fmin = _kink("fmin", np.fmin, np.less, True, _TIE_DOC.format("fmin", "smaller")
             + " A NaN argument passes the derivative to the other one.")
mod = _binary("mod", np.mod, lambda x, y, a: 1.0, lambda x, y, a: -np.floor_divide(_p(x), _p(y)))
remainder = public(_NS, "remainder", "composite", mod)
fmod = _binary("fmod", np.fmod, lambda x, y, a: 1.0,
               lambda x, y, a: -np.trunc(np.divide(_p(x), _p(y))))
copysign = _binary("copysign", np.copysign,
                   lambda x, y, a: where(sign(x) * sign(a) < 0, -1.0, 1.0), None)


def _p(x):
    while isinstance(x, Tracer):
        x = x._primal
    return x


def _ftype(x, y):
    return np.result_type(_dt(x), _dt(y), np.float16)


def _dt(v):
    v = _p(v)
    return v.dtype if hasattr(v, "dtype") else np.result_type(v)


# Comparisons used inside rules: plain boolean arrays from the primal values.
def greater(x, y):
    return np.greater(_p(x), _p(y))


def less(x, y):
    return np.less(_p(x), _p(y))


def sign(x):
    return np.sign(_p(x))


# ---------------------------------------------------------------- where and clip
def _where_impl(cond, x, y):
    return np.where(cond, x, y)


_pwhere = Primitive(
    "where", _where_impl, elementwise=True, family=_FAM,
    vjp_rules=[None, lambda g, ans, c, x, y: where(c, g, 0.0),
               lambda g, ans, c, x, y: where(c, 0.0, g)],
    jvp_rules=[None, lambda t, ans, c, x, y: where(c, t, 0.0),
               lambda t, ans, c, x, y: where(c, 0.0, t)])


def where(condition, x=None, y=None, /):
    """Differentiable ``numpy.where(condition, x, y)``.

    The derivative flows to ``x`` where ``condition`` holds and to ``y`` elsewhere; the
    branch not picked receives exact zeros. A branch that is NaN or inf at the points it
    does not pick (``log`` of a negative) still makes *its own* derivative NaN there, so
    mask the input first::

        safe = cnp.where(x > 0, x, 1.0)
        y = cnp.where(x > 0, cnp.log(safe), 0.0)

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> float(cr.grad(lambda x: cnp.where(x > 0, x * x, -x))(3.0))
    6.0
    """
    if x is None and y is None:
        return np.where(_p(condition))
    if x is None or y is None:
        raise ValueError("chainrule.numpy.where: pass both x and y, or neither")
    return bind(_pwhere, (_p(condition), x, y), {})


public(_NS, "where", "primitive", where, ("where",))


def _clip_impl(a, lo, hi):
    return np.clip(a, lo, hi)


_pclip = Primitive(
    "clip", _clip_impl, elementwise=True, family=_FAM,
    vjp_rules=[lambda g, ans, a, lo, hi: g * _inside(a, lo, hi),
               lambda g, ans, a, lo, hi: g * (np.less(_p(a), _p(lo))),
               lambda g, ans, a, lo, hi: g * (np.greater(_p(a), _p(hi)))],
    jvp_rules=[lambda t, ans, a, lo, hi: t * _inside(a, lo, hi),
               lambda t, ans, a, lo, hi: t * (np.less(_p(a), _p(lo))),
               lambda t, ans, a, lo, hi: t * (np.greater(_p(a), _p(hi)))])


def _inside(a, lo, hi):
    a = _p(a)
    return (a >= _p(lo)) & (a <= _p(hi))


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    """Differentiable ``numpy.clip`` (bounds also as ``min=`` / ``max=``): derivative 1
    inside the closed interval ``[a_min, a_max]``, else it goes to the bound that was hit.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> float(cr.grad(lambda x: cnp.clip(x, 0.0, 1.0))(0.5)), float(cr.grad(lambda x: cnp.clip(x, 0.0, 1.0))(2.0))
    (1.0, 0.0)
    """
    if out is not None:
        raise TypeError("chainrule.numpy.clip: out= is not supported (it writes into an "
                        "existing array); use the returned value")
    for given, alias, what in ((a_min, min, "a_min"), (a_max, max, "a_max")):
        if given is not None and alias is not None:
            raise ValueError(f"chainrule.numpy.clip: pass {what} or its alias, not both")
    a_min = min if a_min is None else a_min
    a_max = max if a_max is None else a_max
    if a_min is None and a_max is None:
        return a if isinstance(a, Tracer) else np.clip(a, None, None)
    lo = -np.inf if a_min is None else a_min
    hi = np.inf if a_max is None else a_max
    return bind(_pclip, (a, lo, hi), {})


public(_NS, "clip", "primitive", clip, ("clip",))


# ------------------------------------------------------------------ doc examples
# Each example evaluates the function at a point inside its domain and checks the
# derivative against the closed form (NumPy code in x, y), which the doc also shows.
_UNARY_EXAMPLES = {
    "sin": (0.5, "np.cos(x)"), "cos": (0.5, "-np.sin(x)"), "tan": (0.5, "1 / np.cos(x) ** 2"),
    "arcsin": (0.5, "1 / np.sqrt(1 - x ** 2)"), "arccos": (0.5, "-1 / np.sqrt(1 - x ** 2)"),
    "arctan": (0.5, "1 / (1 + x ** 2)"), "sinh": (0.5, "np.cosh(x)"),
    "cosh": (0.5, "np.sinh(x)"), "tanh": (0.5, "1 - np.tanh(x) ** 2"),
    "arcsinh": (0.5, "1 / np.sqrt(x ** 2 + 1)"), "arccosh": (2.0, "1 / np.sqrt(x ** 2 - 1)"),
    "arctanh": (0.5, "1 / (1 - x ** 2)"), "exp": (0.5, "np.exp(x)"),
    "exp2": (0.5, "np.exp2(x) * np.log(2)"), "expm1": (0.5, "np.exp(x)"),
    "log": (2.0, "1 / x"), "log2": (2.0, "1 / (x * np.log(2))"),
    "log10": (2.0, "1 / (x * np.log(10))"), "log1p": (0.5, "1 / (1 + x)"),
    "sqrt": (4.0, "0.5 / np.sqrt(x)"), "cbrt": (8.0, "1 / (3 * np.cbrt(x) ** 2)"),
    "square": (0.5, "2 * x"), "reciprocal": (2.0, "-1 / x ** 2"),
    "absolute": (-0.5, "np.sign(x)", "Kink convention: the derivative at 0 is 0."),
    "fabs": (-0.5, "np.sign(x)", "Kink convention: the derivative at 0 is 0."),
    "deg2rad": (90.0, "np.pi / 180"), "rad2deg": (0.5, "180 / np.pi"),
    "sinc": (0.5, "(np.cos(np.pi * x) - np.sinc(x)) / x", "The derivative at 0 is 0."),
    "negative": (0.5, "-1.0"), "positive": (0.5, "1.0"),
}
_TIE = ("Kink convention: the derivative goes to the {} argument; on a tie it is split "
        "equally between two traced arguments and is 0 against a constant (so ``{}(x, 0)`` "
        "has derivative 0 at 0).")
_NAN = " A NaN argument passes the derivative to the other one."
_BINARY_EXAMPLES = {
    "subtract": (3.0, 1.0, "1.0", "-1.0"), "multiply": (0.5, 2.0, "y", "x"),
    "divide": (0.5, 2.0, "1 / y", "-x / y ** 2"),
    "power": (2.0, 3.0, "y * x ** (y - 1)", "np.log(x) * x ** y",
              "At ``x = 0`` the partial in ``y`` is 0 (its limit for ``y > 0``)."),
    "float_power": (2.0, 3.0, "y * x ** (y - 1)", "np.log(x) * x ** y"),
    "logaddexp": (0.5, 2.0, "np.exp(x - np.logaddexp(x, y))", "np.exp(y - np.logaddexp(x, y))"),
    "logaddexp2": (0.5, 2.0, "np.exp2(x - np.logaddexp2(x, y))",
                   "np.exp2(y - np.logaddexp2(x, y))"),
    "hypot": (3.0, 4.0, "x / np.hypot(x, y)", "y / np.hypot(x, y)",
              "Both partials are 0 at the origin."),
    "arctan2": (0.5, 2.0, "y / (x ** 2 + y ** 2)", "-x / (x ** 2 + y ** 2)"),
    "maximum": (1.0, 2.0, "0.0", "1.0", _TIE.format("larger", "maximum")),
    "minimum": (1.0, 2.0, "1.0", "0.0", _TIE.format("smaller", "minimum")),
    "fmax": (1.0, 2.0, "0.0", "1.0", _TIE.format("larger", "fmax") + _NAN),
    "fmin": (1.0, 2.0, "1.0", "0.0", _TIE.format("smaller", "fmin") + _NAN),
    "mod": (5.0, 3.0, "1.0", "-np.floor(x / y)", "It jumps where ``x / y`` is an integer."),
    "fmod": (-5.0, 3.0, "1.0", "-np.trunc(x / y)", "It jumps where ``x / y`` is an integer."),
    "copysign": (2.0, -1.0, "-1.0", "0.0", "The sign of ``y`` is a constant (partial 0)."),
}
_HEAD = ">>> import chainrule as cr, chainrule.numpy as cnp, numpy as np\n"


def _add_examples() -> None:
    g = globals()
    for name, (x, d, *note) in _UNARY_EXAMPLES.items():
        g[name].__doc__ = (
            f"Differentiable ``numpy.{name}``; derivative ``{d}``. {' '.join(note)}\n\n"
            f"{_HEAD}>>> x = {x!r}\n>>> float(cnp.{name}(x)) == float(np.{name}(x))\nTrue\n"
            f">>> bool(np.isclose(cr.grad(cnp.{name})(x), {d}))\nTrue\n")
    for name, (x, y, d1, d2, *note) in _BINARY_EXAMPLES.items():
        g[name].__doc__ = (
            f"Differentiable ``numpy.{name}`` (broadcasting); partial derivatives ``{d1}`` "
            f"and ``{d2}``. {' '.join(note)}\n\n"
            f"{_HEAD}>>> x, y = {x!r}, {y!r}\n"
            f">>> float(cnp.{name}(x, y)) == float(np.{name}(x, y))\nTrue\n"
            f">>> bool(np.allclose(cr.grad(cnp.{name}, argnums=(0, 1))(x, y), ({d1}, {d2})))"
            f"\nTrue\n")


_add_examples()
