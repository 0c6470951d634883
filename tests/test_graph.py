"""cr.graph: the computational graph, as data, DOT text, SVG and PNG."""
import shutil

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
from chainrule.explainer import GraphvizNotFoundError

from seed_examples import f_trace, sigmoid_loss

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")


def test_nodes_and_edges_of_the_seed_graph():
    g = cr.graph(f_trace, 2.0, 5.0)
    kinds = [(n["id"], n["kind"], n["op"]) for n in g.nodes]
    assert kinds == [("v-1", "input", "x1"), ("v0", "input", "x2"), ("v1", "op", "log"),
                     ("v2", "op", "multiply"), ("v3", "op", "sin"), ("v4", "op", "add"),
                     ("v5", "op", "subtract"), ("y", "output", "output")]
    edges = {(e["source"], e["target"]) for e in g.edges}
    # data flows from the inputs to the output (seed 003's drawing of this graph)
    assert edges == {("v-1", "v1"), ("v-1", "v2"), ("v0", "v2"), ("v0", "v3"),
                     ("v1", "v4"), ("v2", "v4"), ("v4", "v5"), ("v3", "v5"), ("v5", "y")}
    labels = [n["label"] for n in g.nodes]
    assert labels[2:] == ["v₁ = ln v₋₁", "v₂ = v₋₁ × v₀", "v₃ = sin v₀", "v₄ = v₁ + v₂",
                          "v₅ = v₄ - v₃", "y"]


def test_dot_text_has_op_names_values_and_adjoints():
    dot = cr.graph(f_trace, 2.0, 5.0).to_dot()
    assert dot.startswith('digraph "f_trace" {') and dot.rstrip().endswith("}")
    assert "rankdir=LR" in dot
    for text in ("log", "multiply", "sin", "0.693", "11.652", '"v-1" -> "v1"'):
        assert text in dot, text
    assert "v̄" not in dot and "ȳ" not in dot               # no adjoints unless asked
    adj = cr.graph(f_trace, 2.0, 5.0, adjoints=True).to_dot()
    assert "v̄₋₁ = 5.5" in adj and "v̄₀ = 1.716" in adj and "ȳ = 1" in adj
    # each edge carries the contribution that flowed back along it
    assert '"v0" -> "v3" [label=<<FONT COLOR="#b03a2e">-0.284</FONT>>' in adj
    assert '"v0" -> "v2" [label=<<FONT COLOR="#b03a2e">2</FONT>>' in adj
    edges = {(e["source"], e["target"]): e["adjoint"] for e in cr.graph(f_trace, 2.0, 5.0,
                                                                         adjoints=True).edges}
    assert float(edges[("v-1", "v1")]) == 0.5 and float(edges[("v-1", "v2")]) == 5.0


def test_constants_are_dashed_nodes():
    g = cr.graph(sigmoid_loss, 0.0, 0.0, adjoints=True)
    consts = [n for n in g.nodes if n["kind"] == "const"]
    assert [n["label"] for n in consts] == ["1", "1", "1", "1", "2", "0.5"]
    dot = g.to_dot()
    assert dot.count("style=dashed") == len(consts)
    ids = {n["id"] for n in g.nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in g.edges)


def test_labels_are_escaped():
    g = cr.graph(lambda x: cnp.sum(x[x > 0]), np.array([1.0, -2.0, 3.0]))
    dot = g.to_dot()
    assert "<lambda>" not in dot.split("\n", 1)[1]            # html-escaped in labels
    assert "&lt;" in dot or "getitem" in dot


@needs_dot
@pytest.mark.parametrize("ext,magic", [("svg", b"<?xml"), ("png", b"\x89PNG"),
                                       ("pdf", b"%PDF")])
def test_render_files(tmp_path, ext, magic):
    path = tmp_path / f"g.{ext}"
    out = cr.graph(f_trace, 2.0, 5.0, adjoints=True).render(path)
    assert out == str(path)
    data = path.read_bytes()
    assert data.startswith(magic) and len(data) > 1000
    if ext == "svg":
        text = data.decode("utf-8")
        assert "<svg" in text and "ln v₋₁" in text and "11.652" in text
        assert "v̄₋₁ = 5.5" in text


@needs_dot
def test_render_png_dimensions(tmp_path):
    path = tmp_path / "g.png"
    cr.graph(f_trace, 2.0, 5.0, adjoints=True).render(path)
    data = path.read_bytes()
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert width > 600 and height > 150                     # a real drawing, not a stub


def test_render_dot_file_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    path = tmp_path / "g.dot"
    cr.graph(f_trace, 2.0, 5.0).render(path)
    assert path.read_text(encoding="utf-8") == cr.graph(f_trace, 2.0, 5.0).to_dot()


def test_missing_graphviz_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    g = cr.graph(f_trace, 2.0, 5.0)
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        g.render(tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()
    assert g.to_dot().startswith("digraph")                 # still works
    assert g._repr_svg_() is None


def test_render_bad_format(tmp_path):
    with pytest.raises(ValueError, match="cannot tell the format"):
        cr.graph(f_trace, 2.0, 5.0).render(tmp_path / "g.jpeg2000")


def test_graph_of_arrays_and_multi_output():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    g = cr.graph(lambda a: cnp.sum(cnp.linalg.eigh(a)[0]), A, adjoints=True)
    ops = [n["op"] for n in g.nodes if n["kind"] == "op"]
    assert "linalg.eigh" in ops and "output" in ops
    assert "2×2" in g.to_dot()
    assert repr(g).startswith("<Graph of <lambda>:")


def test_direction_follows_depth():
    assert "rankdir=LR" in cr.graph(f_trace, 2.0, 5.0).to_dot()          # like the notes
    assert "rankdir=TB" in cr.graph(sigmoid_loss, 0.0, 0.0).to_dot()     # a long chain
    assert "rankdir=LR" in cr.graph(sigmoid_loss, 0.0, 0.0, rankdir="LR").to_dot()
    with pytest.raises(ValueError, match="rankdir must be"):
        cr.graph(f_trace, 2.0, 5.0, rankdir="up")


def test_array_values_are_compact():
    g = cr.graph(lambda W, x: cnp.sum(cnp.tanh(x @ W)), np.ones((3, 4)), np.ones((5, 3)),
                 adjoints=True)
    dot = g.to_dot()
    assert "5×4 array" in dot and "mean" not in dot
