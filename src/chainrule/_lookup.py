"""Looking up a named choice (an activation, a loss, an optimiser) in its table."""
from __future__ import annotations

from typing import Any, Mapping


def by_name(table: Mapping[str, Any], name: Any, where: str, what: str) -> Any:
    """``table[name.lower()]``, or a ValueError naming ``where``, the bad name and the
    choices.

    >>> by_name({"relu": 1}, "ReLU", "chainrule.nn.get_activation", "activation")
    1
    >>> by_name({"relu": 1}, "selu", "chainrule.nn.get_activation", "activation")
    Traceback (most recent call last):
    ...
    ValueError: chainrule.nn.get_activation: unknown activation 'selu'; expected one of relu
    """
    if not isinstance(name, str) or name.lower() not in table:
        raise ValueError(f"{where}: unknown {what} {name!r}; expected one of "
                         f"{', '.join(sorted(table))}")
    return table[name.lower()]
