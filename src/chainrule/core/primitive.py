"""The primitive table.

A :class:`Primitive` is one NumPy-level operation together with its derivative rules,
registered in one place (``chainrule.numpy._*`` files, one per family):

* ``impl``: the plain NumPy implementation, used when no argument is traced;
* ``vjp_rules[i](g, ans, *args, **kw)``: the cotangent of argument ``i`` given the output
  cotangent ``g`` (reverse mode); ``None`` marks an argument that carries no derivative;
* ``jvp_rules[i](t, ans, *args, **kw)``: the output tangent contributed by the tangent
  ``t`` of argument ``i`` (forward mode); contributions of several arguments are summed.

Rules are written in the differentiable namespace (``cnp.cos``, operators), so each rule
can itself be traced: higher derivatives need no extra code.

Batching. Tangents and cotangents may carry leading *batch* axes in front of the primal
shape (a stack of directions: that is how Jacobians and Hessians are computed in one
pass). Rules are written to be batch-polymorphic (negative axes, ``...`` in einsum,
matmul on the last two axes); the traces sum a cotangent back to its argument's shape
(:func:`unbroadcast`) and broadcast tangents to the output's shape, centrally.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

from .errors import TracedNumpyError
from .tracer import Tracer

REGISTRY: dict[str, "Primitive"] = {}
"""Every registered primitive, by name (used by the coverage table and the tests)."""

_EMPTY: dict = {}


class Primitive:
    """One differentiable operation and its rules.

    >>> import numpy as np
    >>> from chainrule.core import Primitive, bind
    >>> cube = Primitive("cube_demo", lambda x: x ** 3,
    ...                  vjp_rules=[lambda g, ans, x: g * 3 * x ** 2],
    ...                  jvp_rules=[lambda t, ans, x: t * 3 * x ** 2], register=False)
    >>> float(bind(cube, (2.0,), {}))
    8.0
    """

    __slots__ = ("name", "impl", "fn", "vjp_rules", "jvp_rules", "vjp_all", "jvp_all",
                 "vjp_same", "elementwise", "n_out", "family", "__weakref__")

    def __init__(self, name: str, impl: Callable, vjp_rules: Optional[Sequence] = None,
                 jvp_rules: Optional[Sequence] = None, *, vjp_all: Callable = None,
                 jvp_all: Callable = None, elementwise: bool = False, n_out: int = 0,
                 family: str = "", register: bool = True) -> None:
        self.name = name
        self.impl = impl
        # How a trace calls this primitive one level down; the make_* wrappers replace it
        # with the public function (same behaviour, fewer steps).
        self.fn = lambda *args, **kw: bind(self, args, kw)
        self.vjp_rules = tuple(vjp_rules) if vjp_rules is not None else None
        self.jvp_rules = tuple(jvp_rules) if jvp_rules is not None else None
        self.vjp_all = vjp_all            # (g, ans, *args, **kw) -> tuple of cotangents
        # optional: the summed cotangent when both arguments are the same traced value
        # (x * x), one rule call and no accumulation instead of two
        self.vjp_same = None
        self.jvp_all = jvp_all            # (tangents, ans, *args, **kw) -> tangent
        self.elementwise = elementwise    # broadcasting elementwise op
        self.n_out = n_out                # 0: one output; k: a tuple of k outputs
        self.family = family
        if register:
            if name in REGISTRY:
                raise ValueError(f"primitive {name!r} is registered twice")
            REGISTRY[name] = self

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __call__(self, *args, **kw):
        return self.fn(*args, **kw)

    @property
    def has_vjp(self) -> bool:
        return self.vjp_all is not None or self.vjp_rules is not None

    @property
    def has_jvp(self) -> bool:
        return self.jvp_all is not None or self.jvp_rules is not None


def pass_through(g, ans, *args, **kw):
    """The rule of an argument with derivative 1 (``x`` in ``x + y``): the cotangent (or
    tangent) itself. The backward pass recognises it and skips the call."""
    return g


def bind(prim: Primitive, args: tuple, kw: dict):
    """Apply ``prim``: plain NumPy when nothing is traced, else the highest trace's rule."""
    top = None
    lv = 0
    for a in args:
        if isinstance(a, Tracer) and a._level > lv:
            top = a
            lv = a._level
    if top is None:
        return prim.impl(*args, **kw)
    return top._trace.process(prim, args, kw)


def top_tracer(values) -> Optional[Tracer]:
    """The tracer of the highest level among ``values`` (None when nothing is traced)."""
    top = None
    lv = 0
    for a in values:
        if isinstance(a, Tracer) and a._level > lv:
            top, lv = a, a._level
    return top


def primal_of(x):
    """Strip all tracing from ``x`` (a value, or a list/tuple of values)."""
    t = type(x)
    if t is list or t is tuple:
        return t(primal_of(v) for v in x)
    while isinstance(x, Tracer):
        x = x._primal
    return x


def make_unary(prim: Primitive, name: str = None, doc: str = None) -> Callable:
    """The public wrapper of a one-argument primitive: a type check, then NumPy."""
    impl = prim.impl

    def f(x, /):
        if isinstance(x, Tracer):
            return x._trace.process(prim, (x,), _EMPTY)
        try:
            return impl(x)
        except TracedNumpyError:                    # a list holding traced values
            return f(_as_array(x))

    f.__name__ = f.__qualname__ = name or prim.name
    f.__doc__ = doc
    prim.fn = f
    return f


def make_binary(prim: Primitive, name: str = None, doc: str = None) -> Callable:
    """The public wrapper of a two-argument primitive."""
    impl = prim.impl

    def f(x1, x2, /):
        try:
            if isinstance(x1, Tracer):
                if isinstance(x2, Tracer):
                    if x2._trace is x1._trace:
                        return x1._trace.process2(prim, x1, x2)
                    if x2._level > x1._level:
                        return x2._trace.process(prim, (x1, x2), _EMPTY)
                return x1._trace.process(prim, (x1, x2), _EMPTY)
            if isinstance(x2, Tracer):
                return x2._trace.process(prim, (x1, x2), _EMPTY)
            return impl(x1, x2)
        except TracedNumpyError:                    # a list holding traced values
            if isinstance(x1, (list, tuple)) or isinstance(x2, (list, tuple)):
                return f(_as_array(x1), _as_array(x2))
            raise

    f.__name__ = f.__qualname__ = name or prim.name
    f.__doc__ = doc
    prim.fn = f
    return f


def _as_array(x):
    """A list or tuple that holds traced values, as one traced array (array_like)."""
    if isinstance(x, (list, tuple)):
        from ..numpy import asarray
        return asarray(x)
    return x
