"""The primitive table as a whole: every primitive has both rules and is reachable from a
public function (whose own tests check it), or is checked here directly."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy.linalg  # noqa: F401  (registers its primitives)
import chainrule.scipy.linalg  # noqa: F401
import chainrule.scipy.special  # noqa: F401
import chainrule.scipy.stats  # noqa: F401
from chainrule.core import REGISTRY
from chainrule.numpy._registry import PUBLIC

# Primitives used only inside other functions' rules, each checked directly below.
INTERNAL = {"linalg.triangular_solve"}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_primitive_has_both_rules(name):
    prim = REGISTRY[name]
    assert prim.has_vjp, f"{name}: no reverse (VJP) rule"
    assert prim.has_jvp, f"{name}: no forward (JVP) rule"


def test_every_primitive_is_reachable_from_a_public_function():
    named = set()
    for e in PUBLIC.values():
        named.update(e["prims"])
    unnamed = set(REGISTRY) - named - INTERNAL
    assert not unnamed, f"primitives no public function names (and no direct test): {unnamed}"
    assert not (named - set(REGISTRY)), "public functions name unregistered primitives"


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_internal_triangular_solve(lower, unit):
    from chainrule.numpy.linalg import _trisolve
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, 3)) + 4 * np.eye(3)
    b = rng.standard_normal((3, 2))
    t = np.tril(a, -1 if unit else 0) if lower else np.triu(a, 1 if unit else 0)
    if unit:
        t = t + np.eye(3)
    np.testing.assert_allclose(_trisolve(a, b, lower, unit), np.linalg.solve(t, b))
    f = lambda a, b: _trisolve(a, b, lower, unit)      # noqa: E731
    cr.check_grads(f, (a, b), order=2)
    for k in (0, 1):
        np.testing.assert_allclose(cr.jacfwd(f, argnums=k)(a, b), cr.jacrev(f, argnums=k)(a, b),
                                   rtol=1e-10, atol=1e-12)
