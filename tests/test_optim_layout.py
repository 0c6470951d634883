"""Packed optimiser updates (chainrule.optim.layout): small parameter arrays are updated
together in one flat buffer, large ones alone. Packing must change nothing but the
speed: every built-in optimiser gives the same numbers packed and unpacked, on any
mix of shapes, dtypes and 0-d leaves, and never modifies or aliases what it is given."""
import copy

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.optim import layout as L
from chainrule.sklearn._optimizers import ScikitAdam, ScikitSGD

OPTS = [
    optim.SGD(0.05), optim.SGD(0.05, momentum=0.9, nesterov=True),
    optim.SGD(0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
    optim.Adam(0.1), optim.Adam(0.05, b1=0.5, b2=0.9, weight_decay=0.2),
    optim.RMSProp(0.01, momentum=0.5, centered=True), optim.RMSProp(0.01, weight_decay=0.1),
    optim.AdaGrad(0.3, initial_accumulator_value=0.5, weight_decay=0.05),
    ScikitAdam(0.01), ScikitSGD(0.01, momentum=0.9),
]


def unpacked(opt):
    """The same optimiser with packing off: one array per leaf, the reference."""
    twin = copy.copy(opt)
    twin.packed = False
    return twin


def mixed_params(rng):
    """Small and large leaves, float32 and float64, a 0-d leaf and a Python float."""
    big = L.SMALL + 7
    return {"w1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(4),
            "big": rng.standard_normal(big), "w32": rng.standard_normal((5, 2)).astype(np.float32),
            "b32": rng.standard_normal(2).astype(np.float32), "s": np.float64(0.5), "t": -1.5,
            "big32": rng.standard_normal((2, big // 2 + 1)).astype(np.float32)}


def grads_for(params, rng):
    return cr.tree_map(lambda p: rng.standard_normal(np.shape(p)).astype(np.asarray(p).dtype),
                       params)


def test_layout_groups_small_leaves_by_dtype_and_keeps_large_ones_alone():
    rng = np.random.default_rng(0)
    leaves = [np.asarray(p) for p in cr.tree_leaves(mixed_params(rng))]
    lay = L.layout_of(leaves, packed=True)
    groups = [ks for ks, _ in lay.groups]
    names = sorted(mixed_params(rng))                  # dict leaves are in key order
    by_name = {n: k for k, n in enumerate(names)}
    assert [by_name["big"]] in groups and [by_name["big32"]] in groups
    f64 = sorted(by_name[n] for n in ("w1", "b1", "s", "t"))
    f32 = sorted(by_name[n] for n in ("w32", "b32"))
    assert f64 in groups and f32 in groups and len(groups) == 4
    arrays = lay.pack(leaves)
    assert {a.dtype for a in arrays} == {np.dtype(np.float64), np.dtype(np.float32)}
    back = lay.unpack(arrays)
    for a, b in zip(back, leaves):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    unpacked_lay = L.layout_of(leaves, packed=False)
    assert len(unpacked_lay.groups) == len(leaves) and not any(unpacked_lay.owned)


@pytest.mark.parametrize("opt", OPTS, ids=repr)
def test_packed_update_equals_the_update_of_each_array(opt):
    rng = np.random.default_rng(1)
    params = mixed_params(rng)
    ref = unpacked(opt)
    p1, s1 = params, opt.init(params)
    p2, s2 = params, ref.init(params)
    for _ in range(4):
        g = grads_for(p1, rng)
        p1, s1 = opt.update(p1, g, s1)
        p2, s2 = ref.update(p2, g, s2)
    for a, b in zip(cr.tree_leaves((p1, s1)), cr.tree_leaves((p2, s2))):
        assert np.shape(a) == np.shape(b) and np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_allclose(a, b, rtol=1e-6 if np.asarray(a).dtype == np.float32
                                   else 1e-13)
    assert np.shape(p1["s"]) == () and np.shape(p1["t"]) == ()


@pytest.mark.parametrize("opt", OPTS, ids=repr)
def test_packed_update_modifies_and_aliases_nothing(opt):
    rng = np.random.default_rng(2)
    params = mixed_params(rng)
    params, state = opt.update(params, grads_for(params, rng), opt.init(params))
    grads = grads_for(params, rng)
    keep = copy.deepcopy((params, grads, state))
    new_params, new_state = opt.update(params, grads, state)
    for a, b in zip(cr.tree_leaves((params, grads, state)), cr.tree_leaves(keep)):
        np.testing.assert_array_equal(a, b)
    old = [a for a in cr.tree_leaves((params, grads, state)) if isinstance(a, np.ndarray)]
    new_p = [a for a in cr.tree_leaves(new_params) if isinstance(a, np.ndarray)]
    new_s = [a for a in cr.tree_leaves({k: v for k, v in new_state.items() if k != "step"})]
    for a in new_p + new_s:
        assert not any(np.shares_memory(a, b) for b in old)
    for a in new_p:                                    # params and buffers stay apart
        assert not any(np.shares_memory(a, b) for b in new_s)


def test_state_buffers_read_as_one_array_per_leaf():
    params = [(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))]
    state = optim.Adam(0.1).init(params)
    m = state["m"]
    assert len(m) == 4 and [a.shape for a in m] == [(2, 3), (3,), (3, 1), (1,)]
    assert [a.shape for a in m[1:3]] == [(3,), (3, 1)] and m[-1].shape == (1,)
    with pytest.raises(IndexError, match="buffer index 4 out of range for 4"):
        m[4]
    buffers = cr.tree_leaves({"m": state["m"], "v": state["v"]})
    assert [a.shape for a in buffers] == [a.shape for a in m] * 2
    assert repr(m).startswith("[array([[0., 0., 0.]")


@pytest.mark.parametrize("make_state", [
    lambda s: {k: (list(v) if k != "step" else v) for k, v in s.items()},   # plain lists
    copy.deepcopy,                                         # another layout object
    lambda s: {k: (cr.tree_map(np.copy, v) if k != "step" else v)   # a pytree copy
               for k, v in s.items()},
], ids=["lists", "deepcopy", "tree_map"])
def test_a_state_in_another_form_gives_the_same_step(make_state):
    opt = optim.Adam(0.1)
    rng = np.random.default_rng(3)
    params = mixed_params(rng)
    params, state = opt.update(params, grads_for(params, rng), opt.init(params))
    g = grads_for(params, rng)
    want = opt.update(params, g, state)
    got = opt.update(params, g, make_state(state))
    for a, b in zip(cr.tree_leaves(got), cr.tree_leaves(want)):
        np.testing.assert_array_equal(a, b)


def test_subclasses_without_owned_still_work():
    class PlainAdam(optim.Adam):          # an override that knows nothing of packing
        def _apply(self, params, grads, buffers, t, lr):
            return super()._apply(params, grads, buffers, t, lr)

    class Sign(optim.Optimizer):          # packed off (the default): one array per leaf
        def _apply(self, params, grads, buffers, t, lr):
            assert [p.shape for p in params] == [(2, 2), (1,)]
            return [p - lr * np.sign(g) for p, g in zip(params, grads)], {}

    params = [np.ones((2, 2)), np.float64(1.0)]
    grads = [np.full((2, 2), 3.0), np.float64(-2.0)]
    a = PlainAdam(0.1)
    b = optim.Adam(0.1)
    for x, y in zip(a.update(params, grads, a.init(params))[0],
                    b.update(params, grads, b.init(params))[0]):
        assert np.shape(x) == np.shape(y)
        np.testing.assert_array_equal(x, y)
    s = Sign(0.5)
    new, _ = s.update(params, grads, s.init(params))
    np.testing.assert_array_equal(new[0], np.full((2, 2), 0.5))
    assert np.shape(new[1]) == () and float(new[1]) == 1.5


# --- params handed straight back: read from the last update's arrays, not repacked --
def _float_params(rng):
    p = mixed_params(rng)
    p["t"] = np.asarray(p["t"])                         # leaves that come back as arrays
    return p


@pytest.mark.parametrize("opt", OPTS, ids=repr)
def test_params_fed_back_give_the_same_steps_as_fresh_copies(opt):
    rng = np.random.default_rng(3)
    params = _float_params(rng)
    grads = [grads_for(params, rng) for _ in range(4)]
    p_fed, s_fed = params, opt.init(params)
    p_copy, s_copy = params, opt.init(params)
    for g in grads:
        p_fed, s_fed = opt.update(p_fed, g, s_fed)         # the returned views, as they are
        fresh = cr.tree_map(np.copy, p_copy)                # new arrays: packed afresh
        p_copy, s_copy = opt.update(fresh, g, s_copy)
        for a, b in zip(cr.tree_leaves(p_fed), cr.tree_leaves(p_copy)):
            np.testing.assert_array_equal(a, b)


def test_params_fed_back_are_never_written_and_edits_to_them_count():
    rng = np.random.default_rng(4)
    params = _float_params(rng)
    opt = optim.Adam(0.1)
    state = opt.init(params)
    g = grads_for(params, rng)
    p1, s1 = opt.update(params, g, state)
    kept = cr.tree_map(np.copy, p1)
    p2, _ = opt.update(p1, g, s1)                           # reads p1's packed arrays
    p2b, _ = opt.update(p1, g, s1)                          # twice: same answer
    for a, b, c in zip(cr.tree_leaves(p1), cr.tree_leaves(kept), cr.tree_leaves(p2b)):
        np.testing.assert_array_equal(a, b)                 # p1 untouched by the updates
    for a, c in zip(cr.tree_leaves(p2), cr.tree_leaves(p2b)):
        np.testing.assert_array_equal(a, c)
    # an edit in place to a returned leaf is what the next update sees
    p1["w1"][0, 0] += 100.0
    p3, _ = opt.update(p1, g, s1)
    p3_ref, _ = opt.update(cr.tree_map(np.copy, p1), g, s1)
    for a, b in zip(cr.tree_leaves(p3), cr.tree_leaves(p3_ref)):
        np.testing.assert_array_equal(a, b)
    assert abs(p3["w1"][0, 0] - p2["w1"][0, 0]) > 50


def test_params_fed_back_are_read_without_packing(monkeypatch):
    rng = np.random.default_rng(5)
    params = _float_params(rng)
    opt = optim.Adam(0.1)
    p, s = opt.update(params, grads_for(params, rng), opt.init(params))
    n_packed = sum(spans is not None for _, spans in s["m"].layout.groups)
    assert n_packed == 2                                    # float64 and float32 groups
    copies = []
    real = np.concatenate
    monkeypatch.setattr(np, "concatenate", lambda arrays, axis=0: copies.append(1) or
                        real(arrays, axis=axis))
    p, s = opt.update(p, grads_for(params, rng), s)
    assert len(copies) == n_packed                          # the grads only
    p, s = opt.update(cr.tree_map(np.copy, p), grads_for(params, rng), s)
    assert len(copies) == 3 * n_packed                      # new arrays: params packed too


def test_a_state_keeps_no_large_parameter_alive():
    import gc
    import weakref
    rng = np.random.default_rng(6)
    params = {"big": rng.standard_normal(L.SMALL + 1), "w": rng.standard_normal((3, 2))}
    opt = optim.Adam(0.1)
    new, state = opt.update(params, grads_for(params, rng), opt.init(params))
    big = weakref.ref(new["big"].base if new["big"].base is not None else new["big"])
    del new
    gc.collect()
    assert big() is None                    # the state holds only the small packed arrays
    again, _ = opt.update(params, grads_for(params, rng), state)   # and still works
    assert again["big"].shape == params["big"].shape


def test_other_params_with_a_fed_back_state_are_read_as_given():
    rng = np.random.default_rng(7)
    params = _float_params(rng)
    opt = optim.Adam(0.1)
    g = grads_for(params, rng)
    p1, s1 = opt.update(params, g, opt.init(params))
    shifted = cr.tree_map(lambda a: a + 1.0, p1)            # other arrays, other values
    a, _ = opt.update(p1, g, s1)
    b, _ = opt.update(shifted, g, s1)
    for x, y in zip(cr.tree_leaves(a), cr.tree_leaves(b)):
        np.testing.assert_allclose(y - x, 1.0, rtol=1e-5)


def test_states_pickle_and_keep_working():
    import pickle
    rng = np.random.default_rng(8)
    for params in (_float_params(rng), [np.zeros(3)], {"big": np.zeros(L.SMALL + 1)}):
        opt = optim.Adam(0.1)
        g = grads_for(params, rng)
        p1, s1 = opt.update(params, g, opt.init(params))
        s2 = pickle.loads(pickle.dumps(s1))
        a, _ = opt.update(p1, g, s1)
        b, _ = opt.update(p1, g, s2)                  # an unpickled state: packed afresh
        for x, y in zip(cr.tree_leaves(a), cr.tree_leaves(b)):
            np.testing.assert_array_equal(x, y)
