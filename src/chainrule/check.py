"""Finite differences and gradient checking.

``check_grads`` compares every mode and order of automatic differentiation against
central finite differences, in random directions, recursing on the derivative function
for higher orders; failures name the chain ("VJP of JVP of f"), the argument, and the
worst entry.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .transforms import _dtype
from .tree import tree_flatten, tree_unflatten

__all__ = ["numerical_grad", "check_grads"]


def _default_eps(dtype) -> float:
    return float(np.finfo(dtype).eps ** (1.0 / 3.0))


def numerical_grad(f: Callable, *args, argnums=0, eps: float = None):
    """Central finite-difference gradient of scalar-valued ``f`` with respect to argument
    ``argnums`` (an int, or a tuple of ints for a tuple of gradients); same shape as that
    argument.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> g = cr.numerical_grad(lambda x: cnp.sum(x ** 2), np.array([1.0, 2.0]))
    >>> np.allclose(g, [2.0, 4.0])
    True
    """
    if isinstance(argnums, (tuple, list)):
        return tuple(numerical_grad(f, *args, argnums=int(k), eps=eps) for k in argnums)
    if not isinstance(argnums, (int, np.integer)) or not -len(args) <= argnums < len(args):
        raise TypeError(f"numerical_grad: argnums must be an int or a tuple of ints indexing "
                        f"the {len(args)} argument(s), got {argnums!r}")
    x = np.asarray(args[argnums], dtype=float if np.asarray(args[argnums]).dtype.kind != "f"
                   else None)
    h = _default_eps(x.dtype) if eps is None else eps
    g = np.zeros(x.shape, dtype=x.dtype)
    flat = g.reshape(-1)
    for k in range(x.size):
        step = np.zeros(x.size, dtype=x.dtype)
        hk = h * max(1.0, abs(float(x.reshape(-1)[k])))
        step[k] = hk
        a = list(args)
        a[argnums] = x + step.reshape(x.shape)
        fp = float(np.asarray(f(*a)))
        a[argnums] = x - step.reshape(x.shape)
        fm = float(np.asarray(f(*a)))
        flat[k] = (fp - fm) / (2 * hk)
    return g if x.ndim else g[()]


def _vdot(a, b) -> float:
    return float(sum(np.vdot(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
                     for x, y in zip(tree_flatten(a)[0], tree_flatten(b)[0])))


def _add(tree, k, arr):
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [l + s for l, s in zip(leaves, arr)])


def _rand_like(rng, tree):
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [rng.standard_normal(np.shape(l)).astype(_dtype(l))
                               for l in leaves])


def check_grads(f: Callable, args: Sequence, modes=("fwd", "rev"), order: int = 2,
                atol: float = None, rtol: float = None, eps: float = None,
                seed: int = 0, _name: str = "f", _depth: int = 0) -> None:
    """Check ``f``'s derivatives in every mode up to ``order`` against finite differences.

    Raises ``AssertionError`` naming the derivative chain, mode, order, argument and the
    worst entry. ``args`` is a tuple of the function's (float) arguments.

    >>> import chainrule as cr, chainrule.numpy as cnp, numpy as np
    >>> cr.check_grads(cnp.sin, (np.array([0.1, 0.7]),), order=2)
    """
    from .transforms import jvp, vjp
    args = tuple(np.asarray(a) if not isinstance(a, (dict, list, tuple)) else a for a in args)
    leaves = tree_flatten(args)[0]
    dt = np.result_type(*[np.asarray(l).dtype for l in leaves]) if leaves else np.float64
    low = dt == np.float32 or dt == np.float16
    atol = atol if atol is not None else (1e-2 if low else 1e-6)
    rtol = rtol if rtol is not None else (1e-2 if low else 1e-5)
    rng = np.random.default_rng(seed)
    h = eps if eps is not None else (1e-3 if low else 1e-5)

    def fd(fun, xs, k, v):
        """Directional finite difference of fun along v in argument k."""
        a = list(xs)
        a[k] = _add(xs[k], k, [h * np.asarray(t) for t in tree_flatten(v)[0]])
        fp = fun(*a)
        a[k] = _add(xs[k], k, [-h * np.asarray(t) for t in tree_flatten(v)[0]])
        fm = fun(*a)
        lp, td = tree_flatten(fp)
        lm = tree_flatten(fm)[0]
        return tree_unflatten(td, [(np.asarray(p, dtype=float) - np.asarray(m, dtype=float))
                                   / (2 * h) for p, m in zip(lp, lm)])

    for k in range(len(args)):
        where = f"argument {k}"
        v = _rand_like(rng, args[k])
        numeric = fd(f, args, k, v)
        if "fwd" in modes:
            tangents = [_zeros_tree(a) for a in args]
            tangents[k] = v
            _, got = jvp(f, args, tuple(tangents))
            _compare(got, numeric, atol, rtol, f"JVP of {_name}", where, "fwd", _depth + 1)
        if "rev" in modes:
            out = f(*args)
            u = _rand_like(rng, out)
            _, pull = vjp(f, *args)
            ct = pull(u)[k]
            got = _vdot(ct, v)
            want = _vdot(u, numeric)
            if not abs(got - want) <= atol + rtol * abs(want):
                raise AssertionError(
                    f"check_grads: VJP of {_name}, {where}, mode rev, order {_depth + 1}: "
                    f"<u, J v> from reverse mode is {got:.10g}, finite differences give "
                    f"{want:.10g} (difference {abs(got - want):.3g})")
    if order > 1:
        for k in range(len(args)):
            v = _rand_like(rng, args[k])
            if "fwd" in modes:
                def df(*xs, _k=k, _v=v):
                    tangents = [_zeros_tree(a) for a in xs]
                    tangents[_k] = _v
                    return jvp(f, xs, tuple(tangents))[1]
                check_grads(df, args, modes, order - 1, atol, rtol, eps, seed + 1,
                            f"JVP of {_name}", _depth + 1)
            if "rev" in modes:
                u = _rand_like(rng, f(*args))

                def bf(*xs, _k=k, _u=u):
                    return vjp(f, *xs)[1](_u)[_k]
                check_grads(bf, args, modes, order - 1, atol, rtol, eps, seed + 2,
                            f"VJP of {_name} (argument {k})", _depth + 1)


def _zeros_tree(a):
    leaves, td = tree_flatten(a)
    return tree_unflatten(td, [np.zeros(np.shape(l), _dtype(l)) for l in leaves])



def _compare(got, want, atol, rtol, chain, where, mode, order):
    gl = tree_flatten(got)[0]
    wl = tree_flatten(want)[0]
    for g, w in zip(gl, wl):
        g = np.asarray(g, dtype=float)
        w = np.asarray(w, dtype=float)
        if g.shape != w.shape:
            raise AssertionError(f"check_grads: {chain}, {where}, mode {mode}, order {order}: "
                                 f"shape {g.shape}, finite differences give {w.shape}")
        err = np.abs(g - w)
        bad = err > atol + rtol * np.abs(w)
        if np.any(bad) or not np.all(np.isfinite(g) == np.isfinite(w)):
            i = np.unravel_index(int(np.argmax(np.where(np.isfinite(err), err, np.inf))),
                                 g.shape) if g.ndim else ()
            raise AssertionError(
                f"check_grads: {chain}, {where}, mode {mode}, order {order}: worst entry "
                f"{i}: {g[i]:.10g} vs finite differences {w[i]:.10g} "
                f"(difference {err[i]:.3g})")
