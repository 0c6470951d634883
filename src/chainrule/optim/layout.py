"""How an optimiser's parameter leaves map onto the arrays its update works on.

An elementwise update (SGD, Adam, ...) is a dozen NumPy calls per array. On the small
arrays of a small network (biases, a 64x128 layer) each call costs about a microsecond
whatever its size, so a 3-layer MLP spends most of its Adam step in call overhead. A
:class:`Layout` therefore packs the *small* leaves of one dtype into one flat buffer
(one call per operation for all of them) and leaves the large ones as they are (packing
them would copy megabytes to save a few calls). Measured on the digits MLP
(64-128-128-10, float32): Adam on the six arrays took 73 us per step, on one packed
buffer 40 us plus 4 us to pack the gradients.

The optimiser's state keeps its buffers packed (:class:`LeafBuffers`, which reads like a
list of one array per leaf), so only the parameters and gradients are packed per step.
"""
from __future__ import annotations

import math
from operator import attrgetter, itemgetter
from collections.abc import Sequence

import numpy as np

from ..tree import register_list_like

SMALL = 1 << 14
"""Leaves with at most this many entries are packed; larger ones are updated alone."""

_LAYOUTS: dict = {}


class Layout:
    """The groups of one parameter structure: each group is one array of the update,
    either a single leaf (shown as at least 1-D) or a flat buffer of several small leaves
    of one dtype.

    >>> import numpy as np
    >>> lay = layout_of([np.zeros((2, 3)), np.zeros(3), np.zeros(())], packed=True)
    >>> [a.shape for a in lay.pack([np.ones((2, 3)), np.ones(3), np.ones(())])]
    [(10,)]
    >>> [a.shape for a in lay.unpack([np.arange(10.0)])]
    [(2, 3), (3,), ()]
    """

    __slots__ = ("sig", "n", "groups", "where", "owned", "owned_pairs", "floating",
                 "packed_leaves", "packed_groups")

    def __init__(self, sig: tuple, packed: bool) -> None:
        self.sig = sig
        self.n = len(sig)
        small: dict = {}
        singles = []
        for k, (shape, dtype) in enumerate(sig):
            if packed and math.prod(shape) <= SMALL:
                small.setdefault(dtype, []).append(k)
            else:
                singles.append([k])
        groups = singles + list(small.values())
        groups.sort(key=lambda ks: ks[0])          # groups in the order of their leaves
        # a group: (leaf indices, None) for one leaf, else (indices, [(slice, shape)])
        self.groups = []
        # where[k] = (group number, slice, shape): leaf k inside the groups (a whole-group
        # slice for a group of one leaf)
        self.where = [None] * self.n
        for gi, ks in enumerate(groups):
            if len(ks) == 1:
                k = ks[0]
                self.groups.append((ks, None))
                self.where[k] = (gi, slice(None), sig[k][0])
                continue
            spans, start = [], 0
            for k in ks:
                shape = sig[k][0]
                size = math.prod(shape)
                span = (slice(start, start + size), shape)
                spans.append(span)
                self.where[k] = (gi,) + span
                start += size
            self.groups.append((ks, spans))
        # packed groups are fresh copies (pack), which an update may overwrite
        self.owned = tuple(spans is not None for _, spans in self.groups)
        # owned= for an update: (params own, grads own) per group, when the params were
        # packed (copies) and when they were read from the last update's arrays
        self.owned_pairs = {True: tuple((o, o) for o in self.owned),
                            False: tuple((False, o) for o in self.owned)}
        self.floating = all(dtype.kind == "f" for _, dtype in sig)
        # tuple(list[k] for k in ...) of the leaves that live in packed groups, and of
        # the packed groups' arrays (None when there are none)
        self.packed_leaves = _picker([k for ks, spans in self.groups if spans is not None
                                      for k in ks])
        self.packed_groups = _picker([gi for gi, own in enumerate(self.owned) if own])

    def pack(self, leaves: list, packed: tuple = None) -> list:
        """The arrays of the update for these leaves: packed groups are copies, or the
        arrays ``packed`` (one per packed group) when the caller knows they hold them."""
        out = []
        j = 0
        for ks, spans in self.groups:
            if spans is None:
                a = leaves[ks[0]]
                out.append(a if a.ndim else a.reshape(1))
            elif packed is not None:
                out.append(packed[j])
                j += 1
            else:
                out.append(np.concatenate([leaves[k] for k in ks], axis=None))
        return out

    def unpack(self, arrays: list) -> list:
        """The leaves of these update arrays (views into the packed buffers)."""
        return [arrays[gi][sl].reshape(shape) for gi, sl, shape in self.where]

    def leaf(self, arrays: list, k: int) -> np.ndarray:
        """Leaf ``k`` of these update arrays (a view)."""
        gi, sl, shape = self.where[k]
        return arrays[gi][sl].reshape(shape)

    def zeros(self) -> list:
        """Update arrays of zeros (an optimiser's buffers before the first step)."""
        out = []
        for ks, spans in self.groups:
            shape, dtype = self.sig[ks[0]]
            if spans is None:
                out.append(np.zeros(shape if shape else (1,), dtype=dtype))
            else:
                out.append(np.zeros(spans[-1][0].stop, dtype=dtype))
        return out


shape_and_dtype = attrgetter("shape", "dtype")


class _PickOne:
    """``seq -> (seq[k],)``; a class, not a lambda, so that layouts pickle (scikit-learn
    estimators holding an optimiser state are pickled)."""

    __slots__ = ("k",)

    def __init__(self, k: int) -> None:
        self.k = k

    def __call__(self, seq) -> tuple:
        return (seq[self.k],)


def _picker(ks: list):
    """``seq -> tuple(seq[k] for k in ks)`` by a C-level itemgetter (None if empty)."""
    if not ks:
        return None
    return _PickOne(ks[0]) if len(ks) == 1 else itemgetter(*ks)


def layout_of(leaves: list, packed: bool, sig: tuple = None) -> Layout:
    """The layout of these (checked, floating-point) leaves; cached by their shapes and
    dtypes (``sig``: ``tuple(map(shape_and_dtype, leaves))`` when already known).
    ``packed=False`` keeps every leaf its own group.

    >>> import numpy as np
    >>> leaves = [np.zeros((2, 2)), np.zeros(2), np.zeros(SMALL + 1)]
    >>> [ks for ks, _ in layout_of(leaves, packed=True).groups]     # the big one alone
    [[0, 1], [2]]
    >>> layout_of(leaves, packed=True) is layout_of(leaves, packed=True)
    True
    """
    if sig is None:
        sig = tuple(map(shape_and_dtype, leaves))
    key = (sig, packed)
    lay = _LAYOUTS.get(key)
    if lay is None:
        if len(_LAYOUTS) > 256:
            _LAYOUTS.clear()
        lay = _LAYOUTS[key] = Layout(sig, packed)
    return lay


class LeafBuffers(Sequence):
    """One optimiser buffer (Adam's ``m``, ...): reads as a list of one array per
    parameter leaf, in ``cr.tree_leaves(params)`` order (views), and is stored packed.
    Pytree functions treat it as a list; an update handed a plain list of arrays instead
    checks and packs it.

    >>> import numpy as np
    >>> from chainrule import optim
    >>> state = optim.Adam(0.1).init([np.zeros(2), np.zeros((2, 2))])
    >>> state["m"]
    [array([0., 0.]), array([[0., 0.],
           [0., 0.]])]
    >>> [m.shape for m in state["m"]]
    [(2,), (2, 2)]
    """

    __slots__ = ("layout", "arrays", "params")

    def __init__(self, layout: Layout, arrays: list, params: tuple = None) -> None:
        self.layout = layout
        self.arrays = arrays
        # (packed arrays, their leaves) of the params returned with this state, so that
        # the next update, handed exactly those leaves, reads them without packing a copy.
        # Only packed groups (small leaves) are kept: a large leaf is never copied, and
        # a state must not keep a large array alive.
        self.params = params

    def __len__(self) -> int:
        return self.layout.n

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self.layout.n))]
        n = self.layout.n
        if not -n <= k < n:
            raise IndexError(f"buffer index {k} out of range for {n} parameter arrays")
        return self.layout.leaf(self.arrays, k % n)

    def __iter__(self):
        leaf, arrays = self.layout.leaf, self.arrays
        return (leaf(arrays, k) for k in range(self.layout.n))

    def __repr__(self) -> str:
        return repr(list(self))


register_list_like(LeafBuffers)   # cr.tree_leaves(state) reaches the arrays
