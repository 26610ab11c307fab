"""Exports by file extension: every format written and read back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sim
from sim.cli import main
from sim.results.export import write_results
from tests.conftest import ROOT

MINIMAL = str(ROOT / "scenarios" / "minimal.yaml")
# DESIGN.md: 1 EFLOPS / 989 TFLOPS x 700 W = 0.70779 MW of IT power; PUE 1.0; 8760 h
POWER_MW = 1e18 / 989e12 * 700 / 1e6
ENERGY_MWH = POWER_MW * 8760  # 6200.2 MWh


@pytest.fixture(scope="module")
def run():
    ds = sim.run(sim.load_scenario(MINIMAL))
    return ds, sim.summarize(ds)


def test_netcdf_is_compressed_and_chunked_by_year(run, tmp_path):
    ds, summary = run
    path = write_results(ds, tmp_path / "r.nc", summary)
    back = xr.open_dataset(path, engine="h5netcdf")
    enc = back["energy_mwh"].encoding
    assert enc["zlib"] and enc["shuffle"]
    assert enc["chunksizes"] == (1, 8760)  # (cluster, time): one year of hourly steps
    assert float(back["energy_mwh"].sum()) == pytest.approx(ENERGY_MWH, rel=1e-9)
    plain = tmp_path / "plain.nc"
    ds.to_netcdf(plain, engine="h5netcdf")
    assert path.stat().st_size < plain.stat().st_size / 2


def test_zarr_round_trip(run, tmp_path):
    ds, summary = run
    path = write_results(ds, tmp_path / "r.zarr", summary)
    back = xr.open_zarr(path)
    assert float(back["energy_mwh"].sum()) == pytest.approx(ENERGY_MWH, rel=1e-9)
    assert back["energy_mwh"].attrs["units"] == "MWh"
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tidy_hourly_table(run, tmp_path, suffix):
    ds, summary = run
    path = write_results(ds, tmp_path / f"r{suffix}", summary)
    df = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert len(df) == 8760  # one cluster x 8760 hours
    assert {"cluster", "time", "energy_mwh", "facility_power_mw"} <= set(df.columns)
    assert df["energy_mwh"].sum() == pytest.approx(ENERGY_MWH, rel=1e-9)
    assert df["facility_power_mw"].iloc[100] == pytest.approx(POWER_MW, rel=1e-9)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tidy_annual_summary(run, tmp_path, suffix):
    ds, summary = run
    path = write_results(ds, tmp_path / f"s{suffix}", summary, annual=True)
    df = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert list(df["cluster"]) == ["site-a"] and list(df["year"]) == [2025]
    assert df["energy_twh"].iloc[0] == pytest.approx(ENERGY_MWH / 1e6, rel=1e-9)


def test_excel_summary_and_units_sheets(run, tmp_path):
    ds, summary = run
    path = write_results(ds, tmp_path / "r.xlsx", summary)
    sheets = pd.read_excel(path, sheet_name=None)
    assert next(iter(sheets)) == "summary" and "units" in sheets
    assert sheets["summary"]["energy_twh"].iloc[0] == pytest.approx(ENERGY_MWH / 1e6, rel=1e-9)
    units = dict(zip(sheets["units"]["variable"], sheets["units"]["units"], strict=True))
    assert units["energy_twh"] == "TWh"


def test_excel_has_a_sheet_per_class_table(tmp_path):
    # Yangtze River Delta dispatches three workload classes: their annual table is a sheet
    ds = sim.run(sim.load_scenario(ROOT / "scenarios" / "yangtze_delta.yaml"))
    path = write_results(ds, tmp_path / "y.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    classes = sheets["classes"]
    assert set(classes["workload"]) == {str(w) for w in ds["workload"].values}
    served = classes["class_served_mean_eflops"].to_numpy()
    assert np.all(served <= classes["class_demand_mean_eflops"].to_numpy() + 1e-9)


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".svg", b"<?xml"), (".pdf", b"%PDF"), (".png", b"\x89PNG")]
)
def test_plot_format_by_extension(tmp_path, capsys, suffix, magic):
    chart = tmp_path / f"c{suffix}"
    assert main(["run", MINIMAL, "--plot", str(chart)]) == 0
    assert chart.read_bytes()[: len(magic)] == magic


@pytest.mark.parametrize("option", ["--out", "--plot"])
def test_unknown_extension_is_exit_2_before_running(tmp_path, capsys, option):
    assert main(["run", MINIMAL, option, str(tmp_path / "r.txt")]) == 2
    err = capsys.readouterr().err
    assert "unknown file type '.txt'" in err and err.count("\n") == 1
    assert not (tmp_path / "r.txt").exists()


def test_cli_reports_the_size_written(tmp_path, capsys):
    out = tmp_path / "r.nc"
    assert main(["run", MINIMAL, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    size_kb = out.stat().st_size / 1e3
    assert f"results written to {out} ({size_kb:.3g} kB)" in text
