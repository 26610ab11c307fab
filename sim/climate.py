"""Synthetic hourly ambient temperature for a site (a seeded climatology).

The shape is a sinusoidal annual cycle (coldest mid-January), a sinusoidal
daily cycle (warmest at 15:00 local time) and day-to-day weather as an AR(1)
process with lag-one correlation 0.7. It is a stand-in for measured data,
good enough to drive a free-cooling PUE model; its parameters are assumptions
stated in the scenario schema.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

__all__ = ["synthetic_temperature_c"]

_AR1 = 0.7  # lag-one correlation of daily weather anomalies (assumption)


def synthetic_temperature_c(
    times: np.ndarray,
    mean_c: float,
    annual_amplitude_k: float,
    diurnal_amplitude_k: float,
    noise_k: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Hourly ambient temperature.

    Parameters
    ----------
    times : numpy.ndarray of datetime64
        Local time of each step.
    mean_c : float
        Annual mean temperature [degC].
    annual_amplitude_k : float
        Half the difference between mid-July and mid-January [K].
    diurnal_amplitude_k : float
        Half the day-night swing [K].
    noise_k : float
        Standard deviation of daily weather anomalies [K].
    rng : numpy.random.Generator
        Source of the weather anomalies.

    Returns
    -------
    numpy.ndarray
        Temperature at each time [degC].
    """
    days = times.astype("datetime64[D]")
    day_index = (days - days[0]).astype(np.int64)
    doy = (days - days.astype("datetime64[Y]")).astype(np.float64)
    hour = (times - days).astype("timedelta64[m]").astype(np.float64) / 60.0
    temp = mean_c - annual_amplitude_k * np.cos(2 * np.pi * (doy - 15.0) / 365.25)
    temp -= diurnal_amplitude_k * np.cos(2 * np.pi * (hour - 3.0) / 24.0)
    if noise_k > 0:
        n_days = int(day_index[-1]) + 1
        shocks = rng.standard_normal(n_days) * noise_k * np.sqrt(1 - _AR1**2)
        anomaly = lfilter([1.0], [1.0, -_AR1], shocks)
        temp += anomaly[day_index]
    return temp
