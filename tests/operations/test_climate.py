"""Default climate: the shipped table of city temperatures, the latitude-and-altitude
fallback, and the monthly annual cycle of the synthetic temperature."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import sim
from sim.operations.climate import annual_cycle_c, synthetic_temperature_c
from sim.scenario import catalog

# Hangzhou, NBS yearbook monthly means of 2008 and 2009 [S63], averaged by hand:
# Jan (3.7 + 4.4) / 2 = 4.05, Jul (30.1 + 29.6) / 2 = 29.85; the 12 months of 2008 sum
# to 210.4, of 2009 to 213.9: annual mean (210.4 + 213.9) / 24 = 17.679
HANGZHOU_JAN_C = 4.05
HANGZHOU_JUL_C = 29.85
HANGZHOU_MEAN_C = (210.4 + 213.9) / 24


def test_table_city_is_the_mean_of_its_published_years():
    (hz,) = [c for c in catalog.city_climates() if c.city == "Hangzhou"]
    assert hz.years == (2008, 2009)
    assert hz.monthly_mean_c[0] == pytest.approx(HANGZHOU_JAN_C)
    assert hz.monthly_mean_c[6] == pytest.approx(HANGZHOU_JUL_C)
    assert np.mean(hz.monthly_mean_c) == pytest.approx(HANGZHOU_MEAN_C, abs=1e-9)


def test_sites_within_100_km_use_their_city():
    # Gui'an (26.57 N, 106.71 E [S55]) is Guiyang's own coordinate; Horinger
    # (40.38 N, 111.82 E) is ~50 km from Hohhot (40.82 N, 111.65 E)
    assert catalog.nearest_city_climate(26.57, 106.71).city == "Guiyang"
    assert catalog.nearest_city_climate(40.38, 111.82).city == "Hohhot"
    # Zhongwei (37.52 N, 105.18 E) is ~300 km from the nearest table city (Taiyuan is
    # farther still; Yinchuan and Lanzhou are not in the table): no entry
    assert catalog.nearest_city_climate(37.52, 105.18) is None


def test_fallback_fit_and_lapse_rate():
    plains = [c for c in catalog.city_climates() if c.lon >= 113.0]
    lat = np.array([c.lat for c in plains])
    mean = np.array([np.mean(c.monthly_mean_c) for c in plains])
    slope, intercept = np.polyfit(lat, mean, 1)  # the same least-squares line, another way
    got_sea, _ = catalog.fallback_climate(35.0, 0.0)
    assert got_sea == pytest.approx(intercept + slope * 35.0)
    # eastern China cools ~0.7 K per degree of latitude: between 0.5 and 0.9 K/deg
    assert -0.9 < slope < -0.5
    # 1,000 m higher is 6.5 K colder (standard atmosphere [S64])
    got_high, _ = catalog.fallback_climate(35.0, 1000.0)
    assert got_sea - got_high == pytest.approx(6.5)


def test_monthly_cycle_hits_mid_month_means_and_wraps():
    months = np.array([[float(m) for m in range(12)]])  # Jan 0 ... Dec 11 degC
    # mid-January is day 15.5; mid-December day 349.5; New Year's Day (0) lies between them
    got = annual_cycle_c(np.array([15.5, 349.5, 0.0, 365.0]), months)[0]
    # day 0 is 15.5 days after mid-December and 15.5 before mid-January (31 days apart):
    # halfway from 11 to 0 = 5.5; day 365 is the same day of the next year
    np.testing.assert_allclose(got, [0.0, 11.0, 5.5, 5.5])


def test_default_climate_run_follows_the_table(minimal):
    raw = copy.deepcopy(minimal)
    site = raw["clusters"]["site-a"]
    site["location"] = {"lat": 30.26, "lon": 120.19}  # Hangzhou [S55]
    site["pue"] = {"model": "climate", "base": 1.1, "slope": 0.01, "max": 1.5}
    ds = sim.run(sim.load_scenario(raw))
    temp = ds["ambient_temperature_c"].isel(cluster=0)
    assert "Hangzhou" in ds["ambient_temperature_c"].attrs["climate_source"]
    # annual mean of a linear interpolation between mid-months equals the mean of the
    # months to within ~0.1 K; AR(1) weather of std 2 K over 365 days adds ~0.3 K at most
    assert float(temp.mean()) == pytest.approx(HANGZHOU_MEAN_C, abs=0.5)
    july = temp.sel(time=temp.time.dt.month == 7)
    assert float(july.mean()) == pytest.approx(HANGZHOU_JUL_C, abs=1.5)


def test_fallback_is_said(minimal):
    raw = copy.deepcopy(minimal)
    site = raw["clusters"]["site-a"]
    site["location"] = {"lat": 37.52, "lon": 105.18, "altitude": "1230 m"}  # assumption
    site["pue"] = {"model": "climate", "base": 1.1, "slope": 0.01, "max": 1.5}
    scenario = sim.load_scenario(raw)
    climate = scenario.clusters["site-a"].climate
    assert climate.monthly_mean_c is None
    assert climate.source.startswith("fallback")
    mean_sea, _ = catalog.fallback_climate(37.52, 0.0)
    assert climate.mean_c == pytest.approx(mean_sea - 0.0065 * 1230)
    ds = sim.run(scenario)
    assert "fallback" in ds["ambient_temperature_c"].attrs["climate_source"]


def test_explicit_mean_keeps_the_sinusoid():
    times = np.arange("2025-01-01", "2026-01-01", dtype="datetime64[h]").astype("datetime64[ns]")
    rng = [np.random.default_rng(0)]
    sinus = synthetic_temperature_c(times, [10.0], [12.0], [0.0], [0.0], rng)
    nan_rows = synthetic_temperature_c(
        times, [10.0], [12.0], [0.0], [0.0], [np.random.default_rng(0)], [[np.nan] * 12]
    )
    np.testing.assert_array_equal(sinus, nan_rows)
    # mid-January (day 15): 10 - 12 = -2 degC
    assert sinus[0, 15 * 24] == pytest.approx(-2.0)
