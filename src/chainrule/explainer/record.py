"""One run of the user's function under the core's own traces, kept for display.

The function runs once, on tracers of two nested levels: a forward-mode trace (outer
level) whose tangents carry one leading batch axis, one entry per seeded direction, and a
reverse-mode trace (inner level) whose tape gets one entry per primitive. Each tape entry
is then a row of the evaluation trace: its primitive, its arguments, its value, and (read
off the forward tracer it produced) its tangent under every seed. The adjoints come from
the core's own backward pass over that tape (:func:`chainrule.core.reverse.backward`),
which reports each contribution as it accumulates it. Nothing here differentiates
anything: the rules are the primitives' own, applied by the core.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np

from ..core.forward import ForwardTrace, ForwardTracer
from ..core.reverse import _PROJECT, ReverseTrace, backward
from ..core.tracer import Tracer, gc_paused, new_level, primal_value
from ..transforms import _arg_names, _fname, _Inputs
from ..tree import TreeDef, tree_flatten, tree_map


@dataclass(eq=False)
class Node:
    """One value of the trace: an input, or the output of one primitive."""

    index: int                      # the textbook number: inputs 1-n .. 0, then 1, 2, ...
    kind: str                       # "input" or "op"
    op: str                         # the primitive's name ("log"); inputs: their name ("x1")
    args: list                      # per argument: a Node, or ("const", value)
    kw: dict
    value: Any                      # the primal (an ndarray, or a tuple for multi-output)
    tangent: Any                    # batch (one row per seed) + value.shape, or None
    out_index: Optional[int] = None  # for one output of a multi-output primitive
    adjoint: Any = None             # the final v̄ (after every contribution), or None
    prim: Any = None

    @property
    def name(self) -> str:
        return f"v{self.index}"


@dataclass(eq=False)
class Step:
    """One accumulation of the backward pass: ``target`` += ``source``'s contribution."""

    target: Node                    # the argument receiving the cotangent (v_j)
    source: Node                    # the node whose adjoint is pushed back (v_i)
    pos: int                        # which argument of source (-2: both, as in x * x)
    contribution: Any               # v̄_i ∂v_i/∂v_j
    total: Any                      # v̄_j after this step
    first: bool                     # the first contribution to target (no "v̄_j +" term)


@dataclass(eq=False)
class Recording:
    """Everything the tables and the graph are drawn from."""

    fname: str
    inputs: list                    # input Nodes, in argument order
    input_names: list               # the user's names of the inputs ("x1", "params['W']")
    nodes: list                     # every Node in display order (inputs first)
    outputs: list                   # per output leaf: a Node, or ("const", value)
    output_names: list              # "y", or "y[0]", "y['loss']", ... for several leaves
    seeds: list                     # per seed: (label, tangent leaves)
    cotangents: list                # per output leaf: the seed of the reverse pass
    steps: list = field(default_factory=list)
    value: Any = None               # the function's output, as the user's pytree


def _leaf_paths(td: TreeDef, prefix: str) -> list:
    """The names of a pytree's leaves in flattening order: ``p[0]['W']``."""
    if td.kind == "leaf":
        return [prefix]
    if td.kind == "none":
        return []
    out = []
    keys = td.meta if td.kind == "dict" else range(len(td.children))
    if td.kind == "namedtuple":
        keys = td.meta._fields
    for k, child in zip(keys, td.children):
        if td.kind == "namedtuple":
            sub = f"{prefix}.{k}"
        else:
            sub = f"{prefix}[{k!r}]"
        out.extend(_leaf_paths(child, sub))
    return out


def _input_names(fun, args, nums) -> list:
    names = _arg_names(fun)
    out = []
    for i in nums:
        base = names[i] if i < len(names) else f"x{i + 1}"
        td = tree_flatten(args[i])[1]
        out.extend(_leaf_paths(td, base))
    return out


def _seed_directions(leaves, names, wrt, tangents, fname) -> list:
    """The tangent seeds: (label, one tangent per input leaf)."""
    if tangents is not None:
        t_leaves = tree_flatten(tuple(tangents))[0] if isinstance(tangents, (tuple, list)) \
            else [tangents]
        if len(t_leaves) != len(leaves):
            raise ValueError(f"{fname}: tangents= must give one tangent per input "
                             f"({len(leaves)}: {', '.join(names)}), got {len(t_leaves)}")
        ts = []
        for x, t, nm in zip(leaves, t_leaves, names):
            t = np.asarray(primal_value(t), dtype=x.dtype)
            if t.shape != x.shape:
                raise ValueError(f"{fname}: the tangent of {nm} has shape {t.shape}, but "
                                 f"{nm} has shape {x.shape}")
            ts.append(t)
        return [("direction", ts)]
    if wrt is None:
        picks = list(range(len(leaves)))
    else:
        wl = [wrt] if isinstance(wrt, (str, int)) else list(wrt)
        picks = []
        for w in wl:
            if isinstance(w, str):
                if w not in names:
                    raise ValueError(f"{fname}: wrt={w!r} is not an input; the inputs are "
                                     f"{', '.join(names)}")
                picks.append(names.index(w))
            else:
                if not -len(leaves) <= int(w) < len(leaves):
                    raise ValueError(f"{fname}: wrt={w!r} is out of range for "
                                     f"{len(leaves)} input(s)")
                picks.append(int(w) % len(leaves))
    seeds = []
    for k in picks:
        ts = [np.ones_like(x) if j == k else np.zeros_like(x) for j, x in enumerate(leaves)]
        seeds.append((names[k], ts))
    return seeds


def record(fun: Callable, args: Sequence, kwargs: dict, *, argnums=None, wrt=None,
           tangents=None, cotangent=None, order: str = "depth",
           caller: str = "explain") -> Recording:
    """Run ``fun(*args, **kwargs)`` once under a forward and a reverse trace of the core
    and return the evaluation trace (see the module docstring)."""
    fname = f"{caller}({_fname(fun)})"
    if order not in ("depth", "trace"):
        raise ValueError(f"{fname}: order must be 'depth' (textbook numbering) or 'trace' "
                         f"(the order the code ran in), got {order!r}")
    if not args:
        raise TypeError(f"{fname}: give the point to explain at, e.g. "
                        f"cr.explain(f, 2.0, 5.0)")
    nums = tuple(range(len(args))) if argnums is None else argnums
    # a display tool: explain(f, 2, 5) means the floats 2.0 and 5.0
    args = tuple(tree_map(_int_to_float, a) for a in args)
    inputs = _Inputs(fun, args, nums, fname)
    leaves = [np.asarray(x) for x in inputs.leaves]
    names = _input_names(fun, args, inputs.nums)
    seeds = _seed_directions(leaves, names, wrt, tangents, fname)
    k = len(seeds)

    ftrace = ForwardTrace(new_level(), (k,))
    rtrace = ReverseTrace(new_level())
    f_in = [ftrace.new_input(x, np.stack([s[1][j] for s in seeds]))
            for j, x in enumerate(leaves)]
    r_in = [rtrace.new_input(t) for t in f_in]
    with gc_paused(), np.errstate(all="ignore"):
        out = fun(*inputs.substitute(r_in), **kwargs)
    out_leaves, out_tree = tree_flatten(out)

    tape, n_in = rtrace.tape, len(leaves)
    perm, where = _display_order(tape, n_in, order)
    nodes = _nodes(tape, perm, where, leaves, names, f_in, ftrace.level, k)
    outputs = [nodes[where[o._idx]] if isinstance(o, Tracer) and o._level == rtrace.level
               else ("const", np.asarray(primal_value(o))) for o in out_leaves]
    out_names = _leaf_paths(out_tree, "y") if len(outputs) > 1 else ["y"]
    cts = _cotangents(outputs, cotangent, fname)
    rec = Recording(_fname(fun), nodes[:n_in], names, nodes, outputs, out_names,
                    seeds, cts, value=_plain_tree(out_tree, out_leaves))
    _run_backward(rec, _plain_tape(tape, perm, where, n_in))
    return rec


def _display_order(tape: list, n_in: int, order: str):
    """The rows' order: the inputs, then every entry; with ``order="depth"`` each entry as
    early as its arguments allow (the textbook's numbering), else in recording order.
    Returns (display position -> tape index, tape index -> display position)."""
    depth = [0] * len(tape)
    for i in range(n_in, len(tape)):
        prim, vals, kw, o, parents = tape[i]
        if prim is _PROJECT:                        # stays right after its primitive
            depth[i] = depth[parents[0]]
        else:
            depth[i] = 1 + max((depth[p] for p in parents if p >= 0), default=0)
    ops = list(range(n_in, len(tape)))
    if order == "depth":
        ops.sort(key=lambda i: (depth[i], i))
    perm = list(range(n_in)) + ops
    return perm, {t: d for d, t in enumerate(perm)}


def _nodes(tape, perm, where, leaves, names, f_in, level, k) -> list:
    """One Node per input and tape entry, in display order."""
    def tangent_of(v, shape):
        if isinstance(v, ForwardTracer) and v._level == level:
            return np.asarray(primal_value(v._tangent))
        return np.zeros((k,) + tuple(shape))        # no tangent reached it: a constant

    n_in = len(leaves)
    nodes: list = []
    for d, t in enumerate(perm):
        index = d - n_in + 1
        if t < n_in:
            v = leaves[t]
            nodes.append(Node(index, "input", names[t], [], {}, v,
                              tangent_of(f_in[t], v.shape)))
            continue
        prim, vals, kw, o, parents = tape[t]
        if prim is _PROJECT:                        # output ``vals`` of a multi-output op
            v = np.asarray(primal_value(o))
            nodes.append(Node(index, "op", "output", [nodes[where[parents[0]]]], {}, v,
                              tangent_of(o, v.shape), out_index=vals, prim=prim))
            continue
        node_args = [nodes[where[p]] if p >= 0 else ("const", primal_value(a))
                     for a, p in zip(vals, parents)]
        if prim.n_out:
            v, tan = tuple(np.asarray(primal_value(x)) for x in o), None
        else:
            v = np.asarray(primal_value(o))
            tan = tangent_of(o, v.shape)
        nodes.append(Node(index, "op", prim.name, node_args,
                          {a: primal_value(b) for a, b in kw.items()}, v, tan, prim=prim))
    return nodes


def _cotangents(outputs, cotangent, fname) -> list:
    """The seeds of the reverse pass, one per output leaf (default: ones)."""
    if cotangent is None:
        return [np.ones_like(np.asarray(_val(o)), dtype=float) for o in outputs]
    cl = tree_flatten(cotangent)[0]
    if len(cl) != len(outputs):
        raise ValueError(f"{fname}: cotangent= must match the output's structure "
                         f"({len(outputs)} leaves), got {len(cl)}")
    cts = []
    for o, c in zip(outputs, cl):
        c = np.asarray(c, dtype=float)
        shape = np.shape(_val(o))
        if c.shape != shape:
            raise ValueError(f"{fname}: the cotangent has shape {c.shape}, but the "
                             f"output has shape {shape}")
        cts.append(c)
    return cts


def _plain_tape(tape, perm, where, n_in) -> list:
    """The tape in display order with every tracer stripped to its plain value, so that
    the backward pass computes plain numbers (and walks the rows in the tables' order)."""
    plain = []
    for t in perm:
        if t < n_in:
            plain.append(None)
            continue
        prim, vals, kw, o, parents = tape[t]
        ps = tuple(where[p] if p >= 0 else -1 for p in parents)
        if prim is _PROJECT:
            plain.append((_PROJECT, vals, kw, primal_value(o), ps))
            continue
        pv = tuple(primal_value(a) for a in vals)
        po = tuple(primal_value(x) for x in o) if prim.n_out else primal_value(o)
        plain.append((prim, pv, {a: primal_value(b) for a, b in kw.items()}, po, ps))
    return plain


def _run_backward(rec: Recording, plain: list) -> None:
    """The core's backward pass over ``plain``; every contribution becomes a Step, and
    every node's adjoint its last total."""
    nodes, first = rec.nodes, rec.nodes[0].index
    seeds = []
    for o, c in zip(rec.outputs, rec.cotangents):
        if isinstance(o, Node):
            seeds.append((o.index - first, c.astype(o.value.dtype)
                          if o.value.dtype.kind == "f" else c))
    if not seeds:
        return
    seen: set = set()

    def observe(i, pos, p, c, total):
        rec.steps.append(Step(nodes[p], nodes[i], pos, np.asarray(primal_value(c)),
                              np.asarray(primal_value(total)), p not in seen))
        seen.add(p)

    with gc_paused(), np.errstate(all="ignore"):
        ct = backward(plain, seeds, False, (), observe)
    for s in rec.steps:                             # the last total is the final adjoint
        s.target.adjoint = s.total
    for d, c in seeds:                              # an output nothing else used: its seed
        if nodes[d].adjoint is None:
            nodes[d].adjoint = np.asarray(primal_value(ct[d])) if ct[d] is not None else c


def _int_to_float(x):
    if isinstance(x, int) and not isinstance(x, bool):
        return float(x)
    return x


def _val(o):
    return o.value if isinstance(o, Node) else o[1]


def _plain_tree(tree, leaves):
    from ..tree import tree_unflatten
    return tree_unflatten(tree, [np.asarray(primal_value(x)) for x in leaves])
