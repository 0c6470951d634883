"""Property tests (hypothesis) for ``chainrule.numpy``: random shapes and values.

* elementwise functions: the gradient of ``sum(f(x))`` matches finite differences;
* broadcasting binary operations on random broadcast-compatible shapes: gradients have
  the arguments' shapes and match finite differences; ``jacfwd == jacrev``;
* the JVP is linear in the tangent, and ``<u, J v>`` is the same from a JVP and a VJP;
* reductions with random axes and keepdims; random basic/advanced indices; random
  transposes and reshapes (their Jacobians are 0/1 selection matrices);
* Hessians are symmetric and equal forward-over-reverse.
"""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import chainrule as cr  # noqa: E402
import chainrule.numpy as cnp  # noqa: E402

SMALL = settings(max_examples=50, deadline=None)

# name -> (function, lowest, highest value): inside the domain, away from kinks
UNARY = {
    "sin": (cnp.sin, -3, 3), "cos": (cnp.cos, -3, 3), "tan": (cnp.tan, -1.2, 1.2),
    "arcsin": (cnp.arcsin, -0.9, 0.9), "arccos": (cnp.arccos, -0.9, 0.9),
    "arctan": (cnp.arctan, -3, 3), "sinh": (cnp.sinh, -2, 2), "cosh": (cnp.cosh, -2, 2),
    "tanh": (cnp.tanh, -2, 2), "arcsinh": (cnp.arcsinh, -3, 3),
    "arccosh": (cnp.arccosh, 1.1, 4), "arctanh": (cnp.arctanh, -0.9, 0.9),
    "exp": (cnp.exp, -2, 2), "exp2": (cnp.exp2, -2, 2), "expm1": (cnp.expm1, -2, 2),
    "log": (cnp.log, 0.2, 4), "log2": (cnp.log2, 0.2, 4), "log10": (cnp.log10, 0.2, 4),
    "log1p": (cnp.log1p, -0.8, 3), "sqrt": (cnp.sqrt, 0.2, 4), "cbrt": (cnp.cbrt, 0.2, 4),
    "square": (cnp.square, -3, 3), "reciprocal": (cnp.reciprocal, 0.3, 3),
    "abs": (cnp.abs, 0.1, 3), "sinc": (cnp.sinc, 0.1, 2), "deg2rad": (cnp.deg2rad, -90, 90),
}
BINARY = {
    "add": (cnp.add, (-3, 3), (-3, 3)), "subtract": (cnp.subtract, (-3, 3), (-3, 3)),
    "multiply": (cnp.multiply, (-3, 3), (-3, 3)), "divide": (cnp.divide, (-3, 3), (0.5, 3)),
    "power": (cnp.power, (0.3, 3), (-2, 2)), "arctan2": (cnp.arctan2, (-3, 3), (0.3, 3)),
    "hypot": (cnp.hypot, (0.3, 3), (0.3, 3)), "logaddexp": (cnp.logaddexp, (-3, 3), (-3, 3)),
    "matmul-free": (lambda a, b: a * b + a / (1 + b * b), (-2, 2), (-2, 2)),
}

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def values(shape, lo, hi):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False,
                                                             allow_subnormal=False))


def _numeric_close(got, fun, *args, argnums=0):
    want = cr.numerical_grad(fun, *args, argnums=argnums)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@SMALL
@given(name=st.sampled_from(sorted(UNARY)), data=st.data())
def test_elementwise_gradient_matches_finite_differences(name, data):
    f, lo, hi = UNARY[name]
    x = data.draw(values(data.draw(shapes), lo, hi))
    s = lambda x: cnp.sum(f(x))                        # noqa: E731
    g = cr.grad(s)(x)
    assert g.shape == x.shape
    _numeric_close(g, s, x)
    # the forward-mode gradient of a sum is the same row
    np.testing.assert_allclose(cr.jacfwd(s)(x), g, rtol=1e-12, atol=1e-12)


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast together (with 1s and missing leading axes)."""
    full = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    out = []
    for _ in range(2):
        k = draw(st.integers(0, len(full)))            # drop k leading axes
        out.append(tuple(1 if draw(st.booleans()) else s for s in full[k:]))
    return out


@SMALL
@given(name=st.sampled_from(sorted(BINARY)), pair=broadcast_pair(), data=st.data())
def test_broadcasting_binary_ops(name, pair, data):
    f, (lo1, hi1), (lo2, hi2) = BINARY[name]
    x = data.draw(values(pair[0], lo1, hi1))
    y = data.draw(values(pair[1], lo2, hi2))
    s = lambda x, y: cnp.sum(cnp.sin(f(x, y)))          # noqa: E731
    gx, gy = cr.grad(s, argnums=(0, 1))(x, y)
    assert gx.shape == x.shape and gy.shape == y.shape
    _numeric_close(gx, s, x, y, argnums=0)
    _numeric_close(gy, s, x, y, argnums=1)
    out_shape = np.broadcast_shapes(x.shape, y.shape)
    for k, a in enumerate((x, y)):
        jf = cr.jacfwd(f, argnums=k)(x, y)
        jr = cr.jacrev(f, argnums=k)(x, y)
        assert jf.shape == out_shape + a.shape
        np.testing.assert_allclose(jf, jr, rtol=1e-12, atol=1e-12)


# Functions of one (3, 4) argument mixing many rules, for the linearity properties.
COMPOSED = {
    "mlp": lambda x: cnp.tanh(x @ np.linspace(-1, 1, 8).reshape(4, 2)).sum(axis=0),
    "softmax": lambda x: cnp.exp(x - cnp.max(x, axis=1, keepdims=True))
    / cnp.sum(cnp.exp(x - cnp.max(x, axis=1, keepdims=True)), axis=1, keepdims=True),
    "norms": lambda x: cnp.sqrt(cnp.sum(x * x, axis=0) + 1.0),
    "index-mix": lambda x: x[np.array([0, 2, 2]), 1:] * cnp.cumsum(x, axis=0)[:, :3],
    "einsum": lambda x: cnp.einsum("ij,kj->ik", x, cnp.sin(x)),
    "var-prod": lambda x: cnp.var(x, axis=1) * cnp.prod(x[:, :2] + 2.0, axis=1),
    "shapes": lambda x: cnp.concatenate([x.T, cnp.flip(x, 0).T], axis=1).reshape(2, 12),
}
mat34 = values((3, 4), -1.5, 1.5)


@SMALL
@given(name=st.sampled_from(sorted(COMPOSED)), x=mat34, u=mat34, v=mat34,
       a=st.floats(-2, 2), b=st.floats(-2, 2))
def test_jvp_is_linear_in_the_tangent(name, x, u, v, a, b):
    f = COMPOSED[name]
    _, tu = cr.jvp(f, (x,), (u,))
    _, tv = cr.jvp(f, (x,), (v,))
    _, tw = cr.jvp(f, (x,), (a * u + b * v,))
    np.testing.assert_allclose(tw, a * tu + b * tv, rtol=1e-9, atol=1e-9)


@SMALL
@given(name=st.sampled_from(sorted(COMPOSED)), x=mat34, v=mat34, data=st.data())
def test_vjp_and_jvp_agree(name, x, v, data):
    f = COMPOSED[name]
    out, tv = cr.jvp(f, (x,), (v,))
    u = data.draw(values(np.shape(out), -1, 1))
    _, pull = cr.vjp(f, x)
    (ju,) = pull(u)
    # <u, J v> from forward mode equals <J^T u, v> from reverse mode
    np.testing.assert_allclose(np.vdot(u, tv), np.vdot(ju, v), rtol=1e-9, atol=1e-9)


@st.composite
def axis_choice(draw, ndim):
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none" or ndim == 0:
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(axes)


REDUCTIONS = {"sum": (cnp.sum, np.sum), "mean": (cnp.mean, np.mean), "max": (cnp.max, np.max),
              "min": (cnp.min, np.min), "prod": (cnp.prod, np.prod), "var": (cnp.var, np.var),
              "std": (cnp.std, np.std)}


@SMALL
@given(name=st.sampled_from(sorted(REDUCTIONS)), shape=shapes, keepdims=st.booleans(),
       data=st.data())
def test_reductions_with_random_axes(name, shape, keepdims, data):
    f, npf = REDUCTIONS[name]
    axis = data.draw(axis_choice(len(shape)))
    n = int(np.prod(shape, dtype=int))
    # distinct, spread values: no ties for max/min, no zero spread for std
    x = np.random.default_rng(n).permutation(np.linspace(0.5, 1.5, n)).reshape(shape)
    if name == "std" and n == 1:
        return
    r = f(x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(r, npf(x, axis=axis, keepdims=keepdims), rtol=1e-12)
    s = lambda x: cnp.sum(cnp.sin(f(x, axis=axis, keepdims=keepdims)))   # noqa: E731
    g = cr.grad(s)(x)
    _numeric_close(g, s, x)
    np.testing.assert_allclose(cr.jacfwd(s)(x), g, rtol=1e-10, atol=1e-12)


@st.composite
def index_for(draw, shape):
    """A random index: per axis a slice (any step sign), an int, an int array or a
    boolean mask, with newaxis and Ellipsis thrown in."""
    adv = draw(st.sampled_from(["none", "int", "bool"]))
    mask_axis = draw(st.integers(0, len(shape) - 1)) if adv == "bool" else -1
    idx = []
    for ax, s in enumerate(shape):
        kinds = ["slice", "int", "full"] + (["array"] if adv == "int" else [])
        kind = "mask" if ax == mask_axis else draw(st.sampled_from(kinds))
        if kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-s, s - 1)))
            stop = draw(st.one_of(st.none(), st.integers(-s, s)))
            step = draw(st.sampled_from([None, 1, 2, -1, -2]))
            idx.append(slice(start, stop, step))
        elif kind == "int":
            idx.append(draw(st.integers(-s, s - 1)))
        elif kind == "array":
            idx.append(np.array(draw(st.lists(st.integers(-s, s - 1), min_size=1, max_size=4))))
        elif kind == "mask":
            idx.append(np.array(draw(st.lists(st.booleans(), min_size=s, max_size=s))))
        else:
            idx.append(slice(None))
    # NumPy broadcasts all integer arrays together: keep them the same length
    arrays = [i for i in idx if isinstance(i, np.ndarray) and i.dtype != bool]
    if arrays:
        n = min(len(a) for a in arrays)
        idx = [i[:n] if isinstance(i, np.ndarray) and i.dtype != bool else i for i in idx]
    if draw(st.booleans()):
        idx.insert(draw(st.integers(0, len(idx))), None)
    if draw(st.booleans()):                      # drop trailing full slices for an Ellipsis
        k = draw(st.integers(0, len(idx)))
        if all(isinstance(i, slice) and i == slice(None) for i in idx[k:]):
            idx = idx[:k] + [Ellipsis]
    return tuple(idx)


@SMALL
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), data=st.data())
def test_random_indices(shape, data):
    idx = data.draw(index_for(shape))
    x = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape) / 7.0
    f = lambda x: x[idx]                                # noqa: E731
    want = x[idx]
    np.testing.assert_array_equal(cr.jvp(f, (x,), (x,))[0], want)
    # gradient of sum(x[idx] ** 2): 2 x times how often each entry is picked
    count = np.zeros(shape)
    np.add.at(count, idx, 1.0)
    g = cr.grad(lambda x: cnp.sum(f(x) ** 2))(x)
    np.testing.assert_allclose(g, 2 * x * count, rtol=1e-12)
    jf, jr = cr.jacfwd(f)(x), cr.jacrev(f)(x)
    assert jf.shape == want.shape + shape
    np.testing.assert_array_equal(jf, jr)


@SMALL
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), data=st.data())
def test_transpose_and_reshape_jacobians_are_selections(shape, data):
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    n = int(np.prod(shape, dtype=int))
    x = np.arange(n, dtype=float).reshape(shape)
    f = lambda x: cnp.reshape(cnp.transpose(x, perm), (-1,))   # noqa: E731
    j = cr.jacrev(f)(x).reshape(n, n)
    # each output picks exactly one input: a permutation matrix matching NumPy's order
    np.testing.assert_array_equal(j.sum(axis=0), 1)
    np.testing.assert_array_equal(j @ x.reshape(-1), np.transpose(x, perm).reshape(-1))
    np.testing.assert_array_equal(cr.jacfwd(f)(x).reshape(n, n), j)


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(sorted(COMPOSED)), x=mat34)
def test_hessians_are_symmetric_and_agree(name, x):
    f = COMPOSED[name]
    s = lambda x: cnp.sum(cnp.sin(f(x)))                # noqa: E731
    h = cr.hessian(s)(x).reshape(12, 12)
    np.testing.assert_allclose(h, h.T, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(cr.jacfwd(cr.grad(s))(x).reshape(12, 12), h,
                               rtol=1e-9, atol=1e-9)
