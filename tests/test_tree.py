"""Pytrees: flatten / unflatten / leaves_like against a plain recursive definition, on
random trees (hypothesis) and on the shapes the C-level fast paths take: a container of
leaves, and rows of leaves such as ``[(W, b), (W, b)]``."""
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from chainrule.optim.layout import LeafBuffers, layout_of
from chainrule.tree import (TreeDef, register_list_like, tree_flatten, tree_leaves_like,
                            tree_unflatten, LIST_LIKE)

Pair = namedtuple("Pair", "a b")


class Tagged(tuple):
    """A tuple subclass that is not a namedtuple: a leaf, as before."""


class MyList(list):
    """A list subclass: a leaf (only list itself is a container)."""


def reference(tree, leaves):
    """The pytree rules written out plainly: returns the structure as nested tuples."""
    t = type(tree)
    if t is tuple or t is list or t in LIST_LIKE:
        return ("list" if t is not tuple else "tuple",
                tuple(reference(c, leaves) for c in tree))
    if t is dict:
        return ("dict", tuple((k, reference(tree[k], leaves)) for k in sorted(tree)))
    if tree is None:
        return ("none",)
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return (t, tuple(reference(c, leaves) for c in tree))
    leaves.append(tree)
    return "*"


def shape_of(td: TreeDef):
    if td.kind == "leaf":
        return "*"
    if td.kind == "none":
        return ("none",)
    if td.kind == "dict":
        return ("dict", tuple((k, shape_of(c)) for k, c in zip(td.meta, td.children)))
    if td.kind == "namedtuple":
        return (td.meta, tuple(shape_of(c) for c in td.children))
    return (td.kind, tuple(shape_of(c) for c in td.children))


def rebuilt(tree):
    """``tree`` with every leaf replaced by a new object, through the public API."""
    leaves, td = tree_flatten(tree)
    new = [f"new{i}" for i in range(len(leaves))]
    return leaves, td, tree_unflatten(td, new), new


leaf_values = st.one_of(st.floats(allow_nan=False), st.integers(),
                        st.builds(lambda n: np.arange(float(n)), st.integers(0, 3)),
                        st.builds(Tagged, st.lists(st.integers(), max_size=2)),
                        st.builds(MyList, st.lists(st.integers(), max_size=2)))
trees = st.recursive(
    st.one_of(leaf_values, st.none()),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4),
        st.lists(kids, max_size=4).map(tuple),
        st.dictionaries(st.sampled_from("abcd"), kids, max_size=3),
        st.builds(Pair, kids, kids),
        # rows of leaves, the shape of layer parameters
        st.lists(st.lists(leaf_values, max_size=3).map(tuple), max_size=4),
        st.lists(st.lists(leaf_values, min_size=2, max_size=2), max_size=4).map(tuple)),
    max_leaves=12)


def same(a, b):
    """Structural equality that compares leaves by identity (arrays have no ==)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) in (list, tuple) or (isinstance(a, tuple) and hasattr(a, "_fields")):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a is b


@settings(max_examples=300, deadline=None)
@given(trees)
def test_flatten_matches_the_plain_definition(tree):
    ref_leaves = []
    ref = reference(tree, ref_leaves)
    leaves, td = tree_flatten(tree)
    assert shape_of(td) == ref
    assert len(leaves) == len(ref_leaves) == td.num_leaves
    assert all(x is y for x, y in zip(leaves, ref_leaves))
    # round trip, and leaves_like on the same structure
    assert same(tree_unflatten(td, leaves), tree)
    got = tree_leaves_like(td, tree)
    assert all(x is y for x, y in zip(got, leaves)) and len(got) == len(leaves)
    _, td2 = tree_flatten(tree_unflatten(td, leaves))
    assert td2 == td and hash(td2) == hash(td)


@settings(max_examples=200, deadline=None)
@given(trees, trees)
def test_leaves_like_rejects_other_structures(a, b):
    _, ta = tree_flatten(a)
    _, tb = tree_flatten(b)
    if ta == tb:
        assert len(tree_leaves_like(ta, b)) == ta.num_leaves
    else:
        with pytest.raises(ValueError, match="tree_leaves_like: the tree has the structure"):
            tree_leaves_like(ta, b)


@pytest.mark.parametrize("tree", [
    [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)],           # equal rows: zip
    [(1.0,), (2.0, 3.0, 4.0), ()],                   # rows of different lengths
    [(), (), ()],                                    # empty rows
    ([1.0, 2.0], [3.0, 4.0]),                        # rows of lists in a tuple
    [(np.zeros(2), np.ones(3)), (np.zeros((2, 2)), np.ones(1))],
])
def test_rows_of_leaves_round_trip(tree):
    leaves, td, back, new = rebuilt(tree)
    assert td.rows is not None
    assert type(back) is type(tree) and len(back) == len(tree)
    assert [type(r) for r in back] == [type(r) for r in tree]
    assert [len(r) for r in back] == [len(r) for r in tree]
    assert tree_flatten(back)[0] == new
    assert tree_leaves_like(td, back) == new


@pytest.mark.parametrize("tree", [
    [(1.0, 2.0), (3.0, 4.0)],
    ((np.zeros(2), np.ones(3)), (np.zeros((2, 2)),), ()),
    [(MyList([1]), 2.0)],                            # a list subclass is a leaf
])
def test_the_quick_path_for_rows_gives_the_general_structure(tree):
    from chainrule import tree as tree_module
    tree_flatten(tree)                               # learns the leaf types
    leaves, td = tree_flatten(tree)
    assert (type(tree), *map(len, tree)) in tree_module._ROW_TREES   # the quick path ran
    general = []
    assert td == tree_module._flatten(tree, general) and td.rows is not None
    assert len(leaves) == len(general) and all(map(lambda a, b: a is b, leaves, general))
    assert same(tree_unflatten(td, leaves), tree)


@pytest.mark.parametrize("tree", [
    [(1.0, 2.0), [3.0, 4.0]],                        # mixed row kinds
    [(1.0, (2.0,)), (3.0, 4.0)],                     # a row with a container
    [(1.0, None), (3.0, 4.0)],                       # None is an empty container
    [(1.0, Pair(1, 2)), (3.0, 4.0)],                 # namedtuples are containers
    [(1.0, 2.0), 3.0],                               # a row and a leaf
])
def test_trees_that_are_not_rows_of_leaves(tree):
    ref_leaves = []
    ref = reference(tree, ref_leaves)
    leaves, td = tree_flatten(tree)
    assert shape_of(td) == ref and td.rows is None
    assert all(x is y for x, y in zip(leaves, ref_leaves))
    assert same(tree_unflatten(td, leaves), tree)


def test_leaves_like_checks_row_lengths_kinds_and_leaves():
    _, td = tree_flatten([(1.0, 2.0), (3.0, 4.0)])
    for bad in ([(1.0, 2.0), (3.0,)], [(1.0, 2.0), [3.0, 4.0]], [(1.0, 2.0), (3.0, (4.0,))],
                [(1.0, 2.0), (3.0, None)], ((1.0, 2.0), (3.0, 4.0)), [(1.0, 2.0)]):
        with pytest.raises(ValueError):
            tree_leaves_like(td, bad)


def test_subclasses_stay_leaves_and_list_likes_stay_containers():
    t, m = Tagged((1, 2)), MyList([3])
    leaves, td = tree_flatten([(t, m), (m, t)])
    assert leaves == [t, m, m, t] and all(x is y for x, y in zip(leaves, [t, m, m, t]))
    buf = LeafBuffers(layout_of([np.zeros(2), np.zeros(3)], True),
                      [np.arange(5.0)])
    leaves, td = tree_flatten([buf, (np.zeros(1),)])
    assert len(leaves) == 3 and td.children[0].kind == "list"


def test_a_type_registered_late_becomes_a_container():
    class Late(list):
        pass

    x = Late([1.0, 2.0])
    assert tree_flatten([x])[0] == [x]              # a leaf while unregistered
    register_list_like(Late)
    try:
        assert tree_flatten([x])[0] == [1.0, 2.0]
    finally:
        LIST_LIKE.discard(Late)


def test_leaves_like_uses_the_flattening_rules_for_leaves():
    # a namedtuple, a list-like or None where the structure has a leaf is a mismatch
    _, td = tree_flatten((1.0, 2.0))
    buf = LeafBuffers(layout_of([np.zeros(2)], True), [np.zeros(2)])
    for odd in (Pair(1, 2), buf, None):
        with pytest.raises(ValueError):
            tree_leaves_like(td, (1.0, odd))
    t = Tagged((1, 2))                               # a plain tuple subclass is a leaf
    assert tree_leaves_like(td, (1.0, t))[1] is t


def test_leaves_like_on_rows_with_a_leaf_in_place_of_a_row():
    _, td = tree_flatten([(1.0, 2.0), (3.0, 4.0)])
    with pytest.raises(ValueError):
        tree_leaves_like(td, [(1.0, 2.0), 3.0])     # a float has no len(): no TypeError


def test_dicts_of_leaves_share_their_structure_and_round_trip():
    class Odd:                                       # a type no flatten has met yet
        pass

    a, b = Odd(), Odd()
    for _ in range(2):                               # first meeting, then the fast path
        leaves, td = tree_flatten({"b": a, "a": b})
        assert leaves == [b, a] and td.leafy and td.meta == ("a", "b")
    assert tree_flatten({"a": 1.0, "b": 2.0})[1] is tree_flatten({"b": 3.0, "a": 4.0})[1]
    assert tree_unflatten(td, [1, 2]) == {"a": 1, "b": 2}
    leaves, td = tree_flatten({"a": (1.0, 2.0), "b": None, "c": Pair(3.0, 4.0)})
    assert leaves == [1.0, 2.0, 3.0, 4.0] and not td.leafy
    assert tree_unflatten(td, leaves) == {"a": (1.0, 2.0), "b": None, "c": Pair(3.0, 4.0)}


def test_dicts_with_equal_keys_of_other_types_keep_their_own_keys():
    for _ in range(2):                               # the second time on the fast path
        a = tree_flatten({1.0: "x"})[1]
    b = tree_flatten({1: "y"})[1]
    assert tree_unflatten(a, ["p"]) == {1.0: "p"}
    back = tree_unflatten(b, ["q"])
    assert back == {1: "q"} and type(next(iter(back))) is int
