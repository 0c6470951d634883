"""The notation of the evaluation-trace tables, in three styles.

``unicode`` (v̇₋₁, v̄₅, ×, √) for terminals that can show it, ``ascii`` (vdot_-1, vbar_5,
*, sqrt) for those that cannot, and ``latex`` (``\\dot{v}_{-1}``) for papers and slides.

Formulas are written once, in a small neutral template language, and rendered per style:

* ``{0}``, ``{1}``, ...: the arguments; ``{t0}``: the tangent of argument 0; ``{g}``: the
  adjoint of the row; ``{y}``: the row itself;
* ``" * "`` is a product (× / * / \\times), ``" @ "`` a matrix product, ``^T`` a transpose;
* ``√[...]`` a square root and ``^[...]`` a superscript (brackets group, parentheses
  are only added where the content is not a single symbol or number);
* known function words (``ln``, ``sin``, ``exp``, ...) become ``\\ln``, ``\\sin``, ...
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Mapping

import numpy as np

STYLES = ("unicode", "ascii", "latex")

_SUB = str.maketrans("0123456789-+", "₀₁₂₃₄₅₆₇₈₉₋₊")
_DOT, _BAR = "\u0307", "\u0304"            # combining dot above, combining macron
_NAME = re.compile(r"^([^\W\d_]+)_?(-?\d+)?$")

_LATEX_FUNCS = {"ln", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "arcsin",
                "arccos", "arctan", "max", "min"}
_FUNC_WORDS = re.compile(r"\b(ln|log2|log10|log1p|log|expm1|exp|arcsinh|arccosh|arctanh|"
                         r"arcsin|arccos|arctan|sinh|cosh|tanh|sin|cos|tan|sign|sum|mean|"
                         r"max|min|cbrt|sinc|erf|expit)\b")


# --------------------------------------------------------------------------- symbols
def symbol(name: str, style: str, accent: str = "") -> str:
    """A variable's name in ``style``, with an optional accent ("dot" or "bar").

    >>> symbol("v-1", "unicode", "dot"), symbol("x1", "latex", "bar"), symbol("v5", "ascii", "bar")
    ('v̇₋₁', '\\\\bar{x}_{1}', 'vbar_5')
    """
    m = _NAME.match(name)
    if m is None:                           # a pytree path such as params['W']
        if style == "latex":
            body = r"\mathtt{" + _latex_escape(name) + "}"
            return {"dot": r"\dot{" + body + "}", "bar": r"\overline{" + body + "}"}.get(
                accent, body)
        if style == "ascii":
            return f"{accent}({name})" if accent else name
        mark = {"dot": _DOT, "bar": _BAR}.get(accent, "")
        return unicodedata.normalize("NFC", name[0] + mark + name[1:])
    base, sub = m.group(1), m.group(2) or ""
    if style == "latex":
        b = base if len(base) == 1 else r"\mathit{" + base + "}"
        if accent:
            b = (r"\dot{" if accent == "dot" else r"\bar{") + b + "}"
        return b + ("_{" + sub + "}" if sub else "")
    if style == "ascii":
        return base + accent + ("_" + sub if sub else "")
    mark = {"dot": _DOT, "bar": _BAR}.get(accent, "")
    # NFC: ẋ and ȳ as the single characters people type and search for
    return unicodedata.normalize("NFC", base[0] + mark + base[1:] + sub.translate(_SUB))


def _latex_escape(s: str) -> str:
    return (s.replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("{", r"\{")
            .replace("}", r"\}").replace("#", r"\#").replace("%", r"\%").replace("&", r"\&")
            .replace("$", r"\$").replace("'", r"\textquotesingle{}"))


def partial(num: str, den: str, style: str) -> str:
    """∂num/∂den in ``style`` (arguments already rendered)."""
    if style == "latex":
        return r"\frac{\partial " + num + r"}{\partial " + den + "}"
    if style == "ascii":
        return f"d{num}/d{den}"
    return f"∂{num}/∂{den}"


# --------------------------------------------------------------------------- numbers
def number(v) -> str:
    """A scalar to 3 decimals, without trailing zeros (10, 0.5, -0.284, 11.652); very
    large or small magnitudes in scientific notation.

    >>> [number(x) for x in (10.0, 0.5, -0.28366, 11.652071, 1e-7, -0.0, 2.5e9)]
    ['10', '0.5', '-0.284', '11.652', '1e-07', '0', '2.5e+09']
    """
    v = np.asarray(v)
    if v.dtype.kind == "b":
        return str(bool(v))
    if v.dtype.kind in "iu":
        return str(int(v))
    if v.dtype.kind == "c":
        return str(complex(v))
    x = float(v)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    a = abs(x)
    if a != 0 and (a >= 1e6 or a < 5e-4):
        return f"{x:.3g}"
    s = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def is_scalar(v) -> bool:
    return np.ndim(v) == 0 or np.size(v) == 1


def shape_text(shape, style: str) -> str:
    """(64, 10) as 64×10 (unicode), 64x10 (ascii), 64\\times 10 (latex); () as scalar."""
    if len(shape) == 0:
        return "scalar"
    sep = {"unicode": "×", "ascii": "x", "latex": r"{\times}"}[style]
    return sep.join(str(n) for n in shape)


def summary(v, style: str) -> str:
    """A short description of an array value: its entries when there are few, else its
    shape, mean and range."""
    v = np.asarray(v)
    if v.size == 1:
        return number(v.reshape(()))
    if v.size <= 4 and v.ndim == 1:
        return "[" + ", ".join(number(x) for x in v) + "]"
    st = shape_text(v.shape, style)
    if v.size == 0:
        return f"{st} (empty)"
    if v.dtype.kind == "b":
        return f"{st} bool, {int(v.sum())} true"
    if v.dtype.kind not in "fiu":
        return f"{st} {v.dtype}"
    if v.dtype.kind in "fiu" and np.all(v == v.flat[0]):
        return f"{st}, all {number(v.flat[0])}"
    with np.errstate(all="ignore"):
        finite = np.isfinite(v)
        bad = "" if finite.all() else f", {int(v.size - finite.sum())} non-finite"
        w = v[finite] if bad else v
        if w.size == 0:
            return f"{st}, all non-finite"
        return (f"{st}, mean {number(w.mean())}, range [{number(w.min())}, "
                f"{number(w.max())}]{bad}")


# --------------------------------------------------------------------------- templates
class _Field:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class _Group:
    __slots__ = ("kind", "items")

    def __init__(self, kind):
        self.kind = kind              # "sqrt" or "sup"
        self.items = []


_PARSED: dict = {}


def _parse(template: str) -> list:
    got = _PARSED.get(template)
    if got is not None:
        return got
    stack = [_Group("top")]
    i, lit = 0, []

    def flush():
        if lit:
            stack[-1].items.append("".join(lit))
            lit.clear()

    while i < len(template):
        c = template[i]
        if c == "{":
            j = template.index("}", i)
            flush()
            stack[-1].items.append(_Field(template[i + 1:j]))
            i = j + 1
            continue
        if c in "√^" and template[i + 1:i + 2] == "[":
            flush()
            g = _Group("sqrt" if c == "√" else "sup")
            stack[-1].items.append(g)
            stack.append(g)
            i += 2
            continue
        if c == "]" and len(stack) > 1:
            flush()
            stack.pop()
            i += 1
            continue
        lit.append(c)
        i += 1
    flush()
    _PARSED[template] = stack[0].items
    return stack[0].items


def _literal(s: str, style: str) -> str:
    if style == "unicode":
        return s.replace(" * ", " × ").replace("^T", "ᵀ")
    if style == "ascii":
        return s.replace("^T", ".T")
    s = s.replace(" * ", r" \times ").replace(" @ ", r" \, ").replace("^T", r"^{\top}")
    return _FUNC_WORDS.sub(lambda m: ("\\" + m.group(1) if m.group(1) in _LATEX_FUNCS
                                      else r"\operatorname{" + m.group(1) + "}"), s)


def _atomic(items, env) -> bool:
    if len(items) != 1:
        return False
    it = items[0]
    if isinstance(it, _Field):
        return env[it.name][1]
    return isinstance(it, str) and re.fullmatch(r"[\w.]+", it) is not None


def _render(items, env, style) -> str:
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(_literal(it, style))
        elif isinstance(it, _Field):
            out.append(env[it.name][0])
        else:
            inner = _render(it.items, env, style)
            atomic = _atomic(it.items, env)
            if it.kind == "sqrt":
                if style == "latex":
                    out.append(r"\sqrt{" + inner + "}")
                elif style == "ascii":
                    out.append(f"sqrt({inner})")
                else:
                    out.append("√" + (inner if atomic else f"({inner})"))
            else:
                if style == "latex":
                    out.append("^{" + inner + "}")
                else:
                    out.append("^" + (inner if atomic else f"({inner})"))
    return "".join(out)


_FOLD_MINUS = re.compile(r"- \(-([0-9][0-9.e+]*)\)")
_FOLD_PLUS = re.compile(r"\+ \(-([0-9][0-9.e+]*)\)")
_LEAD = re.compile(r"^\(-([0-9][0-9.e+]*)\)(?![\^²])")


def render(template: str, env: Mapping[str, tuple], style: str) -> str:
    """Fill ``template`` with ``env`` (field -> (text, is_atomic)) in ``style``.

    >>> env = {"0": ("v₄", True), "1": ("v₃", True)}
    >>> render("{0} - {1}", env, "unicode")
    'v₄ - v₃'
    >>> render("{0} - {1}", {"0": ("10.693", True), "1": ("(-0.959)", True)}, "unicode")
    '10.693 + 0.959'
    >>> render("{t0} / (2 √[{0}])", {"t0": ("t", True), "0": ("x", True)}, "latex")
    't / (2 \\\\sqrt{x})'
    """
    s = _render(_parse(template), env, style)
    s = _FOLD_MINUS.sub(r"+ \1", s)
    s = _FOLD_PLUS.sub(r"- \1", s)
    return _LEAD.sub(r"-\1", s)


def number_env(v) -> tuple:
    """A number as a template argument: negative numbers in parentheses."""
    s = number(v)
    return (f"({s})" if s.startswith("-") else s), True
