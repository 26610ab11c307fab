"""One strict check of a scenario section: a mapping with only the allowed keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.units import parse_quantity

__all__ = ["hourly_profile", "strict_mapping", "text"]


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


def hourly_profile(
    value: Any, unit: str, path: str, minimum: float = 0.0, maximum: float | None = None
) -> np.ndarray:
    """A constant, or 24 values by local hour (0-23), as an array of 24 in ``unit``.

    Parameters
    ----------
    value : number, str or list
        One quantity, or a list of exactly 24.
    unit : str
        Canonical unit of the values.
    path : str
        Dotted path of the field, for error messages.
    minimum, maximum : float, optional
        Bounds of every value in ``unit``.

    Raises
    ------
    ScenarioError
        A list of the wrong length, or a value of the wrong unit or out of bounds.
    """
    if isinstance(value, list):
        if len(value) != 24:
            raise ScenarioError(
                "hourly profile of the wrong length",
                field=path,
                given=f"{len(value)} values",
                expected="24 values, one per local hour",
            )
        return np.array(
            [
                parse_quantity(v, unit, f"{path}.{i}", minimum=minimum, maximum=maximum)
                for i, v in enumerate(value)
            ]
        )
    return np.full(24, parse_quantity(value, unit, path, minimum=minimum, maximum=maximum))


def text(value: Any, path: str) -> str:
    """A name or free text as a string (a number written unquoted is taken as its text).

    Raises
    ------
    ScenarioError
        A list, a mapping, a boolean or nothing where text is expected.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ScenarioError("expected text", field=path, given=value, expected="a string")
    return str(value)
