"""``chainrule train``: train a multilayer perceptron on a bundled dataset or a CSV file,
show progress, report the test score, and optionally save the model and plot the run.

With no arguments: scikit-learn's bundled digits (8x8 images of handwritten digits, no
download), a 64-256-10 ReLU network with dropout 0.2 on the inputs, Adam (lr 2e-3),
batch 64, 60 epochs; the test set is 20% of the rows (stratified, fixed by the seed).
On small data the default epochs grow to give at least 1000 steps.
"""
from __future__ import annotations

import os
import sys

DEFAULTS = dict(data="digits", hidden="256", activation="relu", loss="auto",
                optimizer="adam", lr=None, epochs=None, batch_size=64, seed=0, split_seed=None,
                test_size=0.2, val=0.0, patience=10, dropout=0.0, input_dropout=None, l2=0.0)
MIN_EPOCHS, MIN_STEPS, MAX_AUTO_EPOCHS = 60, 1000, 1000
"""Default epochs: 60, or more on small data so that training makes >= 1000 steps."""
WIDE_INPUT = 32
"""Default input dropout: 0.2 for inputs with >= 32 features (images such as digits), else 0."""
LOSSES = ("auto", "cross_entropy", "binary_cross_entropy", "hinge", "mse")
OPTIMIZERS = ("adam", "sgd", "rmsprop", "adagrad")
DEFAULT_LR = {"adam": 2e-3, "sgd": 0.05, "rmsprop": 1e-3, "adagrad": 0.05}


def register(sub) -> None:
    from ..data import NAMES
    from ..train.models import HIDDEN_ACTIVATIONS
    d = DEFAULTS
    p = sub.add_parser(
        "train", help="train an MLP (default: the digits images) and report its test score",
        description="Train a multilayer perceptron with chainrule's nn and optim; the "
                    "gradient of every step comes from chainrule's reverse mode.")
    p.add_argument("--data", "--dataset", dest="data", default=d["data"], metavar="NAME|FILE",
                   help=f"one of {', '.join(NAMES)}, or a .csv file with a header row "
                        f"(default {d['data']})")
    p.add_argument("--label", help="the label column of a CSV file (default: the last column)")
    p.add_argument("--hidden", default=d["hidden"], metavar="SIZES",
                   help=f"hidden layer sizes, comma-separated, '' for none (default {d['hidden']})")
    p.add_argument("--activation", default=d["activation"], choices=HIDDEN_ACTIVATIONS,
                   metavar="NAME", help=f"hidden activation: {', '.join(HIDDEN_ACTIVATIONS)} "
                                        f"(default {d['activation']})")
    p.add_argument("--dropout", type=float, default=d["dropout"], metavar="P",
                   help="dropout after each hidden activation (default 0)")
    p.add_argument("--input-dropout", type=float, default=d["input_dropout"], metavar="P",
                   help=f"dropout on the input features (default 0.2 with {WIDE_INPUT} or "
                        f"more features, as digits' 64 pixels; else 0)")
    p.add_argument("--loss", default=d["loss"], choices=LOSSES, metavar="NAME",
                   help=f"training loss: {', '.join(LOSSES)} (auto: cross_entropy for "
                        f"classes, mse for numbers)")
    p.add_argument("--optimizer", default=d["optimizer"], choices=OPTIMIZERS, metavar="NAME",
                   help=f"optimiser: {', '.join(OPTIMIZERS)} (default {d['optimizer']})")
    p.add_argument("--lr", type=float, default=d["lr"],
                   help="learning rate (default: " + ", ".join(
                       f"{k} {v:g}" for k, v in DEFAULT_LR.items()) + ")")
    p.add_argument("--epochs", type=int, default=d["epochs"],
                   help=f"passes over the training rows (default {MIN_EPOCHS}, or more on "
                        f"small data, enough for {MIN_STEPS} steps)")
    p.add_argument("--batch-size", type=int, default=d["batch_size"],
                   help=f"rows per step (default {d['batch_size']})")
    p.add_argument("--l2", type=float, default=d["l2"],
                   help="L2 penalty l2/2*sum(W**2) on the weights (default 0)")
    p.add_argument("--seed", type=int, default=d["seed"],
                   help="fixes the initial weights, the batch order, dropout and the "
                        "validation rows (default 0)")
    p.add_argument("--split-seed", type=int, default=d["split_seed"],
                   help="fixes which rows are the test set (and the moons points); default: "
                        "--seed. Give it to compare several --seed runs on one test set")
    p.add_argument("--test-size", type=float, default=d["test_size"], metavar="FRACTION",
                   help=f"rows held out for the test score (default {d['test_size']})")
    p.add_argument("--val", type=float, default=d["val"], metavar="FRACTION",
                   help="training rows held out for validation (shown per epoch) and early "
                        "stopping, e.g. 0.1 (default 0: train on all training rows)")
    p.add_argument("--patience", type=int, default=d["patience"],
                   help=f"with --val: stop after this many epochs without a better "
                        f"validation loss and keep the best epoch's weights, 0 to train all "
                        f"epochs (default {d['patience']})")
    p.add_argument("--save", metavar="MODEL.npz", help="write the trained model to this file")
    p.add_argument("--plot", metavar="CURVES.png",
                   help="write loss/accuracy curves and per-layer gradient norms (PNG)")
    p.add_argument("--save-test", metavar="TEST.csv",
                   help="write the held-out test rows (raw features and label) as CSV, for "
                        "chainrule predict")
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS threads for the matrix products (default 1: faster for "
                        "networks this small; needs threadpoolctl, installed with "
                        "scikit-learn); 0 leaves the BLAS default")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def _parse_hidden(text: str):
    from . import UsageError
    text = text.strip()
    if text in ("", "none", "0"):
        return []
    try:
        sizes = [int(s) for s in text.replace(" ", "").split(",")]
    except ValueError:
        raise UsageError(f"--hidden must be layer sizes separated by commas, e.g. 128,64; "
                         f"got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise UsageError(f"--hidden: every layer size must be >= 1, got {text!r}")
    return sizes


def _check_args(args) -> None:
    from . import UsageError
    if args.epochs is not None and args.epochs < 1:
        raise UsageError(f"--epochs must be >= 1, got {args.epochs}")
    if args.batch_size < 1:
        raise UsageError(f"--batch-size must be >= 1, got {args.batch_size}")
    if args.lr is not None and not args.lr > 0:
        raise UsageError(f"--lr must be > 0, got {args.lr:g}")
    if not 0 < args.test_size < 1:
        raise UsageError(f"--test-size must be a fraction between 0 and 1, got {args.test_size:g}")
    if not 0 <= args.val < 1:
        raise UsageError(f"--val must be a fraction in [0, 1), got {args.val:g}")
    if args.patience < 0:
        raise UsageError(f"--patience must be >= 0, got {args.patience}")
    for flag, p in (("--dropout", args.dropout), ("--input-dropout", args.input_dropout)):
        if p is not None and not 0 <= p < 1:
            raise UsageError(f"{flag} must be a probability in [0, 1), got {p:g}")
    if args.threads < 0:
        raise UsageError(f"--threads must be >= 0, got {args.threads}")
    if args.l2 < 0:
        raise UsageError(f"--l2 must be >= 0, got {args.l2:g}")
    if args.plot:                                # fail before training, not after
        from ..train.plots import _figure_class
        try:
            _figure_class()
        except ImportError as e:
            raise UsageError(f"--plot: {e}") from None
    for flag, path in (("--save", args.save), ("--plot", args.plot),
                       ("--save-test", args.save_test)):
        if path:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise UsageError(f"{flag} {path}: the folder {folder} does not exist")


def _split_seed(args) -> int:
    return args.seed if args.split_seed is None else args.split_seed


def _load(args):
    from . import UsageError
    from ..data import DataError, NAMES, from_csv, load_dataset
    task = None if args.loss == "auto" else ("regression" if args.loss == "mse"
                                              else "classification")
    try:
        if args.data in NAMES:
            if args.label is not None:
                raise UsageError(f"--label is for CSV files; the {args.data} dataset has its own")
            data = load_dataset(args.data, seed=_split_seed(args))
        elif args.data.lower().endswith(".csv") or os.path.exists(args.data):
            data = from_csv(args.data, args.label, task=task)
        else:
            raise UsageError(f"--data {args.data!r}: not a dataset name ({', '.join(NAMES)}) "
                             f"and no such file")
    except DataError as e:
        raise UsageError(str(e)) from None
    except ImportError as e:
        raise UsageError(str(e)) from None
    if task is not None and task != data.task:
        what = "numbers (a regression target)" if data.task == "regression" else "classes"
        raise UsageError(f"--loss {args.loss} does not fit {data.name}: its labels are {what}")
    return data


def _settings(args, data, n_fit: int) -> dict:
    """The loss, output layer, input dropout, epochs and learning rate of this run: the
    options given, or the defaults that suit the data."""
    from . import UsageError
    classify = data.task == "classification"
    loss = args.loss if args.loss != "auto" else ("cross_entropy" if classify else "mse")
    if loss == "binary_cross_entropy" and data.n_classes != 2:
        raise UsageError(f"--loss {loss} is for two classes; {data.name} has {data.n_classes} "
                         f"(use cross_entropy)")
    if classify:
        n_out = 1 if loss == "binary_cross_entropy" else data.n_classes
    else:
        n_out = 1 if data.y.ndim == 1 else data.y.shape[1]
    in_drop = args.input_dropout
    if in_drop is None:
        in_drop = 0.2 if data.X.shape[1] >= WIDE_INPUT else 0.0
    epochs = args.epochs
    if epochs is None:
        steps = max(1, -(-n_fit // args.batch_size))
        epochs = min(MAX_AUTO_EPOCHS, max(MIN_EPOCHS, -(-MIN_STEPS // steps)))
    return dict(loss=loss, n_out=n_out, in_drop=in_drop, epochs=epochs,
                output="sigmoid" if loss == "binary_cross_entropy" else "linear",
                lr=args.lr if args.lr is not None else DEFAULT_LR[args.optimizer])


def _describe(args, data, train_rows, test_rows, arch, n_params, cfg, echo) -> None:
    what = f"{data.n_classes} classes" if data.task == "classification" else "regression"
    echo(f"{data.name}: {len(data.y)} rows, {data.X.shape[1]} features, {what}; "
         f"{len(train_rows)} for training"
         + (f" ({args.val:.0%} of them for validation)" if args.val else "")
         + f", {len(test_rows)} for the test")
    stopping = bool(args.val and args.patience)
    echo(f"model: {arch} {args.activation} MLP"
         + (f", input dropout {cfg['in_drop']:g}" if cfg["in_drop"] else "")
         + (f", dropout {args.dropout:g}" if args.dropout else "")
         + f" ({n_params:,} parameters); loss {cfg['loss']}; {args.optimizer} lr "
           f"{cfg['lr']:g}, batch {args.batch_size}, {'up to ' if stopping else ''}"
           f"{cfg['epochs']} epochs"
         + (f", early stopping (patience {args.patience})" if stopping else "")
         + f"; seed {args.seed}", flush=True)


def _report_training(h, echo) -> None:
    stop = (f"stopped early after epoch {len(h)}, kept epoch {h.best_epoch}" if h.stopped_early
            else f"{len(h)} epochs" + (f", kept the best epoch {h.best_epoch}"
                                       if h.best_epoch not in (None, len(h)) else ""))
    echo(f"trained in {h['time'][-1]:.2f} s ({stop})")
    if len(h.epoch_grad_norms):                 # vanishing / exploding gradients at a glance
        first, last = h.epoch_grad_norms[0], h.epoch_grad_norms[-1]
        width = max(len(n) for n in h.layer_names)
        echo("gradient norm per layer (mean over the first and the last epoch):")
        for name, a, b in zip(h.layer_names, first, last):
            echo(f"  {name:<{width}}  {a:9.3g} -> {b:9.3g}")


def _test_score(trained, X_test, y_test, echo) -> dict:
    """Score on the held-out rows, printed; returned for the model file's info."""
    import numpy as np
    if trained.task == "classification":
        correct = int(np.count_nonzero(trained.predict_indices(X_test) == y_test))
        score = correct / len(y_test)
        echo(f"test accuracy: {score:.4f} ({correct}/{len(y_test)})")
        return {"test_accuracy": score}
    err = trained.predict(X_test).reshape(y_test.shape) - y_test
    rmse = float(np.sqrt(np.mean(err ** 2)))
    r2 = 1.0 - float(np.sum(err ** 2) / np.sum((y_test - y_test.mean(axis=0)) ** 2))
    echo(f"test RMSE: {rmse:.4g}  R^2: {r2:.4f} ({len(y_test)} rows)")
    return {"test_rmse": rmse, "test_r2": r2}


def experiment(args, echo=print) -> dict:
    """The whole run of ``chainrule train`` for parsed ``args``; ``echo`` prints the
    report (pass a no-op to keep quiet). Returns the pieces (data, split, model, history,
    scores, fit time) for callers such as benchmarks/train_vs_sklearn.py."""
    import time
    import numpy as np
    from . import UsageError
    from ..data import Standardizer, split_indices
    from ..train import TrainedModel, fit, plot_history
    from ..train.models import mlp

    _check_args(args)
    hidden = _parse_hidden(args.hidden)
    data = _load(args)
    classify = data.task == "classification"
    try:
        train_rows, test_rows = split_indices(len(data.y), args.test_size, seed=_split_seed(args),
                                              stratify=data.y if classify else None)
    except ValueError as e:
        raise UsageError(f"{data.name}: {str(e).split(': ', 1)[-1]}") from None
    cfg = _settings(args, data, len(train_rows) - int(round(args.val * len(train_rows))))
    # standardisation statistics from the training rows only
    x_scaler = Standardizer().fit(data.X[train_rows])
    X_train, X_test = x_scaler.transform(data.X[train_rows]), data.X[test_rows]
    y_train, y_test = data.y[train_rows], data.y[test_rows]
    y_scaler = None
    if not classify:
        y_scaler = Standardizer().fit(y_train.reshape(len(y_train), -1))
        y_train = y_scaler.transform(y_train.reshape(len(y_train), -1))
    model = mlp(data.X.shape[1], hidden, cfg["n_out"], activation=args.activation,
                dropout=args.dropout, input_dropout=cfg["in_drop"], output=cfg["output"])
    arch = "-".join(str(s) for s in [data.X.shape[1], *hidden, cfg["n_out"]])
    n_params = sum(int(np.size(a)) for a in _leaves(model.init(0)))
    _describe(args, data, train_rows, test_rows, arch, n_params, cfg, echo)

    t0 = time.perf_counter()
    try:
        result = fit(model, X_train, y_train, loss=cfg["loss"], optimizer=args.optimizer,
                     lr=cfg["lr"], epochs=cfg["epochs"], batch_size=args.batch_size,
                     validation_split=args.val,
                     patience=(args.patience or None) if args.val else None, seed=args.seed,
                     l2=args.l2, progress=False if args.quiet else "auto")
    except FloatingPointError as e:
        raise UsageError(str(e).replace("fit: ", "")) from None
    fit_seconds = time.perf_counter() - t0
    h = result.history
    _report_training(h, echo)

    trained = TrainedModel(model, result.params, loss=cfg["loss"], classes=data.classes,
                           x_scaler=x_scaler, y_scaler=y_scaler,
                           feature_names=data.feature_names, label_name=data.label_name)
    trained.info.update(_test_score(trained, X_test, y_test, echo))
    trained.info.update(dataset=data.name, hidden=hidden, activation=args.activation,
                        optimizer=args.optimizer, lr=cfg["lr"], epochs=len(h),
                        batch_size=args.batch_size, seed=args.seed)
    if args.save:
        trained.save(args.save)
        echo(f"saved the model to {args.save} (chainrule predict --model {args.save} DATA.csv)")
    if args.save_test:
        _write_rows(args.save_test, data, test_rows)
        echo(f"wrote the {len(test_rows)} test rows to {args.save_test}")
    if args.plot:
        plot_history(h, args.plot, title=f"chainrule train: {data.name}, {arch} "
                                         f"{args.activation}, {args.optimizer}")
        echo(f"wrote the training curves to {args.plot}")
    sys.stdout.flush()
    fit_rows = train_rows if result.validation_rows is None else \
        np.delete(train_rows, result.validation_rows)
    return dict(data=data, train_rows=train_rows, test_rows=test_rows, fit_rows=fit_rows,
                x_scaler=x_scaler, model=model, result=result, trained=trained,
                loss=cfg["loss"], lr=cfg["lr"], hidden=hidden, fit_seconds=fit_seconds,
                test_accuracy=trained.info.get("test_accuracy"))


def run(args) -> int:
    from ..train.threads import blas_threads
    from .predict import _silence_stdout
    try:
        with blas_threads(args.threads or None):
            experiment(args)
    except BrokenPipeError:                      # e.g. "| head": the reader has gone
        _silence_stdout()
    return 0


def _leaves(tree):
    from ..tree import tree_leaves
    return tree_leaves(tree)


def _write_rows(path, data, rows) -> None:
    """The given rows with their raw features and label, as a CSV file with a header."""
    import csv
    label = data.label_name or "label"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([*data.feature_names, label])
        for i in rows:
            y = data.classes[data.y[i]] if data.task == "classification" else data.y[i]
            w.writerow([repr(float(v)) for v in data.X[i]] + [y])
