"""The runnable examples in the docstrings of the core modules are tests too."""
import doctest
import importlib

import pytest

MODULES = ["chainrule", "chainrule.transforms", "chainrule.check", "chainrule.tree",
           "chainrule.core.primitive", "chainrule.cli", "chainrule.scipy.special",
           "chainrule.scipy.stats", "chainrule.scipy.stats._base",
           "chainrule.scipy.stats._continuous", "chainrule.scipy.stats._discrete",
           "chainrule.scipy.stats._multivariate", "chainrule.scipy.linalg",
           "chainrule.explainer.explanation", "chainrule.explainer.graph",
           "chainrule.explainer.notation", "chainrule.explainer.expression",
           "chainrule._lookup"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} doctest(s) failed in {name}"
    assert res.attempted > 0 or name.endswith("_base"), f"no doctest examples in {name}"
