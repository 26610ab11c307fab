"""Field readers shared by every section parser: mappings, required keys, dates."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.schema import keys_of
from sim.scenario.units import (
    parse_quantity,
)
from sim.scenario.validate import strict_mapping


def checked_section(
    value: Any, path: str, schema_path: str | None = None, extra_keys: Any = ()
) -> Mapping:
    """Check ``value`` is a mapping with only the keys the schema (or ``extra_keys``) allows."""
    if schema_path is None:
        if not isinstance(value, Mapping):
            raise ScenarioError("expected a mapping", field=path, given=value)
        return value
    return strict_mapping(value, path, set(keys_of(schema_path)) | set(extra_keys))


def required(section: Mapping, key: str, path: str) -> Any:
    if key not in section or section[key] is None:
        full = f"{path}.{key}" if path else key
        raise ScenarioError("missing required field", field=full)
    return section[key]


#: Dates a scenario may use: every date in this range is representable as the
#: nanosecond timestamps of the results (1677-09-21 .. 2262-04-11) with margin.
FIRST_DATE, LAST_DATE = np.datetime64("1900-01-01", "D"), np.datetime64("2200-12-31", "D")


def parse_date(value: Any, path: str) -> np.datetime64:
    if isinstance(value, dt.datetime):
        value = value.date()
    day = None
    if isinstance(value, dt.date):
        day = np.datetime64(value, "D")
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            day = np.datetime64(dt.date.fromisoformat(value.strip()), "D")
    if day is None:
        raise ScenarioError("not a date", field=path, given=value, expected="a date YYYY-MM-DD")
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ScenarioError(
            "date outside the supported range",
            field=path,
            given=str(day),
            expected=f"a date from {FIRST_DATE} to {LAST_DATE}",
        )
    return day


def fraction(value: Any, path: str) -> float:
    return parse_quantity(value, "dimensionless", path, minimum=0.0, maximum=1.0)


def calendar_year(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2200:
        raise ScenarioError("not a year", field=path, given=value, expected="a year like 2025")
    return value


# ---------------------------------------------------------------------------
# Sections
