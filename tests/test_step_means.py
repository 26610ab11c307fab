"""Step means, not step starts: capacity and temperature of a long step are averaged over
the step, so a daily step gives the energy of hourly steps."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import sim


def _climate_site(minimal, step: str) -> sim.Scenario:
    raw = copy.deepcopy(minimal)
    raw["horizon"]["step"] = step
    site = raw["clusters"]["site-a"]
    site["location"] = {"lat": 30.26, "lon": 120.19}  # Hangzhou [S55]: table climate
    # free cooling below 15 degC, +0.02 per K above: hot afternoons raise PUE, cool nights not
    site["pue"] = {"model": "climate", "base": 1.1, "free_cooling_below": "15 degC", "slope": 0.02}
    return sim.load_scenario(raw)


def test_daily_step_gives_the_hourly_energy_under_a_climate_pue(minimal):
    hourly = sim.run(_climate_site(minimal, "1h"))
    daily = sim.run(_climate_site(minimal, "1D"))
    e_hourly = float(hourly["energy_mwh"].sum())
    e_daily = float(daily["energy_mwh"].sum())
    # by hand: 0.7078 MW IT (DESIGN.md minimal) x 8760 h = 6,200 MWh at PUE 1; the
    # climate PUE raises it: between PUE 1.1 (all free cooling) and 1.5
    assert 6200 * 1.1 < e_hourly < 6200 * 1.5
    # the criterion: a 1D step within 0.5 % of the hourly annual energy
    assert e_daily == pytest.approx(e_hourly, rel=0.005)
    # the daily temperature is the mean of the day's hours
    day_mean = hourly["ambient_temperature_c"].isel(cluster=0).values.reshape(365, 24).mean(axis=1)
    np.testing.assert_allclose(daily["ambient_temperature_c"].isel(cluster=0).values, day_mean)


def test_start_of_step_sampling_would_miss_it(minimal):
    # the same daily run with the temperature of 00:00 only (the old behaviour) is
    # cooler than the day: its energy falls short of the hourly energy by more than 0.5 %
    hourly = sim.run(_climate_site(minimal, "1h"))
    temp = hourly["ambient_temperature_c"].isel(cluster=0).values.reshape(365, 24)
    pue_midnight = np.minimum(2.0, 1.1 + 0.02 * np.maximum(temp[:, 0] - 15.0, 0.0))
    it_mw = float(hourly["it_power_mw"].isel(cluster=0, time=0))
    e_midnight = float((it_mw * pue_midnight * 24).sum())
    assert e_midnight < 0.995 * float(hourly["energy_mwh"].sum())


def test_capacity_of_a_daily_step_is_its_mean(minimal):
    raw = copy.deepcopy(minimal)
    raw["horizon"] = {"start": "2025-01-01", "end": "2025-01-20", "step": "1D"}
    # 0 to 10 EFLOPS over ten days: 1 EFLOPS a day
    raw["clusters"]["site-a"]["fleet"]["capacity"] = {
        "2025-01-01": "0 EFLOPS",
        "2025-01-11": "10 EFLOPS",
    }
    cap = sim.run(sim.load_scenario(raw))["capacity_eflops"].isel(cluster=0).values
    # day d (d < 10) averages d .. d+1 EFLOPS: d + 0.5; from day 10 on, flat at 10
    np.testing.assert_allclose(cap[:10], np.arange(10) + 0.5)
    np.testing.assert_allclose(cap[10:], 10.0)
