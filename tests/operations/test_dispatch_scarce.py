"""The default engine against the exact LP on seeded scarce instances (issue 12).

Guarantees stated in issue 12 ("Dispatch that is exact under scarcity"): on
random scarce instances the default engine's objective (unmet penalty
included) is within 1 % of the LP's at the median and within 3 % on every
instance, and it never leaves more than 0.5 % of demand unmet beyond the LP.
A small seeded set here (2 instances per family, 72 h); the benchmark
(benchmarks/bench_dispatch.py) runs the full 168 h families.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.operations.dispatch import DEFAULT_ENGINE, constraint_violations, dispatch
from tests.scarce_instances import FAMILIES, scarce_instance, scarce_set

MEDIAN_GAP = 0.01  # issue 12
MAX_GAP = 0.03  # issue 12
MAX_EXTRA_UNMET = 0.005  # share of demand, issue 12


@pytest.fixture(scope="module")
def solved():
    out = []
    for family, seed, pb in scarce_set(2, n_t=72):
        out.append((family, seed, pb, dispatch(pb, DEFAULT_ENGINE), dispatch(pb, "lp")))
    return out


def test_default_engine_within_the_stated_gaps_of_the_lp(solved):
    gaps = np.array([res.objective / lp.objective - 1.0 for *_, res, lp in solved])
    extra = np.array(
        [
            (res.unmet_eflops.sum() - lp.unmet_eflops.sum()) / pb.demand_eflops.sum()
            for _, _, pb, res, lp in solved
        ]
    )
    assert gaps.min() >= -1e-7  # the LP is exact: nothing beats it
    assert np.median(gaps) <= MEDIAN_GAP
    assert gaps.max() <= MAX_GAP
    assert extra.max() <= MAX_EXTRA_UNMET


def test_every_engine_respects_every_constraint(solved):
    for _, _, pb, res, lp in solved:
        for r in (res, lp, dispatch(pb, "greedy")):
            bad = {k: v for k, v in constraint_violations(pb, r).items() if v > 1e-6}
            assert not bad, (r.engine, bad)


def test_instances_are_scarce_and_seeded():
    # Scarcity by construction (module docstring): the scarce-power family caps
    # power-limited compute at <= 105 % of mean demand, so the daily peak (135 %
    # of the mean) cannot all be served at once; same seed, same instance.
    pb = scarce_instance("scarce_power", 3, n_t=48)
    again = scarce_instance("scarce_power", 3, n_t=48)
    np.testing.assert_array_equal(pb.demand_eflops, again.demand_eflops)
    lp = dispatch(pb, "lp")
    assert lp.unmet_eflops.sum() > 0
    with pytest.raises(ValueError, match="unknown family"):
        scarce_instance("plenty", 0)
    assert len(FAMILIES) == 4
