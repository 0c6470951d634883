"""The optimiser protocol and what every optimiser shares: checking, learning rates,
weight decay.

An optimiser is functional (optax's shape)::

    state = opt.init(params)
    params, state = opt.update(params, grads, state)

``params`` and ``grads`` are pytrees of the same structure (nested list / tuple / dict of
arrays, or a bare array); the returned params have that structure again. Nothing handed
in is modified: every update returns new arrays. ``state`` is a dict: ``"step"`` (the
number of updates made so far) and, per buffer of the optimiser (Adam's ``"m"`` and
``"v"``, ...), a sequence with one array per parameter array, in the order of
``cr.tree_leaves(params)`` (``cr.tree_unflatten`` gives it the structure of the params).
Built-in optimisers keep those buffers packed (:mod:`chainrule.optim.layout`): small
arrays share one flat buffer, so that one NumPy call updates all of them. Every
``SUBNORMAL_SWEEP`` steps, buffer entries below the smallest normal float are set to zero
(see there why).
"""
from __future__ import annotations

import math
from operator import is_
from typing import Any, Callable, Union

import numpy as np

from ..tree import tree_flatten, tree_leaves_like, tree_unflatten
from .layout import Layout, LeafBuffers, layout_of, shape_and_dtype

LearningRate = Union[float, Callable[[int], float]]


def check_number(where: str, arg: str, v, lo: float = 0.0, hi: float = math.inf, *,
                 open_hi: bool = False) -> float:
    """``v`` as a float in ``[lo, hi]`` (``[lo, hi)`` with ``open_hi``), else a clear error."""
    ok = isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)
    if ok:
        v = float(v)
        ok = math.isfinite(v) and lo <= v and (v < hi if open_hi else v <= hi)
    if not ok:
        rng = f"[{lo:g}, {hi:g}{')' if open_hi else ']'}" if hi != math.inf else f">= {lo:g}"
        raise ValueError(f"{where}: {arg} must be a number {rng}, got {v!r}")
    return v


def _paths(tree) -> list:
    """A readable path to every leaf (``[0]['W']``), in flattening order."""
    out = []

    def walk(t, path):
        if type(t) in (list, tuple) or (isinstance(t, tuple) and hasattr(t, "_fields")):
            for i, c in enumerate(t):
                walk(c, f"{path}[{i}]")
        elif type(t) is dict:
            for k in sorted(t):
                walk(t[k], f"{path}[{k!r}]")
        elif t is not None:
            out.append(path or "(the array)")
    walk(tree, "")
    return out


SUBNORMAL_SWEEP = 64
"""Every this many steps, state entries too small to be normal floats are set to zero.

A buffer that decays geometrically (Adam's ``m`` of a weight whose gradient stays exactly
zero, a dead ReLU unit's) falls below the smallest normal float (1.2e-38 in float32) and
stays there: rounding holds ``0.9 * m`` at a few units of the last place instead of
reaching zero. Arithmetic on such subnormal numbers is many times slower on x86 CPUs,
and NumPy cannot switch on the CPU's flush-to-zero mode. Measured on the digits MLP
(64-128-128-10, Adam, float32): from epoch 25 about 1,700 of the 26,122 entries of ``m``
were subnormal and an epoch took 10.9 ms instead of 7.5 ms. Setting them to zero is what
a CPU in flush-to-zero mode does: it moves a parameter by at most ``lr * 1.2e-38 / eps``
per step (about 1e-33 for Adam's defaults), below the last place of any weight not itself
that small, and costs one pass over the state every SUBNORMAL_SWEEP steps (17 us for that
MLP)."""


def _without_subnormals(a):
    """``a``, or a copy of it with its subnormal entries set to zero."""
    if a.dtype.kind != "f":
        return a
    small = np.abs(a) < np.finfo(a.dtype).tiny
    return np.where(small, a.dtype.type(0), a) if small.any() else a


_OWNED: dict = {}


_ARRAYS = {np.ndarray}


def _takes_owned(cls) -> bool:
    """Whether ``cls._apply`` accepts ``owned=``: a pair of flags per array, True where the
    params (first) or grads (second) array is the update's own packed copy, which it may
    overwrite (results written there need no fresh memory). Looked up once per class."""
    v = _OWNED.get(cls)
    if v is None:
        import inspect
        v = _OWNED[cls] = "owned" in inspect.signature(cls._apply).parameters
    return v


class Optimizer:
    """Base class. Subclasses name their per-parameter buffers in :meth:`slots` and write
    :meth:`_apply`, the update of plain arrays; checking, schedules and weight decay come
    from here.

    >>> import numpy as np
    >>> from chainrule import optim
    >>> class SignSGD(optim.Optimizer):
    ...     def _apply(self, params, grads, buffers, t, lr):
    ...         return [p - lr * np.sign(g) for p, g in zip(params, grads)], {}
    >>> opt = SignSGD(0.5)
    >>> opt.update(np.array([1.0, 2.0]), np.array([3.0, -0.1]), opt.init(np.zeros(2)))
    (array([0.5, 2.5]), {'step': 1})
    """

    packed = False
    """True for updates that act entry by entry (every built-in one): small parameter
    arrays are then updated together, packed into one flat buffer (see
    :mod:`chainrule.optim.layout`). An update that needs each array's shape (a per-matrix
    norm, say) leaves it False and gets one array per parameter leaf (0-d leaves as shape
    ``(1,)``)."""

    def __init__(self, lr: LearningRate, weight_decay: float = 0.0) -> None:
        name = type(self).__name__
        if callable(lr):
            self.lr = lr
        else:
            self.lr = check_number(name, "lr (the learning rate, or a schedule: a callable "
                                   "step -> lr)", lr)
        self.weight_decay = check_number(name, "weight_decay", weight_decay)

    # --- what subclasses provide --------------------------------------------------
    def slots(self) -> tuple:
        """Names of the per-parameter buffers kept in the state (zeros at ``init``)."""
        return ()

    def _args(self) -> dict:
        return {"lr": self.lr, "weight_decay": self.weight_decay}

    def _apply(self, params: list, grads: list, buffers: dict, t: int, lr: float):
        """One update of the arrays: returns ``(new params, new buffers)``; ``t`` counts
        from 1. Must not modify its inputs. The arrays are the parameter leaves (0-d ones
        as shape ``(1,)``), or with ``packed`` the layout's groups of them; ``buffers``
        maps each slot to its arrays, in the same order. An ``_apply`` that declares a
        keyword ``owned`` also gets one pair of flags per array, ``(params own, grads
        own)``: where a flag is True, that params or grads array is the update's own
        packed copy and may be overwritten (Adam writes its results there instead of
        into fresh memory)."""
        raise NotImplementedError

    # --- the protocol ---------------------------------------------------------------
    def initial_value(self, slot: str) -> float:
        """The value every entry of buffer ``slot`` starts from (0 unless overridden)."""
        return 0.0

    def init(self, params: Any) -> dict:
        """The state before the first update: ``{"step": 0, <buffer>: [an array like each
        parameter array, all initial_value(buffer)]}``."""
        leaves = tree_flatten(params)[0]
        leaves = self._check_params(leaves, params, "init")
        layout = layout_of(leaves, self.packed)
        state: dict = {"step": 0}
        for s in self.slots():
            arrays = layout.zeros()
            v = self.initial_value(s)
            if v:
                for a in arrays:
                    a += v
            state[s] = LeafBuffers(layout, arrays)
        return state

    def update(self, params: Any, grads: Any, state: dict):
        """``(new params, new state)`` after one step along ``grads``; inputs unchanged."""
        p_leaves, tree = tree_flatten(params)
        try:
            g_leaves = tree_leaves_like(tree, grads)
        except ValueError:
            raise ValueError(f"{type(self).__name__}.update: grads have the structure "
                             f"{tree_flatten(grads)[1]!r} but params have {tree!r}; pass the "
                             f"gradient of the loss with respect to these params "
                             f"(cr.grad(loss)(params, ...))") from None
        # One quick pass (C-level loops: arrays only, and the same shapes and dtypes);
        # the careful checks, which name the culprit, only when it finds something to
        # convert or to complain about.
        sig = None
        if _ARRAYS >= set(map(type, p_leaves)) | set(map(type, g_leaves)) and p_leaves:
            sig = tuple(map(shape_and_dtype, p_leaves))
            if tuple(map(shape_and_dtype, g_leaves)) != sig:
                sig = None
        layout = layout_of(p_leaves, self.packed, sig) if sig is not None else None
        if layout is None or not layout.floating:
            p_leaves = self._check_params(p_leaves, params, "update")
            g_leaves = self._check_grads(p_leaves, g_leaves, params)
            layout = layout_of(p_leaves, self.packed)
        step, buffers, made = self._read_state(state, p_leaves, layout)
        # The params an update returned come back as views into its packed arrays; when
        # p_leaves are exactly those views (the usual training loop) the arrays are read
        # as they are: the same numbers with no copy, but not ours to overwrite.
        fed_back = made is not None and all(map(is_, layout.packed_leaves(p_leaves),
                                                  made[1]))
        p_arrays = layout.pack(p_leaves, made[0] if fed_back else None)
        g_arrays = layout.pack(g_leaves)
        lr = self._lr_at(step)
        if _takes_owned(type(self)):
            new_p, new_buf = self._apply(p_arrays, g_arrays, buffers, step + 1, lr,
                                         owned=layout.owned_pairs[not fed_back])
        else:
            new_p, new_buf = self._apply(p_arrays, g_arrays, buffers, step + 1, lr)
        if (step + 1) % SUBNORMAL_SWEEP == 0:
            new_buf = {s: [_without_subnormals(a) for a in arrays]
                       for s, arrays in new_buf.items()}
        new_state = {"step": step + 1}
        out = layout.unpack(new_p)
        # kept with the new state: the packed arrays only (a state must not keep a
        # large parameter array alive; those are never copied anyway)
        kept = None if layout.packed_leaves is None else \
            (layout.packed_groups(new_p), layout.packed_leaves(out))
        for s, arrays in new_buf.items():
            new_state[s] = LeafBuffers(layout, arrays, kept)
        return tree_unflatten(tree, out), new_state

    # --- helpers --------------------------------------------------------------------
    def _check_params(self, leaves: list, params, where: str) -> list:
        name = type(self).__name__
        if not leaves:
            raise ValueError(f"{name}.{where}: params hold no arrays")
        leaves = list(leaves)
        for k, p in enumerate(leaves):
            if type(p) is not np.ndarray:
                leaves[k] = p = np.asarray(p)
            if p.dtype.kind != "f":
                raise TypeError(f"{name}.{where}: parameter {_paths(params)[k]} has dtype "
                                f"{p.dtype}; parameters must be floating-point arrays")
        return leaves

    def _check_grads(self, p_leaves: list, g_leaves: list, params) -> list:
        name = type(self).__name__
        g_leaves = list(g_leaves)
        for k, (p, g) in enumerate(zip(p_leaves, g_leaves)):
            if type(g) is not np.ndarray:
                g_leaves[k] = g = np.asarray(g)
            if g.shape != p.shape:
                raise ValueError(f"{name}.update: the gradient of {_paths(params)[k]} has "
                                 f"shape {g.shape} but the parameter has shape {p.shape}")
            if g.dtype is not p.dtype:
                if g.dtype.kind not in "fiu":
                    raise TypeError(f"{name}.update: the gradient of {_paths(params)[k]} "
                                    f"has dtype {g.dtype}; expected floating point")
                g_leaves[k] = g.astype(p.dtype)     # float32 params stay float32
        return g_leaves

    def _read_state(self, state, p_leaves: list, layout: Layout):
        """``(step, {buffer: its update arrays}, made)`` from a checked ``state``; ``made``
        is ``(update arrays, leaves)`` of the params returned with it, or None."""
        slots = self.slots()
        if type(state) is not dict or "step" not in state \
                or not all(map(state.__contains__, slots)):
            name = type(self).__name__
            want = ", ".join(["'step'"] + [repr(s) for s in slots])
            raise ValueError(f"{name}.update: state must be the dict made by {name}.init "
                             f"(keys {want}), got {type(state).__name__}"
                             + (f" with keys {sorted(state)}" if isinstance(state, dict)
                                else ""))
        step = state["step"]
        if type(step) is not int and (isinstance(step, bool)
                                      or not isinstance(step, (int, np.integer))) or step < 0:
            raise ValueError(f"{type(self).__name__}.update: state['step'] must be a count "
                             f">= 0, got {step!r}")
        buffers = {}
        made = None
        n = len(p_leaves)
        for s in slots:
            leaves = state[s]
            if type(leaves) is LeafBuffers and leaves.layout is layout:
                buffers[s] = leaves.arrays          # made by init / update for these params
                if made is None:
                    made = leaves.params
                continue
            # anything else (a list of arrays, a state made for other params): check it
            # leaf by leaf, then pack it
            if not isinstance(leaves, (list, tuple, LeafBuffers)) or len(leaves) != n:
                name = type(self).__name__
                raise ValueError(f"{name}.update: state[{s!r}] must be a list of {n} arrays, "
                                 f"one per parameter array (as made by {name}.init for "
                                 f"these params)")
            buffers[s] = layout.pack(self._check_buffers(s, list(leaves), p_leaves))
        return int(step), buffers, made

    def _check_buffers(self, s: str, leaves: list, p_leaves: list) -> list:
        for k, (b, p) in enumerate(zip(leaves, p_leaves)):
            b = np.asarray(b)
            if b.shape != p.shape:
                raise ValueError(f"{type(self).__name__}.update: state[{s!r}][{k}] has shape "
                                 f"{b.shape} but parameter array {k} has shape {p.shape}; was "
                                 f"the state made by init for other params?")
            leaves[k] = b.astype(p.dtype, copy=False)
        return leaves

    def _lr_at(self, step: int) -> float:
        lr = self.lr
        if not callable(lr):
            return lr
        value = lr(step)
        return check_number(f"{type(self).__name__}: the learning-rate schedule {lr!r} at "
                            f"step {step}", "its value", value)

    def _decayed(self, p, g):
        """L2 weight decay folded into the gradient (PyTorch's ``weight_decay``)."""
        wd = self.weight_decay
        return g + wd * p if wd else g

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._args().items())})"
