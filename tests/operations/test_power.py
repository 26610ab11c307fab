"""The power chain against hand calculations (DESIGN.md baseline equations)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.operations.power import energy_mwh, facility_power_mw, it_power_mw, pue_climate

HOURS_2025 = 8760  # 2025 is not a leap year


def test_minimal_scenario_energy_matches_design_hand_calculation(minimal):
    ds = sim.run(sim.load_scenario(minimal))
    # DESIGN.md: 1 EFLOPS / 989 TFLOPS x 700 W = 0.7078 MW of IT power, 6.20 GWh a year.
    it_mw = 1e18 / 989e12 * 700 / 1e6
    assert it_mw == pytest.approx(0.7078, abs=1e-4)
    assert ds.sizes["time"] == HOURS_2025
    assert float(ds["it_power_mw"].max()) == pytest.approx(it_mw, rel=1e-12)
    assert float(ds["energy_mwh"].sum()) / 1e3 == pytest.approx(6.20, abs=0.005)  # GWh
    summary = sim.summarize(ds)
    assert float(summary["energy_twh"].sel(cluster="site-a", year=2025)) == pytest.approx(
        it_mw * HOURS_2025 / 1e6, rel=1e-12
    )
    assert float(summary["peak_facility_power_mw"][0, 0]) == pytest.approx(it_mw, rel=1e-12)
    assert float(summary["capacity_eflops"][0, 0]) == pytest.approx(1.0)


def test_shipped_minimal_file_is_the_design_scenario(minimal):
    from tests.conftest import SCENARIOS

    from_file = sim.run(sim.load_scenario(SCENARIOS / "minimal.yaml"))
    from_mapping = sim.run(sim.load_scenario(minimal))
    assert float(from_file["energy_mwh"].sum()) == float(from_mapping["energy_mwh"].sum())


def test_idle_power_and_utilisation(minimal):
    minimal["clusters"]["site-a"]["utilization"] = 0.5
    minimal["clusters"]["site-a"]["idle_power"] = 0.2
    ds = sim.run(sim.load_scenario(minimal))
    # P = 0.7078 MW x (0.2 + 0.8 x 0.5) = 0.7078 x 0.6
    expected = 1e18 / 989e12 * 700 / 1e6 * 0.6
    assert float(ds["it_power_mw"][0, 0]) == pytest.approx(expected, rel=1e-12)


def test_pue_and_step_scale_energy(minimal):
    minimal["clusters"]["site-a"]["pue"] = 1.3
    minimal["horizon"]["step"] = "1D"
    ds = sim.run(sim.load_scenario(minimal))
    assert ds.sizes["time"] == 365
    # 0.70779 MW x 1.3 x 24 h per daily step
    assert float(ds["energy_mwh"][0, 0]) == pytest.approx(1e18 / 989e12 * 700 / 1e6 * 1.3 * 24)
    # 6.2002 GWh x 1.3 = 8.0603 GWh over the year, whatever the step
    assert float(ds["energy_mwh"].sum()) / 1e3 == pytest.approx(8.0603, abs=1e-3)


def test_hourly_utilisation_profile_daily_mean(minimal):
    profile = [0.0] * 12 + [1.0] * 12  # busy from noon to midnight: daily mean 0.5
    minimal["clusters"]["site-a"]["utilization"] = profile
    hourly = sim.run(sim.load_scenario(minimal))
    assert float(hourly["utilization"][0, 11]) == 0.0  # 11:00 local
    assert float(hourly["utilization"][0, 12]) == 1.0  # 12:00 local
    minimal["horizon"]["step"] = "1D"
    daily = sim.run(sim.load_scenario(minimal))
    assert float(daily["utilization"][0, 0]) == pytest.approx(0.5)
    # the year's energy is the same at either step: 0.7078 MW x 0.5 x 8760 h
    assert float(daily["energy_mwh"].sum()) == pytest.approx(float(hourly["energy_mwh"].sum()))


def test_kernels_by_hand():
    nameplate = np.array([[100.0, 200.0]])
    it = it_power_mw(nameplate, np.array([[0.5, 1.0]]), 0.2)
    np.testing.assert_allclose(it, [[100 * 0.6, 200 * 1.0]])  # 0.2 + 0.8 x 0.5 = 0.6
    fac = facility_power_mw(it, 1.5)
    np.testing.assert_allclose(fac, [[90.0, 300.0]])
    np.testing.assert_allclose(energy_mwh(fac, 2.0), [[180.0, 600.0]])


def test_pue_climate_model_by_hand():
    # base 1.1, free cooling below 15 degC, +0.01 per K, at most 1.3
    t = np.array([-10.0, 15.0, 25.0, 45.0])
    np.testing.assert_allclose(pue_climate(t, 1.1, 15.0, 0.01, 1.3), [1.1, 1.1, 1.2, 1.3])


def test_climate_pue_in_a_run_is_seeded_and_bounded(minimal):
    minimal["clusters"]["site-a"]["pue"] = {
        "model": "climate",
        "base": 1.1,
        "free_cooling_below": "15 degC",
        "slope": 0.02,
        "max": 1.4,
    }
    minimal["clusters"]["site-a"]["climate"] = {"mean": "17 degC", "annual_amplitude": "12 K"}
    a = sim.run(sim.load_scenario(minimal))
    b = sim.run(sim.load_scenario(minimal))
    minimal["seed"] = 1
    c = sim.run(sim.load_scenario(minimal))
    np.testing.assert_array_equal(a["pue"].values, b["pue"].values)
    assert not np.array_equal(a["pue"].values, c["pue"].values)
    assert float(a["pue"].min()) == pytest.approx(1.1)  # winter: full free cooling
    assert float(a["pue"].max()) <= 1.4
    temp = a["ambient_temperature_c"].sel(cluster="site-a")
    july = float(temp.sel(time="2025-07").mean())
    january = float(temp.sel(time="2025-01").mean())
    # annual cycle 17 +/- 12 degC: July ~29, January ~5 (weather noise 2 K, averaged over a month)
    assert july == pytest.approx(29.0, abs=2.5)
    assert january == pytest.approx(5.0, abs=2.5)
