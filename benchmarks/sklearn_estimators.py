#!/usr/bin/env python3
"""chainrule.sklearn's MLPClassifier beside scikit-learn's, fit time on digits. Re-run from
the repository root:

    python benchmarks/sklearn_estimators.py                 # 1 BLAS thread, 5 rounds (~1 min)
    python benchmarks/sklearn_estimators.py --rounds 9 --threads 2

Each row fits both estimators with the same arguments on the same rows: digits (1797 x 64,
pixels / 16), hidden_layer_sizes=(100,) (64-100-10, relu), random_state=0, 200 epochs
that always run to the end (tol=0, n_iter_no_change=inf), every other setting at
scikit-learn's defaults (adam, learning_rate_init=1e-3, batch_size=200 -> 9 steps an
epoch, alpha=1e-4) unless the row says otherwise. The time is the wall time of ``fit``;
rounds alternate between the two; the table gives medians and their ratio.

Correctness first: with shuffle=False both take the same steps from the same initial
weights, so their loss curves must agree (the "max rel. diff" column; in float32 and
over L-BFGS's 200 iterations rounding differences grow, so the first epochs and the final
loss are shown); with shuffling each
draws its own batch order, and the column gives the difference in accuracy on a held-out
30% instead.
"""
import argparse
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--rounds", type=int, default=5, help="rounds per row (default 5)")
    p.add_argument("--epochs", type=int, default=200, help="epochs per fit (default 200)")
    return p.parse_args()


ROWS = [
    ("adam, shuffle=False", dict(shuffle=False)),
    ("adam (scikit-learn's defaults)", dict()),
    ("adam, float32 input", dict(shuffle=False, float32=True)),
    ("sgd, nesterov, shuffle=False", dict(solver="sgd", learning_rate_init=0.1, shuffle=False)),
    ("adam, batch_size=32", dict(batch_size=32, shuffle=False)),
    ("lbfgs", dict(solver="lbfgs")),
]


def main():
    args = parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    import warnings

    import numpy as np
    import sklearn
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier as SkMLP

    import chainrule
    from chainrule.sklearn import MLPClassifier as CrMLP

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    print(f"chainrule {chainrule.__version__ if hasattr(chainrule, '__version__') else ''} "
          f"beside scikit-learn {sklearn.__version__}, numpy {np.__version__}; "
          f"{args.threads} BLAS thread(s), {args.rounds} rounds, {args.epochs} epochs; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'row':32s} {'chainrule':>10s} {'sklearn':>10s} {'ratio':>6s}  check")
    for name, extra in ROWS:
        extra = dict(extra)
        float32 = extra.pop("float32", False)
        kw = dict(hidden_layer_sizes=(100,), random_state=0, max_iter=args.epochs, tol=0.0,
                  n_iter_no_change=np.inf, **extra)
        shuffled = kw.get("shuffle", True) and kw.get("solver") != "lbfgs"
        Xf = (X_tr if shuffled else X).astype(np.float32 if float32 else np.float64)
        yf = y_tr if shuffled else y
        times = {"chainrule": [], "sklearn": []}
        fitted = {}
        for _ in range(args.rounds):
            for label, cls in (("chainrule", CrMLP), ("sklearn", SkMLP)):
                est = cls(**kw)
                t0 = time.perf_counter()
                est.fit(Xf, yf)
                times[label].append(time.perf_counter() - t0)
                fitted[label] = est
        ours, ref = fitted["chainrule"], fitted["sklearn"]
        if shuffled:
            acc = (ours.score(X_te.astype(Xf.dtype), y_te), ref.score(X_te.astype(Xf.dtype), y_te))
            check = f"test accuracy {acc[0]:.4f} vs {acc[1]:.4f}"
        elif kw.get("solver") == "lbfgs":
            check = f"loss_ rel. diff {abs(ours.loss_ / ref.loss_ - 1):.1e}"
        else:
            rel = np.abs(np.array(ours.loss_curve_) / np.array(ref.loss_curve_) - 1)
            check = f"loss curves max rel. diff {rel.max():.1e}"
            if float32:     # rounding differences grow over the epochs in float32
                check += f" (first 10 epochs {rel[:10].max():.1e})"
        a, b = np.median(times["chainrule"]), np.median(times["sklearn"])
        print(f"{name:32s} {a:9.3f}s {b:9.3f}s {a / b:5.2f}x  {check}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
