"""Exceptions with messages that say what went wrong and what to do instead."""


class NoDerivativeRuleError(NotImplementedError):
    """A primitive was differentiated in a mode (or argument) it has no rule for."""


class TracedNumpyError(TypeError):
    """Plain ``numpy`` was handed a traced value."""


class DebugNaNError(FloatingPointError):
    """Raised by ``config.debug_nans`` at the first primitive producing a NaN."""
