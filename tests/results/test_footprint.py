"""Water (sim.water) and embodied carbon (sim.embodied): hand calculations on one site."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.results.summary import footprint_table
from sim.results.water import wue_climate

# The minimal scenario's IT power: 1 EFLOPS / 989 TFLOPS x 700 W = 0.707786 MW (DESIGN.md),
# over 8,760 h: 6,200.2 MWh of IT energy (PUE 1, so also facility energy).
IT_MW = 1e18 / 989e12 * 700 / 1e6
IT_MWH = IT_MW * 8760
# 1 EFLOPS of gpu-a = 1e18 / 989e12 = 1,011.12 accelerators
GPUS_PER_EFLOPS = 1e18 / 989e12


def test_constant_wue_times_it_energy(minimal):
    minimal["clusters"]["site-a"]["water"] = {"wue": "1.8 L/kWh", "upstream": "1.2 L/kWh"}
    ds = sim.run(sim.load_scenario(minimal))
    summary = sim.summarize(ds)
    # 1.8 L/kWh x 6,200.2 MWh = 1.8 x 6,200,204 kWh = 11,160,367 L = 11,160.4 m3
    assert float(summary["water_site_m3"].sum()) == pytest.approx(1.8 * 6200.204, rel=1e-5)
    # no grid section: all facility energy is drawn from the grid: 1.2 x 6,200.2 = 7,440.2 m3
    assert float(summary["water_upstream_m3"].sum()) == pytest.approx(1.2 * 6200.204, rel=1e-5)
    assert float(summary["water_m3"].sum()) == pytest.approx(3.0 * 6200.204, rel=1e-5)
    assert ds["water_site_m3"].attrs["units"] == "m3"
    assert ds["water_site_m3"].attrs["long_name"]
    table = footprint_table(summary)
    # 11,160.4 m3 = 11.160 thousand m3 in the table
    assert "11.160" in table and "7.440" in table


def test_upstream_water_counts_grid_draw_only(minimal):
    # a PV plant covering part of the load: upstream water follows grid draw, not facility energy
    site = minimal["clusters"]["site-a"]
    site["water"] = {"wue": 0, "upstream": "2 L/kWh"}
    site["grid"] = {"carbon_intensity": "0.5 tCO2/MWh", "pv": {"capacity": "0.5 MW"}}
    ds = sim.run(sim.load_scenario(minimal))
    grid_mwh = float((ds["grid_power_mw"] + ds["import_power_mw"]).sum()) * 1.0  # 1 h steps
    assert grid_mwh < IT_MWH  # PV covered some energy
    # 2 L/kWh x grid MWh = 2 x grid MWh m3
    assert float(ds["water_upstream_m3"].sum()) == pytest.approx(2 * grid_mwh, rel=1e-9)
    assert float(ds["water_site_m3"].sum()) == 0.0


def test_wue_climate_kernel():
    # base 0.2 L/kWh below 15 degC; +0.1 L/kWh per K above; capped at 2 L/kWh
    # 10 degC: 0.2; 20 degC: 0.2 + 0.1 x 5 = 0.7; 40 degC: 0.2 + 2.5 = 2.7 -> cap 2.0
    got = wue_climate(np.array([10.0, 20.0, 40.0]), 0.2, 15.0, 0.1, 2.0)
    np.testing.assert_allclose(got, [0.2, 0.7, 2.0])


def test_climate_wue_free_cooling_uses_no_water(minimal):
    site = minimal["clusters"]["site-a"]
    site["pue"] = {"model": "climate", "base": 1.1, "free_cooling_below": "15 degC"}
    # threshold far above any Hangzhou temperature: free cooling all year, base 0
    site["water"] = {"wue": {"model": "climate", "free_cooling_below": "60 degC", "slope": 0.5}}
    ds = sim.run(sim.load_scenario(minimal))
    assert float(ds["water_site_m3"].sum()) == 0.0
    # threshold below every temperature, slope 0.1 L/kWh/K: WUE = 0.1 x (T + 100) on every step
    site["water"] = {"wue": {"model": "climate", "free_cooling_below": "-100 degC", "slope": 0.1}}
    ds = sim.run(sim.load_scenario(minimal))
    t = ds["ambient_temperature_c"].values
    expected = (0.1 * (t + 100.0) * ds["it_power_mw"].values).sum()  # L/kWh x MWh = m3
    assert float(ds["water_site_m3"].sum()) == pytest.approx(expected, rel=1e-12)


def test_climate_wue_needs_climate_pue(minimal):
    minimal["clusters"]["site-a"]["water"] = {"wue": {"model": "climate", "slope": 0.1}}
    with pytest.raises(sim.ScenarioError, match=r"water\.wue\.model"):
        sim.load_scenario(minimal)


def test_embodied_carbon_of_one_cohort(minimal):
    minimal["hardware"]["gpu-a"]["embodied_carbon"] = "1500 kgCO2e"
    minimal["clusters"]["site-a"]["fleet"] = {
        "precision": "fp16",
        "additions": [{"date": "2025-03-01", "capacity": "1 EFLOPS", "hardware": {"gpu-a": 1}}],
    }
    ds = sim.run(sim.load_scenario(minimal))
    booked = ds["embodied_carbon_tco2"].sel(cluster="site-a")
    # 1,011.12 accelerators x 1.5 tCO2e = 1,516.68 tCO2e, all booked on 2025-03-01
    assert float(booked.sum()) == pytest.approx(GPUS_PER_EFLOPS * 1.5, rel=1e-9)
    assert float(booked.sel(time="2025-03-01T00:00")) == pytest.approx(1516.68, abs=0.01)
    assert float(booked.sel(time=slice("2025-01-01", "2025-02-28")).sum()) == 0.0
    assert booked.attrs["accounting"] == "commissioning"


def test_embodied_carbon_refresh_books_the_replacement(minimal):
    minimal["horizon"] = {"start": "2025-01-01", "end": "2030-12-31", "step": "1D"}
    minimal["hardware"]["gpu-a"].update(embodied_carbon="1500 kgCO2e", lifetime="3 year")
    minimal["clusters"]["site-a"]["fleet"] = {
        "precision": "fp16",
        "additions": [
            {"date": "2025-06-01", "capacity": "1 EFLOPS", "hardware": {"gpu-a": 1}},
            {"date": "2028-07-01", "capacity": "1 EFLOPS", "hardware": {"gpu-a": 1}},
        ],
    }
    summary = sim.summarize(sim.run(sim.load_scenario(minimal)))
    # two cohorts of 1,011.12 accelerators: 1,516.68 tCO2e in 2025 and again in 2028
    per_year = summary["embodied_carbon_tco2"].sel(cluster="site-a")
    assert float(per_year.sel(year=2025)) == pytest.approx(1516.68, abs=0.01)
    assert float(per_year.sel(year=2028)) == pytest.approx(1516.68, abs=0.01)
    assert float(per_year.sum()) == pytest.approx(2 * 1516.68, abs=0.02)


def test_embodied_carbon_amortized(minimal):
    minimal["hardware"]["gpu-a"].update(embodied_carbon="1500 kgCO2e", lifetime="5 year")
    minimal["embodied"] = {"accounting": "amortized"}
    minimal["clusters"]["site-a"]["grid"] = {"carbon_intensity": "0.5 tCO2/MWh"}
    summary = sim.summarize(sim.run(sim.load_scenario(minimal)))
    # 1,516.68 tCO2e over 5 Julian years (43,830 h), 8,760 h in service: 303.13 tCO2e
    embodied = 1516.68 * 8760 / (5 * 8766)
    assert float(summary["embodied_carbon_tco2"].sum()) == pytest.approx(embodied, rel=1e-5)
    # operational 0.5 tCO2/MWh x 6,200.2 MWh = 3,100.1 t; total = 3,100.1 + 303.13
    assert float(summary["total_carbon_tco2"].sum()) == pytest.approx(
        0.5 * 6200.204 + embodied, rel=1e-5
    )


def test_embodied_carbon_needs_power_per_unit(minimal):
    minimal["hardware"]["hpc-a"]["embodied_carbon"] = "1000 kgCO2e"
    with pytest.raises(sim.ScenarioError, match=r"hardware\.hpc-a\.embodied_carbon"):
        sim.load_scenario(minimal)


def test_no_footprint_sections_add_nothing(minimal):
    summary = sim.summarize(sim.run(sim.load_scenario(minimal)))
    assert "water_m3" not in summary and "embodied_carbon_tco2" not in summary
    assert footprint_table(summary) == ""


def test_compare_water_and_embodied_columns(minimal, tmp_path):
    import json

    import yaml

    from tests.test_cli import suanli

    minimal["hardware"]["gpu-a"]["embodied_carbon"] = "1500 kgCO2e"
    minimal["clusters"]["site-a"]["water"] = {"wue": "1.8 L/kWh", "upstream": "1.2 L/kWh"}
    minimal["clusters"]["site-a"]["fleet"] = {
        "precision": "fp16",
        "additions": [{"date": "2025-01-02", "capacity": "1 EFLOPS", "hardware": {"gpu-a": 1}}],
    }
    minimal["variants"] = {"dry-cooled": {"set": {"clusters.site-a.water.wue": 0}}}
    path = tmp_path / "footprint.yaml"
    path.write_text(yaml.safe_dump(minimal))
    proc = suanli("compare", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["variant"]: r for r in json.loads(proc.stdout)}
    # in service from 2 January: 364 d x 24 h x 0.707786 MW = 6,183.2 MWh of IT energy;
    # (1.8 + 1.2) L/kWh x 6,183.2 MWh = 18,549.6 m3; dry-cooled: 1.2 x 6,183.2 = 7,419.8 m3
    assert rows["(base)"]["water_mm3"] == pytest.approx(0.0185496, rel=1e-4)
    assert rows["dry-cooled"]["water_mm3"] == pytest.approx(0.0074198, rel=1e-4)
    # one cohort of 1,011.12 accelerators x 1.5 t commissioned on 2 January: 1,516.68 t
    assert rows["(base)"]["embodied_carbon_mt"] == pytest.approx(1516.68e-6, rel=1e-4)
