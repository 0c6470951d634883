"""The three evaluation-trace tables of a recording, as data and as text, Markdown and
LaTeX: the forward primal trace, the forward tangent trace (one per seed) and the
reverse adjoint trace, laid out as in Baydin et al. (the seed notes' tables)."""
from __future__ import annotations

import sys
import unicodedata
from typing import Optional

import numpy as np

from . import formulas
from .notation import number_env, partial, render, summary, symbol, is_scalar
from .record import Node, Recording

SEP = None          # a horizontal rule between the sections of a table


class Row(list):
    """The four cells of a row, and the plain name of the value it is about ("v-1")."""

    def __init__(self, name: str, cells) -> None:
        super().__init__(cells)
        self.name = name


class Table:
    """One table: a title and rows of four cells (name, formula, with numbers, value)."""

    def __init__(self, title: str, rows: list, headers=("", "formula", "with numbers",
                                                        "value")) -> None:
        self.title = title
        self.rows = rows          # lists of 4 strings, or SEP
        self.headers = headers    # column headings (Markdown)


def _value_cell(v, style) -> str:
    if v is None:
        return ""
    if isinstance(v, tuple):
        return f"{len(v)} outputs"
    return "= " + summary(v, style)


def _env(node: Node, style: str, *, values: bool, seed: Optional[int] = None,
         adjoint_of: Optional[Node] = None) -> Optional[dict]:
    """Template fields of an op node: its arguments ({0}), their tangents ({t0}), its own
    symbol ({y}) and adjoint ({g}), as symbols or (``values=True``) as numbers; None
    when a number needed is not a scalar."""
    env = {}
    for i, a in enumerate(node.args):
        if isinstance(a, tuple):                    # a constant
            v = a[1]
            if not is_scalar(v):
                if values:
                    return None
                env[str(i)] = ("C" if style != "latex" else r"\mathrm{C}", True)
            else:
                env[str(i)] = number_env(np.asarray(v).reshape(()))
            continue
        if values:
            if isinstance(a.value, tuple) or not is_scalar(a.value):
                return None
            env[str(i)] = number_env(a.value.reshape(()))
            t = a.tangent[seed] if seed is not None and a.tangent is not None else None
            if seed is not None:
                if t is None or not is_scalar(t):
                    return None
                env["t" + str(i)] = number_env(np.asarray(t).reshape(()))
        else:
            env[str(i)] = (symbol(a.name, style), True)
            env["t" + str(i)] = (symbol(a.name, style, "dot"), True)
            env["d" + str(i)] = (partial(symbol(node.name, style), symbol(a.name, style),
                                         style), True)
    if values:
        if isinstance(node.value, tuple) or not is_scalar(node.value):
            return None
        env["y"] = number_env(node.value.reshape(()))
    else:
        env["y"] = (symbol(node.name, style), True)
        env["g"] = (symbol(node.name, style, "bar"), True)
    return env


def _alias(plain: str, name: str, other: str, style: str, accent: str, value) -> Row:
    """A row that only names another value (v₋₁ = x₁, y = v₅, x̄₁ = v̄₋₁): no formula."""
    return Row(plain, [symbol(name, style, accent), "= " + symbol(other, style, accent), "",
                       _value_cell(value, style)])


def primal_table(rec: Recording, style: str) -> Table:
    rows = []
    for node in rec.inputs:
        rows.append(_alias(node.name, node.name, node.op, style, "", node.value))
    rows.append(SEP)
    for node in rec.nodes[len(rec.inputs):]:
        tpl = formulas.primal(node)
        expr = render(tpl, _env(node, style, values=False), style)
        env = _env(node, style, values=True)
        with_numbers = "= " + render(tpl, env, style) if env is not None else ""
        rows.append(Row(node.name, [symbol(node.name, style), "= " + expr, with_numbers,
                     _value_cell(node.value, style)]))
    rows.append(SEP)
    for name, out in zip(rec.output_names, rec.outputs):
        if isinstance(out, Node):
            rows.append(_alias(name, name, out.name, style, "", out.value))
        else:
            rows.append(Row(name, [symbol(name, style), "", "", _value_cell(out[1], style) +
                         " (a constant)"]))
    return Table("Forward primal trace", _trim(rows))


def _m(s: str, style: str) -> str:
    """Math inside a title: between dollars in LaTeX."""
    return f"${s}$" if style == "latex" else s


def _titled_value(v, style: str) -> str:
    text = summary(v, style)
    if style == "latex" and not is_scalar(v):
        return r"\text{" + text.replace(r"{\times}", r"$\times$") + "}"
    return text


def seed_text(rec: Recording, k: int, style: str) -> str:
    label, ts = rec.seeds[k]
    parts = []
    for name, t in zip(rec.input_names, ts):
        parts.append(_m(f"{symbol(name, style, 'dot')} = {_titled_value(t, style)}", style))
    return ", ".join(parts)


def tangent_table(rec: Recording, k: int, style: str) -> Table:
    rows = []
    for node in rec.inputs:
        rows.append(_alias(node.name, node.name, node.op, style, "dot", node.tangent[k]))
    rows.append(SEP)
    for node in rec.nodes[len(rec.inputs):]:
        tan = None if node.tangent is None else node.tangent[k]
        terms = formulas.tangent(node)
        if terms is None:                           # written with partial derivatives
            traced = [i for i, a in enumerate(node.args) if not isinstance(a, tuple)]
            terms = ["{d%d} {t%d}" % (i, i) for i in traced]
        tpl = formulas.join_terms(terms)
        expr = render(tpl, _env(node, style, values=False), style)
        env = None if "{d" in tpl else _env(node, style, values=True, seed=k)
        with_numbers = "= " + render(tpl, env, style) if env is not None else ""
        rows.append(Row(node.name, [symbol(node.name, style, "dot"), "= " + expr, with_numbers,
                     _value_cell(tan, style) if tan is not None else "(per output)"]))
    rows.append(SEP)
    for name, out in zip(rec.output_names, rec.outputs):
        if isinstance(out, Node):
            rows.append(_alias(name, name, out.name, style, "dot", out.tangent[k]))
        else:
            rows.append(Row(name, [symbol(name, style, "dot"), "", "", "= 0 (a constant)"]))
    return Table(f"Forward tangent trace ({seed_text(rec, k, style)})", _trim(rows))


def adjoint_table(rec: Recording, style: str) -> Table:
    rows = []
    for name, out, c in zip(rec.output_names, rec.outputs, rec.cotangents):
        if isinstance(out, Node):
            rows.append(_alias(out.name, out.name, name, style, "bar", c))
    rows.append(SEP)
    for step in rec.steps:
        src, tgt = step.source, step.target
        g = symbol(src.name, style, "bar")
        d = partial(symbol(src.name, style), symbol(tgt.name, style), style)
        chain = f"{g} {d}"
        rule_tpl = formulas.adjoint(src, step.pos)
        rule = render(rule_tpl, _env(src, style, values=False), style) if rule_tpl else ""
        how = _reshaped(step)
        if rule and how:
            c = step.contribution
            shape = "()" if c.ndim == 0 else \
                "(" + ", ".join(str(n) for n in c.shape) + ("," if c.ndim == 1 else "") + ")"
            note = f"{how} to shape {shape}"
            rule += r",\ \text{" + note + "}" if style == "latex" else ", " + note
        acc = "" if step.first else symbol(tgt.name, style, "bar") + " + "
        rows.append(Row(tgt.name, [symbol(tgt.name, style, "bar"), "= " + acc + chain,
                     ("= " + acc + rule) if rule else "", _value_cell(step.total, style)]))
    rows.append(SEP)
    for node, name in reversed(list(zip(rec.inputs, rec.input_names))):
        adj = node.adjoint if node.adjoint is not None else np.zeros_like(node.value)
        rows.append(_alias(name, name, node.name, style, "bar", adj))
    seeds = ", ".join(_m(f"{symbol(n, style, 'bar')} = {_titled_value(c, style)}", style)
                      for n, c in zip(rec.output_names, rec.cotangents))
    bar_v = symbol("v", style, "bar")
    d = partial("y", "v", style)
    return Table(f"Reverse adjoint trace ({_m(bar_v + ' = ' + d, style)}, seeded {seeds})",
                 _trim(rows), ("", "chain rule", "with the local derivative", "value"))


def _reshaped(step) -> str:
    """How the contribution of an elementwise op or a sum differs in shape from the row
    it comes from: "summed" (broadcasting undone) or "broadcast" (a sum undone)."""
    src = step.source
    if isinstance(src.value, tuple) or (src.op not in formulas.FACTORS
                                        and src.op not in ("sum", "broadcast_to")):
        return ""
    c, s = step.contribution, np.shape(src.value)
    if c.shape == s:
        return ""
    return "summed" if c.size < int(np.prod(s)) else "broadcast"


def _trim(rows: list) -> list:
    """No rule at the start or end, never two in a row."""
    out = []
    for r in rows:
        if r is SEP and (not out or out[-1] is SEP):
            continue
        out.append(r)
    while out and out[-1] is SEP:
        out.pop()
    return out


# ------------------------------------------------------------------------- rendering
def width(s: str) -> int:
    """Display width: combining marks (the dot of v̇, the bar of v̄) take no column."""
    return sum(0 if unicodedata.combining(c) else 1 for c in s)


def _pad(s: str, n: int) -> str:
    return s + " " * (n - width(s))


def to_text(tables: list) -> str:
    blocks = []
    for t in tables:
        real = [r for r in t.rows if r is not SEP]
        ncol = 4
        widths = [max((width(r[c]) for r in real), default=0) for c in range(ncol)]
        used = [c for c in range(ncol) if widths[c] > 0]
        total = sum(widths[c] for c in used) + 2 * (len(used) - 1)
        lines = [t.title, "=" * max(width(t.title), 0)]
        for r in t.rows:
            if r is SEP:
                lines.append("  " + "-" * total)
                continue
            cells = [_pad(r[c], widths[c]) for c in used]
            lines.append(("  " + "  ".join(cells)).rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|")


def to_markdown(tables: list) -> str:
    blocks = []
    for t in tables:
        lines = [f"**{t.title}**", "", "| " + " | ".join(t.headers) + " |",
                 "|---|---|---|---|"]
        for r in t.rows:
            if r is SEP:
                continue
            lines.append("| " + " | ".join(_md_cell(c) for c in r) + " |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def to_latex(tables: list) -> str:
    blocks = []
    for t in tables:
        lines = [r"\begin{tabular}{llll}",
                 r"\multicolumn{4}{l}{\textbf{" + t.title + r"}} \\", r"\hline"]
        for r in t.rows:
            if r is SEP:
                lines.append(r"\hline")
                continue
            cells = [_latex_math(r[0]), _latex_math(r[1]), _latex_math(r[2]),
                     _latex_value(r[3])]
            lines.append(" & ".join(cells) + r" \\")
        lines.append(r"\end{tabular}")
        blocks.append("\n".join(lines))
    return "\n\n\\medskip\n\n".join(blocks) + "\n"


def _latex_math(s: str) -> str:
    return f"${s}$" if s else ""


def _latex_value(s: str) -> str:
    if not s:
        return ""
    body = s[2:] if s.startswith("= ") else s
    simple = all(ch in "0123456789.-+e" for ch in body) or body in ("nan", "inf", "-inf")
    if simple:
        return f"$= {body}$"
    body = body.replace("%", r"\%").replace("_", r"\_").replace("&", r"\&")
    return "$=$ " + body.replace(r"{\times}", r"$\times$")


def default_style(stream=None) -> str:
    """Unicode when ``stream`` (default: stdout) can encode the symbols, else ASCII."""
    stream = stream if stream is not None else sys.stdout
    enc = getattr(stream, "encoding", None) or "ascii"
    try:
        "v̇₋₁ v̄₅ × √ ∂ ẋ₁".encode(enc)
    except (UnicodeEncodeError, LookupError):
        return "ascii"
    return "unicode"
