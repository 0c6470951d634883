"""``solver="lbfgs"``: full-batch L-BFGS-B through ``scipy.optimize.minimize``, as
scikit-learn's MLPs do it, with the loss (L2 term included) and its gradient from
``cr.value_and_grad`` over the whole training set.

L-BFGS takes no minibatches and no epochs, so it does not go through
``chainrule.train.fit``: scipy drives the iterations, chainrule gives each gradient.
scipy comes with scikit-learn (it is one of its requirements).
"""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..tree import tree_flatten, tree_leaves, tree_unflatten
from . import _network as net


def fit_lbfgs(est, X: np.ndarray, Y: np.ndarray, sample_weight: Optional[np.ndarray]) -> None:
    """Minimise the estimator's training loss from its current ``coefs_`` /
    ``intercepts_``; sets ``coefs_``, ``intercepts_``, ``n_iter_`` and ``loss_``, and warns
    (ConvergenceWarning) when scipy stops before convergence (``max_iter`` iterations or
    ``max_fun`` evaluations)."""
    import scipy.optimize

    import chainrule as cr

    dtype = est.coefs_[0].dtype
    kind = est.out_activation_
    X = np.ascontiguousarray(X, dtype=dtype)
    targets = net.encode_targets(kind, Y, sample_weight, dtype)
    model = net.build(est.coefs_, est.intercepts_, est.activation)
    loss = net.make_loss(kind)
    penalty = net.make_penalty(est.alpha, len(est.coefs_))

    def objective(params):
        value = loss(model(params, X), targets)
        return value + penalty(params, targets) if penalty is not None else value

    value_and_grad = cr.value_and_grad(objective)
    leaves, tree = tree_flatten(net.to_params(est.coefs_, est.intercepts_))
    shapes = [leaf.shape for leaf in leaves]
    splits = np.cumsum([leaf.size for leaf in leaves])[:-1]

    def unpack(x: np.ndarray):
        parts = np.split(x, splits)
        return tree_unflatten(tree, [p.reshape(s).astype(dtype) for p, s in zip(parts, shapes)])

    last = {"loss": np.nan}

    def loss_and_grad(x: np.ndarray):
        value, grads = value_and_grad(unpack(x))
        last["loss"] = float(value)
        return last["loss"], np.concatenate([np.ravel(g) for g in tree_leaves(grads)]
                                            ).astype(np.float64)

    iteration = [0]

    def report(xk):
        iteration[0] += 1
        print("Iteration %d, loss = %.8f" % (iteration[0], last["loss"]))

    x0 = np.concatenate([np.ravel(leaf) for leaf in leaves]).astype(np.float64)
    result = scipy.optimize.minimize(
        loss_and_grad, x0, method="L-BFGS-B", jac=True,
        callback=report if est.verbose else None,
        options={"maxiter": est.max_iter, "maxfun": est.max_fun, "gtol": est.tol})
    if result.status != 0:
        message = result.message.decode() if isinstance(result.message, bytes) \
            else str(result.message)
        warnings.warn(f"lbfgs failed to converge after {result.nit} iteration(s) "
                      f"(status={result.status}): {message}. Increase max_iter (now "
                      f"{est.max_iter}) or max_fun (now {est.max_fun}), or scale the data "
                      f"(e.g. with sklearn.preprocessing.StandardScaler)", ConvergenceWarning)
    est.n_iter_ = int(min(result.nit, est.max_iter))
    est.loss_ = float(result.fun)
    est.coefs_, est.intercepts_ = net.from_params(unpack(result.x))
