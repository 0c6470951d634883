"""``chainrule.optim``: gradient-based optimisers, functional (``init`` / ``update``).

    >>> import numpy as np, chainrule as cr
    >>> from chainrule import optim
    >>> loss = lambda p: ((p["w"] - 3.0) ** 2).sum()
    >>> opt = optim.Adam(0.1)
    >>> params = {"w": np.zeros(2)}
    >>> state = opt.init(params)
    >>> for _ in range(200):
    ...     params, state = opt.update(params, cr.grad(loss)(params), state)
    >>> params["w"].round(2)
    array([3., 3.])

* optimisers: :class:`SGD` (momentum, Nesterov), :class:`Adam`, :class:`RMSProp`,
  :class:`AdaGrad`, each with L2 ``weight_decay``; by name: :func:`get_optimizer`;
* learning-rate schedules (``lr=`` takes a float or a callable ``step -> lr``):
  :class:`constant`, :class:`step_decay`, :class:`exponential_decay`,
  :class:`cosine_decay`.
"""
from .base import Optimizer
from .optimizers import OPTIMIZERS, SGD, AdaGrad, Adam, RMSProp, get_optimizer
from .schedules import Schedule, constant, cosine_decay, exponential_decay, step_decay

__all__ = ["Optimizer", "SGD", "Adam", "RMSProp", "AdaGrad", "get_optimizer", "OPTIMIZERS",
           "Schedule", "constant", "step_decay", "exponential_decay", "cosine_decay"]
