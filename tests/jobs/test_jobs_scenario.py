"""The jobs: scenario section and `suanli jobs`."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

import sim
from sim.cli import main
from sim.jobs.run import run_jobs

ROOT = Path(__file__).resolve().parents[2]
EAST_WEST = ROOT / "scenarios" / "east_west_jobs.yaml"

# One cluster of 1 EFLOPS of a round accelerator (1000 TFLOPS fp16, 500 W,
# node overhead 1.2): the jobs section counts 1000 accelerators of 600 W.
BASE = {
    "name": "jobs site",
    "horizon": {"start": "2025-01-01", "end": "2025-01-31", "step": "1h"},
    "reporting_precision": "fp16",
    "hardware": {
        "gpu": {"peak_flops": {"fp16": "1000 TFLOPS"}, "power": "500 W", "node_overhead": 1.2}
    },
    "clusters": {
        "site": {
            "location": {"lat": 30.0, "lon": 120.0},
            "fleet": {
                "precision": "fp16",
                "hardware": {"gpu": 1.0},
                "capacity": {"2025-01-01": "1 EFLOPS"},
            },
            "utilization": 0.5,
            "idle_power": 0.25,
            "pue": 1.3,
        }
    },
    "jobs": {
        "hours": 48,
        "clusters": {"site": {"carbon": "500 gCO2/kWh"}},
        "classes": {
            "x": {
                "origin": "site",
                "arrivals": "240 1/day",
                "size": {"dist": "lognormal", "median": 20, "sigma": 1.0},
                "accelerators": [1, 8],
                "max_wait": "30 min",
            }
        },
    },
}


def write(tmp_path, raw, name="s.yaml"):
    f = tmp_path / name
    f.write_text(yaml.safe_dump(raw))
    return f


def test_section_takes_cluster_figures_from_the_scenario():
    spec = sim.load_scenario(BASE).sections["jobs"]
    (c,) = spec.clusters
    assert c.accelerators == 1000  # 1 EFLOPS / 1000 TFLOPS
    assert c.power_per_accelerator_w == pytest.approx(600.0)  # 500 W x 1.2
    assert (c.idle_power, c.pue) == (0.25, 1.3)
    assert c.carbon_tco2_per_mwh == pytest.approx((0.5,))  # 500 g/kWh = 0.5 t/MWh
    (k,) = spec.classes
    assert k.arrivals_per_h == pytest.approx(10.0)  # 240 / 24 h
    assert k.max_wait_h == pytest.approx(0.5)
    assert spec.hours == 48.0 and spec.policy == "fifo"


def test_shipped_east_west_section():
    spec = sim.load_scenario(EAST_WEST).sections["jobs"]
    east, west = spec.clusters
    assert (east.accelerators, west.accelerators) == (4096, 8192)
    # catalog H100: 700 W [S41] x node overhead 1.5 [S46a]
    assert east.power_per_accelerator_w == pytest.approx(1050.0)
    # the assumed daily carbon shape keeps the East grid's mean, 0.5617 tCO2/MWh [S50]
    assert sum(east.carbon_tco2_per_mwh) / 24 == pytest.approx(0.5617, abs=1e-9)
    assert spec.latency_ms[0, 1] == spec.latency_ms[1, 0] == 20.0  # [S25]


def test_run_jobs_seeded_and_energy_consistent():
    s = sim.load_scenario(BASE)
    a, b = run_jobs(s), run_jobs(s)
    assert a.identical(b)
    assert not a["utilization"].equals(run_jobs(s, seed=1)["utilization"])
    # energy = N p (idle + (1 - idle) u) PUE per hour; summed over 48 h with the
    # mean utilisation u: 1000 x 600 W x (0.25 + 0.75 u) x 1.3 x 48 h
    u = float(a["mean_utilization"][0])
    e = float(a["energy_mwh"].isel(time=slice(0, 48)).sum())
    assert e == pytest.approx(0.6 * (0.25 + 0.75 * u) * 1.3 * 48, rel=1e-9)


def test_trace_relative_to_scenario_file(tmp_path):
    # The hand-traced FIFO schedule of test_jobs on 4 accelerators:
    # waits 0, 3, 3.5, 3 h -> mean 9.5 / 4 h.
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "t.csv").write_text(
        "submit_h,accelerators,duration_h,job_class\n0,3,4,x\n1,4,1,x\n1.5,1,2,x\n2,1,1,x\n"
    )
    raw = copy.deepcopy(BASE)
    raw["jobs"]["clusters"]["site"]["accelerators"] = 4
    raw["jobs"]["classes"]["x"]["accelerators"] = [1]
    raw["jobs"]["trace"] = "traces/t.csv"
    ds = run_jobs(sim.load_scenario(write(tmp_path, raw)))
    assert float(ds["mean_wait_h"][0]) == pytest.approx(9.5 / 4)
    assert ds.attrs["n_jobs"] == 4


def test_cli_jobs_json_and_table(tmp_path, capsys):
    f = write(tmp_path, BASE)
    assert main(["jobs", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["jobs"] == out["classes"]["x"]["jobs"]
    assert out["policy"] == "fifo"
    assert 0.0 <= out["clusters"]["site"]["mean_utilization"] <= 1.0
    assert main(["jobs", str(f), "--policy", "sjf_backfill", "--out", str(tmp_path / "j.nc")]) == 0
    text = capsys.readouterr().out
    assert "SLA miss" in text and (tmp_path / "j.nc").exists()
    assert main(["jobs", str(EAST_WEST), "--set", "jobs.hours=6", "--variant", "fifo-local"]) == 0
    assert "inference" in capsys.readouterr().out


@pytest.mark.parametrize(
    "path, value, field",
    [
        ("jobs.classes.x.origin", "mars", "jobs.classes.x.origin"),
        ("jobs.classes.x.accelerators", [2000], "jobs.classes.x.accelerators"),
        ("jobs.classes.x.size", {"dist": "weibull"}, "jobs.classes.x.size"),
        ("jobs.classes.x.max_wait", "5 MW", "jobs.classes.x.max_wait"),
        ("jobs.policy", "lifo", "jobs.policy"),
        ("jobs.policy", "fifo+offload", "jobs.latency"),
        ("jobs.clusters.site.carbon", [0.5, 0.5], "jobs.clusters.site.carbon"),
        ("jobs.hours", 0, "jobs.hours"),
    ],
)
def test_bad_input_names_file_and_field(tmp_path, path, value, field):
    raw = copy.deepcopy(BASE)
    node = raw
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    f = write(tmp_path, raw, "bad.yaml")
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(f)
    assert err.value.field == field
    assert "bad.yaml" in str(err.value)


def test_climate_pue_needs_an_explicit_pue(tmp_path):
    raw = copy.deepcopy(BASE)
    raw["clusters"]["site"]["pue"] = {"model": "climate", "base": 1.1}
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(write(tmp_path, raw, "bad.yaml"))
    assert err.value.field == "jobs.clusters.site.pue"
    raw["jobs"]["clusters"]["site"]["pue"] = 1.2
    assert sim.load_scenario(raw).sections["jobs"].clusters[0].pue == 1.2


def test_cli_missing_trace_is_one_line_exit_2(tmp_path, capsys):
    raw = copy.deepcopy(BASE)
    raw["jobs"]["trace"] = "nowhere.csv"
    f = write(tmp_path, raw)
    assert main(["jobs", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "jobs.trace" in err and "nowhere.csv" in err
    assert main(["jobs", str(ROOT / "scenarios" / "minimal.yaml")]) == 2
    assert "no jobs" in capsys.readouterr().err


def test_cli_trace_with_a_class_without_jobs(tmp_path, capsys):
    # Class y has no job in the trace: its waits are undefined and print as '-'
    # (it crashed formatting None). The one job of x (8 of 1000 accelerators free)
    # starts on arrival under FIFO: every wait is 0 h.
    raw = copy.deepcopy(BASE)
    raw["jobs"]["classes"]["y"] = {**raw["jobs"]["classes"]["x"]}
    f = write(tmp_path, raw)
    trace = tmp_path / "t.csv"
    trace.write_text("submit_h,accelerators,duration_h,job_class\n1.0,8,2.0,x\n")
    assert main(["jobs", str(f), "--trace", str(trace), "--policy", "fifo"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}
    assert rows["x"][:2] == ["1", "0"]  # 1 job, mean wait 0 h
    assert rows["y"] == ["0", "-", "-", "-", "-", "-", "0"]  # jobs, mean/P50/P90/P99, SLA, off
    assert "1 job over 48 h (jobs.hours; the scenario horizon has 744 h)" in out  # 31 x 24 h


def test_jobs_hours_default_to_the_horizon():
    raw = copy.deepcopy(BASE)
    del raw["jobs"]["hours"]
    assert sim.load_scenario(raw).sections["jobs"].hours == 31 * 24  # January 2025
