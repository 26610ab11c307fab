"""The public record: published figures rebuilt from their published inputs
(validation/record.yaml), each within its tolerance; `suanli check-record` prints them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim.record import VALIDATION_DIR, check_record, record_table
from tests.conftest import ROOT

CHECKS = check_record()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_published_figure_is_rebuilt(check):
    assert check.ok, f"{check.name}: {check.simulated:.4g} vs {check.published:.4g} {check.unit}"


def test_hand_figures():
    by_name = {c.name: c for c in CHECKS}
    # Frontier: 1.102e18 FLOPS / 52.23e9 FLOPS/W = 21.099 MW [S37]
    frontier_mw = 1.102e18 / 52.23e9 / 1e6
    assert by_name["Frontier HPL power, June 2022"].simulated == pytest.approx(frontier_mw)
    # Zhejiang: 18e18 / 5.66e9 W x 1.1 x 8760 h = 30.645 TWh (seed 002)
    got = by_name["Zhejiang seed estimate, +18 EFLOPS"].simulated
    assert got == pytest.approx(18e18 / 5.66e9 * 1.1 * 8760 / 1e12)
    # LBNL high: 132 GW x 0.5 x 8784 h = 579.7 TWh [S60]
    assert by_name["LBNL US 2028, high case"].simulated == pytest.approx(132 * 0.5 * 8784 / 1e3)


def test_table_and_command_agree():
    table = record_table(CHECKS)
    assert table.count("\n") == len(CHECKS) + 1
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "check-record", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["name"] for r in rows] == [c.name for c in CHECKS]
    print("\n" + table)  # the table shown in the README (pytest -s)


def test_every_validation_scenario_is_checked():
    named = {
        c["scenario"]
        for c in __import__("yaml").safe_load(
            (VALIDATION_DIR / "record.yaml").read_text(encoding="utf-8")
        )["checks"]
    }
    assert named == {p.name for p in VALIDATION_DIR.glob("*.yaml")} - {"record.yaml"}
