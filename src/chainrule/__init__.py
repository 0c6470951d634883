"""chainrule: exact derivatives of ordinary NumPy code, forward and reverse mode, any order.

>>> import chainrule as cr, chainrule.numpy as cnp
>>> f = lambda x1, x2: cnp.log(x1) + x1 * x2 - cnp.sin(x2)
>>> [round(float(g), 3) for g in cr.grad(f, argnums=(0, 1))(2.0, 5.0)]
[5.5, 1.716]
"""
from .core import config
from .core.errors import NoDerivativeRuleError, TracedNumpyError, DebugNaNError
from .tree import tree_flatten, tree_unflatten, tree_map, tree_leaves
from . import numpy  # noqa: F401  (installs the array interface of traced values)
from .transforms import (grad, value_and_grad, vjp, jvp, jacfwd, jacrev, jacobian, hessian,
                         hvp, stop_gradient, checkpoint, custom_vjp, custom_jvp)
from .check import numerical_grad, check_grads

__version__ = "0.1.0"

# What loads on first use, so that `import chainrule` stays as light as the core:
# functions of the teaching tools, and the sub-packages for networks and training.
_LAZY_FUNCTIONS = {"explain": "explainer", "graph": "explainer"}
_LAZY_MODULES = ("nn", "optim", "train", "data")


def __getattr__(name: str):
    import importlib
    if name in _LAZY_FUNCTIONS:
        value = getattr(importlib.import_module(f".{_LAZY_FUNCTIONS[name]}", __name__), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "jacobian", "hessian",
           "hvp", "stop_gradient", "checkpoint", "custom_vjp", "custom_jvp",
           "numerical_grad", "check_grads", "explain", "graph", "tree_flatten",
           "tree_unflatten", "tree_map", "tree_leaves", "config", "NoDerivativeRuleError",
           "TracedNumpyError", "DebugNaNError"]
