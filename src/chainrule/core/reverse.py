"""Reverse mode: the tape and the backward pass.

A :class:`ReverseTrace` records one tape entry per primitive applied to its tracers:
``(primitive, argument primals, keyword options, output primal, parent indices)``.
Recording order is already a topological order, so the backward pass is one loop over
the tape from the end: no recursion (a million-step chain is fine), no sort. Each
cotangent is released as soon as it has been pushed to the entry's parents, and with
``consume=True`` each entry is dropped once used, so memory falls during the pass.
"""
from __future__ import annotations

import numpy as np

from .config import config
from .errors import DebugNaNError, NoDerivativeRuleError
from .primitive import pass_through
from .tracer import Tracer

_EMPTY: dict = {}

_new = object.__new__
_add_reduce = np.add.reduce

class _Projection:
    """Marks the tape entry of one output of a multi-output primitive (eigh, svd, ...).
    Its ``n_out`` is true, so the backward pass tests it only where multi-output entries
    are handled."""

    __slots__ = ()
    name = "project"
    n_out = -1

    def __repr__(self) -> str:
        return "<projection>"


_PROJECT = _Projection()


class ReverseTracer(Tracer):
    """A value recorded on a reverse-mode tape; ``_idx`` is its tape entry."""

    __slots__ = ("_idx",)

    def __init__(self, primal, trace: "ReverseTrace", idx: int) -> None:
        self._primal = primal
        self._trace = trace
        self._level = trace.level
        self._idx = idx


class ReverseTrace:
    """One reverse-mode trace (one level): the tape of everything computed from its inputs."""

    __slots__ = ("level", "tape", "mixed")

    def __init__(self, level: int) -> None:
        self.level = level
        self.tape: list = []
        # True once a tracer of a lower level has been seen (as an input's primal or as an
        # argument). Until then every primal on this tape is a plain array, so primitives
        # can call NumPy directly without checking each value.
        self.mixed = False

    def new_input(self, primal) -> ReverseTracer:
        if isinstance(primal, Tracer):
            self.mixed = True
        tape = self.tape
        tape.append(None)                           # an input: nothing to pull back
        t = _new(ReverseTracer)
        t._primal = primal
        t._trace = self
        t._level = self.level
        t._idx = len(tape) - 1
        return t

    def new_inputs(self, primals, plain: bool = False) -> list:
        """One input tracer per primal (``new_input`` in a loop, without a call each);
        ``plain``: the caller knows that no primal is a tracer."""
        tape = self.tape
        level = self.level
        if not plain:
            for primal in primals:
                if isinstance(primal, Tracer):
                    self.mixed = True
        out = []
        start = len(tape)
        tape.extend([None] * len(primals))          # inputs: nothing to pull back
        for idx, primal in enumerate(primals, start):
            t = _new(ReverseTracer)
            t._primal = primal
            t._trace = self
            t._level = level
            t._idx = idx
            out.append(t)
        return out

    def process(self, prim, args, kw):
        level = self.level
        n = len(args)
        if n == 1:                                  # the only (and so the top) tracer
            a = args[0]
            vals = (a._primal,)
            parents = (a._idx,)
        elif n == 2:                                # binary ops: no lists, no loop
            a, b = args
            if isinstance(a, Tracer):
                if a._level == level:
                    va, pa = a._primal, a._idx
                else:
                    va, pa = a, -1
                    self.mixed = True
            else:
                va, pa = a, -1
            if isinstance(b, Tracer):
                if b._level == level:
                    vb, pb = b._primal, b._idx
                else:
                    vb, pb = b, -1
                    self.mixed = True
            else:
                vb, pb = b, -1
            vals = (va, vb)
            parents = (pa, pb)
        else:
            vals = []
            parents = []
            for a in args:
                if isinstance(a, Tracer):
                    if a._level == level:
                        vals.append(a._primal)
                        parents.append(a._idx)
                        continue
                    self.mixed = True
                vals.append(a)
                parents.append(-1)
        # With nothing traced below this level (self.mixed false), call NumPy directly
        # (skips one dispatch).
        if kw:
            out = prim.fn(*vals, **kw) if self.mixed else prim.impl(*vals, **kw)
        else:
            out = prim.fn(*vals) if self.mixed else prim.impl(*vals)
        if config.debug_nans:
            _check_nans(prim, out, "output")
        tape = self.tape
        idx = len(tape)
        tape.append((prim, vals, kw, out, parents))
        if prim.n_out:
            return self._outputs(prim, idx, out)
        # the hot path: build the tracer without a Python-level __init__ frame
        t = _new(ReverseTracer)
        t._primal = out
        t._trace = self
        t._level = level
        t._idx = idx
        return t

    def process2(self, prim, a, b):
        """``process(prim, (a, b), {})`` for two tracers of this trace (``h @ W``, ``z + b``
        inside a network): the wrappers have already checked them, so nothing is
        checked again."""
        va, vb = a._primal, b._primal
        out = prim.fn(va, vb) if self.mixed else prim.impl(va, vb)
        if config.debug_nans:
            _check_nans(prim, out, "output")
        tape = self.tape
        idx = len(tape)
        tape.append((prim, (va, vb), _EMPTY, out, (a._idx, b._idx)))
        if prim.n_out:
            return self._outputs(prim, idx, out)
        t = _new(ReverseTracer)
        t._primal = out
        t._trace = self
        t._level = self.level
        t._idx = idx
        return t

    def _outputs(self, prim, idx: int, out) -> tuple:
        """The tracers of a multi-output primitive recorded at ``idx``: one projection
        entry per output."""
        tape = self.tape
        tracers = []
        for j, o in enumerate(out):
            tape.append((_PROJECT, j, prim.n_out, o, (idx,)))
            tracers.append(ReverseTracer(o, self, idx + 1 + j))
        return tuple(tracers)

    def record(self, prim, vals, kw, out, parents):
        """Record an entry computed elsewhere (custom rules, checkpoint)."""
        self.mixed = True                           # the outputs may hold lower tracers
        tape = self.tape
        idx = len(tape)
        tape.append((prim, tuple(vals), kw, out, tuple(parents)))
        if prim.n_out:
            return self._outputs(prim, idx, out)
        return ReverseTracer(out, self, idx)


_ONES: dict = {}


def _ones(n: int, dtype) -> np.ndarray:
    """A cached read-only vector of n ones (the row sums of a bias gradient)."""
    v = _ONES.get((n, dtype))
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = _ONES[(n, dtype)] = np.ones(n, dtype=dtype)
        v.setflags(write=False)
    return v


def unbroadcast(c, target, batch: tuple):
    """Sum (or broadcast) cotangent ``c`` to ``batch + target.shape``: the one place where
    broadcasting is undone."""
    full = batch + target.shape
    cs = c.shape
    if cs == full:
        return c
    if len(cs) == 2 and cs[1:] == full and not batch and type(c) is np.ndarray \
            and c.dtype.kind == "f" and c.flags.c_contiguous:
        # the common case, a bias added to every row: the column sums by one BLAS call
        # (about twice as fast as NumPy's reduce)
        return _ones(cs[0], c.dtype) @ c
    nb = len(batch)
    lead = len(cs) - len(full)
    if lead > 0 and not nb and type(c) is np.ndarray and cs[lead:] == full:
        return _add_reduce(c, axis=0 if lead == 1 else tuple(range(lead)))
    lead_axes = tuple(range(nb, nb + lead)) if lead > 0 else ()
    if lead < 0:
        ones = ()
    else:
        ones = tuple(i for i in range(nb, len(full)) if full[i] == 1 and cs[i + lead] != 1)
    if isinstance(c, np.ndarray):
        # plain arrays (the common case): NumPy's reductions directly, no dispatch
        if lead_axes:
            c = c.sum(axis=lead_axes)
        if ones:
            c = c.sum(axis=ones, keepdims=True)
        if c.shape != full:
            c = np.broadcast_to(c, full)
        return c
    from .. import numpy as cnp                     # traced: stay differentiable
    if lead_axes:
        c = cnp.sum(c, axis=lead_axes)
    if ones:
        c = cnp.sum(c, axis=ones, keepdims=True)
    if c.shape != full:
        c = cnp.broadcast_to(c, full)
    return c


def backward(tape: list, seeds, consume: bool, batch: tuple = (), observe=None,
             stop: int = 0) -> list:
    """Walk ``tape`` from the end, starting from ``seeds`` (pairs ``(index, cotangent)``).

    Every cotangent carries the same leading ``batch`` axes as the seeds. Returns the list
    of cotangents: entries of inputs keep theirs, all others are released once used.
    Entries below ``stop`` are known to be inputs (nothing to pull back) and are skipped.

    ``observe(i, pos, p, c, total)``, when given, is called for every contribution as it
    is accumulated: entry ``i`` pushes cotangent ``c`` to its argument ``pos`` (``-2``
    for both arguments of ``x * x`` at once), tape entry ``p``, whose cotangent is now
    ``total``. The adjoint tables of :mod:`chainrule.explainer` are read this way.
    """
    n = len(tape)
    ct = [None] * n
    for i, g in seeds:
        old = ct[i]
        ct[i] = g if old is None else old + g
    debug = config.debug_nans
    slow = debug or observe is not None             # NaN checks or an observer: _report
    for i in range(n - 1, stop - 1, -1):
        g = ct[i]
        if g is None:
            continue
        entry = tape[i]
        if entry is None:                           # an input: keep its cotangent
            continue
        ct[i] = None
        if consume:
            tape[i] = None
        prim, vals, kw, out, parents = entry
        if prim.n_out:
            if prim is _PROJECT:                    # one output of a multi-output op
                p = parents[0]
                slots = ct[p]
                if slots is None:
                    slots = ct[p] = [None] * kw
                slots[vals] = g if slots[vals] is None else slots[vals] + g
                continue
            g = _fill_zeros(g, out, batch)
        rules = prim.vjp_rules
        nargs = len(parents)
        # (``batch + x.shape`` is x.shape itself when there is no batch: no new tuple)
        if nargs == 1 and rules is not None and rules[0] is not None:   # unary, unrolled
            x = vals[0]
            c = rules[0](g, out, x, **kw) if kw else rules[0](g, out, x)
            if c.shape != batch + x.shape:
                c = unbroadcast(c, x, batch)
            if c.dtype is not x.dtype:              # builtin dtypes are singletons
                c = _cast(c, x)
            p = parents[0]
            old = ct[p]
            ct[p] = c if old is None else old + c
            if slow:
                _report(debug, observe, prim, i, 0, p, c, ct[p])
            continue
        if nargs == 2 and rules is not None:        # binary, unrolled
            pa, pb = parents
            xa, xb = vals
            if pa == pb and pa >= 0 and prim.vjp_same is not None:
                c = prim.vjp_same(g, out, xa, xb)   # x * x: one rule for both arguments
                if c.shape != batch + xa.shape:
                    c = unbroadcast(c, xa, batch)
                if c.dtype is not xa.dtype:
                    c = _cast(c, xa)
                old = ct[pa]
                ct[pa] = c if old is None else old + c
                if slow:
                    _report(debug, observe, prim, i, -2, pa, c, ct[pa])
                continue
            rule = rules[0]
            if pa >= 0 and rule is not None:
                if rule is pass_through:
                    c = g
                else:
                    c = rule(g, out, xa, xb, **kw) if kw else rule(g, out, xa, xb)
                if c.shape != batch + xa.shape:
                    c = unbroadcast(c, xa, batch)
                if c.dtype is not xa.dtype:
                    c = _cast(c, xa)
                old = ct[pa]
                ct[pa] = c if old is None else old + c
                if slow:
                    _report(debug, observe, prim, i, 0, pa, c, ct[pa])
            rule = rules[1]
            if pb >= 0 and rule is not None:
                if rule is pass_through:
                    c = g
                else:
                    c = rule(g, out, xa, xb, **kw) if kw else rule(g, out, xa, xb)
                if c.shape != batch + xb.shape:
                    c = unbroadcast(c, xb, batch)
                if c.dtype is not xb.dtype:
                    c = _cast(c, xb)
                old = ct[pb]
                ct[pb] = c if old is None else old + c
                if slow:
                    _report(debug, observe, prim, i, 1, pb, c, ct[pb])
            continue
        if rules is None:
            if prim.vjp_all is None:
                raise NoDerivativeRuleError(_missing(prim, "reverse (VJP)"))
            allc = prim.vjp_all(g, out, *vals, **kw) if kw else prim.vjp_all(g, out, *vals)
        pos = -1
        for p in parents:
            pos += 1
            if p < 0:
                continue
            if rules is None:
                c = allc[pos]
                if c is None:
                    continue
            else:
                rule = rules[pos]
                if rule is None:
                    continue
                c = rule(g, out, *vals, **kw) if kw else rule(g, out, *vals)
            x = vals[pos]
            if c.shape != batch + x.shape:
                c = unbroadcast(c, x, batch)
            if c.dtype is not x.dtype:              # builtin dtypes are singletons
                c = _cast(c, x)
            old = ct[p]
            ct[p] = c if old is None else old + c
            if slow:
                _report(debug, observe, prim, i, pos, p, c, ct[p])
    return ct


def _report(debug: bool, observe, prim, i: int, pos: int, p: int, c, total) -> None:
    """The slow extras of one contribution: the NaN check, then the observer."""
    if debug:
        what = "arguments 0 and 1" if pos == -2 else f"argument {pos}"
        _check_nans(prim, c, f"cotangent of {what}")
    if observe is not None:
        observe(i, pos, p, c, total)


def _cast(c, x):
    """Keep a cotangent in its primal's floating dtype: a rule's float64 constant must not
    turn a float32 backward pass into a float64 one (slower, and not what came in)."""
    dt = x.dtype
    if dt.kind == "f" and c.dtype.kind == "f" and c.dtype != dt:
        return c.astype(dt)
    return c


def _fill_zeros(gs, outs, batch):
    """Cotangents of a multi-output primitive: zeros for the outputs nobody used."""
    import numpy as np
    return tuple(g if g is not None else np.zeros(batch + o.shape, dtype=o.dtype)
                 for g, o in zip(gs, outs))


def _missing(prim, mode: str) -> str:
    return (f"primitive '{prim.name}' has no {mode} derivative rule. Give the "
            f"function that uses it its own rule with @chainrule.custom_vjp / "
            f"@chainrule.custom_jvp, or register one on the primitive.")


def _check_nans(prim, value, what: str) -> None:
    from .tracer import primal_value
    import numpy as np
    v = primal_value(value)
    vs = v if isinstance(v, tuple) else (v,)
    for x in vs:
        x = primal_value(x)
        if np.issubdtype(np.asarray(x).dtype, np.inexact) and np.isnan(x).any():
            raise DebugNaNError(f"debug_nans: NaN in the {what} of primitive "
                                f"'{prim.name}'")
