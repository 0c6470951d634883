"""Layers: ``Dense``, ``Dropout``, the activation layers and ``Sequential``.

A layer holds only its configuration; its parameters are a separate pytree of arrays,
so a model is a pure function of them and differentiates like any other::

    params = model.init(seed)          # same seed, same parameters
    y = model(params, x)               # evaluation mode (Dropout is the identity)
    y = model(params, x, train=True, rng=np.random.default_rng(0))

Every layer has ``init(rng_or_seed) -> params`` (``{}`` when it has none),
``__call__(params, x, *, train=False, rng=None)``, ``config() -> dict`` (JSON-able; the
inverse is :func:`from_config`), ``output_shape(input_shape)`` and ``num_params()``.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..core.tracer import Tracer
from . import activations as act
from .init import as_rng, get_initializer


def _shape(x) -> tuple:
    return tuple(x.shape) if isinstance(x, (Tracer, np.ndarray)) else np.shape(x)


class Layer:
    """Base class of layers: no parameters, the identity, its class name as type.

    A new layer overrides what differs: ``init`` (its parameter pytree), ``__call__``,
    ``_args`` (its constructor arguments, for ``config`` and ``repr``), ``output_shape``
    and ``num_params``; to rebuild it with ``nn.from_config``, add it to ``nn.LAYERS``.

    >>> import numpy as np
    >>> from chainrule import nn
    >>> class Scale(nn.Layer):
    ...     def init(self, rng=None):
    ...         return {"s": np.ones(1, np.float32)}
    ...     def __call__(self, params, x, *, train=False, rng=None):
    ...         return x * params["s"]
    >>> Scale()(Scale().init(0), np.array([2.0])), Scale().config()
    (array([2.]), {'type': 'Scale'})
    """

    def init(self, rng=None) -> Any:
        """The layer's parameters (a pytree of arrays); ``{}`` for this layer."""
        return {}

    def __call__(self, params, x, *, train: bool = False, rng=None):
        return x

    def _args(self) -> dict:
        """The constructor arguments (JSON-able), in the order ``repr`` shows them."""
        return {}

    def config(self) -> dict:
        """A JSON-able description; ``nn.from_config(layer.config())`` rebuilds the layer."""
        return {"type": type(self).__name__, **self._args()}

    def output_shape(self, input_shape: tuple) -> tuple:
        """The shape of the output for an input of ``input_shape`` (``None`` for any size)."""
        return tuple(input_shape)

    def num_params(self) -> int:
        """The number of scalar parameters."""
        return 0

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._args().items())
        return f"{type(self).__name__}({args})"


# ----------------------------------------------------------------------- Dense
def _positive_int(cls: str, arg: str, v) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"{cls}: {arg} must be a positive int, got {v!r}")
    return int(v)


def _float_dtype(cls: str, dtype) -> str:
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{cls}: dtype must be a floating dtype such as 'float32', got "
                        f"{dtype!r}") from exc
    if dt.kind != "f":
        raise TypeError(f"{cls}: dtype must be a floating dtype such as 'float32', got {dt}")
    return dt.name


class Dense(Layer):
    """Fully connected layer ``y = x @ W + b`` with ``W`` of shape ``(in_features,
    out_features)``; params ``{"W": W, "b": b}`` (no ``"b"`` with ``bias=False``).

    ``init`` names the weight initialiser (``"glorot"`` uniform, ``"he"`` normal, ...:
    see :mod:`chainrule.nn.init`); biases start at 0. Parameters are ``dtype``
    (float32 by default).

    >>> import numpy as np
    >>> from chainrule import nn
    >>> layer = nn.Dense(3, 2)
    >>> layer
    Dense(in_features=3, out_features=2, init='glorot', bias=True, dtype='float32')
    >>> params = layer.init(0)
    >>> params["W"].shape, params["b"].shape
    ((3, 2), (2,))
    >>> layer(params, np.ones((4, 3), np.float32)).shape
    (4, 2)
    """

    def __init__(self, in_features: int, out_features: int, *, init: str = "glorot",
                 bias: bool = True, dtype="float32") -> None:
        self.in_features = _positive_int("Dense", "in_features", in_features)
        self.out_features = _positive_int("Dense", "out_features", out_features)
        get_initializer(init)                       # fails early on an unknown name
        self.init_name = init
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"Dense: bias must be True or False, got {bias!r}")
        self.bias = bool(bias)
        self.dtype = _float_dtype("Dense", dtype)

    def _args(self) -> dict:
        return {"in_features": self.in_features, "out_features": self.out_features,
                "init": self.init_name, "bias": self.bias, "dtype": self.dtype}

    def init(self, rng=None) -> dict:
        """``{"W": W, "b": zeros}`` with ``W`` drawn by the layer's initialiser."""
        rng = as_rng(rng, "Dense.init")
        fn = get_initializer(self.init_name)
        params = {"W": fn(rng, (self.in_features, self.out_features), self.dtype)}
        if self.bias:
            params["b"] = np.zeros(self.out_features, dtype=self.dtype)
        return params

    def __call__(self, params, x, *, train: bool = False, rng=None):
        try:
            W = params["W"]
            b = params["b"] if self.bias else None
        except (KeyError, TypeError, IndexError):
            want = '{"W": ..., "b": ...}' if self.bias else '{"W": ...}'
            raise TypeError(f"{self!r}: params must be a dict {want} (as made by its "
                            f"init), got {type(params).__name__}") from None
        shape = _shape(x)
        if not shape or shape[-1] != self.in_features:
            raise ValueError(f"{self!r}: the input's last axis must have {self.in_features} "
                             f"features, got an input of shape {shape}")
        y = x @ W
        return y + b if b is not None else y

    def output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.out_features,)

    def num_params(self) -> int:
        return self.in_features * self.out_features + (self.out_features if self.bias else 0)


# --------------------------------------------------------------------- Dropout
class Dropout(Layer):
    """Inverted dropout: in training mode each entry is zeroed with probability ``p`` and
    the others are scaled by ``1 / (1 - p)``; in evaluation mode it is the identity.
    Training mode needs ``rng`` (a ``numpy.random.Generator`` or an int seed).

    >>> import numpy as np
    >>> from chainrule import nn
    >>> drop = nn.Dropout(0.5)
    >>> x = np.ones((2, 4))
    >>> bool((drop({}, x) == x).all())
    True
    >>> y = drop({}, x, train=True, rng=np.random.default_rng(0))
    >>> sorted(set(y.ravel().tolist()))
    [0.0, 2.0]
    """

    def __init__(self, p: float = 0.5) -> None:
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.number)) \
                or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)

    def _args(self) -> dict:
        return {"p": self.p}

    def __call__(self, params, x, *, train: bool = False, rng=None):
        if not train or self.p == 0.0:
            return x
        if rng is None:
            raise ValueError(f"{self!r} in training mode needs rng= (a "
                             f"numpy.random.Generator or an int seed), e.g. "
                             f"model(params, x, train=True, rng=np.random.default_rng(0))")
        rng = as_rng(rng, "Dropout")
        shape = _shape(x)
        dtype = x.dtype if isinstance(x, (Tracer, np.ndarray)) else np.float64
        if dtype.kind != "f":
            dtype = np.dtype(np.float64)
        if self.p == 1.0:
            return x * np.zeros(shape, dtype)
        mask = (rng.random(shape) >= self.p).astype(dtype)
        mask *= 1.0 / (1.0 - self.p)
        return x * mask


# ----------------------------------------------------------- activation layers
class Activation(Layer):
    """Base class of the activation layers: ``function`` applied with the layer's options
    (``_args``); no parameters.

    >>> from chainrule import nn
    >>> isinstance(nn.ReLU(), nn.Activation), nn.ReLU().init(0)
    (True, {})
    """

    function: Callable = staticmethod(act.linear)

    def __call__(self, params, x, *, train: bool = False, rng=None):
        return type(self).function(x, **self._args())


class Identity(Activation):
    """``f(x) = x`` (the table's linear activation).

    >>> from chainrule import nn
    >>> nn.Identity()({}, 2.0)
    2.0
    """
    function = staticmethod(act.linear)

    def __call__(self, params, x, *, train: bool = False, rng=None):
        return x


class BinaryStep(Activation):
    """``1`` for ``x >= 0``, else ``0`` (derivative 0).

    >>> import numpy as np
    >>> from chainrule import nn
    >>> nn.BinaryStep()({}, np.array([-1.0, 1.0]))
    array([0., 1.])
    """
    function = staticmethod(act.binary_step)


class Sigmoid(Activation):
    """The logistic function, stable for any input.

    >>> from chainrule import nn
    >>> float(nn.Sigmoid()({}, 0.0))
    0.5
    """
    function = staticmethod(act.sigmoid)


class Tanh(Activation):
    """Hyperbolic tangent.

    >>> from chainrule import nn
    >>> float(nn.Tanh()({}, 0.0))
    0.0
    """
    function = staticmethod(act.tanh)


class ReLU(Activation):
    """``max(x, 0)``; derivative 0 at 0.

    >>> import numpy as np
    >>> from chainrule import nn
    >>> nn.ReLU()({}, np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    function = staticmethod(act.relu)


class Softplus(Activation):
    """``ln(1 + e^x)``, stable for any input.

    >>> from chainrule import nn
    >>> float(nn.Softplus()({}, 1000.0))
    1000.0
    """
    function = staticmethod(act.softplus)


class LeakyReLU(Activation):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below.

    >>> import numpy as np
    >>> from chainrule import nn
    >>> nn.LeakyReLU(0.1)({}, np.array([-1.0, 2.0]))
    array([-0.1,  2. ])
    """
    function = staticmethod(act.leaky_relu)

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = act._number("LeakyReLU", "negative_slope", negative_slope)

    def _args(self) -> dict:
        return {"negative_slope": self.negative_slope}


class ELU(Activation):
    """``x`` for ``x > 0``, ``alpha (e^x - 1)`` for ``x <= 0``.

    >>> import numpy as np
    >>> from chainrule import nn
    >>> nn.ELU()({}, np.array([-1000.0, 2.0]))
    array([-1.,  2.])
    """
    function = staticmethod(act.elu)

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = act._number("ELU", "alpha", alpha)

    def _args(self) -> dict:
        return {"alpha": self.alpha}


class _AxisActivation(Activation):
    def __init__(self, axis: int = -1) -> None:
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"{type(self).__name__}: axis must be an int, got {axis!r}")
        self.axis = int(axis)

    def _args(self) -> dict:
        return {"axis": self.axis}


class Softmax(_AxisActivation):
    """Softmax along ``axis`` (default: the last).

    >>> import numpy as np
    >>> from chainrule import nn
    >>> nn.Softmax()({}, np.zeros((1, 4)))
    array([[0.25, 0.25, 0.25, 0.25]])
    """
    function = staticmethod(act.softmax)


class LogSoftmax(_AxisActivation):
    """Log-softmax along ``axis`` (default: the last).

    >>> import numpy as np
    >>> from chainrule import nn
    >>> nn.LogSoftmax()({}, np.zeros(2))
    array([-0.69314718, -0.69314718])
    """
    function = staticmethod(act.log_softmax)


class GELU(Activation):
    """``x * Phi(x)``, or its tanh approximation with ``approximate=True``.

    >>> from chainrule import nn
    >>> nn.GELU(approximate=True)
    GELU(approximate=True)
    """
    function = staticmethod(act.gelu)

    def __init__(self, approximate: bool = False) -> None:
        if approximate in ("tanh", "none"):
            approximate = approximate == "tanh"
        if not isinstance(approximate, (bool, np.bool_)):
            raise ValueError(f"GELU: approximate must be True or False, got {approximate!r}")
        self.approximate = bool(approximate)

    def _args(self) -> dict:
        return {"approximate": self.approximate}


# ------------------------------------------------------------------ Sequential
class Sequential(Layer):
    """Layers applied in order. Its params are a list with one entry per layer (``{}`` for
    layers without parameters): ``params[i]`` belongs to ``model.layers[i]``.

    >>> import numpy as np
    >>> from chainrule import nn
    >>> model = nn.Sequential(nn.Dense(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Dense(8, 3))
    >>> params = model.init(0)
    >>> [sorted(p) for p in params]
    [['W', 'b'], [], [], ['W', 'b']]
    >>> model(params, np.ones((5, 4), np.float32)).shape
    (5, 3)
    >>> model
    Sequential(
      (0): Dense(in_features=4, out_features=8, init='glorot', bias=True, dtype='float32')
      (1): ReLU()
      (2): Dropout(p=0.2)
      (3): Dense(in_features=8, out_features=3, init='glorot', bias=True, dtype='float32')
    )
    """

    def __init__(self, *layers: Layer) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential: layer {i} is a {type(layer).__name__} "
                                f"({layer!r:.40}), not a chainrule.nn layer")
        self.layers = list(layers)

    def init(self, rng=None) -> list:
        """One entry per layer, all drawn from one generator seeded by ``rng``."""
        rng = as_rng(rng, "Sequential.init")
        return [layer.init(rng) for layer in self.layers]

    def __call__(self, params, x, *, train: bool = False, rng=None):
        layers = self.layers
        if type(params) is not list or len(params) != len(layers):
            got = (f"a list of {len(params)}" if isinstance(params, (list, tuple))
                   else f"a {type(params).__name__}")
            raise TypeError(f"Sequential: params must be a list with one entry per layer "
                            f"({len(layers)}, as made by model.init), got {got}")
        if train and rng is not None:
            rng = as_rng(rng, "Sequential")         # one generator shared by all layers
        for layer, p in zip(layers, params):
            x = layer(p, x, train=train, rng=rng)
        return x

    def config(self) -> dict:
        return {"type": "Sequential", "layers": [layer.config() for layer in self.layers]}

    def _args(self) -> dict:
        return {"layers": [layer.config() for layer in self.layers]}

    def output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.output_shape(shape)
        return shape

    def num_params(self) -> int:
        return sum(layer.num_params() for layer in self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        if not self.layers:
            return "Sequential()"
        inner = "\n".join(f"  ({i}): " + repr(layer).replace("\n", "\n  ")
                          for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"

    def summary(self, input_shape: tuple = None) -> str:
        """A table of the layers: output shape and parameter count of each, and the total.
        ``input_shape`` defaults to ``(None, in_features)`` of the first Dense layer.

        >>> from chainrule import nn
        >>> print(nn.Sequential(nn.Dense(64, 128), nn.ReLU(), nn.Dense(128, 10)).summary())
        Layer                                Output shape  Params
        -----------------------------------  ------------  ------
        (0) Dense(64 -> 128, init='glorot')  (None, 128)    8,320
        (1) ReLU()                           (None, 128)        0
        (2) Dense(128 -> 10, init='glorot')  (None, 10)     1,290
        -----------------------------------  ------------  ------
        Total parameters: 9,610
        """
        if input_shape is None:
            first = next((l for l in self.layers if isinstance(l, Dense)), None)
            if first is None:
                raise ValueError("Sequential.summary: no Dense layer to read the input "
                                 "size from; pass input_shape=(None, n_features)")
            input_shape = (None, first.in_features)
        rows, shape = [], tuple(input_shape)
        for i, layer in enumerate(self.layers):
            shape = layer.output_shape(shape)
            name = (f"Dense({layer.in_features} -> {layer.out_features}, "
                    f"init={layer.init_name!r}{'' if layer.bias else ', bias=False'})"
                    if isinstance(layer, Dense) else repr(layer))
            rows.append((f"({i}) {name}", _fmt_shape(shape), f"{layer.num_params():,}"))
        head = ("Layer", "Output shape", "Params")
        w = [max(len(r[k]) for r in rows + [head]) + (2 if k < 2 else 0) for k in range(3)]
        rule = "  ".join("-" * (n - (2 if k < 2 else 0)) for k, n in enumerate(w))
        lines = [f"{head[0]:<{w[0]}}{head[1]:<{w[1]}}{head[2]:>{w[2]}}", rule]
        lines += [f"{a:<{w[0]}}{b:<{w[1]}}{c:>{w[2]}}" for a, b, c in rows]
        lines += [rule, f"Total parameters: {self.num_params():,}"]
        return "\n".join(line.rstrip() for line in lines)


def _fmt_shape(shape) -> str:
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + \
        ("," if len(shape) == 1 else "") + ")"


# ------------------------------------------------------------------ from_config
LAYERS = {cls.__name__: cls for cls in (Dense, Dropout, Identity, BinaryStep, Sigmoid, Tanh,
                                        ReLU, Softplus, LeakyReLU, ELU, Softmax, LogSoftmax,
                                        GELU, Sequential)}
"""Every layer class by its ``config()["type"]``."""

# the activation layer of each activation name (get_activation's names)
ACTIVATION_LAYERS = {"linear": Identity, "identity": Identity, "binary_step": BinaryStep,
                     "sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "softplus": Softplus,
                     "leaky_relu": LeakyReLU, "elu": ELU, "softmax": Softmax,
                     "log_softmax": LogSoftmax, "gelu": GELU}


def from_config(config: dict) -> Layer:
    """The layer (or model) described by ``config``, as made by ``layer.config()``.

    >>> from chainrule import nn
    >>> model = nn.Sequential(nn.Dense(2, 3, init="he"), nn.LeakyReLU(0.1))
    >>> rebuilt = nn.from_config(model.config())
    >>> rebuilt
    Sequential(
      (0): Dense(in_features=2, out_features=3, init='he', bias=True, dtype='float32')
      (1): LeakyReLU(negative_slope=0.1)
    )
    >>> rebuilt.config() == model.config()
    True
    """
    if not isinstance(config, dict) or not isinstance(config.get("type"), str):
        raise TypeError(f"chainrule.nn.from_config: expected a dict with a 'type' entry (as "
                        f"made by layer.config()), got {config!r:.60}")
    cls = LAYERS.get(config["type"])
    if cls is None:
        raise ValueError(f"chainrule.nn.from_config: unknown layer type {config['type']!r}; "
                         f"expected one of {', '.join(sorted(LAYERS))}")
    kwargs = {k: v for k, v in config.items() if k != "type"}
    if cls is Sequential:
        layers = kwargs.pop("layers", None)
        if not isinstance(layers, list) or kwargs:
            raise ValueError("chainrule.nn.from_config: a Sequential config is "
                             "{'type': 'Sequential', 'layers': [layer configs]}")
        return Sequential(*[from_config(c) for c in layers])
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"chainrule.nn.from_config: bad arguments for {cls.__name__}: "
                         f"{exc}") from None


def activation_layer(name: str, **options) -> Activation:
    """The activation layer for an activation name (``"relu"`` -> ``ReLU()``).

    >>> from chainrule import nn
    >>> nn.activation_layer("leaky_relu", negative_slope=0.2)
    LeakyReLU(negative_slope=0.2)
    """
    act.get_activation(name)                       # the same names, the same error
    return ACTIVATION_LAYERS[name.lower()](**options)


def count_params(params) -> int:
    """The number of scalar entries in a parameter pytree.

    >>> from chainrule import nn
    >>> nn.count_params(nn.Dense(3, 2).init(0))
    8
    """
    from ..tree import tree_leaves
    return int(sum(math.prod(np.shape(p)) for p in tree_leaves(params)))
