"""One strict check of a scenario section: a mapping with only the allowed keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sim.errors import ScenarioError

__all__ = ["strict_mapping"]


def strict_mapping(
    value: Any, path: str, allowed: Iterable[str], required: Iterable[str] = ()
) -> Mapping:
    """Check that ``value`` is a mapping with only ``allowed`` keys and every ``required`` one.

    Parameters
    ----------
    value : Any
        The section as read from YAML.
    path : str
        Dotted path of the section (``""`` for the top level), for error messages.
    allowed : iterable of str
        Keys the section may have.
    required : iterable of str, optional
        Keys it must have.

    Returns
    -------
    Mapping
        ``value`` itself.

    Raises
    ------
    ScenarioError
        Not a mapping, an unknown key (naming the allowed ones), or a missing key.
    """
    if not isinstance(value, Mapping):
        raise ScenarioError("expected a mapping", field=path or None, given=value)
    allowed = set(allowed)
    extra = [str(k) for k in value if str(k) not in allowed]
    if extra:
        raise ScenarioError(
            f"unknown field '{extra[0]}'",
            field=f"{path}.{extra[0]}" if path else extra[0],
            expected="one of " + ", ".join(sorted(allowed)),
        )
    for key in required:
        if key not in value or value[key] is None:
            raise ScenarioError("missing required field", field=f"{path}.{key}" if path else key)
    return value
