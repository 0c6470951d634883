"""The ``chainrule`` command line.

``chainrule demo`` differentiates the lecture notes' example f(x1, x2) = ln(x1) + x1*x2 -
sin(x2) at (2, 5) in both modes; ``chainrule bench`` runs the benchmark harness of a
source checkout (``benchmarks/run.py``) beside the peer libraries.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Optional, Sequence


def _demo(args) -> int:
    import chainrule as cr
    import chainrule.numpy as cnp

    def f(x1, x2):
        return cnp.log(x1) + x1 * x2 - cnp.sin(x2)

    x1, x2 = args.x1, args.x2
    y, (g1, g2) = cr.value_and_grad(f, argnums=(0, 1))(x1, x2)
    _, t1 = cr.jvp(f, (x1, x2), (1.0, 0.0))
    _, t2 = cr.jvp(f, (x1, x2), (0.0, 1.0))
    H = cr.hessian(lambda v: f(v[0], v[1]))(cr.numpy.array([x1, x2]))
    print(f"f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at x1 = {x1:g}, x2 = {x2:g}")
    print(f"  value                     y = {float(y):.3f}")
    print(f"  forward mode (x1 seeded)  dy/dx1 = {float(t1):.3f}")
    print(f"  forward mode (x2 seeded)  dy/dx2 = {float(t2):.3f}")
    print(f"  reverse mode (one pass)   grad   = ({float(g1):.3f}, {float(g2):.3f})")
    print(f"  Hessian                   [[{H[0, 0]:.3f}, {H[0, 1]:.3f}], "
          f"[{H[1, 0]:.3f}, {H[1, 1]:.3f}]]")
    return 0


def _find_benchmarks() -> Optional[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.path.join(os.getcwd(), "benchmarks"),
                 os.path.join(here, "..", "..", "benchmarks")):
        if os.path.isfile(os.path.join(cand, "run.py")):
            return os.path.abspath(cand)
    return None


def _bench(args, rest) -> int:
    where = _find_benchmarks()
    if where is None:
        print("chainrule bench: no benchmarks/run.py found; run it from a source checkout "
              "of chainrule (the harness is not part of the installed package)",
              file=sys.stderr)
        return 2
    return subprocess.call([sys.executable, os.path.join(where, "run.py"), *rest], cwd=where)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``chainrule`` command.

    >>> main(["demo"])  # doctest: +ELLIPSIS
    f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at x1 = 2, x2 = 5
    ...
    0
    """
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="chainrule: exact derivatives of NumPy code, forward and reverse mode.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("demo", help="differentiate the lecture notes' example in both modes")
    p.add_argument("--x1", type=float, default=2.0, help="value of x1 (default 2)")
    p.add_argument("--x2", type=float, default=5.0, help="value of x2 (default 5)")
    sub.add_parser("bench", help="run the benchmarks beside the peer libraries "
                   "(arguments go to benchmarks/run.py, e.g. --quick, --only overhead)",
                   add_help=False)
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:
        return _bench(None, argv[1:])
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo(args)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
