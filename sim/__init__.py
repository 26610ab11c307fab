"""suanli (算力): regional compute build-out and its power, energy, carbon and cost.

Public API::

    import sim
    scenario = sim.load_scenario("scenarios/minimal.yaml", overrides={"clusters.site-a.pue": 1.3})
    ds = sim.run(scenario)          # xarray.Dataset (cluster, time)
    summary = sim.summarize(ds)     # xarray.Dataset (cluster, year)
"""

from __future__ import annotations

__version__ = "0.1.0"

from sim.errors import ScenarioError
from sim.model import run
from sim.results import summarize
from sim.scenario import Scenario, load_scenario

__all__ = ["Scenario", "ScenarioError", "__version__", "load_scenario", "run", "summarize"]
