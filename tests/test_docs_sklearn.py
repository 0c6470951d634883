"""The Python blocks of docs/sklearn.md run, in order, in one namespace, and print what
the page shows after each of them."""
import contextlib
import io
import os
import re
import warnings

import pytest

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs",
                   "sklearn.md")


def _blocks():
    text = open(DOC, encoding="utf-8").read()
    return re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```", text, re.S)


def test_the_page_has_its_examples():
    assert len(_blocks()) == 4


def test_sklearn_page_output():
    pytest.importorskip("sklearn")
    from sklearn.exceptions import ConvergenceWarning

    from chainrule.train.threads import blas_threads
    ns: dict = {}
    with blas_threads(1), warnings.catch_warnings():           # as the page was run
        warnings.simplefilter("ignore", ConvergenceWarning)
        for i, (code, shown) in enumerate(_blocks()):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"docs/sklearn.md python block {i + 1}", "exec"), ns)
            assert out.getvalue().rstrip() == shown.rstrip(), f"block {i + 1}"
