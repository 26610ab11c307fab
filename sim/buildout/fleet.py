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

from sim.scenario.core import Cluster, Hardware, Scenario

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


def _ramp(t_h: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """0 before ``t0``, 1 after ``t1``, linear in between (a step at ``t0`` if equal) [h]."""
    if t1 <= t0:
        return (t_h >= t0).astype(np.float64)
    return np.clip((t_h - t0) / (t1 - t0), 0.0, 1.0)


def _hours(day: np.datetime64) -> float:
    return float(day.astype("datetime64[h]").astype(np.float64))


# A step is represented by two knots this far apart [h], so np.interp reproduces it
# exactly at whole-hour (and coarser) time steps.
_STEP_H = 1e-6


def _vintage(cluster: Cluster, hardware: dict[str, Hardware], reporting: str, t_h: np.ndarray):
    """Nameplate [W] and reported compute [FLOPS] of a vintage fleet at times ``t_h`` [h].

    Each cohort is a ramp in minus the same ramp shifted by the hardware's
    lifetime: the sum is piecewise linear, so it is evaluated exactly at its
    knots and interpolated onto the time axis (a few dozen points instead of
    one pass over the time axis per cohort and hardware).
    """
    fleet = cluster.fleet
    pieces = []  # (t0, t1, life_h, watts, flops_reported)
    for add in fleet.additions:
        w_per_flops, _ = mix_factors(add.shares, hardware, fleet.precision, reporting)
        total = _to_flops(add.amount, add.kind, w_per_flops, cluster)
        t0, t1 = _hours(add.start), _hours(add.end)
        for name, share in add.shares.items():
            w, r = mix_factors({name: 1.0}, hardware, fleet.precision, reporting)
            life_h = hardware[name].lifetime_years * _HOURS_PER_YEAR
            pieces.append((t0, t1, life_h, total * share * w, total * share * r))
    knots = []
    for t0, t1, life_h, _, _ in pieces:
        for shift in (0.0, life_h):
            knots += [t0 + shift, t1 + shift] if t1 > t0 else [t0 + shift - _STEP_H, t0 + shift]
    knots = np.unique(np.asarray(knots))
    watts = np.zeros_like(knots)
    flops = np.zeros_like(knots)
    for t0, t1, life_h, w, f in pieces:
        active = _ramp(knots, t0, t1) - _ramp(knots - life_h, t0, t1)
        watts += w * active
        flops += f * active
    return np.interp(t_h, knots, watts), np.interp(t_h, knots, flops)


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
    capacity = np.empty((n_c, n_t))
    nameplate = np.empty((n_c, n_t))
    reporting = scenario.reporting_precision
    for i, cluster in enumerate(scenario.clusters.values()):
        fleet = cluster.fleet
        if fleet.additions:
            nameplate[i], capacity[i] = _vintage(cluster, scenario.hardware, reporting, t_h)
        else:
            w_per_flops, ratio = mix_factors(
                fleet.shares, scenario.hardware, fleet.precision, reporting
            )
            pts_h = fleet.points_time.astype("datetime64[h]").astype(np.float64)
            level = np.interp(t_h, pts_h, fleet.points_value)
            flops = _to_flops(level, fleet.points_kind, w_per_flops, cluster)
            np.multiply(flops, w_per_flops, out=nameplate[i])
            np.multiply(flops, ratio, out=capacity[i])
    capacity /= 1e18
    nameplate /= 1e6
    return FleetArrays(capacity_eflops=capacity, nameplate_mw=nameplate)
