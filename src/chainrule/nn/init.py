"""Weight initialisation for a ``(fan_in, fan_out)`` weight matrix, from a seed.

* Glorot & Bengio (2010), "normalized initialization": ``Var W = 2 / (fan_in + fan_out)``,
  uniform on ``[-a, a]`` with ``a = sqrt(6 / (fan_in + fan_out))`` or normal;
* He et al. (2015), for ReLU networks: ``Var W = 2 / fan_in``, normal or uniform
  (``a = sqrt(6 / fan_in)``);
* LeCun: ``Var W = 1 / fan_in``;
* zeros (biases, and tests).

Every initialiser is ``init(rng, shape, dtype) -> array`` with ``rng`` a
``numpy.random.Generator``; :func:`as_rng` turns a seed into one, so the same seed gives
the same weights.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np


def as_rng(seed_or_rng=None, where: str = "init") -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, a Generator (returned as is) or
    ``None`` (fresh entropy).

    >>> from chainrule.nn.init import as_rng
    >>> float(as_rng(0).random()) == float(as_rng(0).random())
    True
    """
    if isinstance(seed_or_rng, np.random.Generator):
        return seed_or_rng
    if seed_or_rng is None or (isinstance(seed_or_rng, (int, np.integer))
                               and not isinstance(seed_or_rng, (bool, np.bool_))):
        return np.random.default_rng(seed_or_rng)
    raise TypeError(f"{where}: expected an int seed or a numpy.random.Generator, got "
                    f"{type(seed_or_rng).__name__} ({seed_or_rng!r:.40})")


def _fans(shape) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) != 2:
        raise ValueError(f"initialisers take a (fan_in, fan_out) shape, got {shape}")
    return shape[0], shape[1]


def _uniform(rng, shape, dtype, a):
    return rng.uniform(-a, a, size=shape).astype(dtype)


def _normal(rng, shape, dtype, std):
    return (rng.standard_normal(shape) * std).astype(dtype)


def glorot_uniform(rng, shape, dtype=np.float32):
    """Glorot/Xavier uniform: ``U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``.

    >>> import numpy as np
    >>> from chainrule.nn.init import glorot_uniform
    >>> W = glorot_uniform(np.random.default_rng(0), (300, 300))
    >>> W.dtype, bool(np.abs(W).max() <= 0.1), round(float(W.var() * 600), 1)
    (dtype('float32'), True, 2.0)
    """
    fi, fo = _fans(shape)
    return _uniform(rng, shape, dtype, math.sqrt(6.0 / (fi + fo)))


def glorot_normal(rng, shape, dtype=np.float32):
    """Glorot/Xavier normal: ``N(0, 2 / (fan_in + fan_out))``.

    >>> import numpy as np
    >>> from chainrule.nn.init import glorot_normal
    >>> round(float(glorot_normal(np.random.default_rng(0), (300, 300)).var() * 600), 1)
    2.0
    """
    fi, fo = _fans(shape)
    return _normal(rng, shape, dtype, math.sqrt(2.0 / (fi + fo)))


def he_normal(rng, shape, dtype=np.float32):
    """He/Kaiming normal: ``N(0, 2 / fan_in)`` (for ReLU layers).

    >>> import numpy as np
    >>> from chainrule.nn.init import he_normal
    >>> round(float(he_normal(np.random.default_rng(0), (400, 300)).var() * 400), 1)
    2.0
    """
    fi, _ = _fans(shape)
    return _normal(rng, shape, dtype, math.sqrt(2.0 / fi))


def he_uniform(rng, shape, dtype=np.float32):
    """He/Kaiming uniform: ``U(-a, a)``, ``a = sqrt(6 / fan_in)``.

    >>> import numpy as np
    >>> from chainrule.nn.init import he_uniform
    >>> round(float(he_uniform(np.random.default_rng(0), (400, 300)).var() * 400), 1)
    2.0
    """
    fi, _ = _fans(shape)
    return _uniform(rng, shape, dtype, math.sqrt(6.0 / fi))


def lecun_normal(rng, shape, dtype=np.float32):
    """LeCun normal: ``N(0, 1 / fan_in)``.

    >>> import numpy as np
    >>> from chainrule.nn.init import lecun_normal
    >>> round(float(lecun_normal(np.random.default_rng(0), (400, 300)).var() * 400), 1)
    1.0
    """
    fi, _ = _fans(shape)
    return _normal(rng, shape, dtype, math.sqrt(1.0 / fi))


def zeros(rng, shape, dtype=np.float32):
    """All zeros (``rng`` is not used).

    >>> from chainrule.nn.init import zeros
    >>> zeros(None, (2,))
    array([0., 0.], dtype=float32)
    """
    return np.zeros(shape, dtype=dtype)


INITIALIZERS = {
    "glorot": glorot_uniform, "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "xavier": glorot_uniform, "he": he_normal, "he_normal": he_normal, "he_uniform": he_uniform,
    "kaiming": he_normal, "lecun": lecun_normal, "lecun_normal": lecun_normal, "zeros": zeros,
}
"""Initialisers by name ("glorot"/"xavier" = glorot_uniform, "he"/"kaiming" = he_normal,
"lecun" = lecun_normal)."""


def get_initializer(name: str) -> Callable:
    """The initialiser called ``name`` (see :data:`INITIALIZERS`).

    >>> from chainrule.nn.init import get_initializer, he_normal
    >>> get_initializer("he") is he_normal
    True
    """
    if not isinstance(name, str) or name.lower() not in INITIALIZERS:
        raise ValueError(f"chainrule.nn: unknown initialiser {name!r}; expected one of "
                         f"{', '.join(sorted(INITIALIZERS))}")
    return INITIALIZERS[name.lower()]
