"""Water: on-site cooling water (WUE) and the water of the grid electricity a site draws.

Equations (issue 11):

    WUE(T)         = min(WUE_max, WUE_base + slope · max(0, T − T_free))     (1)
    water_site     = WUE · E_IT                                             (2)
    water_upstream = w_grid · E_grid                                        (3)

WUE is the Green Grid's water usage effectiveness [S300]: litres of water
consumed on site per kWh of IT energy. A constant, or (1): evaporative cooling
rises with the ambient temperature above a free-cooling threshold, below which
a site uses ``WUE_base`` (default 0: free cooling evaporates nothing).
``w_grid`` [L/kWh] is the water consumed to generate the electricity drawn
from the grid (and imported); on-site renewables are counted as using none.
With litres per kWh and energies in MWh, (2) and (3) come out in m3
(1 L/kWh × 1 MWh = 1000 L = 1 m3).

The temperature of (1) is the cluster's ambient temperature of the PUE climate
model, averaged over each time step (for steps longer than an hour, the WUE of
the mean temperature, not the mean of hourly WUEs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from sim.results.dataset import dataarray
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import register_cluster_section
from sim.scenario.units import parse_quantity
from sim.scenario.validate import strict_mapping

__all__ = ["WaterSpec", "parse_water", "water_variables", "wue_climate"]

#: Largest accepted WUE or grid water intensity [L/kWh]: plausibility bound
#: (legacy open evaporative towers reach ~2 L/kWh [S300]; hydro-heavy grids more).
MAX_L_PER_KWH = 100.0


@dataclass(frozen=True)
class WaterSpec:
    """Water parameters of one cluster (``clusters.<name>.water``).

    Attributes
    ----------
    wue_base : float
        WUE with free cooling, or the constant WUE [L/kWh].
    threshold_c : float or None
        Free-cooling threshold of (1) [degC]; None: WUE is the constant ``wue_base``.
    slope_per_k : float
        WUE rise per kelvin above the threshold [L/kWh/K].
    wue_max : float
        Upper bound of (1) [L/kWh].
    upstream_l_per_kwh : float
        Water consumed per kWh of grid electricity [L/kWh].
    """

    wue_base: float
    threshold_c: float | None = None
    slope_per_k: float = 0.0
    wue_max: float = MAX_L_PER_KWH
    upstream_l_per_kwh: float = 0.0


def _l_per_kwh(value: Any, path: str) -> float:
    return parse_quantity(value, "L/kWh", path, minimum=0.0, maximum=MAX_L_PER_KWH)


def parse_water(raw: Any, path: str, cluster: Any) -> WaterSpec:
    """Parse ``clusters.<name>.water``: ``wue`` (a constant or ``{model: climate, ...}``)
    and ``upstream`` (the grid's water intensity), both in L/kWh."""
    sec = strict_mapping(raw, path, ("wue", "upstream"))
    upstream = _l_per_kwh(sec.get("upstream", 0.0), f"{path}.upstream")
    wue = sec.get("wue", 0.0)
    if not isinstance(wue, Mapping):
        return WaterSpec(wue_base=_l_per_kwh(wue, f"{path}.wue"), upstream_l_per_kwh=upstream)
    wpath = f"{path}.wue"
    model = strict_mapping(wue, wpath, ("model", "base", "free_cooling_below", "slope", "max"))
    if model.get("model") != "climate":
        raise ScenarioError(
            "unknown WUE model",
            field=f"{wpath}.model",
            given=model.get("model"),
            expected="climate",
        )
    if cluster.pue.is_constant:
        raise ScenarioError(
            "the climate WUE model needs the cluster's ambient temperature, which only the "
            "climate PUE model makes",
            field=f"{wpath}.model",
            given="climate",
            expected="pue: {model: climate, ...} on this cluster, or a constant wue",
        )
    spec = WaterSpec(
        wue_base=_l_per_kwh(model.get("base", 0.0), f"{wpath}.base"),
        threshold_c=parse_quantity(
            model.get("free_cooling_below", cluster.pue.threshold_c),
            "degC",
            f"{wpath}.free_cooling_below",
            minimum=-273.15,
            strict_minimum=True,
        ),
        slope_per_k=parse_quantity(
            model.get("slope", 0.0), "L/kWh/K", f"{wpath}.slope", minimum=0.0
        ),
        wue_max=_l_per_kwh(model.get("max", MAX_L_PER_KWH), f"{wpath}.max"),
        upstream_l_per_kwh=upstream,
    )
    if spec.wue_max < spec.wue_base:
        raise ScenarioError(
            "max is below base", field=f"{wpath}.max", given=spec.wue_max, expected=">= base"
        )
    return spec


def wue_climate(
    temperature_c: np.ndarray, base: float, threshold_c: float, slope_per_k: float, wue_max: float
) -> np.ndarray:
    """WUE of an evaporatively cooled site, eq. (1).

    Parameters
    ----------
    temperature_c : array
        Ambient temperature [degC].
    base : float
        WUE with free cooling [L/kWh].
    threshold_c : float
        Temperature up to which WUE stays at ``base`` [degC].
    slope_per_k : float
        WUE rise per kelvin above the threshold [L/kWh/K].
    wue_max : float
        Upper bound [L/kWh].

    Returns
    -------
    array
        WUE [L/kWh].
    """
    excess = np.maximum(np.subtract(temperature_c, threshold_c), 0.0)
    return np.minimum(base + slope_per_k * excess, wue_max)


def water_variables(
    scenario: Any,
    it_power_mw: np.ndarray,
    grid_energy_mwh: np.ndarray,
    temperature_c: np.ndarray | None,
    step_h: float,
) -> dict[str, xr.DataArray]:
    """On-site and upstream water by cluster and time step, eqs. (1)–(3).

    Parameters
    ----------
    scenario : Scenario
    it_power_mw : numpy.ndarray, shape (cluster, time)
        IT power [MW].
    grid_energy_mwh : numpy.ndarray, shape (cluster, time)
        Energy drawn from the grid and imports within each step [MWh].
    temperature_c : numpy.ndarray, shape (cluster, time), or None
        Ambient temperature of the clusters with a climate PUE model [degC].
    step_h : float
        Time step [h].

    Returns
    -------
    dict of name -> xarray.DataArray
        Empty when no cluster has a ``water`` section; else ``wue_l_per_kwh``,
        ``water_site_m3``, ``water_upstream_m3``, ``water_m3``: NaN for clusters
        without one (not modelled).
    """
    specs = [c.sections.get("water") for c in scenario.clusters.values()]
    if not any(specs):
        return {}
    wue = np.full(it_power_mw.shape, np.nan)
    upstream = np.full((len(specs), 1), np.nan)
    for i, spec in enumerate(specs):
        if spec is None:
            continue
        upstream[i] = spec.upstream_l_per_kwh
        if spec.threshold_c is None:
            wue[i] = spec.wue_base
        else:
            wue[i] = wue_climate(
                temperature_c[i], spec.wue_base, spec.threshold_c, spec.slope_per_k, spec.wue_max
            )
    site = wue * it_power_mw * step_h  # L/kWh x MWh = m3, eq. (2)
    up = upstream * grid_energy_mwh  # eq. (3)
    dims = ("cluster", "time")
    return {
        "wue_l_per_kwh": dataarray(
            wue, dims, "L/kWh", "water usage effectiveness (on-site water per IT energy)"
        ),
        "water_site_m3": dataarray(
            site, dims, "m3", "on-site water consumed within the step (WUE x IT energy)"
        ),
        "water_upstream_m3": dataarray(
            up, dims, "m3", "water consumed generating the grid electricity drawn within the step"
        ),
        "water_m3": dataarray(site + up, dims, "m3", "on-site and upstream water within the step"),
    }


register_cluster_section("water", parse_water)
