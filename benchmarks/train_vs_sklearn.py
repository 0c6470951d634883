#!/usr/bin/env python3
"""`chainrule train` on digits beside scikit-learn's MLPClassifier, and the training loop's
own per-step overhead. Re-run from the repository root:

    python benchmarks/train_vs_sklearn.py                  # seeds 0-9, 1 thread (~1 min)
    python benchmarks/train_vs_sklearn.py --seeds 20       # seeds 0-19
    python benchmarks/train_vs_sklearn.py --threads 2
    python benchmarks/train_vs_sklearn.py --part 2 --rounds 15   # only the loop overhead

Part 1, per seed: the default `chainrule train` run (digits, 64-256-10 ReLU, dropout 0.2 on
the inputs, Adam lr 2e-3, batch 64, 60 epochs, test split 20% fixed by the seed), then
scikit-learn's MLPClassifier with the same architecture (hidden_layer_sizes=(256,), relu),
optimiser (adam, learning_rate_init=2e-3, batch_size=64), epochs (max_iter = the epochs
chainrule ran, never stopping early: tol=0, n_iter_no_change > max_iter), alpha=0, on the
same standardised training rows, scored on the same test rows. scikit-learn has no input dropout, so a
second chainrule row trains with --input-dropout 0, the like-for-like configuration.
Times are the wall time of the fit call alone, in the same process, one after the other.
chainrule works in float32, scikit-learn in float64 (its default for float64 input).

Part 2: the training loop's per-step cost against the bare step it wraps (one
`cr.value_and_grad` call and one `opt.update` on pre-shuffled minibatches), for the
default digits network: `fit` without and with gradient-norm recording, and with the
tqdm bar. Rounds alternate between the variants. On a shared machine the wall times
move by 10% from round to round; callgrind instruction counts (see the commit log of
train/loop.py) put fit's own cost at 2.1% of the step, 1.7 points of it the norms.
"""
import argparse
import io
import os
import subprocess
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--rounds", type=int, default=7, help="rounds of part 2 (default 7)")
    p.add_argument("--part", type=int, choices=(1, 2), help="run only part 1 or part 2")
    return p.parse_args()


def part1(seeds):
    import warnings

    import numpy as np
    from sklearn.neural_network import MLPClassifier

    from chainrule.cli import build_parser
    from chainrule.cli.train import DEFAULT_LR, DEFAULTS, experiment

    hidden = tuple(int(h) for h in DEFAULTS["hidden"].split(","))
    batch, lr = DEFAULTS["batch_size"], DEFAULT_LR["adam"]
    rows = []
    print(f"part 1: digits, {'-'.join(map(str, (64, *hidden, 10)))} relu, adam lr {lr:g}, "
          f"batch {batch}, the epochs chainrule train ran (60 by default); fit wall time")
    print(f"{'seed':>4}  {'chainrule (default)':>21}  {'chainrule (no in-drop)':>22}  "
          f"{'scikit-learn':>14}  {'time ratio':>10}")
    for seed in range(seeds):
        runs = {}
        for name, extra in (("default", []), ("plain", ["--input-dropout", "0"])):
            args = build_parser().parse_args(["train", "--quiet", "--seed", str(seed), *extra])
            runs[name] = experiment(args, echo=lambda *a, **k: None)
        r = runs["default"]
        epochs = len(r["result"].history)
        data, scaler = r["data"], r["x_scaler"]
        X_fit = scaler.transform(data.X[r["fit_rows"]])
        X_test = scaler.transform(data.X[r["test_rows"]])
        clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                            alpha=0.0, batch_size=batch, learning_rate_init=lr,
                            max_iter=epochs, shuffle=True, random_state=seed, tol=0.0,
                            n_iter_no_change=epochs + 1, early_stopping=False)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # "max_iter reached": what we asked for
            clf.fit(X_fit, data.y[r["fit_rows"]])
        sk_time = time.perf_counter() - t0
        sk_acc = float(clf.score(X_test, data.y[r["test_rows"]]))
        row = dict(seed=seed, cr_acc=r["test_accuracy"], cr_time=r["fit_seconds"],
                   plain_acc=runs["plain"]["test_accuracy"],
                   plain_time=runs["plain"]["fit_seconds"], sk_acc=sk_acc, sk_time=sk_time)
        rows.append(row)
        print(f"{seed:>4}  {row['cr_acc']:.4f} {row['cr_time']:6.2f} s     "
              f"{row['plain_acc']:.4f} {row['plain_time']:6.2f} s      "
              f"{sk_acc:.4f} {sk_time:5.2f} s  {row['cr_time'] / sk_time:8.2f}x", flush=True)

    def col(k):
        return np.array([r[k] for r in rows])

    print(f"test accuracy, chainrule default:     min {col('cr_acc').min():.4f}  mean "
          f"{col('cr_acc').mean():.4f}  max {col('cr_acc').max():.4f}  "
          f"(< 0.97: {int((col('cr_acc') < 0.97).sum())} of {len(rows)})")
    print(f"test accuracy, chainrule no in-drop:  min {col('plain_acc').min():.4f}  mean "
          f"{col('plain_acc').mean():.4f}  max {col('plain_acc').max():.4f}")
    print(f"test accuracy, scikit-learn:          min {col('sk_acc').min():.4f}  mean "
          f"{col('sk_acc').mean():.4f}  max {col('sk_acc').max():.4f}")
    print(f"fit time, median: chainrule default {np.median(col('cr_time')):.2f} s, "
          f"no in-drop {np.median(col('plain_time')):.2f} s, scikit-learn "
          f"{np.median(col('sk_time')):.2f} s; ratio chainrule / scikit-learn "
          f"{np.median(col('cr_time') / col('sk_time')):.2f}x (default), "
          f"{np.median(col('plain_time') / col('sk_time')):.2f}x (like for like)")


def part2(rounds):
    import numpy as np

    import chainrule as cr
    from chainrule import nn, optim
    from chainrule.data import Standardizer, load_dataset, split_indices
    from chainrule.train import fit
    from chainrule.train.models import mlp

    d = load_dataset("digits")
    train, _ = split_indices(len(d.y), 0.2, seed=0, stratify=d.y)
    X = Standardizer().fit(d.X[train]).transform(d.X[train]).astype(np.float32)
    y = d.y[train]
    Y = np.eye(10, dtype=np.float32)[y]
    net = mlp(64, [256], 10, input_dropout=0.2)
    epochs, batch = 30, 64
    steps = epochs * -(-len(X) // batch)

    def bare():
        params = net.init(0)
        opt = optim.Adam(2e-3)
        state = opt.init(params)
        drop_rng, order_rng = np.random.default_rng(0), np.random.default_rng(1)

        def loss(p, xb, yb):
            return nn.cross_entropy(net(p, xb, train=True, rng=drop_rng), yb)

        step = cr.value_and_grad(loss)
        t0 = time.perf_counter()
        for _ in range(epochs):
            order = order_rng.permutation(len(X))
            Xe, Ye = X[order], Y[order]
            for s in range(0, len(X), batch):
                value, grads = step(params, Xe[s:s + batch], Ye[s:s + batch])
                params, state = opt.update(params, grads, state)
                float(value)
        return time.perf_counter() - t0

    def with_fit(**kw):
        def run():
            t0 = time.perf_counter()
            fit(net, X, y, lr=2e-3, epochs=epochs, batch_size=batch, seed=0, **kw)
            return time.perf_counter() - t0
        return run

    variants = [("bare step (value_and_grad + update)", bare),
                ("fit, no gradient norms", with_fit(record_grad_norms=False)),
                ("fit (gradient norms recorded)", with_fit()),
                ("fit + tqdm bar", with_fit(progress=True))]
    times = {name: [] for name, _ in variants}
    for r in range(rounds):
        # a variant's place in the round moves its time by several per cent on a small
        # VM, so each round starts at another variant, in alternating directions
        order = variants[r % len(variants):] + variants[:r % len(variants)]
        for name, run in (order if r % 2 == 0 else order[::-1]):
            saved, sys.stderr = sys.stderr, io.StringIO()   # the bar draws into a buffer
            try:
                times[name].append(run())
            finally:
                sys.stderr = saved
    base = float(np.median(times[variants[0][0]]))
    best = float(np.min(times[variants[0][0]]))
    print(f"\npart 2: loop overhead, digits 64-256-10 + input dropout, batch {batch}, "
          f"{steps} steps per sample, {rounds} rounds (median, and the best round, which "
          f"a busy machine disturbs least)")
    for name, _ in variants:
        m, b = float(np.median(times[name])), float(np.min(times[name]))
        print(f"  {name:38s} median {m / steps * 1e6:7.1f} us/step {100 * (m / base - 1):+6.1f}%"
              f"   best {b / steps * 1e6:7.1f} us/step {100 * (b / best - 1):+6.1f}%")


def main():
    args = parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)             # before numpy is imported
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    if os.path.isdir(os.path.join(src, "chainrule")):
        sys.path.insert(0, src)                         # this checkout, not an install
    import numpy as np

    import chainrule
    import sklearn
    print(f"chainrule {chainrule.__version__}, scikit-learn {sklearn.__version__}, numpy "
          f"{np.__version__}, {args.threads} BLAS thread(s), load average "
          f"{os.getloadavg()[0]:.2f}")
    if args.part != 2:
        t0 = time.perf_counter()
        cmd = [sys.executable, "-c", "import sys; from chainrule.cli import main; "
               "sys.exit(main(['train', '--quiet']))"]
        out = subprocess.run(cmd, capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
        print(f"`chainrule train --quiet` end to end (new process, imports included): "
              f"{time.perf_counter() - t0:.2f} s; " + out.stdout.strip().splitlines()[-1])
        part1(args.seeds)
    if args.part != 1:
        part2(args.rounds)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
