"""``chainrule explain "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5``: the evaluation-trace
tables of a formula typed on the command line (parsed safely, never evaluated as Python).
"""
from __future__ import annotations

import math
import sys

import numpy as np

_OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**"}
EXAMPLE = 'chainrule explain "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5'


def register(sub) -> None:
    p = sub.add_parser(
        "explain", help="print the evaluation-trace tables of a formula (primal, tangent, "
        "adjoint)", description="Print the forward primal, forward tangent and reverse "
        "adjoint traces of a formula, as in the lecture notes. Example: " + EXAMPLE)
    p.add_argument("expression", help="the formula: numbers, variables, + - * / **, and "
                   "functions such as ln, exp, sin, cos, tan, sqrt, tanh, arcsin, ...")
    p.add_argument("--at", nargs="+", metavar="NAME=VALUE", default=[],
                   help="the point: one NAME=VALUE per variable, in the order the inputs "
                   "are numbered (VALUE a number, or numbers separated by commas)")
    p.add_argument("--wrt", metavar="NAME", default=None,
                   help="seed the tangent trace with this variable only (default: each "
                   "variable in turn); several as NAME,NAME")
    p.add_argument("--format", choices=("text", "markdown", "latex"), default="text",
                   help="output format (default: text)")
    p.add_argument("--ascii", action="store_true",
                   help="plain ASCII text (vdot_1, vbar_1) even where Unicode would show")
    p.add_argument("--order", choices=("depth", "trace"), default="depth",
                   help="row numbering: 'depth' as in the textbook (default), 'trace' in "
                   "evaluation order")
    p.add_argument("--graph", metavar="FILE", default=None,
                   help="also draw the computational graph with adjoints into FILE "
                   "(.svg, .png, .pdf need Graphviz; .dot does not)")
    p.set_defaults(run=run)


def _parse_point(items, fail) -> dict:
    point = {}
    for item in items:
        name, eq, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not eq or not name or not text:
            fail(f"--at expects NAME=VALUE (e.g. --at x1=2 x2=5), got {item!r}")
        if name in point:
            fail(f"--at gives {name!r} twice")
        try:
            vals = [float(t) for t in text.split(",")]
        except ValueError:
            fail(f"--at {item}: {text!r} is not a number")
        if not all(math.isfinite(v) for v in vals):
            fail(f"--at {item}: the value must be a finite number")
        point[name] = np.array(vals[0]) if len(vals) == 1 and "," not in text \
            else np.array(vals)
    return point


def run(args) -> int:
    from . import UsageError
    from ..explainer import explain, graph
    from ..explainer.expression import DOMAINS, SHOWN, ExpressionError, parse
    from ..explainer.notation import summary
    from ..explainer.tables import default_style

    def fail(msg):
        raise UsageError(msg)

    try:
        expr = parse(args.expression)
    except ExpressionError as e:
        fail(str(e))
    point = _parse_point(args.at, fail)
    used = expr.variables
    if not used:
        fail(f"the expression {expr.text!r} has no variables to differentiate")
    for name in used:
        if name not in point:
            fail(f"missing value for variable {name!r}: add {name}=<number> to --at "
                 f"(e.g. {EXAMPLE})")
    for name in point:
        if name not in used:
            fail(f"unknown variable {name!r} in --at: the expression uses "
                 f"{', '.join(used)}")
    order = list(point)                             # inputs numbered in --at order
    wrt = None
    if args.wrt:
        wrt = [w.strip() for w in args.wrt.split(",") if w.strip()]
        for w in wrt:
            if w not in order:
                fail(f"--wrt {w}: not a variable of the expression ({', '.join(order)})")
    f = expr.function(order)
    values = [point[n] for n in order]
    e = explain(f, *values, wrt=wrt, order=args.order)

    bad = e.problems()
    if bad:
        node = bad[0]
        shown = SHOWN.get(node.op, node.op)
        vals = [summary(a[1] if isinstance(a, tuple) else a.value, "unicode")
                for a in node.args]
        call = f"{shown}({', '.join(vals)})"
        if node.op in _OPERATORS and len(vals) == 2:
            a, b = (f"({v})" if v.startswith("-") else v for v in vals)
            call = f"{a} {_OPERATORS[node.op]} {b}"
        at = ", ".join(f"{n}={summary(point[n], 'unicode')}" for n in order)
        what = "nan" if np.isnan(node.value).any() else "inf"
        dom = DOMAINS.get(node.op)
        why = (f"outside the domain of {shown} (it needs {dom})" if dom else
               "the result is not a finite number (overflow, or outside the function's "
               "domain)")
        fail(f"{call} is {what} at {at}: {why}")

    if args.format == "markdown":
        text = e.to_markdown()
    elif args.format == "latex":
        text = e.to_latex()
    else:
        text = e.to_text("ascii" if args.ascii else default_style(sys.stdout))
    sys.stdout.write(text)
    if not all(np.all(np.isfinite(g)) for g in e.grad):
        print("note: a derivative is not finite at this point (the function is not "
              "differentiable there)", file=sys.stderr)
    if args.graph:
        from ..explainer.graph import GraphvizNotFoundError
        g = graph(f, *values, adjoints=True, order=args.order, title=expr.text)
        try:
            path = g.render(args.graph)
        except GraphvizNotFoundError as err:
            fail(str(err))
        except (ValueError, RuntimeError, OSError) as err:
            fail(f"--graph {args.graph}: {err}")
        print(f"graph written to {path}", file=sys.stderr)
    return 0
