"""Fleet build-out: capacity kinds, precision conversion, ramps and vintages."""

from __future__ import annotations

import numpy as np
import pytest

import sim

H100_FP16_W = 989.4e12 / (700 * 1.5)  # catalog h100: 989.4 TFLOPS fp16, 700 W, overhead 1.5


def _site(minimal, **fleet):
    minimal["clusters"]["site-a"]["fleet"] = {"precision": "fp16", **fleet}
    return minimal


def test_capacity_in_racks(minimal):
    _site(minimal, hardware={"gpu-a": 1.0}, capacity={"2025-01-01": "4000 racks"})
    ds = sim.run(sim.load_scenario(minimal))
    # 4,000 standard racks x 2.5 kW [S7] = 10 MW of IT nameplate
    assert float(ds["nameplate_power_mw"][0, 0]) == pytest.approx(10.0)
    # compute = 10 MW x (989 TFLOPS / 700 W) = 14.129 EFLOPS fp16
    assert float(ds["capacity_eflops"][0, 0]) == pytest.approx(10e6 * 989e12 / 700 / 1e18)


def test_rack_occupancy_and_rack_power(minimal):
    _site(
        minimal,
        hardware={"gpu-a": 1.0},
        capacity={"2025-01-01": "1000 racks"},
        rack_power="8 kW",
        rack_occupancy=0.6272,
    )
    ds = sim.run(sim.load_scenario(minimal))
    # 1,000 racks x 8 kW x 62.72 % populated = 5.0176 MW
    assert float(ds["nameplate_power_mw"][0, 0]) == pytest.approx(5.0176)


def test_capacity_in_megawatts(minimal):
    _site(minimal, hardware={"gpu-a": 1.0}, capacity={"2025-01-01": "70 MW"})
    ds = sim.run(sim.load_scenario(minimal))
    # 70 MW / 700 W = 100,000 accelerators x 989 TFLOPS = 98.9 EFLOPS fp16
    assert float(ds["capacity_eflops"][0, 0]) == pytest.approx(98.9)
    assert float(ds["it_power_mw"][0, 0]) == pytest.approx(70.0)


def test_linear_ramp_between_points_flat_outside(minimal):
    minimal["horizon"] = {"start": "2025-01-01", "end": "2025-01-10", "step": "1D"}
    _site(
        minimal,
        hardware={"gpu-a": 1.0},
        capacity={"2025-01-03": "1 EFLOPS", "2025-01-07": "5 EFLOPS"},
    )
    cap = sim.run(sim.load_scenario(minimal))["capacity_eflops"].values[0]
    # flat 1 before Jan 3, +1 EFLOPS a day to 5 on Jan 7, flat after; each daily step
    # is the day's mean: Jan 3 averages 1 .. 2 -> 1.5, ..., Jan 6 averages 4 .. 5 -> 4.5
    np.testing.assert_allclose(cap, [1, 1, 1.5, 2.5, 3.5, 4.5, 5, 5, 5, 5])


def test_reporting_precision_converts_through_hardware_peak_ratio(minimal):
    minimal["reporting_precision"] = "fp64"
    ds = sim.run(sim.load_scenario(minimal))
    # 1 EFLOPS fp16 on gpu-a = 1011.1 accelerators... x 67 TFLOPS fp64 = 67/989 EFLOPS fp64
    assert float(ds["capacity_eflops"][0, 0]) == pytest.approx(67 / 989)
    assert ds["capacity_eflops"].attrs["precision"] == "fp64"
    # power does not depend on how compute is reported
    assert float(ds["it_power_mw"][0, 0]) == pytest.approx(0.70779, abs=1e-5)


def test_fp8_capacity_converts_to_fp16(minimal):
    minimal["hardware"]["gpu-a"]["peak_flops"]["fp8"] = "1978 TFLOPS"
    _site(minimal, hardware={"gpu-a": 1.0}, capacity={"2025-01-01": "2 EFLOPS"})
    minimal["clusters"]["site-a"]["fleet"]["precision"] = "fp8"
    ds = sim.run(sim.load_scenario(minimal))
    # 2 EFLOPS fp8 / 1978 TFLOPS = 1011.1 accelerators -> 1 EFLOPS fp16, 0.7078 MW
    assert float(ds["capacity_eflops"][0, 0]) == pytest.approx(1.0)
    assert float(ds["it_power_mw"][0, 0]) == pytest.approx(1e18 / 989e12 * 700 / 1e6)


def test_catalog_hardware_by_name_and_mixed_shares(minimal):
    _site(
        minimal,
        hardware={"h100": 0.5, "gpu-a": 0.5},
        capacity={"2025-01-01": "2 EFLOPS"},
    )
    ds = sim.run(sim.load_scenario(minimal))
    # 1 EFLOPS on each: 1e18 / (989.4e12 / 1050 W) + 1e18 / (989e12 / 700 W)
    expected_mw = (1e18 / H100_FP16_W + 1e18 * 700 / 989e12) / 1e6
    assert float(ds["nameplate_power_mw"][0, 0]) == pytest.approx(expected_mw)


def test_power_shares_convert_to_compute_shares(minimal):
    _site(
        minimal,
        hardware={"h100": 0.5, "gpu-a": 0.5},
        share_of="power",
        capacity={"2025-01-01": "10 MW"},
    )
    ds = sim.run(sim.load_scenario(minimal))
    # 5 MW on each: 5e6 W x 942.29 GFLOPS/W + 5e6 W x 1412.86 GFLOPS/W
    expected = (5e6 * H100_FP16_W + 5e6 * 989e12 / 700) / 1e18
    assert float(ds["capacity_eflops"][0, 0]) == pytest.approx(expected)
    assert float(ds["nameplate_power_mw"][0, 0]) == pytest.approx(10.0)


def test_vintage_additions_ramp_in_and_retire(minimal):
    minimal["horizon"] = {"start": "2024-01-01", "end": "2031-12-31", "step": "1D"}
    minimal["hardware"]["gpu-a"]["lifetime"] = "5 year"
    minimal["hardware"]["gpu-b"] = {"peak_flops": {"fp16": "1978 TFLOPS"}, "power": "700 W"}
    _site(
        minimal,
        additions=[
            {"year": 2024, "capacity": "1 EFLOPS", "hardware": {"gpu-a": 1.0}},
            {"date": "2027-01-01", "capacity": "1 EFLOPS", "hardware": {"gpu-b": 1.0}},
        ],
    )
    ds = sim.run(sim.load_scenario(minimal))
    cap = ds["capacity_eflops"].sel(cluster="site-a")
    name = ds["nameplate_power_mw"].sel(cluster="site-a")
    # 2024 cohort ramps over 2024: the daily step of 2024-07-02 (day 183 of 366) averages
    # 183/366 .. 184/366 installed: 183.5 / 366
    assert float(cap.sel(time="2024-07-02")) == pytest.approx(183.5 / 366, abs=1e-9)
    assert float(cap.sel(time="2025-06-01")) == pytest.approx(1.0)
    # the 2027 cohort steps in on its date; gpu-b needs half the power per FLOPS
    assert float(cap.sel(time="2026-12-31")) == pytest.approx(1.0)
    assert float(cap.sel(time="2027-01-01")) == pytest.approx(2.0)
    assert float(name.sel(time="2027-06-01")) == pytest.approx(0.70779 + 0.35390, abs=1e-4)
    # the 2024 cohort retires over 5 years later (2029), leaving only gpu-b
    assert float(cap.sel(time="2030-06-01")) == pytest.approx(1.0)
    assert float(name.sel(time="2030-06-01")) == pytest.approx(0.35390, abs=1e-4)
    # fleet efficiency improves as the old cohort leaves: 1,412.9 -> 2,825.7 GFLOPS/W
    summary = sim.summarize(ds)
    eff = summary["efficiency_gflops_per_w"].sel(cluster="site-a")
    assert float(eff.sel(year=2025)) == pytest.approx(989e3 / 700, rel=1e-6)
    assert float(eff.sel(year=2031)) == pytest.approx(1978e3 / 700, rel=1e-6)


def test_efficiency_given_directly(minimal):
    minimal["reporting_precision"] = "fp64"
    _site(minimal, hardware={"hpc-a": 1.0}, capacity={"2025-01-01": "18 EFLOPS"})
    minimal["clusters"]["site-a"]["fleet"]["precision"] = "fp64"
    ds = sim.run(sim.load_scenario(minimal))
    # 18e18 FLOPS / 52.6e9 FLOPS/W = 342.2 MW
    assert float(ds["it_power_mw"][0, 0]) == pytest.approx(18e18 / 52.6e9 / 1e6)
