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


def __getattr__(name: str):
    # chainrule.nn and chainrule.optim load on first use (cr.nn, from chainrule import nn)
    if name in ("nn", "optim"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "jacobian", "hessian",
           "hvp", "stop_gradient", "checkpoint", "custom_vjp", "custom_jvp",
           "numerical_grad", "check_grads", "tree_flatten", "tree_unflatten", "tree_map",
           "tree_leaves", "config", "NoDerivativeRuleError", "TracedNumpyError",
           "DebugNaNError"]
