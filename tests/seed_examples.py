"""The seed notes' worked functions, shared by the tests of the transforms, the explain
tables and the graphs (one definition, so all three check the same example)."""
import chainrule.numpy as cnp


def f_trace(x1, x2):
    # seed 001 / 003: y = ln(x1) + x1 x2 - sin(x2), evaluated at (2, 5)
    return cnp.log(x1) + x1 * x2 - cnp.sin(x2)


def sigmoid_loss(w, b, x=1.0, c=1.0):
    # seed 001, "Example: One layer neural network": z = wx + b, y = sigma(z),
    # L = (y - c)^2 / 2; "data x = 1, c = 1", "initial step w = 0, b = 0"
    z = w * x + b
    y = 1.0 / (1.0 + cnp.exp(-z))
    return 0.5 * (y - c) ** 2
