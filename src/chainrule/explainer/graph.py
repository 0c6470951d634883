"""``cr.graph``: the computational graph of a function, as Graphviz DOT, SVG or PNG.

One node per input, intermediate and output, labelled with its row of the evaluation
trace (``v₁ = ln v₋₁``), its primitive's name and its value; edges point in the direction
the data flows. With ``adjoints=True`` every node also shows its adjoint v̄ and every edge
the contribution that travelled back along it in the reverse pass (the numbers of the
adjoint table). Drawing files needs Graphviz's ``dot`` program; ``to_dot()`` does not.
"""
from __future__ import annotations

import html
import os
import shutil
import subprocess
from typing import Callable, Optional, Sequence, Union

import numpy as np

from . import formulas, tables
from .notation import render, shape_text, summary, symbol
from .record import Node, Recording, record

_FORMATS = ("svg", "png", "pdf", "dot")
_INSTALL = ("Graphviz's `dot` program is needed to draw graph files and was not found on "
            "PATH; install it with `apt-get install graphviz` (Debian/Ubuntu), `brew install "
            "graphviz` (macOS) or `conda install graphviz`, or write the DOT text with "
            "Graph.to_dot() (that needs nothing)")

_COLORS = {"input": "#dbe9f6", "op": "#f4f4f4", "output": "#e3f1df", "adjoint": "#b03a2e",
           "const": "#777777"}


class GraphvizNotFoundError(RuntimeError):
    """Graph.render needs the Graphviz ``dot`` program, and it is not installed."""


class Graph:
    """The computational graph of one call (see :func:`graph`): ``nodes`` and ``edges`` as
    data, ``to_dot()``, ``render(path)``.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> g = cr.graph(lambda x: cnp.exp(x) * x, 1.0, adjoints=True)
    >>> [(e["source"], e["target"]) for e in g.edges]
    [('v0', 'v1'), ('v1', 'v2'), ('v0', 'v2'), ('v2', 'y')]
    """

    def __init__(self, rec: Recording, adjoints: bool = False, title: Optional[str] = None,
                 rankdir: Optional[str] = None):
        self.recording = rec
        self.adjoints = adjoints
        self.title = title
        if rankdir not in (None, "LR", "TB", "RL", "BT"):
            raise ValueError(f"graph: rankdir must be 'LR', 'TB', 'RL', 'BT' or None "
                             f"(chosen by the graph's depth), got {rankdir!r}")
        self.rankdir = rankdir

    # ------------------------------------------------------------------ data
    @property
    def nodes(self) -> list:
        """One dict per node: ``id``, ``kind`` (input, op, const, output), ``op``,
        ``label`` (the trace row, e.g. "v₁ = ln v₋₁"), ``value`` and ``adjoint``."""
        out = []
        rec = self.recording
        for n in rec.nodes:
            out.append({"id": n.name, "kind": n.kind, "op": n.op, "label": _row(n),
                        "value": n.value, "adjoint": n.adjoint})
        for k, (node, j, v) in enumerate(self._consts()):
            out.append({"id": f"c{k}", "kind": "const", "op": "constant",
                        "label": summary(v, "unicode"), "value": v, "adjoint": None})
        for name, o in zip(rec.output_names, rec.outputs):
            out.append({"id": name, "kind": "output", "op": "output", "label": name,
                        "value": o.value if isinstance(o, Node) else o[1],
                        "adjoint": o.adjoint if isinstance(o, Node) else None})
        return out

    @property
    def edges(self) -> list:
        """One dict per edge, in data-flow direction: ``source``, ``target``, ``arg`` (the
        argument position at the target) and, once the reverse pass ran, ``adjoint``
        (the contribution that flowed back along it)."""
        rec = self.recording
        contrib = {}
        for s in rec.steps:
            key = (s.source.name, 0 if s.pos == -2 else s.pos)
            contrib[key] = s.contribution
        out = []
        consts = {(id(node), j): f"c{k}" for k, (node, j, _) in enumerate(self._consts())}
        for n in rec.nodes:
            for j, a in enumerate(n.args):
                src = a.name if isinstance(a, Node) else consts[(id(n), j)]
                out.append({"source": src, "target": n.name, "arg": j,
                            "adjoint": contrib.get((n.name, j))})
        for name, o in zip(rec.output_names, rec.outputs):
            if isinstance(o, Node):
                out.append({"source": o.name, "target": name, "arg": 0, "adjoint": None})
        return out

    def _consts(self) -> list:
        res = []
        for n in self.recording.nodes:
            for j, a in enumerate(n.args):
                if isinstance(a, tuple):
                    res.append((n, j, a[1]))
        return res

    # ------------------------------------------------------------------ DOT
    def to_dot(self) -> str:
        """The graph as Graphviz DOT text (UTF-8; HTML-like labels)."""
        rec = self.recording
        lines = [f"digraph {_quote(rec.fname)} {{",
                 f'  graph [rankdir={self._direction()}, fontname="DejaVu Sans", nodesep=0.3, '
                 'ranksep=0.45'
                 + (f", label=<{_h(self.title)}>, labelloc=t" if self.title else "") + "];",
                 '  node [fontname="DejaVu Sans", fontsize=12, penwidth=1.2];',
                 '  edge [fontname="DejaVu Sans", fontsize=10, color="#555555"];']
        for n in rec.nodes:
            lines.append(f"  {_quote(n.name)} [{self._node_attrs(n)}];")
        for k, (node, j, v) in enumerate(self._consts()):
            lines.append(f'  "c{k}" [shape=plaintext, fontcolor="{_COLORS["const"]}", '
                         f'label=<{_h(_short(v))}>];')
        for name, o, c in zip(rec.output_names, rec.outputs, rec.cotangents):
            value = o.value if isinstance(o, Node) else o[1]
            rows = [f"<B>{_h(symbol(name, 'unicode'))}</B> = {_h(_short(value))}"]
            if self.adjoints and isinstance(o, Node):
                rows.append(_adj(symbol(name, "unicode", "bar") + " = " + _short(c)))
            lines.append(f'  {_quote(name)} [shape=box, style="rounded,filled", peripheries=2, '
                         f'fillcolor="{_COLORS["output"]}", label=<{"<BR/>".join(rows)}>];')
        for e in self.edges:
            attrs = []
            if e["source"].startswith("c") and e["source"][1:].isdigit():
                attrs.append('style=dashed, color="#999999"')
            if self.adjoints and e["adjoint"] is not None:
                attrs.append(f'label=<{_adj(_short(e["adjoint"]))}>')
                attrs.append(f'fontcolor="{_COLORS["adjoint"]}"')
            a = f" [{', '.join(attrs)}]" if attrs else ""
            lines.append(f"  {_quote(e['source'])} -> {_quote(e['target'])}{a};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _direction(self) -> str:
        """Left to right like the notes' drawings; top to bottom for long chains, which
        would otherwise be too wide to read."""
        if self.rankdir is not None:
            return self.rankdir
        depth: dict = {}
        for n in self.recording.nodes:
            depth[n.name] = 1 + max((depth[a.name] for a in n.args if isinstance(a, Node)),
                                    default=-1)
        return "LR" if max(depth.values(), default=0) <= 7 else "TB"

    def _node_attrs(self, n: Node) -> str:
        rows = [f"<B>{_h(symbol(n.name, 'unicode'))}</B> = {_h(_rhs(n))}"]
        if n.kind == "op":
            rows.append(f'<FONT POINT-SIZE="10" COLOR="#666666">{_h(n.op)}</FONT>  '
                        f"{_h(_value(n.value))}")
        else:
            rows.append(_h(_value(n.value)))
        if self.adjoints and not isinstance(n.value, tuple):
            adj = n.adjoint if n.adjoint is not None else np.zeros(np.shape(n.value))
            rows.append(_adj(symbol(n.name, "unicode", "bar") + " = " + _short(adj)))
        if n.kind == "input":
            shape = f'shape=ellipse, style=filled, fillcolor="{_COLORS["input"]}"'
        else:
            shape = f'shape=box, style="rounded,filled", fillcolor="{_COLORS["op"]}"'
        return f'{shape}, label=<{"<BR/>".join(rows)}>'

    # ------------------------------------------------------------------ files
    def render(self, path: Union[str, os.PathLike], format: Optional[str] = None) -> str:
        """Draw the graph into ``path`` (SVG, PNG or PDF by its extension, or ``format``;
        ``.dot`` writes the DOT text) with Graphviz's ``dot``. Returns the path.

        >>> import chainrule as cr, chainrule.numpy as cnp, tempfile, os
        >>> g = cr.graph(lambda x: cnp.sin(x) * x, 1.0)
        >>> out = g.render(os.path.join(tempfile.mkdtemp(), "g.dot"))
        >>> open(out).read().startswith("digraph")
        True
        """
        path = os.fspath(path)
        fmt = (format or os.path.splitext(path)[1].lstrip(".")).lower()
        if fmt not in _FORMATS:
            raise ValueError(f"Graph.render: cannot tell the format of {path!r}; give a "
                             f"path ending in .svg, .png, .pdf or .dot, or format= one of "
                             f"{', '.join(_FORMATS)}")
        text = self.to_dot()
        if fmt == "dot":
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            return path
        data = _run_dot(text, fmt)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_svg_(self):                         # Jupyter, when Graphviz is there
        try:
            return _run_dot(self.to_dot(), "svg").decode("utf-8")
        except (GraphvizNotFoundError, RuntimeError):
            return None

    def __repr__(self) -> str:
        return (f"<Graph of {self.recording.fname}: {len(self.nodes)} nodes, "
                f"{len(self.edges)} edges>")


def _run_dot(text: str, fmt: str) -> bytes:
    """Graphviz ``dot`` turning DOT text into ``fmt`` (svg, png, pdf)."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotFoundError(_INSTALL)
    dpi = ["-Gdpi=144"] if fmt == "png" else []     # sharp enough for slides
    proc = subprocess.run([exe, f"-T{fmt}", *dpi], input=text.encode("utf-8"),
                          capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"Graphviz dot failed: "
                           f"{proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def _row(n: Node) -> str:
    return symbol(n.name, "unicode") + " = " + _rhs(n)


def _rhs(n: Node) -> str:
    if n.kind == "input":
        return symbol(n.op, "unicode")
    return render(formulas.primal(n), tables._env(n, "unicode", values=False), "unicode")


def _value(v) -> str:
    if isinstance(v, tuple):
        return f"{len(v)} outputs"
    return _short(v)


def _short(v) -> str:
    """A value in a few characters: the number, up to three entries, or the shape (the
    tables give the summaries; a graph must stay narrow enough to read)."""
    v = np.asarray(v)
    if v.size <= 3 and v.ndim <= 1:
        return summary(v, "unicode")
    return shape_text(v.shape, "unicode") + " array"


def _h(s: str) -> str:
    return html.escape(s, quote=True)


def _adj(text: str) -> str:
    return f'<FONT COLOR="{_COLORS["adjoint"]}">{_h(text)}</FONT>'


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def graph(fun: Callable, *args, adjoints: bool = False,
          argnums: Union[None, int, Sequence[int]] = None, order: str = "depth",
          title: Optional[str] = None, rankdir: Optional[str] = None, **kwargs) -> Graph:
    """The computational graph of ``fun(*args, **kwargs)``: a node per input,
    intermediate and output (numbered as in :func:`chainrule.explain`), edges in data-flow
    direction; ``adjoints=True`` adds each node's adjoint v̄ and each edge's backward
    contribution. ``.to_dot()`` gives DOT text, ``.render("g.svg")`` / ``"g.png"`` draws it.
    ``title`` goes above the drawing; ``rankdir`` ("LR", "TB") fixes the direction (by
    default left to right, top to bottom for long chains).

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> g = cr.graph(lambda x1, x2: cnp.log(x1) + x1 * x2 - cnp.sin(x2), 2.0, 5.0)
    >>> [n["label"] for n in g.nodes][2:5]
    ['v₁ = ln v₋₁', 'v₂ = v₋₁ × v₀', 'v₃ = sin v₀']
    >>> print(g.to_dot().splitlines()[0])
    digraph "<lambda>" {
    """
    rec = record(fun, args, kwargs, argnums=argnums, order=order, caller="graph")
    return Graph(rec, adjoints=adjoints, title=title, rankdir=rankdir)
