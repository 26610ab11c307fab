"""Compute demand: workload classes, trajectories, hourly shapes, latency.

Pure functions over numpy arrays. A workload class has a demand trajectory
(EFLOPS at the reporting precision), origin shares, an hourly shape with mean
1 over a day, a maximum one-way latency [ms] and a deferral window [h]:

    demand[w, o, t] = trajectory_w(t) * share[w, o] * shape_w(t)        (1)

Latency between places comes from a matrix or from great-circle distance:

    latency_ms = base_ms + distance_km * route_factor * us_per_km / 1000  (2)

with light in fibre at about 5 µs/km (refractive index ~1.47) and a route
factor for cables that do not follow the great circle; the 2023 compute
action plan asks cluster-to-cluster latency no slower than 1.5x theoretical
[S20] (docs/sources.md), our default route factor.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_CLASSES",
    "EARTH_RADIUS_KM",
    "FIBRE_US_PER_KM",
    "ROUTE_FACTOR",
    "WorkloadClass",
    "demand_eflops",
    "diurnal_shape",
    "eligibility",
    "great_circle_km",
    "hourly_shape",
    "latency_ms",
    "load_trace_csv",
    "trajectory_eflops",
]

EARTH_RADIUS_KM = 6371.0  # mean Earth radius [km] (IUGG)
FIBRE_US_PER_KM = 5.0  # one-way delay of light in fibre [µs/km], c / 1.47 ≈ 204,000 km/s
ROUTE_FACTOR = 1.5  # fibre route length / great-circle distance [-] ([S20]: <= 1.5x theoretical)


@dataclass(frozen=True)
class WorkloadClass:
    """A class of compute demand.

    Parameters
    ----------
    name : str
        Identifier, e.g. ``"realtime_inference"``.
    max_latency_ms : float
        Largest one-way latency from origin to serving cluster [ms]; ``inf``
        for latency-tolerant work.
    window_h : float
        Deferral window: hours a unit of demand may wait [h].
    shape : str
        ``"flat"`` or ``"diurnal"`` (see :func:`hourly_shape`) or ``"profile"``.
    profile : tuple of float, optional
        24 hourly values (any scale; normalised to mean 1) for ``"profile"``.
    peak_hour : float
        Hour of the daily peak for ``"diurnal"`` [h, local time].
    amplitude : float
        Relative amplitude of the diurnal swing [-]: peak = 1 + amplitude.
    kind : str
        Compute kind the class runs on (:data:`sim.units.KINDS`); its demand is
        counted at that kind's conventional precision.
    hardware : tuple of str
        Hardware the class can run on (e.g. a CUDA-only class: NVIDIA parts);
        empty for any hardware of its kind.
    """

    name: str
    max_latency_ms: float
    window_h: float
    shape: str = "flat"
    profile: tuple[float, ...] = field(default=())
    peak_hour: float = 20.0
    amplitude: float = 0.0
    kind: str = "intelligent"
    hardware: tuple[str, ...] = ()


# Shipped defaults. Roles from [S3]: eastern hubs serve real-time work, western
# hubs back-office processing, offline analysis, storage and backup. The 20 ms
# bound is the east-west latency target [S19, S23, S25]. Training is nearly
# flat day and night [S48c, S54]; inference follows request traffic [S54].
# Windows, the batch latency bound and the diurnal amplitude are assumptions.
# Kinds (docs/kinds.md): training and inference run on intelligent compute (AI
# accelerators); web services, databases, storage and analytics on general compute
# (CPU servers); simulation on supercomputing [S151, S155].
DEFAULT_CLASSES: dict[str, WorkloadClass] = {
    "realtime_inference": WorkloadClass(
        "realtime_inference",
        max_latency_ms=20.0,  # [S19, S25]
        window_h=0.0,
        shape="diurnal",
        peak_hour=21.0,  # assumption: evening traffic peak
        amplitude=0.4,  # assumption
        kind="intelligent",
    ),
    "batch_analytics": WorkloadClass(
        "batch_analytics",
        max_latency_ms=100.0,  # assumption: interactive dashboards, not real-time
        window_h=8.0,  # assumption: "hours"
        shape="diurnal",
        peak_hour=10.0,  # assumption: office hours
        amplitude=0.3,  # assumption
        kind="general",
    ),
    "training": WorkloadClass(
        "training",
        max_latency_ms=np.inf,  # latency tolerant [S3]
        window_h=72.0,  # assumption: "days"
        shape="flat",  # [S48c, S54]
        kind="intelligent",
    ),
    "storage_backup": WorkloadClass(
        "storage_backup",
        max_latency_ms=np.inf,  # [S3]
        window_h=24.0,  # assumption: nightly backups within a day
        shape="flat",
        kind="general",
    ),
    "web_services": WorkloadClass(
        "web_services",
        max_latency_ms=20.0,  # real-time, as inference [S19, S25]
        window_h=0.0,
        shape="diurnal",
        peak_hour=21.0,  # assumption: evening traffic peak, as inference
        amplitude=0.4,  # assumption
        kind="general",
    ),
    "databases": WorkloadClass(
        "databases",
        max_latency_ms=20.0,  # assumption: transactional, near its users
        window_h=0.0,
        shape="diurnal",
        peak_hour=14.0,  # assumption: business hours
        amplitude=0.2,  # assumption
        kind="general",
    ),
    "simulation": WorkloadClass(
        "simulation",
        max_latency_ms=np.inf,  # batch HPC jobs, latency tolerant (assumption)
        window_h=72.0,  # assumption: "days", as training
        shape="flat",
        kind="supercomputing",
    ),
}


def great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg):
    """Great-circle distance by the haversine formula.

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : numeric
        Latitudes and longitudes [degrees]; broadcast together.

    Returns
    -------
    numeric
        Distance [km] on a sphere of radius :data:`EARTH_RADIUS_KM`.
    """
    p1, l1, p2, l2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    )
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def latency_ms(
    lat_a_deg,
    lon_a_deg,
    lat_b_deg,
    lon_b_deg,
    us_per_km: float = FIBRE_US_PER_KM,
    route_factor: float = ROUTE_FACTOR,
    base_ms: float = 0.0,
):
    """One-way latency matrix between places A (rows) and B (columns), eq. (2).

    Parameters
    ----------
    lat_a_deg, lon_a_deg : array [A]
        Places A [degrees].
    lat_b_deg, lon_b_deg : array [B]
        Places B [degrees].
    us_per_km : float
        Fibre delay [µs/km].
    route_factor : float
        Route length over great-circle distance [-], >= 1.
    base_ms : float
        Fixed delay added to every pair (switching, last mile) [ms].

    Returns
    -------
    array [A, B]
        One-way latency [ms].
    """
    d = great_circle_km(
        np.asarray(lat_a_deg, dtype=float)[:, None],
        np.asarray(lon_a_deg, dtype=float)[:, None],
        np.asarray(lat_b_deg, dtype=float)[None, :],
        np.asarray(lon_b_deg, dtype=float)[None, :],
    )
    return base_ms + d * route_factor * us_per_km / 1000.0


def eligibility(latency_matrix_ms, max_latency_ms):
    """Which class may run where: ``latency[o, c] <= max_latency[w]``.

    Parameters
    ----------
    latency_matrix_ms : array [O, C]
        One-way latency origin to cluster [ms].
    max_latency_ms : array [W]
        Latency bound of each class [ms] (``inf`` for none).

    Returns
    -------
    bool array [W, O, C]
    """
    lat = np.asarray(latency_matrix_ms, dtype=float)
    bound = np.asarray(max_latency_ms, dtype=float)
    return lat[None, :, :] <= bound[:, None, None] + 1e-9


def diurnal_shape(hour_of_day, peak_hour: float, amplitude: float):
    """Cosine daily shape with mean 1: ``1 + a cos(2π (h - peak) / 24)``.

    Parameters
    ----------
    hour_of_day : numeric
        Local hour of each step [h], 0 <= h < 24.
    peak_hour : float
        Hour of the maximum [h].
    amplitude : float
        Relative amplitude [-], 0 <= a <= 1.

    Returns
    -------
    numeric
        Shape factor [-]; its mean over whole days is 1.
    """
    if not 0.0 <= amplitude <= 1.0:
        raise ValueError(f"amplitude {amplitude} is outside [0, 1]")
    h = np.asarray(hour_of_day, dtype=float)
    return 1.0 + amplitude * np.cos(2 * np.pi * (h - peak_hour) / 24.0)


def hourly_shape(workload: WorkloadClass, hour_of_day, trace=None):
    """Hourly shape factor of a class, mean 1 over whole days.

    Parameters
    ----------
    workload : WorkloadClass
    hour_of_day : int array [T]
        Local hour of each step [h].
    trace : array [T], optional
        A measured trace (any scale); normalised to mean 1 and used instead.

    Returns
    -------
    array [T]
        Shape factor [-].
    """
    hod = np.asarray(hour_of_day)
    if trace is not None:
        tr = np.asarray(trace, dtype=float)
        if tr.shape != hod.shape:
            raise ValueError(f"trace has {tr.size} values, expected {hod.size} (one per step)")
        if (tr < 0).any() or tr.mean() <= 0:
            raise ValueError("trace must be non-negative with a positive mean")
        return tr / tr.mean()
    if workload.shape == "flat":
        return np.ones(hod.shape)
    if workload.shape == "diurnal":
        return diurnal_shape(hod, workload.peak_hour, workload.amplitude)
    if workload.shape == "profile":
        prof = np.asarray(workload.profile, dtype=float)
        if prof.shape != (24,):
            raise ValueError(f"profile has {prof.size} values, expected 24")
        if (prof < 0).any() or prof.mean() <= 0:
            raise ValueError("profile must be non-negative with a positive mean")
        return (prof / prof.mean())[hod.astype(int) % 24]
    raise ValueError(f"unknown shape {workload.shape!r}; expected flat, diurnal or profile")


def load_trace_csv(path: str | Path, column: str | None = None) -> np.ndarray:
    """Read one numeric column of a CSV file (header row required).

    Parameters
    ----------
    path : str or Path
    column : str, optional
        Column name; default the last column.

    Returns
    -------
    array
        The values, in file order.
    """
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None:
            raise ValueError(f"{path}: empty CSV")
        col = column or reader.fieldnames[-1]
        if col not in reader.fieldnames:
            raise ValueError(f"{path}: no column {col!r}; columns are {reader.fieldnames}")
        try:
            return np.array([float(row[col]) for row in reader])
        except ValueError as exc:
            raise ValueError(f"{path}: column {col!r} is not numeric ({exc})") from None


def trajectory_eflops(times, points=None, *, start=None, start_eflops=None, growth_per_year=None):
    """Demand trajectory: linear between dated points (flat outside), or compound growth.

    Parameters
    ----------
    times : datetime64 array [T]
        Step start times.
    points : mapping {date-like: float}, optional
        Dated values [EFLOPS]; linear interpolation in time, flat outside.
    start : date-like, optional
        Start date for growth.
    start_eflops : float, optional
        Value at ``start`` [EFLOPS].
    growth_per_year : float, optional
        Compound growth rate [1/year], e.g. 0.2 for +20 %/yr ([S1]: > 20 %/yr).

    Returns
    -------
    array [T]
        Demand [EFLOPS].
    """
    t = np.asarray(times, dtype="datetime64[s]").astype(np.int64).astype(float)
    if points is not None:
        items = sorted(
            (np.datetime64(str(k), "s").astype(np.int64), float(v)) for k, v in points.items()
        )
        xs = np.array([k for k, _ in items], dtype=float)
        ys = np.array([v for _, v in items])
        if (ys < 0).any():
            raise ValueError("demand points must be non-negative")
        return np.interp(t, xs, ys)
    if start is None or start_eflops is None or growth_per_year is None:
        raise ValueError("give either points or start, start_eflops and growth_per_year")
    t0 = float(np.datetime64(str(start), "s").astype(np.int64))
    years = (t - t0) / (365.25 * 86400.0)
    return start_eflops * (1.0 + growth_per_year) ** years


def demand_eflops(trajectories, shares, shapes):
    """Demand array of eq. (1).

    Parameters
    ----------
    trajectories : array [W, T]
        Total demand of each class [EFLOPS].
    shares : array [W, O]
        Share of each origin in each class [-]; rows sum to 1.
    shapes : array [W, T]
        Hourly shape factors [-].

    Returns
    -------
    array [W, O, T]
        Demand [EFLOPS].
    """
    sh = np.asarray(shares, dtype=float)
    if (sh < 0).any() or not np.allclose(sh.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(
            f"origin shares must be >= 0 and sum to 1 per class, got sums {sh.sum(axis=1)}"
        )
    return np.asarray(trajectories)[:, None, :] * sh[:, :, None] * np.asarray(shapes)[:, None, :]
