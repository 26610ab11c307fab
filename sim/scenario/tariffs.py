"""Time-of-use tariffs: a flat, peak and valley price expanded to hours of the day."""

from __future__ import annotations

import numpy as np


def time_of_use_price(
    hour_of_day,
    flat_cny_per_mwh: float,
    peak_cny_per_mwh: float | None = None,
    valley_cny_per_mwh: float | None = None,
    peak_hours=(8, 9, 10, 17, 18, 19, 20, 21),
    valley_hours=(0, 1, 2, 3, 4, 5, 6, 23),
):
    """Time-of-use energy price.

    Parameters
    ----------
    hour_of_day : int array [T]
        Local hour [h].
    flat_cny_per_mwh : float
        Price outside peak and valley hours [CNY/MWh].
    peak_cny_per_mwh, valley_cny_per_mwh : float, optional
        Prices in peak and valley hours [CNY/MWh]; default flat.
    peak_hours, valley_hours : sequence of int
        Hours of day [h] (default windows are an assumption, typical of
        provincial TOU tariffs).

    Returns
    -------
    array [T]
        Price [CNY/MWh].
    """
    h = np.asarray(hour_of_day).astype(int) % 24
    price = np.full(h.shape, float(flat_cny_per_mwh))
    if peak_cny_per_mwh is not None:
        price[np.isin(h, peak_hours)] = peak_cny_per_mwh
    if valley_cny_per_mwh is not None:
        price[np.isin(h, valley_hours)] = valley_cny_per_mwh
    return price


# --------------------------------------------------------------------------- battery
