"""The shipped hardware catalog, ``scenarios/data/hardware.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sim.scenario.errors import ScenarioError
from sim.scenario.yamlio import read_yaml

__all__ = ["CATALOG_PATH", "entry", "names"]

CATALOG_PATH = Path(__file__).resolve().parents[2] / "scenarios" / "data" / "hardware.yaml"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    return dict(read_yaml(CATALOG_PATH))


def names() -> list[str]:
    """Names of the catalog entries."""
    return sorted(_catalog())


def entry(name: Any, field: str) -> dict[str, Any]:
    """A copy of one catalog entry's raw fields.

    Raises
    ------
    ScenarioError
        The name is not in the catalog.
    """
    cat = _catalog()
    if str(name) not in cat:
        raise ScenarioError(
            f"unknown hardware '{name}'",
            field=field,
            expected="one of the catalog: " + ", ".join(names()),
        )
    return {k: v for k, v in cat[str(name)].items()}
