"""Pytrees: nested ``dict``, ``list`` and ``tuple`` containers of array leaves.

Transformations flatten their arguments into a list of leaves, work on the leaves, and
rebuild the same structure for the results. ``None`` is an empty container (no leaves),
as in JAX; dict keys are kept in sorted order so that flattening is deterministic.
"""
from __future__ import annotations

from itertools import chain, islice
from typing import Any, Callable

__all__ = ["tree_flatten", "tree_unflatten", "tree_map", "tree_leaves", "tree_leaves_like",
           "TreeDef"]


def _rows_of(kind: str, children: tuple):
    """``(row kind, row lengths)`` for a tuple or list whose children are all tuples (or
    all lists) of leaves -- ``[(W, b), (W, b)]``, the usual parameters -- else None. Such
    trees are rebuilt by zip, with no Python step per row."""
    if kind not in ("tuple", "list") or not children:
        return None
    k = children[0].kind
    if k not in ("tuple", "list") or any(c.kind != k or not c.leafy for c in children):
        return None
    return k, tuple([len(c.children) for c in children])


class TreeDef:
    """The structure of a pytree without its leaves.

    ``kind`` is one of ``"leaf"``, ``"none"``, ``"tuple"``, ``"list"``, ``"dict"``;
    ``meta`` holds the sorted keys for dicts; ``children`` the sub-structures.
    """

    __slots__ = ("kind", "meta", "children", "num_leaves", "leafy", "rows")

    def __init__(self, kind: str, meta: Any, children: tuple) -> None:
        self.kind = kind
        self.meta = meta
        self.children = children
        self.num_leaves = 1 if kind == "leaf" else sum(c.num_leaves for c in children)
        # a container whose children are all leaves (rebuilt without recursion)
        self.leafy = kind != "leaf" and all(c.kind == "leaf" for c in children)
        self.rows = _rows_of(kind, children)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TreeDef) and self.kind == other.kind
                and self.meta == other.meta and self.children == other.children)

    def __hash__(self) -> int:
        return hash((self.kind, self.meta, self.children))

    def __repr__(self) -> str:
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        inner = ", ".join(repr(c) for c in self.children)
        if self.kind == "dict":
            inner = ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.meta, self.children))
            return "{" + inner + "}"
        if self.kind == "list":
            return "[" + inner + "]"
        if self.kind == "namedtuple":
            return f"{self.meta.__name__}({inner})"
        return "(" + inner + ("," if len(self.children) == 1 else "") + ")"


_LEAF = TreeDef("leaf", None, ())
_NONE = TreeDef("none", None, ())
_new = object.__new__


def _node(kind: str, meta: Any, children: tuple, num_leaves: int, leafy: bool) -> TreeDef:
    # TreeDef without __init__'s recount: flattening knows what it added
    td = _new(TreeDef)
    td.kind = kind
    td.meta = meta
    td.children = children
    td.num_leaves = num_leaves
    td.leafy = leafy
    td.rows = None
    return td


LIST_LIKE: set = set()
"""Sequence types flattened like a list (and rebuilt as a plain list): the packed
optimiser buffers of :mod:`chainrule.optim.layout`, which read as a list of arrays.
Add to it with :func:`register_list_like`."""

# Types known to be leaves: not tuple (or a subclass: namedtuples are nodes), list, dict,
# None or list-like. Filled as types are met, so that a container's children are checked
# by one set operation on their types.
_LEAF_TYPES: set = set()


def register_list_like(cls: type) -> None:
    """Flatten instances of the sequence type ``cls`` like lists (rebuilt as lists).

    >>> class Row(list):
    ...     pass
    >>> tree_flatten([Row([1.0, 2.0])])[0]        # a list subclass is a leaf ...
    [[1.0, 2.0]]
    >>> register_list_like(Row)
    >>> tree_flatten([Row([1.0, 2.0])])[0]        # ... until it is registered
    [1.0, 2.0]
    >>> LIST_LIKE.discard(Row)
    """
    LIST_LIKE.add(cls)
    _LEAF_TYPES.discard(cls)


def _learn_leaf_type(leaf) -> None:
    """Remember the type of ``leaf`` (a value flatten has just taken as a leaf) as a leaf
    type. Tuple subclasses are not remembered: whether one is a container depends on the
    instance (a ``_fields`` attribute makes it a namedtuple)."""
    if isinstance(leaf, tuple):
        return
    if len(_LEAF_TYPES) > 1024:                 # classes made on the fly: stay bounded
        _LEAF_TYPES.clear()
    _LEAF_TYPES.add(type(leaf))


class _LeafyDefs(dict):
    """The shared TreeDef of a tuple (or list) of n leaves, made on first use."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def __missing__(self, n: int) -> "TreeDef":
        td = self[n] = _node(self.kind, None, (_LEAF,) * n, n, True)
        return td


_LEAFY = {"tuple": _LeafyDefs("tuple"), "list": _LeafyDefs("list")}

_SEQUENCE = {"tuple": tuple, "list": list}

# Shared TreeDefs of dicts of leaves whose keys are all strings, keyed by their (sorted)
# keys. (Only strings: equal keys of other types can differ, 1 == 1.0 == True, and a
# rebuilt dict must get the caller's own keys.)
_DICTS: dict = {}
_STR = {str}

# Shared TreeDefs of tuples / lists whose children are all shared leafy TreeDefs, keyed
# by the kind and the children's ids (the leafy defs above live as long as the module).
_ROWS: dict = {}


# The TreeDefs of lists / tuples of tuples of leaves, keyed by the container type and the
# row lengths: what tree_flatten's quick path returns (each made once by _flatten).
_ROW_TREES: dict = {}
_TUPLE = {tuple}


def _rows_def(key: tuple, kind: str, kids: tuple) -> TreeDef:
    if len(_ROWS) > 1024:
        _ROWS.clear()
    td = _ROWS[key] = _node(kind, None, kids, sum(k.num_leaves for k in kids), False)
    td.rows = _rows_of(kind, kids)
    return td


def _is_node(x) -> bool:
    """Whether ``_flatten`` treats ``x`` as a container (the slow, exact test)."""
    t = type(x)
    return t is tuple or t is list or t is dict or x is None or t in LIST_LIKE \
        or (isinstance(x, tuple) and hasattr(x, "_fields"))


def _flatten(tree: Any, leaves: list) -> TreeDef:
    t = type(tree)
    start = len(leaves)
    if t is tuple or t is list or t in LIST_LIKE:
        kind = "tuple" if t is tuple else "list"
        kids = []
        leafy = rows = True                 # rows: every child a shared leafy TreeDef
        for c in tree:                      # leaves inline: one call per container only
            tc = type(c)
            if tc in _LEAF_TYPES:
                leaves.append(c)
                kids.append(_LEAF)
                rows = False
            elif (tc is tuple or tc is list) and _LEAF_TYPES.issuperset(map(type, c)):
                leaves.extend(c)                # a row of leaves, inline: no call
                kids.append(_LEAFY["tuple" if tc is tuple else "list"][len(c)])
                leafy = False
            elif tc is dict or _is_node(c):     # (dicts first: nn layers are dicts)
                sub = _flatten(c, leaves)
                kids.append(sub)
                leafy = False
                rows = rows and sub.leafy and sub.kind != "dict"
            else:
                _learn_leaf_type(c)
                leaves.append(c)
                kids.append(_LEAF)
                rows = False
        if leafy:
            return _LEAFY[kind][len(kids)]
        if rows:                            # [(W, b), ...]: one shared TreeDef per shape
            key = (kind, *map(id, kids))
            td = _ROWS.get(key)
            if td is None:
                td = _rows_def(key, kind, tuple(kids))
            return td
        td = _new(TreeDef)                  # _node inline
        td.kind = kind
        td.meta = None
        td.children = tuple(kids)
        td.num_leaves = len(leaves) - start
        td.leafy = False
        td.rows = None
        return td
    if t is dict:
        keys = tuple(sorted(tree))
        vals = list(map(tree.__getitem__, keys))
        if set(map(type, vals)) <= _LEAF_TYPES:            # {"W": W, "b": b}
            leaves.extend(vals)
            shared = _STR.issuperset(map(type, keys))        # 1 == 1.0: not shared
            td = _DICTS.get(keys) if shared else None
            if td is None:
                td = _node("dict", keys, (_LEAF,) * len(keys), len(keys), True)
                if shared:
                    if len(_DICTS) > 1024:
                        _DICTS.clear()
                    _DICTS[keys] = td
            return td
        kids = tuple([_flatten(v, leaves) for v in vals])
        return _node("dict", keys, kids, len(leaves) - start, all(k is _LEAF for k in kids))
    if tree is None:
        return _NONE
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):      # namedtuple
        kids = tuple([_flatten(c, leaves) for c in tree])
        return _node("namedtuple", t, kids, len(leaves) - start, False)
    if t not in _LEAF_TYPES:
        _learn_leaf_type(tree)
    leaves.append(tree)
    return _LEAF


def tree_flatten(tree: Any) -> tuple[list, TreeDef]:
    """Split a pytree into its list of leaves and its structure.

    >>> leaves, treedef = tree_flatten({"b": (1.0, 2.0), "a": [3.0]})
    >>> leaves
    [3.0, 1.0, 2.0]
    >>> tree_unflatten(treedef, [x * 10 for x in leaves])
    {'a': [30.0], 'b': (10.0, 20.0)}
    """
    t = type(tree)
    if (t is list or t is tuple) and tree and _TUPLE >= set(map(type, tree)):
        # rows of leaves, [(W, b), ...] (the usual parameters): C-level loops only
        leaves = list(chain.from_iterable(tree))
        if _LEAF_TYPES.issuperset(map(type, leaves)):
            key = (t, *map(len, tree))
            td = _ROW_TREES.get(key)
            if td is None:
                if len(_ROW_TREES) > 1024:
                    _ROW_TREES.clear()
                td = _ROW_TREES[key] = _flatten(tree, [])
            return leaves, td
    leaves = []
    return leaves, _flatten(tree, leaves)


def _leaves_like(td: TreeDef, tree: Any, leaves: list) -> bool:
    kind = td.kind
    if kind == "leaf":
        if _is_node(tree):
            return False
        leaves.append(tree)
        return True
    if kind == "none":
        return tree is None
    t = type(tree)
    if kind == "tuple" or kind == "list":
        if t is not (tuple if kind == "tuple" else list) or len(tree) != len(td.children):
            return False
        if td.leafy:
            for c in tree:
                if type(c) not in _LEAF_TYPES and _is_node(c):
                    return False
                leaves.append(c)
            return True
        for c, x in zip(td.children, tree):
            if c is _LEAF:
                if type(x) not in _LEAF_TYPES and _is_node(x):
                    return False
                leaves.append(x)
            elif c.leafy and _SEQUENCE.get(c.kind) is type(x) and len(x) == len(c.children) \
                    and _LEAF_TYPES.issuperset(map(type, x)):
                leaves.extend(x)                # a row of leaves, inline: no call
            elif not _leaves_like(c, x, leaves):
                return False
        return True
    if kind == "dict":
        if t is not dict or len(tree) != len(td.meta) or any(k not in tree for k in td.meta):
            return False
        return all(_leaves_like(c, tree[k], leaves) for c, k in zip(td.children, td.meta))
    if t is not td.meta:                                             # namedtuple
        return False
    return all(_leaves_like(c, x, leaves) for c, x in zip(td.children, tree))


def tree_leaves_like(treedef: TreeDef, tree: Any) -> list:
    """The leaves of ``tree``, which must have the structure ``treedef`` (else a
    ``ValueError``); cheaper than flattening it and comparing the two structures.

    >>> _, td = tree_flatten([(1.0, 2.0), {"w": 3.0}])
    >>> tree_leaves_like(td, [(10.0, 20.0), {"w": 30.0}])
    [10.0, 20.0, 30.0]
    >>> tree_leaves_like(td, [(10.0, 20.0)])
    Traceback (most recent call last):
    ...
    ValueError: tree_leaves_like: the tree has the structure [(*, *)], not [(*, *), {'w': *}]
    """
    leaves: list = []
    if not _leaves_like(treedef, tree, leaves):
        raise ValueError(f"tree_leaves_like: the tree has the structure "
                         f"{tree_flatten(tree)[1]!r}, not {treedef!r}")
    return leaves


def tree_leaves(tree: Any) -> list:
    """The leaves of a pytree, in flattening order.

    >>> tree_leaves([1.0, {"w": 2.0}])
    [1.0, 2.0]
    """
    return tree_flatten(tree)[0]


def _unflatten(td: TreeDef, it) -> Any:
    kind = td.kind
    if kind == "leaf":
        return next(it)
    if kind == "none":
        return None
    if td.leafy:                            # all leaves: no per-child Python step
        if kind == "tuple":
            return tuple(islice(it, len(td.children)))
        kids = list(islice(it, len(td.children)))
    elif td.rows is not None:               # rows of leaves: zip cuts them in C
        row_kind, lens = td.rows
        k = lens[0]
        if k and lens.count(k) == len(lens):
            kids = list(islice(zip(*[it] * k), len(lens)))
        else:
            kids = [tuple(islice(it, n)) for n in lens]
        if row_kind == "list":
            kids = list(map(list, kids))
    else:
        kids = [next(it) if c is _LEAF else _unflatten(c, it) for c in td.children]
    if kind == "tuple":
        return tuple(kids)
    if kind == "list":
        return kids
    if kind == "dict":
        return dict(zip(td.meta, kids))
    return td.meta(*kids)                                            # namedtuple


def tree_unflatten(treedef: TreeDef, leaves) -> Any:
    """Rebuild a pytree of structure ``treedef`` from an iterable of leaves.

    >>> _, td = tree_flatten((1.0, [2.0, 3.0]))
    >>> tree_unflatten(td, [4.0, 5.0, 6.0])
    (4.0, [5.0, 6.0])
    """
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"tree_unflatten: structure {treedef!r} needs {treedef.num_leaves} "
                         f"leaves, got {len(leaves)}")
    return _unflatten(treedef, iter(leaves))


def tree_map(f: Callable, tree: Any, *rest: Any) -> Any:
    """Apply ``f`` to every leaf (and the matching leaves of ``rest``), keeping the structure.

    >>> tree_map(lambda x, y: x + y, {"a": 1.0, "b": (2.0,)}, {"a": 10.0, "b": (20.0,)})
    {'a': 11.0, 'b': (22.0,)}
    """
    leaves, td = tree_flatten(tree)
    others = []
    for r in rest:
        rl, rtd = tree_flatten(r)
        if rtd != td:
            raise ValueError(f"tree_map: structures differ: {td!r} and {rtd!r}")
        others.append(rl)
    return tree_unflatten(td, [f(*xs) for xs in zip(leaves, *others)])
