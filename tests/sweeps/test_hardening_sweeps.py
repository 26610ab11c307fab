"""Issue 15, sweeps: stores we did not write are never deleted or trusted, reports
count committed samples, workers die with their driver, and a Dask sweep that
loses every worker once still finishes with identical results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import psutil
import pytest

import sim
from sim.cli import main
from sim.results.io import write_atomic
from sim.scenario.errors import ScenarioError
from sim.sweeps.execute import _spawn_without_main
from sim.sweeps.spec import load_sweep
from sim.sweeps.store import committed_chunks
from tests.conftest import ROOT, SCENARIOS
from tests.sweeps.test_sweep import _assert_same, _mc_spec, _two_sites, _write


def _grid(tmp_path, values=(1.0, 1.5)):
    return {
        "name": "pue grid",
        "base": str(SCENARIOS / "minimal.yaml"),
        "method": "grid",
        "chunk_size": 1,
        "parameters": {"clusters.site-a.pue": {"values": list(values)}},
    }


@pytest.fixture
def store(tmp_path):
    """A complete two-sample grid store written by sim.sweep."""
    path = tmp_path / "grid.zarr"
    sim.sweep(_grid(tmp_path), path)
    return path


# ---------------------------------------------------------------------------
# Nothing destroyed that we did not write


def test_overwrite_refuses_a_folder_that_is_not_a_store(tmp_path, capsys):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    spec = _write(tmp_path, "grid.yaml", _grid(tmp_path))
    assert main(["sweep", str(spec), "--out", str(precious), "--overwrite", "--serial"]) == 2
    assert "not a sweep store" in capsys.readouterr().err
    assert (precious / "chapter1.tex").read_text() == "years of work"  # deleted before


def test_overwrite_replaces_our_own_store(store, tmp_path):
    ds = sim.sweep(_grid(tmp_path, (1.2, 1.4)), store, overwrite=True)
    # 0.70779 MW x 8760 h x PUE: 7.440 and 8.680 GWh
    np.testing.assert_allclose(ds["energy_twh"].values[:, 0, 0] * 1e3, [7.440, 8.680], atol=1e-3)


# ---------------------------------------------------------------------------
# suanli report on stores it must not trust


def _report(path, capsys) -> tuple[int, str]:
    status = main(["report", str(path), "--no-plots"])
    return status, capsys.readouterr().err


def test_report_on_a_folder_that_is_not_a_suanli_store(tmp_path, capsys):
    other = tmp_path / "other.zarr"
    other.mkdir()
    (other / ".zgroup").write_text('{"zarr_format": 2}')
    status, err = _report(other, capsys)
    assert status == 2 and "not a sweep store written by suanli" in err and err.count("\n") == 1


def test_report_on_an_unconsolidated_store(store, capsys):
    (store / ".zmetadata").unlink()
    status, err = _report(store, capsys)
    assert status == 2 and "not consolidated" in err


def test_report_refuses_a_pickle_codec_before_reading_data(store, capsys):
    # numcodecs' Pickle codec would unpickle (run) whatever the chunk holds
    meta = json.loads((store / ".zmetadata").read_text())
    meta["metadata"]["energy_twh/.zarray"]["compressor"] = {"id": "pickle", "protocol": 5}
    (store / ".zmetadata").write_text(json.dumps(meta))
    status, err = _report(store, capsys)
    assert status == 2 and "energy_twh" in err and "'pickle'" in err


def test_report_counts_committed_samples_only(store, capsys):
    # a kill after chunk 1's arrays were written but before its marker: its values
    # are there, yet only chunk 0 (one sample) is committed
    (store / "_committed" / "000001").unlink()
    (store / "_complete").unlink()
    assert main(["report", str(store), "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "1/2 samples, INCOMPLETE" in out  # "2/2" before


# ---------------------------------------------------------------------------
# Bounded work


def test_sweep_samples_are_limited_before_drawing(tmp_path):
    spec = _mc_spec(_two_sites(tmp_path), samples=10**9)
    with pytest.raises(
        ScenarioError, match="1,000,000,000 samples exceeds the limit sweep_samples"
    ):
        load_sweep(spec)


def test_sobol_design_is_limited_before_salib(tmp_path):
    spec = _mc_spec(_two_sites(tmp_path), samples=2**30)
    spec["method"] = "sobol"
    for p in spec["parameters"].values():  # Sobol takes uniform ranges
        p.clear()
        p.update({"distribution": "uniform", "low": 0.9, "high": 1.0, "mode": "scale"})
    # 2^30 x (4 parameters + 2) = 6,442,450,944 samples (SALib asked for 80 GiB before)
    with pytest.raises(
        ScenarioError, match="6,442,450,944 samples exceeds the limit sweep_samples"
    ):
        load_sweep(spec)


# ---------------------------------------------------------------------------
# Faults


def test_stale_temporary_of_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = tmp_path / f".out.nc.{int(dead.stdout)}.k2j3.tmp"  # left by a SIGKILL
    mine = tmp_path / f".out.nc.{os.getpid()}.a1b2.tmp"  # a write in progress here
    stale.write_bytes(b"half")
    mine.write_bytes(b"in progress")
    write_atomic(tmp_path / "out.nc", lambda tmp: tmp.write_bytes(b"done"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.nc", mine.name])


def test_unreachable_scheduler_leaves_no_store(tmp_path):
    out = tmp_path / "never.zarr"
    with pytest.raises(ScenarioError, match="cannot reach the Dask scheduler"):
        sim.sweep(_grid(tmp_path), out, scheduler="tcp://127.0.0.1:9")  # discard port: closed
    assert not out.exists()


def test_workers_die_with_their_driver(tmp_path):
    spec = _write(tmp_path, "mc.yaml", _mc_spec(_two_sites(tmp_path), samples=400, chunk=2))
    out = tmp_path / "mc.zarr"
    cmd = [sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out), "--processes", "2"]
    driver = subprocess.Popen([*cmd, "--no-progress"], cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not committed_chunks(out) and time.monotonic() < deadline:
        assert driver.poll() is None, "the sweep ended before it could be killed"
        time.sleep(0.05)
    workers = psutil.Process(driver.pid).children(recursive=True)
    assert len(workers) >= 2
    driver.kill()  # SIGKILL: no cleanup code of the driver runs
    driver.wait()
    _, alive = psutil.wait_procs(workers, timeout=15)
    for p in alive:  # do not leave them behind even when the test fails
        p.kill()
    assert not alive, [p.pid for p in alive]


def test_dask_sweep_survives_losing_every_worker_once(tmp_path):
    from dask.distributed import Client, LocalCluster

    spec = load_sweep(_mc_spec(_two_sites(tmp_path), samples=120, chunk=1))
    serial = sim.sweep(spec)
    out = tmp_path / "dask.zarr"
    result: dict = {}
    with (
        _spawn_without_main(),
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        run = threading.Thread(
            target=lambda: result.update(
                ds=sim.sweep(spec, out, scheduler=cluster.scheduler_address)
            )
        )
        run.start()
        deadline = time.monotonic() + 120
        while not committed_chunks(out) and time.monotonic() < deadline:
            time.sleep(0.02)
        pids = client.run(os.getpid)
        for pid in pids.values():
            os.kill(pid, signal.SIGKILL)  # every worker at once; the nannies restart them
        at_kill = len(committed_chunks(out))
        run.join(timeout=300)
    assert 1 <= at_kill < spec.n_chunks, "killed mid-run"
    assert len(pids) == 2
    _assert_same(serial, result["ds"])  # FutureCancelledError before (scattered spec lost)


# ---------------------------------------------------------------------------
# Operations inputs


def test_demand_of_1e308_eflops_is_refused():
    raw = sim.scenario.yamlio.read_yaml(SCENARIOS / "beijing_ring.yaml")
    (name,) = list(raw["demand"]["classes"])[:1]
    with pytest.raises(ScenarioError, match="out of range"):
        sim.load_scenario(
            raw, overrides={f"demand.classes.{name}.trajectory": {"2025-01-01": "1e308 EFLOPS"}}
        )


def test_self_contained_scenario_cannot_read_a_demand_csv(tmp_path):
    from sim.scenario.inputs import self_contained

    raw = sim.scenario.yamlio.read_yaml(SCENARIOS / "beijing_ring.yaml")
    (name,) = list(raw["demand"]["classes"])[:1]
    with self_contained(), pytest.raises(ScenarioError, match="self-contained") as info:
        sim.load_scenario(raw, overrides={f"demand.classes.{name}.shape": {"csv": "/etc/passwd"}})
    assert "root:" not in str(info.value) and "/etc/passwd" not in str(info.value)
