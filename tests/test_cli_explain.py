"""`chainrule explain`: the seed's tables from the command line, and every bad input
answered with one clear line and exit status 2."""
import builtins
import os
import shutil

import pytest

from chainrule.cli import main
from chainrule.explainer.expression import ExpressionError, parse

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
SEED = "ln(x1) + x1*x2 - sin(x2)"


def run(capsys, *argv):
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_tables_from_the_command_line(capsys):
    code, out, err = run(capsys, SEED, "--at", "x1=2", "x2=5", "--wrt", "x1", "--ascii")
    assert code == 0 and err == ""
    with open(os.path.join(GOLDEN, "baydin_ascii.txt"), encoding="utf-8") as f:
        assert out == f.read()


def test_unicode_markdown_latex(capsys):
    code, out, _ = run(capsys, SEED, "--at", "x1=2", "x2=5")
    assert code == 0
    assert out.count("Forward tangent trace") == 2               # each variable in turn
    code, md, _ = run(capsys, SEED, "--at", "x1=2", "x2=5", "--format", "markdown",
                      "--wrt", "x1")
    with open(os.path.join(GOLDEN, "baydin.md"), encoding="utf-8") as f:
        assert code == 0 and md == f.read()
    code, tex, _ = run(capsys, SEED, "--at", "x1=2", "x2=5", "--format", "latex",
                       "--wrt", "x1")
    with open(os.path.join(GOLDEN, "baydin.tex"), encoding="utf-8") as f:
        assert code == 0 and tex == f.read()


def test_order_and_arrays(capsys):
    code, out, _ = run(capsys, SEED, "--at", "x1=2", "x2=5", "--order", "trace", "--ascii")
    assert code == 0 and "v_3   = v_1 + v_2" in out
    code, out, _ = run(capsys, "x**2 + sin(x)", "--at", "x=1,2,3", "--ascii")
    assert code == 0 and "[1, 2, 3]" in out and "xbar" in out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_graph_file(capsys, tmp_path):
    path = tmp_path / "out.svg"
    code, out, err = run(capsys, SEED, "--at", "x1=2", "x2=5", "--graph", str(path))
    assert code == 0 and f"graph written to {path}" in err
    svg = path.read_text(encoding="utf-8")
    assert "<svg" in svg
    assert "v̄₋₁ = 5.5" in svg
    assert "ln(x1) + x1*x2 &#45; sin(x2)" in svg           # the title (SVG-escaped)


def test_graph_without_graphviz(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    code, out, err = run(capsys, SEED, "--at", "x1=2", "x2=5", "--graph",
                         str(tmp_path / "g.png"))
    assert code == 2 and "Forward primal trace" in out
    assert err.count("\n") == 1 and "apt-get install graphviz" in err
    code, _, err = run(capsys, SEED, "--at", "x1=2", "x2=5", "--graph",
                       str(tmp_path / "g.dot"))
    assert code == 0 and (tmp_path / "g.dot").read_text().startswith("digraph")


@pytest.mark.parametrize("argv,message", [
    (["ln(x1) + foo(x2)", "--at", "x1=2", "x2=5"], "unknown function 'foo' at column 10"),
    (["x1 +* 2", "--at", "x1=2"], "syntax error at column 5"),
    (["x1 + (2", "--at", "x1=2"], "syntax error at column"),
    (["__import__('os')", "--at", "x1=2"], "the name '__import__'"),
    (["__import__('os').system('echo hi')", "--at", "x1=2"], "('.system') is not allowed"),
    (["x.__class__", "--at", "x=1"], "attribute access ('.__class__') is not allowed"),
    (["sin(x).real", "--at", "x=1"], "attribute access ('.real') is not allowed"),
    (["x[0]", "--at", "x=1"], "indexing is not allowed"),
    (["open('f')", "--at", "x=1"], "unknown function 'open'"),
    (["eval('1')", "--at", "x=1"], "unknown function 'eval'"),
    (["(lambda: 1)()", "--at", "x=1"], "only named functions can be called"),
    (["x ^ 2", "--at", "x=1"], "the operator ^ (for powers write **)"),
    (["x // 2", "--at", "x=1"], "the operator //"),
    (["'a' * 3", "--at", "x=1"], "str literal 'a'"),
    (["x if x else 1", "--at", "x=1"], "an if-expression"),
    (["sin", "--at", "x=1"], "'sin' at column 1 is a function"),
    (["sin(x, 2)", "--at", "x=1"], "sin() takes 1 argument, got 2"),
    (["x1*x2", "--at", "x1=1"], "missing value for variable 'x2'"),
    (["x1*x2"], "missing value for variable 'x1'"),
    (["x1", "--at", "x1=1", "x3=2"], "unknown variable 'x3' in --at"),
    (["x1", "--at", "x1=1", "x1=2"], "--at gives 'x1' twice"),
    (["x", "--at", "x=abc"], "--at x=abc: 'abc' is not a number"),
    (["x", "--at", "x"], "--at expects NAME=VALUE"),
    (["x", "--at", "x=nan"], "must be a finite number"),
    (["x", "--at", "x=1", "--wrt", "y"], "--wrt y: not a variable"),
    (["2 + 3"], "has no variables"),
    ([""], "the expression is empty"),
    (["ln(x1)", "--at", "x1=-1"], "ln(-1) is nan at x1=-1: outside the domain of ln (it needs x > 0)"),
    (["sqrt(x)", "--at", "x=-4"], "sqrt(-4) is nan at x=-4: outside the domain of sqrt"),
    (["1/x", "--at", "x=0"], "1 / 0 is inf at x=0"),
    (["arcsin(x)", "--at", "x=2"], "outside the domain of arcsin (it needs -1 <= x <= 1)"),
    (["exp(x)", "--at", "x=1000"], "exp(1000) is inf"),
])
def test_bad_input_gets_one_line_and_status_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""                                         # no NaN rows printed
    assert err.startswith("chainrule explain: ") and err.count("\n") == 1, err
    assert message in err, err


def test_never_evaluates_python(monkeypatch, capsys):
    def forbidden(*a, **k):
        raise AssertionError("eval/exec must not be used")
    for name in ("eval", "exec"):      # (ast.parse itself uses compile, safely)
        monkeypatch.setattr(builtins, name, forbidden)
    code, out, _ = run(capsys, SEED, "--at", "x1=2", "x2=5", "--wrt", "x1")
    assert code == 0 and "11.652" in out
    code, _, err = run(capsys, "__import__('os').system('touch /tmp/pwned')", "--at", "x=1")
    assert code == 2 and "not allowed" in err


def test_parser_directly():
    e = parse("  pi * r**2 + e  ")
    assert e.variables == ["r"]
    assert float(e.function(["r"])(2.0)) == pytest.approx(3.141592653589793 * 4 + 2.718281828459045)
    assert parse("max(a, b) - -c").variables == ["a", "b", "c"]
    with pytest.raises(ExpressionError, match="keyword arguments"):
        parse("sin(x=1)")
    with pytest.raises(ExpressionError, match="a comparison"):
        parse("x < 1")


def test_help_lists_explain(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "explain" in out and "demo" in out and "bench" in out
