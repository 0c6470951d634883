"""SGD (momentum, Nesterov), Adam, RMSProp and AdaGrad, each as PyTorch documents it
(``torch.optim``'s algorithm boxes), including its L2 ``weight_decay``.

Each update is a handful of NumPy calls per array, on new arrays (the first operation of
each chain allocates the result, the others work in place on it), so nothing handed in
is ever modified. All four act entry by entry (``packed = True``): the small parameter
arrays reach ``_apply`` packed into one flat buffer, the large ones one by one.
"""
from __future__ import annotations

import math

import numpy as np

from .base import LearningRate, Optimizer, check_number
from .._lookup import by_name


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (heavy ball) or Nesterov
    momentum. With ``g = grad + weight_decay * p``::

        b = g                                  (first step)
        b = momentum * b + (1 - dampening) * g (later steps)
        g = g + momentum * b  if nesterov  else  b
        p = p - lr * g

    >>> import numpy as np
    >>> from chainrule import optim
    >>> opt = optim.SGD(0.1, momentum=0.9)
    >>> p = np.array([1.0, -2.0])
    >>> state = opt.init(p)
    >>> p, state = opt.update(p, 2 * p, state)       # gradient of sum(p ** 2)
    >>> p, state["step"]
    (array([ 0.8, -1.6]), 1)
    """

    packed = True                     # entry by entry: small arrays updated together

    def __init__(self, lr: LearningRate, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, *, dampening: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.momentum = check_number("SGD", "momentum", momentum)
        self.dampening = check_number("SGD", "dampening", dampening, 0.0, 1.0)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        self.nesterov = bool(nesterov)

    def _args(self) -> dict:
        a = {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov,
             "weight_decay": self.weight_decay}
        if self.dampening:
            a["dampening"] = self.dampening
        return a

    def slots(self) -> tuple:
        return ("momentum",) if self.momentum else ()

    def _apply(self, params, grads, buffers, t, lr):
        mu = self.momentum
        new_p, new_b = [], []
        for k, (p, g) in enumerate(zip(params, grads)):
            g = self._decayed(p, g)
            if mu:
                if t == 1:
                    b = np.array(g, copy=True)      # the state must not alias a grad
                else:
                    b = buffers["momentum"][k] * mu
                    b += (1.0 - self.dampening) * g
                new_b.append(b)
                g = g + mu * b if self.nesterov else b
            new_p.append(p - lr * g)
        return new_p, ({"momentum": new_b} if mu else {})


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), in PyTorch's and optax's form. With
    ``g = grad + weight_decay * p`` and ``t`` the step, counting from 1::

        m = b1 m + (1 - b1) g
        v = b2 v + (1 - b2) g^2
        p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

    >>> import numpy as np
    >>> from chainrule import optim
    >>> opt = optim.Adam(0.1)
    >>> params = [(np.array([1.0]), np.array([-1.0]))]
    >>> state = opt.init(params)
    >>> params, state = opt.update(params, [(np.array([4.0]), np.array([-0.5]))], state)
    >>> params                                         # the first step moves each by ~lr
    [(array([0.9]), array([-0.9]))]
    """

    packed = True                     # entry by entry: small arrays updated together

    def __init__(self, lr: LearningRate = 1e-3, b1: float = 0.9, b2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.b1 = check_number("Adam", "b1", b1, 0.0, 1.0, open_hi=True)
        self.b2 = check_number("Adam", "b2", b2, 0.0, 1.0, open_hi=True)
        self.eps = check_number("Adam", "eps", eps)

    def _args(self) -> dict:
        return {"lr": self.lr, "b1": self.b1, "b2": self.b2, "eps": self.eps,
                "weight_decay": self.weight_decay}

    def slots(self) -> tuple:
        return ("m", "v")

    def _apply(self, params, grads, buffers, t, lr, owned=()):
        b1, b2 = self.b1, self.b2
        c1, c2 = 1.0 - b1, 1.0 - b2
        root = math.sqrt(1.0 - b2 ** t)
        # lr m_hat / (sqrt(v_hat) + eps) = step * m / (sqrt(v) + eps * root)
        step = lr * root / (1.0 - b1 ** t)
        eps_r = self.eps * root
        new_p, new_m, new_v = [], [], []
        wd = self.weight_decay
        for k, (p, g, m, v) in enumerate(zip(params, grads, buffers["m"], buffers["v"])):
            own_p, own_g = owned[k] if owned else (False, False)   # packed copies
            if wd:
                g = g + wd * p
            m1 = g - m                                # m + (1 - b1) (g - m)
            m1 *= c1
            m1 += m
            # v + (1 - b2) (g^2 - v), in g's memory when g is the update's own
            v1 = np.multiply(g, g, out=g) if (own_g or wd) else g * g
            v1 -= v
            v1 *= c2
            v1 += v
            d = np.sqrt(v1)
            d += eps_r
            np.divide(m1, d, out=d)
            d *= step
            # p - step m / (sqrt(v) + eps), in p's memory when p is the update's own
            new_p.append(np.subtract(p, d, out=p if own_p else d))
            new_m.append(m1)
            new_v.append(v1)
        return new_p, {"m": new_m, "v": new_v}


class RMSProp(Optimizer):
    """RMSProp (Hinton's lecture 6e), in PyTorch's form. With ``g = grad + weight_decay * p``::

        v = alpha v + (1 - alpha) g^2
        c = v - a^2, a = alpha a + (1 - alpha) g   if centered  else  c = v
        b = momentum b + g / (sqrt(c) + eps); p = p - lr b   if momentum > 0
        p = p - lr g / (sqrt(c) + eps)                          otherwise

    >>> import numpy as np
    >>> from chainrule import optim
    >>> opt = optim.RMSProp(0.01, alpha=0.9)
    >>> p, state = opt.update(np.array([1.0]), np.array([2.0]), opt.init(np.array([1.0])))
    >>> p.round(6)                                 # 1 - 0.01 * 2 / sqrt(0.1 * 4)
    array([0.968377])
    """

    packed = True                     # entry by entry: small arrays updated together

    def __init__(self, lr: LearningRate = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0.0, centered: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.alpha = check_number("RMSProp", "alpha", alpha, 0.0, 1.0)
        self.eps = check_number("RMSProp", "eps", eps)
        self.momentum = check_number("RMSProp", "momentum", momentum)
        if not isinstance(centered, (bool, np.bool_)):
            raise TypeError(f"RMSProp: centered must be True or False, got {centered!r}")
        self.centered = bool(centered)

    def _args(self) -> dict:
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps,
                "momentum": self.momentum, "centered": self.centered,
                "weight_decay": self.weight_decay}

    def slots(self) -> tuple:
        return (("square_avg",) + (("grad_avg",) if self.centered else ())
                + (("momentum",) if self.momentum else ()))

    def _apply(self, params, grads, buffers, t, lr):
        a, c = self.alpha, 1.0 - self.alpha
        mu = self.momentum
        out = {s: [] for s in self.slots()}
        new_p = []
        for k, (p, g) in enumerate(zip(params, grads)):
            g = self._decayed(p, g)
            v = buffers["square_avg"][k] * a
            v += c * (g * g)
            out["square_avg"].append(v)
            if self.centered:
                ga = buffers["grad_avg"][k] * a
                ga += c * g
                out["grad_avg"].append(ga)
                d = v - ga * ga
                np.sqrt(d, out=d)
            else:
                d = np.sqrt(v)
            d += self.eps
            np.divide(g, d, out=d)                  # g / (sqrt(c) + eps)
            if mu:
                b = buffers["momentum"][k] * mu
                b += d
                out["momentum"].append(b)
                d = b
            new_p.append(p - lr * d)
        return new_p, out


class AdaGrad(Optimizer):
    """AdaGrad (Duchi, Hazan & Singer 2011), in PyTorch's form. With
    ``g = grad + weight_decay * p`` and ``t`` the step, counting from 1::

        lr_t = lr / (1 + (t - 1) lr_decay)
        s = s + g^2                           (s starts at initial_accumulator_value)
        p = p - lr_t g / (sqrt(s) + eps)

    >>> import numpy as np
    >>> from chainrule import optim
    >>> opt = optim.AdaGrad(0.5)
    >>> p, state = opt.update(np.array([1.0]), np.array([2.0]), opt.init(np.array([1.0])))
    >>> p                                         # 1 - 0.5 * 2 / 2
    array([0.5])
    """

    packed = True                     # entry by entry: small arrays updated together

    def __init__(self, lr: LearningRate = 1e-2, lr_decay: float = 0.0, eps: float = 1e-10,
                 initial_accumulator_value: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.lr_decay = check_number("AdaGrad", "lr_decay", lr_decay)
        self.eps = check_number("AdaGrad", "eps", eps)
        self.initial_accumulator_value = check_number("AdaGrad", "initial_accumulator_value",
                                                      initial_accumulator_value)

    def _args(self) -> dict:
        return {"lr": self.lr, "lr_decay": self.lr_decay, "eps": self.eps,
                "initial_accumulator_value": self.initial_accumulator_value,
                "weight_decay": self.weight_decay}

    def slots(self) -> tuple:
        return ("sum",)

    def initial_value(self, slot: str) -> float:
        return self.initial_accumulator_value

    def _apply(self, params, grads, buffers, t, lr):
        clr = lr / (1.0 + (t - 1) * self.lr_decay)
        new_p, new_s = [], []
        for p, g, s in zip(params, grads, buffers["sum"]):
            g = self._decayed(p, g)
            s1 = g * g
            s1 += s
            d = np.sqrt(s1)
            d += self.eps
            np.divide(g, d, out=d)
            d *= clr
            new_p.append(p - d)
            new_s.append(s1)
        return new_p, {"sum": new_s}


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSProp, "adagrad": AdaGrad}
"""Every optimiser class by lower-case name."""


def get_optimizer(name: str, **kwargs) -> Optimizer:
    """The optimiser called ``name`` (``"sgd"``, ``"adam"``, ``"rmsprop"``,
    ``"adagrad"``), built with ``kwargs``.

    >>> from chainrule import optim
    >>> optim.get_optimizer("adam", lr=0.01)
    Adam(lr=0.01, b1=0.9, b2=0.999, eps=1e-08, weight_decay=0.0)
    """
    return by_name(OPTIMIZERS, name, "chainrule.optim.get_optimizer", "optimiser")(**kwargs)
