"""Compute kinds (通用 general, 智能 intelligent, 超算 supercomputing): hardware kinds,
fleets per kind, outputs by kind and totals on a named basis (issue 10)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import sim
from sim.scenario import catalog
from sim.scenario.units import KIND_PRECISION, KINDS
from tests.conftest import MINIMAL, ROOT  # MINIMAL: the DESIGN.md minimal scenario

HOURS_2025 = 8760.0


def two_kinds(**totals) -> dict:
    """One site with 2 EFLOPS (fp32) of CPU servers and 1 EFLOPS (fp16) of accelerators."""
    raw = copy.deepcopy(MINIMAL)
    raw["hardware"]["gpu-a"]["peak_flops"]["fp32"] = "67 TFLOPS"
    raw["hardware"]["cpu-a"] = {
        "kind": "general",
        "efficiency": {"fp32": "20 GFLOPS/W", "fp16": "40 GFLOPS/W"},
    }
    site = raw["clusters"]["site-a"]
    site["fleet"] = {
        "general": {"hardware": {"cpu-a": 1.0}, "capacity": {"2025-01-01": "2 EFLOPS"}},
        "intelligent": {"hardware": {"gpu-a": 1.0}, "capacity": {"2025-01-01": "1 EFLOPS"}},
    }
    site["utilization"] = 0.5
    site["pue"] = 1.2
    if totals:
        raw["totals"] = totals
    return raw


def test_minimal_scenario_kinds_are_derived_and_results_unchanged():
    s = sim.load_scenario(MINIMAL)
    # peak_flops + power per accelerator -> intelligent; a whole-system efficiency -> supercomputing
    assert s.hardware["gpu-a"].kind == "intelligent"
    assert s.hardware["hpc-a"].kind == "supercomputing"
    ds = sim.run(s)
    assert list(ds["kind"].values) == ["intelligent"]
    # DESIGN.md: 1 EFLOPS / 989 TFLOPS x 700 W = 0.7078 MW, 6.20 GWh
    assert float(ds["it_power_mw"].mean()) == pytest.approx(0.7078, abs=5e-5)
    assert float(ds["energy_mwh"].sum()) / 1e3 == pytest.approx(6.20, abs=5e-3)
    assert float(ds["kind_energy_mwh"].sum()) == pytest.approx(float(ds["energy_mwh"].sum()))
    assert "total_capacity_eflops" not in ds  # no basis named: no total across kinds


def test_two_kinds_one_site_by_hand():
    ds = sim.run(sim.load_scenario(two_kinds()))
    assert list(ds["kind"].values) == ["general", "intelligent"]
    assert list(ds["kind_precision"].values) == ["fp32", "fp16"]
    year = ds.isel(cluster=0).mean("time")
    # each kind at its conventional precision: general 2 EFLOPS fp32, intelligent 1 EFLOPS fp16
    assert year["kind_capacity_eflops"].values == pytest.approx([2.0, 1.0])
    # nameplate: 2e18 / 20e9 = 100 MW; 1e18 / 989e12 x 700 W = 0.70779 MW
    # IT at u 0.5, idle 0: 50 MW and 0.35389 MW; x PUE 1.2: 60 MW and 0.42467 MW
    assert year["kind_it_power_mw"].values == pytest.approx([50.0, 0.353893], rel=1e-5)
    assert year["kind_facility_power_mw"].values == pytest.approx([60.0, 0.424671], rel=1e-5)
    # energy: 60 MW x 8760 h = 525,600 MWh; 0.424671 x 8760 = 3720.1 MWh
    energy = ds["kind_energy_mwh"].sum(("cluster", "time")).values
    assert energy == pytest.approx([525_600.0, 3720.1], rel=1e-5)
    # power and energy sum over kinds to the contract totals
    assert float(ds["energy_mwh"].sum()) == pytest.approx(525_600.0 + 3720.1, rel=1e-5)
    np.testing.assert_allclose(
        ds["kind_it_power_mw"].sum("kind").values, ds["it_power_mw"].values, rtol=1e-12
    )
    # capacity_eflops, the contract's reporting-precision total, says its basis:
    # 2 EFLOPS fp32 x 40/20 (cpu-a's own fp16/fp32 ratio) + 1 = 5 EFLOPS "fp16-equivalent"
    assert float(year["capacity_eflops"]) == pytest.approx(5.0)
    assert ds["capacity_eflops"].attrs["basis"].startswith("fp16-equivalent")


@pytest.mark.parametrize(
    ("basis", "expected_eflops"),
    [
        # 2 EFLOPS fp32 + 1 EFLOPS fp16 x 67/989 (gpu-a's fp32/fp16) = 2.067745
        ("fp32-equivalent", 2.0 + 67 / 989),
        # general at fp32 + intelligent at fp16: 2 + 1 = 3 (a mixed-precision sum)
        ("kind-precisions", 3.0),
    ],
)
def test_total_across_kinds_only_on_a_named_basis(basis, expected_eflops):
    ds = sim.run(sim.load_scenario(two_kinds(basis=basis)))
    total = ds["total_capacity_eflops"]
    assert float(total.mean()) == pytest.approx(expected_eflops, rel=1e-12)
    assert total.attrs["basis"].startswith(basis)


def test_single_fleet_of_mixed_kinds_splits_by_hardware():
    raw = two_kinds()
    # one fleet: 3 EFLOPS at fp32, two thirds CPU servers, one third accelerators
    raw["clusters"]["site-a"]["fleet"] = {
        "precision": "fp32",
        "hardware": {"cpu-a": 2 / 3, "gpu-a": 1 / 3},
        "capacity": {"2025-01-01": "3 EFLOPS"},
    }
    ds = sim.run(sim.load_scenario(raw))
    cap = ds["kind_capacity_eflops"].isel(cluster=0, time=0).values
    # general 2 EFLOPS fp32; intelligent 1 EFLOPS fp32 = 989/67 = 14.761 EFLOPS fp16
    assert cap == pytest.approx([2.0, 989 / 67])


def test_additions_per_kind_with_a_vintage_part():
    raw = two_kinds()
    raw["clusters"]["site-a"]["fleet"]["intelligent"] = {
        "additions": [{"date": "2025-07-01", "capacity": "1 EFLOPS", "hardware": {"gpu-a": 1.0}}]
    }
    ds = sim.run(sim.load_scenario(raw))
    cap = ds["kind_capacity_eflops"].isel(cluster=0)
    assert float(cap.sel(kind="intelligent", time="2025-06-30T23:00")) == 0.0
    assert float(cap.sel(kind="intelligent", time="2025-07-01T00:00")) == pytest.approx(1.0)
    assert float(cap.sel(kind="general").min()) == pytest.approx(2.0)


def test_kind_aliases_in_chinese():
    raw = two_kinds()
    raw["hardware"]["cpu-a"]["kind"] = "通用"
    assert sim.load_scenario(raw).hardware["cpu-a"].kind == "general"


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            lambda r: r["hardware"]["cpu-a"].update(kind="quantum"),
            "unknown compute kind",
            "hardware.cpu-a.kind",
        ),
        (
            lambda r: r["clusters"]["site-a"]["fleet"]["general"]["hardware"].update(
                {"cpu-a": 0.5, "gpu-a": 0.5}
            ),
            "hardware 'gpu-a' is intelligent compute, not general",
            "clusters.site-a.fleet.general",
        ),
        (
            lambda r: r["clusters"]["site-a"]["fleet"].update(precision="fp16"),
            "a fleet is given either per kind or as one, not both",
            "clusters.site-a.fleet.precision",
        ),
        (
            # general compute counts at fp32: a general entry without fp32 has no path
            lambda r: (
                r["hardware"]["cpu-a"].update(efficiency={"fp16": "40 GFLOPS/W"}),
                r["clusters"]["site-a"]["fleet"]["general"].update(precision="fp16"),
            ),
            "hardware 'cpu-a' has no fp32 figure, needed for the precision general compute is",
            "clusters.site-a.fleet.general",
        ),
    ],
)
def test_kind_mistakes_are_one_scenario_error(change, message, field):
    raw = two_kinds()
    change(raw)
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(raw)
    assert message in err.value.message
    assert err.value.field == field


def test_fp32_equivalent_total_needs_an_fp32_figure():
    raw = copy.deepcopy(MINIMAL)
    raw["totals"] = {"basis": "fp32-equivalent"}
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(raw)  # gpu-a has fp16 and fp64 only
    assert "hardware 'gpu-a' has no fp32 figure" in err.value.message
    assert err.value.field == "totals.basis"
    raw["totals"] = {"basis": "mixed"}
    with pytest.raises(sim.ScenarioError, match="unknown basis"):
        sim.load_scenario(raw)


@pytest.mark.parametrize("name", catalog.names())
def test_every_catalog_entry_states_its_kind_and_has_its_precision(name):
    from sim.scenario.core import hardware_entry

    entry = catalog.entry(name, field=name)
    assert entry["kind"] in KINDS  # stated, not derived
    hw = hardware_entry(name, entry, f"catalog.{name}")
    assert KIND_PRECISION[hw.kind] in hw.efficiency_flops_per_w


def test_zhejiang_trap_shows_in_the_output():
    path = ROOT / "scenarios" / "zhejiang_2025.yaml"
    base = sim.run(sim.load_scenario(path)).isel(time=-1)
    # the +18 EFLOPS is intelligent (fp16) compute ...
    assert base["kind_capacity_eflops"].sel(kind="intelligent").sum() == pytest.approx(18.0)
    # ... worth 18 x 67 / 989.4 = 1.2189 EFLOPS on the fp32-equivalent basis (H100 [S41])
    assert float(base["total_capacity_eflops"].sum()) == pytest.approx(18 * 67 / 989.4, rel=1e-9)
    today = sim.run(sim.load_scenario(path, variant="today-by-kind")).isel(time=-1)
    cap = today["kind_capacity_eflops"].sum("cluster")
    # today's 82 by the national mix [S151]: intelligent 82 x 32 % = 26.24, + 18 = 44.24, not 100
    assert float(cap.sel(kind="intelligent")) == pytest.approx(26.24 + 18)
    # only the mixed kind-precisions sum reaches the quoted 100: 53.3 + 26.24 + 2.46 + 18
    assert float(today["total_capacity_eflops"].sum()) == pytest.approx(100.0)


def test_pools_split_a_kind_only_where_an_allow_list_does():
    from sim.buildout.fleet import Pool, fleet_pools, pool_series

    raw = two_kinds()
    raw["hardware"]["npu-a"] = {"peak_flops": {"fp16": "300 TFLOPS"}, "power": "310 W"}
    raw["clusters"]["site-a"]["fleet"]["intelligent"]["hardware"] = {"gpu-a": 0.5, "npu-a": 0.5}
    s = sim.load_scenario(raw)
    assert fleet_pools(s) == [
        Pool(0, "general", ("cpu-a",)),
        Pool(0, "intelligent", ("gpu-a", "npu-a")),
    ]
    # a CUDA-only class (gpu-a only) splits the intelligent pool; general is untouched
    pools = fleet_pools(s, [("intelligent", ["gpu-a"])])
    assert pools == [
        Pool(0, "general", ("cpu-a",)),
        Pool(0, "intelligent", ("gpu-a",)),
        Pool(0, "intelligent", ("npu-a",)),
    ]
    nameplate_mw, capacity_eflops = pool_series(s, s.horizon.times()[:1], pools)
    # 2 EFLOPS fp32 of cpu-a; 1 EFLOPS fp16 of intelligent compute, half on each accelerator
    assert capacity_eflops[:, 0] == pytest.approx([2.0, 0.5, 0.5])
    # 100 MW; 0.5e18 / 989e12 x 700 W = 0.35389 MW; 0.5e18 / 300e12 x 310 W = 0.51667 MW
    assert nameplate_mw[:, 0] == pytest.approx([100.0, 0.353893, 0.516667], rel=1e-5)


def test_workload_classes_carry_a_kind_and_an_allow_list():
    raw = copy.deepcopy(two_kinds())
    raw["demand"] = {
        "classes": {
            "batch_analytics": {"trajectory": {"2025-01-01": "1 EFLOPS"}},
            "training": {"trajectory": {"2025-01-01": "1 EFLOPS"}, "hardware": ["gpu-a"]},
            "sims": {
                "kind": "超算",
                "max_latency": "inf",
                "trajectory": {"2025-01-01": "1 EFLOPS"},
            },
        }
    }
    classes = sim.load_scenario(raw).sections["demand"].classes
    # presets: analytics on general compute, training on intelligent (docs/kinds.md)
    assert classes["batch_analytics"].workload.kind == "general"
    assert classes["training"].workload.kind == "intelligent"
    assert classes["training"].workload.hardware == ("gpu-a",)
    assert classes["sims"].workload.kind == "supercomputing"
    raw["demand"]["classes"]["training"]["hardware"] = ["cpu-a"]
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(raw)
    assert "hardware 'cpu-a' is general compute, not intelligent" in err.value.message
    assert err.value.field == "demand.classes.training.hardware.0"


def test_summary_and_cli_report_by_kind_never_a_bare_total():
    ds = sim.run(sim.load_scenario(two_kinds(basis="kind-precisions")))
    summary = sim.summarize(ds)
    # year end: general 2 EFLOPS fp32, intelligent 1 EFLOPS fp16; energy 525,600 and 3720.1 MWh
    assert summary["kind_capacity_eflops"].values[0, :, 0] == pytest.approx([2.0, 1.0])
    assert summary["kind_energy_twh"].values[0, :, 0] == pytest.approx(
        [0.5256, 0.0037201], rel=1e-5
    )
    assert float(summary["total_capacity_eflops"].values[0, 0]) == pytest.approx(3.0)
    from sim.results.tables import kinds_table

    text = kinds_table(summary)
    assert "total, kind-precisions" in text and "2.000 fp32" in text and "1.000 fp16" in text
