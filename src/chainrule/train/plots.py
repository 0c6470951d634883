"""Pictures of a training run (matplotlib, imported only here): loss and accuracy per epoch,
and each layer's gradient norm per step on a log scale, where vanishing or exploding
gradients show at a glance."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .history import History


def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plotting needs matplotlib, which is not installed: "
                          "pip install 'chainrule[plot]'") from None
    return Figure


def _epoch_axis(ax) -> None:
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")


def _mark_best(ax, history: History) -> None:
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch, color="0.6", linestyle=":", linewidth=1,
                   label=f"best epoch ({history.best_epoch})")


def plot_loss(history: History, ax: Any) -> None:
    """Training and validation loss per epoch on ``ax``."""
    epochs = history["epoch"]
    ax.plot(epochs, history["loss"], label="training", color="C0")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], label="validation", color="C1")
    losses = [v for k in ("loss", "val_loss") if k in history for v in history[k]]
    if losses and min(losses) > 0 and max(losses) / min(losses) > 30:
        ax.set_yscale("log")                      # a loss that falls by decades reads better
    _mark_best(ax, history)
    _epoch_axis(ax)
    ax.set_ylabel("loss")
    ax.set_title("loss")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")


def plot_accuracy(history: History, ax: Any) -> None:
    """Training and validation accuracy per epoch on ``ax``."""
    epochs = history["epoch"]
    ax.plot(epochs, history["accuracy"], label="training", color="C0")
    if "val_accuracy" in history:
        ax.plot(epochs, history["val_accuracy"], label="validation", color="C1")
    _mark_best(ax, history)
    _epoch_axis(ax)
    ax.set_ylabel("accuracy")
    ax.set_title("accuracy")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")


def plot_grad_norms(history: History, ax: Any) -> None:
    """Each layer's gradient norm at every step (thin) and its per-epoch mean (thick), log
    scale, against epochs; :func:`plot_loss` and :func:`plot_accuracy` draw the other
    panels, for figures of your own.

    >>> from matplotlib.figure import Figure
    >>> h = History(["0: Dense 2x3", "2: Dense 3x1"], steps_per_epoch=1)
    >>> h.append({"epoch": 1, "loss": 1.0}); h.append({"epoch": 2, "loss": 0.5})
    >>> h.grad_norms = np.array([[1e-4, 0.5], [2e-4, 0.4]])
    >>> ax = Figure().subplots()
    >>> plot_grad_norms(h, ax)
    >>> ax.get_yscale(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('log', ['layer 0: Dense 2x3', 'layer 2: Dense 3x1'])
    """
    norms = history.grad_norms
    if norms.size == 0:
        ax.text(0.5, 0.5, "no gradient norms recorded", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return
    s = max(history.steps_per_epoch, 1)
    x = np.arange(1, len(norms) + 1) / s
    means = history.epoch_grad_norms
    for j, name in enumerate(history.layer_names):
        color = f"C{j % 10}"
        ax.plot(x, np.maximum(norms[:, j], 1e-30), color=color, alpha=0.25, linewidth=0.6)
        ax.plot(np.arange(1, len(means) + 1), np.maximum(means[:, j], 1e-30), color=color,
                linewidth=1.8, label=f"layer {name}")
    _mark_best(ax, history)
    ax.set_yscale("log")
    _epoch_axis(ax)
    ax.set_ylabel("L2 norm of the layer's gradient")
    ax.set_title("gradient norm per layer (steps, epoch means)")
    ax.grid(True, which="both", alpha=0.3)
    many = len(history.layer_names) > 4
    ax.legend(fontsize="x-small" if many else "small", ncol=2 if many else 1)


def plot_history(history: History, path: Optional[str] = None, *,
                 title: Optional[str] = None, dpi: int = 110) -> Any:
    """A figure with the loss curves, the accuracy curves (classification only) and the
    gradient norms per layer; written to ``path`` (PNG, or any format matplotlib knows from
    the suffix) when given, at ``dpi`` dots per inch. Returns the matplotlib ``Figure``; no
    window is opened.

    >>> from chainrule.train.history import History
    >>> h = History(["0: Dense"], steps_per_epoch=2)
    >>> for e in (1, 2, 3): h.append({"epoch": e, "loss": 1.0 / e})
    >>> h.grad_norms = np.array([[1.0], [0.8], [0.5], [0.4], [0.3], [0.3]])
    >>> fig = plot_history(h)
    >>> len(fig.axes)
    2
    """
    Figure = _figure_class()
    panels = [plot_loss] + ([plot_accuracy] if "accuracy" in history else []) + [plot_grad_norms]
    fig = Figure(figsize=(4.6 * len(panels), 3.8), layout="constrained")
    axes = fig.subplots(1, len(panels))
    for draw, ax in zip(panels, np.atleast_1d(axes)):
        draw(history, ax)
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=dpi)
    return fig
