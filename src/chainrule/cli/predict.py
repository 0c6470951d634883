"""``chainrule predict --model MODEL.npz DATA.csv``: apply a saved model to the rows of a CSV
file and write one prediction per row (CSV) to stdout or ``--output``. The feature columns
are found by the names the model was trained with; when the file also has the label
column, the score is reported on stderr."""
from __future__ import annotations

import csv
import sys


def register(sub) -> None:
    p = sub.add_parser("predict", help="apply a model saved by 'chainrule train --save' "
                                       "to the rows of a CSV file")
    p.add_argument("--model", required=True, metavar="MODEL.npz",
                   help="a model file written by chainrule train --save")
    p.add_argument("data", metavar="DATA.csv", help="rows to predict, with a header row "
                                                    "naming the model's feature columns")
    p.add_argument("--output", "-o", metavar="OUT.csv", help="write the predictions here "
                                                            "(default: stdout)")
    p.add_argument("--proba", action="store_true",
                   help="add one probability column per class (classification)")
    p.set_defaults(run=run)


def run(args) -> int:
    import numpy as np
    from . import UsageError
    from ..data import DataError, load_csv
    from ..train import ModelFileError, load_model

    try:
        tm = load_model(args.model)
    except ModelFileError as e:
        raise UsageError(str(e)) from None
    try:
        if tm.feature_names is not None:
            table = load_csv(args.data, tm.label_name, features=tm.feature_names,
                             require_label=False)
        else:
            table = load_csv(args.data, require_label=False)
    except DataError as e:
        raise UsageError(str(e)) from None
    if tm.n_features is not None and table.X.shape[1] != tm.n_features:
        raise UsageError(f"{args.data}: {table.X.shape[1]} feature columns, the model was "
                         f"trained on {tm.n_features}")
    pred = tm.predict(table.X)
    proba = None
    if args.proba:
        if tm.task != "classification":
            raise UsageError("--proba is for classification models; this one predicts numbers")
        try:
            proba = tm.predict_proba(table.X)
        except ValueError as e:
            raise UsageError(str(e).replace("predict_proba: ", "--proba: ")) from None
    out = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout
    try:
        _write(out, tm, pred, proba)
    except BrokenPipeError:                      # e.g. "| head": the reader has gone, fine
        _silence_stdout()
    finally:
        if out is not sys.stdout:
            out.close()
    if table.labels is not None:
        _report_score(tm, pred, table, np)
    return 0


def _silence_stdout() -> None:
    import os
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):                # stdout without a descriptor (captured)
        pass


def _write(out, tm, pred, proba) -> None:
    """One CSV row per prediction: the label (or value), then the probabilities."""
    w = csv.writer(out, lineterminator="\n")
    head = [f"predicted_{tm.label_name}" if tm.label_name else "prediction"]
    if proba is not None:
        head += [f"p({c})" for c in tm.classes] if tm.classes else \
            [f"p({j})" for j in range(proba.shape[1])]
    w.writerow(head)
    for i in range(len(pred)):
        v = pred[i]
        cell = f"{float(v):.7g}" if tm.task == "regression" else str(v)   # float32 digits
        w.writerow([cell] + ([f"{p:.6g}" for p in proba[i]] if proba is not None else []))
    out.flush()


def _report_score(tm, pred, table, np) -> None:
    where = f"{table.path} ({len(pred)} rows, label column {table.label_name!r})"
    if tm.task == "classification":
        correct = sum(str(a) == str(b) for a, b in zip(pred.tolist(), table.labels.tolist()))
        print(f"accuracy on {where}: {correct / len(pred):.4f} ({correct}/{len(pred)})",
              file=sys.stderr)
    elif table.labels.dtype.kind in "fi":
        err = pred.astype(np.float64) - table.labels.astype(np.float64)
        print(f"RMSE on {where}: {float(np.sqrt(np.mean(err ** 2))):.4g}", file=sys.stderr)
