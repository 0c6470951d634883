"""Shared test setup: import the package from ``src`` without installing it, and keep
hypothesis quick and deterministic on small CI machines."""
import os
import sys

_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)

try:
    from hypothesis import HealthCheck, settings
except ImportError:                       # hypothesis is optional (the "test" extra)
    pass
else:
    # derandomize: the same examples on every run, so a failure is reproducible
    settings.register_profile("chainrule", deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "chainrule"))
