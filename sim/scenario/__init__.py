"""Input layer: scenario YAML → validated, frozen records in canonical units.

Modules: :mod:`~sim.scenario.errors` (the one user-facing error),
:mod:`~sim.scenario.units` (quantities, precisions), :mod:`~sim.scenario.yamlio`
(safe reading with line numbers), :mod:`~sim.scenario.fields` and
:mod:`~sim.scenario.validate` (shared field readers), :mod:`~sim.scenario.schema`
(every field, documented once), :mod:`~sim.scenario.catalog` (shipped hardware),
:mod:`~sim.scenario.horizon`, :mod:`~sim.scenario.core` (hardware, fleets,
clusters), :mod:`~sim.scenario.workloads`, :mod:`~sim.scenario.tariffs`,
:mod:`~sim.scenario.operations_spec` and :mod:`~sim.scenario.pipeline_spec`
(section parsers), and :mod:`~sim.scenario.loader` (``load_scenario``).
"""

from sim.scenario.core import Scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario"]
