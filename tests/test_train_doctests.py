"""The runnable examples in the docstrings of the data, training and CLI modules."""
import doctest
import importlib
import importlib.util

import pytest

MODULES = ["chainrule.data", "chainrule.data.csvfile", "chainrule.data.datasets",
           "chainrule.data.prep", "chainrule.train", "chainrule.train.loop",
           "chainrule.train.models", "chainrule.train.trained", "chainrule.train.plots",
           "chainrule.train.threads"]
NEEDS = {"chainrule.train.plots": "matplotlib"}


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    if name in NEEDS and importlib.util.find_spec(NEEDS[name]) is None:
        pytest.skip(f"{NEEDS[name]} is not installed")
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} doctest(s) failed in {name}"
    assert res.attempted > 0, f"no doctest examples in {name}"
