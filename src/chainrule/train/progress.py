"""Progress display of a training run: a tqdm bar over all steps (loss and accuracy in its
postfix), or one line per epoch when tqdm is not installed and the caller asked for "auto"."""
from __future__ import annotations

import sys
from typing import Dict, Optional


def _fmt(metrics: Dict[str, float]) -> Dict[str, str]:
    keys = ("loss", "accuracy", "val_loss", "val_accuracy")
    short = {"accuracy": "acc", "val_accuracy": "val_acc"}
    return {short.get(k, k): f"{metrics[k]:.4f}" for k in keys if k in metrics}


class _Bar:
    def __init__(self, tqdm, total_steps: int, epochs: int, file) -> None:
        self.epochs = epochs
        self.bar = tqdm(total=total_steps, unit="step", file=file, dynamic_ncols=True,
                        desc=f"epoch 1/{epochs}", leave=True)
        self.update = self.bar.update

    def epoch_end(self, epoch: int, metrics: Dict[str, float]) -> None:
        self.bar.set_description(f"epoch {min(epoch + 1, self.epochs)}/{self.epochs}",
                                 refresh=False)
        self.bar.set_postfix(_fmt(metrics), refresh=False)

    def close(self, stopped_at: Optional[int] = None) -> None:
        if stopped_at is not None:                  # early stop: show the bar as it ended
            self.bar.set_description(f"epoch {stopped_at}/{self.epochs} (early stop)",
                                     refresh=False)
        self.bar.close()


class _Lines:
    def __init__(self, epochs: int, file) -> None:
        self.epochs, self.file = epochs, file

    def update(self, n: int = 1) -> None:
        pass

    def epoch_end(self, epoch: int, metrics: Dict[str, float]) -> None:
        text = "  ".join(f"{k} {v}" for k, v in _fmt(metrics).items())
        print(f"epoch {epoch}/{self.epochs}  {text}", file=self.file, flush=True)

    def close(self, stopped_at: Optional[int] = None) -> None:
        if stopped_at is not None:
            print(f"stopped early after epoch {stopped_at}", file=self.file, flush=True)


def make_progress(kind, total_steps: int, epochs: int, file=None):
    """None for ``kind`` False; a tqdm bar for True (tqdm required) or "auto" (tqdm if
    installed, else a line per epoch); one line per epoch for "lines"."""
    file = sys.stderr if file is None else file
    if kind is False or kind is None:
        return None
    if kind == "lines":
        return _Lines(epochs, file)
    if kind not in (True, "auto"):
        raise ValueError(f"fit: progress must be True, False, 'auto' or 'lines', got {kind!r}")
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if kind == "auto":
            return _Lines(epochs, file)
        raise ImportError("fit(progress=True) shows a tqdm progress bar, and tqdm is not "
                          "installed: pip install 'chainrule[progress]' (or progress='lines')"
                          ) from None
    return _Bar(tqdm, total_steps, epochs, file)
