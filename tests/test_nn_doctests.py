"""The runnable examples in the docstrings of chainrule.nn and chainrule.optim are tests."""
import doctest
import importlib

import pytest

MODULES = ["chainrule.nn", "chainrule.nn.activations", "chainrule.nn.losses",
           "chainrule.nn.layers", "chainrule.nn.init", "chainrule.optim",
           "chainrule.optim.base", "chainrule.optim.optimizers", "chainrule.optim.schedules",
           "chainrule.optim.layout"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} doctest(s) failed in {name}"
    assert res.attempted > 0, f"no doctest examples in {name}"
