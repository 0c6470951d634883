"""``chainrule.nn``: layers, activations, losses and initialisers for neural networks.

Parameters are pytrees of arrays and a model is a pure function of them, so the whole of
``chainrule`` applies (``cr.grad``, ``cr.hessian``, ...)::

    >>> import numpy as np, chainrule as cr
    >>> from chainrule import nn
    >>> model = nn.Sequential(nn.Dense(4, 8), nn.ReLU(), nn.Dense(8, 3))
    >>> params = model.init(0)
    >>> X, y = np.ones((5, 4), np.float32), np.array([0, 1, 2, 0, 1])
    >>> loss, grads = cr.value_and_grad(lambda p: nn.cross_entropy(model(p, X), y))(params)
    >>> grads[0]["W"].shape, grads[0]["W"].dtype
    ((4, 8), dtype('float32'))

* activations (functions): :func:`linear`, :func:`binary_step`, :func:`sigmoid`,
  :func:`tanh`, :func:`relu`, :func:`softplus`, :func:`leaky_relu`, :func:`elu`,
  :func:`softmax`, :func:`log_softmax`, :func:`gelu`; by name: :func:`get_activation`;
* layers: :class:`Dense`, :class:`Dropout`, :class:`Sequential` and one layer per
  activation (:class:`ReLU`, :class:`Sigmoid`, ... PyTorch's names); :func:`from_config`;
* losses: :func:`mse`, :func:`cross_entropy`, :func:`binary_cross_entropy`, :func:`hinge`,
  the metric :func:`zero_one`; by name: :func:`get_loss`;
* initialisers: :mod:`chainrule.nn.init` (Glorot, He, LeCun).
"""
from . import init
from .activations import (ACTIVATIONS, binary_step, elu, gelu, get_activation, leaky_relu,
                          linear, log_softmax, relu, sigmoid, softmax, softplus, tanh)
from .layers import (ACTIVATION_LAYERS, ELU, GELU, LAYERS, Activation, BinaryStep, Dense,
                     Dropout, Identity, Layer, LeakyReLU, LogSoftmax, ReLU, Sequential,
                     Sigmoid, Softmax, Softplus, Tanh, activation_layer, count_params,
                     from_config)
from .losses import (LOSSES, binary_cross_entropy, cross_entropy, get_loss, hinge, mse,
                     zero_one)

__all__ = ["init", "linear", "binary_step", "sigmoid", "tanh", "relu", "softplus",
           "leaky_relu", "elu", "softmax", "log_softmax", "gelu", "get_activation",
           "ACTIVATIONS", "Layer", "Activation", "Dense", "Dropout", "Sequential", "Identity",
           "BinaryStep", "Sigmoid", "Tanh", "ReLU", "Softplus", "LeakyReLU", "ELU",
           "Softmax", "LogSoftmax", "GELU", "LAYERS", "ACTIVATION_LAYERS", "from_config",
           "activation_layer", "count_params", "mse", "cross_entropy",
           "binary_cross_entropy", "hinge", "zero_one", "get_loss", "LOSSES"]
