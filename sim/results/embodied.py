"""Embodied (manufacturing) carbon of the hardware a build-out commissions.

Each hardware entry may carry ``embodied_carbon`` per accelerator or server
(kgCO2e, from a product carbon footprint or an LCA, or a marked assumption),
held as kgCO2e per watt of its nameplate node power ``c_h = kg / (power ·
node_overhead)``, so that the stock model's nameplate power counts units
without a separate unit count. Two accountings (``embodied.accounting``):

* ``commissioning`` (default): booked when a vintage is commissioned,

      B_h(t) = c_h · max(0, N_h(t) − N_h(t − 1))                           (1)

  where ``N_h`` is the nameplate power of hardware h ever commissioned (the
  stock model with retirement switched off), so a refresh that retires and
  replaces hardware books the new hardware. Stock already installed in the
  first time step is not booked (it was commissioned before the horizon).
  Capacity points that fall retire hardware and book nothing.
* ``amortized``: spread over each unit's lifetime L_h,

      A_h(t) = c_h · P_h(t) · Δt / L_h                                      (2)

  with ``P_h`` the installed nameplate power (stock in service, retirements
  applied): a unit in service for its whole life books its c_h exactly once.

Values are step means of the stock model, so commissioning within one time
step is booked in that step (and a ramp across steps in the steps it spans).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from sim.buildout.fleet import group_series
from sim.results.dataset import dataarray
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import register_section
from sim.scenario.validate import strict_mapping

__all__ = ["ACCOUNTINGS", "EmbodiedSpec", "embodied_variables", "parse_embodied"]

ACCOUNTINGS = ("commissioning", "amortized")
_HOURS_PER_YEAR = 8766.0  # Julian year, as the stock model counts lifetimes
_NEVER_RETIRE_YEARS = 1e9  # a lifetime beyond any horizon: the stock ever commissioned


@dataclass(frozen=True)
class EmbodiedSpec:
    """The ``embodied`` section.

    Attributes
    ----------
    accounting : str
        ``"commissioning"`` or ``"amortized"`` (:data:`ACCOUNTINGS`).
    """

    accounting: str = "commissioning"


def parse_embodied(raw: Any, path: str, scenario: Any) -> EmbodiedSpec:
    """Parse the top-level ``embodied`` section (``accounting``)."""
    sec = strict_mapping(raw, path, ("accounting",))
    accounting = sec.get("accounting", "commissioning")
    if accounting not in ACCOUNTINGS:
        raise ScenarioError(
            "unknown embodied-carbon accounting",
            field=f"{path}.accounting",
            given=accounting,
            expected=" or ".join(ACCOUNTINGS),
        )
    return EmbodiedSpec(accounting=accounting)


def embodied_variables(scenario: Any, times: np.ndarray) -> dict[str, xr.DataArray]:
    """Embodied carbon by cluster and time step, eq. (1) or (2).

    Parameters
    ----------
    scenario : Scenario
    times : numpy.ndarray of datetime64
        Start of each time step.

    Returns
    -------
    dict of name -> xarray.DataArray
        Empty when no hardware entry gives ``embodied_carbon``; else
        ``embodied_carbon_tco2`` (cluster, time) [tCO2e].
    """
    carbon = {n: h.embodied_kgco2_per_w for n, h in scenario.hardware.items()}
    names = [n for n, c in carbon.items() if c > 0]
    if not names:
        return {}
    spec = scenario.sections.get("embodied") or EmbodiedSpec()
    series = [(frozenset({n}), None) for n in names]  # nameplate W of each hardware
    kg_per_w = np.array([carbon[n] for n in names])[None, :, None]
    if spec.accounting == "amortized":
        installed_w = group_series(scenario, times, series)
        step_h = float((times[1] - times[0]) / np.timedelta64(1, "h")) if len(times) > 1 else 0.0
        life_h = np.array([scenario.hardware[n].lifetime_years for n in names]) * _HOURS_PER_YEAR
        kg = installed_w * kg_per_w * step_h / life_h[None, :, None]
        long_name = "embodied carbon of the hardware in service, amortised over its lifetime"
    else:
        ever = dataclasses.replace(
            scenario,
            hardware={
                n: dataclasses.replace(h, lifetime_years=_NEVER_RETIRE_YEARS)
                for n, h in scenario.hardware.items()
            },
        )
        commissioned_w = group_series(ever, times, series)
        added = np.diff(commissioned_w, axis=-1, prepend=commissioned_w[..., :1])
        kg = np.maximum(added, 0.0) * kg_per_w
        long_name = "embodied carbon of the hardware commissioned within the step"
    return {
        "embodied_carbon_tco2": dataarray(
            kg.sum(axis=1) / 1e3,
            ("cluster", "time"),
            "tCO2",
            long_name,
            accounting=spec.accounting,
        )
    }


register_section("embodied", parse_embodied)
