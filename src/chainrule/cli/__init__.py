"""The ``chainrule`` command line.

Each sub-command lives in a module of its own in this package (``demo.py``, ``bench.py``,
...). A module defines ``register(sub)``, which adds its parser to the sub-parsers and sets
``run=`` (a function ``run(args) -> exit status``) as the parser's default. A command
that meets bad input prints one line ``chainrule <command>: <what is wrong>`` to stderr
and returns 2 (see :class:`UsageError`).
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from . import bench, demo, explain, predict, train

COMMANDS = [train, predict, explain, demo, bench]
"""The modules of the sub-commands, in the order ``chainrule --help`` lists them."""


class UsageError(Exception):
    """Bad input to a command: reported as one line on stderr, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="chainrule: exact derivatives of NumPy code, forward and reverse mode.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``chainrule`` command; returns the exit status.

    >>> main(["demo"])  # doctest: +ELLIPSIS
    f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at x1 = 2, x2 = 5
    ...
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:                   # every argument goes to benchmarks/run.py
        return bench.run_raw(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 0
    try:
        return run(args)
    except UsageError as e:
        print(f"chainrule {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
