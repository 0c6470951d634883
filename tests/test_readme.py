"""The README's Python examples run and print what their comments say (the front door must
not go stale). The blocks are the project's own text, run as the docs' doctests are."""
import contextlib
import io
import os
import re

import pytest

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def _blocks():
    with open(README, encoding="utf-8") as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


def test_readme_has_examples():
    assert len(_blocks()) >= 2


@pytest.mark.parametrize("k", range(len(_blocks())))
def test_readme_example(k, monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    code = _blocks()[k]
    expected = [m.group(1).strip() for m in re.finditer(r"print\(.*\)\s*#\s*(.+)$", code, re.M)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README.md block {k}", "exec"), {"__name__": "readme"})
    for text in expected:
        assert text in out.getvalue(), (text, out.getvalue())
