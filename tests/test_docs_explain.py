"""docs/explain.md shows real output: every ```pycon block on the page is run again here
(as a doctest; blank lines inside a block are part of the expected output)."""
import doctest
import os
import re
import shutil

import pytest

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs",
                   "explain.md")


def _blocks():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"```pycon\n(.*?)```", text, re.S)


def test_the_page_has_examples():
    assert len(_blocks()) >= 8


@pytest.mark.skipif(shutil.which("dot") is None, reason="the page renders a graph with dot")
def test_every_example_prints_what_the_page_says():
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for k, block in enumerate(_blocks()):
        body = "\n".join(line if line.strip() else "<BLANKLINE>"
                         for line in block[:-1].split("\n"))   # (the last newline ends the block)
        test = parser.get_doctest(body, globs, f"docs/explain.md block {k}", DOC, 0)
        runner.run(test, clear_globs=False)
        globs = test.globs
    res = runner.summarize(verbose=False)
    assert res.failed == 0, f"{res.failed} example(s) in docs/explain.md print something else"
