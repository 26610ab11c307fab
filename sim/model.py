"""``sim.run``: the thin chain scenario → fleet → operations → dataset.

The chain is split in two so that :func:`sim.run` and batched sweeps
(:mod:`sim.sweeps`) share one code path:

* :func:`prepare` turns a :class:`~sim.scenario.Scenario` into arrays on the
  time axis (fleet, utilisation, idle power, PUE parameters, temperature);
* :func:`operate` applies the power kernels of :mod:`sim.operations.power` to arrays
  shaped ``(..., cluster, time)``, with any leading sample dimensions.

``sim.run`` calls both once; a sweep calls :func:`prepare` once and
:func:`operate` on blocks of samples and hours, with per-sample parameter
arrays in place of the scenario's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xarray as xr

from sim.buildout.fleet import FleetArrays, build_fleet
from sim.operations.chain import dispatch_scenario, supply_balance
from sim.operations.climate import synthetic_temperature_c
from sim.operations.power import energy_mwh, facility_power_mw, it_power_mw, pue_climate
from sim.results.dataset import run_dataset
from sim.results.embodied import embodied_variables
from sim.results.water import water_variables
from sim.scenario.core import Scenario

__all__ = ["Inputs", "cluster_rngs", "kind_power", "operate", "prepare", "pue_series", "run"]


def cluster_rngs(scenario: Scenario) -> list[np.random.Generator]:
    """One independent generator per cluster, spawned from the scenario seed."""
    children = np.random.SeedSequence(scenario.seed).spawn(len(scenario.clusters))
    return [np.random.default_rng(child) for child in children]


def _hour_of_day(times: np.ndarray) -> np.ndarray:
    return ((times - times.astype("datetime64[D]")) // np.timedelta64(1, "h")).astype(np.intp)


@dataclass(frozen=True)
class Inputs:
    """Layer-2 inputs of one scenario on its time axis.

    Attributes
    ----------
    times : numpy.ndarray of datetime64, shape (time,)
        Start of each step (local standard time).
    step_h : float
        Time step [h].
    capacity_eflops : numpy.ndarray, shape (cluster, time)
        Installed compute at the reporting precision [EFLOPS].
    nameplate_mw : numpy.ndarray, shape (cluster, time)
        IT power of the installed fleet at full load [MW].
    utilization : numpy.ndarray, shape (cluster, time)
        Busy fraction of installed compute [1].
    utilization_profile : numpy.ndarray, shape (cluster, 24)
        The scenario's profile by local hour [1].
    idle_power : numpy.ndarray, shape (cluster, 1)
        Idle power as a fraction of busy power [1].
    pue_base, pue_threshold_c, pue_slope_per_k, pue_max : numpy.ndarray, shape (cluster, 1)
        PUE model parameters [1, degC, 1/K, 1]; for a constant PUE only
        ``pue_base`` is used.
    climate : numpy.ndarray of bool, shape (cluster,)
        Clusters whose PUE follows the climate model.
    temperature_c : numpy.ndarray, shape (cluster, time), or None
        Ambient temperature, the mean over each step of its hours [degC]; NaN for
        clusters with a constant PUE, None when no cluster uses the climate model.
    hourly_temperature_c : numpy.ndarray, shape (cluster, time, hour), or None
        The hourly temperatures within each step when a step is longer than an
        hour (None otherwise): PUE is the mean of their PUEs [degC].
    fleet : FleetArrays or None
        The fleet by compute kind (:func:`sim.fleet.build_fleet`).
    """

    times: np.ndarray
    step_h: float
    capacity_eflops: np.ndarray
    nameplate_mw: np.ndarray
    utilization: np.ndarray
    utilization_profile: np.ndarray
    idle_power: np.ndarray
    pue_base: np.ndarray
    pue_threshold_c: np.ndarray
    pue_slope_per_k: np.ndarray
    pue_max: np.ndarray
    climate: np.ndarray
    temperature_c: np.ndarray | None
    fleet: FleetArrays | None = None
    hourly_temperature_c: np.ndarray | None = None

    @cached_property
    def kernel_temperature_c(self) -> np.ndarray | None:
        """Temperature with 0 in place of NaN, for :func:`pue_series` [degC]: shape
        (cluster, time), or (cluster, time, hour) with the hours of longer steps."""
        if self.temperature_c is None:
            return None
        if self.hourly_temperature_c is not None:
            return np.where(self.climate[:, None, None], self.hourly_temperature_c, 0.0)
        return np.where(self.climate[:, None], self.temperature_c, 0.0)


def utilization_series(profiles: np.ndarray, times: np.ndarray, step_h: float) -> np.ndarray:
    """Utilisation at each step from profiles by local hour.

    Parameters
    ----------
    profiles : numpy.ndarray, shape (..., 24)
        Busy fraction by local hour [1].
    times : numpy.ndarray of datetime64
        Start of each step.
    step_h : float
        Time step [h]; a multi-hour step averages the hours it covers, a daily
        step takes the day's mean.

    Returns
    -------
    numpy.ndarray, shape (..., time)
        Busy fraction [1].
    """
    if step_h >= 24:
        return np.repeat(profiles.mean(axis=-1, keepdims=True), len(times), axis=-1)
    width = int(step_h)
    windowed = sum(np.roll(profiles, -k, axis=-1) for k in range(width)) / width
    return windowed[..., _hour_of_day(times)]


def prepare(scenario: Scenario) -> Inputs:
    """Arrays on the scenario's time axis that :func:`operate` needs.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    Inputs
    """
    times = scenario.horizon.times()
    step_h = scenario.horizon.step_h
    clusters = list(scenario.clusters.values())
    fleet = build_fleet(scenario, times)
    profiles = np.stack([c.utilization for c in clusters])
    utilization = utilization_series(profiles, times, step_h)

    def column(values: list[float]) -> np.ndarray:
        return np.array(values, dtype=np.float64)[:, None]

    climate = np.array([not c.pue.is_constant for c in clusters])
    temperature = hourly = None
    if climate.any():
        # hourly temperatures over the horizon; a longer step keeps its hours (step means)
        per_step = max(1, round(step_h))
        hours = scenario.horizon.hours()
        hourly = np.full((len(clusters), len(hours)), np.nan)
        rngs = cluster_rngs(scenario)
        measured = np.array([c.climate.series_c is not None for c in clusters])
        for i in np.flatnonzero(climate & measured):
            hourly[i] = clusters[i].climate.series_c  # climate.file (sim.scenario.hourly)
        idx = np.flatnonzero(climate & ~measured)
        cl = [clusters[i].climate for i in idx]
        if len(idx):
            hourly[idx] = synthetic_temperature_c(
                hours,
                [c.mean_c for c in cl],
                [c.annual_amplitude_k for c in cl],
                [c.diurnal_amplitude_k for c in cl],
                [c.noise_k for c in cl],
                [rngs[i] for i in idx],
                [c.monthly_mean_c or [np.nan] * 12 for c in cl],
            )
        hourly = hourly.reshape(len(clusters), len(times), per_step)
        temperature = hourly.mean(axis=-1)
        if per_step == 1:
            hourly = None
    return Inputs(
        times=times,
        step_h=step_h,
        capacity_eflops=fleet.capacity_eflops,
        nameplate_mw=fleet.nameplate_mw,
        utilization=utilization,
        utilization_profile=profiles,
        idle_power=column([c.idle_power for c in clusters]),
        pue_base=column([c.pue.base for c in clusters]),
        pue_threshold_c=column([c.pue.threshold_c for c in clusters]),
        pue_slope_per_k=column([c.pue.slope_per_k for c in clusters]),
        pue_max=column([c.pue.max_pue for c in clusters]),
        climate=climate,
        temperature_c=temperature,
        fleet=fleet,
        hourly_temperature_c=hourly,
    )


def pue_series(
    temperature_c: np.ndarray | None,
    base: np.ndarray,
    threshold_c: np.ndarray,
    slope_per_k: np.ndarray,
    max_pue: np.ndarray,
    climate: np.ndarray,
) -> np.ndarray:
    """PUE of every cluster: the constant ``base``, or the climate model (eq. 2 of
    :mod:`sim.operations.power`) where ``climate`` is true.

    Parameters
    ----------
    temperature_c : numpy.ndarray, shape (..., cluster, time[, hour]), or None
        Ambient temperature, finite everywhere [degC] (None: no climate cluster).
        With a trailing axis of the hours within each step, the PUE of a step is the
        mean of its hours' PUEs (the energy of hourly steps at constant IT power).
    base, threshold_c, slope_per_k, max_pue : numpy.ndarray, shape (..., cluster, 1)
        PUE parameters [1, degC, 1/K, 1].
    climate : numpy.ndarray of bool, shape (cluster,) or (..., cluster)
        Clusters that use the climate model (per sample, or the same for all).

    Returns
    -------
    numpy.ndarray
        PUE [1], shape (..., cluster, 1) when no cluster uses the climate
        model, else (..., cluster, time).
    """
    if temperature_c is None or not climate.any():
        return base
    if temperature_c.ndim == base.ndim + 1:  # hours within each step: mean of their PUEs
        *lead, n_c, n_t, per_step = temperature_c.shape
        flat = temperature_c.reshape(*lead, n_c, n_t * per_step)
        hourly = pue_series(flat, base, threshold_c, slope_per_k, max_pue, climate)
        return hourly.reshape(*hourly.shape[:-1], n_t, per_step).mean(axis=-1)
    if climate.ndim == 1 or climate.shape[0] == 1:
        # the same clusters use the model in every sample: compute only those rows
        rows = np.flatnonzero(climate.reshape(-1))
        lead = np.broadcast_shapes(base.shape[:-2], temperature_c.shape[:-2])
        out = np.empty((*lead, base.shape[-2], temperature_c.shape[-1]))
        out[...] = base
        out[..., rows, :] = pue_climate(
            temperature_c[..., rows, :],
            base[..., rows, :],
            threshold_c[..., rows, :],
            slope_per_k[..., rows, :],
            max_pue[..., rows, :],
        )
        return out
    model = pue_climate(temperature_c, base, threshold_c, slope_per_k, max_pue)
    return np.where(climate[..., None], model, base)


def operate(
    nameplate_mw: np.ndarray,
    utilization: np.ndarray,
    idle_power: np.ndarray,
    pue: np.ndarray,
    step_h: float,
    with_energy: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """IT power, facility power and energy, eqs. (1), (3), (4) of :mod:`sim.operations.power`.

    Parameters
    ----------
    nameplate_mw : numpy.ndarray, shape (..., cluster, time)
        IT power of the installed fleet at full load [MW].
    utilization : numpy.ndarray, broadcastable
        Busy fraction [1].
    idle_power : numpy.ndarray, broadcastable
        Idle power as a fraction of busy power [1].
    pue : numpy.ndarray, broadcastable
        Power usage effectiveness [1].
    step_h : float
        Time step [h].
    with_energy : bool
        Also return energy per step; a sweep leaves it to its streaming
        reducer, which multiplies by the step in the same way (eq. 4).

    Returns
    -------
    it_power : numpy.ndarray
        IT power [MW].
    facility_power : numpy.ndarray
        Facility power [MW].
    energy : numpy.ndarray or None
        Facility energy within each step [MWh].
    """
    it = it_power_mw(nameplate_mw, utilization, idle_power)
    facility = facility_power_mw(it, pue)
    energy = energy_mwh(facility, step_h) if with_energy else None
    return it, facility, energy


def kind_power(
    fleet: FleetArrays,
    utilization: np.ndarray,
    idle_power: np.ndarray,
    pue: np.ndarray,
    step_h: float,
) -> dict[str, np.ndarray]:
    """IT power, facility power and energy by compute kind.

    Eqs. (1), (3), (4) of :mod:`sim.operations.power` per kind: ``P_IT,k =
    P_nameplate,k · (idle + (1 − idle) · u_k)``. Power and energy sum over kinds to
    the cluster totals; compute does not (each kind is at its conventional
    precision; see :func:`sim.results.dataset.run_dataset`).

    Parameters
    ----------
    fleet : FleetArrays
        With the per-kind arrays of :func:`sim.buildout.fleet.build_fleet`.
    utilization : numpy.ndarray, broadcastable to (cluster, kind, time)
        Busy fraction of each kind's installed compute [1].
    idle_power : numpy.ndarray, shape (cluster, 1)
        Idle power as a fraction of busy power [1].
    pue : numpy.ndarray, shape (cluster, time)
        [1].
    step_h : float
        Time step [h].

    Returns
    -------
    dict of arrays (cluster, kind, time)
        ``kind_it_power_mw`` [MW], ``kind_facility_power_mw`` [MW],
        ``kind_energy_mwh`` [MWh].
    """
    it, facility, energy = operate(
        fleet.kind_nameplate_mw, utilization, idle_power[:, :, None], pue[:, None, :], step_h
    )
    return {"kind_it_power_mw": it, "kind_facility_power_mw": facility, "kind_energy_mwh": energy}


def footprint_variables(
    scenario: Scenario,
    inp: Inputs,
    it: np.ndarray,
    energy: np.ndarray,
    supply: dict[str, np.ndarray] | None,
) -> dict[str, xr.DataArray]:
    """Water (:mod:`sim.results.water`) and embodied carbon (:mod:`sim.results.embodied`)
    of a run; the grid energy of upstream water is grid draw plus imports where the
    scenario has a grid, else all facility energy [MWh]."""
    if supply is not None:
        drawn = supply["grid_power_mw"] + supply["import_power_mw"]
        grid_mwh = drawn * inp.step_h
    else:
        grid_mwh = energy
    return {
        **water_variables(scenario, it, grid_mwh, inp.temperature_c, inp.step_h),
        **embodied_variables(scenario, inp.times),
    }


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
    inp = prepare(scenario)
    pue = pue_series(
        inp.kernel_temperature_c,
        inp.pue_base,
        inp.pue_threshold_c,
        inp.pue_slope_per_k,
        inp.pue_max,
        inp.climate,
    )
    pue = np.broadcast_to(pue, inp.nameplate_mw.shape).copy()

    # With demand, utilisation is an outcome of dispatch.
    ops = None
    utilization = inp.utilization
    if "demand" in scenario.sections:
        fleet = FleetArrays(capacity_eflops=inp.capacity_eflops, nameplate_mw=inp.nameplate_mw)
        ops = dispatch_scenario(scenario, inp.times, fleet, pue, inp.idle_power)
        utilization = ops.utilization

    it, facility, energy = operate(inp.nameplate_mw, utilization, inp.idle_power, pue, inp.step_h)
    arrays = {
        "capacity_eflops": inp.capacity_eflops,
        "nameplate_power_mw": inp.nameplate_mw,
        "utilization": utilization,
        "it_power_mw": it,
        "pue": pue,
        "facility_power_mw": facility,
        "energy_mwh": energy,
    }
    kinds = kind_power(inp.fleet, utilization[:, None, :], inp.idle_power, pue, inp.step_h)
    supply = supply_balance(scenario, inp.times, facility, ops)
    ds = run_dataset(scenario, inp.times, arrays, inp.fleet, kinds, inp.temperature_c, supply, ops)
    return ds.assign(footprint_variables(scenario, inp, it, energy, supply))
