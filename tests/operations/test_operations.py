"""Operations layer end to end: scenario sections → dispatch → power → supply → summary.

Every expected value is a hand calculation written beside the assertion.
Hardware "gpu-a" here: 1,000 TFLOPS fp16 at 1,000 W, node overhead 1 ->
1 MW of IT power per EFLOPS when busy.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.scenario.errors import ScenarioError
from tests.conftest import ROOT, SCENARIOS

TWO_SITES = {
    "name": "two sites",
    "horizon": {"start": "2025-01-01", "end": "2025-01-07", "step": "1h"},  # 168 h
    "reporting_precision": "fp16",
    "hardware": {
        "gpu-a": {"peak_flops": {"fp16": "1000 TFLOPS"}, "power": "1000 W", "node_overhead": 1.0}
    },
    "clusters": {
        name: {
            "role": name,
            "location": loc,
            "fleet": {
                "precision": "fp16",
                "hardware": {"gpu-a": 1.0},
                "capacity": {"2025-01-01": "10 EFLOPS"},
            },
            "utilization": 0.5,
            "idle_power": 0.0,
            "pue": 1.0,
            "grid": {"carbon_intensity": "0.6 tCO2/MWh", "price": price},
        }
        for name, loc, price in (
            ("east", {"lat": 31.2, "lon": 121.5}, "0.6 CNY/kWh"),
            ("west", {"lat": 37.5, "lon": 105.2}, "0.3 CNY/kWh"),
        )
    },
    "demand": {
        "classes": {
            "realtime_inference": {
                "shape": "flat",
                "max_latency": "5 ms",
                "trajectory": {"2025-01-01": "4 EFLOPS"},
                "origins": {"east": 1.0, "west": 0.0},
            },
            "training": {
                "trajectory": {"2025-01-01": "6 EFLOPS"},
                "origins": {"east": 1.0, "west": 0.0},
            },
        }
    },
}


@pytest.fixture
def two_sites():
    return copy.deepcopy(TWO_SITES)


def test_two_sites_placement_power_carbon_cost(two_sites):
    # East-west distance ~1,650 km -> 12.4 ms > 5 ms: the 4 EFLOPS real-time
    # class stays east; training (latency tolerant) goes to the cheaper west.
    ds = sim.run(sim.load_scenario(two_sites))
    served = ds["served_eflops"].mean("time").values
    np.testing.assert_allclose(served, [[4.0, 0.0], [0.0, 6.0]], atol=1e-9)
    # utilisation = served / installed: 4/10 and 6/10
    np.testing.assert_allclose(ds["utilization"].mean("time").values, [0.4, 0.6])
    # power from served compute: 4 MW and 6 MW (1 MW per EFLOPS, idle 0, PUE 1)
    np.testing.assert_allclose(ds["facility_power_mw"].values[:, 0], [4.0, 6.0])
    # energy: 4 MW x 168 h = 672 MWh; 6 MW x 168 h = 1,008 MWh
    # carbon: 672 x 0.6 = 403.2 t; 1,008 x 0.6 = 604.8 t
    # cost: 672 x 600 = 403,200 CNY; 1,008 x 300 = 302,400 CNY
    np.testing.assert_allclose(ds["carbon_tco2"].sum("time").values, [403.2, 604.8])
    np.testing.assert_allclose(ds["cost_cny"].sum("time").values, [403_200.0, 302_400.0])
    for name in ("served_eflops", "unmet_eflops", "flow_eflops", "carbon_tco2", "cost_cny"):
        assert {"units", "long_name"} <= set(ds[name].attrs)
    s = sim.summarize(ds)
    # eastern demand 10 EFLOPS, 6 of it served in the west -> 60 %
    assert float(s["east_served_in_west_share"].values[0]) == pytest.approx(0.6)
    assert float(s["class_unmet_share"].max()) == 0.0
    np.testing.assert_allclose(s["peak_grid_power_mw"].values[:, 0], [4.0, 6.0])


def test_stay_local_via_override(two_sites):
    # stay_local: training stays east too: east serves 4 + 6 = 10 EFLOPS = its capacity.
    # cost 10 MW x 168 h x 600 CNY/MWh = 1,008,000 CNY; nothing unmet.
    sc = sim.load_scenario(two_sites, overrides={"dispatch": {"policy": "stay_local"}})
    ds = sim.run(sc)
    np.testing.assert_allclose(ds["served_eflops"].sum("workload").mean("time"), [10.0, 0.0])
    assert float(ds["cost_cny"].sum()) == pytest.approx(1_008_000.0)
    assert float(ds["unmet_eflops"].sum()) == 0.0


def test_unservable_class_is_unmet_with_reason(two_sites):
    # a 1 ms class from an origin 100 km from both sites (0.75 ms/100 km at 1.5 x 5 µs)
    two_sites["demand"]["origins"] = {
        "east": {"cluster": "east"},
        "west": {"cluster": "west"},
        "remote": {"lat": 45.0, "lon": 90.0},
    }
    two_sites["demand"]["classes"]["realtime_inference"]["origins"] = {"remote": 1.0}
    two_sites["demand"]["classes"]["realtime_inference"]["max_latency"] = "1 ms"
    ds = sim.run(sim.load_scenario(two_sites))
    # all 4 EFLOPS x 168 h unmet, no exception
    unmet = ds["unmet_eflops"].sel(workload="realtime_inference", origin="remote")
    assert float(unmet.sum()) == pytest.approx(4.0 * 168)
    reason = str(ds["unmet_reason"].sel(workload="realtime_inference", origin="remote").values)
    assert "no cluster within 1 ms of remote" in reason


def test_grid_cap_limits_served_compute(two_sites):
    # west connection capped at 3 MW: at most 3 EFLOPS of training there; the other
    # 3 EFLOPS go east. Peak west grid draw = 3 MW.
    two_sites["clusters"]["west"]["grid"]["connection_cap"] = "3 MW"
    ds = sim.run(sim.load_scenario(two_sites))
    np.testing.assert_allclose(
        ds["served_eflops"].sel(workload="training").mean("time"), [3.0, 3.0], atol=1e-9
    )
    assert float(ds["grid_power_mw"].sel(cluster="west").max()) == pytest.approx(3.0)
    assert float(ds["shortfall_mw"].max()) == pytest.approx(0.0, abs=1e-9)


def test_link_capacity(two_sites):
    # east -> west link 2 EFLOPS: 2 of the training demand in the west, 4 stay east
    two_sites["links"] = [{"from": "east", "to": "west", "capacity": "2 EFLOPS"}]
    ds = sim.run(sim.load_scenario(two_sites))
    flow = ds["flow_eflops"].sel(origin="east").mean("time").values
    np.testing.assert_allclose(flow, [8.0, 2.0], atol=1e-9)


def test_inter_hub_link_shared_by_origins(two_sites):
    # two eastern origins (hub "east") share one 2 EFLOPS link to hub "west":
    # of the 6 EFLOPS of training, 2 go west in total and 4 stay east.
    two_sites["demand"]["origins"] = {
        "east": {"cluster": "east"},
        "east2": {"lat": 31.0, "lon": 121.0, "hub": "east", "role": "east"},
        "west": {"cluster": "west"},
    }
    two_sites["demand"]["classes"]["realtime_inference"]["origins"] = {"east": 1.0}
    two_sites["demand"]["classes"]["training"]["origins"] = {"east": 0.5, "east2": 0.5}
    two_sites["links"] = [{"from_hub": "east", "to_hub": "west", "capacity": "2 EFLOPS"}]
    for engine in ("greedy", "lp"):
        ds = sim.run(sim.load_scenario(two_sites, overrides={"dispatch": {"engine": engine}}))
        to_west = ds["flow_eflops"].sel(cluster="west", origin=["east", "east2"]).sum("origin")
        np.testing.assert_allclose(to_west.values, 2.0, atol=1e-6)


def test_lp_engine_matches_hand_result(two_sites):
    ds = sim.run(sim.load_scenario(two_sites, overrides={"dispatch": {"engine": "lp"}}))
    np.testing.assert_allclose(
        ds["served_eflops"].mean("time").values, [[4.0, 0.0], [0.0, 6.0]], atol=1e-6
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda s: s["demand"]["classes"]["training"].update(origins={"east": 0.5}),
            "demand.classes.training.origins",
        ),
        (
            lambda s: s["clusters"]["west"]["grid"].update(connection_cap="-5 MW"),
            "clusters.west.grid.connection_cap",
        ),
        (
            lambda s: s["clusters"]["west"]["grid"].update(carbon_intensity=[0.5] * 23),
            "clusters.west.grid.carbon_intensity",
        ),
        (
            lambda s: s["clusters"]["west"]["grid"].update(price="3 MW"),
            "clusters.west.grid.price",
        ),
        (lambda s: s.update(dispatch={"policy": "anywhere"}), "dispatch.policy"),
        (lambda s: s["clusters"]["west"].pop("grid"), "clusters.west.grid"),
        (
            lambda s: s.update(links=[{"from": "east", "to": "mars", "capacity": "1 EFLOPS"}]),
            "links.0.to",
        ),
        (
            lambda s: s["demand"]["classes"]["training"].update(colour="red"),
            "demand.classes.training.colour",
        ),
    ],
)
def test_contradictory_inputs_name_the_field(two_sites, change, field):
    change(two_sites)
    with pytest.raises(ScenarioError) as info:
        sim.run(sim.load_scenario(two_sites))
    assert info.value.field == field


def test_cli_bad_share_exits_2(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as info:
        raise SystemExit(
            main(
                [
                    "validate",
                    "scenarios/yangtze_delta.yaml",
                    "--set",
                    "demand.classes.training.origins.wuhu=0.5",
                ]
            )
        )
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "yangtze_delta.yaml" in err and "demand.classes.training.origins" in err
    assert len(err.strip().splitlines()) == 1


def test_utilization_override_under_dispatch_is_an_error(two_sites, capsys, monkeypatch):
    # With a demand section utilisation is served / installed (an outcome): setting it
    # would change nothing, so it is refused with the reason, not silently ignored.
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(two_sites, overrides={"clusters.west.utilization": 0.3})
    assert info.value.field == "clusters.west.utilization"
    assert "outcome of dispatch" in info.value.message and info.value.given == 0.3
    # the same field is an input without demand: east 10 EFLOPS x 1 MW/EFLOPS x 0.3 = 3 MW
    del two_sites["demand"]
    ds = sim.run(sim.load_scenario(two_sites, overrides={"clusters.east.utilization": 0.3}))
    assert float(ds["it_power_mw"].sel(cluster="east")[0]) == pytest.approx(3.0)
    # the CLI: one line, exit 2; EDWC has no low-utilization variant any more
    monkeypatch.chdir(ROOT)
    edwc = "scenarios/east_data_west_compute.yaml"
    assert "low-utilization" not in sim.load_scenario(edwc).variants()
    code = main(["validate", edwc, "--set", "clusters.guian.utilization=0.3"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "clusters.guian.utilization" in err and "outcome of dispatch" in err


def test_yangtze_zhejiang_cap_binds_in_summer():
    # Jiashan: 10.5 MW cap; PUE rises with heat, so the cap binds in summer only
    ds = sim.run(sim.load_scenario(SCENARIOS / "yangtze_delta.yaml"))
    grid = ds["grid_power_mw"].sel(cluster="jiashan")
    at_cap = (grid >= 10.5 - 1e-6).groupby(ds["time"].dt.month).sum().values
    assert at_cap[[0, 1, 11]].sum() == 0  # January, February, December: never at the cap
    assert at_cap[6] > 100  # July: the cap binds for many hours
    imports = ds["import_power_mw"].sel(cluster="jiashan").groupby(ds["time"].dt.month).sum()
    assert float(imports.values[6]) > float(imports.values[0])  # imports in summer
    assert float(ds["grid_power_mw"].sel(cluster="jiashan").max()) <= 10.5 + 1e-6


def test_compare_policies_on_beijing_ring(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["compare", "scenarios/beijing_ring.yaml", "--json"]) == 0
    import json

    rows = {r["variant"]: r for r in json.loads(capsys.readouterr().out)}
    # the ring serves everything; Beijing alone (10 EFLOPS, 25 MW cap) cannot
    assert rows["(base)"]["unmet_share"] == pytest.approx(0.0, abs=1e-9)
    assert rows["stay-local"]["unmet_share"] > 0.5


@settings(max_examples=15, deadline=None)
@given(
    cap_mw=st.floats(0.5, 20.0),
    rt=st.floats(0.0, 12.0),
    train=st.floats(0.0, 12.0),
    wind=st.floats(0.0, 10.0),
)
def test_run_invariants(cap_mw, rt, train, wind):
    # conservation per class and origin (demand + backlog carried in = served +
    # backlog carried out + unmet), utilisation within [0, 1], grid draw within
    # the connection cap, and energy supplied = facility energy, for random caps,
    # demand and renewables
    s = copy.deepcopy(TWO_SITES)
    s["clusters"]["west"]["grid"]["connection_cap"] = f"{cap_mw} MW"
    s["clusters"]["west"]["grid"]["wind"] = {"capacity": f"{wind} MW", "capacity_factor": 0.3}
    s["demand"]["classes"]["realtime_inference"]["trajectory"] = {"2025-01-01": f"{rt} EFLOPS"}
    s["demand"]["classes"]["training"]["trajectory"] = {"2025-01-01": f"{train} EFLOPS"}
    ds = sim.run(sim.load_scenario(s))
    demand = ds["demand_eflops"].values
    served_by_origin = ds["flow_eflops"].values  # [origin, cluster, time]
    backlog = ds["deferred_eflops"].values
    prev = np.concatenate([np.zeros_like(backlog[..., :1]), backlog[..., :-1]], axis=-1)
    lhs = (demand + prev).sum(axis=0)  # over classes, per origin
    rhs = served_by_origin.sum(axis=1) + (backlog + ds["unmet_eflops"].values).sum(axis=0)
    np.testing.assert_allclose(lhs, rhs, atol=1e-6)
    np.testing.assert_allclose(
        ds["served_eflops"].values.sum(axis=(0, 1)), served_by_origin.sum(axis=(0, 1)), atol=1e-6
    )
    u = ds["utilization"].values
    assert u.min() >= 0.0 and u.max() <= 1.0 + 1e-9
    assert float(ds["grid_power_mw"].sel(cluster="west").max()) <= cap_mw + 1e-6
    assert float(ds["shortfall_mw"].max()) <= 1e-6
    supplied = (
        ds["renewable_power_mw"]
        - ds["battery_charge_mw"]
        + ds["battery_discharge_mw"]
        + ds["grid_power_mw"]
        + ds["import_power_mw"]
        if "battery_charge_mw" in ds
        else ds["renewable_power_mw"] + ds["grid_power_mw"] + ds["import_power_mw"]
    )
    np.testing.assert_allclose(supplied.values, ds["facility_power_mw"].values, atol=1e-6)


def test_cluster_without_capacity_under_unlimited_grid_cap():
    # Regression: a cluster with no installed compute yet and no grid cap gave inf/inf = NaN
    # tranche capacities and a ValueError. It must carry nothing, and the run must succeed.
    import sim
    from tests.conftest import SCENARIOS

    scenario = sim.load_scenario(
        SCENARIOS / "east_data_west_compute.yaml",
        overrides={
            "horizon.end": "2024-01-31",
            # not built until 2025 (zero before the first point, flat after)
            "clusters.yangtze-demo-zone.fleet": {
                "general": {
                    "hardware": {"general-server": 1.0},
                    "capacity": {"2024-12-31": "0 MW", "2025-01-01": "100 MW"},
                }
            },
            "dispatch.policy": "optimize",
            "targets": [],  # the 2025 PUE target lies outside this January-2024 horizon
        },
    )
    ds = sim.run(scenario)
    served = ds["served_eflops"].sel(cluster="yangtze-demo-zone")
    assert float(ds["capacity_eflops"].sel(cluster="yangtze-demo-zone").max()) == 0.0
    assert float(served.max()) == 0.0
    assert np.isfinite(ds["energy_mwh"].values).all()


def test_stranded_capacity_per_cluster_and_year(two_sites):
    # Only training demand (6 EFLOPS from the east), which goes to the cheaper west
    # (0.3 vs 0.6 CNY/kWh; 10 EFLOPS there). Over 1 Jan - 1 Mar 2025 (60 days =
    # 1,440 h) the east's 10 EFLOPS serve nothing: stranded 1,440 h, time mean
    # 10 EFLOPS; the west serves every hour: 0 h, 0 EFLOPS.
    del two_sites["demand"]["classes"]["realtime_inference"]
    two_sites["horizon"]["end"] = "2025-03-01"
    s = sim.summarize(sim.run(sim.load_scenario(two_sites)))
    np.testing.assert_allclose(s["stranded_hours"].sel(year=2025).values, [1440.0, 0.0])
    np.testing.assert_allclose(
        s["stranded_capacity_mean_eflops"].sel(year=2025).values, [10.0, 0.0], atol=1e-9
    )
