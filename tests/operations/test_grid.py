"""Grid supply: solar geometry, renewable profiles, battery, balance, carbon, cost.

Expected values are hand calculations written beside each assertion.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.operations.grid import (
    battery_dispatch,
    clamp_scan,
    clear_sky_ghi_w_per_m2,
    cos_zenith,
    grid_balance,
    pv_profile_pu,
    wind_profile_pu,
)
from sim.scenario.tariffs import time_of_use_price

YEAR = np.datetime64("2025-01-01T00") + np.arange(8760)


def test_cos_zenith_summer_solstice_noon():
    # lat 40 N, lon 120 E (= 15 * UTC+8: no longitude correction), 21 June (day 172).
    # declination = 23.45 sin(2π (284+172)/365) = 23.45° (sin ≈ 0.99999)
    # equation of time (Spencer), B = 2π·171/365: -1.33 min
    # step 12:00-13:00, midpoint 12:30 -> solar time 12.478 h -> ω = 7.17°
    # cos Z = sin40 sin23.45 + cos40 cos23.45 cos7.17
    #       = 0.6428*0.3979 + 0.7660*0.9174*0.99218 = 0.2558 + 0.6973 = 0.9530
    t = np.array(["2025-06-21T12"], dtype="datetime64[h]")
    assert cos_zenith(t, 40.0, 120.0)[0] == pytest.approx(0.9530, abs=1e-3)
    # midnight: sun below the horizon
    t0 = np.array(["2025-06-21T00"], dtype="datetime64[h]")
    assert cos_zenith(t0, 40.0, 120.0)[0] < 0


def test_haurwitz_clear_sky():
    # Haurwitz: 1098 * cosZ * exp(-0.057 / cosZ); cosZ = 1 -> 1098 * 0.94459 = 1037.2 W/m2
    # cosZ = 0.5 -> 1098 * 0.5 * exp(-0.114) = 549 * 0.89226 = 489.8 W/m2; night -> 0
    got = clear_sky_ghi_w_per_m2(np.array([1.0, 0.5, -0.2]))
    np.testing.assert_allclose(got, [1037.2, 489.8, 0.0], atol=0.1)


def test_pv_profile_capacity_factor_night_and_seed():
    # Zhongwei (37.52 N, 105.18 E) [S55]; target capacity factor 0.18 [S53]
    pv = pv_profile_pu(YEAR, 37.52, 105.18, np.random.default_rng(7), 0.3, capacity_factor=0.18)
    assert pv.mean() == pytest.approx(0.18, abs=1e-6)
    assert pv.min() >= 0.0 and pv.max() <= 1.0
    # 02:00 local standard time is night everywhere in China
    assert np.all(pv[2::24] == 0.0)
    again = pv_profile_pu(YEAR, 37.52, 105.18, np.random.default_rng(7), 0.3, capacity_factor=0.18)
    other = pv_profile_pu(YEAR, 37.52, 105.18, np.random.default_rng(8), 0.3, capacity_factor=0.18)
    np.testing.assert_array_equal(pv, again)
    assert not np.array_equal(pv, other)


def test_profiles_memoised_with_the_generator_left_as_computed():
    # a hit returns the same numbers and leaves the generator where a fresh
    # computation leaves it: the next draw equals the uncached run's next draw
    wind_profile_pu.cache_clear()
    fresh = np.random.default_rng(11)
    first = wind_profile_pu(8760, 0.237, fresh)  # [S53]
    after_fresh = fresh.standard_normal()
    again = np.random.default_rng(11)
    second = wind_profile_pu(8760, 0.237, again)
    assert second is first  # served from the memo, not recomputed
    assert again.standard_normal() == after_fresh
    assert not second.flags.writeable
    # a different state or argument is a different profile
    assert not np.array_equal(wind_profile_pu(8760, 0.237, np.random.default_rng(12)), first)
    assert wind_profile_pu(8760, 0.135, np.random.default_rng(11)).mean() == pytest.approx(
        0.135, abs=1e-6
    )


def test_wind_profile_matches_capacity_factor():
    # Inner Mongolia 2013: 2,076 h / 8,760 h = 0.237 [S53]; Gansu 2015: 1,184 h -> 0.135
    wind = wind_profile_pu(8760, [0.237, 0.135], np.random.default_rng(1))
    np.testing.assert_allclose(wind.mean(axis=1), [0.237, 0.135], atol=1e-6)
    assert wind.min() >= 0.0 and wind.max() <= 1.0
    # persistent weather: strong hour-to-hour correlation
    x = wind[0]
    assert np.corrcoef(x[:-1], x[1:])[0, 1] > 0.8


def test_time_of_use_price():
    # peak 1000, flat 650, valley 300 CNY/MWh at the default windows
    p = time_of_use_price(np.arange(24), 650.0, 1000.0, 300.0)
    assert p[3] == 300.0 and p[12] == 650.0 and p[19] == 1000.0
    # 8 peak, 8 valley, 8 flat hours: mean (8*1000 + 8*300 + 8*650) / 24 = 650
    assert p.mean() == pytest.approx(650.0)


def test_clamp_scan_equals_recursion():
    # oracle: the plain recursion x[t] = min(max(x[t-1] + a[t], 0), 5)
    rng = np.random.default_rng(0)
    a = rng.normal(0, 3, (3, 200))
    ref = np.empty_like(a)
    x = np.full(3, 2.0)
    for t in range(a.shape[1]):
        x = np.clip(x + a[:, t], 0.0, 5.0)
        ref[:, t] = x
    np.testing.assert_allclose(clamp_scan(a, 0.0, 5.0, 2.0), ref, atol=1e-12)


def test_battery_hand_calculation():
    # E = 10 MWh, P = 5 MW, round trip 0.81 -> one-way 0.9.
    # surplus 8, 8 then deficit 6, 6, 6 MW. Requests: +0.9*5 = 4.5, +4.5,
    # -5/0.9 = -5.556 (x3). SOC: 4.5, 9.0, 3.444, 0 (clamped), 0 MWh.
    # charge: 4.5/0.9 = 5 MW, 5 MW; discharge: 5.556*0.9 = 5 MW, 3.444*0.9 = 3.1 MW, 0.
    c, d, soc = battery_dispatch([8, 8, 0, 0, 0], [0, 0, 6, 6, 6], 10.0, 5.0, 0.81)
    np.testing.assert_allclose(soc, [4.5, 9.0, 9.0 - 5 / 0.9, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(c, [5.0, 5.0, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(d, [0, 0, 5.0, 3.1, 0.0], atol=1e-9)


def test_grid_balance_constant_profile_carbon_and_cost():
    # Load 100 MW, renewables 30 MW, grid cap 60 MW at 400 CNY/MWh and
    # 0.6 tCO2/MWh, import cap 20 MW at 500 CNY/MWh and 0.5 tCO2/MWh.
    # Deficit 70: grid 60, import 10, shortfall 0.
    # Per hour: carbon 60*0.6 + 10*0.5 = 41 t; cost 60*400 + 10*500 = 29,000 CNY.
    # Over a year (8,760 h): 359,160 tCO2 and 254.04 M CNY.
    n = 8760
    out = grid_balance(
        np.full(n, 100.0),
        np.full(n, 30.0),
        grid_cap_mw=60.0,
        price_cny_per_mwh=400.0,
        intensity_tco2_per_mwh=0.6,
        import_cap_mw=20.0,
        import_price_cny_per_mwh=500.0,
        import_intensity_tco2_per_mwh=0.5,
    )
    assert out["grid_power_mw"][0] == pytest.approx(60.0)
    assert out["import_power_mw"][0] == pytest.approx(10.0)
    assert out["shortfall_mw"].max() == 0.0
    assert out["carbon_tco2"].sum() == pytest.approx(359_160.0)
    assert out["cost_cny"].sum() == pytest.approx(254_040_000.0)


def test_grid_balance_surplus_curtailed_and_shortfall():
    # hour 0: renewables 130 > load 100 -> 30 MW curtailed, renewables used 100, grid 0
    # hour 1: load 100, no renewables, grid cap 60, no import -> shortfall 40 MW
    out = grid_balance([100.0, 100.0], [130.0, 0.0], grid_cap_mw=60.0)
    np.testing.assert_allclose(out["curtailed_mw"], [30.0, 0.0])
    np.testing.assert_allclose(out["renewable_power_mw"], [100.0, 0.0])
    np.testing.assert_allclose(out["grid_power_mw"], [0.0, 60.0])
    np.testing.assert_allclose(out["shortfall_mw"], [0.0, 40.0])


def test_grid_balance_battery_moves_surplus_into_deficit():
    # load 50 MW; renewables 80 then 0 MW; battery 20 MWh / 20 MW, round trip 1.
    # hour 0: surplus 30 -> charge 20, curtail 10; hour 1: deficit 50 -> discharge 20,
    # grid 30 MW at 0.5 t/MWh -> 15 tCO2 in total.
    out = grid_balance(
        [50.0, 50.0],
        [80.0, 0.0],
        intensity_tco2_per_mwh=0.5,
        battery_energy_mwh=20.0,
        battery_power_mw=20.0,
        battery_efficiency=1.0,
    )
    np.testing.assert_allclose(out["curtailed_mw"], [10.0, 0.0])
    np.testing.assert_allclose(out["grid_power_mw"], [0.0, 30.0])
    assert out["carbon_tco2"].sum() == pytest.approx(15.0)


def test_negative_cap_is_an_error():
    with pytest.raises(ValueError, match="grid_cap_mw"):
        grid_balance([1.0], [0.0], grid_cap_mw=-5.0)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_grid_balance_conserves_energy(seed):
    # every MW of load is met by renewables (direct or via battery), grid,
    # imports or shortfall; every MW of renewables is used or curtailed
    rng = np.random.default_rng(seed)
    n = 48
    load = rng.uniform(0, 100, (3, n))
    ren = rng.uniform(0, 120, (3, n))
    out = grid_balance(
        load,
        ren,
        grid_cap_mw=rng.uniform(0, 80, (3, 1)),
        import_cap_mw=rng.uniform(0, 30, (3, 1)),
        battery_energy_mwh=rng.uniform(0, 200, (3, 1)),
        battery_power_mw=rng.uniform(0, 50, (3, 1)),
        battery_efficiency=rng.uniform(0.7, 1.0, (3, 1)),
    )
    direct = out["renewable_power_mw"] - out["battery_charge_mw"]
    supplied = (
        direct
        + out["battery_discharge_mw"]
        + out["grid_power_mw"]
        + out["import_power_mw"]
        + out["shortfall_mw"]
    )
    np.testing.assert_allclose(supplied, load, atol=1e-9)
    np.testing.assert_allclose(out["renewable_power_mw"] + out["curtailed_mw"], ren, atol=1e-9)
    for key in ("grid_power_mw", "import_power_mw", "curtailed_mw", "shortfall_mw"):
        assert out[key].min() >= -1e-12, key
