"""Sweeps: grid equals separate runs, seeds and executors, kill and resume, Sobol, bad specs."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
from sim.cli import main
from sim.results.summary import SUMMARY_VARIABLES
from sim.sweeps.execute import _spawn_without_main
from sim.sweeps.spec import load_sweep
from sim.sweeps.stats import quantiles, sobol_indices
from sim.sweeps.store import committed_chunks, open_store
from tests.conftest import MINIMAL, ROOT

# The minimal scenario's year (DESIGN.md): 1 EFLOPS / 989 TFLOPS x 700 W = 0.707786 MW of
# IT power, x 8760 h = 6.20021 GWh at PUE 1 and full utilisation.
MINIMAL_IT_MW = 1e18 / 989e12 * 700 / 1e6
MINIMAL_TWH = MINIMAL_IT_MW * 8760 / 1e6


def _two_sites(tmp_path: Path) -> Path:
    """Minimal plus a second site with a climate PUE and a daily profile, over two years."""
    raw = copy.deepcopy(MINIMAL)
    raw["horizon"]["end"] = "2026-12-31"
    raw["seed"] = 11
    raw["clusters"]["site-b"] = {
        "location": {"lat": 38.0, "lon": 106.0},
        "fleet": {
            "precision": "fp16",
            "hardware": {"gpu-a": 1.0},
            "capacity": {"2025-01-01": "0.5 EFLOPS", "2026-12-31": "2 EFLOPS"},
        },
        "utilization": [0.4 + 0.02 * h for h in range(24)],
        "idle_power": 0.2,
        "pue": {"model": "climate", "base": 1.1, "slope": 0.02, "max": 1.4},
    }
    path = tmp_path / "two_sites.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _write(tmp_path: Path, name: str, spec: dict) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


def _mc_spec(base: Path, seed: int = 5, samples: int = 12, chunk: int = 4) -> dict:
    return {
        "name": "mc",
        "base": str(base),
        "method": "monte_carlo",
        "samples": samples,
        "seed": seed,
        "chunk_size": chunk,
        "parameters": {
            "clusters.site-a.pue": {"distribution": "normal", "mean": 1.3, "std": 0.1, "min": 1.0},
            "clusters.site-b.pue.base": {"distribution": "uniform", "low": 1.05, "high": 1.2},
            "clusters.site-b.utilization": {
                "mode": "scale",
                "distribution": "triangular",
                "low": 0.7,
                "mode_value": 1.0,
                "high": 1.1,  # the profile peaks at 0.86: x 1.1 stays <= 1
            },
            "clusters.site-b.fleet.capacity.2026-12-31": {
                "mode": "scale",
                "distribution": "lognormal",
                "median": 1.0,
                "sigma": 0.3,
            },
        },
        "outputs": {"hourly_samples": 1},
    }


def _assert_same(a, b):
    assert set(a.data_vars) == set(b.data_vars)
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)
    for c in a.coords:
        np.testing.assert_array_equal(a[c].values, b[c].values, err_msg=c)


def test_grid_2x2_equals_four_separate_runs(tmp_path):
    base = _two_sites(tmp_path)
    spec = {
        "base": str(base),
        "method": "grid",
        "chunk_size": 3,  # chunks of 3 and 1: a chunk boundary inside the grid
        # one kernel parameter (a constant PUE) and one structural (a fleet capacity point)
        "parameters": {
            "clusters.site-a.pue": {"values": [1.2, 1.4]},
            "clusters.site-b.fleet.capacity.2026-12-31": {"values": ["2 EFLOPS", "3 EFLOPS"]},
        },
        "outputs": {"hourly_samples": 4},
    }
    ds = sim.sweep(spec)
    assert ds.sizes["sample"] == 4
    expected_pairs = [(1.2, "2 EFLOPS"), (1.2, "3 EFLOPS"), (1.4, "2 EFLOPS"), (1.4, "3 EFLOPS")]
    for i, (pue, cap) in enumerate(expected_pairs):
        assert float(ds["clusters.site-a.pue"][i]) == pue
        assert str(ds["clusters.site-b.fleet.capacity.2026-12-31"].values[i]) == cap
        overrides = {"clusters.site-a.pue": pue, "clusters.site-b.fleet.capacity.2026-12-31": cap}
        run = sim.run(sim.load_scenario(base, overrides=overrides))
        summary = sim.summarize(run)
        for v in SUMMARY_VARIABLES:  # what a sweep keeps (by-kind summaries are not swept)
            np.testing.assert_array_equal(ds[v].values[i], summary[v].values, err_msg=v)
        np.testing.assert_array_equal(
            ds["facility_power_mw_hourly"].values[i], run["facility_power_mw"].values
        )
    # hand check: site-a is the DESIGN.md minimal site; 2025 energy = 6.20021 GWh x PUE
    np.testing.assert_allclose(
        ds["energy_twh"].sel(cluster="site-a", year=2025).values,
        [MINIMAL_TWH * 1.2] * 2 + [MINIMAL_TWH * 1.4] * 2,
        rtol=1e-12,
    )


def test_quantiles_of_a_grid_by_hand():
    spec = {
        "base": str(ROOT / "scenarios" / "minimal.yaml"),
        "method": "grid",
        "parameters": {
            "clusters.site-a.pue": {"values": [1.2, 1.4]},
            "clusters.site-a.utilization": {"values": [0.5, 1.0]},
        },
        "outputs": {"quantiles": [0.5]},
    }
    ds = sim.sweep(spec)
    q = quantiles(ds)
    # energies 6.20021 GWh x {0.6, 0.7, 1.2, 1.4}; the median of four is the mean of the
    # middle two: 6.20021 x (0.7 + 1.2) / 2 = 5.89020 GWh
    assert float(q["energy_twh_total"].sel(quantile=0.5, year=2025)) == pytest.approx(
        MINIMAL_TWH * 0.95, rel=1e-12
    )


def test_same_seed_same_results_on_every_executor_and_other_seeds_differ(tmp_path):
    base = _two_sites(tmp_path)
    spec = load_sweep(_mc_spec(base))
    serial = sim.sweep(spec)
    processes = sim.sweep(spec, tmp_path / "p.zarr", executor="processes", workers=2)
    # a real Dask LocalCluster, 2 worker processes on loopback, used by its address
    # (the --scheduler path; --workers N starts the same kind of cluster itself)
    from dask.distributed import LocalCluster

    # (spawned workers must not re-import this process's __main__: under pytest it
    # may be a Streamlit app left by the app tests)
    with (
        _spawn_without_main(),
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
    ):
        dask = sim.sweep(spec, tmp_path / "d.zarr", scheduler=cluster.scheduler_address)
    _assert_same(serial, processes)
    _assert_same(serial, dask)
    assert not np.isnan(serial["energy_twh"].values).any()
    other = sim.sweep(load_sweep(_mc_spec(base, seed=6)))
    assert not np.array_equal(serial["energy_twh"].values, other["energy_twh"].values)
    assert not np.array_equal(
        serial["clusters.site-a.pue"].values, other["clusters.site-a.pue"].values
    )
    # truncation: every normal draw respects min 1.0
    assert serial["clusters.site-a.pue"].values.min() >= 1.0


def test_kill_and_resume_gives_the_uninterrupted_result(tmp_path):
    base = _two_sites(tmp_path)
    spec_file = _write(tmp_path, "mc.yaml", _mc_spec(base, samples=240, chunk=4))
    store = tmp_path / "killed.zarr"
    cmd = [sys.executable, "-m", "sim", "sweep", str(spec_file), "--out", str(store)]
    proc = subprocess.Popen([*cmd, "--serial", "--no-progress"], cwd=ROOT)
    deadline = time.monotonic() + 60
    while len(committed_chunks(store)) < 3 and time.monotonic() < deadline:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = committed_chunks(store)
    assert 3 <= len(done) < 60, "killed mid-run"
    assert not open_store(store).attrs["complete"]

    # without --resume an existing store is a user error
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr

    resumed = subprocess.run(
        [*cmd, "--resume", "--workers", "2", "--no-progress"],  # a Dask LocalCluster
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    ds = open_store(store).load()
    assert ds.attrs["complete"]
    assert committed_chunks(store) == set(range(60))
    np.testing.assert_array_equal(ds["sample"].values, np.arange(240))  # no duplicates
    _assert_same(sim.sweep(load_sweep(spec_file)), ds.drop_attrs())


def test_resume_with_a_changed_spec_is_refused(tmp_path):
    base = _two_sites(tmp_path)
    store = tmp_path / "s.zarr"
    sim.sweep(load_sweep(_mc_spec(base)), store)
    with pytest.raises(sim.ScenarioError, match="different sweep spec"):
        sim.sweep(load_sweep(_mc_spec(base, seed=99)), store, resume=True)


# Ishigami function, a = 7, b = 0.1, x_i ~ U(-pi, pi): analytic Sobol indices
# (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, Wiley; the SALib
# documentation's Ishigami example). With V1 = (1 + b pi^4 / 5)^2 / 2 = 4.3459,
# V2 = a^2 / 8 = 6.125, V13 = b^2 pi^8 (1/18 - 1/50) = 3.3737, V = 13.8446:
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def test_sobol_indices_of_ishigami_through_the_sweep_machinery(tmp_path):
    uniform = {"distribution": "uniform", "low": -np.pi, "high": np.pi}
    spec = {
        "name": "ishigami",
        "model": "ishigami",
        "method": "sobol",
        "samples": 4096,  # x (3 + 2) = 20480 evaluations
        "seed": 1,
        "chunk_size": 4096,
        "parameters": {"x1": uniform, "x2": uniform, "x3": uniform},
    }
    store = tmp_path / "ishigami.zarr"
    ds = sim.sweep(spec, store, executor="processes", workers=2)
    si = sobol_indices(ds)
    np.testing.assert_allclose(si["S1"].values, ISHIGAMI_S1, atol=0.03)
    np.testing.assert_allclose(si["ST"].values, ISHIGAMI_ST, atol=0.03)
    out = subprocess.run(
        [sys.executable, "-m", "sim", "report", str(store)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "Sobol indices" in out.stdout and "x1" in out.stdout
    assert (tmp_path / "ishigami_tornado.png").stat().st_size > 1000


def test_sweep_and_report_cli_on_a_shipped_style_spec(tmp_path):
    base = _two_sites(tmp_path)
    spec_file = _write(tmp_path, "mc.yaml", _mc_spec(base))
    store = tmp_path / "mc.zarr"
    run = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(spec_file), "--out", str(store), "--serial"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "p50" in run.stdout and "chunk" in run.stderr  # table, and the progress bar
    rep = subprocess.run(
        [sys.executable, "-m", "sim", "report", str(store), "--out", str(tmp_path / "charts")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert rep.returncode == 0, rep.stderr
    assert "Spearman" in rep.stdout
    for png in ("mc_fan.png", "mc_tornado.png"):
        assert (tmp_path / "charts" / png).stat().st_size > 1000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parameters": {"clusters.nowhere.pue": {"values": [1.2]}}}, "parameters.clusters"),
        (
            {"parameters": {"clusters.site-a.pue": {"distribution": "uniform", "low": 1.1}}},
            "parameters.clusters.site-a.pue.high",
        ),
        ({"samples": 0}, "samples"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"method": "latin"}, "method"),
        (
            {"parameters": {"clusters.site-a.pue": {"distribution": "gamma", "k": 1}}},
            "parameters.clusters.site-a.pue",
        ),
        (
            {
                "parameters": {
                    "clusters.site-a.pue": {"distribution": "uniform", "low": 0.5, "high": 1.2}
                }
            },
            "parameters.clusters.site-a.pue",
        ),
        ({"outputs": {"variables": ["energy_gwh"]}}, "outputs.variables.0"),
    ],
)
def test_bad_specs_exit_2_naming_file_and_field(tmp_path, capsys, change, field):
    spec = {
        "base": str(ROOT / "scenarios" / "minimal.yaml"),
        "method": "monte_carlo",
        "samples": 4,
        "parameters": {"clusters.site-a.pue": {"distribution": "uniform", "low": 1.1, "high": 1.3}},
    }
    spec.update(change)
    path = _write(tmp_path, "bad.yaml", spec)
    status = main(["sweep", str(path), "--out", str(tmp_path / "x.zarr")])
    err = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err and f"field '{field}" in err
    assert not (tmp_path / "x.zarr").exists()


def test_shipped_zhejiang_sobol_stays_within_hand_bounds():
    ds = sim.sweep(ROOT / "scenarios" / "sweeps" / "zhejiang_sobol.yaml")
    energy = ds["energy_twh"].values[:, 0, 0]
    assert ds.sizes["sample"] == 256 * (5 + 2)
    # E = 18 EFLOPS x share / (989.4 TFLOPS / (700 W x overhead)) x (idle + (1 - idle) u)
    #     x PUE x 8760 h [S41, seed 002]. Lowest corner: share 0.7, overhead 1.2, u 0.6,
    # idle 0.15, PUE 1.1: 10.70 MW x 0.66 x 1.1 x 8760 h = 0.0680 TWh. Highest: share 1,
    # overhead 1.8, u 0.9, idle 0.3, PUE 1.42: 22.92 MW x 0.93 x 1.42 x 8760 h = 0.2652 TWh.
    assert energy.min() >= 0.0680 and energy.max() <= 0.2652
    si = sobol_indices(ds)
    assert (si["ST"].values >= 0).all() and float(si["S1"].sum()) <= 1.05


def test_shipped_edwc_monte_carlo_brackets_the_base_scenario():
    spec = load_sweep(ROOT / "scenarios" / "sweeps" / "edwc_monte_carlo.yaml")
    ds = sim.sweep(spec)
    total = ds["energy_twh"].sum("cluster").sel(year=2030)
    base = sim.summarize(sim.run(sim.load_scenario(spec.raw)))
    base_2030 = float(base["energy_twh"].sum("cluster").sel(year=2030))
    # the distributions centre on the base assumptions (modes 1.0, PUE and idle ranges
    # around the scenario's values): the base lies inside the 5-95 % band
    assert float(total.quantile(0.05)) < base_2030 < float(total.quantile(0.95))
    assert ds["facility_power_mw_hourly"].sizes["hourly_sample"] == 2


def test_scenario_with_dispatch_runs_each_sample_through_sim_run():
    base = ROOT / "scenarios" / "yangtze_delta.yaml"
    fixed = {"horizon.end": "2025-01-07"}  # one week: dispatch solves every hour
    scenario = sim.load_scenario(base, overrides=fixed)
    assert "demand" in scenario.sections
    name = next(n for n, c in scenario.clusters.items() if c.pue.is_constant)
    path = f"clusters.{name}.pue"
    spec = {"base": str(base), "set": fixed, "method": "grid"}
    spec["parameters"] = {path: {"values": [1.2, 1.3]}}
    ds = sim.sweep(spec)
    assert ds.attrs["dispatch"] == 1
    for i, pue in enumerate((1.2, 1.3)):
        summary = sim.summarize(sim.run(sim.load_scenario(base, overrides={**fixed, path: pue})))
        for v in ds.data_vars:
            np.testing.assert_array_equal(ds[v].values[i], summary[v].values, err_msg=v)
    # dispatch: false drops demand, links and dispatch: the utilisation as assumed
    no_dispatch = sim.sweep({**spec, "dispatch": False})
    assert no_dispatch.attrs["dispatch"] == 0
    plain = copy.deepcopy(scenario.raw)
    for key in ("demand", "links", "dispatch"):
        plain.pop(key, None)
    summary = sim.summarize(sim.run(sim.load_scenario(plain, overrides={path: 1.3})))
    np.testing.assert_array_equal(no_dispatch["energy_twh"].values[1], summary["energy_twh"].values)
