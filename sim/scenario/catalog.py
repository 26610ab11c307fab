"""The shipped data: the hardware catalog, ``scenarios/data/hardware.yaml``, and the
table of monthly mean temperatures of major cities, ``scenarios/data/climate_normals.csv``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.yamlio import read_yaml

__all__ = [
    "CATALOG_PATH",
    "LAPSE_RATE_K_PER_M",
    "NORMALS_PATH",
    "CityClimate",
    "city_climates",
    "entry",
    "fallback_climate",
    "names",
    "nearest_city_climate",
]

CATALOG_PATH = Path(__file__).resolve().parents[2] / "scenarios" / "data" / "hardware.yaml"
NORMALS_PATH = CATALOG_PATH.parent / "climate_normals.csv"

LAPSE_RATE_K_PER_M = 0.0065  # standard-atmosphere tropospheric lapse rate [S64]
_NEAREST_KM = 100.0  # a table city stands for a site within this distance (assumption)
_FIT_MIN_LON = 113.0  # table cities east of this stand on the eastern plains, below ~200 m
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    return dict(read_yaml(CATALOG_PATH))


def names() -> list[str]:
    """Names of the catalog entries."""
    return sorted(_catalog())


def entry(name: Any, field: str) -> dict[str, Any]:
    """A copy of one catalog entry's raw fields.

    Raises
    ------
    ScenarioError
        The name is not in the catalog.
    """
    cat = _catalog()
    if str(name) not in cat:
        raise ScenarioError(
            f"unknown hardware '{name}'",
            field=field,
            expected="one of the catalog: " + ", ".join(names()),
        )
    return {k: v for k, v in cat[str(name)].items()}


@dataclass(frozen=True)
class CityClimate:
    """Monthly mean temperatures of one city of the shipped table.

    Attributes
    ----------
    city : str
    lat, lon : float
        Position [deg].
    monthly_mean_c : tuple of 12 float
        Mean temperature of each month, January first, averaged over ``years`` [degC].
    years : tuple of int
        Years of the published monthly means that were averaged.
    """

    city: str
    lat: float
    lon: float
    monthly_mean_c: tuple[float, ...]
    years: tuple[int, ...]

    @property
    def source(self) -> str:
        """Where the figures come from, for output attributes."""
        span = "-".join(str(y) for y in (self.years[0], self.years[-1]))
        return f"table: {self.city} monthly means {span} (NBS China Statistical Yearbook [S63])"


@lru_cache(maxsize=1)
def city_climates() -> tuple[CityClimate, ...]:
    """The cities of ``scenarios/data/climate_normals.csv``, each year's row averaged."""
    rows: dict[str, list[dict[str, str]]] = {}
    with NORMALS_PATH.open(encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            rows.setdefault(row["city"], []).append(row)
    out = []
    for city, group in rows.items():
        months = np.array([[float(r[m]) for m in _MONTHS] for r in group]).mean(axis=0)
        out.append(
            CityClimate(
                city=city,
                lat=float(group[0]["lat"]),
                lon=float(group[0]["lon"]),
                monthly_mean_c=tuple(float(v) for v in months),
                years=tuple(sorted(int(r["year"]) for r in group)),
            )
        )
    return tuple(out)


def _distance_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlon = np.radians(lon2 - lon1)
    cos_angle = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dlon)
    return 6371.0 * np.arccos(np.clip(cos_angle, -1.0, 1.0))


def nearest_city_climate(lat: float, lon: float) -> CityClimate | None:
    """The table city nearest to a site, if within 100 km of it (else None).

    Parameters
    ----------
    lat, lon : float
        Site position [deg].

    Returns
    -------
    CityClimate or None
    """
    cities = city_climates()
    dist = _distance_km(
        lat, lon, np.array([c.lat for c in cities]), np.array([c.lon for c in cities])
    )
    i = int(np.argmin(dist))
    return cities[i] if dist[i] <= _NEAREST_KM else None


@lru_cache(maxsize=1)
def _latitude_fit() -> tuple[np.ndarray, np.ndarray]:
    plains = [c for c in city_climates() if c.lon >= _FIT_MIN_LON]
    lat = np.array([c.lat for c in plains])
    months = np.array([c.monthly_mean_c for c in plains])
    design = np.column_stack([np.ones_like(lat), lat])
    mean_coef = np.linalg.lstsq(design, months.mean(axis=1), rcond=None)[0]
    half_range = (months.max(axis=1) - months.min(axis=1)) / 2
    amp_coef = np.linalg.lstsq(design, half_range, rcond=None)[0]
    return mean_coef, amp_coef


def fallback_climate(lat: float, altitude_m: float) -> tuple[float, float]:
    """Annual mean temperature and annual half-range of a site with no table city
    within 100 km, from latitude and altitude.

    A least-squares line in latitude through the table cities east of 113 deg E
    (the eastern plains, taken to stand below ~200 m: an assumption), lowered by the
    standard-atmosphere lapse rate, 6.5 K/km [S64], for the site's altitude.

    Parameters
    ----------
    lat : float
        Latitude [deg].
    altitude_m : float
        Altitude above sea level [m].

    Returns
    -------
    mean_c : float
        Annual mean temperature [degC].
    annual_amplitude_k : float
        Half the difference between the warmest and the coldest month [K].
    """
    mean_coef, amp_coef = _latitude_fit()
    alat = abs(lat)
    mean_c = float(mean_coef[0] + mean_coef[1] * alat) - LAPSE_RATE_K_PER_M * altitude_m
    return mean_c, max(0.0, float(amp_coef[0] + amp_coef[1] * alat))
