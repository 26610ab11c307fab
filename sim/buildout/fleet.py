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

The same sums over the hardware of one compute kind ``k`` give that kind's
nameplate and capacity, the latter at the kind's conventional precision
(:data:`sim.units.KIND_PRECISION`): with kinds a cluster's fleet splits into
(1) and (2) per kind, and the contract totals are their sums over all hardware.
A total of compute across kinds is computed only on a named basis
(``totals.basis``, :data:`sim.units.TOTAL_BASES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.core import Cluster, Fleet, Hardware, Scenario
from sim.scenario.units import KIND_PRECISION, KINDS

__all__ = [
    "FleetArrays",
    "Pool",
    "build_fleet",
    "fleet_pools",
    "group_series",
    "mix_factors",
    "pool_series",
]

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
    kinds : tuple of str
        Compute kinds installed anywhere in the scenario.
    kind_capacity_eflops : numpy.ndarray, shape (cluster, kind, time), or None
        Installed compute of each kind at its conventional precision [EFLOPS].
    kind_nameplate_mw : numpy.ndarray, shape (cluster, kind, time), or None
        Nameplate IT power of each kind [MW].
    total_eflops : numpy.ndarray, shape (cluster, time), or None
        Installed compute on the scenario's ``totals.basis`` [EFLOPS].
    """

    capacity_eflops: np.ndarray
    nameplate_mw: np.ndarray
    kinds: tuple[str, ...] = ()
    kind_capacity_eflops: np.ndarray | None = None
    kind_nameplate_mw: np.ndarray | None = None
    total_eflops: np.ndarray | None = None


def _weight(shares: dict[str, float], hardware: dict[str, Hardware], precision: str, target):
    """Σ_h s_h / eff_h[p] (``target`` None, eq. 1) or Σ_h s_h · eff_h[q] / eff_h[p] (eq. 2),
    with q = ``target``, or each hardware's own kind precision for ``target == "kind"``."""
    out = 0.0
    for name, share in shares.items():
        eff = hardware[name].efficiency_flops_per_w
        if target is None:
            out += share / eff[precision]
        else:
            q = KIND_PRECISION[hardware[name].kind] if target == "kind" else target
            out += share * eff[q] / eff[precision]
    return out


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
    return (
        _weight(shares, hardware, precision, None),
        _weight(shares, hardware, precision, reporting),
    )


def _to_flops(amount: np.ndarray | float, measure: str, w_per_flops: float, fleet: Fleet):
    """Fleet-precision FLOPS from an amount of compute [FLOPS], power [W] or racks."""
    if measure == "compute":
        return amount
    if measure == "rack":
        amount = amount * fleet.rack_power_w * fleet.rack_occupancy
    return amount / w_per_flops


def _ramp(t_h: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """0 before ``t0``, 1 after ``t1``, linear in between (a step at ``t0`` if equal) [h]."""
    if t1 <= t0:
        return (t_h >= t0).astype(np.float64)
    return np.clip((t_h - t0) / (t1 - t0), 0.0, 1.0)


def _hours(day: np.datetime64) -> float:
    return float(day.astype("datetime64[h]").astype(np.float64))


# A step is represented by two knots this far apart [h], so interpolation reproduces it
# exactly at whole-hour (and coarser) time steps.
_STEP_H = 1e-6


def _step_mean(t_h: np.ndarray, step_h: float, knots: np.ndarray, values: np.ndarray):
    """Mean over each step ``[t, t + step_h)`` of the piecewise-linear function through
    (``knots``, ``values``), flat outside them; the value at ``t_h`` when ``step_h`` is 0.

    Parameters
    ----------
    t_h : numpy.ndarray
        Start of each step [h].
    step_h : float
        Length of a step [h] (0: point values).
    knots, values : numpy.ndarray
        Increasing abscissae [h] and the function's values there.

    Returns
    -------
    numpy.ndarray, shape of ``t_h``
    """
    if step_h == 0 or len(knots) == 1:
        return np.interp(t_h, knots, values)
    x = knots - knots[0]  # integrate from the first knot: smaller numbers, less cancellation
    width = np.diff(x)
    # a step is two knots _STEP_H apart: a jump, no area (steps start on whole hours)
    piece = np.where(width > 10 * _STEP_H, width * (values[1:] + values[:-1]) / 2, 0.0)
    area = np.concatenate([[0.0], np.cumsum(piece)])

    def integral(t: np.ndarray) -> np.ndarray:
        """Integral of the function from the first knot to ``t`` [h x value]."""
        u = t - knots[0]
        inside = np.clip(u, x[0], x[-1])
        i = np.clip(np.searchsorted(x, inside, side="right") - 1, 0, len(x) - 2)
        dx = inside - x[i]
        slope = (values[i + 1] - values[i]) / (x[i + 1] - x[i])
        core = area[i] + values[i] * dx + slope * dx**2 / 2
        return core + values[0] * np.minimum(u, 0.0) + values[-1] * np.maximum(u - x[-1], 0.0)

    # within one linear piece the mean is the value at mid-step (exact, and bit-stable);
    # steps with a knot inside them integrate across it
    mean = np.interp(t_h + step_h / 2, knots, values)
    crossing = np.searchsorted(knots, t_h, side="right") < np.searchsorted(
        knots, t_h + step_h, side="left"
    )
    if crossing.any():
        a = t_h[crossing]
        mean[crossing] = (integral(a + step_h) - integral(a)) / step_h
    return mean


def _vintage(fleet: Fleet, hardware: dict[str, Hardware], t_h: np.ndarray, step_h: float, series):
    """Series of a vintage fleet over the steps starting at ``t_h`` [h] (their means; the
    values at ``t_h`` when ``step_h`` is 0), one per (hardware group, target).

    Each cohort is a ramp in minus the same ramp shifted by the hardware's
    lifetime: the sum is piecewise linear, so it is evaluated exactly at its
    knots and interpolated onto the time axis (a few dozen points instead of
    one pass over the time axis per cohort and hardware).
    """
    pieces = []  # (t0, t1, life_h, name, fleet-precision FLOPS of the piece)
    for add in fleet.additions:
        w_per_flops, _ = mix_factors(add.shares, hardware, fleet.precision, fleet.precision)
        total = _to_flops(add.amount, add.measure, w_per_flops, fleet)
        t0, t1 = _hours(add.start), _hours(add.end)
        for name, share in add.shares.items():
            life_h = hardware[name].lifetime_years * _HOURS_PER_YEAR
            pieces.append((t0, t1, life_h, name, total * share))
    knots = []
    for t0, t1, life_h, _, _ in pieces:
        for shift in (0.0, life_h):
            knots += [t0 + shift, t1 + shift] if t1 > t0 else [t0 + shift - _STEP_H, t0 + shift]
    knots = np.unique(np.asarray(knots))
    active = [
        _ramp(knots, t0, t1) - _ramp(knots - life_h, t0, t1) for t0, t1, life_h, _, _ in pieces
    ]
    out = []
    for group, target in series:
        values = np.zeros_like(knots)
        for (_, _, _, name, flops), act in zip(pieces, active, strict=True):
            if group is None or name in group:
                values += flops * _weight({name: 1.0}, hardware, fleet.precision, target) * act
        out.append(_step_mean(t_h, step_h, knots, values))
    return out


def _points(fleet: Fleet, hardware: dict[str, Hardware], t_h: np.ndarray, step_h: float, series):
    """Series of a capacity-points fleet over the steps starting at ``t_h`` [h], one per
    (group, target)."""
    w_per_flops = _weight(fleet.shares, hardware, fleet.precision, None)
    pts_h = fleet.points_time.astype("datetime64[h]").astype(np.float64)
    flops = _to_flops(
        _step_mean(t_h, step_h, pts_h, fleet.points_value),
        fleet.points_measure,
        w_per_flops,
        fleet,
    )
    out = []
    for group, target in series:
        shares = {h: s for h, s in fleet.shares.items() if group is None or h in group}
        out.append(flops * _weight(shares, hardware, fleet.precision, target))
    return out


def group_series(scenario: Scenario, times: np.ndarray, series) -> np.ndarray:
    """Nameplate power or compute of hardware groups in every cluster.

    Parameters
    ----------
    scenario : Scenario
    times : numpy.ndarray of datetime64
        Start of each time step (regular); each value is the mean over its step. A
        single instant gives the values at that instant.
    series : list of (set of str or None, str or None)
        One entry per output series: the hardware it covers (None: all) and what it
        measures: None for nameplate IT power, a precision for compute converted to
        it, ``"kind"`` for compute at each hardware's kind precision.

    Returns
    -------
    numpy.ndarray, shape (cluster, len(series), time)
        Nameplate power [W] or compute [FLOPS].
    """
    t_h, step_h = _hours_of(times)
    out = np.zeros((len(scenario.clusters), len(series), len(times)))
    for i, cluster in enumerate(scenario.clusters.values()):
        out[i] = _cluster_series(cluster, scenario.hardware, t_h, step_h, series)
    return out


def _hours_of(times: np.ndarray) -> tuple[np.ndarray, float]:
    """Step starts [h] and the step length [h]: the spacing of ``times`` (a regular
    horizon), 0 for a single instant (point values)."""
    t_h = times.astype("datetime64[m]").astype(np.float64) / 60.0
    return t_h, float(t_h[1] - t_h[0]) if len(t_h) > 1 else 0.0


def _cluster_series(
    cluster: Cluster, hardware: dict[str, Hardware], t_h: np.ndarray, step_h: float, series
):
    parts = [
        np.stack((_vintage if f.additions else _points)(f, hardware, t_h, step_h, series))
        for f in cluster.fleets
    ]
    return parts[0] if len(parts) == 1 else np.sum(parts, axis=0)


@dataclass(frozen=True)
class Pool:
    """Compute of one kind in one cluster, on one group of hardware: a dispatch resource.

    Attributes
    ----------
    cluster : int
        Index of the cluster.
    kind : str
        Compute kind; capacity counts at its conventional precision.
    hardware : tuple of str
        The hardware in the pool.
    """

    cluster: int
    kind: str
    hardware: tuple[str, ...]


def fleet_pools(scenario: Scenario, allow_lists=()) -> list[Pool]:
    """The dispatch pools of a scenario: per cluster and kind, its hardware split so
    that every allow-list holds each pool of its kind whole or not at all.

    Parameters
    ----------
    scenario : Scenario
    allow_lists : iterable of (str, collection of str)
        (kind, hardware names) of each workload class that runs only on listed
        hardware.

    Returns
    -------
    list of Pool
        Clusters in scenario order, kinds in :data:`sim.units.KINDS` order; a
        cluster without hardware of a kind has no pool of it.
    """
    allow = [(k, set(names)) for k, names in allow_lists]
    pools = []
    for c, cluster in enumerate(scenario.clusters.values()):
        for kind in KINDS:
            groups: dict[tuple[bool, ...], list[str]] = {}
            for h in cluster.hardware_names:
                if scenario.hardware[h].kind == kind:
                    signature = tuple(h in names for k, names in allow if k == kind)
                    groups.setdefault(signature, []).append(h)
            pools += [Pool(c, kind, tuple(hw)) for hw in groups.values()]
    return pools


def pool_series(
    scenario: Scenario, times: np.ndarray, pools: list[Pool]
) -> tuple[np.ndarray, np.ndarray]:
    """Nameplate IT power [MW] and installed compute at the kind's precision [EFLOPS]
    of each pool, each shaped (pool, time)."""
    t_h, step_h = _hours_of(times)
    nameplate = np.zeros((len(pools), len(times)))
    capacity = np.zeros((len(pools), len(times)))
    clusters = list(scenario.clusters.values())
    for c, cluster in enumerate(clusters):
        rows = [r for r, p in enumerate(pools) if p.cluster == c]
        if not rows:
            continue
        series = [(set(pools[r].hardware), q) for r in rows for q in (None, "kind")]
        arr = _cluster_series(cluster, scenario.hardware, t_h, step_h, series)
        nameplate[rows] = arr[0::2] / 1e6
        capacity[rows] = arr[1::2] / 1e18
    return nameplate, capacity


def build_fleet(scenario: Scenario, times: np.ndarray) -> FleetArrays:
    """Installed capacity and nameplate IT power of every cluster at ``times``,
    in total and by compute kind.

    Parameters
    ----------
    scenario : Scenario
    times : numpy.ndarray of datetime64
        Start of each time step.

    Returns
    -------
    FleetArrays
    """
    kinds = tuple(scenario.kinds)
    series = [(None, None), (None, scenario.reporting_precision)]
    for k in kinds:
        members = {h for h, hw in scenario.hardware.items() if hw.kind == k}
        series += [(members, None), (members, "kind")]
    if scenario.totals_basis:
        series.append((None, "fp32" if scenario.totals_basis == "fp32-equivalent" else "kind"))
    arr = group_series(scenario, times, series)
    nameplate = arr[:, 0]
    capacity = arr[:, 1]
    capacity /= 1e18
    nameplate /= 1e6
    return FleetArrays(
        capacity_eflops=capacity,
        nameplate_mw=nameplate,
        kinds=kinds,
        kind_capacity_eflops=arr[:, 3 : 2 + 2 * len(kinds) : 2] / 1e18,
        kind_nameplate_mw=arr[:, 2 : 2 + 2 * len(kinds) : 2] / 1e6,
        total_eflops=arr[:, -1] / 1e18 if scenario.totals_basis else None,
    )
