"""The core: traced values, trace levels, the primitive table, reverse and forward passes.

Nothing here knows about networks, plotting or the user-facing transforms; the
differentiable NumPy namespace (``chainrule.numpy``) registers primitives into
:mod:`chainrule.core.primitive`, and :mod:`chainrule.transforms` drives the traces.
"""
from .config import config
from .errors import NoDerivativeRuleError, TracedNumpyError, DebugNaNError
from .primitive import Primitive, bind, primal_of, REGISTRY
from .tracer import Tracer, new_level
from .reverse import ReverseTrace, ReverseTracer
from .forward import ForwardTrace, ForwardTracer

__all__ = ["config", "Primitive", "bind", "primal_of", "REGISTRY", "Tracer", "new_level",
           "ReverseTrace", "ReverseTracer", "ForwardTrace", "ForwardTracer",
           "NoDerivativeRuleError", "TracedNumpyError", "DebugNaNError"]
