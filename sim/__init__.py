"""suanli (算力): regional compute build-out and its power, energy, carbon and cost.

Public API::

    import sim
    scenario = sim.load_scenario("scenarios/minimal.yaml", overrides={"clusters.site-a.pue": 1.3})
    ds = sim.run(scenario)          # xarray.Dataset (cluster, time)
    summary = sim.summarize(ds)     # xarray.Dataset (cluster, year)

Layers, imported bottom up: :mod:`sim.scenario` (input) → :mod:`sim.buildout`
→ :mod:`sim.operations` → :mod:`sim.jobs` → :mod:`sim.results` →
:mod:`sim.sweeps`; :mod:`sim.model` chains them and :mod:`sim.cli` faces users.

The names load on first use, so that ``import sim`` (and ``suanli --help``) does
not import xarray, scipy and the layers.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from sim.scenario.errors import ScenarioError

#: Public name -> module that defines it.
_LAZY = {
    "Scenario": "sim.scenario.core",
    "load_scenario": "sim.scenario.loader",
    "run": "sim.model",
    "summarize": "sim.results.summary",
    "sweep": "sim.sweeps.run",
}

#: Modules that register scenario sections (jobs, embodied, water) when imported.
_SECTIONS = ("sim.jobs.spec", "sim.results.embodied", "sim.results.water")

__all__ = ["Scenario", "ScenarioError", "__version__", "load_scenario", "run", "summarize", "sweep"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    # layers above the input layer register their scenario sections with the loader
    for layer in _SECTIONS:
        importlib.import_module(layer)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
