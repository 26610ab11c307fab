"""suanli (算力): regional compute build-out and its power, energy, carbon and cost.

Public API::

    import sim
    scenario = sim.load_scenario("scenarios/minimal.yaml", overrides={"clusters.site-a.pue": 1.3})
    ds = sim.run(scenario)          # xarray.Dataset (cluster, time)
    summary = sim.summarize(ds)     # xarray.Dataset (cluster, year)

Layers, imported bottom up: :mod:`sim.scenario` (input) → :mod:`sim.buildout`
→ :mod:`sim.operations` → :mod:`sim.jobs` → :mod:`sim.results` →
:mod:`sim.sweeps`; :mod:`sim.model` chains them and :mod:`sim.cli` faces users.
"""

from __future__ import annotations

__version__ = "0.1.0"

from sim import jobs as _jobs  # noqa: F401  (registers the jobs section with the loader
from sim.model import run
from sim.results.summary import summarize
from sim.scenario.core import Scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.sweeps.run import sweep

__all__ = ["Scenario", "ScenarioError", "__version__", "load_scenario", "run", "summarize", "sweep"]
