"""cr.explain: the evaluation-trace tables of the seed notes, for any function.

The seed tables (Baydin et al., in seed 001 "Another Example" and seed 003 "Forward /
Reverse mode Autodiff: Example") for f(x1, x2) = ln(x1) + x1 x2 - sin(x2) at (2, 5):

  primal:  v-1 = x1 = 2; v0 = x2 = 5; v1 = ln v-1 = ln 2; v2 = v-1 x v0 = 2 x 5;
           v3 = sin v0 = sin 5; v4 = v1 + v2 = 0.693 + 10; v5 = v4 - v3 = 10.693 + 0.959;
           y = v5 = 11.652
  tangent: (x1 seeded) 1, 0, 1/2, 1 x 5 + 0 x 2, 0 x cos 5, 0.5 + 5, 5.5 - 0, 5.5
  adjoint: read from the output back: v5 = ybar = 1; v4 = 1; v3 = -1; v1 = 1; v2 = 1;
           v0 = -0.284; v-1 = 5; v0 = v0 + v2 x v-1 = 1.716; v-1 = v-1 + v1 / v-1 = 5.5;
           x2bar = 1.716; x1bar = 5.5
"""
import io
import math
import os
import shutil
import subprocess

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
from chainrule.explainer.notation import number
from chainrule.explainer.tables import default_style

from seed_examples import f_trace, sigmoid_loss

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")


def golden(name):
    with open(os.path.join(GOLDEN, name), encoding="utf-8") as f:
        return f.read()


def r3(x):
    return round(float(x), 3)


# ------------------------------------------------------------------ the seed's tables
def test_primal_rows_are_the_seeds():
    e = cr.explain(f_trace, 2.0, 5.0)
    rows = e.rows
    assert [r["name"] for r in rows] == ["v-1", "v0", "v1", "v2", "v3", "v4", "v5", "y"]
    assert [r["expr"] for r in rows] == ["x1", "x2", "ln v₋₁", "v₋₁ × v₀", "sin v₀",
                                         "v₁ + v₂", "v₄ - v₃", "v5"]
    assert [r["op"] for r in rows] == ["x1", "x2", "log", "multiply", "sin", "add",
                                       "subtract", "output"]
    assert [r3(r["value"]) for r in rows] == [2, 5, 0.693, 10, -0.959, 10.693, 11.652,
                                             11.652]
    assert rows[3]["inputs"] == ["v-1", "v0"] and rows[6]["inputs"] == ["v4", "v3"]
    # the substituted column of the seed
    with_numbers = [r["with_numbers"] for r in e.tangent_rows[0]]
    assert with_numbers[2:7] == ["1 / 2", "1 × 5 + 0 × 2", "0 × cos 5", "0.5 + 5", "5.5 - 0"]


def test_tangent_rows_are_the_seeds():
    e = cr.explain(f_trace, 2.0, 5.0)
    assert len(e.tangent_rows) == 2                      # each input seeded in turn
    t1 = [r["value_text"] for r in e.tangent_rows[0]]
    assert t1 == ["1", "0", "0.5", "5", "0", "5.5", "5.5", "5.5"]
    assert [r["expr"] for r in e.tangent_rows[0]][2:7] == [
        "v̇₋₁ / v₋₁", "v̇₋₁ × v₀ + v̇₀ × v₋₁", "v̇₀ × cos v₀", "v̇₁ + v̇₂", "v̇₄ - v̇₃"]
    assert [r3(r["tangents"]["x1"]) for r in e.rows] == [1, 0, 0.5, 5, 0, 5.5, 5.5, 5.5]
    assert r3(e.rows[-1]["tangents"]["x2"]) == 1.716


def test_adjoint_rows_are_the_seeds_with_accumulation():
    rows = cr.explain(f_trace, 2.0, 5.0).adjoint_rows
    got = [(r["name"], r3(float(r["value"]) if "value" in r else float(r["value_text"])))
           for r in rows]
    names = [r["name"] for r in rows]
    assert names == ["v5", "v4", "v3", "v1", "v2", "v0", "v-1", "v0", "v-1", "x2", "x1"]
    assert [r["symbol"] for r in rows][:3] + [r["symbol"] for r in rows][-2:] == [
        "v̄₅", "v̄₄", "v̄₃", "x̄₂", "x̄₁"]
    values = [v for _, v in got]
    assert values == [1, 1, -1, 1, 1, -0.284, 5, 1.716, 5.5, 1.716, 5.5]
    acc = [r.get("accumulates") for r in rows[1:9]]
    assert acc == [False] * 6 + [True, True]             # v0 and v-1 feed two operations
    assert rows[7]["expr"] == "v̄₀ + v̄₂ ∂v₂/∂v₀"
    assert rows[7]["with_numbers"] == "v̄₀ + v̄₂ × v₋₁"
    assert rows[8]["with_numbers"] == "v̄₋₁ + v̄₁ / v₋₁"
    assert rows[2]["with_numbers"] == "v̄₅ × (-1)"
    assert rows[5]["with_numbers"] == "v̄₃ × cos v₀"
    assert r3(rows[7]["contribution"]) == 2.0 and r3(rows[8]["contribution"]) == 0.5


@pytest.mark.parametrize("style,name", [("unicode", "baydin_unicode.txt"),
                                        ("ascii", "baydin_ascii.txt")])
def test_golden_text(style, name):
    assert cr.explain(f_trace, 2.0, 5.0, wrt="x1").to_text(style) == golden(name)


def test_golden_markdown_and_latex():
    e = cr.explain(f_trace, 2.0, 5.0, wrt="x1")
    assert e.to_markdown() == golden("baydin.md")
    assert e.to_latex() == golden("baydin.tex")


def test_golden_text_reads_like_the_seed():
    # spot checks written out by hand from the seed, independent of the golden files
    text = golden("baydin_unicode.txt")
    for line in ["v₅   = v₄ - v₃   = 10.693 + 0.959  = 11.652",
                 "v̇₂   = v̇₋₁ × v₀ + v̇₀ × v₋₁  = 1 × 5 + 0 × 2  = 5",
                 "v̄₀   = v̄₀ + v̄₂ ∂v₂/∂v₀    = v̄₀ + v̄₂ × v₋₁   = 1.716",
                 "x̄₁   = v̄₋₁                                  = 5.5"]:
        assert line in text, line
    ascii_text = golden("baydin_ascii.txt")
    assert ascii_text.isascii()
    assert "vbar_-1  = vbar_-1 + vbar_1 dv_1/dv_-1  = vbar_-1 + vbar_1 / v_-1  = 5.5" \
        in ascii_text


def test_textbook_and_trace_order():
    # Python evaluates ln(x1) + x1*x2 before sin(x2); the seed numbers sin first
    e = cr.explain(f_trace, 2.0, 5.0, order="trace")
    assert [r["op"] for r in e.rows[2:7]] == ["log", "multiply", "add", "sin", "subtract"]
    with pytest.raises(ValueError, match="order must be"):
        cr.explain(f_trace, 2.0, 5.0, order="random")


# ------------------------------------------------------------- same numbers as transforms
def _check_against_transforms(f, args, argnums=None):
    e = cr.explain(f, *args, argnums=argnums)
    nums = tuple(range(len(args))) if argnums is None else argnums
    g = cr.grad(f, argnums=nums)(*args)
    g_leaves = cr.tree_leaves(g)
    assert len(g_leaves) == len(e.grad)
    for a, b in zip(e.grad, g_leaves):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    leaves = cr.tree_leaves([args[i] for i in nums])
    for k, name in enumerate(e.input_names):
        tang = [np.ones_like(np.asarray(x, float)) if j == k else np.zeros_like(
            np.asarray(x, float)) for j, x in enumerate(leaves)]
        sel = [args[i] for i in nums]
        tree = cr.tree_unflatten(cr.tree_flatten(sel)[1], tang)

        def g_of(*sel_args):
            full = list(args)
            for i, v in zip(nums, sel_args):
                full[i] = v
            return f(*full)
        _, t = cr.jvp(g_of, tuple(sel), tuple(tree))
        np.testing.assert_allclose(e.tangents[name], t, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.asarray(e.value, float), np.asarray(f(*args), float))
    return e


def test_numbers_equal_grad_and_jvp_on_the_seed():
    e = _check_against_transforms(f_trace, (2.0, 5.0))
    assert [r3(g) for g in e.grad] == [5.5, 1.716]


def _mlp(W1, b1, W2, X):
    h = cnp.tanh(X @ W1 + b1)
    return cnp.mean((h @ W2) ** 2)


def test_numbers_equal_grad_and_jvp_on_arrays_and_broadcasting():
    rng = np.random.default_rng(3)
    args = (rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 2)),
            rng.standard_normal((5, 3)))
    e = _check_against_transforms(_mlp, args, argnums=(0, 1, 2))
    text = e.to_text("unicode")
    assert "5×4" in text and "summed to shape (4,)" in text   # the bias's broadcast undone
    shapes = {r["name"]: r["shape"] for r in e.rows}
    assert shapes["v-2"] == (3, 4) and shapes["v0"] == (4, 2) and shapes["y"] == ()


def test_numbers_equal_grad_for_pytrees_and_names():
    params = {"W": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.1, -0.2])}

    def loss(p, x):
        return cnp.sum(cnp.exp(x @ p["W"] + p["b"]))

    x = np.array([0.3, -0.7])
    e = _check_against_transforms(loss, (params, x), argnums=(0,))
    assert e.input_names == ["p['W']", "p['b']"]
    assert "p̄['b']" in e.to_text("unicode") and "bar(p['b'])" in e.to_text("ascii")


@pytest.mark.parametrize("f,args", [
    (lambda x: x * x, (3.0,)),                                   # one rule for both args
    (lambda x: cnp.sqrt(x) / (1.0 + x ** 3), (2.0,)),
    (lambda x, y: cnp.maximum(x, y) * cnp.arctan(x - y), (0.3, -1.2)),
    (lambda x: cnp.sum(cnp.linalg.eigh(x + x.T)[0] ** 2), (np.array([[2.0, 1.0], [0.5, 3.0]]),)),
    (lambda x: cr.checkpoint(lambda z: cnp.sin(z) * z)(x) + x, (0.7,)),
    (lambda x: cnp.where(x > 0, x, 0.1 * x).sum(), (np.array([-1.0, 2.0, 0.5]),)),
    (lambda x: cnp.stack([x[0] * x[1], x[1]]).sum() + x[::-1][0], (np.array([1.5, -2.0]),)),
])
def test_numbers_equal_grad_and_jvp_various(f, args):
    e = _check_against_transforms(f, args)
    assert e.to_text("unicode") and e.to_text("ascii").isascii()
    assert e.to_markdown().count("**") >= 6 and e.to_latex().count(r"\begin{tabular}") >= 3


def test_x_times_x_is_one_step():
    rows = cr.explain(lambda x: x * x, 3.0).adjoint_rows
    assert [r["name"] for r in rows] == ["v1", "v0", "x"]
    assert rows[1]["with_numbers"] == "v̄₁ × v₀ + v̄₁ × v₀" and r3(rows[1]["value"]) == 6


def test_uses_the_core_rules_not_its_own(monkeypatch):
    # a (deliberately wrong) rule registered on the primitive shows in explain exactly as
    # in cr.grad and cr.jvp: the tables are read off the core's passes
    from chainrule.core import REGISTRY
    sin = REGISTRY["sin"]
    monkeypatch.setattr(sin, "vjp_rules", (lambda g, ans, x: g * 7.0,))
    monkeypatch.setattr(sin, "jvp_rules", (lambda t, ans, x: t * 3.0,))
    e = cr.explain(f_trace, 2.0, 5.0)
    assert float(e.grad[1]) == pytest.approx(float(cr.grad(f_trace, 1)(2.0, 5.0)))
    assert float(e.grad[1]) == pytest.approx(2.0 - 7.0)
    assert float(e.tangents["x2"]) == pytest.approx(2.0 - 3.0)


# --------------------------------------------------------- the seed's network examples
def test_one_layer_sigmoid_network_at_the_notes_point():
    # "data x = 1, c = 1", "initial step w = 0, b = 0": L = 1/8, dL/dw = dL/db = -1/8
    e = cr.explain(sigmoid_loss, 0.0, 0.0)
    assert r3(e.value) == 0.125
    assert [float(g) for g in e.grad] == [-0.125, -0.125]
    ops = [r["op"] for r in e.rows if r["kind"] == "op"]
    assert ops == ["multiply", "add", "negative", "exp", "add", "divide", "subtract",
                   "power", "multiply"]
    by_name = {r["name"]: r for r in e.rows}
    assert r3(by_name["v6"]["value"]) == 0.5                       # y = sigma(0) = 1/2
    # dL/dz = dL/dy sigma(z)(1 - sigma(z)) = -1/2 * 1/4 = -1/8: the adjoint of z = wx + b
    assert float(by_name["v2"]["adjoint"]) == -0.125
    assert float(by_name["v7"]["adjoint"]) == -0.5                 # dL/dy = y - c
    _check_against_transforms(sigmoid_loss, (0.0, 0.0))
    assert by_name["v1"]["expr"] == "v₋₁ × 1"                     # x = 1 is a constant


def test_tanh_layer_example_of_seed_003():
    # seed 003: a single tanh layer with squared loss, vector input
    def layer(W, b, x=np.array([1.0, -2.0]), t=np.array([0.5, 0.0])):
        return cnp.sum((cnp.tanh(W @ x + b) - t) ** 2)
    W = np.array([[0.1, 0.2], [-0.3, 0.4]])
    _check_against_transforms(layer, (W, np.zeros(2)))


# --------------------------------------------------------------- seeding and options
def test_wrt_selects_the_seed():
    e = cr.explain(f_trace, 2.0, 5.0, wrt="x2")
    assert list(e.tangents) == ["x2"] and r3(e.tangents["x2"]) == 1.716
    assert len(e.tangent_rows) == 1
    e = cr.explain(f_trace, 2.0, 5.0, wrt=[1, 0])
    assert list(e.tangents) == ["x2", "x1"]
    with pytest.raises(ValueError, match="wrt='x3' is not an input; the inputs are x1, x2"):
        cr.explain(f_trace, 2.0, 5.0, wrt="x3")
    with pytest.raises(ValueError, match="out of range"):
        cr.explain(f_trace, 2.0, 5.0, wrt=5)


def test_given_direction():
    e = cr.explain(f_trace, 2.0, 5.0, tangents=(1.0, 1.0))
    assert list(e.tangents) == ["direction"]
    assert float(e.tangents["direction"]) == pytest.approx(5.5 + 1.7163378145367738)
    assert "(ẋ₁ = 1, ẋ₂ = 1)" in e.to_text("unicode")
    with pytest.raises(ValueError, match="one tangent per input"):
        cr.explain(f_trace, 2.0, 5.0, tangents=(1.0,))
    with pytest.raises(ValueError, match="has shape"):
        cr.explain(lambda x: cnp.sum(x), np.ones(3), tangents=(np.ones(2),))


def test_cotangent_of_a_vector_output():
    x = np.array([1.0, 2.0, 3.0])
    e = cr.explain(lambda x: cnp.sin(x) * x, x, cotangent=np.array([1.0, 0.0, 2.0]))
    _, pull = cr.vjp(lambda x: cnp.sin(x) * x, x)
    np.testing.assert_allclose(e.grad[0], pull(np.array([1.0, 0.0, 2.0]))[0])
    e1 = cr.explain(lambda x: cnp.sin(x) * x, x)               # default: ones
    np.testing.assert_allclose(e1.grad[0], np.sin(x) + x * np.cos(x))
    with pytest.raises(ValueError, match="cotangent has shape"):
        cr.explain(lambda x: x * 2.0, x, cotangent=np.ones(2))


def test_several_outputs_and_constant_output():
    e = cr.explain(lambda a, b: (a * b, a + b), 2.0, 3.0)
    assert [r["name"] for r in e.rows][-2:] == ["y[0]", "y[1]"]
    assert "ȳ[1] = 1" in e.to_text("unicode")
    e2 = cr.explain(lambda a: {"sq": a * a, "id": a}, 2.0)
    assert [r["name"] for r in e2.rows][-2:] == ["y['id']", "y['sq']"]
    assert [float(g) for g in e.grad] == [4.0, 3.0]            # ones on both outputs
    e = cr.explain(lambda a: 3.0, 2.0)
    assert e.rows[-1]["op"] == "constant" and float(e.grad[0]) == 0.0


def test_integer_arguments_mean_floats_and_bad_arguments():
    assert [r3(g) for g in cr.explain(f_trace, 2, 5).grad] == [5.5, 1.716]
    with pytest.raises(TypeError, match="give the point"):
        cr.explain(f_trace)
    with pytest.raises(TypeError, match="expected a float"):
        cr.explain(f_trace, "2", 5.0)


def test_float32_is_kept():
    x = np.array([1.0, 2.0], dtype=np.float32)
    e = cr.explain(lambda x: cnp.sum(cnp.exp(x)), x)
    assert e.grad[0].dtype == np.float32


def test_domain_problems_are_reported():
    e = cr.explain(lambda x: cnp.log(x) + x, -1.0)
    assert [n.name for n in e.problems()] == ["v1"]
    assert e.to_text("ascii").startswith("warning: v_1 not finite")
    assert cr.explain(f_trace, 2.0, 5.0).problems() == []


def test_style_follows_the_terminal():
    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    utf8_stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert default_style(ascii_stream) == "ascii"
    assert default_style(utf8_stream) == "unicode"
    with pytest.raises(ValueError, match="style must be"):
        cr.explain(f_trace, 2.0, 5.0).to_text("latex")


def test_number_format():
    assert [number(v) for v in (11.652071455223084, -0.28366218546322625, 10.0, 0.5, -0.0,
                                1.2e-9, 3e7, np.nan, np.inf)] == \
        ["11.652", "-0.284", "10", "0.5", "0", "1.2e-09", "3e+07", "nan", "inf"]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_compiles(tmp_path):
    e = cr.explain(_mlp, np.ones((2, 3)), np.zeros(3), np.ones((3, 1)), np.ones((4, 2)),
                   argnums=(0, 1, 2))
    doc = ("\\documentclass{article}\\usepackage{amsmath}\\usepackage[margin=1cm,landscape]"
           "{geometry}\\begin{document}\n" + golden("baydin.tex") + "\n\n" + e.to_latex()
           + "\\end{document}\n")
    (tmp_path / "t.tex").write_text(doc, encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
                          cwd=tmp_path, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stdout.decode()[-2000:]


def test_repr_and_jupyter():
    e = cr.explain(f_trace, 2.0, 5.0)
    assert repr(e) == "<Explanation of f_trace: 2 input(s), 5 operation(s), 2 tangent seed(s)>"
    assert e._repr_markdown_() == e.to_markdown()
    assert str(e) == e.to_text()
    assert math.isclose(float(e.value), 11.652071455223084)


def test_absolute_value_in_latex():
    # |v| must open and close with bars (an earlier version wrote \lvert twice)
    latex = cr.explain(lambda x: cnp.abs(x) * 2.0, -3.0).to_latex()
    assert r"$= \lvert" not in latex and "$= |v_{0}|$" in latex
