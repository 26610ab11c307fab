"""IT power, PUE and facility power: pure, vectorized kernels.

Baseline equations (DESIGN.md, layer 2):

    P_IT  = P_nameplate · (idle + (1 − idle) · u)                          (1)
    PUE   = min(PUE_max, PUE_base + slope · max(0, T − T_free))            (2)
    P_fac = P_IT · PUE                                                     (3)
    E     = P_fac · Δt                                                     (4)

All functions take numpy arrays that broadcast against each other, shaped
(..., cluster, time) with any leading sample dimensions, and allocate one
output each (or write into ``out``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["energy_mwh", "facility_power_mw", "it_power_mw", "pue_climate"]


def it_power_mw(
    nameplate_mw: np.ndarray,
    utilization: np.ndarray | float,
    idle_power: np.ndarray | float,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """IT power of a fleet, eq. (1).

    Parameters
    ----------
    nameplate_mw : array
        IT power of the installed fleet at full load [MW].
    utilization : array or float
        Busy fraction of installed compute [1], 0–1.
    idle_power : array or float
        Power of idle hardware as a fraction of busy power [1], 0–1.
    out : array, optional
        Where to write the result.

    Returns
    -------
    array
        IT power [MW].
    """
    load = np.multiply(np.subtract(1.0, idle_power), utilization)
    load += idle_power
    return np.multiply(nameplate_mw, load, out=out)


def pue_climate(
    temperature_c: np.ndarray,
    base: float,
    threshold_c: float,
    slope_per_k: float,
    max_pue: float,
) -> np.ndarray:
    """PUE of a free-cooled site, eq. (2).

    Parameters
    ----------
    temperature_c : array
        Ambient temperature [degC].
    base : float
        PUE with full free cooling [1].
    threshold_c : float
        Temperature up to which PUE stays at ``base`` [degC].
    slope_per_k : float
        PUE rise per kelvin above the threshold [1/K].
    max_pue : float
        Upper bound [1].

    Returns
    -------
    array
        PUE [1].
    """
    excess = np.maximum(np.subtract(temperature_c, threshold_c), 0.0)
    excess *= slope_per_k
    excess += base
    return np.minimum(excess, max_pue, out=excess)


def facility_power_mw(
    it_power: np.ndarray, pue: np.ndarray | float, out: np.ndarray | None = None
) -> np.ndarray:
    """Facility power, eq. (3): IT power [MW] × PUE [1] → [MW]."""
    return np.multiply(it_power, pue, out=out)


def energy_mwh(
    facility_power: np.ndarray, step_h: float, out: np.ndarray | None = None
) -> np.ndarray:
    """Facility energy within each step, eq. (4): power [MW] × step [h] → [MWh]."""
    return np.multiply(facility_power, step_h, out=out)
