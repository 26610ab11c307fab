"""Power supply of clusters: renewables, battery, grid, imports, carbon and cost.

Pure functions over numpy arrays; cluster-level parameters broadcast against
``[..., T]`` arrays (pass ``[C, 1]`` columns for per-cluster constants).

Energy balance in each step, for facility load ``L`` and renewable
generation ``R`` [MW]::

    surplus  = max(R - L, 0)   -> battery charge, rest curtailed          (1)
    deficit  = max(L - R, 0)   -> battery discharge, then local grid up to
                                  its cap, then import from a neighbouring
                                  grid up to its cap, rest shortfall      (2)
    carbon   = (grid * I_grid + import * I_import) * dt                   (3)
    cost     = (grid * p_grid + import * p_import + R_used * p_ren) * dt  (4)

Randomness (cloudiness, wind) comes only from a ``numpy.random.Generator``
passed in: one seed, one result. The renewable profiles are memoised on their
arguments and the generator's state (:func:`_seeded_memo`): a scenario's
profiles are computed once per process, however often it is run (slider moves,
sweep samples), with the same numbers and the generator left as a fresh
computation leaves it.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

import numpy as np

__all__ = [
    "battery_dispatch",
    "clamp_scan",
    "clear_sky_ghi_w_per_m2",
    "cos_zenith",
    "grid_balance",
    "pv_profile_pu",
    "wind_profile_pu",
]


# --------------------------------------------------------------------------- memo

#: Profiles kept by :func:`_seeded_memo` (a year hourly is 0.5 MB a site; EDWC keeps 8).
PROFILE_CACHE_SIZE = 64


def _key_part(value):
    if isinstance(value, np.random.Generator):
        return ("rng", repr(value.bit_generator.state))
    if isinstance(value, np.ndarray):
        digest = hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest()
        return ("array", value.shape, value.dtype.str, digest)
    return ("value", repr(value))


def _seeded_memo(fn):
    """Memoise a profile function of a ``numpy.random.Generator`` argument.

    The key holds every argument (arrays by their bytes) and the generator's
    state; a hit returns the stored (read-only) profile and sets the generator
    to the state the computation left it in, so later draws are unchanged.
    """
    cache: OrderedDict = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        rng = next(a for a in (*args, *kwargs.values()) if isinstance(a, np.random.Generator))
        key = (
            tuple(_key_part(a) for a in args),
            tuple(sorted((k, _key_part(v)) for k, v in kwargs.items())),
        )
        with lock:
            hit = cache.get(key)
            if hit is not None:
                cache.move_to_end(key)
        if hit is not None:
            out, state = hit
            rng.bit_generator.state = state
            return out
        out = fn(*args, **kwargs)
        out.setflags(write=False)
        with lock:
            cache[key] = (out, rng.bit_generator.state)
            while len(cache) > PROFILE_CACHE_SIZE:
                cache.popitem(last=False)
        return out

    wrapper.cache_clear = cache.clear
    return wrapper


# --------------------------------------------------------------------------- solar


def cos_zenith(times, lat_deg, lon_deg, utc_offset_h: float = 8.0):
    """Cosine of the solar zenith angle at the middle of each hourly step.

    Declination by Cooper (1969), equation of time by Spencer (1971), as in
    Duffie & Beckman, *Solar Engineering of Thermal Processes*, 4th ed.,
    eqs. 1.5.1a, 1.6.1, 1.6.5.

    Parameters
    ----------
    times : datetime64 array [T]
        Step start, local standard time.
    lat_deg, lon_deg : numeric
        Site latitude and longitude [degrees]; use ``[C, 1]`` columns for
        several sites.
    utc_offset_h : float
        Offset of local standard time from UTC [h] (China: +8).

    Returns
    -------
    array [..., T]
        cos(zenith) [-], negative at night.
    """
    t = np.asarray(times, dtype="datetime64[m]")
    day = t.astype("datetime64[D]")
    doy = (day - day.astype("datetime64[Y]")).astype(float) + 1.0
    clock_h = (t - day).astype(float) / 60.0 + 0.5  # middle of the hour
    b = 2 * np.pi * (doy - 1) / 365.0
    eot_min = 229.18 * (
        0.000075
        + 0.001868 * np.cos(b)
        - 0.032077 * np.sin(b)
        - 0.014615 * np.cos(2 * b)
        - 0.040849 * np.sin(2 * b)
    )
    decl = np.radians(23.45) * np.sin(2 * np.pi * (284 + doy) / 365.0)
    lon = np.asarray(lon_deg, dtype=float)
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    solar_h = clock_h + (lon - 15.0 * utc_offset_h) / 15.0 + eot_min / 60.0
    omega = np.radians(15.0 * (solar_h - 12.0))
    return np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(omega)


def clear_sky_ghi_w_per_m2(cos_z):
    """Clear-sky global horizontal irradiance, Haurwitz model.

    ``GHI = 1098 cos Z exp(-0.057 / cos Z)`` for ``cos Z > 0`` (Haurwitz 1945;
    pvlib ``clearsky.haurwitz``).

    Parameters
    ----------
    cos_z : numeric
        Cosine of the solar zenith angle [-].

    Returns
    -------
    numeric
        GHI [W/m^2].
    """
    cz = np.asarray(cos_z, dtype=float)
    pos = cz > 0
    safe = np.where(pos, cz, 1.0)
    return np.where(pos, 1098.0 * safe * np.exp(-0.057 / safe), 0.0)


def _ar1(rng: np.random.Generator, shape, phi: float) -> np.ndarray:
    """Standard-normal AR(1) series along the last axis (vectorised with lfilter)."""
    from scipy import signal  # imported on use: scipy.signal costs ~0.7 s of start-up

    eps = rng.standard_normal(shape)
    x = signal.lfilter([np.sqrt(1 - phi**2)], [1.0, -phi], eps, axis=-1)
    x[..., 0] = eps[..., 0]  # stationary start
    return x


def _match_mean(pu: np.ndarray, target: float, iterations: int = 30) -> np.ndarray:
    """Scale a per-unit profile so its mean is ``target`` after clipping to [0, 1]."""
    target = np.asarray(target, dtype=float)
    out = pu
    for _ in range(iterations):
        m = out.mean(axis=-1, keepdims=True)
        if np.all(np.abs(m - target) < 1e-9):
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(m > 0, target / m, 0.0)
        out = np.clip(out * scale, 0.0, 1.0)
    return out


@_seeded_memo
def pv_profile_pu(
    times,
    lat_deg,
    lon_deg,
    rng: np.random.Generator,
    cloudiness: float = 0.3,
    capacity_factor: float | None = None,
    utc_offset_h: float = 8.0,
    day_correlation: float = 0.6,
):
    """Photovoltaic output per unit of installed capacity.

    ``pu = GHI_clear / 1000 W/m^2 * k_day``, clipped to [0, 1], where the daily
    clearness ``k_day`` follows a Beta distribution of mean ``1 - cloudiness``
    driven by a day-to-day AR(1) process (seeded). With ``capacity_factor``
    the profile is rescaled so that its mean equals it.

    Parameters
    ----------
    times : datetime64 array [T]
        Step start, local standard time (hourly steps).
    lat_deg, lon_deg : numeric
        Site coordinates [degrees]; ``[C, 1]`` columns for several sites.
    rng : numpy.random.Generator
    cloudiness : float
        Mean fraction of clear-sky output lost to clouds [-], in [0, 1).
    capacity_factor : float, optional
        Target annual capacity factor [-], e.g. 0.18 in Inner Mongolia,
        Gansu, Ningxia ([S53]).
    utc_offset_h : float
        Local standard time offset [h].
    day_correlation : float
        Lag-1 correlation of daily clearness [-].

    Returns
    -------
    array [..., T]
        Output [MW per MW installed].
    """
    from scipy import special, stats

    if not 0.0 <= cloudiness < 1.0:
        raise ValueError(f"cloudiness {cloudiness} is outside [0, 1)")
    t = np.asarray(times, dtype="datetime64[h]")
    cz = cos_zenith(t, lat_deg, lon_deg, utc_offset_h)
    clear = clear_sky_ghi_w_per_m2(cz) / 1000.0
    day = (t.astype("datetime64[D]") - t[0].astype("datetime64[D]")).astype(int)
    n_days = int(day.max()) + 1
    z = _ar1(rng, (*clear.shape[:-1], n_days), day_correlation)
    mean_k = 1.0 - cloudiness
    conc = 4.0  # Beta concentration: assumption, daily clearness spread of ~ ±0.2
    k = (
        stats.beta.ppf(special.ndtr(z), mean_k * conc, (1 - mean_k) * conc)
        if cloudiness > 0
        else np.ones_like(z)
    )
    pu = np.clip(clear * k[..., day], 0.0, 1.0)
    if capacity_factor is not None:
        pu = _match_mean(pu, capacity_factor)
    return pu


@_seeded_memo
def wind_profile_pu(
    n_steps: int,
    capacity_factor,
    rng: np.random.Generator,
    hourly_correlation: float = 0.97,
    n_sites: int | None = None,
):
    """Wind output per unit of installed capacity, matched to a capacity factor.

    A Gaussian AR(1) process (lag-1 correlation ``hourly_correlation``, i.e.
    a decorrelation time of about ``1 / (1 - phi)`` hours) is mapped through
    its CDF onto a Beta(2 cf, 2 (1 - cf)) distribution (mean ``cf``, mass near
    0 and 1 like a turbine's power curve), then rescaled so the sample mean
    equals ``cf`` exactly.

    Parameters
    ----------
    n_steps : int
        Number of hourly steps.
    capacity_factor : float or array [C]
        Target mean output [-], e.g. 0.237 for Inner Mongolia 2013 ([S53]).
    rng : numpy.random.Generator
    hourly_correlation : float
        Lag-1 autocorrelation [-].
    n_sites : int, optional
        Number of independent sites; default ``len(capacity_factor)`` or 1.

    Returns
    -------
    array [C, T]
        Output [MW per MW installed].
    """
    from scipy import special, stats

    cf = np.atleast_1d(np.asarray(capacity_factor, dtype=float))
    if ((cf < 0) | (cf >= 1)).any():
        raise ValueError(f"capacity factor {cf} is outside [0, 1)")
    n = n_sites or cf.size
    cf = np.broadcast_to(cf, (n,))[:, None]
    z = _ar1(rng, (n, n_steps), hourly_correlation)
    conc = 2.0
    a = np.maximum(cf * conc, 1e-6)
    b = np.maximum((1 - cf) * conc, 1e-6)
    pu = stats.beta.ppf(special.ndtr(z), a, b)
    return np.where(cf > 0, _match_mean(pu, cf), 0.0)


def clamp_scan(increments, lo, hi, x0):
    """``x[t] = min(max(x[t-1] + a[t], lo), hi)`` for all ``t``, without a loop over ``t``.

    Maps ``f_t(x) = min(max(x + a_t, l_t), h_t)`` are closed under composition:
    ``f2(f1(x)) = min(max(x + a1 + a2, max(l1 + a2, l2)), min(max(h1 + a2, l2), h2))``.
    An inclusive prefix scan (Hillis-Steele, ``ceil(log2 T)`` vectorised steps)
    composes them, and ``x[t] = F_t(x0)``. This is the state-of-charge
    recursion of a battery, vectorised.

    Parameters
    ----------
    increments : array [..., T]
        Requested change of state per step ``a[t]``.
    lo, hi : numeric
        Bounds of the state (broadcast to ``[..., T]``), ``lo <= hi``.
    x0 : numeric
        State before the first step (broadcast to ``[...]``).

    Returns
    -------
    array [..., T]
        The state after each step.
    """
    a = np.asarray(increments, dtype=float)
    lo_a = np.broadcast_to(np.asarray(lo, dtype=float), a.shape).copy()
    hi_a = np.broadcast_to(np.asarray(hi, dtype=float), a.shape).copy()
    aa = a.copy()
    n = a.shape[-1]
    k = 1
    while k < n:
        a1, l1, h1 = aa[..., :-k], lo_a[..., :-k], hi_a[..., :-k]
        a2, l2, h2 = aa[..., k:], lo_a[..., k:], hi_a[..., k:]
        new_a = a1 + a2
        new_l = np.maximum(l1 + a2, l2)
        new_h = np.minimum(np.maximum(h1 + a2, l2), h2)
        aa[..., k:], lo_a[..., k:], hi_a[..., k:] = new_a, new_l, new_h
        k *= 2
    x0 = np.asarray(x0, dtype=float)[..., None]
    return np.minimum(np.maximum(x0 + aa, lo_a), hi_a)


def battery_dispatch(
    surplus_mw,
    deficit_mw,
    energy_mwh,
    power_mw,
    round_trip_efficiency=0.9,
    soc0_mwh=0.0,
    step_h: float = 1.0,
):
    """Battery charged from renewable surplus, discharged into the deficit.

    Rule: charge whenever there is surplus, discharge whenever there is a
    deficit, within power ``P`` and energy ``E`` limits; one-way
    efficiencies are ``sqrt(round_trip_efficiency)``. The state of charge
    follows ``soc[t] = clamp(soc[t-1] + r[t], 0, E)`` with request
    ``r = eta * min(surplus, P) dt - min(deficit, P) dt / eta``, computed
    by :func:`clamp_scan` (vectorised; no loop over hours).

    Parameters
    ----------
    surplus_mw, deficit_mw : array [..., T]
        Renewable surplus and power deficit [MW], non-negative, not both > 0.
    energy_mwh : numeric
        Usable capacity ``E`` [MWh].
    power_mw : numeric
        Charge and discharge power limit ``P`` [MW].
    round_trip_efficiency : numeric
        [-], in (0, 1] (broadcast like ``energy_mwh``).
    soc0_mwh : numeric
        Initial state of charge [MWh].
    step_h : float
        Step length [h].

    Returns
    -------
    charge_mw, discharge_mw, soc_mwh : arrays [..., T]
        Power into the battery (drawn from surplus) [MW], power delivered
        to the load [MW], state of charge at the end of each step [MWh].
    """
    rte = np.asarray(round_trip_efficiency, dtype=float)
    if np.any(rte <= 0.0) or np.any(rte > 1.0):
        raise ValueError(f"round-trip efficiency {round_trip_efficiency} is outside (0, 1]")
    eta = np.sqrt(rte)
    s = np.asarray(surplus_mw, dtype=float)
    d = np.asarray(deficit_mw, dtype=float)
    p = np.asarray(power_mw, dtype=float)
    e = np.asarray(energy_mwh, dtype=float)
    req = eta * np.minimum(s, p) * step_h - np.minimum(d, p) * step_h / eta
    soc = clamp_scan(req, 0.0, e, soc0_mwh)
    prev = np.concatenate(
        [
            np.broadcast_to(np.asarray(soc0_mwh, float)[..., None], soc[..., :1].shape),
            soc[..., :-1],
        ],
        axis=-1,
    )
    delta = soc - prev
    charge = np.maximum(delta, 0.0) / eta / step_h
    discharge = np.maximum(-delta, 0.0) * eta / step_h
    return charge, discharge, soc


# --------------------------------------------------------------------------- balance


def grid_balance(
    load_mw,
    renewable_mw,
    grid_cap_mw=np.inf,
    price_cny_per_mwh=0.0,
    intensity_tco2_per_mwh=0.0,
    import_cap_mw=0.0,
    import_price_cny_per_mwh=0.0,
    import_intensity_tco2_per_mwh=0.0,
    renewable_price_cny_per_mwh=0.0,
    battery_energy_mwh=0.0,
    battery_power_mw=0.0,
    battery_efficiency=0.9,
    step_h: float = 1.0,
) -> dict[str, np.ndarray]:
    """Supply a facility load from renewables, battery, local grid and imports.

    Implements eqs. (1)-(4) of the module docstring.

    Parameters
    ----------
    load_mw : array [..., T]
        Facility power [MW].
    renewable_mw : array [..., T]
        On-site or contracted renewable generation available [MW].
    grid_cap_mw : numeric
        Grid connection cap [MW].
    price_cny_per_mwh : numeric
        Grid energy price, flat or hourly [CNY/MWh].
    intensity_tco2_per_mwh : numeric
        Grid carbon intensity, constant or hourly [tCO2/MWh].
    import_cap_mw : numeric
        Cap on imports from a neighbouring grid (cross-province trading) [MW].
    import_price_cny_per_mwh, import_intensity_tco2_per_mwh : numeric
        Price [CNY/MWh] and intensity [tCO2/MWh] of imports.
    renewable_price_cny_per_mwh : numeric
        Price of renewable energy used (PPA; 0 for owned plant) [CNY/MWh].
    battery_energy_mwh, battery_power_mw : numeric
        Battery size [MWh] and power [MW]; 0 for none.
    battery_efficiency : numeric
        Round-trip efficiency [-].
    step_h : float
        Step length [h].

    Returns
    -------
    dict of arrays [..., T]
        ``renewable_power_mw`` (generation used, incl. charging), ``grid_power_mw``,
        ``import_power_mw``, ``curtailed_mw``, ``battery_charge_mw``,
        ``battery_discharge_mw``, ``battery_soc_mwh``, ``shortfall_mw``
        (load beyond every cap) [MW or MWh]; ``carbon_tco2`` and ``cost_cny``
        within each step [tCO2], [CNY].
    """
    load = np.asarray(load_mw, dtype=float)
    ren = np.broadcast_to(np.asarray(renewable_mw, dtype=float), load.shape)
    for name, v in (
        ("load_mw", load),
        ("renewable_mw", ren),
        ("grid_cap_mw", grid_cap_mw),
        ("import_cap_mw", import_cap_mw),
        ("battery_energy_mwh", battery_energy_mwh),
        ("battery_power_mw", battery_power_mw),
    ):
        if np.any(np.asarray(v) < 0):
            raise ValueError(f"{name} must be non-negative")
    surplus = np.maximum(ren - load, 0.0)
    deficit = np.maximum(load - ren, 0.0)
    if np.any(np.asarray(battery_energy_mwh) > 0) and np.any(np.asarray(battery_power_mw) > 0):
        charge, discharge, soc = battery_dispatch(
            surplus, deficit, battery_energy_mwh, battery_power_mw, battery_efficiency, 0.0, step_h
        )
    else:
        charge = np.zeros_like(load)
        discharge = np.zeros_like(load)
        soc = np.zeros_like(load)
    curtailed = surplus - charge
    need = np.maximum(deficit - discharge, 0.0)
    grid = np.minimum(need, grid_cap_mw)
    imported = np.minimum(need - grid, import_cap_mw)
    shortfall = need - grid - imported
    used = ren - curtailed
    carbon = (grid * intensity_tco2_per_mwh + imported * import_intensity_tco2_per_mwh) * step_h
    cost = (
        grid * price_cny_per_mwh
        + imported * import_price_cny_per_mwh
        + used * renewable_price_cny_per_mwh
    ) * step_h
    return {
        "renewable_power_mw": used,
        "grid_power_mw": grid,
        "import_power_mw": imported,
        "curtailed_mw": np.maximum(curtailed, 0.0),
        "battery_charge_mw": charge,
        "battery_discharge_mw": discharge,
        "battery_soc_mwh": soc,
        "shortfall_mw": np.maximum(shortfall, 0.0),
        "carbon_tco2": carbon,
        "cost_cny": cost,
    }
