"""suanli (算力): regional compute build-out and its power, energy, carbon and cost.

Public API::

    import sim
    scenario = sim.load_scenario("scenarios/minimal.yaml", overrides={"clusters.site-a.pue": 1.3})
    ds = sim.run(scenario)          # xarray.Dataset (cluster, time)
    summary = sim.summarize(ds)     # xarray.Dataset (cluster, year)

The names load on first use, so that ``import sim`` (and ``suanli --help``) does
not import xarray, scipy and the layers.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

from sim.errors import ScenarioError

#: Public name -> module that defines it.
_LAZY = {
    "Scenario": "sim.scenario",
    "load_scenario": "sim.scenario",
    "run": "sim.model",
    "summarize": "sim.results",
    "sweep": "sim.sweep",
}

__all__ = ["Scenario", "ScenarioError", "__version__", "load_scenario", "run", "summarize", "sweep"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(types.ModuleType):
    """``sim`` itself: importing the submodule ``sim.sweep`` must not replace the
    function ``sim.sweep`` (the import system sets the parent's attribute)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return  # the submodule stays reachable as sys.modules["sim.sweep"]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
