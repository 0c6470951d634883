"""Forward mode: every traced value carries its tangent along.

A :class:`ForwardTracer` pairs a primal with its tangent (which may carry leading batch
axes: a stack of directions pushed through at once). Nothing is stored: memory does not
grow with the depth of the computation.
"""
from __future__ import annotations

from .config import config
from .errors import NoDerivativeRuleError
from .tracer import Tracer


class ForwardTracer(Tracer):
    """A value with a tangent, for one forward-mode trace."""

    __slots__ = ("_tangent",)

    def __init__(self, primal, trace: "ForwardTrace", tangent) -> None:
        self._primal = primal
        self._trace = trace
        self._level = trace.level
        self._tangent = tangent


_EMPTY: dict = {}


class ForwardTrace:
    """One forward-mode trace (one level). All its tangents carry the same leading
    ``batch`` axes (none for a single direction)."""

    __slots__ = ("level", "batch", "nb")

    def __init__(self, level: int, batch: tuple = ()) -> None:
        self.level = level
        self.batch = tuple(batch)
        self.nb = len(self.batch)

    def new_input(self, primal, tangent) -> ForwardTracer:
        return ForwardTracer(primal, self, tangent)

    def process2(self, prim, a, b):
        """``process(prim, (a, b), {})`` for two tracers of this trace."""
        return self.process(prim, (a, b), _EMPTY)

    def process(self, prim, args, kw):
        level = self.level
        vals = []
        tans = []
        lower = False
        for a in args:
            if isinstance(a, Tracer):
                if a._level == level:
                    v = a._primal
                    vals.append(v)
                    tans.append(a._tangent)
                    if isinstance(v, Tracer):
                        lower = True
                    continue
                lower = True
            vals.append(a)
            tans.append(None)
        out = prim.fn(*vals, **kw) if lower else prim.impl(*vals, **kw)
        if config.debug_nans:
            from .reverse import _check_nans
            _check_nans(prim, out, "output")
        nb = self.nb
        rules = prim.jvp_rules
        if rules is None:
            if prim.jvp_all is None:
                raise NoDerivativeRuleError(
                    f"primitive '{prim.name}' has no forward (JVP) derivative rule. Give "
                    f"the function that uses it its own rule with @chainrule.custom_jvp / "
                    f"@chainrule.custom_vjp, or register one on the primitive.")
            tout = prim.jvp_all(tans, out, *vals, **kw)
        else:
            tout = None
            align = nb and prim.elementwise
            pos = -1
            for t in tans:
                pos += 1
                if t is None:
                    continue
                rule = rules[pos]
                if rule is None:
                    continue
                x = vals[pos]
                if align and x.ndim < out.ndim:
                    # line the tangent's primal axes up with the output's trailing axes
                    t = t.reshape(self.batch + (1,) * (out.ndim - x.ndim) + x.shape)
                c = rule(t, out, *vals, **kw)
                if c is None:
                    continue
                if tout is None:
                    tout = c
                elif prim.n_out:                    # a tuple of tangents: add per output
                    tout = tuple(_add(u, v) for u, v in zip(tout, c))
                else:
                    tout = tout + c
            if tout is None:
                return out                          # no derivative flows: a constant
        if prim.n_out:
            return tuple(ForwardTracer(o, self, _fit(t, o, nb) if t is not None
                                       else _zero_tangent(o, self.batch))
                         for o, t in zip(out, tout))
        return ForwardTracer(out, self, _fit(tout, out, nb))


def _add(u, v):
    if u is None:
        return v
    if v is None:
        return u
    return u + v


def _zero_tangent(o, batch):
    import numpy as np
    return np.zeros(batch + o.shape, dtype=o.dtype if o.dtype.kind == "f" else np.float64)


def _fit(t, out, nb: int):
    """Broadcast a tangent to ``batch + out.shape`` (a constant operand may have widened
    the output) and keep the output's floating dtype."""
    shape = out.shape
    ts = t.shape
    want = ts[:nb] + shape if nb else shape
    if ts != want:
        from .. import numpy as cnp
        if len(ts) == len(want) or (len(ts) < len(want) and not nb):
            t = cnp.broadcast_to(t, want)
        else:                                       # batch axes, then 1s, then the rest
            core = ts[nb:]
            t = t.reshape(ts[:nb] + (1,) * (len(shape) - len(core)) + core)
            t = cnp.broadcast_to(t, want)
    dt = out.dtype
    if t.dtype != dt and dt.kind == "f":
        t = t.astype(dt)
    return t
