"""``chainrule bench``: runs the benchmark harness of a source checkout
(``benchmarks/run.py``) beside the peer libraries; every argument goes to it."""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Optional, Sequence


def register(sub) -> None:
    sub.add_parser("bench", help="run the benchmarks beside the peer libraries "
                   "(arguments go to benchmarks/run.py, e.g. --quick, --only overhead)",
                   add_help=False)


def _find_benchmarks() -> Optional[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.path.join(os.getcwd(), "benchmarks"),
                 os.path.join(here, "..", "..", "..", "benchmarks")):
        if os.path.isfile(os.path.join(cand, "run.py")):
            return os.path.abspath(cand)
    return None


def run_raw(rest: Sequence[str]) -> int:
    where = _find_benchmarks()
    if where is None:
        print("chainrule bench: no benchmarks/run.py found; run it from a source checkout "
              "of chainrule (the harness is not part of the installed package)",
              file=sys.stderr)
        return 2
    return subprocess.call([sys.executable, os.path.join(where, "run.py"), *rest], cwd=where)
