"""What a training run records: per-epoch metrics and per-layer gradient norms per step."""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np


class History:
    """The record of one :func:`~chainrule.train.fit` run.

    - ``history["loss"]``, ``["accuracy"]``, ``["val_loss"]``, ``["val_accuracy"]``,
      ``["epoch"]`` (1, 2, ...), ``["time"]`` (seconds since the start): one float per epoch
      (``keys()`` lists those present: accuracy only for classification, ``val_*`` only with
      validation data). Training loss and accuracy are the averages over the epoch's
      minibatches, in training mode (dropout active), as Keras and scikit-learn report them;
      validation metrics are computed after the epoch, in evaluation mode.
    - ``grad_norms``: array (steps, layers), the L2 norm of each layer's gradient (all its
      parameter arrays together) at every optimisation step, before the update;
      ``layer_names`` names the columns, ``steps_per_epoch`` the steps of one epoch;
      ``epoch_grad_norms`` is the per-epoch mean, (epochs, layers). Vanishing gradients show
      as columns that shrink towards 0 for the early layers, exploding ones as growth.
    - ``best_epoch`` (1-based) and ``stopped_early``: the early-stopping outcome.

    >>> import numpy as np
    >>> h = History(["0: Dense 2x3"], steps_per_epoch=2)
    >>> h.append({"epoch": 1, "loss": 0.9}); h.append({"epoch": 2, "loss": 0.5})
    >>> h["loss"], list(h.keys()), len(h)
    ([0.9, 0.5], ['epoch', 'loss'], 2)
    >>> h.grad_norms = np.array([[4.0], [2.0], [1.0], [1.0]])
    >>> h.epoch_grad_norms.tolist()
    [[3.0], [1.0]]
    """

    def __init__(self, layer_names: List[str], steps_per_epoch: int) -> None:
        self.metrics: Dict[str, List[float]] = {}
        self.layer_names = list(layer_names)
        self.steps_per_epoch = steps_per_epoch
        self.grad_norms = np.zeros((0, len(layer_names)))
        self.best_epoch: Optional[int] = None
        self.stopped_early = False
        self.monitor: Optional[str] = None

    def append(self, row: Dict[str, float]) -> None:
        for k, v in row.items():
            self.metrics.setdefault(k, []).append(int(v) if k == "epoch" else float(v))

    def __getitem__(self, key: str) -> List[float]:
        return self.metrics[key]

    def __contains__(self, key: str) -> bool:
        return key in self.metrics

    def keys(self):
        return self.metrics.keys()

    def __len__(self) -> int:
        return len(self.metrics.get("epoch", ()))

    @property
    def epoch_grad_norms(self) -> np.ndarray:
        """Mean gradient norm of each layer over each epoch's steps, shape (epochs, layers)."""
        s = self.steps_per_epoch
        n = len(self.grad_norms) // s if s else 0
        return self.grad_norms[:n * s].reshape(n, s, -1).mean(axis=1)

    def last(self) -> Dict[str, float]:
        """The metrics of the last epoch."""
        return {k: v[-1] for k, v in self.metrics.items() if v}

    def __repr__(self) -> str:
        return (f"History({len(self)} epochs, keys {list(self.metrics)}, grad_norms "
                f"{self.grad_norms.shape[0]} steps x {self.grad_norms.shape[1]} layers)")
