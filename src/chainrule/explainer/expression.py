"""A safe parser for formulas typed on the command line: ``ln(x1) + x1*x2 - sin(x2)``.

The text is parsed with Python's :mod:`ast` and only a small grammar is accepted:
numbers, variable names, ``+ - * / **``, unary ``-``/``+``, parentheses and calls of the
elementary functions of ``chainrule.numpy`` by their plain names. Everything else
(attributes, subscripts, keywords, lambdas, strings, builtins such as ``__import__``) is
rejected with a message that says what and where. Nothing is ever passed to ``eval``:
the tree is walked and each node applied with the matching ``chainrule.numpy`` function.
"""
from __future__ import annotations

import ast
import inspect
import math
from typing import Callable, Dict, List

from .. import numpy as cnp


class ExpressionError(ValueError):
    """The formula is not in the accepted grammar; the message says where."""


# name -> (chainrule.numpy function, number of arguments)
FUNCTIONS: Dict[str, tuple] = {}
for _n in ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
           "arcsinh", "arccosh", "arctanh", "exp", "exp2", "expm1", "log", "log2", "log10",
           "log1p", "sqrt", "cbrt", "square", "reciprocal", "abs", "sign", "floor", "ceil"):
    FUNCTIONS[_n] = (getattr(cnp, "absolute" if _n == "abs" else _n), 1)
FUNCTIONS.update({"ln": (cnp.log, 1), "asin": (cnp.arcsin, 1), "acos": (cnp.arccos, 1),
                  "atan": (cnp.arctan, 1), "asinh": (cnp.arcsinh, 1),
                  "acosh": (cnp.arccosh, 1), "atanh": (cnp.arctanh, 1),
                  "pow": (cnp.power, 2), "power": (cnp.power, 2), "hypot": (cnp.hypot, 2),
                  "arctan2": (cnp.arctan2, 2), "atan2": (cnp.arctan2, 2),
                  "maximum": (cnp.maximum, 2), "minimum": (cnp.minimum, 2),
                  "max": (cnp.maximum, 2), "min": (cnp.minimum, 2),
                  "logaddexp": (cnp.logaddexp, 2)})

CONSTANTS = {"pi": math.pi, "e": math.e}

# Where each function is defined, for the message when a value falls outside.
DOMAINS = {"log": "x > 0", "log2": "x > 0", "log10": "x > 0", "log1p": "x > -1",
           "sqrt": "x >= 0", "arcsin": "-1 <= x <= 1", "arccos": "-1 <= x <= 1",
           "arccosh": "x >= 1", "arctanh": "-1 < x < 1", "reciprocal": "x != 0",
           "divide": "a divisor other than 0", "power": "a base > 0 for this exponent"}
SHOWN = {"log": "ln", "absolute": "abs"}

_BINOPS = {ast.Add: cnp.add, ast.Sub: cnp.subtract, ast.Mult: cnp.multiply,
           ast.Div: cnp.divide, ast.Pow: cnp.power}
_UNARY = {ast.USub: cnp.negative, ast.UAdd: cnp.positive}


def _where(node: ast.AST) -> str:
    return f"at column {getattr(node, 'col_offset', 0) + 1}"


class Expression:
    """A parsed formula: ``variables`` in order of first appearance, callable with one
    value per variable (positionally, in the order given to :meth:`function`)."""

    def __init__(self, text: str, tree: ast.Expression, variables: List[str]) -> None:
        self.text = text
        self.tree = tree
        self.variables = variables

    def function(self, order: List[str]) -> Callable:
        """A Python function of the variables in ``order`` that evaluates the formula with
        chainrule.numpy; its signature names them (so tables say x1, x2)."""
        body = self.tree.body

        def f(*values):
            env = dict(zip(order, values))
            return _evaluate(body, env)

        f.__signature__ = inspect.Signature(
            [inspect.Parameter(v, inspect.Parameter.POSITIONAL_OR_KEYWORD) for v in order])
        f.__name__ = "f"
        f.__qualname__ = "f"
        return f


def parse(text: str) -> Expression:
    """Parse ``text`` into an :class:`Expression`, or raise :class:`ExpressionError`.

    >>> e = parse("ln(x1) + x1*x2 - sin(x2)")
    >>> e.variables
    ['x1', 'x2']
    >>> float(e.function(["x1", "x2"])(2.0, 5.0))
    11.652071455223084
    >>> parse("x.__class__")
    Traceback (most recent call last):
    ...
    chainrule.explainer.expression.ExpressionError: attribute access ('.__class__') is not allowed at column 1: only numbers, variables, + - * / **, and functions such as ln(x), sin(x)
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty; give a formula such as "
                              "\"ln(x1) + x1*x2 - sin(x2)\"")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        col = (e.offset or 1)
        raise ExpressionError(f"syntax error at column {col}: {e.msg} "
                              f"(in {text.strip()!r})") from None
    variables: List[str] = []
    _check(tree.body, variables)
    return Expression(text.strip(), tree, variables)


_ALLOWED = ("only numbers, variables, + - * / **, and functions such as ln(x), sin(x)")


def _check(node: ast.AST, variables: List[str]) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"{type(node.value).__name__} literal {node.value!r} "
                                  f"{_where(node)} is not allowed: {_ALLOWED}")
        return
    if isinstance(node, ast.Name):
        name = node.id
        _check_name(name, node)
        if name in FUNCTIONS:
            raise ExpressionError(f"{name!r} {_where(node)} is a function: call it, e.g. "
                                  f"{name}(x)")
        if name not in CONSTANTS and name not in variables:
            variables.append(name)
        return
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        binary = isinstance(node, ast.BinOp)
        if type(node.op) not in (_BINOPS if binary else _UNARY):
            raise ExpressionError(f"the operator {_op_text(node.op)} {_where(node)} is not "
                                  f"allowed: {_ALLOWED}")
        for child in ((node.left, node.right) if binary else (node.operand,)):
            _check(child, variables)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise ExpressionError(f"attribute access ('.{node.func.attr}') is not "
                                      f"allowed {_where(node.func)}: {_ALLOWED}")
            raise ExpressionError(f"only named functions can be called {_where(node)}: "
                                  f"{_ALLOWED}")
        name = node.func.id
        _check_name(name, node)
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name!r} {_where(node)}; known: "
                                  f"{', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise ExpressionError(f"keyword arguments are not allowed {_where(node)}")
        n = FUNCTIONS[name][1]
        if len(node.args) != n:
            raise ExpressionError(f"{name}() takes {n} argument{'s' if n > 1 else ''}, "
                                  f"got {len(node.args)} {_where(node)}")
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise ExpressionError(f"*arguments are not allowed {_where(a)}")
            _check(a, variables)
        return
    if isinstance(node, ast.Attribute):
        raise ExpressionError(f"attribute access ('.{node.attr}') is not allowed "
                              f"{_where(node)}: {_ALLOWED}")
    if isinstance(node, ast.Subscript):
        raise ExpressionError(f"indexing is not allowed {_where(node)}: {_ALLOWED}")
    raise ExpressionError(f"{_kind(node)} {_where(node)} is not allowed: {_ALLOWED}")


def _check_name(name: str, node: ast.AST) -> None:
    if name.startswith("_"):
        raise ExpressionError(f"the name {name!r} {_where(node)} is not allowed "
                              f"(names starting with '_' could reach Python internals)")


def _kind(node: ast.AST) -> str:
    names = {ast.Compare: "a comparison", ast.BoolOp: "'and'/'or'", ast.Lambda: "lambda",
             ast.IfExp: "an if-expression", ast.List: "a list", ast.Tuple: "a tuple",
             ast.Dict: "a dict", ast.Set: "a set", ast.JoinedStr: "an f-string",
             ast.NamedExpr: "':='", ast.ListComp: "a comprehension",
             ast.GeneratorExp: "a generator"}
    return names.get(type(node), type(node).__name__)


def _op_text(op: ast.AST) -> str:
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&",
            ast.BitOr: "|", ast.BitXor: "^ (for powers write **)", ast.LShift: "<<",
            ast.RShift: ">>", ast.Invert: "~", ast.Not: "not"}.get(type(op), type(op).__name__)


def _evaluate(node: ast.AST, env: dict):
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        return CONSTANTS[node.id]
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_evaluate(node.left, env), _evaluate(node.right, env))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, env))
    fn = FUNCTIONS[node.func.id][0]
    return fn(*(_evaluate(a, env) for a in node.args))
