"""The ``targets:`` section (sim.targets): parsing, and met / missed with the margin
against a run (the app's whatif.evaluate_targets), on DESIGN.md's minimal scenario."""

from __future__ import annotations

import math

import pytest

import sim
from tests.app.test_app import app_module, metric, start
from tests.conftest import SCENARIOS

# DESIGN.md minimal scenario: 1 EFLOPS (fp16) of gpu-a (an accelerator: intelligent
# kind) at PUE 1.0: 0.7078 MW x 8760 h = 6.200 GWh = 0.006200 TWh in 2025.
MINIMAL_TWH = 1e18 / 989e12 * 700 / 1e6 * 8760 / 1e6


def evaluate(minimal, targets):
    minimal["targets"] = targets
    scenario = sim.load_scenario(minimal)
    ds = sim.run(scenario)
    whatif = app_module("whatif")
    table = whatif.evaluate_targets(scenario.sections["targets"], ds, sim.summarize(ds))
    return table.set_index("measure")


def test_targets_met_or_missed_with_the_margin(minimal):
    table = evaluate(
        minimal,
        [
            {"capacity": "1.5 EFLOPS", "date": "2025-12-31"},  # 1 EFLOPS: missed by 0.5
            {"pue": 1.1, "year": 2025},  # 1.0: met by 0.1
            {"energy": "6 GWh", "year": 2025},  # 6.200 GWh: missed by 0.2 GWh
            {"renewable_share": 0.5, "year": 2025},  # no grid section: not computed
        ],
    )
    cap = table.loc["capacity"]
    assert (cap["achieved"], cap["met"]) == (pytest.approx(1.0), False)
    assert cap["margin"] == pytest.approx(-0.5)
    pue = table.loc["pue"]
    assert (pue["achieved"], pue["met"], pue["margin"]) == (1.0, True, pytest.approx(0.1))
    energy = table.loc["energy"]
    assert energy["target"] == pytest.approx(0.006)  # 6 GWh in TWh
    assert energy["met"] is False
    assert energy["margin"] == pytest.approx(0.006 - MINIMAL_TWH)  # -0.000200 TWh
    assert table.loc["renewable_share", "met"] is None
    assert math.isnan(table.loc["renewable_share", "achieved"])


def test_capacity_target_by_kind(minimal):
    table = evaluate(
        minimal,
        [
            {"capacity": "1 EFLOPS", "kind": "intelligent", "date": "2025-06-30"},
            {"capacity": "1 EFLOPS", "kind": "智能", "date": "2025-06-30"},  # the same kind
        ],
    )
    assert list(table["kind"]) == ["intelligent", "intelligent"]
    assert list(table["met"]) == [True, True]  # exactly 1 EFLOPS: met, margin 0
    assert list(table["margin"]) == [pytest.approx(0.0, abs=1e-12)] * 2


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"capacity": "1 EFLOPS", "pue": 1.2, "date": "2025-12-31"}, "one measure"),
        ({"capacity": "1 EFLOPS"}, "no date"),
        ({"capacity": "1 EFLOPS", "date": "2026-01-01"}, "date outside the horizon"),
        ({"pue": 1.2, "year": 2030}, "year outside the horizon"),
        ({"pue": 1.2, "date": "2025-12-31"}, "takes a year"),
        ({"pue": 1.2, "year": 2025, "kind": "general"}, "only a capacity target"),
        ({"renewable_share": 1.5, "year": 2025}, "targets.0.renewable_share"),
        ({"energy": "5 EFLOPS", "year": 2025}, "targets.0.energy"),
        ({"pue": 1.2, "year": 2025, "goal": 1}, "goal"),
    ],
)
def test_bad_targets_name_the_field(minimal, target, message):
    minimal["targets"] = [target]
    with pytest.raises(sim.ScenarioError, match=message):
        sim.load_scenario(minimal)


def test_app_shows_the_zhejiang_target_missed():
    at = start("zhejiang_2025.yaml")
    # the base models only the +18 EFLOPS added: 18 of the 100 EFLOPS intelligent target
    shown = metric(at, "100 EFLOPS of intelligent compute")
    assert shown.value == "missed"
    assert shown.delta == "-82 EFLOPS"
    # today's 82 EFLOPS split by kind: intelligent 44 EFLOPS (variant today-by-kind)
    at.sidebar.selectbox(key="variant.en").set_value("today-by-kind").run()
    scenario = sim.load_scenario(SCENARIOS / "zhejiang_2025.yaml", variant="today-by-kind")
    ds = sim.run(scenario)
    intelligent = float(ds["kind_capacity_eflops"].sel(kind="intelligent").isel(time=-1).sum())
    assert intelligent == pytest.approx(44, abs=0.5)  # the variant's own description
    assert (
        metric(at, "100 EFLOPS of intelligent compute").delta == f"{intelligent - 100:+,.3g} EFLOPS"
    )
