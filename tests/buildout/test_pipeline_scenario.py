"""Pipeline sections in scenarios, the hand-off to the fleet, and `suanli pipeline`."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.buildout.commission import pipeline_spec, scenario_with_additions
from sim.buildout.pipeline import simulate_pipeline
from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
ZHEJIANG = ROOT / "scenarios" / "zhejiang_supply_shock.yaml"

# One site, 1 EFLOPS of a round accelerator (1000 TFLOPS fp16, 500 W): 1000
# accelerators are 1 EFLOPS and 0.5 MW of IT power.
BASE = {
    "name": "pipeline site",
    "horizon": {"start": "2025-01-01", "end": "2025-12-31", "step": "1D"},
    "reporting_precision": "fp16",
    "hardware": {"gpu": {"peak_flops": {"fp16": "1000 TFLOPS"}, "power": "500 W"}},
    "clusters": {
        "site": {
            "location": {"lat": 30.0, "lon": 120.0},
            "fleet": {
                "precision": "fp16",
                "additions": [
                    {"date": "2024-12-31", "capacity": "1 EFLOPS", "hardware": {"gpu": 1.0}}
                ],
            },
            "utilization": 1.0,
            "idle_power": 0.0,
            "pue": 1.0,
        }
    },
    "supply": {"gpu": {"per_quarter": 0, "initial": 1000, "price": "100000 CNY"}},
    "grid_connections": {"east": {"rate": "12 MW/year", "initial": "10 MW"}},
    "projects": [
        {
            "name": "p",
            "cluster": "site",
            "grid_region": "east",
            "hardware": "gpu",
            "capacity": "1 EFLOPS",
            "announce": "2025-01-01",
            "permit": "30 d",
            "construct": {"dist": "fixed", "value": "100 d"},
            "install": "20 d",
        }
    ],
    "pipeline": {
        "samples": 10,
        "targets": [
            {"name": "on-time", "capacity": "2 EFLOPS", "date": "2025-05-31"},
            {"name": "early", "capacity": "2 EFLOPS", "date": "2025-05-30"},
        ],
    },
}


def test_sections_parse_into_a_spec():
    spec = pipeline_spec(sim.load_scenario(BASE))
    assert spec.baseline_eflops == {"site": pytest.approx(1.0)}
    gpu = spec.hardware["gpu"]
    assert (gpu.peak_tflops, gpu.power_w, gpu.price_cny) == (1000.0, 500.0, 100000.0)
    (p,) = spec.projects
    assert p.permit.params == (30.0,) and p.construct.params == (100.0,)
    assert spec.grid_regions[0].connection_mw_per_year == pytest.approx(12.0)


def test_additions_feed_the_fleet_unchanged():
    # Commissioned on day 30 + 100 + 20 = 150 = 2025-05-31 (as in test_pipeline).
    scenario = sim.load_scenario(BASE)
    adds = simulate_pipeline(pipeline_spec(scenario), np.random.default_rng(0))
    assert [str(a.date) for a in adds] == ["2025-05-31"]
    ds = sim.run(scenario_with_additions(scenario, adds))
    cap = ds["capacity_eflops"].sel(cluster="site")
    # 1 EFLOPS before, 1 + 1 = 2 EFLOPS from 2025-05-31
    assert float(cap.sel(time="2025-05-30")) == pytest.approx(1.0)
    assert float(cap.sel(time="2025-05-31")) == pytest.approx(2.0)
    # IT power at u = 1: 2000 accelerators x 500 W = 1.0 MW
    assert float(ds["it_power_mw"].sel(cluster="site", time="2025-06-01")) == pytest.approx(1.0)


def test_switch_target_from_catalog_reaches_the_fleet():
    # The gpu tranche switches to the catalog's ascend-910b (300 TFLOPS, 310 W,
    # overhead 1.5). Power envelope: 1000 x 500 W x 1.0 = 0.5 MW -> 0.5e6 /
    # (310 x 1.5) = 1075.27 accelerators -> x 300 TFLOPS = 0.32258 EFLOPS.
    raw = copy.deepcopy(BASE)
    raw["supply"] = {"ascend-910b": {"per_quarter": 0, "initial": 5000}}
    raw["shocks"] = [
        {
            "type": "export_control",
            "hardware": "gpu",
            "date": "2025-01-01",
            "supply_cut": 1.0,
            "switch_to": "ascend-910b",
        }
    ]
    scenario = sim.load_scenario(raw)
    (a,) = simulate_pipeline(pipeline_spec(scenario), None)
    assert a.hardware == "ascend-910b"
    assert a.capacity_eflops == pytest.approx(0.5e6 / (310 * 1.5) * 300e12 / 1e18)
    ds = sim.run(scenario_with_additions(scenario, [a]))
    end = float(ds["capacity_eflops"].sel(cluster="site").isel(time=-1))
    assert end == pytest.approx(1.0 + a.capacity_eflops)


def test_cli_pipeline_json_deterministic(tmp_path, capsys):
    import yaml

    f = tmp_path / "site.yaml"
    f.write_text(yaml.safe_dump(BASE))
    assert main(["pipeline", str(f), "--seeds", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_name = {t["target"]: t for t in out["targets"]}
    # fixed durations: 2 EFLOPS on 2025-05-31, only the baseline on 2025-05-30
    assert by_name["on-time"]["probability"] == 1.0
    assert by_name["early"]["probability"] == 0.0
    assert by_name["early"]["p10_p50_p90_eflops"] == pytest.approx([1.0, 1.0, 1.0])
    assert out["year_end_p10_p50_p90_eflops"]["2025"] == pytest.approx([2.0, 2.0, 2.0])
    assert out["samples"] == 5


def test_cli_pipeline_table_and_user_errors(tmp_path, capsys):
    nc = tmp_path / "mc.nc"
    assert main(["pipeline", str(ZHEJIANG), "--seeds", "20", "--out", str(nc)]) == 0
    out = capsys.readouterr().out
    assert "P10" in out and "target zhejiang-2025" in out
    import xarray as xr

    with xr.open_dataset(nc) as ds:
        assert ds.sizes["sample"] == 20
        assert ds["capacity_online_eflops"].attrs["units"] == "EFLOPS"
    assert main(["pipeline", str(ZHEJIANG), "--seeds", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--seeds" in err
    assert main(["pipeline", str(ROOT / "scenarios" / "minimal.yaml")]) == 2
    err = capsys.readouterr().err
    assert "minimal.yaml" in err and "projects" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "path, value, field",
    [
        ("projects.0.capacity", "3 MW", "projects.0.capacity"),
        ("projects.0.permit", {"dist": "gamma", "k": 1}, "projects.0.permit.dist"),
        ("projects.0.cluster", "mars", "projects.0.cluster"),
        ("grid_connections.east.rate", "5 MWh", "grid_connections.east.rate"),
        ("supply.gpu.per_quarter", -1, "supply.gpu.per_quarter"),
        ("shocks", [{"type": "embargo"}], "shocks.0.type"),
        ("pipeline.samples", 0, "pipeline.samples"),
    ],
)
def test_bad_input_names_file_and_field(tmp_path, path, value, field):
    import yaml

    raw = copy.deepcopy(BASE)
    node = raw
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(raw))
    with pytest.raises(sim.ScenarioError) as err:
        pipeline_spec(sim.load_scenario(f))
    assert err.value.field == field
    assert "bad.yaml" in str(err.value)


def test_unknown_grid_region_names_file_and_field(tmp_path):
    import yaml

    raw = copy.deepcopy(BASE)
    raw["projects"][0]["grid_region"] = "west"
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(raw))
    with pytest.raises(sim.ScenarioError) as err:
        pipeline_spec(sim.load_scenario(f))
    assert err.value.field == "projects.0.grid_region"
    assert "bad.yaml" in str(err.value)


def test_shipped_zhejiang_scenario():
    from sim.buildout.pipeline import monte_carlo_summary, run_monte_carlo

    def prob(variant):
        s = sim.load_scenario(ZHEJIANG, variant=variant)
        ds = run_monte_carlo(pipeline_spec(s), s.seed, 100)
        return float(monte_carlo_summary(ds)["target_probability"].sel(target="zhejiang-2025"))

    shock, calm, share = prob(None), prob("no-shock"), prob("intelligent-share")
    # The shock only withholds supply and swaps to a less efficient accelerator
    # (0.645 vs 0.942 TFLOPS/W at node level), so it cannot raise the odds.
    assert shock <= calm
    # 26.24 EFLOPS of stock + at most 22 EFLOPS of projects = 48.24 < 100.
    assert share == 0.0
    # The fleet alone (no pipeline) runs through layer 2: 82 EFLOPS all along.
    s = sim.load_scenario(ZHEJIANG, overrides={"horizon.step": "1D"})
    ds = sim.run(s)
    assert float(ds["capacity_eflops"].isel(time=-1).sum()) == pytest.approx(82.0)


def test_capacity_plan_expands_into_projects():
    # 5 EFLOPS in projects of 2 EFLOPS: ceil(5 / 2) = 3 projects of 2, 2 and 1
    # EFLOPS, announced evenly over 2025-01-01 .. 2025-01-31 (30 days): days
    # 0, 15 and 30.
    raw = copy.deepcopy(BASE)
    raw["projects"] = [
        {
            "plan": "wave",
            "cluster": "site",
            "grid_region": "east",
            "hardware": "gpu",
            "capacity": "5 EFLOPS",
            "project_size": "2 EFLOPS",
            "announce": {"from": "2025-01-01", "to": "2025-01-31"},
            "construct": "60 d",
        },
        {**BASE["projects"][0], "name": "wave-2"},
    ]
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(raw)
    assert err.value.field == "projects.1.name"  # clashes with the plan's second project
    raw["projects"].pop()
    spec = pipeline_spec(sim.load_scenario(raw))
    assert [p.name for p in spec.projects] == ["wave-1", "wave-2", "wave-3"]
    assert [p.capacity_eflops for p in spec.projects] == pytest.approx([2.0, 2.0, 1.0])
    assert [str(p.announce) for p in spec.projects] == ["2025-01-01", "2025-01-16", "2025-01-31"]
    assert all(p.construct.params == (60.0,) for p in spec.projects)
