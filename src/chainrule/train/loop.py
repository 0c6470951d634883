"""The training loop: shuffled minibatches, validation, early stopping, progress, history and
per-layer gradient norms. The gradient comes from ``cr.value_and_grad`` (one call per step)."""
from __future__ import annotations

import time
from typing import Any, Callable, List, Optional, Tuple, Union

import numpy as np

from ..data.prep import split_indices
from ..tree import tree_leaves
from .history import History
from .progress import make_progress

CLASSIFICATION_LOSSES = ("cross_entropy", "binary_cross_entropy", "hinge")


class FitResult:
    """What :func:`fit` returns: the trained ``params`` (the best epoch's when early stopping
    restored them), the ``history`` and the ``model``; ``result.params`` is what you pass to
    ``model(params, X)``."""

    def __init__(self, model: Any, params: Any, history: History,
                 validation_rows: Optional[np.ndarray] = None) -> None:
        self.model, self.params, self.history = model, params, history
        self.validation_rows = validation_rows
        """Indices of the rows of ``X`` held out by ``validation_split`` (None otherwise)."""

    def __iter__(self):                       # params, history = fit(...)
        return iter((self.params, self.history))

    def __repr__(self) -> str:
        return f"FitResult({self.history!r})"


def _layer_groups(model: Any, params: Any) -> Tuple[List[str], List[List[int]]]:
    """Names of the parameter groups whose gradient norms are recorded, and the indices of
    each group's leaves in ``tree_leaves(params)``: one group per layer of a Sequential (per
    entry of a list/dict of parameters otherwise); layers without parameters are left out."""
    layers = getattr(model, "layers", None)
    if isinstance(params, (list, tuple)):
        parts = list(enumerate(params))
        names = [f"{i}: {type(layers[i]).__name__}" if layers is not None and i < len(layers)
                 else str(i) for i, _ in parts]
    elif isinstance(params, dict):
        parts = sorted(params.items())
        names = [str(k) for k, _ in parts]
    else:
        return ["all"], [list(range(len(tree_leaves(params))))]
    out_names, groups, start = [], [], 0
    for name, (_, part) in zip(names, parts):
        part_leaves = tree_leaves(part)
        n = len(part_leaves)
        if n:
            shape = next((np.shape(a) for a in part_leaves if np.ndim(a) >= 2), None)
            out_names.append(name + (" " + "x".join(map(str, shape)) if shape else ""))
            groups.append(list(range(start, start + n)))
        start += n
    return out_names, groups


def _leaf_paths(tree: Any, prefix: tuple = ()) -> List[tuple]:
    """The index path of every leaf, in ``tree_leaves`` order (dict keys sorted): reading
    leaves by path each step is cheaper than flattening the gradient pytree again."""
    if isinstance(tree, dict):
        return [p for k in sorted(tree) for p in _leaf_paths(tree[k], prefix + (k,))]
    if isinstance(tree, (list, tuple)):
        return [p for i, c in enumerate(tree) for p in _leaf_paths(c, prefix + (i,))]
    return [] if tree is None else [prefix]


def _at(tree: Any, path: tuple) -> Any:
    for k in path:
        tree = tree[k]
    return tree


def _check_xy(X, y):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"fit: X must be a 2-D array (n_samples, n_features), got shape {X.shape}")
    if X.dtype.kind not in "fiub":
        raise ValueError(f"fit: X must be numeric, got dtype {X.dtype}")
    if not np.isfinite(X).all():
        raise ValueError("fit: X holds NaN or infinite values")
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"fit: y must have one row per row of X ({len(X)}), got shape {y.shape}")
    return X, y


def _prepare_targets(loss_name, y, n_out, dtype, what="y"):
    """``(target for the loss, class indices for the accuracy or None)``."""
    if loss_name == "cross_entropy":
        if y.ndim == 2:                           # one-hot rows
            if y.shape[1] != n_out:
                raise ValueError(f"fit: {what} has {y.shape[1]} one-hot columns, the model "
                                 f"gives {n_out} outputs")
            return y.astype(dtype), y.argmax(axis=1)
        if y.dtype.kind not in "iub" and not np.all(y == np.round(y)):
            raise ValueError(f"fit: with cross_entropy, {what} must hold class indices "
                             f"0..{n_out - 1} (or one-hot rows), got non-integer values")
        yi = y.astype(np.int64)
        if yi.min(initial=0) < 0 or yi.max(initial=0) >= n_out:
            raise ValueError(f"fit: {what} holds class indices up to {yi.max()}, the model "
                             f"gives {n_out} outputs (classes 0..{n_out - 1})")
        # one-hot once here, not in every step's loss call
        return np.eye(n_out, dtype=dtype)[yi], yi
    if loss_name in ("binary_cross_entropy", "hinge") and n_out == 1:
        yc = y.reshape(len(y), -1)
        return yc.astype(dtype), (yc[:, 0] > (0 if loss_name == "hinge" else 0.5)).astype(np.int64)
    if loss_name in CLASSIFICATION_LOSSES:
        return _prepare_targets("cross_entropy", y, n_out, dtype, what)[0], (
            y.argmax(axis=1) if y.ndim == 2 else y.astype(np.int64))
    # regression: targets shaped like the output, so (n,) never broadcasts against (n, 1)
    yr = y.reshape(len(y), -1).astype(dtype)
    if yr.shape[1] != n_out:
        raise ValueError(f"fit: {what} has {yr.shape[1]} target column(s), the model gives "
                         f"{n_out} output(s)")
    return yr, None


def _count_correct(out: np.ndarray, yi: np.ndarray, threshold: float) -> int:
    if out.shape[1] > 1:
        return int(np.count_nonzero(out.argmax(axis=1) == yi))
    return int(np.count_nonzero((out[:, 0] > threshold) == (yi > 0)))


def _optimizer(optimizer: Any, lr: Optional[float]) -> Any:
    """An ``optim`` optimiser from a name and learning rate, or the object given."""
    from .. import optim
    if not isinstance(optimizer, str):
        if lr is not None:
            raise ValueError("fit: lr is given with an optimiser object; set the learning rate "
                             "on the object instead")
        return optimizer
    if lr is None and optimizer == "sgd":
        lr = 0.01                                 # SGD has no default learning rate
    return optim.get_optimizer(optimizer) if lr is None else optim.get_optimizer(optimizer, lr=lr)


def _hold_out(X, y, validation_split, validation_data, strata, rng):
    """``(X_train, y_train, X_val, y_val, validation_rows)``; the validation rows are held
    out once, disjoint from the training rows (None, None, None without validation)."""
    if validation_data is not None:
        if validation_split:
            raise ValueError("fit: give validation_split or validation_data, not both")
        Xv, yv = _check_xy(*validation_data)
        return X, y, Xv, yv, None
    if not validation_split:
        return X, y, None, None, None
    try:
        train_rows, val_rows = split_indices(len(X), validation_split, stratify=strata, rng=rng)
    except ValueError:
        raise ValueError(f"fit: validation_split={validation_split} of {len(X)} rows leaves no "
                         f"rows for training or validation") from None
    return X[train_rows], y[train_rows], X[val_rows], y[val_rows], val_rows


class _EarlyStopping:
    """Tracks the monitored value; ``update`` returns True when ``patience`` epochs in a row
    brought no improvement by more than ``min_delta``."""

    def __init__(self, monitor: str, patience: int, min_delta: float, params: Any) -> None:
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.sign = -1.0 if monitor.endswith("accuracy") else 1.0     # minimise sign * value
        self.best, self.best_params, self.best_epoch, self.waited = np.inf, params, None, 0

    def update(self, epoch: int, row: dict, params: Any) -> bool:
        value = self.sign * row[self.monitor]
        if value < self.best - self.min_delta:
            self.best, self.best_params, self.best_epoch, self.waited = value, params, epoch, 0
            return False
        self.waited += 1
        return self.waited >= self.patience


def _per_layer(sq: np.ndarray, groups: List[List[int]]) -> np.ndarray:
    """Per-layer norms from per-leaf squared norms: sqrt of the sum over each layer's leaves."""
    G = np.zeros((sq.shape[1], len(groups)))
    for c, group in enumerate(groups):
        G[group, c] = 1.0
    return np.sqrt(sq @ G)


def fit(model: Any, X: np.ndarray, y: np.ndarray, *,
        loss: Union[str, Callable] = "cross_entropy",
        optimizer: Union[str, Any] = "adam", lr: Optional[float] = None,
        epochs: int = 20, batch_size: int = 32,
        validation_split: float = 0.0,
        validation_data: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        patience: Optional[int] = None, min_delta: float = 0.0, restore_best: bool = True,
        monitor: Optional[str] = None,
        shuffle: bool = True, seed: Optional[int] = 0, params: Any = None, l2: float = 0.0,
        record_grad_norms: bool = True, progress: Union[bool, str] = False,
        callback: Optional[Callable] = None, task: Optional[str] = None,
        penalty: Optional[Callable] = None) -> FitResult:
    """Train ``model`` on ``(X, y)`` by minibatch gradient descent; returns a :class:`FitResult`
    (``.params``, ``.history``, ``.validation_rows``; it unpacks as
    ``params, history = fit(...)``).

    Each epoch visits every training row once, in a fresh random order (``shuffle``), in
    minibatches of ``batch_size`` rows (the last one may be smaller). A step is one call of
    ``cr.value_and_grad`` on the minibatch loss and one ``optimizer.update``.

    Arguments:

    - ``model``: an ``nn`` layer (e.g. ``nn.Sequential``): ``model.init(seed)`` gives the
      parameters, ``model(params, X, train=True, rng=...)`` the outputs (dropout active).
    - ``X``: (n, d) features (not modified; cast to the parameters' dtype, float32 for
      ``nn.Dense`` by default). ``y``: class indices ``0..K-1`` (or one-hot rows) for
      classification, values (n,) or (n, k) for regression.
    - ``loss``: "cross_entropy" (from logits, K outputs), "binary_cross_entropy",
      "hinge", "mse", or a callable ``loss(outputs, targets) -> scalar``.
    - ``task``: "classification" (accuracy is recorded) or "regression"; by default taken
      from the loss (mse: regression; a callable loss: regression unless given).
    - ``optimizer``: a name ("adam", "sgd", "rmsprop", "adagrad") built with learning rate
      ``lr`` (None: the optimiser's default, 0.01 for sgd), or an ``optim`` object (then
      ``lr`` must be None).
    - ``epochs``, ``batch_size``: passes over the training rows, rows per step.
    - ``validation_split``: a fraction of the rows held out (stratified for classification,
      chosen by ``seed``, disjoint from the training rows) and scored after every epoch;
      or ``validation_data=(X_val, y_val)``.
    - ``patience``: early stopping: stop after ``patience`` epochs in which the monitored
      value did not improve by more than ``min_delta``; with ``restore_best`` the returned
      params are those of the best epoch. None (default) trains all ``epochs``.
      ``monitor`` names the value: "val_loss" (the default with validation data), "loss"
      (the default without), "val_accuracy" or "accuracy" (larger is better).
    - ``seed``: fixes the initial parameters (``model.init(seed)``), the validation split,
      the batch order and dropout; the same seed gives the same run. ``params``: start from
      these instead of ``model.init(seed)``.
    - ``l2``: adds ``l2 / 2 * sum(W**2)`` over the parameter arrays with 2 or more
      dimensions (weights, not biases) to the loss.
    - ``penalty``: a callable ``penalty(params, targets) -> scalar`` added to each
      minibatch's loss, for a term that depends on the batch (scikit-learn's L2 term is
      ``alpha / 2 * sum(W**2)`` divided by the batch's total sample weight).
    - ``record_grad_norms``: record each layer's gradient norm at every step
      (``history.grad_norms``).
    - ``progress``: False, True (a tqdm bar with loss and accuracy; needs tqdm), "auto"
      (tqdm if installed, else a line per epoch) or "lines".
    - ``callback``: called after each epoch as ``callback(epoch, metrics, params)``; a true
      return value stops training.

    Small networks train fastest with one BLAS thread (a thread pool cannot speed up
    64 x 256 matrices, and on a busy machine it slows each step down many times): wrap the
    call in ``with chainrule.train.blas_threads(1):``, as ``chainrule train`` does.

    >>> import numpy as np
    >>> from chainrule import nn
    >>> from chainrule.train import fit
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 2)); y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> net = nn.Sequential(nn.Dense(2, 16), nn.Tanh(), nn.Dense(16, 2))
    >>> params, history = fit(net, X, y, epochs=30, lr=0.01, validation_split=0.2, seed=0)
    >>> history["loss"][-1] < history["loss"][0], history["val_accuracy"][-1] > 0.85
    (True, True)
    >>> history.grad_norms.shape, history.layer_names        # 30 epochs x 5 steps, 2 layers
    ((150, 2), ['0: Dense 2x16', '2: Dense 16x2'])
    """
    import chainrule as cr
    from .. import nn

    X, y = _check_xy(X, y)
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 0):
        raise ValueError(f"fit: epochs must be a whole number >= 0, got {epochs!r}")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"fit: batch_size must be a whole number >= 1, got {batch_size!r}")
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"fit: validation_split must be a fraction in [0, 1), got "
                         f"{validation_split!r}")
    if patience is not None and not (isinstance(patience, (int, np.integer)) and patience >= 1):
        raise ValueError(f"fit: patience must be None or a whole number >= 1, got {patience!r}")

    loss_name = loss if isinstance(loss, str) else None
    loss_fn = nn.get_loss(loss) if isinstance(loss, str) else loss
    if task is None:
        task = "classification" if loss_name in CLASSIFICATION_LOSSES else "regression"
    if task not in ("classification", "regression"):
        raise ValueError(f"fit: task must be 'classification' or 'regression', got {task!r}")
    classify = task == "classification"
    threshold = 0.5 if loss_name == "binary_cross_entropy" else 0.0

    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
    streams = [np.random.default_rng(np.random.SeedSequence([seed, k])) for k in (1, 2, 3)]
    split_rng, order_rng, dropout_rng = streams
    if params is None:
        params = model.init(seed)
    leaves = tree_leaves(params)
    dtype = leaves[0].dtype if leaves else np.dtype(np.float64)

    opt = _optimizer(optimizer, lr)
    strata = None
    if classify and loss_name in CLASSIFICATION_LOSSES:
        strata = y.argmax(axis=1) if y.ndim == 2 else y
    Xt, yt, Xv, yv, val_rows = _hold_out(X, y, validation_split, validation_data, strata,
                                         split_rng)
    Xt = np.ascontiguousarray(Xt, dtype=dtype)   # a copy in the working dtype: X is untouched
    n_out = int(np.shape(model(params, Xt[:1]))[-1])
    if loss_name is not None:
        yt_loss, yt_idx = _prepare_targets(loss_name, yt, n_out, dtype)
    else:
        yt_loss, yt_idx = yt, (yt.astype(np.int64) if classify else None)
    if Xv is not None:
        Xv = np.asarray(Xv, dtype=dtype)
        if loss_name is not None:
            yv_loss, yv_idx = _prepare_targets(loss_name, yv, n_out, dtype, "validation y")
        else:
            yv_loss, yv_idx = yv, (yv.astype(np.int64) if classify else None)
    if classify and yt_idx is None:
        classify = False

    paths = _leaf_paths(params)
    pairs = paths if all(len(p) == 2 for p in paths) else None
    weight_paths = [path for path, leaf in zip(paths, leaves) if np.ndim(leaf) >= 2]

    def objective(p, xb, yb):
        out = model(p, xb, train=True, rng=dropout_rng)
        value = loss_fn(out, yb)
        if l2:
            l2_sum = 0.0
            for path in weight_paths:
                W = _at(p, path)
                l2_sum = l2_sum + (W * W).sum()
            value = value + (0.5 * l2) * l2_sum
        if penalty is not None:
            value = value + penalty(p, yb)
        return value, out

    step = cr.value_and_grad(objective, has_aux=True)
    state = opt.init(params)

    if monitor is None:
        monitor = "val_loss" if Xv is not None else "loss"
    recorded = ["loss"] + (["accuracy"] if classify else []) + \
        (["val_loss"] + (["val_accuracy"] if classify else []) if Xv is not None else [])
    if monitor not in recorded:
        raise ValueError(f"fit: monitor={monitor!r} is not recorded in this run; choose one "
                         f"of {', '.join(recorded)}")
    stopper = _EarlyStopping(monitor, patience, min_delta, params) if patience else None

    n = len(Xt)
    steps_per_epoch = -(-n // batch_size) if n else 0
    layer_names, groups = _layer_groups(model, params)
    history = History(layer_names, steps_per_epoch)
    history.monitor = monitor if stopper is not None else None
    # squared norm of every gradient leaf at every step; summed per layer at the end
    sq = np.zeros((epochs * steps_per_epoch, len(leaves))) if record_grad_norms else None
    bar = make_progress(progress, epochs * steps_per_epoch, epochs)
    k, t0 = 0, time.perf_counter()
    try:
        for epoch in range(1, epochs + 1):
            if shuffle:
                order = order_rng.permutation(n)
                Xe, ye = Xt[order], yt_loss[order]
                ye_idx = yt_idx[order] if classify else None
            else:
                Xe, ye, ye_idx = Xt, yt_loss, yt_idx
            total, correct = 0.0, 0
            for s in range(0, n, batch_size):
                xb, yb = Xe[s:s + batch_size], ye[s:s + batch_size]
                (value, out), grads = step(params, xb, yb)
                if sq is not None:
                    row = sq[k]
                    if pairs is not None:        # Sequential: grads[layer][name]
                        for j, (i, name) in enumerate(pairs):
                            g = grads[i][name].ravel()
                            row[j] = np.dot(g, g)
                    else:
                        for j, path in enumerate(paths):
                            g = _at(grads, path).ravel()
                            row[j] = np.dot(g, g)
                k += 1
                params, state = opt.update(params, grads, state)
                total += float(value) * len(xb)
                if classify:
                    correct += _count_correct(out, ye_idx[s:s + batch_size], threshold)
                if bar is not None:
                    bar.update(1)
            if not np.isfinite(total):
                raise FloatingPointError(f"fit: the training loss became {total / n} in epoch "
                                         f"{epoch}; lower the learning rate (lr)")
            row = {"epoch": epoch, "loss": total / n}
            if classify:
                row["accuracy"] = correct / n
            if Xv is not None:
                out_v = np.asarray(model(params, Xv))
                row["val_loss"] = float(loss_fn(out_v, yv_loss))
                if classify:
                    row["val_accuracy"] = _count_correct(out_v, yv_idx, threshold) / len(Xv)
            row["time"] = time.perf_counter() - t0
            history.append(row)
            if bar is not None:
                bar.epoch_end(epoch, row)
            if stopper is not None and stopper.update(epoch, row, params):
                history.stopped_early = True
            stop = callback(epoch, row, params) if callback is not None else False
            if history.stopped_early or stop:
                break
    finally:
        if bar is not None:
            bar.close(len(history) if history.stopped_early else None)
    if sq is not None:
        history.grad_norms = _per_layer(sq[:k], groups)
    if stopper is not None:
        history.best_epoch = stopper.best_epoch
        if restore_best and stopper.best_epoch is not None:
            params = stopper.best_params
    return FitResult(model, params, history, val_rows)
