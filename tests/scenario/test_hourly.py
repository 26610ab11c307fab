"""Hourly inputs from files (sim.hourly): CSV and NetCDF, units, resampling, coverage, paths."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
import yaml

import sim
from sim import ScenarioError
from sim.scenario.hourly import allow_files, hourly_series, scenario_file

# DESIGN.md minimal scenario: 1 EFLOPS / 989 TFLOPS x 700 W of IT power [MW]
IT_MW = 1e18 / 989e12 * 700 / 1e6


def _hours(n: int, step_min: int = 60) -> np.ndarray:
    start = np.datetime64("2025-01-01T00:00")
    return (start + np.arange(n) * np.timedelta64(step_min, "m")).astype("datetime64[ns]")


def _csv(path, header: str, values, step_min: int = 60, skip=()) -> None:
    rows = [header] + [
        f"{np.datetime_as_string(t, unit='m')},{v}"
        for i, (t, v) in enumerate(zip(_hours(len(values), step_min), values, strict=True))
        if i not in skip
    ]
    path.write_text("\n".join(rows) + "\n")


def _one_day_climate_scenario(tmp_path, minimal, climate):
    minimal["horizon"] = {"start": "2025-01-01", "end": "2025-01-01", "step": "1h"}
    site = minimal["clusters"]["site-a"]
    site["pue"] = {"model": "climate", "base": 1.1, "free_cooling_below": "15 degC", "slope": 0.02}
    site["climate"] = climate
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(minimal, allow_unicode=True))
    return f


@pytest.mark.parametrize(
    ("header", "values", "units"),
    [
        ("time,temperature [degC]", [10.0] * 12 + [25.0] * 12, None),  # units in the header
        ("time,t", [283.15] * 12 + [298.15] * 12, "K"),  # units in the field
    ],
)
def test_measured_temperature_drives_the_pue(tmp_path, minimal, header, values, units):
    _csv(tmp_path / "t.csv", header, values)
    climate = {"file": "t.csv", **({"units": units} if units else {})}
    ds = sim.run(sim.load_scenario(_one_day_climate_scenario(tmp_path, minimal, climate)))
    # 12 h at 10 degC: PUE 1.1; 12 h at 25 degC: 1.1 + 0.02/K x 10 K = 1.3
    pue = ds["pue"].values[0]
    assert pue[:12] == pytest.approx([1.1] * 12) and pue[12:] == pytest.approx([1.3] * 12)
    assert float(ds["energy_mwh"].sum()) == pytest.approx(IT_MW * (12 * 1.1 + 12 * 1.3))


def test_a_missing_hour_is_an_error_naming_the_file_and_the_gap(tmp_path, minimal):
    _csv(tmp_path / "t.csv", "time,temperature [degC]", [10.0] * 24, skip={5})
    f = _one_day_climate_scenario(tmp_path, minimal, {"file": "t.csv"})
    with pytest.raises(ScenarioError, match="no data for the step of 2025-01-01T05:00") as info:
        sim.load_scenario(f)
    assert str(tmp_path / "t.csv") in str(info.value)


def test_no_units_is_an_error(tmp_path, minimal):
    _csv(tmp_path / "t.csv", "time,temperature", [10.0] * 24)
    f = _one_day_climate_scenario(tmp_path, minimal, {"file": "t.csv"})
    with pytest.raises(ScenarioError, match="no units"):
        sim.load_scenario(f)


def test_files_outside_the_scenario_tree_need_the_command_line(tmp_path, minimal):
    (tmp_path / "scenario").mkdir()
    outside = tmp_path / "t.csv"
    _csv(outside, "time,temperature [degC]", [10.0] * 24)
    f = _one_day_climate_scenario(tmp_path / "scenario", minimal, {"file": "../t.csv"})
    with pytest.raises(ScenarioError, match="outside the scenario's folder tree"):
        sim.load_scenario(f)
    with allow_files([outside]):
        assert sim.load_scenario(f).clusters["site-a"].climate.series_c[0] == 10.0


def test_finer_data_average_and_coarser_data_hold(tmp_path):
    # 30-minute values 10, 20, 30, 40 -> hourly means 15 and 35 (hand calculation)
    _csv(tmp_path / "p.csv", "time,price [CNY/MWh]", [10, 20, 30, 40], step_min=30)
    with scenario_file(tmp_path / "s.yaml"):
        hourly = hourly_series({"file": "p.csv"}, "CNY/MWh", "f", _hours(2), 1.0)
        assert hourly == pytest.approx([15.0, 35.0])
        # on 15-minute steps an hourly value holds for each quarter of its hour
        _csv(tmp_path / "h.csv", "time,price [CNY/kWh]", [0.3, 0.5])
        quarter = hourly_series({"file": "h.csv"}, "CNY/MWh", "f", _hours(8, 15), 0.25)
        assert quarter == pytest.approx([300.0] * 4 + [500.0] * 4)  # 0.3 CNY/kWh = 300 /MWh


def test_timestamps_with_an_offset_move_to_china_standard_time(tmp_path):
    # 16:00 UTC on 31 December is 00:00 on 1 January in UTC+8
    (tmp_path / "c.csv").write_text(
        "time,intensity [tCO2/MWh]\n2024-12-31T16:00Z,0.5\n2024-12-31T17:00Z,0.7\n"
    )
    with scenario_file(tmp_path / "s.yaml"):
        got = hourly_series({"file": "c.csv"}, "kgCO2/kWh", "f", _hours(2), 1.0)
    assert got == pytest.approx([0.5, 0.7])


def test_netcdf_series_with_units_attribute(tmp_path):
    da = xr.DataArray(
        [0.6, 0.8, 0.9], dims="time", coords={"time": _hours(3)}, attrs={"units": "1"}
    )
    da.to_dataset(name="utilization").to_netcdf(tmp_path / "u.nc", engine="h5netcdf")
    with scenario_file(tmp_path / "s.yaml"):
        got = hourly_series({"file": "u.nc"}, "dimensionless", "f", _hours(3), 1.0)
    assert got == pytest.approx([0.6, 0.8, 0.9])


def test_cli_accepts_an_outside_file_named_in_set(tmp_path, minimal, capsys):
    from sim.cli import main

    (tmp_path / "scenario").mkdir()
    outside = tmp_path / "t.csv"
    _csv(outside, "time,temperature [degC]", [10.0] * 24)
    f = _one_day_climate_scenario(tmp_path / "scenario", minimal, {"file": "../t.csv"})
    assert main(["validate", str(f)]) == 2
    assert "outside the scenario's folder tree" in capsys.readouterr().err
    assert main(["validate", str(f), "--set", f"clusters.site-a.climate.file={outside}"]) == 0
