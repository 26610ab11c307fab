"""End-to-end: the suanli command in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import xarray as xr

from tests.conftest import ROOT


def suanli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_run_prints_table_and_writes_netcdf_and_png(tmp_path):
    out, png = tmp_path / "r" / "min.nc", tmp_path / "min.png"
    proc = suanli("run", "scenarios/minimal.yaml", "--out", str(out), "--plot", str(png))
    assert proc.returncode == 0, proc.stderr
    assert "site-a" in proc.stdout and "6.20 GWh" in proc.stdout
    ds = xr.open_dataset(out, engine="h5netcdf")
    assert ds["energy_mwh"].attrs["units"] == "MWh"
    assert float(ds["energy_mwh"].sum()) == pytest.approx(6200.2, abs=0.1)  # 0.70779 MW x 8760 h
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.parent.glob(".*.tmp"))  # atomic write left no temporary


def test_run_json_with_set_and_variant():
    proc = suanli(
        "run",
        "scenarios/zhejiang_2025.yaml",
        "--variant",
        "seed-estimate",
        "--json",
        "--set",
        "clusters.zhejiang-added.pue=1.0",
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    energy = data["years"]["2025"]["zhejiang-added"]["energy_twh"]
    # 18 EFLOPS / 5.66 GFLOPS/W x 1.0 x 8760 h = 27.859 TWh
    assert energy == pytest.approx(18e18 / 5.66e9 * 8760 / 1e12, rel=1e-9)
    assert data["precision"] == "fp64"
    assert data["units"]["energy_twh"] == "TWh"


def test_validate_and_compare():
    proc = suanli("validate", "scenarios/east_data_west_compute.yaml")
    assert proc.returncode == 0, proc.stderr
    assert "10 clusters" in proc.stdout and "61368 steps" in proc.stdout  # 2557 days x 24 h
    proc = suanli("compare", "scenarios/zhejiang_2025.yaml", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["variant"]: r for r in json.loads(proc.stdout)}
    assert set(rows) == {
        "(base)",
        "seed-estimate",
        "frontier-measured",
        "h100-fp16",
        "ascend-910b-fp16",
        "today-by-kind",
    }
    # the factor-10 slip: 52.23 / 5.66 = 9.23x less energy at the measured efficiency
    ratio = rows["seed-estimate"]["energy_twh"] / rows["frontier-measured"]["energy_twh"]
    assert ratio == pytest.approx(52.23 / 5.66, rel=1e-9)


def test_unwritable_output_is_a_user_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = suanli("run", "scenarios/minimal.yaml", "--out", str(blocker / "sub" / "x.nc"))
    assert proc.returncode == 2
    assert "cannot write output" in proc.stderr and "Traceback" not in proc.stderr


def test_schema_lists_every_field():
    proc = suanli("schema")
    assert proc.returncode == 0
    assert "`clusters.<name>.fleet.capacity`" in proc.stdout
    assert "| `horizon.step` | h | 1h |" in proc.stdout


def test_run_prints_significant_figures_in_scaled_units():
    # DESIGN.md: 1 EFLOPS / 989 TFLOPS x 700 W = 0.7078 MW, x 8760 h = 6.20 GWh
    proc = suanli("run", "scenarios/minimal.yaml")
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("2025  site-a"))
    assert row.split()[2:] == ["1.00", "EFLOPS", "6.20", "GWh", "0.708", "MW", "1.00", "1.00"]


def test_validate_counts_in_the_singular_and_plural():
    proc = suanli("validate", "scenarios/minimal.yaml")
    assert proc.returncode == 0, proc.stderr
    assert "'one site', 1 cluster, 8760 steps of 1 h, 0 variants" in proc.stdout


def test_closed_pipe_ends_quietly():
    # `suanli schema | head -0`: the reader is gone before the first write.
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "schema"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141  # 128 + SIGPIPE, as a shell reports it
    assert err == ""  # no BrokenPipeError traceback


def test_implausible_value_exit_2_unless_allowed():
    over = "hardware.gpu-a.power=700 kW"
    proc = suanli("validate", "scenarios/minimal.yaml", "--set", over)
    assert proc.returncode == 2
    assert "implausible value" in proc.stderr and "1 W to 20 kW" in proc.stderr
    proc = suanli("validate", "scenarios/minimal.yaml", "--set", over, "--allow-implausible")
    assert proc.returncode == 0, proc.stderr
    proc = suanli("validate", "scenarios/minimal.yaml", "--set", "hardware.gpu-a.node_overhead=6")
    assert proc.returncode == 0
    assert proc.stderr.startswith("warning: scenarios/minimal.yaml: field 'hardware.gpu-a.node")


def _stderr_on_a_terminal(*args: str) -> tuple[int, str]:
    import os
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=slave
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode()


def test_compare_shows_progress_on_a_terminal_only():
    # beijing_ring: a base and 2 variants, each a dispatched year of 4 clusters (seconds)
    status, err = _stderr_on_a_terminal("compare", "scenarios/beijing_ring.yaml")
    assert status == 0
    assert "compare: variant 3 of 3 (carbon-first)" in err
    status, err = _stderr_on_a_terminal("compare", "scenarios/beijing_ring.yaml", "--quiet")
    assert status == 0 and err == ""


def test_jobs_shows_progress_by_simulated_time():
    # 744 h of east_west_jobs: the event loop reports the simulated hour it reached
    status, err = _stderr_on_a_terminal("jobs", "scenarios/east_west_jobs.yaml")
    assert status == 0
    assert "jobs: simulated hour " in err and " of 720" in err  # jobs.hours: 720
