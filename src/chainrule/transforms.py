"""The transformations of the public API: grad, vjp, jvp, jacobians, Hessians, checkpoint
and custom rules.

Each call makes a fresh trace (a new, higher level), wraps the differentiated inputs as
tracers of that level, runs the user's function, and reads the derivative back: from the
tape (reverse mode, :mod:`chainrule.core.reverse`) or from the carried tangents (forward
mode, :mod:`chainrule.core.forward`). Jacobians and Hessians push a whole stack of
tangents or cotangents through in one pass (leading batch axes), never one pass per row.
"""
from __future__ import annotations

import functools
from itertools import repeat
from operator import attrgetter, is_
from typing import Callable, Sequence, Union

import numpy as np

from .core.forward import ForwardTrace, ForwardTracer, _fit
from .core.primitive import Primitive, top_tracer
from .core.reverse import ReverseTrace, backward
from .core.tracer import Tracer, new_level, pause_gc, primal_value, resume_gc
from .tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "jacobian",
           "hessian", "hvp", "stop_gradient", "checkpoint", "custom_vjp", "custom_jvp"]

Argnums = Union[int, Sequence[int]]


# ------------------------------------------------------------------------ helpers
def _fname(fun) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _as_float_input(x, where: Callable[[], str]):
    """Check one leaf of a differentiated argument and return it as an array (or tracer).

    ``where()`` names the argument; it is only called to build an error message."""
    if isinstance(x, Tracer):
        dt = x.dtype
    elif isinstance(x, np.ndarray):
        dt = x.dtype
    elif isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{where()} is a boolean ({x!r}); derivatives are taken with "
                        f"respect to floating-point values: pass a float such as 1.0")
    elif isinstance(x, (float, int, np.number, list)):
        x = np.asarray(x)
        dt = x.dtype
    else:
        raise TypeError(f"{where()} is a {type(x).__name__} ({x!r:.60}); expected a float, "
                        f"a floating-point NumPy array, or a pytree (dict/list/tuple) of them")
    if dt.kind != "f":
        what = "an integer" if dt.kind in "iub" else f"a {dt}"
        raise TypeError(f"{where()} has {what} dtype ({dt}); derivatives are taken with "
                        f"respect to floating-point values: pass floats (e.g. 2.0 instead "
                        f"of 2, or x.astype(float))")
    return x


def _norm_argnums(argnums: Argnums, nargs: int, fname: str) -> tuple:
    """``(argument indices, single)``; the common case, one int in range, is taken by
    ``_Inputs`` before it calls this."""
    single = isinstance(argnums, (int, np.integer))
    nums = (int(argnums),) if single else tuple(int(a) for a in argnums)
    for a in nums:
        if not -nargs <= a < nargs:
            raise TypeError(f"{fname}: argnums={argnums!r} but the function was called with "
                            f"{nargs} positional argument(s)")
    return tuple(a % nargs for a in nums), single


def _lower(x, level: int):
    """Remove the tracer of ``level`` (only that one) from a value."""
    if isinstance(x, Tracer) and x._level == level:
        return x._primal
    return x


def _zeros(x, batch: tuple = ()):
    shape = batch + tuple(np.shape(primal_value(x)) if not isinstance(x, Tracer) else x.shape)
    return np.zeros(shape, dtype=_dtype(x))


def _dtype(x):
    if isinstance(x, Tracer):
        return x.dtype
    return np.asarray(x).dtype


_ARRAY, _FLOAT = {np.ndarray}, {"f"}
_kind = attrgetter("dtype.kind")
_dtype_of = attrgetter("dtype")


class _Inputs:
    """The differentiated leaves of a call: which arguments, their pytree, their values."""

    def __init__(self, fun, args, argnums, fname):
        if type(argnums) is int and 0 <= argnums < len(args):     # the common case
            self.nums, self.single = (argnums,), True
            sel = args[argnums]
        else:
            self.nums, self.single = _norm_argnums(argnums, len(args), fname)
            sel = args[self.nums[0]] if self.single else tuple(args[i] for i in self.nums)
        self.args = args
        self.leaves, self.tree = tree_flatten(sel)
        leaves = self.leaves
        # plain: every leaf a floating-point ndarray (checked by C-level loops)
        self.plain = _ARRAY >= set(map(type, leaves)) and _FLOAT >= set(map(_kind, leaves))
        if not self.plain:
            for k, leaf in enumerate(leaves):
                if type(leaf) is not np.ndarray or leaf.dtype.kind != "f":
                    leaves[k] = _as_float_input(
                        leaf, lambda k=k: self._where(fname, _arg_names(fun), k))

    def _where(self, fname, names, k):
        if self.single:
            i = self.nums[0]
        else:
            # which argument does leaf k belong to?
            counts = [len(tree_flatten(self.args[i])[0]) for i in self.nums]
            acc, i = 0, self.nums[0]
            for n, c in zip(self.nums, counts):
                if k < acc + c:
                    i = n
                    break
                acc += c
        nm = f" ({names[i]})" if i < len(names) else ""
        return f"{fname}: argument {i}{nm}"

    def substitute(self, leaves):
        """The call's arguments with the differentiated leaves replaced."""
        sel = tree_unflatten(self.tree, leaves)
        if self.single:
            sel = (sel,)
        args = list(self.args)
        for i, v in zip(self.nums, sel):
            args[i] = v
        return args


def _arg_names(fun) -> list:
    try:
        import inspect
        return [p.name for p in inspect.signature(fun).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


# --------------------------------------------------------------- reverse mode core
def _vjp_trace(fun, inputs: _Inputs, kwargs):
    """Run ``fun`` on reverse tracers; returns (trace, input tracers, raw output)."""
    trace = ReverseTrace(new_level())
    tracers = trace.new_inputs(inputs.leaves, plain=inputs.plain)
    out = fun(*inputs.substitute(tracers), **kwargs)
    return trace, tracers, out


def _pull_back(trace, in_tracers, in_leaves, out_leaves, cts, batch=(), consume=False):
    level = trace.level
    seeds, given = [], []           # given: the caller's cotangents, never handed back
    for o, c in zip(out_leaves, cts):
        if isinstance(o, Tracer) and o._level == level and c is not None:
            seeds.append((o._idx, c))
            given.append(c)
    # the inputs were recorded first (tape entries 0..k-1): the pass can stop above them
    k = len(in_tracers)
    stop = k if k and in_tracers[-1]._idx == k - 1 else 0
    ct = backward(trace.tape, seeds, consume, batch, stop=stop) if seeds \
        else [None] * len(trace.tape)
    if stop:                        # in order: a slice, checked by C-level loops
        res = ct[:k]
        if not any(map(is_, res, repeat(None))) \
                and list(map(_dtype_of, res)) == list(map(_dtype_of, in_leaves)):
            return _owned(res, given)
    res = []
    for t, x in zip(in_tracers, in_leaves):
        c = ct[t._idx]
        if c is None:
            c = _zeros(x, batch)
        elif c.dtype is not x.dtype and c.dtype != x.dtype:    # float32 in, float32 out
            c = c.astype(x.dtype)
        res.append(c)
    return _owned(res, given)


_base_of = attrgetter("base")


def _owned(res: list, given: list) -> list:
    """The derivatives as arrays the caller may change in place (``g *= scale``).

    Inside a pass, cotangents and tangents are never written to, so they may share
    memory: ``x + y`` hands the same cotangent to both arguments, ``sum`` pulls back a
    read-only broadcast view of a single number, and the identity hands back the very
    array the caller seeded it with (``given``). Returned as they are, ``gx += 1`` would
    change ``gy`` or the caller's own array too, or fail. So any view (``base`` set), any
    array met twice and any array of ``given`` is copied. (The only read-only arrays
    without a base are the core's cached constants, which rules use as operands, never as
    results; test_numpy_rules checks this for every primitive.)
    """
    try:
        fresh = all(map(is_, map(_base_of, res), repeat(None)))
    except AttributeError:          # tracers of an enclosing transform, or None
        fresh = False
    if fresh:
        ids = set(map(id, res))
        if len(ids) == len(res) and ids.isdisjoint(map(id, given)):
            return res
    out, seen = [], set(map(id, given))
    for c in res:
        if isinstance(c, np.ndarray) and (c.base is not None or id(c) in seen):
            c = c.copy()
        seen.add(id(c))
        out.append(c)
    return out


def value_and_grad(fun: Callable, argnums: Argnums = 0, has_aux: bool = False, *,
                   _transform_name: str = "value_and_grad") -> Callable:
    """A function returning ``(fun(*args), gradient)`` (with aux: ``((value, aux), grad)``).

    ``fun`` must return a scalar (a float or an array of shape ``()``); the gradient has
    the structure of the argument(s) selected by ``argnums`` (an int or a tuple of ints),
    which may be floats, arrays or pytrees of them.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> v, g = cr.value_and_grad(lambda x: x ** 3)(2.0)
    >>> float(v), float(g)
    (8.0, 12.0)
    """
    fname = f"{_transform_name}({_fname(fun)})"

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        paused = pause_gc()                 # (one frame and no lock: the hot path)
        try:
            inputs = _Inputs(fun, args, argnums, fname)
            trace, tracers, out = _vjp_trace(fun, inputs, kwargs)
            level = trace.level
            if has_aux:
                if not (isinstance(out, (tuple, list)) and len(out) == 2):
                    raise TypeError(f"{fname} with has_aux=True: the function must return a "
                                    f"pair (output, aux), got {type(out).__name__}"
                                    + (f" of length {len(out)}"
                                       if isinstance(out, (tuple, list)) else ""))
                out, aux = out
            _check_scalar(out, fname)
            value = _lower(out, level)
            if isinstance(out, Tracer) and out._level == level:
                seed = np.array(1, dtype=out.dtype)     # (np.ones is Python-level)
                cts = _pull_back(trace, tracers, inputs.leaves, [out], [seed], consume=True)
            else:
                cts = [_zeros(x) for x in inputs.leaves]
            g = tree_unflatten(inputs.tree, cts)
            if has_aux:
                return (value, tree_map(lambda a: _lower(a, level), aux)), g
            return value, g
        finally:
            resume_gc(paused)

    return wrapped


def _check_scalar(out, fname):
    if isinstance(out, Tracer):
        shape = out.shape
    elif isinstance(out, (float, int, np.number, np.ndarray)):
        shape = np.shape(out)
    else:
        raise TypeError(f"{fname}: the function must return a scalar (a float or an array of "
                        f"shape ()), got {type(out).__name__}; for several outputs use "
                        f"cr.jacobian or cr.vjp")
    if shape != ():
        raise TypeError(f"{fname}: the function must return a scalar, but its output has "
                        f"shape {shape}. Reduce it first (e.g. return out.sum() or "
                        f"cnp.mean(out)), or use cr.jacobian / cr.vjp for a non-scalar output")


def grad(fun: Callable, argnums: Argnums = 0, has_aux: bool = False) -> Callable:
    """The gradient of scalar-valued ``fun`` with respect to the argument(s) ``argnums``.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> f = lambda x1, x2: cnp.log(x1) + x1 * x2 - cnp.sin(x2)
    >>> [round(float(d), 3) for d in cr.grad(f, argnums=(0, 1))(2.0, 5.0)]
    [5.5, 1.716]
    """
    vg = value_and_grad(fun, argnums, has_aux, _transform_name="grad")

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        (v, g) = vg(*args, **kwargs)
        if has_aux:
            return g, v[1]
        return g

    return wrapped


def vjp(fun: Callable, *primals, has_aux: bool = False):
    """``(fun(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` returns one cotangent per primal.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> out, pullback = cr.vjp(lambda x: x * 2.0, np.array([1.0, 2.0]))
    >>> pullback(np.array([1.0, 10.0]))
    (array([ 2., 20.]),)
    """
    fname = f"vjp({_fname(fun)})"
    if not primals:
        raise TypeError(f"{fname}: give at least one primal")
    inputs = _Inputs(fun, primals, tuple(range(len(primals))), fname)
    trace, tracers, out = _vjp_trace(fun, inputs, {})
    level = trace.level
    if has_aux:
        out, aux = out
        aux = tree_map(lambda a: _lower(a, level), aux)
    out_leaves, out_tree = tree_flatten(out)
    value = tree_unflatten(out_tree, [_lower(o, level) for o in out_leaves])

    def vjp_fn(cotangent):
        ct_leaves, ct_tree = tree_flatten(cotangent)
        if ct_tree != out_tree:
            raise ValueError(f"{fname}: the cotangent must have the structure of the output "
                             f"{out_tree!r}, got {ct_tree!r}")
        cts = []
        for o, c in zip(out_leaves, ct_leaves):
            c = c if isinstance(c, Tracer) else np.asarray(c, dtype=_dtype(o))
            if tuple(c.shape) != tuple(_shape(o)):
                raise ValueError(f"{fname}: cotangent of shape {tuple(c.shape)} for an output "
                                 f"of shape {tuple(_shape(o))}")
            cts.append(c)
        res = _pull_back(trace, tracers, inputs.leaves, out_leaves, cts)
        return tuple(tree_unflatten(inputs.tree, res))

    if has_aux:
        return value, vjp_fn, aux
    return value, vjp_fn


def _shape(x):
    return x.shape if isinstance(x, Tracer) else np.shape(x)


def _pullback_batched(fun, primals, cts_leaves, batch):
    """Cotangents of ``primals`` for output cotangents that may carry ``batch`` axes (used
    inside rules: checkpoint, custom_jvp), as a list of leaves per primal."""
    inputs = _Inputs(fun, tuple(primals), tuple(range(len(primals))), "pullback")
    trace, tracers, out = _vjp_trace(fun, inputs, {})
    out_leaves = tree_flatten(out)[0]
    res = _pull_back(trace, tracers, inputs.leaves, out_leaves, cts_leaves, batch)
    return tree_unflatten(inputs.tree, res)


def _batch_of(g, ans):
    nb = g.ndim - ans.ndim
    return tuple(g.shape[:nb]) if nb else ()


# --------------------------------------------------------------- forward mode core
def _jvp_run(fun, inputs: _Inputs, tangent_leaves, kwargs, batch=()):
    trace = ForwardTrace(new_level(), batch)
    tracers = [trace.new_input(x, t) for x, t in zip(inputs.leaves, tangent_leaves)]
    out = fun(*inputs.substitute(tracers), **kwargs)
    level = trace.level
    out_leaves, out_tree = tree_flatten(out)
    prim, tan = [], []
    for o in out_leaves:
        if isinstance(o, Tracer) and o._level == level:
            prim.append(o._primal)
            tan.append(o._tangent)
        else:
            prim.append(o)
            tan.append(_zeros(o, batch) if _is_float(o) else None)
    return out_tree, prim, tan


def _is_float(x):
    return _dtype(x).kind in "fc"


def jvp(fun: Callable, primals: Sequence, tangents: Sequence):
    """``(fun(*primals), tangent_out)``: the directional derivative along ``tangents``.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> f = lambda x1, x2: cnp.log(x1) + x1 * x2 - cnp.sin(x2)
    >>> y, ydot = cr.jvp(f, (2.0, 5.0), (1.0, 0.0))
    >>> round(float(y), 3), round(float(ydot), 3)
    (11.652, 5.5)
    """
    fname = f"jvp({_fname(fun)})"
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"{fname}: primals and tangents must be tuples (one entry per "
                        f"argument), e.g. cr.jvp(f, (x,), (v,))")
    if len(primals) != len(tangents):
        raise ValueError(f"{fname}: {len(primals)} primals but {len(tangents)} tangents")
    inputs = _Inputs(fun, tuple(primals), tuple(range(len(primals))), fname)
    t_leaves, t_tree = tree_flatten(tuple(tangents))
    if t_tree != inputs.tree:
        raise ValueError(f"{fname}: tangents must have the structure of primals "
                         f"({inputs.tree!r}), got {t_tree!r}")
    ts = []
    for x, t in zip(inputs.leaves, t_leaves):
        t = t if isinstance(t, Tracer) else np.asarray(t, dtype=_dtype(x))
        if tuple(t.shape) != tuple(_shape(x)):
            raise ValueError(f"{fname}: tangent of shape {tuple(t.shape)} for a primal of "
                             f"shape {tuple(_shape(x))}")
        ts.append(t)
    out_tree, prim, tan = _jvp_run(fun, inputs, ts, {})
    return tree_unflatten(out_tree, prim), tree_unflatten(out_tree, _owned(tan, ts))


# ---------------------------------------------------------------------- Jacobians
def _eye_blocks(leaves):
    """Stacked unit directions for every entry of every leaf: leaf k gets shape
    ``(total,) + leaf.shape``; together they form an identity of size ``total``."""
    sizes = [int(np.prod(_shape(x), dtype=int)) for x in leaves]
    total = sum(sizes)
    blocks, off = [], 0
    for x, n in zip(leaves, sizes):
        b = np.zeros((total, n), dtype=_dtype(x))
        b[off:off + n] = np.eye(n, dtype=b.dtype)
        blocks.append(b.reshape((total,) + tuple(_shape(x))))
        off += n
    return blocks, sizes, total


def _assemble(out_tree, out_shapes, in_tree, in_shapes, block):
    """The Jacobian pytree: the output's structure, each leaf holding the input's."""
    rows = []
    for i, os_ in enumerate(out_shapes):
        rows.append(tree_unflatten(in_tree, [block(i, j) for j in range(len(in_shapes))]))
    return tree_unflatten(out_tree, rows)


def jacfwd(fun: Callable, argnums: Argnums = 0, has_aux: bool = False) -> Callable:
    """The Jacobian by forward mode, all columns in one batched pass; shape
    ``out.shape + in.shape``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.jacfwd(lambda x: x ** 2)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    fname = f"jacfwd({_fname(fun)})"

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        from . import numpy as cnp
        inputs = _Inputs(fun, args, argnums, fname)
        blocks, sizes, total = _eye_blocks(inputs.leaves)
        aux_box = []
        f = _split_aux(fun, has_aux, aux_box)
        out_tree, prim, tan = _jvp_run(f, inputs, blocks, kwargs, (total,))
        in_shapes = [tuple(_shape(x)) for x in inputs.leaves]
        offs = np.cumsum([0] + sizes)

        def block(i, j):
            o, t = prim[i], tan[i]
            oshape = tuple(_shape(o))
            if t is None:
                return np.zeros(oshape + in_shapes[j], dtype=_dtype(inputs.leaves[j]))
            piece = t[offs[j]:offs[j + 1]] if len(sizes) > 1 else t
            osize = int(np.prod(oshape, dtype=int))
            piece = cnp.reshape(piece, (sizes[j], osize))
            return cnp.reshape(cnp.transpose(piece), oshape + in_shapes[j])

        jac = _assemble(out_tree, [None] * len(prim), inputs.tree, in_shapes, block)
        return (jac, _aux_value(aux_box)) if has_aux else jac

    return wrapped


def _split_aux(fun, has_aux, box):
    if not has_aux:
        return fun

    def f(*a, **k):
        out, aux = fun(*a, **k)
        box.append(aux)
        return out
    return f


def _aux_value(box):
    return tree_map(primal_value, box[0]) if box else None


def jacrev(fun: Callable, argnums: Argnums = 0, has_aux: bool = False) -> Callable:
    """The Jacobian by reverse mode, all rows in one batched backward pass; shape
    ``out.shape + in.shape``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.jacrev(lambda x: cnp.sum(x) * x)(np.array([1.0, 2.0]))
    array([[4., 1.],
           [2., 5.]])
    """
    fname = f"jacrev({_fname(fun)})"

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        inputs = _Inputs(fun, args, argnums, fname)
        aux_box = []
        f = _split_aux(fun, has_aux, aux_box)
        trace, tracers, out = _vjp_trace(f, inputs, kwargs)
        jac = _jacrev_from_trace(trace, tracers, inputs, out)
        return (jac, _aux_value(aux_box)) if has_aux else jac

    return wrapped


def _jacrev_from_trace(trace, tracers, inputs, out):
    from . import numpy as cnp
    out_leaves, out_tree = tree_flatten(out)
    seeds, sizes, total = _eye_blocks(out_leaves)
    cts = _pull_back(trace, tracers, inputs.leaves, out_leaves, seeds, (total,), consume=True)
    in_shapes = [tuple(_shape(x)) for x in inputs.leaves]
    offs = np.cumsum([0] + sizes)

    def block(i, j):
        oshape = tuple(_shape(out_leaves[i]))
        c = cts[j]
        piece = c[offs[i]:offs[i + 1]] if len(sizes) > 1 else c
        return cnp.reshape(piece, oshape + in_shapes[j])

    return _assemble(out_tree, out_leaves, inputs.tree, in_shapes, block)


def jacobian(fun: Callable, argnums: Argnums = 0, mode: str = None) -> Callable:
    """The Jacobian, by the cheaper mode: forward when the input has fewer entries than the
    output, reverse otherwise. ``mode="fwd"`` or ``"rev"`` forces one.

    The first call for given input shapes runs reverse mode (which reveals the output size)
    and remembers the choice for those shapes; later calls go straight to the chosen mode.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.jacobian(lambda x: cnp.stack([x[0] * x[1], x[0]]))(np.array([2.0, 3.0]))
    array([[3., 2.],
           [1., 0.]])
    """
    if mode not in (None, "fwd", "rev"):
        raise ValueError(f"jacobian: mode must be 'fwd', 'rev' or None, got {mode!r}")
    fwd, rev = jacfwd(fun, argnums), jacrev(fun, argnums)
    if mode == "fwd":
        return fwd
    if mode == "rev":
        return rev
    chosen: dict = {}
    fname = f"jacobian({_fname(fun)})"

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        inputs = _Inputs(fun, args, argnums, fname)
        key = tuple(tuple(_shape(x)) for x in inputs.leaves)
        m = chosen.get(key)
        if m == "fwd":
            return fwd(*args, **kwargs)
        if m == "rev":
            return rev(*args, **kwargs)
        trace, tracers, out = _vjp_trace(fun, inputs, kwargs)
        n_in = sum(int(np.prod(s, dtype=int)) for s in key)
        n_out = sum(int(np.prod(_shape(o), dtype=int)) for o in tree_flatten(out)[0])
        chosen[key] = "fwd" if n_in < n_out else "rev"
        if chosen[key] == "fwd":
            return fwd(*args, **kwargs)
        return _jacrev_from_trace(trace, tracers, inputs, out)

    return wrapped


def hessian(fun: Callable, argnums: Argnums = 0) -> Callable:
    """The Hessian of scalar-valued ``fun``: forward-over-reverse, all columns in one
    batched pass; shape ``in.shape + in.shape``.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 2.0]))
    array([[4., 2.],
           [2., 0.]])
    """
    return jacfwd(grad(fun, argnums), argnums)


def hvp(fun: Callable, primals: Sequence, tangents: Sequence):
    """The Hessian-vector product ``H @ v`` of scalar-valued ``fun`` at ``primals`` along
    ``tangents`` (forward-over-reverse, without forming H). With one primal the result is
    an array shaped like it; with several, a tuple.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.hvp(lambda x: cnp.sum(x ** 3), (np.array([1.0, 2.0]),), (np.array([1.0, 1.0]),))
    array([ 6., 12.])
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("hvp: primals and tangents must be tuples, e.g. cr.hvp(f, (x,), (v,))")
    n = len(primals)
    g = grad(fun, argnums=0 if n == 1 else tuple(range(n)))
    return jvp(g, tuple(primals), tuple(tangents))[1]


# --------------------------------------------------------- stop_gradient, checkpoint
def stop_gradient(x):
    """``x`` with zero derivative (for every transformation, at every level).

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> float(cr.grad(lambda x: x * cr.stop_gradient(x))(3.0))
    3.0
    """
    return tree_map(primal_value, x)


def _record_call(trace, vals_tree, leaves, level, out, vjp_all, name):
    """Record a whole function call as one tape entry with rule ``vjp_all``."""
    out_leaves, out_tree = tree_flatten(out)
    n = len(out_leaves)
    prim = Primitive(name, None, vjp_all=vjp_all, n_out=0 if n == 1 else n, register=False)
    parents = [x._idx if isinstance(x, Tracer) and x._level == level else -1 for x in leaves]
    vals = [_lower(x, level) for x in leaves]
    res = trace.record(prim, vals, {}, out_leaves[0] if n == 1 else tuple(out_leaves), parents)
    return tree_unflatten(out_tree, [res] if n == 1 else list(res))


def checkpoint(fun: Callable) -> Callable:
    """``fun`` that stores only its inputs on the tape and recomputes its inside during the
    backward pass (trading time for memory).

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> block = cr.checkpoint(lambda x: cnp.sin(cnp.sin(x)))
    >>> round(float(cr.grad(block)(1.0)), 6)
    0.360039
    """
    @functools.wraps(fun)
    def wrapped(*args):
        leaves, tree = tree_flatten(args)
        top = top_tracer(leaves)
        if top is None or not isinstance(top._trace, ReverseTrace):
            return fun(*args)
        level = top._level
        vals = [_lower(x, level) for x in leaves]
        out = fun(*tree_unflatten(tree, vals))
        diff = [i for i, v in enumerate(vals) if _is_float(v)]

        def vjp_all(g, ans, *v):
            gs = list(g) if isinstance(g, tuple) else [g]

            def inner(*dl):
                full = list(v)
                for i, d in zip(diff, dl):
                    full[i] = d
                return fun(*tree_unflatten(tree, full))

            a0 = ans[0] if isinstance(ans, tuple) else ans
            cts = _pullback_batched(inner, [v[i] for i in diff], gs, _batch_of(gs[0], a0))
            res = [None] * len(v)
            for i, c in zip(diff, cts):
                res[i] = c
            return res

        return _record_call(top._trace, tree, leaves, level, out, vjp_all,
                            f"checkpoint({_fname(fun)})")

    return wrapped


# ----------------------------------------------------------------- custom rules
class custom_vjp:
    """A function with its own reverse-mode rule (JAX's shape).

    ``f.defvjp(fwd, bwd)``: ``fwd(*args)`` returns ``(out, residuals)``; ``bwd(residuals,
    g)`` returns a tuple with one cotangent per argument. Under forward mode the original
    function is differentiated; under nested reverse modes the innermost transformation
    uses the rule and outer ones differentiate through ``fwd`` and ``bwd``.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> @cr.custom_vjp
    ... def clip_grad(x):
    ...     return x
    >>> clip_grad.defvjp(lambda x: (x, None), lambda res, g: (cnp.clip(g, -1.0, 1.0),))
    >>> float(cr.grad(lambda x: 5.0 * clip_grad(x))(2.0))
    1.0
    """

    def __init__(self, fun: Callable, nondiff_argnums: tuple = ()) -> None:
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.fwd = None
        self.bwd = None

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        leaves, tree = tree_flatten(args)
        top = top_tracer(leaves)
        if top is None or not isinstance(top._trace, ReverseTrace):
            return self.fun(*args)
        if self.fwd is None:
            raise TypeError(f"custom_vjp function {_fname(self.fun)}: call "
                            f".defvjp(fwd, bwd) before differentiating it")
        level = top._level
        vals = [_lower(x, level) for x in leaves]
        out, res = self.fwd(*tree_unflatten(tree, vals))
        out_tree = tree_flatten(out)[1]
        name = _fname(self.fun)
        bwd = self.bwd

        def vjp_all(g, ans, *v):
            gs = list(g) if isinstance(g, tuple) and out_tree.num_leaves > 1 else [g]
            cts = bwd(res, tree_unflatten(out_tree, gs))
            if not isinstance(cts, (tuple, list)) or len(cts) != len(args):
                raise TypeError(f"custom_vjp {name}: bwd must return a tuple with one "
                                f"cotangent per argument ({len(args)}), got {cts!r:.80}")
            flat = []
            for a, c in zip(args, cts):
                n = len(tree_flatten(a)[0])
                cl = tree_flatten(c)[0] if c is not None else [None] * n
                flat.extend(cl if len(cl) == n else [None] * n)
            return flat

        return _record_call(top._trace, tree, leaves, level, out, vjp_all,
                            f"custom_vjp({name})")


class custom_jvp:
    """A function with its own forward-mode rule (JAX's shape).

    ``f.defjvp(rule)``: ``rule(primals, tangents)`` returns ``(out, tangent_out)``; the
    rule must be linear in the tangents. Reverse mode transposes it automatically (by
    differentiating the rule with respect to the tangents), so one rule serves both modes.

    >>> import chainrule as cr, chainrule.numpy as cnp
    >>> @cr.custom_jvp
    ... def log1pexp(x):
    ...     return cnp.log1p(cnp.exp(x))
    >>> _ = log1pexp.defjvp(lambda p, t: (log1pexp(p[0]), t[0] * (1 - 1 / (1 + cnp.exp(p[0])))))
    >>> float(cr.grad(log1pexp)(1000.0))
    1.0
    """

    def __init__(self, fun: Callable, nondiff_argnums: tuple = ()) -> None:
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.rule = None

    def defjvp(self, rule: Callable) -> Callable:
        self.rule = rule
        return rule

    def __call__(self, *args):
        leaves, tree = tree_flatten(args)
        top = top_tracer(leaves)
        if top is None:
            return self.fun(*args)
        if self.rule is None:
            raise TypeError(f"custom_jvp function {_fname(self.fun)}: call .defjvp(rule) "
                            f"before differentiating it")
        trace, level = top._trace, top._level
        vals = [_lower(x, level) for x in leaves]
        if isinstance(trace, ForwardTrace):
            batch = trace.batch
            tans = [x._tangent if isinstance(x, Tracer) and x._level == level
                    else _zeros(x, batch) for x in leaves]
            out, tout = self.rule(tree_unflatten(tree, vals), tree_unflatten(tree, tans))
            ol, otree = tree_flatten(out)
            tl = tree_flatten(tout)[0]
            nb = len(batch)
            return tree_unflatten(otree, [ForwardTracer(o, trace, _fit(t, o, nb))
                                          for o, t in zip(ol, tl)])
        out = self(*tree_unflatten(tree, vals))
        rule = self.rule
        diff = [i for i, v in enumerate(vals) if _is_float(v)]

        def vjp_all(g, ans, *v):
            gs = list(g) if isinstance(g, tuple) else [g]

            def tangent_map(*ts):
                full = [_zeros(x) for x in v]
                for i, t in zip(diff, ts):
                    full[i] = t
                return rule(tree_unflatten(tree, list(v)), tree_unflatten(tree, full))[1]

            a0 = ans[0] if isinstance(ans, tuple) else ans
            cts = _pullback_batched(tangent_map, [_zeros(v[i]) for i in diff], gs,
                                    _batch_of(gs[0], a0))
            res = [None] * len(v)
            for i, c in zip(diff, cts):
                res[i] = c
            return res

        return _record_call(trace, tree, leaves, level, out, vjp_all,
                            f"custom_jvp({_fname(self.fun)})")
