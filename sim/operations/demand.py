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

import numpy as np

from sim.scenario.workloads import FIBRE_US_PER_KM, ROUTE_FACTOR, WorkloadClass

EARTH_RADIUS_KM = 6371.0  # mean Earth radius [km] (IUGG)


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
