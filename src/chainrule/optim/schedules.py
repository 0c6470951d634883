"""Learning-rate schedules: callables ``step -> lr``, ``step`` the number of updates
already made (0 for the first update), as in optax.

Give one to any optimiser in place of a float: ``optim.SGD(optim.step_decay(0.1, 1000))``.
Steps count optimiser updates, not epochs: for a decay every ``k`` epochs use
``step_size = k * steps_per_epoch``.
"""
from __future__ import annotations

import math


def _number(where: str, arg: str, v, *, positive: bool = False, integer: bool = False):
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if integer:
        ok = ok and float(v).is_integer()
    if not ok or v < 0 or (positive and v == 0):
        kind = "a positive" if positive else "a non-negative"
        raise ValueError(f"{where}: {arg} must be {kind} {'integer' if integer else 'number'}"
                         f", got {v!r}")
    return int(v) if integer else float(v)


class Schedule:
    """Base class: ``schedule(step) -> lr`` for ``step = 0, 1, 2, ...``. Any callable
    ``step -> lr`` works as a schedule too; subclassing gives a readable ``repr``.

    >>> from chainrule import optim
    >>> class Halving(optim.Schedule):
    ...     def __call__(self, step):
    ...         return 1.0 / 2 ** step
    >>> Halving()(3), repr(Halving())
    (0.125, 'Halving()')
    """

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def _args(self) -> dict:
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._args().items())})"


class constant(Schedule):
    """The same ``lr`` at every step.

    >>> from chainrule import optim
    >>> optim.constant(0.1)(1000)
    0.1
    """

    def __init__(self, lr: float) -> None:
        self.lr = _number("optim.constant", "lr", lr)

    def __call__(self, step: int) -> float:
        return self.lr

    def _args(self) -> dict:
        return {"lr": self.lr}


class step_decay(Schedule):
    """``lr * gamma ** (step // step_size)``: multiplied by ``gamma`` every ``step_size``
    steps (PyTorch's StepLR).

    >>> from chainrule import optim
    >>> s = optim.step_decay(1.0, step_size=10, gamma=0.5)
    >>> [s(0), s(9), s(10), s(25)]
    [1.0, 1.0, 0.5, 0.25]
    """

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1) -> None:
        self.lr = _number("optim.step_decay", "lr", lr)
        self.step_size = _number("optim.step_decay", "step_size", step_size, positive=True,
                                 integer=True)
        self.gamma = _number("optim.step_decay", "gamma", gamma)

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** (int(step) // self.step_size)

    def _args(self) -> dict:
        return {"lr": self.lr, "step_size": self.step_size, "gamma": self.gamma}


class exponential_decay(Schedule):
    """``lr * gamma ** step`` (PyTorch's ExponentialLR, per update).

    >>> from chainrule import optim
    >>> optim.exponential_decay(1.0, 0.5)(3)
    0.125
    """

    def __init__(self, lr: float, gamma: float) -> None:
        self.lr = _number("optim.exponential_decay", "lr", lr)
        self.gamma = _number("optim.exponential_decay", "gamma", gamma)

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** int(step)

    def _args(self) -> dict:
        return {"lr": self.lr, "gamma": self.gamma}


class cosine_decay(Schedule):
    """Cosine annealing from ``lr`` to ``final_lr`` over ``decay_steps`` steps, then
    ``final_lr``: ``final_lr + (lr - final_lr) (1 + cos(pi min(step, T) / T)) / 2``
    (PyTorch's CosineAnnealingLR without restarts, optax's cosine_decay_schedule).

    >>> from chainrule import optim
    >>> s = optim.cosine_decay(1.0, decay_steps=100, final_lr=0.1)
    >>> [round(s(k), 4) for k in (0, 50, 100, 1000)]
    [1.0, 0.55, 0.1, 0.1]
    """

    def __init__(self, lr: float, decay_steps: int, final_lr: float = 0.0) -> None:
        self.lr = _number("optim.cosine_decay", "lr", lr)
        self.decay_steps = _number("optim.cosine_decay", "decay_steps", decay_steps,
                                   positive=True, integer=True)
        self.final_lr = _number("optim.cosine_decay", "final_lr", final_lr)

    def __call__(self, step: int) -> float:
        frac = min(int(step), self.decay_steps) / self.decay_steps
        return self.final_lr + (self.lr - self.final_lr) * 0.5 * (1.0 + math.cos(math.pi * frac))

    def _args(self) -> dict:
        return {"lr": self.lr, "decay_steps": self.decay_steps, "final_lr": self.final_lr}
