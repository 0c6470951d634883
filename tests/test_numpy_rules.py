"""Table-driven checks of every differentiable function of ``chainrule.numpy``.

``TABLE`` maps each public name (from ``chainrule.numpy._registry.PUBLIC``) to its cases:
a call ``call(m, *args)`` written once for ``m = numpy`` and ``m = chainrule.numpy``,
argument builders (a domain and a shape each) and the keyword variant in the label.
For every case, :func:`test_rule` checks

(a) the value against NumPy's (plain and traced);
(b) ``cr.check_grads`` in both modes to second order;
(c) ``jacfwd == jacrev`` for each argument (batched tangents and cotangents);
(d) the Hessian of ``sum(sin(f))`` two ways, ``jacfwd(jacrev)`` and ``jacrev(jacfwd)``.

:func:`test_every_public_function_is_in_the_table` fails when a differentiable function
is added without cases. Zero-derivative functions have their own table (``NONDIFF``).
Kinks, NaN-safe ``where``, float32, methods and operators have dedicated tests below.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings
import zlib

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
from chainrule.core.errors import TracedNumpyError
from chainrule.core.tracer import Tracer
from chainrule.numpy._registry import PUBLIC

# ------------------------------------------------------------------------ domains
# A domain draws an array of a given shape; points stay inside the function's domain
# and away from kinks, ties and branch cuts (the kink tests below go there on purpose).


def U(lo, hi):
    """Uniform on [lo, hi]."""
    return lambda rng, shape: np.asarray(rng.uniform(lo, hi, shape), dtype=np.float64)


def NZ(lo, hi):
    """lo <= |x| <= hi, either sign (away from 0)."""
    def draw(rng, shape):
        s = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
        return np.asarray(s * rng.uniform(lo, hi, shape), dtype=np.float64)
    return draw


def AWAY(lo, hi, points, margin):
    """Uniform on [lo, hi], at least ``margin`` away from each of ``points``."""
    def draw(rng, shape):
        x = rng.uniform(lo, hi, shape)
        for _ in range(100):
            bad = np.zeros(np.shape(x), bool)
            for p in points:
                bad |= np.abs(x - p) < margin
            if not bad.any():
                break
            x = np.where(bad, rng.uniform(lo, hi, shape), x)
        return np.asarray(x, dtype=np.float64)
    return draw


def ZEROS(k):
    """Nonzero values with ``k`` entries set to exactly 0 (prod/cumprod must stay exact)."""
    def draw(rng, shape):
        x = NZ(0.5, 1.5)(rng, shape)
        flat = x.reshape(-1)
        flat[rng.choice(flat.size, size=min(k, flat.size), replace=False)] = 0.0
        return x
    return draw


def NANS(rng, shape):
    """Values with a NaN in the first and the last entry (nansum, nanmean)."""
    x = U(-1.5, 1.5)(rng, shape)
    x.reshape(-1)[[0, -1]] = np.nan
    return x


def DISTINCT(rng, shape):
    """Well separated values in random order (max/min/sort/ptp: no near-ties)."""
    n = int(np.prod(shape, dtype=int))
    vals = (np.arange(n) - n / 2) * 0.3 + rng.uniform(-0.05, 0.05, n)
    return np.asarray(rng.permutation(vals).reshape(shape), dtype=np.float64)


REAL = U(-1.5, 1.5)
POS = U(0.5, 2.0)
UNIT = U(-0.8, 0.8)
NONZERO = NZ(0.3, 1.5)

S0, S1, S2, S3 = (), (5,), (3, 4), (2, 3, 4)
UNARY_SHAPES = (S0, S1, S2, S3)
BINARY_SHAPES = ((S0, S0), (S1, S1), (S2, S2), (S2, (4,)), ((3, 1), (1, 4)), (S0, S2),
                 ((4,), S3))

# ------------------------------------------------------------------------- cases


class Case:
    """One table entry: ``call(m, *args)`` for ``m`` in (numpy, chainrule.numpy)."""

    def __init__(self, name, label, call, specs, hess=True, ref=None):
        self.name, self.label, self.call, self.hess, self.ref = name, label, call, hess, ref
        rng = np.random.default_rng(zlib.crc32(f"{name}-{label}".encode()))
        self._args = tuple(s.copy() if isinstance(s, np.ndarray) else s[0](rng, s[1])
                           for s in specs)

    @property
    def args(self):
        return tuple(a.copy() for a in self._args)      # fresh: a call may write into them

    @property
    def id(self):
        return f"{self.name}-{self.label}"

    def fn(self, *args):
        return _join(cnp, self.call(cnp, *args))

    def want(self, args=None):
        args = self.args if args is None else args
        if self.ref is not None:
            return _join(np, self.ref(*args))
        return _join(np, self.call(np, *args))


def _join(m, out):
    """Several outputs (split, broadcast_arrays, ...) as one flat array."""
    if isinstance(out, (list, tuple)):
        return m.concatenate([m.ravel(o) for o in out])
    return out


TABLE: dict[str, list[Case]] = {}


def case(name, call, *specs, label="", hess=True, ref=None):
    """Add a case; ``specs`` are ``(domain, shape)`` pairs or fixed arrays."""
    if not label:
        label = "x".join(str(s[1]) if not isinstance(s, np.ndarray) else "arr"
                         for s in specs).replace(" ", "")
    n = len(TABLE.setdefault(name, []))
    TABLE[name].append(Case(name, f"{n}:{label}", call, specs, hess, ref))


def fn(name, **kw):
    """``call`` for ``m.name(*args, **kw)``."""
    call = lambda m, *a: getattr(m, name)(*a, **kw)        # noqa: E731
    call.direct = True            # the arguments go straight in (see the array_like test)
    return call


def unary(name, dom=REAL, shapes=UNARY_SHAPES):
    for s in shapes:
        case(name, fn(name), (dom, s))


def binary(name, dom1=REAL, dom2=REAL, shapes=BINARY_SHAPES):
    for s1, s2 in shapes:
        case(name, fn(name), (dom1, s1), (dom2, s2))


def _fmt(kw):
    """A keyword dict for a test id (arrays shown by their shape)."""
    return "{" + ",".join(f"{k}={f'mask{v.shape}' if isinstance(v, np.ndarray) else v!r}"
                          for k, v in kw.items()) + "}"


def variants(name, shapes_kws, dom=REAL, hess=True):
    """One case per (shape, keyword dict)."""
    for s, kw in shapes_kws:
        case(name, fn(name, **kw), (dom, s), label=f"{s}{_fmt(kw)}".replace(" ", ""), hess=hess)


# --------------------------------------------------------------- elementwise math
for _n in ("sin", "cos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "exp", "exp2",
           "expm1", "square", "deg2rad", "rad2deg", "radians", "degrees", "negative",
           "positive"):
    unary(_n)
unary("tan", U(-1.2, 1.2))
for _n in ("arcsin", "arccos", "arctanh"):
    unary(_n, UNIT)
unary("arccosh", U(1.2, 3.0))
for _n in ("log", "log2", "log10", "sqrt"):
    unary(_n, POS)
unary("log1p", U(-0.5, 2.0))
for _n in ("cbrt", "reciprocal", "absolute", "abs", "fabs", "sinc"):
    unary(_n, NONZERO)

for _n in ("add", "subtract", "multiply", "logaddexp", "logaddexp2", "maximum", "minimum",
           "fmax", "fmin"):
    binary(_n)
for _n in ("divide", "true_divide"):
    binary(_n, REAL, NONZERO)
for _n in ("power", "float_power"):
    binary(_n, POS, REAL)
binary("hypot", NONZERO, NONZERO)
binary("arctan2", REAL, POS)
binary("arctan2", POS, REAL, shapes=((S2, S2),))
binary("copysign", NONZERO, NONZERO)
# x / y stays strictly between two integers: no jumps of mod / fmod nearby
for _n in ("mod", "remainder", "fmod"):
    binary(_n, NZ(0.1, 1.4), U(1.5, 2.0))
case("power", lambda m, x: x ** 3, (REAL, S2), label="int-exponent")
case("power", lambda m, x: m.power(x, 0.5), (POS, S1), label="sqrt-exponent")
case("power", lambda m, y: m.power(2.0, y), (REAL, S1), label="const-base")
case("maximum", lambda m, x: m.maximum(x, 0.0), (NONZERO, S2), label="relu")

_C34 = np.array([[True, False, True, True], [False, False, True, False],
                 [True, True, False, True]])
case("where", lambda m, x, y: m.where(_C34, x, y), (REAL, S2), (REAL, S2))
case("where", lambda m, x, y: m.where(_C34, x, y), (REAL, (4,)), (REAL, S0))
case("where", lambda m, x, y: m.where(_C34[:, :1], x, y), (REAL, S2), (REAL, (3, 1)))
case("where", lambda m, x: m.where(_C34[0], x, 0.0), (REAL, (4,)), label="const-branch")
case("where", lambda m, x: m.where(x > 0, x ** 2, m.sin(x)), (REAL, S3), label="traced-cond")

_CLIP = AWAY(-1.5, 1.5, (-0.5, 0.5), 0.05)
case("clip", lambda m, x: m.clip(x, -0.5, 0.5), (_CLIP, S0))
case("clip", lambda m, x: m.clip(x, -0.5, 0.5), (_CLIP, S2))
case("clip", lambda m, x: m.clip(x, None, 0.5), (_CLIP, S1), label="no-min")
case("clip", lambda m, x: m.clip(x, -0.5, None), (_CLIP, S3), label="no-max")
case("clip", lambda m, x: m.clip(x, a_min=-0.5, a_max=0.5), (_CLIP, S2), label="keywords")
case("clip", lambda m, x: m.clip(x, min=-0.5), (_CLIP, S2), label="min-alias")
case("clip", lambda m, x: m.clip(x, max=0.5), (_CLIP, S1), label="max-alias")
case("clip", lambda m, x, lo, hi: m.clip(x, lo, hi), (AWAY(-1.5, 1.5, (-0.5, 0.5), 0.15), S2),
     (U(-0.55, -0.45), (4,)), (U(0.45, 0.55), (3, 1)), label="traced-bounds")

# -------------------------------------------------------------------- reductions
RED = [(S0, {}), (S1, {}), (S1, {"axis": 0}), (S2, {}), (S2, {"axis": 0}),
       (S2, {"axis": -1, "keepdims": True}), (S2, {"axis": (0, 1)}), (S3, {"axis": 1}),
       (S3, {"axis": (0, 2), "keepdims": True}), (S3, {"keepdims": True})]
for _n in ("sum", "mean", "prod", "nansum", "nanmean"):
    variants(_n, RED, dom=U(0.5, 1.5) if _n == "prod" else REAL)
variants("sum", [(S2, {"axis": 1, "dtype": np.float64}), (S2, {"initial": 1.5}),
                 (S2, {"where": _C34}), (S3, {"axis": 1, "where": _C34[0], "keepdims": True}),
                 (S2, {"axis": 0, "where": _C34[:, :1], "initial": -1.0})])
variants("mean", [(S2, {"where": _C34}), (S3, {"axis": 1, "where": _C34[:, :1]}),
                  (S2, {"axis": 0, "where": _C34, "keepdims": True})])
variants("prod", [(S2, {"initial": 2.0}), (S2, {"axis": 1, "where": _C34}),
                  (S3, {"axis": (0, 2), "where": _C34[0], "initial": 0.5})], dom=U(0.5, 1.5))
for _n in ("max", "min", "amax", "amin"):
    variants(_n, [(S2, {"axis": 0, "initial": 0.1}), (S2, {"initial": -0.1}),
                  (S2, {"axis": 1, "where": _C34, "initial": 0.05}),
                  (S3, {"where": _C34[0], "initial": 0.05, "keepdims": True})], dom=DISTINCT)
for _n in ("max", "min", "amax", "amin", "ptp"):
    variants(_n, RED, dom=DISTINCT)
for _n in ("var", "std"):
    variants(_n, [(s, kw) for s, kw in RED if s != S0]
             + [(S2, {"axis": 0, "ddof": 1}), (S3, {"ddof": 1, "axis": (0, 2)}),
                (S1, {"ddof": 1}), (S2, {"correction": 1, "axis": 1}),
                (S2, {"axis": 1, "where": _C34}), (S3, {"where": _C34[0], "ddof": 1})])
    case(_n, lambda m, x, _n=_n: getattr(m, _n)(x, axis=0, mean=m.mean(x, axis=0, keepdims=True)),
         (REAL, S2), label="given-mean")
# exact derivatives with zeros in the input
for _k in (1, 2):
    variants("prod", [(S1, {}), (S2, {"axis": 1})], dom=ZEROS(_k))
    variants("cumprod", [(S1, {}), (S2, {"axis": 0})], dom=ZEROS(_k))
variants("nansum", [(S2, {}), (S2, {"axis": 0}), (S3, {"axis": -1, "keepdims": True})],
         dom=NANS)
variants("nanmean", [(S2, {}), (S2, {"axis": 1}), (S3, {"axis": (0, 2)})], dom=NANS)
CUM = [(S0, {}), (S1, {}), (S2, {}), (S2, {"axis": 0}), (S2, {"axis": -1}), (S3, {"axis": 1})]
variants("cumsum", CUM)
variants("cumprod", CUM, dom=U(0.5, 1.5))
case("average", lambda m, x: m.average(x), (REAL, S2))
case("average", lambda m, x: m.average(x, axis=0, keepdims=True), (REAL, S2))
case("average", lambda m, x, w: m.average(x, weights=w), (REAL, S2), (POS, S2))
case("average", lambda m, x, w: m.average(x, axis=1, weights=w), (REAL, S2), (POS, (4,)))
case("average", lambda m, x, w: m.average(x, axis=-1, weights=w, returned=True),
     (REAL, S3), (POS, (4,)), label="returned")

# ------------------------------------------------------------------------- shapes
variants("reshape", [(S2, {"shape": (2, 6)}), (S2, {"shape": (-1,)}), (S3, {"shape": (4, -1)}),
                     (S0, {"shape": (1, 1)}), (S1, {"shape": (5, 1)}),
                     (S2, {"shape": (2, 6), "order": "F"}), (S3, {"shape": (6, 4), "order": "F"}),
                     (S2, {"shape": (4, 3), "order": "A"})])
case("reshape", lambda m, x: m.reshape(m.transpose(x), (2, 6), order="A"), (REAL, S2),
     label="A-of-fortran")
variants("ravel", [(S0, {}), (S2, {}), (S3, {}), (S2, {"order": "F"}), (S3, {"order": "A"})])
variants("expand_dims", [(S0, {"axis": 0}), (S2, {"axis": 0}), (S2, {"axis": -1}),
                         (S2, {"axis": (0, 3)}), (S1, {"axis": (-1, 0)})])
variants("squeeze", [((1, 3, 1), {}), ((1, 3, 1), {"axis": 0}), ((1, 3, 1), {"axis": (0, 2)}),
                     ((3, 1, 4), {"axis": -2}), (S2, {})])
for _n in ("atleast_1d", "atleast_2d", "atleast_3d"):
    unary(_n)
    case(_n, fn(_n), (REAL, S0), (REAL, S2), label="two-args")
variants("transpose", [(S0, {}), (S1, {}), (S2, {}), (S3, {}), (S3, {"axes": (1, 0, 2)}),
                       (S3, {"axes": (2, 0, 1)}), (S3, {"axes": (-1, 0, 1)})])
variants("swapaxes", [(S2, {"axis1": 0, "axis2": 1}), (S3, {"axis1": 0, "axis2": -1}),
                      (S3, {"axis1": 1, "axis2": 1})])
variants("moveaxis", [(S3, {"source": 0, "destination": -1}),
                      (S3, {"source": -1, "destination": 0}),
                      (S3, {"source": (0, 1), "destination": (2, 0)}),
                      (S2, {"source": 1, "destination": 0})])
variants("matrix_transpose", [(S2, {}), (S3, {})])
variants("broadcast_to", [(S0, {"shape": (2, 3)}), ((4,), {"shape": (3, 4)}),
                          ((3, 1), {"shape": (2, 3, 4)}), (S2, {"shape": (3, 4)})])
case("broadcast_arrays", fn("broadcast_arrays"), (REAL, (4,)), (REAL, (3, 1)))
case("broadcast_arrays", fn("broadcast_arrays"), (REAL, S0), (REAL, S2), (REAL, (2, 1, 4)))
case("astype", lambda m, x: m.astype(x, np.float64), (REAL, S2))
case("astype", lambda m, x: x * m.astype(x, np.int64), (AWAY(-2.5, 2.5, (-2, -1, 0, 1, 2),
                                                          0.1), S2), label="int-constant")
for _n in ("asarray", "asanyarray", "array", "copy"):
    case(_n, fn(_n), (REAL, S2))
    case(_n, fn(_n), (REAL, S0))
case("asarray", lambda m, x, y: m.asarray([x, y]), (REAL, S1), (REAL, S1), label="list")
case("array", lambda m, x, y: m.array([[x, y], [y, x]]), (REAL, S0), (REAL, S0),
     label="nested")
case("array", lambda m, x: m.array(x, ndmin=3), (REAL, S1), label="ndmin")
variants("flip", [(S1, {}), (S2, {"axis": 0}), (S3, {"axis": (0, 2)}), (S3, {"axis": -1})])
for _n in ("fliplr", "flipud"):
    unary(_n, shapes=(S2, S3))
variants("rot90", [(S2, {}), (S2, {"k": 2}), (S2, {"k": 3}), (S2, {"k": -1}),
                   (S3, {"k": 1, "axes": (1, 2)}), (S3, {"k": 4})])
case("concatenate", lambda m, x, y: m.concatenate([x, y]), (REAL, S2), (REAL, (2, 4)))
case("concatenate", lambda m, x, y, z: m.concatenate([x, y, z], axis=1), (REAL, S2),
     (REAL, (3, 1)), (REAL, (3, 2)))
case("concatenate", lambda m, x, y: m.concatenate([x, y], axis=-1), (REAL, S3),
     (REAL, (2, 3, 1)))
case("concatenate", lambda m, x, y: m.concatenate([x, y], axis=None), (REAL, S2), (REAL, S1))
case("concatenate", lambda m, x: m.concatenate([x, np.ones((1, 4))]), (REAL, S2),
     label="constant-part")
for _ax in (0, 1, -1):
    case("stack", lambda m, x, y, _ax=_ax: m.stack([x, y], axis=_ax), (REAL, S2), (REAL, S2),
         label=f"axis{_ax}")
case("stack", lambda m, x, y: m.stack([x, y]), (REAL, S0), (REAL, S0))
for _n in ("hstack", "vstack", "dstack", "column_stack"):
    for _s in ((S0, S0), (S1, S1), (S2, S2)):
        if _n == "column_stack" and _s[0] == S0:
            continue
        case(_n, lambda m, x, y, _n=_n: getattr(m, _n)([x, y]), (REAL, _s[0]), (REAL, _s[1]))
case("hstack", lambda m, x, y: m.hstack([x, y]), (REAL, (3, 1)), (REAL, S2), label="uneven")
case("vstack", lambda m, x, y: m.vstack([x, y]), (REAL, (4,)), (REAL, S2), label="uneven")
case("column_stack", lambda m, x, y: m.column_stack([x, y]), (REAL, (3,)), (REAL, S2),
     label="mixed")
case("append", lambda m, x, y: m.append(x, y), (REAL, S2), (REAL, S1))
case("append", lambda m, x, y: m.append(x, y, axis=0), (REAL, S2), (REAL, (1, 4)))
for _n, _s, _kws in (
        ("split", (6,), ({"indices_or_sections": 3}, {"indices_or_sections": [1, 4]})),
        ("split", S2, ({"indices_or_sections": 2, "axis": 1},
                       {"indices_or_sections": [1], "axis": 0},
                       {"indices_or_sections": [3, 1], "axis": -1})),
        ("array_split", S1, ({"indices_or_sections": 2}, {"indices_or_sections": 3})),
        ("array_split", S3, ({"indices_or_sections": 3, "axis": -1},)),
        ("hsplit", S2, ({"indices_or_sections": 2},)),
        ("hsplit", (6,), ({"indices_or_sections": [2, 3]},)),
        ("vsplit", (4, 3), ({"indices_or_sections": 2},)),
        ("vsplit", S3, ({"indices_or_sections": [1]},))):
    variants(_n, [(_s, kw) for kw in _kws])
variants("repeat", [(S1, {"repeats": 2}), (S2, {"repeats": 2, "axis": 0}),
                    (S2, {"repeats": [1, 0, 2, 3], "axis": 1}), (S0, {"repeats": 3}),
                    (S3, {"repeats": 2, "axis": -2})])
variants("tile", [(S0, {"reps": 3}), (S1, {"reps": 2}), (S1, {"reps": (2, 2)}),
                  (S2, {"reps": (2, 1)}), (S2, {"reps": (1, 2, 1)})])
variants("roll", [(S1, {"shift": 2}), (S1, {"shift": -7}), (S2, {"shift": 1}),
                  (S2, {"shift": 1, "axis": 0}), (S3, {"shift": (1, -2), "axis": (0, 2)}),
                  (S2, {"shift": 3, "axis": -1})])
for _mode in ("constant", "edge", "reflect", "symmetric", "wrap"):
    variants("pad", [(S1, {"pad_width": 2, "mode": _mode}),
                     (S2, {"pad_width": ((1, 2), (0, 1)), "mode": _mode})])
variants("pad", [(S2, {"pad_width": 1, "constant_values": 3.0}),
                 (S3, {"pad_width": ((0, 0), (1, 0), (0, 2)), "mode": "reflect"}),
                 (S1, {"pad_width": 9, "mode": "reflect"}),
                 (S1, {"pad_width": (7, 11), "mode": "symmetric"})])
for _mode in ("linear_ramp", "maximum", "mean", "median", "minimum"):
    _dom = DISTINCT if _mode in ("maximum", "median", "minimum") else REAL
    variants("pad", [(S1, {"pad_width": 2, "mode": _mode}),
                     (S2, {"pad_width": ((1, 2), (0, 1)), "mode": _mode})], dom=_dom)
variants("pad", [(S2, {"pad_width": 2, "mode": "linear_ramp", "end_values": (1.0, -2.0)}),
                 (S1, {"pad_width": (3, 1), "mode": "mean", "stat_length": 2}),
                 (S2, {"pad_width": 2, "mode": "median", "stat_length": ((1, 3), (2, 2))}),
                 (S2, {"pad_width": 1, "mode": "maximum", "stat_length": 3})], dom=DISTINCT)
for _mode in ("reflect", "symmetric"):
    variants("pad", [(S1, {"pad_width": 2, "mode": _mode, "reflect_type": "odd"}),
                     (S1, {"pad_width": (9, 12), "mode": _mode, "reflect_type": "odd"}),
                     (S2, {"pad_width": ((1, 2), (4, 1)), "mode": _mode, "reflect_type": "odd"})])
case("pad", lambda m, x, c: m.pad(x, ((1, 2), (2, 0)), constant_values=c), (REAL, S2),
     (REAL, (2, 2)), label="traced-constant-values")
case("pad", lambda m, x, c: m.pad(x, 2, mode="linear_ramp", end_values=c), (REAL, S2),
     (REAL, S0), label="traced-end-values")
for _n in ("tril", "triu"):
    variants(_n, [(S2, {}), (S2, {"k": 1}), (S2, {"k": -2}), ((4, 4), {}), (S3, {"k": -1})])
variants("diagonal", [(S2, {}), (S2, {"offset": 1}), (S2, {"offset": -2}),
                      (S3, {"axis1": 1, "axis2": 2}), (S3, {"offset": 1, "axis1": 2,
                                                            "axis2": 0}),
                      (S3, {"offset": -1, "axis1": -1, "axis2": 1})])
variants("trace", [(S2, {}), ((4, 4), {}), (S2, {"offset": 1}), (S2, {"offset": -1}),
                   (S3, {"axis1": 1, "axis2": 2}), (S3, {"offset": 1, "axis1": 2,
                                                         "axis2": 0})])
variants("diag", [(S1, {}), (S1, {"k": 1}), (S1, {"k": -2}), (S2, {}), (S2, {"k": 1}),
                  (S2, {"k": -1}), ((4, 4), {"k": 2})])
variants("diagflat", [(S1, {}), ((2, 2), {"k": -1}), (S0, {})])

# ----------------------------------------------------------------------- indexing
_I = np.array
_IDX1 = [
    ("slice", lambda x: x[1:4]), ("neg-step", lambda x: x[::-2]), ("rev", lambda x: x[::-1]),
    ("int", lambda x: x[-1]), ("newaxis", lambda x: x[None, 2:, None]),
    ("ellipsis", lambda x: x[..., 1:]), ("int-array-repeats", lambda x: x[_I([0, 2, 2, 5, 0])]),
    ("int-array-2d", lambda x: x[_I([[0, 1], [1, 5]])]), ("list", lambda x: x[[0, 0, 3]]),
    ("bool", lambda x: x[_I([True, False, True, True, False, True])]),
    ("empty", lambda x: x[2:2]),
]
_IDX2 = [
    ("row", lambda x: x[1]), ("slices", lambda x: x[:, 1:3]),
    ("neg-steps", lambda x: x[::-1, ::-2]), ("newaxis", lambda x: x[None, :, None, 1]),
    ("ellipsis", lambda x: x[..., 2]), ("int-int", lambda x: x[2, -1]),
    ("rows-repeat", lambda x: x[_I([2, 0, 2])]), ("rows-int", lambda x: x[_I([0, 2, 2]), 1]),
    ("cols", lambda x: x[:, _I([3, 0, 3])]), ("pairs", lambda x: x[_I([0, 2, 2]), _I([1, 1, 3])]),
    ("outer", lambda x: x[_I([[0], [2]]), _I([[1, 3, 1]])]), ("mask2d", lambda x: x[_C34]),
    ("mask-rows", lambda x: x[_C34[:, 0]]), ("mask-rows-slice", lambda x: x[_C34[:, 0], 1:]),
    ("mask-cols-int", lambda x: x[1, _C34[0]]),
]
_IDX3 = [
    ("int", lambda x: x[0]), ("slice-mid", lambda x: x[:, 1]),
    ("ellipsis-rev", lambda x: x[..., ::-1]), ("newaxis-ellipsis", lambda x: x[None, ..., 1]),
    ("separated", lambda x: x[_I([1, 0, 1]), :, _I([3, 3, 0])]),
    ("adjacent", lambda x: x[:, _I([2, 0]), _I([1, 1])]),
    ("separated-int", lambda x: x[_I([1, 1]), 1:, 2]),
    ("separated-newaxis", lambda x: x[0, None, :, _I([0, 0, 2])]),
    ("mask3d", lambda x: x[np.arange(24).reshape(2, 3, 4) % 5 == 0]),
    ("mask-lead", lambda x: x[_I([[True, False, True], [False, True, True]])]),
    ("int-mask", lambda x: x[1, _C34]), ("slice-mask", lambda x: x[:, _C34[:, 0], :2]),
    ("broadcast-idx", lambda x: x[_I([[0], [1]]), _I([0, 2, 2]), 1:3]),
]
for _shape, _items in ((S1[:0] + (6,), _IDX1), (S2, _IDX2), (S3, _IDX3)):
    for _lab, _f in _items:
        case("getitem", lambda m, x, _f=_f: _f(x), (REAL, _shape), label=_lab)


def _index_add_ref(v, idx, shape):
    out = np.zeros(shape)
    np.add.at(out, idx, v)
    return out


_IA = _I([0, 2, 0, 1])
case("index_add", lambda m, v: cnp.index_add(v, _IA, (3,)), (REAL, (4,)),
     ref=lambda v: _index_add_ref(v, _IA, (3,)))
case("index_add", lambda m, v: cnp.index_add(v, (_IA, slice(None)), (3, 2)), (REAL, (4, 2)),
     ref=lambda v: _index_add_ref(v, (_IA, slice(None)), (3, 2)), label="rows")
case("index_add", lambda m, v: cnp.index_add(v, (slice(None), _IA[:3], 1), (2, 3, 4)),
     (REAL, (2, 3)), ref=lambda v: _index_add_ref(v, (slice(None), _IA[:3], 1), (2, 3, 4)),
     label="mixed")
for _kw in ({"indices": [0, 2, 2, 11]}, {"indices": [2, 0, 2], "axis": 0},
            {"indices": [[0, 3], [1, 1]], "axis": 1}, {"indices": [5, -1], "axis": 1,
                                                       "mode": "wrap"},
            {"indices": [7, 0, 2], "axis": 0, "mode": "clip"}):
    case("take", fn("take", **_kw), (REAL, S2), label=str(_kw).replace(" ", ""))
case("take", fn("take", indices=1, axis=-1), (REAL, S3), label="int-last")
_TA = np.argsort(np.random.default_rng(1).random((3, 4)), axis=1)
for _ax, _ind, _s in ((1, _TA, S2), (0, _TA[:2] % 3, S2), (1, _TA[None, :, :1] % 3, S3),
                      (None, _I([3, 0, 0, 5]), S2)):
    case("take_along_axis", lambda m, x, _ind=_ind, _ax=_ax: m.take_along_axis(x, _ind, axis=_ax),
         (REAL, _s), label=f"axis{_ax}")
variants("sort", [(S1, {}), (S2, {}), (S2, {"axis": 0}), (S2, {"axis": None}),
                  (S3, {"axis": 1})], dom=DISTINCT)
case("compress", lambda m, x: m.compress([True, False, True], x, axis=0), (REAL, S2))
case("compress", lambda m, x: m.compress([False, True, True, False], x, axis=-1), (REAL, S3))
case("compress", lambda m, x: m.compress([True, False, True, True], x), (REAL, S1))
case("extract", lambda m, x: m.extract(_C34, x), (REAL, S2))
case("extract", lambda m, x: m.extract(_C34[0], x), (REAL, (4,)))
case("select", lambda m, x, y: m.select([_C34, ~_C34 & _C34[:, :1]], [x, y * 2.0], default=0.5),
     (REAL, S2), (REAL, (4,)))
case("select", lambda m, x, y: m.select([_C34[0]], [m.sin(x)], default=y), (REAL, (4,)),
     (REAL, S0), label="traced-default")
_PW = np.linspace(-1.4, 1.4, 12).reshape(3, 4)
case("piecewise", lambda m, x: m.piecewise(x, [_PW < 0, _PW > 0.5], [lambda v: v ** 2,
                                                                     lambda v: -v, 1.0]),
     (REAL, S2))
case("piecewise", lambda m, x: m.piecewise(x, [_PW[0] > 0], [lambda v: 2 * v, lambda v: v ** 3]),
     (REAL, (4,)), label="otherwise")

# ----------------------------------------------------------------------- products
_MM = [((4,), (4,)), (S2, (4,)), ((4,), (4, 2)), (S2, (4, 2)), (S3, (4, 2)), ((4,), (2, 4, 3)),
       (S3, (4,)), (S3, (2, 4, 2)), ((2, 1, 2, 3), (3, 3, 2)), (S2, (2, 4, 2)),
       ((1, 3, 4), (2, 4, 2))]
for _a, _b in _MM:
    binary("matmul", shapes=((_a, _b),))
case("matmul", lambda m, x, y: x @ y, (REAL, S2), (REAL, (4, 3)), label="operator")
_DOT = [(S0, S0), (S0, (4,)), ((4,), S0), (S0, S2), (S2, S0), (S0, S3), (S3, S0),
        ((4,), (4,)), (S2, (4,)), ((4,), (4, 2)), (S2, (4, 2)),
        (S3, (4,)), (S3, (4, 2)), (S2, (2, 4, 2)), (S3, (2, 4, 2)), ((4,), (2, 4, 3))]
for _a, _b in _DOT:
    binary("dot", shapes=((_a, _b),))
for _spec, _shapes in (
        ("ij,jk->ik", (S2, (4, 2))), ("ij,jk", (S2, (4, 2))), ("i,i", ((4,), (4,))),
        ("i,j->ij", ((3,), (4,))), ("ij,j", (S2, (4,))), ("ijk->kji", (S3,)), ("ij->", (S2,)),
        ("ij->j", (S2,)), ("...ij,...jk->...ik", (S3, (2, 4, 2))), ("...i,...i->...", (S2, (4,))),
        ("...i,...i", ((2, 1, 4), S2)), ("ij...,j->i...", (S3[1:] + (2,), (4,))),
        ("ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))), ("ij,jk,ki", ((2, 3), (3, 4), (4, 2))),
        ("bij,bjk->bik", (S3, (2, 4, 3))), ("ii->i", ((4, 4),)), ("ii", ((4, 4),)),
        ("iij->j", ((3, 3, 2),)), ("ij,ii->j", ((3, 2), (3, 3))),
        ("i,i,i->", ((4,), (4,), (4,)))):
    case("einsum", lambda m, *ops, _spec=_spec: m.einsum(_spec, *ops),
         *[(REAL, s) for s in _shapes], label=_spec)
for _axes, _sa, _sb in ((0, (3,), (4,)), (1, S2, (4, 2)), (2, S3, (3, 4)),
                        (([1], [0]), S2, (4, 2)), (([0, 2], [1, 0]), S3, (4, 2)),
                        ((2, 0), S3, (4, 3)), (([], []), (2,), (3,))):
    case("tensordot", lambda m, x, y, _axes=_axes: m.tensordot(x, y, axes=_axes), (REAL, _sa),
         (REAL, _sb), label=str(_axes).replace(" ", ""))
binary("inner", shapes=((S0, S2), ((4,), (4,)), (S2, (4,)), (S2, (2, 4)), (S3, (2, 4))))
binary("outer", shapes=(((3,), (4,)), ((2, 2), (3,)), (S0, (3,))))
binary("vdot", shapes=((S2, S2), ((5,), (5,)), ((12,), S2)))
binary("kron", shapes=(((2,), (3,)), ((2, 2), (2, 3)), ((3,), (2, 2)), (S0, (3,)),
                       ((2, 1, 2), (1, 3, 2))))
binary("cross", shapes=(((3,), (3,)), ((4, 3), (3,)), ((2, 3), (2, 3))))
case("cross", lambda m, x, y: m.cross(x, y, axis=0), (REAL, (3, 4)), (REAL, (3, 4)), label="axis0")
case("cross", lambda m, x, y: m.cross(x, y, axisa=0, axisb=-1, axisc=0), (REAL, (3, 2)),
     (REAL, (2, 3)), label="axisa-axisb-axisc")

case("unique", fn("unique"), (DISTINCT, S2))
case("unique", lambda m, x: m.unique(x, return_index=True, return_counts=True), (DISTINCT, S1),
     label="index-counts")
case("unique", lambda m, x: m.unique(x, axis=0, return_inverse=True), (DISTINCT, S2),
     label="axis0-inverse")
_BC = _I([0, 2, 2, 1, 4])
case("bincount", lambda m, w: m.bincount(_BC, weights=w), (REAL, (5,)))
case("bincount", lambda m, w: m.bincount(_BC, weights=w, minlength=7), (REAL, (5,)),
     label="minlength")
case("full_like", lambda m, c: m.full_like(np.ones((3, 4)), c), (REAL, S0))
case("full_like", lambda m, c: m.full_like(np.ones(2), c, shape=(2, 3)), (REAL, S0),
     label="shape")
case("full_like", lambda m, x: x * m.full_like(x, 2.0), (REAL, S2), label="constant-fill")

# ------------------------------------------------- functions of _composites.py
def DISTINCT_NANS(rng, shape):
    x = DISTINCT(rng, shape)
    x.reshape(-1)[[0, -1]] = np.nan
    return x


variants("diff", [(S1, {}), (S1, {"n": 2}), (S2, {"axis": 0}), (S3, {"axis": 1, "n": 2}),
                  (S2, {"n": 0})])
case("diff", lambda m, x, y: m.diff(x, prepend=0.5, append=y), (REAL, S2), (REAL, (3, 1)),
     label="prepend-append")
case("ediff1d", fn("ediff1d"), (REAL, S2))
case("ediff1d", lambda m, x, e: m.ediff1d(x, to_end=e, to_begin=0.5), (REAL, S1), (REAL, (2,)),
     label="ends")
for _mode in ("full", "same", "valid"):
    case("convolve", fn("convolve", mode=_mode), (REAL, S1), (REAL, (3,)), label=_mode)
    case("correlate", fn("correlate", mode=_mode), (REAL, S1), (REAL, (3,)), label=_mode)
case("convolve", fn("convolve"), (REAL, (2,)), (REAL, S1), label="short-first")
case("correlate", fn("correlate", mode="full"), (REAL, (2,)), (REAL, S1), label="short-first")
_KN = np.array([0.0, 0.3, 0.7, 1.2, 1.6, 2.0])
case("interp", lambda m, x, fp: m.interp(x, _KN, fp), (AWAY(-0.5, 2.5, _KN, 0.04), (5,)),
     (REAL, (6,)))
case("interp", lambda m, x, xp: m.interp(x, xp, _KN * 2.0), (AWAY(0.05, 1.95, _KN, 0.1), S2),
     np.array([0.0, 0.3, 0.7, 1.2, 1.6, 2.0]), label="in-xp")
case("interp", lambda m, x: m.interp(x, _KN, _KN ** 2, left=-1.0, right=5.0),
     (AWAY(-0.5, 2.5, _KN, 0.04), S1), label="left-right")
for _n, _q in (("quantile", 0.3), ("percentile", 30.0)):
    variants(_n, [(S1, {"q": _q}), (S2, {"q": _q, "axis": 1}),
                  (S2, {"q": _q, "axis": 0, "keepdims": True}), (S3, {"q": _q, "axis": -1})],
             dom=DISTINCT)
    case(_n, lambda m, x, _n=_n, _q=_q: getattr(m, _n)(x, [_q, _q * 2.5], axis=0),
         (DISTINCT, S2), label="many-q")
case("quantile", lambda m, q: m.quantile(np.arange(5.0) ** 2, q),
     (AWAY(0.1, 0.9, (0.25, 0.5, 0.75), 0.03), (3,)), label="in-q")
variants("median", [(S1, {}), ((4,), {}), (S2, {"axis": 0}), (S2, {"axis": 1, "keepdims": True}),
                    (S3, {"axis": 1})], dom=DISTINCT)
for _n in ("nanmax", "nanmin"):
    variants(_n, [(S1, {}), (S2, {"axis": 0}), (S2, {"axis": 1, "keepdims": True}), (S3, {})],
             dom=DISTINCT_NANS)
variants("nanprod", [(S1, {}), (S2, {"axis": 0}), (S3, {"axis": -1, "keepdims": True})],
         dom=lambda rng, s: np.where(np.isnan(NANS(rng, s)), np.nan, U(0.5, 1.5)(rng, s)))
variants("nancumsum", [(S1, {}), (S2, {}), (S2, {"axis": 1})], dom=NANS)
variants("nan_to_num", [(S2, {}), (S2, {"nan": 1.5}), (S1, {"copy": False})], dom=NANS)
case("polyval", fn("polyval"), (REAL, (4,)), (REAL, S2))
case("polyval", fn("polyval"), (REAL, (1,)), (REAL, S0), label="constant-poly")
variants("vander", [((4,), {}), ((4,), {"N": 3}), ((3,), {"increasing": True})])
case("trapezoid", fn("trapezoid"), (REAL, S2))
case("trapezoid", lambda m, y: m.trapezoid(y, dx=0.5, axis=0), (REAL, S2), label="dx-axis0")
case("trapezoid", lambda m, y, x: m.trapezoid(y, x, axis=1), (REAL, S2), (REAL, (4,)),
     label="x")
case("trapezoid", lambda m, y, x: m.trapezoid(y, x), (REAL, S1), (REAL, S1), label="x-1d")
variants("cov", [(S2, {}), (S2, {"rowvar": False}), (S2, {"bias": True}), (S2, {"ddof": 2}),
                 (S1, {})])
case("cov", lambda m, x, y: m.cov(x, y), (REAL, (2, 5)), (REAL, S1), label="with-y")
variants("corrcoef", [(S2, {}), (S2, {"rowvar": False})])
case("corrcoef", lambda m, x, y: m.corrcoef(x, y), (REAL, S1), (REAL, S1), label="with-y")
for _kw in ({}, {"indexing": "ij"}, {"sparse": True}):
    case("meshgrid", lambda m, x, y, _kw=_kw: m.meshgrid(x, y, **_kw), (REAL, (3,)),
         (REAL, (4,)), label=str(_kw).replace(" ", ""))
case("meshgrid", fn("meshgrid"), (REAL, (2,)), (REAL, (3,)), (REAL, (2,)), label="three")
binary("vecdot", shapes=(((4,), (4,)), (S2, (4,)), (S3, (3, 4))))
case("vecdot", lambda m, x, y: m.vecdot(x, y, axis=0), (REAL, S2), (REAL, S2), label="axis0")
binary("matvec", shapes=((S2, (4,)), (S3, (4,)), (S2, (2, 4))))
binary("vecmat", shapes=(((3,), S2), ((3,), S3), ((2, 3), S2)))
variants("cumulative_sum", [(S1, {}), (S2, {"axis": 0}), (S2, {"axis": 1, "include_initial": True}),
                            (S1, {"include_initial": True})])
for _n in ("real", "conj", "conjugate"):
    unary(_n, shapes=(S0, S2))

ALL = [c for cs in TABLE.values() for c in cs]
DIFFERENTIABLE = sorted(e["name"] for e in PUBLIC.values()
                        if e["namespace"] == "numpy" and e["kind"] in ("primitive", "composite"))


# ------------------------------------------------------------------------- tests
def test_every_public_function_is_in_the_table():
    missing = [n for n in DIFFERENTIABLE if n not in TABLE]
    assert not missing, f"no test cases for chainrule.numpy functions: {missing}"
    unknown = [n for n in TABLE if n not in DIFFERENTIABLE]
    assert not unknown, f"table entries that are not public differentiable functions: {unknown}"


def _close(got, want, what, rtol=1e-9, atol=1e-11):
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


# Bugs found in chainrule/numpy/_composites.py (not a rule file of this suite; reported
# with reproducers). These cases are left out of the parametrized tests below and
# test_known_bugs_are_still_there checks that each still fails: once one is fixed, that
# test fails, and its entry must go.
_SCALAR = "returns a 0-d array where NumPy returns a scalar"
_INT = "integer inputs give a float result where NumPy keeps the integer dtype"
_F32 = "float32 inputs give float64 results"
KNOWN_BUGS = {"rule": {}, "int": {}, "f32": {}}


def _cases(kind):
    return [pytest.param(c, id=c.id) for c in ALL if c.id not in KNOWN_BUGS[kind]]


@pytest.mark.parametrize("c", _cases("rule"))
def test_rule(c):
    args = c.args
    want = c.want()
    # (a) the value, plain and traced, is NumPy's
    plain = c.fn(*args)
    assert type(plain) is type(want), (type(plain), type(want))
    _close(plain, want, "plain value")
    assert plain.dtype == want.dtype, (plain.dtype, want.dtype)
    traced, _ = cr.jvp(c.fn, args, tuple(np.ones_like(a) for a in args))
    _close(traced, want, "traced value")
    # (b) every mode to second order against finite differences
    cr.check_grads(c.fn, args, modes=("fwd", "rev"), order=2)
    # (e) the gradients are the caller's to change in place: writeable, and sharing no
    # memory with each other or with the arguments (views and shared cotangents copied)
    grads = cr.grad(lambda *a: cnp.sum(cnp.sin(c.fn(*a))), argnums=tuple(range(len(args))))(
        *args)
    for i, g in enumerate(grads):
        g = np.asarray(g)
        assert g.flags.writeable or g.ndim == 0 and type(grads[i]) is not np.ndarray, i
        for other in list(grads[:i]) + list(args):
            assert not np.shares_memory(g, np.asarray(other)), i
    for k in range(len(args)):
        # (c) batched tangents (jacfwd) and batched cotangents (jacrev) agree
        jf = cr.jacfwd(c.fn, argnums=k)(*args)
        jr = cr.jacrev(c.fn, argnums=k)(*args)
        assert np.shape(jf) == np.shape(want) + np.shape(args[k])
        _close(jf, jr, f"jacfwd vs jacrev, argument {k}")
        if not c.hess:
            continue
        # (d) a Hessian two ways: batched rules differentiated again

        def s(*a):
            return cnp.sum(cnp.sin(c.fn(*a)))
        h1 = cr.jacfwd(cr.jacrev(s, argnums=k), argnums=k)(*args)
        h2 = cr.jacrev(cr.jacfwd(s, argnums=k), argnums=k)(*args)
        _close(h1, h2, f"jacfwd(jacrev) vs jacrev(jacfwd), argument {k}", rtol=1e-8,
               atol=1e-10)
        assert np.all(np.isfinite(h1))


@pytest.mark.parametrize("c", _cases("int"))
def test_value_on_integer_inputs(c):
    """Called with plain integer arrays, every function returns NumPy's result: same
    values, same dtype (no float promotion from the derivative machinery)."""
    args = tuple(np.round(a * 3).astype(np.int64) if np.all(np.isfinite(a)) else a
                 for a in c.args)
    with np.errstate(all="ignore"):
        try:
            want = _join(np, c.ref(*args) if c.ref else c.call(np, *args))
        except (TypeError, ValueError, ZeroDivisionError):
            pytest.skip("NumPy itself rejects integer inputs here")
        got = c.fn(*args)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("c", _cases("f32"))
def test_float32_stays_float32(c):
    """Where NumPy's result is float32, so are the traced value, JVP, both Jacobians and
    a second derivative (no float64 constant sneaks into a rule)."""
    args = tuple(a.astype(np.float32) for a in c.args)
    with np.errstate(all="ignore"):
        want = c.want(args)
    if np.result_type(want) != np.float32:
        pytest.skip(f"NumPy's result is {np.result_type(want)}")
    out, tan = cr.jvp(c.fn, args, args)
    assert out.dtype == np.float32 and tan.dtype == np.float32, (out.dtype, tan.dtype)
    for k in range(len(args)):
        for jac in (cr.jacfwd(c.fn, argnums=k)(*args), cr.jacrev(c.fn, argnums=k)(*args),
                    cr.jacfwd(cr.grad(lambda *a: cnp.sum(c.fn(*a)), argnums=k),
                              argnums=k)(*args)):
            assert jac.dtype == np.float32, jac.dtype


# Public wrappers built by core.primitive.make_unary / make_binary hand a list to NumPy
# (reported with a reproducer); and four functions of _composites.py.
_LIST_BUGS: set = set()
LIST_CASES = [c for c in ALL if getattr(c.call, "direct", False) and np.ndim(c._args[0]) > 0]


def _with_list(c):
    """``c``'s function with its first argument passed as a list of traced rows."""
    def f(*a):
        return _join(cnp, c.call(cnp, [a[0][i] for i in range(len(a[0]))], *a[1:]))
    return f


@pytest.mark.parametrize("c", [c for c in LIST_CASES if c.name not in _LIST_BUGS],
                         ids=lambda c: c.id)
def test_list_of_traced_values_is_array_like(c):
    """Like NumPy's array_like: a list of traced rows works as the traced array."""
    f, args = _with_list(c), c.args
    _close(cr.jvp(f, args, args)[0], c.want(), "traced value")
    np.testing.assert_allclose(cr.jacrev(f)(*args), cr.jacfwd(c.fn)(*args), rtol=1e-12,
                               atol=1e-12)


def test_known_list_bugs_are_still_there():
    """The functions in ``_LIST_BUGS`` still refuse lists of traced values; once one is
    fixed, this fails so that it moves to the test above."""
    fixed = set()
    for c in LIST_CASES:
        if c.name in _LIST_BUGS:
            try:
                cr.jvp(_with_list(c), c.args, c.args)
            except TracedNumpyError:
                continue
            fixed.add(c.name)
    assert not fixed, f"these take lists of traced values now: {sorted(fixed)}"


# --------------------------------------------------------------- zero derivative
def _ints(m, x):
    return m.astype(m.floor(x * 3.0), np.int64)


NONDIFF = {  # name -> (probe(m, x), elementwise: the result lines up with x)
    **{n: (fn(n), True) for n in ("floor", "ceil", "trunc", "rint", "fix", "sign", "signbit",
                                  "spacing", "isnan", "isinf", "isfinite", "isposinf",
                                  "isneginf", "logical_not")},
    **{n: (lambda m, x, _n=n: getattr(m, _n)(x, 1), True) for n in ("round", "around")},
    **{n: (lambda m, x, _n=n: getattr(m, _n)(x, 0.3), True)
       for n in ("greater", "greater_equal", "less", "less_equal", "equal", "not_equal")},
    **{n: (lambda m, x, _n=n: getattr(m, _n)(m.floor(x), x[0]), True)
       for n in ("logical_and", "logical_or", "logical_xor")},
    "floor_divide": (lambda m, x: m.floor_divide(x, 0.7), True),
    "heaviside": (lambda m, x: m.heaviside(x, 0.5), True),
    "nextafter": (lambda m, x: m.nextafter(x, 3.0), True),
    "isclose": (lambda m, x: m.isclose(x, x + 1e-12), True),
    "isin": (lambda m, x: m.isin(x, x[0]), True),
    "allclose": (lambda m, x: m.allclose(x, x * 1.0000001), False),
    "array_equal": (lambda m, x: m.array_equal(x, x), False),
    "array_equiv": (lambda m, x: m.array_equiv(x, x[0]), False),
    "all": (lambda m, x: m.all(x, axis=0), False),
    "any": (lambda m, x: m.any(m.floor(x), axis=1), False),
    "iscomplexobj": (fn("iscomplexobj"), False), "isrealobj": (fn("isrealobj"), False),
    "isscalar": (fn("isscalar"), False),
    "argmax": (lambda m, x: m.argmax(x, axis=1), False),
    "argmin": (lambda m, x: m.argmin(x), False),
    "argsort": (lambda m, x: m.argsort(x, axis=0), False),
    "argwhere": (lambda m, x: m.argwhere(m.floor(x)), False),
    "nonzero": (lambda m, x: m.nonzero(x > 0), False),
    "flatnonzero": (lambda m, x: m.flatnonzero(x > 0), False),
    "count_nonzero": (lambda m, x: m.count_nonzero(x > 0, axis=0), False),
    "searchsorted": (lambda m, x: m.searchsorted(m.sort(x[0]), x), False),
    "digitize": (lambda m, x: m.digitize(x, m.sort(x[1])), False),
    "lexsort": (lambda m, x: m.lexsort((x[0], x[1])), False),
    "nanargmax": (lambda m, x: m.nanargmax(x, axis=0), False),
    "nanargmin": (lambda m, x: m.nanargmin(x), False),
    "histogram": (lambda m, x: m.histogram(x, bins=3), False),
    "histogram_bin_edges": (lambda m, x: m.histogram_bin_edges(x, bins=3), False),
    "argpartition": (lambda m, x: m.argpartition(x[0], 1), False),
    "shape": (fn("shape"), False), "ndim": (fn("ndim"), False), "size": (fn("size"), False),
    "result_type": (lambda m, x: m.result_type(x, 1.0), False),
    **{n: (lambda m, x, _n=n: getattr(m, _n)(_ints(m, x), 3), False)
       for n in ("bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm")},
    **{n: (lambda m, x, _n=n: getattr(m, _n)(m.abs(_ints(m, x)), 2), False)
       for n in ("left_shift", "right_shift")},
    "invert": (lambda m, x: m.invert(x > 0), False),
    **{n: (fn(n), False) for n in ("zeros_like", "ones_like", "empty_like")},
}
X_ND = AWAY(-2.5, 2.5, (-2, -1, 0, 1, 2), 0.1)(np.random.default_rng(5), S2)


def _leaves(r):
    return [v for item in r for v in _leaves(item)] if isinstance(r, (tuple, list)) else [r]


def test_zero_derivative_table_is_complete():
    assert len(cnp.ZERO_DERIVATIVE) >= 50
    public = sorted(e["name"] for e in PUBLIC.values()
                    if e["namespace"] == "numpy" and e["kind"] == "nondiff")
    assert sorted(cnp.ZERO_DERIVATIVE) == public
    assert sorted(NONDIFF) == public, set(NONDIFF) ^ set(public)


@pytest.mark.parametrize("name", sorted(NONDIFF))
def test_zero_derivative(name):
    """Each function accepts traced values (at every nesting level), returns plain
    NumPy results equal to NumPy's, and contributes no derivative."""
    probe, elementwise = NONDIFF[name]
    x = X_ND
    want = probe(np, x)
    c = np.broadcast_to(np.asarray(want, dtype=float), x.shape) if elementwise else 1.0
    seen = []

    def f(x):
        r = probe(cnp, x)
        seen.append(r)
        # with r constant: gradient x * c, Hessian diag(c)
        return cnp.sum(x * x * (r if elementwise else 1.0)) / 2
    hess = np.diag(np.broadcast_to(c, x.shape).ravel()).reshape(x.shape * 2)
    _close(cr.grad(f)(x), x * c, "grad")
    _close(cr.jacfwd(f)(x), x * c, "jacfwd")
    _close(cr.hessian(f)(x), hess, "hessian (reverse of reverse)")
    _close(cr.jacfwd(cr.grad(f))(x), hess, "forward of reverse")
    _close(cr.jacfwd(cr.jacfwd(f))(x), hess, "forward of forward")
    for r in seen:
        got, exp = _leaves(r), _leaves(want)
        assert len(got) == len(exp)
        for g, w in zip(got, exp):
            assert not isinstance(g, Tracer), f"cnp.{name} returned a traced value"
            assert type(g) is type(w), (type(g), type(w))
            if name != "empty_like":
                np.testing.assert_array_equal(g, w)
            else:
                assert g.shape == w.shape and g.dtype == w.dtype


def test_floor_times_x_gradient_is_floor():
    x = np.array([1.5, -0.5, 2.25])
    g = cr.grad(lambda x: cnp.sum(x * cnp.floor(x)))(x)
    np.testing.assert_array_equal(g, np.floor(x))
    np.testing.assert_array_equal(cr.jacfwd(lambda x: x * cnp.floor(x))(x), np.diag(np.floor(x)))


def test_argmax_for_indexing():
    x = np.array([[0.3, 2.0, -1.0], [4.0, 0.5, 0.1]])

    def f(x):
        i = cnp.argmax(x, axis=1)
        return x[np.arange(2), i] * 2.0
    want = np.zeros((2, 2, 3))
    want[0, 0, 1] = want[1, 1, 0] = 2.0
    np.testing.assert_array_equal(cr.jacrev(f)(x), want)
    np.testing.assert_array_equal(cr.jacfwd(f)(x), want)
    g = cr.grad(lambda x: x.reshape(-1)[cnp.argmax(x)] ** 2)(x)
    np.testing.assert_array_equal(g, np.where(x == 4.0, 8.0, 0.0))


def test_comparisons_and_control_flow():
    def f(x):
        if x > 0:                           # a plain bool from the primal
            return x ** 3
        return cnp.sin(x)
    assert cr.grad(f)(2.0) == 12.0
    assert cr.grad(f)(-1.0) == np.cos(-1.0)
    assert cr.grad(cr.grad(f))(2.0) == 12.0
    seen = []

    def g(x):
        seen.append((x < 0.5, x == x, cnp.equal(x, 1.0), x >= np.zeros(3)))
        return cnp.sum(x)
    cr.grad(g)(np.array([0.1, 1.0, 2.0]))
    for v in seen[0]:
        assert type(v) is np.ndarray and v.dtype == bool


def test_like_functions_return_plain_arrays():
    out = []

    def f(x):
        out.extend([cnp.zeros_like(x), cnp.ones_like(x), cnp.empty_like(x),
                    cnp.full_like(x, 2.0), cnp.zeros_like(x, dtype=np.float32)])
        return cnp.sum(x * out[1])
    cr.grad(f)(np.ones((2, 3)))
    cr.jacfwd(f)(np.ones((2, 3)))
    for a in out:
        assert type(a) is np.ndarray and a.shape == (2, 3)
    assert out[-1].dtype == np.float32


def test_unique_derivative_goes_to_first_occurrence():
    x = np.array([3.0, 1.0, 3.0, 2.0, 1.0])
    j = cr.jacrev(lambda x: cnp.unique(x))(x)
    want = np.zeros((3, 5))
    want[0, 1] = want[1, 3] = want[2, 0] = 1.0
    np.testing.assert_array_equal(j, want)
    np.testing.assert_array_equal(cr.jacfwd(lambda x: cnp.unique(x))(x), want)
    vals, idx, inv, cnt = cnp.unique(x, True, True, True)
    for got, exp in zip((vals, idx, inv, cnt), np.unique(x, True, True, True)):
        np.testing.assert_array_equal(got, exp)


def test_bincount_and_histogram_with_traced_weights():
    idx = np.array([0, 2, 2, 0])
    w = np.array([0.5, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(cr.grad(lambda w: cnp.bincount(idx, w)[0])(w),
                                  [1.0, 0.0, 0.0, 1.0])
    cr.check_grads(lambda w: cnp.bincount(idx, w, minlength=4) ** 2, (w,))
    with pytest.raises(NotImplementedError, match="histogram: weights"):
        cr.grad(lambda w: cnp.sum(cnp.histogram(idx, bins=2, weights=w)[0]))(w)


# ------------------------------------------------------------------------ kinks
KINK_FUNS = {
    "abs": (lambda x: cnp.abs(x), 0.0),
    "absolute": (lambda x: cnp.absolute(x), 0.0),
    "fabs": (lambda x: cnp.fabs(x), 0.0),
    "operator-abs": (lambda x: abs(x), 0.0),
    "relu": (lambda x: cnp.maximum(x, 0.0), 0.0),
    "relu-flipped": (lambda x: cnp.maximum(0.0, x), 0.0),
    "min-zero": (lambda x: cnp.minimum(x, 0.0), 0.0),
    "fmax-zero": (lambda x: cnp.fmax(x, 0.0), 0.0),
    "fmin-zero": (lambda x: cnp.fmin(x, 0.0), 0.0),
    "tie-self": (lambda x: cnp.maximum(x, x), 1.0),           # maximum(x, x) = x
    "tie-self-min": (lambda x: cnp.minimum(x, x), 1.0),
    "clip-low": (lambda x: cnp.clip(x, 0.0, 1.0), 1.0),
    "clip-high": (lambda x: cnp.clip(x - 1.0, -1.0, 0.0), 1.0),
    "sinc": (lambda x: cnp.sinc(x), 0.0),
    "hypot": (lambda x: cnp.hypot(x, 0.0), 0.0),
    "pow-zero-base": (lambda x: cnp.power(x, 2.0), 0.0),
}


@pytest.mark.parametrize("name", sorted(KINK_FUNS))
def test_kink_conventions(name):
    """At the kink (x = 0) each function has the documented derivative, the same in both
    modes, and no derivative of any order is NaN."""
    f, want = KINK_FUNS[name]
    x = np.zeros(3)
    j = np.diag(np.full(3, want))
    np.testing.assert_array_equal(cr.jacrev(f)(x), j)
    np.testing.assert_array_equal(cr.jacfwd(f)(x), j)
    np.testing.assert_array_equal(cr.grad(lambda x: cnp.sum(f(x)))(x), np.full(3, want))
    s = lambda x: cnp.sum(f(x) ** 2 + f(x))               # noqa: E731
    for h in (cr.hessian(s)(x), cr.jacfwd(cr.jacrev(s))(x), cr.jacrev(cr.jacfwd(s))(x),
              cr.jacfwd(cr.jacfwd(s))(x)):
        assert np.all(np.isfinite(h)), h


def test_maximum_minimum_ties_between_traced_arguments_split_equally():
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([1.0, 5.0, 0.0])
    h = 0.5
    for f, wx, wy in ((cnp.maximum, [h, 0, 1], [h, 1, 0]), (cnp.minimum, [h, 1, 0], [h, 0, 1]),
                      (cnp.fmax, [h, 0, 1], [h, 1, 0]), (cnp.fmin, [h, 1, 0], [h, 0, 1])):
        gx, gy = cr.grad(lambda a, b: cnp.sum(f(a, b)), argnums=(0, 1))(x, y)
        np.testing.assert_array_equal(gx, wx)
        np.testing.assert_array_equal(gy, wy)
        _, t = cr.jvp(f, (x, y), (np.ones(3), np.zeros(3)))
        np.testing.assert_array_equal(t, wx)
        # against a constant, the tie gives 0 (the ReLU convention)
        g_const = cr.grad(lambda a: cnp.sum(f(a, y)))(x)
        np.testing.assert_array_equal(g_const, [0.0] + list(wx[1:]))
        # the identity: derivative 1 (no perturbation lost on the diagonal)
        np.testing.assert_array_equal(cr.grad(lambda a: cnp.sum(f(a, a)))(x), np.ones(3))


def test_clip_passes_derivative_on_the_closed_interval():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    want = [0.0, 1.0, 1.0, 1.0, 0.0]
    np.testing.assert_array_equal(cr.grad(lambda x: cnp.sum(cnp.clip(x, 0.0, 1.0)))(x), want)
    np.testing.assert_array_equal(np.diag(cr.jacfwd(lambda x: cnp.clip(x, 0.0, 1.0))(x)), want)
    # traced bounds take the derivative only where they are strictly hit
    lo, hi = np.full(5, 0.0), np.full(5, 1.0)
    g = cr.grad(lambda x, lo, hi: cnp.sum(cnp.clip(x, lo, hi)), argnums=(0, 1, 2))(x, lo, hi)
    np.testing.assert_array_equal(g[0], want)
    np.testing.assert_array_equal(g[1], [1, 0, 0, 0, 0])
    np.testing.assert_array_equal(g[2], [0, 0, 0, 0, 1])


@pytest.mark.parametrize("fname", ["max", "min", "amax", "amin"])
def test_reduction_ties_share_the_derivative(fname):
    f = getattr(cnp, fname)
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]) * (1 if "max" in fname else -1)
    g = cr.grad(lambda x: f(x))(x)
    np.testing.assert_allclose(g, [[0, 0.5, 0.5], [0, 0, 0]])
    j = cr.jacrev(lambda x: f(x, axis=1))(x)
    want = np.array([[[0, 0.5, 0.5], [0, 0, 0]], [[0, 0, 0], [1 / 3, 1 / 3, 1 / 3]]])
    np.testing.assert_allclose(j, want)
    np.testing.assert_allclose(cr.jacfwd(lambda x: f(x, axis=1))(x), want)
    np.testing.assert_allclose(cr.jacfwd(lambda x: f(x, axis=1, keepdims=True))(x),
                               want[:, None])
    assert np.all(cr.hessian(lambda x: f(x) ** 2)(x)[0, 0] == 0)


def test_where_gives_exact_zeros_to_the_branch_not_picked():
    c = np.array([True, False, True])
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([np.nan, 5.0, np.inf])          # NaN / inf only where not picked
    gx, gy = cr.grad(lambda x, y: cnp.sum(cnp.where(c, x, y) * 2.0), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [2, 0, 2])
    np.testing.assert_array_equal(gy, [0, 2, 0])
    _, t = cr.jvp(lambda y: cnp.where(c, x, y), (y,), (np.array([np.nan, 1.0, 1.0]),))
    np.testing.assert_array_equal(t, [0, 1, 0])


def test_safe_where_pattern_has_finite_derivatives():
    x = np.array([-2.0, 0.0, 0.5, 3.0])

    def f(x):
        pos = x > 0
        safe = cnp.where(pos, x, 1.0)            # mask the input first
        return cnp.sum(cnp.where(pos, cnp.log(safe) * cnp.sqrt(safe), 0.0))
    g = cr.grad(f)(x)
    assert np.all(np.isfinite(g))
    xp = x[2:]
    np.testing.assert_allclose(g[2:], (1 / xp) * np.sqrt(xp) + np.log(xp) * 0.5 / np.sqrt(xp))
    np.testing.assert_array_equal(g[:2], 0.0)
    h = cr.hessian(f)(x)
    assert np.all(np.isfinite(h))
    np.testing.assert_allclose(h, cr.jacfwd(cr.jacfwd(f))(x))
    np.testing.assert_allclose(h, cr.jacrev(cr.jacfwd(f))(x))


def test_prod_and_cumprod_are_exact_with_zeros():
    x = np.array([2.0, 0.0, 4.0])
    np.testing.assert_array_equal(cr.grad(cnp.prod)(x), [0.0, 8.0, 0.0])
    np.testing.assert_array_equal(cr.grad(cnp.prod)(np.array([2.0, 0.0, 0.0])), [0, 0, 0])
    np.testing.assert_array_equal(cr.hessian(cnp.prod)(x),
                                  [[0, 4, 0], [4, 0, 2], [0, 2, 0]])
    j = cr.jacrev(cnp.cumprod)(x)
    np.testing.assert_array_equal(j, [[1, 0, 0], [0, 2, 0], [0, 8, 0]])
    np.testing.assert_array_equal(cr.jacfwd(cnp.cumprod)(x), j)


# ----------------------------------------------------------------- indexing extras
def test_repeated_indices_accumulate():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    idx = np.array([0, 2, 2, 2, 1])
    g = cr.grad(lambda x: cnp.sum(x[:, idx] * 1.0))(x)
    np.testing.assert_array_equal(g, [[1, 1, 3], [1, 1, 3]])
    g = cr.grad(lambda x: cnp.sum(x[np.array([1, 1]), np.array([2, 2])] ** 2))(x)
    np.testing.assert_array_equal(g, [[0, 0, 0], [0, 0, 24]])
    j = cr.jacfwd(lambda x: x[idx] * 1.0)(x[0])
    np.testing.assert_array_equal(j, np.eye(3)[idx])
    np.testing.assert_array_equal(cr.jacrev(lambda x: x[idx] * 1.0)(x[0]), j)


def test_separated_advanced_indices_keep_numpy_axis_order():
    x = np.random.default_rng(0).random((2, 3, 4))
    i, k = np.array([1, 0, 1]), np.array([3, 3, 0])
    out = cr.jvp(lambda x: x[i, :, k], (x,), (np.ones_like(x),))[0]
    assert out.shape == (3, 3)
    j = cr.jacfwd(lambda x: x[i, :, k])(x)
    assert j.shape == (3, 3, 2, 3, 4)
    np.testing.assert_array_equal(j, cr.jacrev(lambda x: x[i, :, k])(x))
    assert j[0, 1, 1, 1, 3] == 1 and j.sum() == 9


EMPTY = {
    "sum": lambda x: cnp.sum(x), "sum-axis": lambda x: cnp.sum(x, axis=0),
    "mean-last": lambda x: cnp.mean(x, axis=-1), "var-first": lambda x: cnp.var(x, axis=0),
    "prod": lambda x: cnp.prod(x), "prod-axis": lambda x: cnp.prod(x, axis=0),
    "cumsum": lambda x: cnp.cumsum(x), "cumprod": lambda x: cnp.cumprod(x, axis=0),
    "sin": lambda x: cnp.sin(x), "getitem": lambda x: x[1:],
    "concatenate": lambda x: cnp.concatenate([x, x]), "reshape": lambda x: cnp.reshape(x, (-1,)),
    "sort": lambda x: cnp.sort(x, axis=0), "tile": lambda x: cnp.tile(x, 2),
    "pad": lambda x: cnp.pad(x, 1), "transpose": lambda x: x.T,
    "where": lambda x: cnp.where(x > 0, x, 0.0), "roll": lambda x: cnp.roll(x, 1),
    "flip": lambda x: cnp.flip(x), "stack": lambda x: cnp.stack([x, x]),
    "repeat": lambda x: cnp.repeat(x, 2), "take-empty-list": lambda x: cnp.take(x, []),
}


@pytest.mark.parametrize("name", sorted(EMPTY))
@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0)])
def test_zero_size_arrays(name, shape):
    """Zero-size inputs (and reductions over empty axes, whose value is NaN like NumPy's)
    give NumPy's value and Jacobians of the right (empty) shape, without exceptions."""
    f = EMPTY[name]
    x = np.zeros(shape)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # NumPy's "mean of empty slice"
        want = f(x)
        traced = cr.jvp(f, (x,), (x,))[0]
        np.testing.assert_array_equal(traced, want)
        for jac in (cr.jacrev, cr.jacfwd):
            assert jac(f)(x).shape == np.shape(want) + shape


def test_pad_empty_mode_keeps_the_array_and_its_derivative():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    f = lambda x: cnp.pad(x, ((1, 2), (2, 1)), mode="empty")     # noqa: E731
    assert f(x).shape == (5, 6)
    np.testing.assert_array_equal(cr.jvp(f, (x,), (x,))[0][1:3, 2:5], x)
    j = cr.jacrev(f)(x)
    np.testing.assert_array_equal(j[1:3, 2:5].reshape(6, 6), np.eye(6))
    assert j.sum() == 6 and np.array_equal(cr.jacfwd(f)(x), j)


def test_constant_zero_divisor_is_inf_not_an_exception():
    with np.errstate(divide="ignore"):
        g = cr.grad(lambda x: cnp.sum(x / 0))(np.ones(2))
        assert np.all(np.isinf(g))


# -------------------------------------------------------------------- float32
F32 = {
    "sin": lambda x: cnp.sin(x), "exp-log": lambda x: cnp.log(cnp.exp(x) + 1.0),
    "power": lambda x: x ** 3 + 2.0 ** x, "sum-axis": lambda x: cnp.sum(x * x, axis=0),
    "mean": lambda x: cnp.mean(x, axis=1), "max": lambda x: cnp.max(x, axis=0),
    "var": lambda x: cnp.var(x), "std": lambda x: cnp.std(x, axis=1),
    "prod": lambda x: cnp.prod(x, axis=0), "cumsum": lambda x: cnp.cumsum(x, axis=1),
    "cumprod": lambda x: cnp.cumprod(x), "matmul": lambda x: x @ x.T,
    "einsum": lambda x: cnp.einsum("ij,kj->ik", x, x),
    "tensordot": lambda x: cnp.tensordot(x, x, 2), "getitem": lambda x: x[np.array([0, 2, 2]), 1:],
    "concatenate": lambda x: cnp.concatenate([x, x * 2]),
    "where": lambda x: cnp.where(x > 0.5, x, -x), "clip": lambda x: cnp.clip(x, 0.3, 0.7),
    "maximum": lambda x: cnp.maximum(x, 0.5), "sort": lambda x: cnp.sort(x, axis=0),
    "pad": lambda x: cnp.pad(x, 1, mode="reflect"), "divide": lambda x: 1.0 / x,
    "diag": lambda x: cnp.diag(x[0], 1), "broadcast_to": lambda x: cnp.broadcast_to(x, (2, 3, 4)),
    "kron": lambda x: cnp.kron(x[:2, :2], x[0]), "tanh": lambda x: cnp.tanh(x),
    "sqrt": lambda x: cnp.sqrt(x), "transpose": lambda x: cnp.transpose(x) * 1.0,
    "index_add": lambda x: cnp.index_add(x[0], np.array([0, 1, 1, 0]), (2,)),
    "take": lambda x: cnp.take(x, [1, 5, 5]),
    "average": lambda x: cnp.average(x, axis=1, weights=x[0]),
}


@pytest.mark.parametrize("name", sorted(F32))
def test_float32_derivatives_stay_float32(name):
    f = F32[name]
    x64 = np.random.default_rng(3).uniform(0.2, 0.9, (3, 4))
    x = x64.astype(np.float32)
    out = f(x)
    assert out.dtype == np.float32
    s = lambda x: cnp.sum(cnp.sin(f(x)))              # noqa: E731
    g = cr.grad(s)(x)
    jf, jr = cr.jacfwd(f)(x), cr.jacrev(f)(x)
    _, t = cr.jvp(f, (x,), (np.ones_like(x),))
    h = cr.hessian(s)(x)
    for what, v in (("grad", g), ("jacfwd", jf), ("jacrev", jr), ("jvp", t), ("hessian", h)):
        assert v.dtype == np.float32, f"{what} of {name} is {v.dtype}"
    np.testing.assert_allclose(g, cr.grad(s)(x64), rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(jf, jr, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------- methods and operators
def test_methods_on_traced_values():
    x = np.random.default_rng(2).uniform(0.2, 0.9, (3, 4))
    y = np.random.default_rng(3).uniform(0.2, 0.9, (4, 2))
    checks = {
        "sum": lambda x: x.sum(axis=0), "sum-keep": lambda x: x.sum(axis=1, keepdims=True),
        "T": lambda x: x.T, "mT": lambda x: x.mT, "reshape": lambda x: x.reshape(2, -1),
        "reshape-tuple": lambda x: x.reshape((4, 3)), "mean": lambda x: x.mean(),
        "max": lambda x: x.max(axis=1), "min": lambda x: x.min(), "prod": lambda x: x.prod(0),
        "var": lambda x: x.var(ddof=1), "std": lambda x: x.std(axis=0),
        "dot": lambda x: x.dot(y), "astype": lambda x: x.astype(np.float64) * 2,
        "clip": lambda x: x.clip(0.3, 0.7), "cumsum": lambda x: x.cumsum(axis=1),
        "cumprod": lambda x: x.cumprod(),
        "flatten": lambda x: x.flatten(), "ravel": lambda x: x.ravel(),
        "squeeze": lambda x: x.reshape(1, 3, 4).squeeze(0), "swapaxes": lambda x: x.swapaxes(0, 1),
        "transpose": lambda x: x.transpose(), "transpose-axes": lambda x: x.transpose(1, 0),
        "diagonal": lambda x: x.diagonal(1), "trace": lambda x: x.trace(),
        "repeat": lambda x: x.repeat(2, axis=0), "take": lambda x: x.take([0, 5]),
        "copy": lambda x: x.copy(), "round": lambda x: x * x.round(1),
        "iteration": lambda x: cnp.stack([row * i for i, row in enumerate(x)]),
        "real-conj": lambda x: x.real + x.conj(),
        "compress": lambda x: x.compress([True, False, True], axis=0),
        "sum-where": lambda x: x.sum(axis=1, where=x > 0.5),
        "max-initial": lambda x: x.max(axis=0, initial=0.6),
    }
    for name, f in checks.items():
        want = f(x)
        got = cr.jvp(f, (x,), (np.ones_like(x),))[0]
        np.testing.assert_allclose(got, want, err_msg=name)
        cr.check_grads(f, (x,), order=2)
    seen = {}

    def probe(x):
        seen.update(len=len(x), shape=x.shape, ndim=x.ndim, size=x.size, dtype=x.dtype,
                    argmax=x.argmax(), argsort=x.argsort(axis=0), any=x.any(), all=x.all(),
                    item=x[0, 0].item(), float=x[1, 1].item(),
                    format=f"{x[0, 1]:.3f}", round=round(x[2, 2], 1),
                    searchsorted=x[0].searchsorted(0.5), argpartition=x[1].argpartition(1))
        return x.sum()
    cr.grad(probe)(x)
    assert seen["len"] == 3 and seen["shape"] == (3, 4) and seen["ndim"] == 2
    assert seen["size"] == 12 and seen["dtype"] == np.float64
    assert seen["argmax"] == x.argmax() and seen["item"] == x[0, 0] and seen["float"] == x[1, 1]
    np.testing.assert_array_equal(seen["argsort"], x.argsort(axis=0))
    assert seen["format"] == f"{x[0, 1]:.3f}" and seen["round"] == round(x[2, 2], 1)
    assert seen["searchsorted"] == x[0].searchsorted(0.5)
    np.testing.assert_array_equal(seen["argpartition"], x[1].argpartition(1))
    with pytest.raises(TypeError):
        cr.grad(lambda x: x.sort())(x)


def test_operators_on_traced_values():
    x = np.random.default_rng(4).uniform(0.5, 1.5, (3, 4))
    a = np.random.default_rng(5).uniform(0.5, 1.5, (2, 3))
    checks = {
        "ndarray@tracer": lambda x: a @ x, "tracer@ndarray": lambda x: x.T @ a.T,
        "f64*tracer": lambda x: np.float64(2.5) * x, "tracer*f64": lambda x: x * np.float64(2.5),
        "f64+tracer": lambda x: np.float64(1.0) + x, "ndarray-tracer": lambda x: a.T[:, :1] - x,
        "ndarray/tracer": lambda x: np.ones(4) / x,
        "ndarray**tracer": lambda x: np.full(4, 2.0) ** x,
        "rpow": lambda x: 2.0 ** x, "pow": lambda x: x ** 2, "pow-tracer": lambda x: x ** x,
        "neg": lambda x: -x, "pos": lambda x: +x, "abs": lambda x: abs(x - 1.0),
        "div": lambda x: x / 2, "rdiv": lambda x: 1 / x, "sub": lambda x: x - x[0],
        "mod": lambda x: x % 0.3 + 0.0 * x, "rmod": lambda x: 5.0 % (x + 2.0),
        "floordiv": lambda x: x * (x // 0.45), "rfloordiv": lambda x: x * (2.0 // x),
        "matmul-1d": lambda x: x[0] @ x[0], "int*tracer": lambda x: 3 * x,
        "np.int64*tracer": lambda x: np.int64(3) * x, "bool-mask": lambda x: x * (x > 1.0),
        "divmod": lambda x: divmod(x, 0.3)[1] * divmod(x, 0.3)[0],
        "rdivmod": lambda x: divmod(5.0, x + 2.0)[1],
    }
    for name, f in checks.items():
        xx = x.copy()
        if name in ("mod", "rmod", "floordiv", "divmod", "rdivmod"):   # x % 0.3 = 0.1
            xx = np.round(x / 0.3) * 0.3 + 0.1
        elif name == "rfloordiv":                    # 2 / x away from integers
            xx = np.linspace(0.75, 0.95, 12).reshape(3, 4)
        want = f(xx)
        assert type(want) is np.ndarray or np.ndim(want) == 0
        got = cr.jvp(f, (xx,), (np.ones_like(xx),))[0]
        np.testing.assert_allclose(got, want, err_msg=name)
        try:
            cr.check_grads(f, (xx,), order=2)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None
        jf, jr = cr.jacfwd(f)(xx), cr.jacrev(f)(xx)
        np.testing.assert_allclose(jf, jr, err_msg=name, atol=1e-12)


@pytest.mark.parametrize("kind", sorted(KNOWN_BUGS))
def test_known_bugs_are_still_there(kind):
    test = {"rule": test_rule, "int": test_value_on_integer_inputs,
            "f32": test_float32_stays_float32}[kind]
    fixed = []
    for c in ALL:
        if c.id in KNOWN_BUGS[kind]:
            try:
                test(c)
            except AssertionError:
                continue
            fixed.append(c.id)
    assert not fixed, f"fixed now, remove from KNOWN_BUGS[{kind!r}]: {fixed}"


# ------------------------------------------------------------------- doctests
DOC_ENTRIES = sorted((e["name"], e["fn"]) for e in PUBLIC.values()
                     if e["namespace"] == "numpy" and e["kind"] != "constant")


@pytest.mark.parametrize("name,f", DOC_ENTRIES, ids=[n for n, _ in DOC_ENTRIES])
def test_docstring_example_runs(name, f):
    """Every public function (not NumPy's own constructors) documents a runnable
    example, and the example passes."""
    doc = f.__doc__ or ""
    assert ">>>" in doc, f"chainrule.numpy.{name} has no doctest example"
    test = doctest.DocTestParser().get_doctest(doc, {}, f"cnp.{name}", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


NUMPY_MODULES = sorted(m.name for m in pkgutil.iter_modules(cnp.__path__, "chainrule.numpy.")
                       if m.name != "chainrule.numpy.linalg") + ["chainrule.numpy"]


@pytest.mark.parametrize("modname", NUMPY_MODULES)
def test_module_doctests(modname):
    mod = importlib.import_module(modname)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
