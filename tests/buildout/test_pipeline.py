"""Build-out pipeline: hand-computed commissioning dates, shocks, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from sim.buildout.pipeline import (
    additions_to_dataset,
    delivery_schedule,
    monte_carlo_summary,
    run_monte_carlo,
    simulate_pipeline,
)
from sim.scenario.pipeline_spec import (
    Duration,
    ExportControl,
    GridFreeze,
    GridRegion,
    PipelineHardware,
    PipelineSpec,
    Project,
    Supply,
    Target,
    Tariff,
)

# Round hardware so hand calculations stay exact: 1 EFLOPS = 1000 accelerators.
HW = {
    "gpu": PipelineHardware("gpu", peak_tflops=1000.0, power_w=700.0, price_cny=200_000.0),
    "dom": PipelineHardware("dom", peak_tflops=300.0, power_w=350.0),
}
D = np.datetime64


def spec(projects, supply=(), grid=None, shocks=(), targets=(), baseline=None):
    return PipelineSpec(
        start="2025-01-01",
        end="2026-12-31",
        hardware=HW,
        projects=projects,
        supply=supply,
        grid_regions=grid or [GridRegion("east", 0.0, initial_mw=1000.0)],
        shocks=shocks,
        targets=targets,
        baseline_eflops=baseline or {},
    )


def project(**kw):
    base = dict(
        name="p",
        cluster="zj",
        grid_region="east",
        hardware="gpu",
        capacity_eflops=1.0,
        announce="2025-01-01",
    )
    base.update(kw)
    return Project(**base)


def test_one_project_fixed_durations_commission_date():
    # announce 2025-01-01 + permit 30 d + construct 100 d = day 130 = 2025-05-11
    # (Jan 31 + Feb 28 + Mar 31 + Apr 30 = 120 d to May 1). Grid and chips are
    # ready, install 20 d: commissioned on day 150 = 2025-05-31.
    p = project(
        permit=Duration.fixed(30), construct=Duration.fixed(100), install=Duration.fixed(20)
    )
    adds = simulate_pipeline(spec([p], supply=[Supply("gpu", 0, initial=1000)]), None)
    assert len(adds) == 1
    a = adds[0]
    assert a.date == D("2025-05-31")
    assert a.capacity_eflops == pytest.approx(1.0)  # 1000 x 1000 TFLOPS
    assert a.accelerators == pytest.approx(1000.0)  # 1 EFLOPS / 1 PFLOPS
    assert a.it_power_mw == pytest.approx(0.7)  # 1000 x 700 W
    assert a.capex_cny == pytest.approx(2.0e8)  # 1000 x 200,000 CNY
    assert a.precision == "fp16"
    assert a.as_dict()["date"] == "2025-05-31"


def test_grid_queue_monthly_release():
    # 12 MW/yr = 1 MW on the first of each month; the project needs 2.5 MW,
    # so it connects when the third MW arrives: 2025-03-01.
    p = project(grid_mw=2.5)
    s = spec([p], supply=[Supply("gpu", 0, initial=1000)], grid=[GridRegion("east", 12.0)])
    (a,) = simulate_pipeline(s, None)
    assert a.date == D("2025-03-01")


def test_grid_connection_sized_by_pue():
    # eq. (3): 1000 accelerators x 700 W x 1.0 x PUE 1.5 = 1.05 MW; at 1 MW a
    # month the second release (2025-02-01) is the first with enough.
    p = project(pue=1.5)
    s = spec([p], supply=[Supply("gpu", 0, initial=1000)], grid=[GridRegion("east", 12.0)])
    (a,) = simulate_pipeline(s, None)
    assert a.date == D("2025-02-01")


def test_grid_freeze_delays_connection():
    # 1 MW on 2025-01-01, no releases Feb-Apr (frozen), 1 MW on 2025-05-01:
    # a 1.5 MW request is served on 2025-05-01 (without the freeze: 2025-02-01).
    p = project(grid_mw=1.5)
    grid = [GridRegion("east", 12.0)]
    sup = [Supply("gpu", 0, initial=1000)]
    (free,) = simulate_pipeline(spec([p], supply=sup, grid=grid), None)
    assert free.date == D("2025-02-01")
    shock = GridFreeze("east", "2025-02-01", "2025-04-30")
    (frozen,) = simulate_pipeline(spec([p], supply=sup, grid=grid, shocks=[shock]), None)
    assert frozen.date == D("2025-05-01")


def test_tranches_wait_for_quarterly_deliveries():
    # Two tranches of 500 accelerators; 300 delivered each quarter:
    # Jan 1: 300, Apr 1: 600 -> tranche 1 (100 left), Jul 1: 400, Oct 1: 700 -> tranche 2.
    p = project(tranches=2)
    adds = simulate_pipeline(spec([p], supply=[Supply("gpu", 300)]), None)
    assert [a.date for a in adds] == [D("2025-04-01"), D("2025-10-01")]
    assert [a.capacity_eflops for a in adds] == pytest.approx([0.5, 0.5])


def test_export_control_halves_deliveries_after_its_date():
    # 1000 a quarter; a 50 % cut from 2025-07-01: Q1, Q2 1000 each, Q3, Q4 500.
    shock = ExportControl("gpu", "2025-07-01", supply_cut=0.5)
    s = spec([], supply=[Supply("gpu", 1000)], shocks=[shock])
    got = [(d, a) for d, h, a in delivery_schedule(s) if d <= D("2025-12-31")]
    assert got == [
        (D("2025-01-01"), 1000.0),
        (D("2025-04-01"), 1000.0),
        (D("2025-07-01"), 500.0),
        (D("2025-10-01"), 500.0),
    ]
    # Through projects: a demand-unconstrained project of 100 tranches of
    # 100 accelerators commissions 4000 in 2025 without the cut (4 EFLOPS) and
    # 1000 + 1000 + 500 + 500 = 3000 with it (3 EFLOPS); after the date,
    # 1000 instead of 2000: halved.
    p = project(capacity_eflops=10.0, tranches=100)

    def by_half(shocks):
        adds = simulate_pipeline(spec([p], supply=[Supply("gpu", 1000)], shocks=shocks), None)
        h1 = sum(a.capacity_eflops for a in adds if a.date < D("2025-07-01"))
        h2 = sum(a.capacity_eflops for a in adds if D("2025-07-01") <= a.date <= D("2025-12-31"))
        return h1, h2

    assert by_half([]) == pytest.approx((2.0, 2.0))
    assert by_half([shock]) == pytest.approx((2.0, 1.0))


def test_switch_to_domestic_keeps_power_envelope():
    # A tranche of 500 gpu waits (no gpu supply). On 2025-07-01 an export control
    # switches it to "dom": eq. (2) n = 500 x 700 W / 350 W = 1000 dom, whose
    # capacity is 1000 x 300 TFLOPS = 0.3 EFLOPS (not 0.5).
    p = project(tranches=2)
    shock = ExportControl("gpu", "2025-07-01", supply_cut=1.0, switch_to="dom")
    s = spec([p], supply=[Supply("dom", 0, initial=5000)], shocks=[shock])
    adds = simulate_pipeline(s, None)
    assert [a.date for a in adds] == [D("2025-07-01"), D("2025-07-01")]
    assert [a.hardware for a in adds] == ["dom", "dom"]
    assert [a.accelerators for a in adds] == pytest.approx([1000.0, 1000.0])
    assert sum(a.capacity_eflops for a in adds) == pytest.approx(0.6)
    assert sum(a.it_power_mw for a in adds) == pytest.approx(0.7)  # same IT power


def test_project_ready_after_switch_requests_alternative():
    # Ready on day 200 (2025-07-20), after the 2025-07-01 switch: it never
    # queues for gpu, and gets 2000 dom from stock at once (0.6 EFLOPS).
    p = project(construct=Duration.fixed(200))
    shock = ExportControl("gpu", "2025-07-01", supply_cut=1.0, switch_to="dom")
    s = spec([p], supply=[Supply("gpu", 1000), Supply("dom", 0, initial=5000)], shocks=[shock])
    (a,) = simulate_pipeline(s, None)
    assert a.date == D("2025-07-20")
    assert a.hardware == "dom"
    assert a.capacity_eflops == pytest.approx(0.6)


def test_tariff_raises_capex_after_its_date():
    # 500 accelerators a tranche at 200,000 CNY; +25 % from 2025-04-01.
    # Tranche 1 bought 2025-01-01: 1.0e8 CNY; tranche 2 bought 2025-04-01: 1.25e8 CNY.
    p = project(tranches=2)
    shock = Tariff("gpu", "2025-04-01", price_increase=0.25)
    adds = simulate_pipeline(spec([p], supply=[Supply("gpu", 500)], shocks=[shock]), None)
    assert [a.date for a in adds] == [D("2025-01-01"), D("2025-04-01")]
    assert [a.capex_cny for a in adds] == pytest.approx([1.0e8, 1.25e8])


def test_dataset_by_cluster_hardware_month():
    p = project(tranches=2)
    s = spec([p], supply=[Supply("gpu", 300)])
    ds = additions_to_dataset(simulate_pipeline(s, None), s)
    assert ds.sizes["time"] == 24  # 2025-01 .. 2026-12
    added = ds["commissioned_eflops"].sel(cluster="zj", hardware="gpu")
    assert float(added.sel(time="2025-04-01")) == pytest.approx(0.5)
    assert float(added.sel(time="2025-10-01")) == pytest.approx(0.5)
    total = ds["capacity_added_eflops"].sel(cluster="zj", hardware="gpu")
    assert float(total.sel(time="2025-09-01")) == pytest.approx(0.5)
    assert float(total.sel(time="2026-12-01")) == pytest.approx(1.0)
    for name in ds.data_vars:
        assert ds[name].attrs["units"] == "EFLOPS"
        assert ds[name].attrs["long_name"]


def random_spec(**kw):
    p1 = project(
        name="a",
        permit=Duration("uniform", (30, 120)),
        construct=Duration("triangular", (180, 270, 450)),
        tranches=2,
    )
    p2 = project(name="b", construct=Duration("lognormal", (300, 0.3)), capacity_eflops=2.0)
    return spec(
        [p1, p2],
        supply=[Supply("gpu", 1000)],
        grid=[GridRegion("east", 12.0)],
        targets=[Target("t", 4.0, "2025-12-31")],
        baseline={"zj": 1.0},
        **kw,
    )


def test_same_seed_identical_different_seeds_differ():
    s = random_spec()
    a = run_monte_carlo(s, seed=7, n_samples=20)
    b = run_monte_carlo(s, seed=7, n_samples=20)
    c = run_monte_carlo(s, seed=8, n_samples=20)
    assert a.identical(b)
    assert not np.array_equal(
        a["capacity_online_eflops"].values, c["capacity_online_eflops"].values
    )
    # A sample's result does not depend on how many samples run (spawned seeds).
    d = run_monte_carlo(s, seed=7, n_samples=5)
    assert np.array_equal(
        d["capacity_online_eflops"].values, a["capacity_online_eflops"].values[:5]
    )


def test_monte_carlo_quantiles_and_target_probability():
    s = random_spec()
    ds = run_monte_carlo(s, seed=1, n_samples=50)
    summ = monte_carlo_summary(ds)
    q = summ["capacity_online_eflops"]
    assert (q.sel(quantile=0.1) <= q.sel(quantile=0.5) + 1e-12).all()
    assert (q.sel(quantile=0.5) <= q.sel(quantile=0.9) + 1e-12).all()
    # Baseline 1 EFLOPS + at most 3 EFLOPS of projects: 4 EFLOPS at most. By
    # end-2026 project "a" is online in every sample (ready by 120 + 450 d =
    # 2026-07-25 at the latest; 7000 chips delivered by then, 3000 asked for),
    # while "b" (lognormal) may still be building: at least 1 + 1 EFLOPS.
    last = ds["capacity_online_eflops"].sum("cluster").isel(time=-1)
    assert float(last.max()) <= 4.0 + 1e-9
    assert float(last.min()) >= 2.0 - 1e-9
    prob = float(summ["target_probability"].sel(target="t"))
    reached = ds["target_reached"].sel(target="t").values
    assert prob == pytest.approx(reached.mean())
    assert 0.0 <= prob <= 1.0


def test_deterministic_target_probability():
    # Fixed durations: commissioned 2025-05-31 (as in the first test), with a
    # 0.5 EFLOPS baseline: 1.5 EFLOPS on 2025-05-31, not yet on 2025-05-30.
    p = project(
        permit=Duration.fixed(30), construct=Duration.fixed(100), install=Duration.fixed(20)
    )
    s = spec(
        [p],
        supply=[Supply("gpu", 0, initial=1000)],
        targets=[Target("on-time", 1.5, "2025-05-31"), Target("early", 1.5, "2025-05-30")],
        baseline={"zj": 0.5},
    )
    summ = monte_carlo_summary(run_monte_carlo(s, seed=0, n_samples=3))
    assert float(summ["target_probability"].sel(target="on-time")) == 1.0
    assert float(summ["target_probability"].sel(target="early")) == 0.0
    assert float(summ["capacity_at_target_eflops"].sel(target="early", quantile=0.5)) == 0.5


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Duration("gamma", (1.0,)), "unknown"),
        (lambda: Duration("triangular", (3.0, 1.0, 2.0)), "low <= mode <= high"),
        (lambda: project(capacity_eflops=0.0), "capacity_eflops"),
        (lambda: project(announce="soon"), "not a date"),
        (lambda: ExportControl("gpu", "2025-01-01", supply_cut=1.5), "supply_cut"),
        (lambda: spec([project(hardware="tpu")]), "not in catalog"),
        (lambda: spec([project(grid_region="west")]), "grid region"),
        (lambda: Duration("uniform", (1.0, 2.0)).draw(None), "Generator"),
    ],
)
def test_bad_input_is_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()
