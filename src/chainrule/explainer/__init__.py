"""Teaching tools: the chain rule at work on the user's own function.

``cr.explain(f, *args)`` prints the evaluation-trace tables of the lecture notes (forward
primal, forward tangent and reverse adjoint traces); ``cr.graph(f, *args)`` draws the
computational graph. Both are clients of the core's tracing (:mod:`.record`): the values
in them are the ones ``cr.jvp`` and ``cr.grad`` compute.

* :mod:`.record`: one traced run of the function, kept row by row;
* :mod:`.formulas`: how each primitive and its derivative are written;
* :mod:`.notation`: symbols, numbers and the three styles (Unicode, ASCII, LaTeX);
* :mod:`.tables`: the three tables; :mod:`.explanation`: ``cr.explain``;
* :mod:`.graph`: ``cr.graph``; :mod:`.expression`: the safe parser behind
  ``chainrule explain "ln(x1) + x1*x2 - sin(x2)"``.
"""
from .explanation import Explanation, explain
from .graph import Graph, GraphvizNotFoundError, graph

__all__ = ["explain", "Explanation", "graph", "Graph", "GraphvizNotFoundError"]
