"""Plots of a run are valid PNG files with the panels the run calls for."""
import sys

import numpy as np
import pytest

from chainrule import nn
from chainrule.train import fit, plot_history
from chainrule.train.history import History

PNG = b"\x89PNG\r\n\x1a\n"


def classification_history():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] > 0).astype(int)
    net = nn.Sequential(nn.Dense(3, 8), nn.Tanh(), nn.Dense(8, 2))
    return fit(net, X, y, epochs=4, validation_split=0.25, patience=2, seed=0).history


def test_classification_png_has_loss_accuracy_and_gradient_panels(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread
    path = tmp_path / "run.png"
    fig = plot_history(classification_history(), str(path), title="test run", dpi=50)
    assert path.read_bytes()[:8] == PNG
    image = imread(str(path))
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 3 * image.shape[0]
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:2] == ["loss", "accuracy"] and titles[2].startswith("gradient norm")
    grad_ax = fig.axes[2]
    assert grad_ax.get_yscale() == "log"
    assert [t.get_text() for t in grad_ax.get_legend().get_texts()][:2] == \
        ["layer 0: Dense 3x8", "layer 2: Dense 8x2"]
    # training and validation curves on the loss panel
    assert len(fig.axes[0].get_lines()) >= 2


def test_regression_png_has_no_accuracy_panel(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 2))
    net = nn.Sequential(nn.Dense(2, 4), nn.Tanh(), nn.Dense(4, 1))
    h = fit(net, X, X[:, 0], loss="mse", epochs=3).history
    fig = plot_history(h, str(tmp_path / "reg.png"), dpi=50)
    assert (tmp_path / "reg.png").read_bytes()[:8] == PNG
    assert [ax.get_title() for ax in fig.axes][:1] == ["loss"] and len(fig.axes) == 2


def test_a_run_without_gradient_norms_still_plots(tmp_path):
    pytest.importorskip("matplotlib")
    h = History(["0: Dense 2x2"], steps_per_epoch=1)
    h.append({"epoch": 1, "loss": 0.5})
    h.grad_norms = np.zeros((0, 1))
    plot_history(h, str(tmp_path / "empty.png"), dpi=40)
    assert (tmp_path / "empty.png").read_bytes()[:8] == PNG


def test_without_matplotlib_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    h = History(["0"], steps_per_epoch=1)
    h.append({"epoch": 1, "loss": 0.5})
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[plot\]'"):
        plot_history(h)
