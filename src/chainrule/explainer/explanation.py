"""``cr.explain``: the evaluation trace of a function, as the lecture notes tabulate it."""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

from . import formulas, tables
from .notation import render, symbol
from .record import Node, Recording, record


class Explanation:
    """The evaluation trace of one call: forward primal trace, forward tangent trace (one
    per seed) and reverse adjoint trace.

    ``print(e)`` shows the tables (Unicode where the terminal can show it, else ASCII);
    ``e.to_text(style)``, ``e.to_markdown()``, ``e.to_latex()`` give them as strings;
    ``e.rows`` (one dict per value: ``name``, ``op``, ``inputs``, ``expr``, ``value``,
    ``shape``, ``tangent``, ``tangents``, ``adjoint``), ``e.tangent_rows`` and
    ``e.adjoint_rows`` give them as data. ``e.value`` is the function's value, ``e.grad``
    the adjoints of the inputs (a tuple, one per input) and ``e.tangents`` the output's
    tangent under each seed.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> e = cr.explain(lambda x: cnp.exp(x) * x, 1.0)
    >>> print(e.to_text("ascii").splitlines()[4])
      v_1  = exp v_0    = exp 1      = 2.718
    >>> e.adjoint_rows[-1]["name"], round(float(e.grad[0]), 3)
    ('x', 5.437)
    """

    def __init__(self, rec: Recording) -> None:
        self.recording = rec

    # ------------------------------------------------------------------ data
    @property
    def value(self) -> Any:
        """The function's output (plain NumPy)."""
        return self.recording.value

    @property
    def input_names(self) -> list:
        return list(self.recording.input_names)

    @property
    def grad(self) -> tuple:
        """The adjoint of every input, x̄ᵢ = ∂y/∂xᵢ (with ȳ = the seeded cotangent)."""
        return tuple(_adjoint(n) for n in self.recording.inputs)

    @property
    def tangents(self) -> dict:
        """The output's tangent ẏ under each seed, by seed label (the seeded input's name,
        or "direction" for a given direction). One output: arrays; several: lists."""
        rec = self.recording
        res = {}
        for k, (label, _) in enumerate(rec.seeds):
            ts = [o.tangent[k] if isinstance(o, Node) else np.zeros(np.shape(o[1]))
                  for o in rec.outputs]
            res[label] = ts[0] if len(ts) == 1 else ts
        return res

    @property
    def rows(self) -> list:
        """The forward primal trace as data, one dict per row: inputs, then every
        intermediate, then the output(s)."""
        rec = self.recording
        labels = [s[0] for s in rec.seeds]
        out = []

        def tans(t):
            if t is None:
                return {}
            return {lab: t[k] for k, lab in enumerate(labels)}

        for node in rec.nodes:
            if node.kind == "input":
                expr = node.op
            else:
                env = tables._env(node, "unicode", values=False)
                expr = render(formulas.primal(node), env, "unicode")
            ts = tans(node.tangent)
            out.append({
                "name": node.name, "kind": node.kind, "op": node.op,
                "inputs": [a.name if isinstance(a, Node) else _const(a[1]) for a in node.args],
                "expr": expr, "value": node.value,
                "shape": tuple(np.shape(node.value)) if not isinstance(node.value, tuple)
                else tuple(np.shape(v) for v in node.value),
                "tangent": ts[labels[0]] if ts else None, "tangents": ts,
                "adjoint": _adjoint(node),
            })
        for name, o in zip(rec.output_names, rec.outputs):
            if isinstance(o, Node):
                ts = tans(o.tangent)
                out.append({"name": name, "kind": "output", "op": "output",
                            "inputs": [o.name], "expr": o.name, "value": o.value,
                            "shape": tuple(np.shape(o.value)),
                            "tangent": ts[labels[0]] if ts else None, "tangents": ts,
                            "adjoint": _adjoint(o)})
            else:
                z = np.zeros(np.shape(o[1]))
                out.append({"name": name, "kind": "output", "op": "constant", "inputs": [],
                            "expr": _const(o[1]), "value": o[1], "shape": np.shape(o[1]),
                            "tangent": z, "tangents": {lab: z for lab in labels},
                            "adjoint": None})
        return out

    @property
    def tangent_rows(self) -> list:
        """The forward tangent trace(s) as data: one list of row dicts per seed, each
        with ``name`` ("v1"), ``symbol`` (as printed, "v̇₁"), ``expr``, ``with_numbers``
        and ``value_text``."""
        return [_table_rows(tables.tangent_table(self.recording, k, "unicode"))
                for k in range(len(self.recording.seeds))]

    @property
    def adjoint_rows(self) -> list:
        """The reverse adjoint trace as data, in the order the backward pass ran: the seed
        row(s), one row per accumulated contribution (``source`` is the row whose adjoint is
        pushed back, ``contribution`` its share, ``accumulates`` true when it adds to an
        earlier share), then the inputs' adjoints."""
        rec = self.recording
        table = tables.adjoint_table(rec, "unicode")
        rows = _table_rows(table)
        n_seed = sum(isinstance(o, Node) for o in rec.outputs)
        for r, step in zip(rows[n_seed:], rec.steps):
            r.update(source=step.source.name,
                     contribution=step.contribution, value=step.total,
                     accumulates=not step.first)
        return rows

    # ------------------------------------------------------------------ text
    def tables(self, style: str) -> list:
        rec = self.recording
        return ([tables.primal_table(rec, style)]
                + [tables.tangent_table(rec, k, style) for k in range(len(rec.seeds))]
                + [tables.adjoint_table(rec, style)])

    def to_text(self, style: Optional[str] = None) -> str:
        """The tables as aligned plain text; ``style`` "unicode" or "ascii" (default:
        what the terminal can show)."""
        style = style or tables.default_style()
        if style not in ("unicode", "ascii"):
            raise ValueError(f"Explanation.to_text: style must be 'unicode' or 'ascii', "
                             f"got {style!r}")
        return _warning(self, style) + tables.to_text(self.tables(style))

    def to_markdown(self) -> str:
        """The tables as Markdown (GitHub pipe tables, Unicode symbols)."""
        return _warning(self, "unicode") + tables.to_markdown(self.tables("unicode"))

    def to_latex(self) -> str:
        """The tables as LaTeX ``tabular`` environments (``\\dot{v}``, ``\\bar{v}``)."""
        return _warning(self, "latex") + tables.to_latex(self.tables("latex"))

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        rec = self.recording
        return (f"<Explanation of {rec.fname}: {len(rec.inputs)} input(s), "
                f"{len(rec.nodes) - len(rec.inputs)} operation(s), {len(rec.seeds)} "
                f"tangent seed(s)>")

    def _repr_markdown_(self) -> str:             # Jupyter
        return self.to_markdown()

    def problems(self) -> list:
        """Rows whose value is NaN or infinite although their arguments are finite: where
        the function left its domain (ln of a negative number, 1/0, ...)."""
        bad = []
        for node in self.recording.nodes:
            if node.kind != "op" or isinstance(node.value, tuple):
                continue
            if node.value.dtype.kind in "fc" and not np.all(np.isfinite(node.value)):
                args_ok = all(_finite(a[1] if isinstance(a, tuple) else a.value)
                              for a in node.args)
                if args_ok:
                    bad.append(node)
        return bad


def _finite(v) -> bool:
    if isinstance(v, tuple):
        return all(_finite(x) for x in v)
    v = np.asarray(v)
    return v.dtype.kind not in "fc" or bool(np.all(np.isfinite(v)))


def _warning(e: Explanation, style: str) -> str:
    bad = e.problems()
    if not bad:
        return ""
    names = ", ".join(symbol(n.name, style if style != "latex" else "ascii") for n in bad)
    return (f"warning: {names} not finite: the function leaves its domain there "
            f"(e.g. ln of a number <= 0, division by 0)\n\n")


def _adjoint(node: Node):
    if node.adjoint is not None:
        return node.adjoint
    if isinstance(node.value, tuple):
        return tuple(np.zeros_like(v, dtype=float) for v in node.value)
    return np.zeros_like(node.value, dtype=float if node.value.dtype.kind != "f"
                         else node.value.dtype)


def _const(v) -> str:
    from .notation import summary
    return summary(v, "unicode")


def _table_rows(table) -> list:
    rows = []
    for r in table.rows:
        if r is tables.SEP:
            continue
        rows.append({"name": r.name, "symbol": r[0],
                     "expr": r[1][2:] if r[1].startswith("= ") else r[1],
                     "with_numbers": r[2][2:] if r[2].startswith("= ") else r[2],
                     "value_text": r[3][2:] if r[3].startswith("= ") else r[3]})
    return rows


def explain(fun: Callable, *args, argnums: Union[None, int, Sequence[int]] = None,
            wrt: Union[None, str, int, Sequence] = None, tangents: Optional[Sequence] = None,
            cotangent: Any = None, order: str = "depth", **kwargs) -> Explanation:
    """The evaluation trace of ``fun(*args, **kwargs)``: the textbook's forward primal,
    forward tangent and reverse adjoint tables, computed by chainrule's own forward and
    reverse passes (the numbers equal ``cr.jvp`` and ``cr.grad``).

    Inputs are the positional arguments (all of them, or those in ``argnums``; pytrees
    give one input per leaf), numbered v₋ₙ₊₁ ... v₀ as in the notes; every primitive
    applied to them is a row v₁, v₂, ... Keyword arguments are constants.

    * ``wrt``: the input (name or index, or a list) whose tangent is seeded with 1 (ones
      for arrays), one tangent table each; default: every input in turn.
    * ``tangents``: instead, one direction (a tuple like the inputs).
    * ``cotangent``: the seed ȳ of the reverse pass (default 1, ones for arrays).
    * ``order``: ``"depth"`` numbers each row as early as its arguments allow (the
      textbook numbering); ``"trace"`` keeps the order the code ran in.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> e = cr.explain(lambda x1, x2: cnp.log(x1) + x1 * x2 - cnp.sin(x2), 2.0, 5.0)
    >>> [(r["name"], r["expr"], round(float(r["value"]), 3)) for r in e.rows][2:5]
    [('v1', 'ln v₋₁', 0.693), ('v2', 'v₋₁ × v₀', 10.0), ('v3', 'sin v₀', -0.959)]
    >>> [round(float(g), 3) for g in e.grad]
    [5.5, 1.716]
    >>> print(e.to_text("ascii").splitlines()[9])
      v_5   = v_4 - v_3   = 10.693 + 0.959  = 11.652
    """
    rec = record(fun, args, kwargs, argnums=argnums, wrt=wrt, tangents=tangents,
                 cotangent=cotangent, order=order, caller="explain")
    return Explanation(rec)
