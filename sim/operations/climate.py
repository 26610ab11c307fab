"""Synthetic hourly ambient temperature for a site (a seeded climatology).

The shape is an annual cycle, a sinusoidal daily cycle (warmest at 15:00 local
time) and day-to-day weather as an AR(1) process with lag-one correlation 0.7.
The annual cycle is a site's 12 monthly mean temperatures, linearly
interpolated between mid-months (by default those of the shipped table of
city temperatures, ``scenarios/data/climate_normals.csv``), or a sinusoid
(coldest mid-January) of a given mean and amplitude. It is a stand-in for
measured data, good enough to drive a free-cooling PUE model; its parameters
are stated in the scenario schema.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["annual_cycle_c", "synthetic_temperature_c"]

_AR1 = 0.7  # lag-one correlation of daily weather anomalies (assumption)
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.float64)
_MID_MONTH_DOY = np.cumsum(_MONTH_DAYS) - _MONTH_DAYS / 2  # days since 1 January


def annual_cycle_c(doy: np.ndarray, monthly_mean_c: np.ndarray) -> np.ndarray:
    """Monthly means interpolated to days of the year, periodic across New Year.

    Parameters
    ----------
    doy : numpy.ndarray, shape (time,)
        Days since 1 January (fractional) [d].
    monthly_mean_c : numpy.ndarray, shape (site, 12)
        Mean temperature of each month, January first [degC].

    Returns
    -------
    numpy.ndarray, shape (site, time)
        Temperature of the annual cycle: each month's mean at mid-month, linear in
        between [degC].
    """
    knots = np.concatenate(
        [[_MID_MONTH_DOY[-1] - 365.0], _MID_MONTH_DOY, [_MID_MONTH_DOY[0] + 365.0]]
    )
    day = np.mod(doy, 365.0)
    return np.stack(
        [np.interp(day, knots, np.concatenate([[m[-1]], m, [m[0]]])) for m in monthly_mean_c]
    )


def synthetic_temperature_c(
    times: np.ndarray,
    mean_c: ArrayLike,
    annual_amplitude_k: ArrayLike,
    diurnal_amplitude_k: ArrayLike,
    noise_k: ArrayLike,
    rngs: Sequence[np.random.Generator],
    monthly_mean_c: ArrayLike | None = None,
) -> np.ndarray:
    """Hourly ambient temperature at one or more sites.

    Parameters
    ----------
    times : numpy.ndarray of datetime64, shape (time,)
        Local time of each step.
    mean_c : array_like, shape (site,)
        Annual mean temperature [degC].
    annual_amplitude_k : array_like, shape (site,)
        Half the difference between mid-July and mid-January [K].
    diurnal_amplitude_k : array_like, shape (site,)
        Half the day-night swing [K].
    noise_k : array_like, shape (site,)
        Standard deviation of daily weather anomalies [K].
    rngs : sequence of numpy.random.Generator, length site
        One independent source of weather per site.
    monthly_mean_c : array_like, shape (site, 12), optional
        Mean temperature of each month, January first [degC]; a row of NaN (or
        None for all) uses the sinusoid of ``mean_c`` and ``annual_amplitude_k``.

    Returns
    -------
    numpy.ndarray, shape (site, time)
        Temperature [degC].
    """
    from scipy.signal import lfilter  # imported on use: scipy.signal costs ~0.7 s

    col = lambda x: np.asarray(x, dtype=np.float64).reshape(-1, 1)  # noqa: E731
    days = times.astype("datetime64[D]")
    day_index = (days - days[0]).astype(np.int64)
    doy = (days - days.astype("datetime64[Y]")).astype(np.float64)
    hour = (times - days).astype("timedelta64[m]").astype(np.float64) / 60.0
    annual = np.cos(2 * np.pi * (doy - 15.0) / 365.25)
    diurnal = np.cos(2 * np.pi * (hour - 3.0) / 24.0)
    temp = col(mean_c) - col(annual_amplitude_k) * annual
    if monthly_mean_c is not None:
        monthly = np.asarray(monthly_mean_c, dtype=np.float64).reshape(len(rngs), 12)
        given = ~np.isnan(monthly).any(axis=1)
        if given.any():
            temp[given] = annual_cycle_c(doy, monthly[given])
    temp -= col(diurnal_amplitude_k) * diurnal
    n_days = int(day_index[-1]) + 1
    shocks = np.stack([rng.standard_normal(n_days) for rng in rngs])
    shocks *= col(noise_k) * np.sqrt(1 - _AR1**2)
    anomaly = lfilter([1.0], [1.0, -_AR1], shocks, axis=-1)
    temp += anomaly[:, day_index]
    return temp
