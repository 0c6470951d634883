#!/usr/bin/env python3
"""Benchmark chainrule side by side with its peers (NumPy by hand, autograd, torch, jax,
scikit-learn), in one run, as ratios to a reference row. See benchmarks/README.md.

    python benchmarks/run.py                          # every workload
    python benchmarks/run.py --quick                  # smoke run, a few seconds per workload
    python benchmarks/run.py --only mlp --threads 2   # one workload (name or W1..W5)
    python benchmarks/run.py --json results.json      # also write every number as JSON
"""
import argparse
import importlib
import json
import os
import sys
import time
import traceback


def parse_args(argv, names, labels):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="few repeats and smaller data: a smoke run, not a measurement")
    p.add_argument("--only", metavar="NAME", action="append",
                   help=f"run only this workload (repeatable, or comma-separated): "
                        f"{', '.join(f'{n} ({labels[n]})' for n in names)}")
    p.add_argument("--json", metavar="PATH", help="write all results to this JSON file")
    p.add_argument("--threads", type=int, default=1,
                   help="compute threads for every system (default 1)")
    args = p.parse_args(argv)
    chosen = names
    if args.only:
        by_label = {labels[n].lower(): n for n in names}
        wanted = [w.strip().lower() for item in args.only for w in item.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in names and w not in by_label]
        if unknown:
            p.error(f"unknown workload {', '.join(unknown)}; choose from {', '.join(names)}")
        wanted = {by_label.get(w, w) for w in wanted}
        chosen = [n for n in names if n in wanted]
    if args.threads < 1:
        p.error("--threads must be >= 1")
    return args, chosen


def main(argv=None):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from workloads import WORKLOADS
    args, chosen = parse_args(argv, list(WORKLOADS), WORKLOADS)

    import timing                                   # imports nothing heavy
    timing.set_threads(args.threads)                # before numpy / torch / jax
    cfg = timing.Config(quick=args.quick, threads=args.threads)

    meta = timing.machine_info(cfg)
    print(f"chainrule benchmark  {meta['date']}  python {meta['python']}  "
          f"{meta['cpu']} ({meta['cpu_count']} cpus), threads={cfg.threads}"
          f"{'  QUICK (smoke run, numbers not meaningful)' if cfg.quick else ''}")
    print("versions: " + ", ".join(f"{k} {v or 'not installed'}" for k, v in meta["versions"].items()))
    load = meta["load_average_1min"]
    print(f"load average (1 min) at start: {load}")
    print("ratio = median / median of the [ref] row (lower is faster). "
          "Rows that fail their correctness check are not timed.")

    results = {"meta": meta, "workloads": {}}
    for name in chosen:
        label = WORKLOADS[name]
        timing.progress(f"[{label} {name}]")
        t0, c0 = time.perf_counter(), timing.cpu_counters()
        try:
            mod = importlib.import_module(f"workloads.{name}")
            tables = mod.run(cfg)
            error = None
        except Exception as e:                       # one broken workload must not stop the rest
            traceback.print_exc()
            tables, error = [], f"{type(e).__name__}: {e}"
            print(f"\n{label} {name}: workload crashed: {error}")
        wall = time.perf_counter() - t0
        busy = timing.contention(c0, timing.cpu_counters(), wall)
        for t in tables:
            timing.print_table(t)
        if busy is not None:
            print(f"  during {label}: other processes kept {busy['others']:.2f} CPU cores busy, "
                  f"the hypervisor stole {busy['steal']:.2f}" +
                  ("  WARNING: contended machine" if timing.contended(busy) else ""))
        results["workloads"][name] = {"label": label, "tables": tables, "error": error,
                                      "seconds": wall, "contention": busy}
        timing.progress(f"[{label} {name}] done in {time.perf_counter() - t0:.0f} s")

    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=float)
        print(f"\nresults written to {args.json}")


if __name__ == "__main__":
    main()
