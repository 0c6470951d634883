"""Bookkeeping for the namespace: which public functions exist and how they are derived.

Every public name of ``chainrule.numpy`` / ``chainrule.scipy`` is listed here with its
kind, so the coverage table (``scripts/coverage.py``) and the systematic tests are
generated from one source:

* ``primitive``: has its own rules in the primitive table (``core.REGISTRY``);
* ``composite``: written in terms of other differentiable functions (rules follow);
* ``nondiff``: a zero-derivative function (floor, sign, argmax, comparisons, ...);
* ``constant``: builds arrays from shapes and numbers (zeros, eye, arange, ...).
"""
from __future__ import annotations

from typing import Callable

PUBLIC: dict[str, dict] = {}


def public(namespace: str, name: str, kind: str, fn: Callable, prims: tuple = ()) -> Callable:
    PUBLIC[f"{namespace}.{name}"] = {"namespace": namespace, "name": name, "kind": kind,
                                     "fn": fn, "prims": prims}
    return fn
