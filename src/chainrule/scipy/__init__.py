"""``chainrule.scipy``: SciPy's names and signatures, differentiable.

This part of chainrule needs SciPy, an optional dependency (``pip install scipy`` or
``pip install "chainrule[scipy]"``). Plain ``chainrule`` and ``chainrule.numpy`` never
import SciPy, and neither does this package itself: import the submodule you need
explicitly, so that each one can say clearly what is missing::

    import chainrule.scipy.special as csp   # logsumexp, expit, erf, gammaln, ...
    import chainrule.scipy.stats as cst     # norm, t, gamma, beta, multivariate_normal, ...
    import chainrule.scipy.linalg as csl    # solve_triangular, cho_solve, ...

>>> import chainrule.scipy.special as csp
>>> round(float(csp.expit(0.0)), 3)
0.5
"""
