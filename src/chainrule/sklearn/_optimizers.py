"""scikit-learn's two stochastic optimisers as ``chainrule.optim`` optimisers, so that an
estimator given scikit-learn's settings takes scikit-learn's steps:

* Adam adds ``epsilon`` to ``sqrt(v)`` before the bias correction (PyTorch's
  ``optim.Adam`` adds it after): ``p -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)``;
* SGD keeps a velocity that includes the learning rate, ``v = momentum v - lr g`` and
  ``p += v`` (Nesterov: ``p += momentum v - lr g``), so that a learning rate changed
  between epochs ("invscaling", "adaptive") scales only the new steps.

>>> import numpy as np
>>> from chainrule.sklearn._optimizers import ScikitAdam, ScikitSGD
>>> opt = ScikitSGD(0.1, momentum=0.9, nesterov=False)
>>> p, state = opt.update(np.array([1.0]), np.array([2.0]), opt.init(np.array([1.0])))
>>> p, state["velocity"]
(array([0.8]), [array([-0.2])])
>>> opt = ScikitAdam(0.1)
>>> p, _ = opt.update(np.array([1.0]), np.array([4.0]), opt.init(np.array([1.0])))
>>> p.round(6)                                   # the first step moves by about lr
array([0.9])
"""
from __future__ import annotations

import math

import numpy as np

from ..optim import Optimizer
from ..optim.base import check_number


class ScikitAdam(Optimizer):
    """Adam as ``sklearn.neural_network``'s ``AdamOptimizer`` computes it."""

    packed = True

    def __init__(self, lr: float = 1e-3, b1: float = 0.9, b2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.b1 = check_number("ScikitAdam", "b1", b1, 0.0, 1.0, open_hi=True)
        self.b2 = check_number("ScikitAdam", "b2", b2, 0.0, 1.0, open_hi=True)
        self.eps = check_number("ScikitAdam", "eps", eps)

    def _args(self) -> dict:
        return {"lr": self.lr, "b1": self.b1, "b2": self.b2, "eps": self.eps}

    def slots(self) -> tuple:
        return ("m", "v")

    def _apply(self, params, grads, buffers, t, lr):
        b1, b2, eps = self.b1, self.b2, self.eps
        step = lr * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
        new_p, new_m, new_v = [], [], []
        for p, g, m, v in zip(params, grads, buffers["m"], buffers["v"]):
            m1 = m * b1
            m1 += (1.0 - b1) * g
            v1 = v * b2
            v1 += (1.0 - b2) * (g * g)
            d = np.sqrt(v1)
            d += eps
            np.divide(m1, d, out=d)
            d *= step
            new_p.append(p - d)
            new_m.append(m1)
            new_v.append(v1)
        return new_p, {"m": new_m, "v": new_v}


class ScikitSGD(Optimizer):
    """SGD with (Nesterov) momentum as ``sklearn.neural_network``'s ``SGDOptimizer``
    computes it."""

    packed = True

    def __init__(self, lr: float, momentum: float = 0.9, nesterov: bool = True) -> None:
        super().__init__(lr)
        self.momentum = check_number("ScikitSGD", "momentum", momentum, 0.0, 1.0)
        self.nesterov = bool(nesterov)

    def _args(self) -> dict:
        return {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov}

    def slots(self) -> tuple:
        return ("velocity",)

    def _apply(self, params, grads, buffers, t, lr):
        mu = self.momentum
        new_p, new_v = [], []
        for p, g, v in zip(params, grads, buffers["velocity"]):
            v1 = v * mu
            v1 -= lr * g
            new_v.append(v1)
            if self.nesterov:
                d = v1 * mu
                d -= lr * g
                new_p.append(p + d)
            else:
                new_p.append(p + v1)
        return new_p, {"velocity": new_v}
