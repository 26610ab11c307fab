"""``sim.run``: the thin chain scenario → fleet → operations → dataset."""

from __future__ import annotations

import numpy as np
import xarray as xr

from sim import __version__
from sim.climate import synthetic_temperature_c
from sim.fleet import build_fleet
from sim.power import energy_mwh, facility_power_mw, it_power_mw, pue_climate
from sim.results import dataarray
from sim.scenario import Scenario

__all__ = ["cluster_rngs", "run"]


def cluster_rngs(scenario: Scenario) -> list[np.random.Generator]:
    """One independent generator per cluster, spawned from the scenario seed."""
    children = np.random.SeedSequence(scenario.seed).spawn(len(scenario.clusters))
    return [np.random.default_rng(child) for child in children]


def _hour_of_day(times: np.ndarray) -> np.ndarray:
    return ((times - times.astype("datetime64[D]")) // np.timedelta64(1, "h")).astype(np.intp)


def _utilization(profiles: np.ndarray, times: np.ndarray, step_h: float) -> np.ndarray:
    """Utilisation (cluster, time) from 24-hour profiles (cluster, 24) by local hour.

    A multi-hour step takes the mean of the hours it covers; a daily step the day's mean.
    """
    if step_h >= 24:
        return np.repeat(profiles.mean(axis=1, keepdims=True), len(times), axis=1)
    width = int(step_h)
    windowed = sum(np.roll(profiles, -k, axis=1) for k in range(width)) / width
    return windowed[:, _hour_of_day(times)]


def run(scenario: Scenario) -> xr.Dataset:
    """Simulate a scenario.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`.

    Returns
    -------
    xarray.Dataset
        Dims (cluster, time); variables ``capacity_eflops``, ``nameplate_power_mw``,
        ``utilization``, ``it_power_mw``, ``pue``, ``facility_power_mw``,
        ``energy_mwh`` (and ``ambient_temperature_c`` where a climate PUE model is
        used), each with ``units`` and ``long_name``. Times are local standard time.
    """
    times = scenario.horizon.times()
    step_h = scenario.horizon.step_h
    clusters = list(scenario.clusters.values())
    fleet = build_fleet(scenario, times)

    utilization = _utilization(np.stack([c.utilization for c in clusters]), times, step_h)
    idle = np.array([[c.idle_power] for c in clusters])

    pue = np.empty_like(fleet.nameplate_mw)
    for i, c in enumerate(clusters):
        pue[i] = c.pue.base
    temperature = None
    climate = [i for i, c in enumerate(clusters) if not c.pue.is_constant]
    if climate:
        rngs = cluster_rngs(scenario)
        cl = [clusters[i].climate for i in climate]
        temperature = np.full_like(pue, np.nan)
        temperature[climate] = synthetic_temperature_c(
            times,
            [c.mean_c for c in cl],
            [c.annual_amplitude_k for c in cl],
            [c.diurnal_amplitude_k for c in cl],
            [c.noise_k for c in cl],
            [rngs[i] for i in climate],
        )
        models = [clusters[i].pue for i in climate]
        col = lambda attr: np.array([[getattr(m, attr)] for m in models])  # noqa: E731
        pue[climate] = pue_climate(
            temperature[climate],
            col("base"),
            col("threshold_c"),
            col("slope_per_k"),
            col("max_pue"),
        )

    # Operations layer (issue 3): with demand, utilisation is an outcome of dispatch.
    ops = None
    if "demand" in scenario.sections:
        from sim.operations import dispatch_scenario

        ops = dispatch_scenario(scenario, times, fleet, pue, idle)
        utilization = ops.utilization

    it = it_power_mw(fleet.nameplate_mw, utilization, idle)
    facility = facility_power_mw(it, pue)
    energy = energy_mwh(facility, step_h)

    dims = ("cluster", "time")
    prec = scenario.reporting_precision
    data = {
        "capacity_eflops": dataarray(
            fleet.capacity_eflops, dims, "EFLOPS", f"installed compute ({prec})", precision=prec
        ),
        "nameplate_power_mw": dataarray(
            fleet.nameplate_mw, dims, "MW", "IT power of installed hardware at full load"
        ),
        "utilization": dataarray(
            utilization,
            dims,
            "1",
            "busy fraction of installed compute" + (" (served / installed)" if ops else ""),
        ),
        "it_power_mw": dataarray(it, dims, "MW", "IT (server) power"),
        "pue": dataarray(pue, dims, "1", "power usage effectiveness"),
        "facility_power_mw": dataarray(facility, dims, "MW", "facility power (IT power x PUE)"),
        "energy_mwh": dataarray(energy, dims, "MWh", "facility energy within the time step"),
    }
    if temperature is not None:
        data["ambient_temperature_c"] = dataarray(
            temperature, dims, "degC", "ambient temperature (synthetic climatology)"
        )
    from sim.operations import supply_variables

    ops_data, ops_coords = supply_variables(scenario, times, facility, ops)
    data.update(ops_data)
    coords = {
        **ops_coords,
        "cluster": [c.name for c in clusters],
        "time": times,
        "lat": ("cluster", [c.lat for c in clusters], {"units": "degree_north"}),
        "lon": ("cluster", [c.lon for c in clusters], {"units": "degree_east"}),
        "hub": ("cluster", [c.hub for c in clusters]),
        "role": ("cluster", [c.role for c in clusters]),
    }
    attrs = {
        "scenario": scenario.name,
        "variant": scenario.variant or "",
        "step_h": step_h,
        "precision": prec,
        "seed": scenario.seed,
        "suanli_version": __version__,
        "Conventions": "CF-1.10",
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
