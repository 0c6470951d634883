"""How each primitive is written in the tables: its expression, its tangent and its
adjoint, as the lecture notes write them (v₂ = v₋₁ × v₀, v̇₂ = v̇₋₁ × v₀ + v̇₀ × v₋₁,
v̄₀ = v̄₂ × v₋₁).

This is notation only. Every number in the tables comes from the core (the primitives'
own rules applied by the forward and reverse passes); these templates say how to *write*
the rule that produced it. A primitive missing here is written generically
(``name(v₁, v₂)``, ``∂v₃/∂v₁ v̇₁``, ``v̄₃ ∂v₃/∂v₁``), never wrongly.

Elementwise primitives are described by one factor per argument, ``(op, factor)``: the
tangent term is ``v̇ op factor`` and the adjoint ``v̄ op factor``, which is how the
seed's tables read (``v̇₋₁ / v₋₁`` and ``v̄₁ / v₋₁`` for ln).
"""
from __future__ import annotations

from typing import Optional

# --- expressions (template language: see notation.py) ---------------------------------
_FUNC1 = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
          "arcsinh", "arccosh", "arctanh", "exp", "expm1", "log2", "log10", "log1p",
          "cbrt", "sinc"]
PRIMAL = {name: name + " {0}" for name in _FUNC1}
PRIMAL.update({
    "add": "{0} + {1}", "subtract": "{0} - {1}", "multiply": "{0} * {1}",
    "divide": "{0} / {1}", "negative": "-{0}", "positive": "+{0}",
    "power": "{0}^[{1}]", "float_power": "{0}^[{1}]", "square": "{0}^[2]",
    "sqrt": "√[{0}]", "reciprocal": "1 / {0}", "log": "ln {0}", "exp2": "2^[{0}]",
    "absolute": "|{0}|", "fabs": "|{0}|", "matmul": "{0} @ {1}",
    "maximum": "max({0}, {1})", "minimum": "min({0}, {1})",
    "fmax": "max({0}, {1})", "fmin": "min({0}, {1})",
    "hypot": "√[{0}^[2] + {1}^[2]]", "arctan2": "arctan({0} / {1})",
    "logaddexp": "ln(exp {0} + exp {1})",
})

# --- elementwise derivatives: one (op, factor) per argument ----------------------------
ONE, MINUS_ONE = ("*", "1"), ("*", "(-1)")
FACTORS = {
    "add": [ONE, ONE], "subtract": [ONE, MINUS_ONE],
    "multiply": [("*", "{1}"), ("*", "{0}")],
    "divide": [("/", "{1}"), ("*", "(-{0} / {1}^[2])")],
    "negative": [MINUS_ONE], "positive": [ONE],
    "log": [("/", "{0}")], "log2": [("/", "({0} ln 2)")], "log10": [("/", "({0} ln 10)")],
    "log1p": [("/", "(1 + {0})")],
    "exp": [("*", "exp {0}")], "expm1": [("*", "exp {0}")], "exp2": [("*", "2^[{0}] ln 2")],
    "sqrt": [("/", "(2 √[{0}])")], "cbrt": [("/", "(3 {y}^[2])")],
    "square": [("*", "2{0}")], "reciprocal": [("*", "(-1 / {0}^[2])")],
    "sin": [("*", "cos {0}")], "cos": [("*", "(-sin {0})")],
    "tan": [("*", "(1 + tan^[2] {0})")],
    "arcsin": [("/", "√[1 - {0}^[2]]")], "arccos": [("*", "(-1 / √[1 - {0}^[2]])")],
    "arctan": [("/", "(1 + {0}^[2])")],
    "sinh": [("*", "cosh {0}")], "cosh": [("*", "sinh {0}")],
    "tanh": [("*", "(1 - tanh^[2] {0})")],
    "arcsinh": [("/", "√[{0}^[2] + 1]")], "arccosh": [("/", "√[{0}^[2] - 1]")],
    "arctanh": [("/", "(1 - {0}^[2])")],
    "absolute": [("*", "sign {0}")], "fabs": [("*", "sign {0}")],
    "power": [("*", "{1} {0}^[{1} - 1]"), ("*", "{0}^[{1}] ln {0}")],
    "float_power": [("*", "{1} {0}^[{1} - 1]"), ("*", "{0}^[{1}] ln {0}")],
}

# --- other primitives: (tangent term, adjoint rule) per argument -----------------------
EXPLICIT = {
    "matmul": [("{t0} @ {1}", "{g} @ {1}^T"), ("{0} @ {t1}", "{0}^T @ {g}")],
}

# Linear primitives: the tangent is the expression applied to the tangents.
LINEAR = {"sum", "reshape", "transpose", "broadcast_to", "getitem", "flip", "cumsum",
          "astype", "concatenate", "index_add"}


def _kw_text(kw: dict) -> str:
    return "".join(f", {k}={_safe(_short(v))}" for k, v in kw.items() if v is not None)


def _safe(text: str) -> str:
    """Literal text inside a template: braces would read as fields."""
    return text.replace("{", "(").replace("}", ")")


def _short(v) -> str:
    import numpy as np
    if isinstance(v, (tuple, list)):
        inner = ", ".join(_short(x) for x in v)
        return f"({inner}{',' if len(v) == 1 else ''})" if isinstance(v, tuple) else f"[{inner}]"
    if isinstance(v, slice):
        parts = ["" if p is None else str(p) for p in (v.start, v.stop, v.step)]
        return ":".join(parts[:2]) + (f":{parts[2]}" if v.step is not None else "")
    if isinstance(v, np.ndarray):
        if v.size <= 4:
            return "[" + ", ".join(str(x) for x in v.ravel().tolist()) + "]"
        return f"array{tuple(v.shape)}"
    if v is Ellipsis:
        return "..."
    if isinstance(v, np.dtype) or isinstance(v, type):
        return str(np.dtype(v))
    return str(v)


def _index_text(idx) -> str:
    items = idx if isinstance(idx, tuple) else (idx,)
    return ", ".join(_short(i) if i is not None else "None" for i in items)


def primal(node) -> str:
    """The expression template of an op node (fields {0}, {1}, ...)."""
    name, kw = node.op, node.kw
    if node.out_index is not None:
        return "{0}[" + str(node.out_index) + "]"
    t = PRIMAL.get(name)
    if t is not None and not kw:
        return t
    n = len(node.args)
    fields = ", ".join("{" + str(i) + "}" for i in range(n))
    if name == "sum":
        axis = kw.get("axis")
        full = axis is None or (node.args and _covers(axis, node.args[0]))
        extra = "" if full else f", axis={_short(axis if len(axis) != 1 else axis[0])}"
        return "sum(" + fields + extra + (", keepdims" if kw.get("keepdims") else "") + ")"
    if name in ("max", "min"):
        return name + "(" + fields + _kw_text({k: v for k, v in kw.items() if v}) + ")"
    if name == "getitem":
        return "{0}[" + _safe(_index_text(kw.get("idx"))) + "]"
    if name == "transpose" and kw.get("axes") is None:
        return "{0}^T"
    return name + "(" + fields + _kw_text(kw) + ")"


def _covers(axis, arg) -> bool:
    import numpy as np
    v = arg[1] if isinstance(arg, tuple) else arg.value
    return len(tuple(axis)) == np.ndim(v)


def _factors(node) -> list:
    """The (op, factor) pairs of an elementwise node; a power with a constant exponent
    is written with the exponent worked out (2 v₇, not 2 v₇^(2 - 1))."""
    fs = FACTORS[node.op]
    if node.op in ("power", "float_power") and isinstance(node.args[1], tuple):
        import numpy as np
        from .notation import number
        c = np.asarray(node.args[1][1])
        if c.size == 1:
            c = float(c.reshape(()))
            lead = "" if c == 1 else number(c) + " "
            rest = "" if c == 1 else ("{0}" if c == 2 else "{0}^[" + number(c - 1) + "]")
            return [("*", (lead + rest).strip() or "1"), fs[1]]
    return fs


def tangent(node) -> Optional[list]:
    """The tangent formula of an op node as a list of terms, one per traced argument (a
    term starting with "-" is subtracted); None when it is written generically."""
    name = node.op
    traced = [i for i, a in enumerate(node.args) if not isinstance(a, tuple)]
    if node.out_index is not None:
        return ["{t0}[" + str(node.out_index) + "]"]
    if name in FACTORS and not node.kw:
        terms = []
        fs = _factors(node)
        for i in traced:
            op, factor = fs[i]
            t = "{t" + str(i) + "}"
            if (op, factor) == ONE:
                terms.append(t)
            elif (op, factor) == MINUS_ONE:
                terms.append("-" + t)
            else:
                terms.append(f"{t} {op} {factor}")
        return terms
    if name in EXPLICIT:
        return [EXPLICIT[name][i][0] for i in traced]
    if name in LINEAR and len(traced) == 1:
        return [primal(node).replace("{" + str(traced[0]) + "}", "{t" + str(traced[0]) + "}")]
    return None


def join_terms(terms: list) -> str:
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out


def adjoint(node, pos: int) -> Optional[str]:
    """The adjoint rule of an op node for argument ``pos`` (-2: both arguments at once),
    e.g. ``{g} * {1}``; None when it is written generically."""
    name = node.op
    if pos == -2:
        parts = [adjoint(node, 0), adjoint(node, 1)]
        return None if None in parts else " + ".join(parts)
    if name in FACTORS and not node.kw:
        op, factor = _factors(node)[pos]
        return f"{{g}} {op} {factor}"
    if name in EXPLICIT:
        return EXPLICIT[name][pos][1]
    if name == "getitem":
        return "{g} at [" + _safe(_index_text(node.kw.get("idx"))) + "], 0 elsewhere"
    return LINEAR_ADJOINT.get(name)


# Adjoints of linear primitives (the contribution is then broadcast or reshaped back).
LINEAR_ADJOINT = {"sum": "{g} * 1", "broadcast_to": "{g} * 1", "transpose": "{g}^T",
                  "reshape": "{g} reshaped back", "flip": "{g} flipped back",
                  "astype": "{g}"}
