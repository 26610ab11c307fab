"""Synthetic hourly ambient temperature for a site (a seeded climatology).

The shape is a sinusoidal annual cycle (coldest mid-January), a sinusoidal
daily cycle (warmest at 15:00 local time) and day-to-day weather as an AR(1)
process with lag-one correlation 0.7. It is a stand-in for measured data,
good enough to drive a free-cooling PUE model; its parameters are assumptions
stated in the scenario schema.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.signal import lfilter

__all__ = ["synthetic_temperature_c"]

_AR1 = 0.7  # lag-one correlation of daily weather anomalies (assumption)


def synthetic_temperature_c(
    times: np.ndarray,
    mean_c: ArrayLike,
    annual_amplitude_k: ArrayLike,
    diurnal_amplitude_k: ArrayLike,
    noise_k: ArrayLike,
    rngs: Sequence[np.random.Generator],
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

    Returns
    -------
    numpy.ndarray, shape (site, time)
        Temperature [degC].
    """
    col = lambda x: np.asarray(x, dtype=np.float64).reshape(-1, 1)  # noqa: E731
    days = times.astype("datetime64[D]")
    day_index = (days - days[0]).astype(np.int64)
    doy = (days - days.astype("datetime64[Y]")).astype(np.float64)
    hour = (times - days).astype("timedelta64[m]").astype(np.float64) / 60.0
    annual = np.cos(2 * np.pi * (doy - 15.0) / 365.25)
    diurnal = np.cos(2 * np.pi * (hour - 3.0) / 24.0)
    temp = col(mean_c) - col(annual_amplitude_k) * annual
    temp -= col(diurnal_amplitude_k) * diurnal
    n_days = int(day_index[-1]) + 1
    shocks = np.stack([rng.standard_normal(n_days) for rng in rngs])
    shocks *= col(noise_k) * np.sqrt(1 - _AR1**2)
    anomaly = lfilter([1.0], [1.0, -_AR1], shocks, axis=-1)
    temp += anomaly[:, day_index]
    return temp
