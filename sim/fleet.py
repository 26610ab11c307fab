"""Build-out stock model: installed compute and IT nameplate power over time.

Two ways to state a cluster's fleet (:class:`sim.scenario.Fleet`):

* capacity points, linear in between and flat outside, with a fixed hardware mix;
* vintage cohorts (additions by year or date, each with its own mix) that retire
  after each hardware's lifetime, so fleet efficiency improves as old hardware leaves.

A capacity may be compute (at the fleet precision), IT power, or standard racks.
With hardware shares ``s_h`` (of compute, at fleet precision ``p``) and node
efficiencies ``eff_h[p]`` [FLOPS/W]:

    P_nameplate = C · Σ_h s_h / eff_h[p]                                  (1)
    C_report    = C · Σ_h s_h · eff_h[r] / eff_h[p]                        (2)

(2) converts precision ``p`` to the reporting precision ``r`` through each
hardware's own peak ratio; :mod:`sim.scenario` has already rejected hardware
lacking either precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario import Cluster, Hardware, Scenario

__all__ = ["FleetArrays", "build_fleet", "mix_factors"]

_HOURS_PER_YEAR = 8766.0  # Julian year, for lifetimes given in years


@dataclass(frozen=True)
class FleetArrays:
    """Installed fleet on the simulation time axis.

    Attributes
    ----------
    capacity_eflops : numpy.ndarray, shape (cluster, time)
        Installed compute at the reporting precision [EFLOPS].
    nameplate_mw : numpy.ndarray, shape (cluster, time)
        IT power of the installed fleet at full utilisation [MW].
    """

    capacity_eflops: np.ndarray
    nameplate_mw: np.ndarray


def mix_factors(
    shares: dict[str, float], hardware: dict[str, Hardware], precision: str, reporting: str
) -> tuple[float, float]:
    """Watts per FLOPS (eq. 1) and reported FLOPS per fleet FLOPS (eq. 2) of a hardware mix.

    Parameters
    ----------
    shares : dict
        Share of compute by hardware name [1], summing to 1.
    hardware : dict
        Hardware by name.
    precision, reporting : str
        Fleet and reporting precisions.

    Returns
    -------
    w_per_flops : float
        Nameplate IT power per FLOPS of fleet-precision compute [W/FLOPS].
    report_ratio : float
        Reporting-precision FLOPS per fleet-precision FLOPS [1].
    """
    w_per_flops = 0.0
    ratio = 0.0
    for name, share in shares.items():
        eff = hardware[name].efficiency_flops_per_w
        w_per_flops += share / eff[precision]
        ratio += share * eff[reporting] / eff[precision]
    return w_per_flops, ratio


def _to_flops(amount: np.ndarray | float, kind: str, w_per_flops: float, cluster: Cluster):
    """Fleet-precision FLOPS from an amount of compute [FLOPS], power [W] or racks."""
    if kind == "compute":
        return amount
    if kind == "rack":
        amount = amount * cluster.fleet.rack_power_w * cluster.fleet.rack_occupancy
    return amount / w_per_flops


def _ramp(t_h: np.ndarray, start: np.datetime64, end: np.datetime64) -> np.ndarray:
    """0 before ``start``, 1 after ``end``, linear in between (a step if equal)."""
    t0 = start.astype("datetime64[h]").astype(np.float64)
    t1 = end.astype("datetime64[h]").astype(np.float64)
    if t1 <= t0:
        return (t_h >= t0).astype(np.float64)
    return np.clip((t_h - t0) / (t1 - t0), 0.0, 1.0)


def build_fleet(scenario: Scenario, times: np.ndarray) -> FleetArrays:
    """Installed capacity and nameplate IT power of every cluster at ``times``.

    Parameters
    ----------
    scenario : Scenario
    times : numpy.ndarray of datetime64
        Start of each time step.

    Returns
    -------
    FleetArrays
    """
    t_h = times.astype("datetime64[h]").astype(np.float64)
    n_c, n_t = len(scenario.clusters), len(times)
    capacity = np.zeros((n_c, n_t))
    nameplate = np.zeros((n_c, n_t))
    reporting = scenario.reporting_precision
    for i, cluster in enumerate(scenario.clusters.values()):
        fleet = cluster.fleet
        if fleet.additions:
            for add in fleet.additions:
                w_per_flops, _ = mix_factors(
                    add.shares, scenario.hardware, fleet.precision, reporting
                )
                total = _to_flops(add.amount, add.kind, w_per_flops, cluster)
                ramp_in = _ramp(t_h, add.start, add.end)
                for name, share in add.shares.items():
                    hw = scenario.hardware[name]
                    life_h = hw.lifetime_years * _HOURS_PER_YEAR
                    active = ramp_in - _ramp(t_h - life_h, add.start, add.end)
                    w, r = mix_factors({name: 1.0}, scenario.hardware, fleet.precision, reporting)
                    flops = total * share * active
                    nameplate[i] += flops * w
                    capacity[i] += flops * r
        else:
            w_per_flops, ratio = mix_factors(
                fleet.shares, scenario.hardware, fleet.precision, reporting
            )
            pts_h = fleet.points_time.astype("datetime64[h]").astype(np.float64)
            level = np.interp(t_h, pts_h, fleet.points_value)
            flops = _to_flops(level, fleet.points_kind, w_per_flops, cluster)
            nameplate[i] = flops * w_per_flops
            capacity[i] = flops * ratio
    return FleetArrays(capacity_eflops=capacity / 1e18, nameplate_mw=nameplate / 1e6)
