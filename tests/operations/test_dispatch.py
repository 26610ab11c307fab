"""Dispatch engines: hand-solvable cases, properties, greedy against the LP.

Every expected value is worked out by hand beside the assertion. Units:
compute in EFLOPS, one step = 1 h, costs per EFLOPS-h ("c.u." = cost units).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.operations.demand import eligibility, latency_ms
from sim.operations.dispatch import (
    DispatchProblem,
    constraint_violations,
    dispatch,
    dispatch_greedy,
    dispatch_lp,
    power_capped_capacity_eflops,
    stay_local_eligibility,
    stranded_mask,
    unit_cost,
)

ENGINES = ["hybrid", "greedy", "lp"]
TOL = 1e-6


def _ok(problem, result):
    bad = {k: v for k, v in constraint_violations(problem, result).items() if v > TOL}
    assert not bad, bad


@pytest.mark.parametrize("engine", ENGINES)
def test_merit_order_two_clusters(engine):
    # one class, one origin, two clusters, one hour.
    # A: cost 2, capacity 10; B: cost 1, capacity 3; demand 5.
    # Cheapest first: B takes 3, A the remaining 2. Objective 3*1 + 2*2 = 7.
    pb = DispatchProblem(
        demand_eflops=[[[5.0]]],
        capacity_eflops=[[10.0], [3.0]],
        tranche_price=[[2.0], [1.0]],
        eligible=[[[True, True]]],
        window_steps=[0],
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    np.testing.assert_allclose(r.served_eflops[0, :, 0], [2.0, 3.0], atol=TOL)
    assert r.objective == pytest.approx(7.0)
    assert r.unmet_eflops.sum() == pytest.approx(0.0, abs=TOL)


@pytest.mark.parametrize("engine", ENGINES)
def test_latency_bound_keeps_realtime_local(engine):
    # Origin at cluster A (latency 0 ms); cluster B is 25 ms away and cheaper.
    # Class 0 (<= 20 ms) must stay at A: 4 EFLOPS * cost 3 = 12.
    # Class 1 (<= 100 ms) goes to cheap B: 2 EFLOPS * cost 1 = 2. Total 14.
    lat = np.array([[0.0, 25.0]])
    elig = eligibility(lat, [20.0, 100.0])
    assert elig.tolist() == [[[True, False]], [[True, True]]]
    pb = DispatchProblem(
        demand_eflops=[[[4.0]], [[2.0]]],
        capacity_eflops=[[10.0], [10.0]],
        tranche_price=[[3.0], [1.0]],
        eligible=elig,
        window_steps=[0, 0],
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    np.testing.assert_allclose(r.served_eflops[:, :, 0], [[4.0, 0.0], [0.0, 2.0]], atol=TOL)
    assert r.objective == pytest.approx(14.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_deferral_to_cheapest_hour(engine):
    # One cluster, 4 hours, cost [4, 3, 1, 2], capacity 10; 6 EFLOPS arrive in
    # hour 0 and may wait 2 h (hours 0..2). Cheapest in window: hour 2 (cost 1).
    # Objective 6 * 1 = 6. Backlog: 6 after hour 0, 6 after hour 1, 0 after.
    pb = DispatchProblem(
        demand_eflops=[[[6.0, 0.0, 0.0, 0.0]]],
        capacity_eflops=[[10.0] * 4],
        tranche_price=[[4.0, 3.0, 1.0, 2.0]],
        eligible=[[[True]]],
        window_steps=[2],
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    np.testing.assert_allclose(r.served_eflops[0, 0], [0, 0, 6, 0], atol=TOL)
    np.testing.assert_allclose(r.backlog_eflops[0, 0], [6, 6, 0, 0], atol=TOL)
    assert r.objective == pytest.approx(6.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_deferral_with_capacity_limit(engine):
    # As above but hour 2 has capacity 4: 4 at hour 2 (cost 1) and the other
    # 2 at the next cheapest hour in the window, hour 1 (cost 3).
    # Objective 4*1 + 2*3 = 10. Hour 3 (cost 2) is outside the window.
    pb = DispatchProblem(
        demand_eflops=[[[6.0, 0.0, 0.0, 0.0]]],
        capacity_eflops=[[10.0, 10.0, 4.0, 10.0]],
        tranche_price=[[4.0, 3.0, 1.0, 2.0]],
        eligible=[[[True]]],
        window_steps=[2],
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    np.testing.assert_allclose(r.served_eflops[0, 0], [0, 2, 4, 0], atol=TOL)
    assert r.objective == pytest.approx(10.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_unmet_when_capacity_short(engine):
    # Demand 5, capacity 3 at cost 1, no deferral, penalty 100 per EFLOPS-h:
    # 3 served, 2 unmet. Objective 3*1 + 2*100 = 203.
    pb = DispatchProblem(
        demand_eflops=[[[5.0]]],
        capacity_eflops=[[3.0]],
        tranche_price=[[1.0]],
        eligible=[[[True]]],
        window_steps=[0],
        unmet_penalty_per_eflops_h=100.0,
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    assert r.unmet_eflops.sum() == pytest.approx(2.0)
    assert r.objective == pytest.approx(203.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_deferred_demand_expires_at_horizon_end(engine):
    # 2 h horizon, window 5 h; hour 1 has no capacity: the 3 EFLOPS arriving
    # in hour 1 cannot be served before the horizon ends and are unmet in
    # hour 1; the 1 EFLOPS of hour 0 is served in hour 0.
    pb = DispatchProblem(
        demand_eflops=[[[1.0, 3.0]]],
        capacity_eflops=[[5.0, 0.0]],
        tranche_price=[[1.0, 1.0]],
        eligible=[[[True]]],
        window_steps=[5],
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    np.testing.assert_allclose(r.unmet_eflops[0, 0], [0.0, 3.0], atol=TOL)
    np.testing.assert_allclose(r.served_eflops[0, 0], [1.0, 0.0], atol=TOL)


@pytest.mark.parametrize("engine", ENGINES)
def test_three_clusters_with_link_limit(engine):
    # Origin E; clusters E (cost 3), W1 (cost 1, link capped at 2 EFLOPS),
    # W2 (cost 2). Demand 6: W1 takes 2 (its link is full), W2 the other 4.
    # Objective 2*1 + 4*2 = 10.
    pb = DispatchProblem(
        demand_eflops=[[[6.0]]],
        capacity_eflops=[[10.0], [10.0], [10.0]],
        tranche_price=[[3.0], [1.0], [2.0]],
        eligible=[[[True, True, True]]],
        window_steps=[0],
        link_capacity_eflops=[[np.inf, 2.0, np.inf]],
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    np.testing.assert_allclose(r.flow_eflops[0, :, 0], [0.0, 2.0, 4.0], atol=TOL)
    assert r.objective == pytest.approx(10.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_shared_inter_hub_link(engine):
    # Origins A and B (eastern hub) share one link of 3 EFLOPS to the western
    # cluster W (cost 1); the eastern cluster E costs 3. Demand 2 + 2 = 4:
    # 3 cross the link to W, 1 stays at E. Objective 3*1 + 1*3 = 6.
    pb = DispatchProblem(
        demand_eflops=[[[2.0], [2.0]]],
        capacity_eflops=[[10.0], [10.0]],
        tranche_price=[[3.0], [1.0]],
        eligible=np.ones((1, 2, 2), bool),
        window_steps=[0],
        link_group=[[-1, 0], [-1, 0]],
        link_group_capacity_eflops=[3.0],
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    assert r.flow_eflops[:, 1, 0].sum() == pytest.approx(3.0)
    assert r.objective == pytest.approx(6.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_power_tranches(engine):
    # Cluster 0: renewable tranche (cost 0, powers 2 EFLOPS), grid tranche
    # (cost 5); cluster 1: grid only (cost 3). Demand 4:
    # 2 on cluster 0's renewables (0), 2 on cluster 1 (2*3 = 6). Objective 6.
    inf = np.inf
    pb = DispatchProblem(
        demand_eflops=[[[4.0]]],
        capacity_eflops=[[10.0], [10.0]],
        tranche_price=[[[0.0], [5.0]], [[3.0], [3.0]]],
        tranche_capacity_mw=[[[2.0], [inf]], [[0.0], [inf]]],
        eligible=[[[True, True]]],
        window_steps=[0],
    )
    r = dispatch(pb, engine)
    _ok(pb, r)
    np.testing.assert_allclose(r.tranche_mw[:, :, 0], [[2.0, 0.0], [0.0, 2.0]], atol=TOL)
    assert r.objective == pytest.approx(6.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_stay_local_baseline(engine):
    # Two origins with home clusters 0 and 1; cluster 1 is cheaper (1 vs 2).
    # Optimised: both origins' 3 EFLOPS go to cluster 1 -> 6*1 = 6.
    # Stay local: origin 0 serves at 0 (3*2 = 6), origin 1 at 1 (3*1 = 3) -> 9.
    elig = np.ones((1, 2, 2), bool)
    kwargs = dict(
        demand_eflops=[[[3.0], [3.0]]],
        capacity_eflops=[[10.0], [10.0]],
        tranche_price=[[2.0], [1.0]],
        window_steps=[0],
    )
    opt = dispatch(DispatchProblem(eligible=elig, **kwargs), engine)
    local_pb = DispatchProblem(eligible=stay_local_eligibility(elig, np.array([0, 1])), **kwargs)
    local = dispatch(local_pb, engine)
    _ok(local_pb, local)
    assert opt.objective == pytest.approx(6.0)
    assert local.objective == pytest.approx(9.0)
    np.testing.assert_allclose(local.flow_eflops[:, :, 0], [[3.0, 0.0], [0.0, 3.0]], atol=TOL)


@pytest.mark.parametrize("engine", ENGINES)
def test_no_eligible_cluster_is_unmet_not_an_error(engine):
    # A 5 ms class from an origin 1,000 km from every cluster: nothing can
    # serve it, so all 2 EFLOPS are unmet (no exception).
    pb = DispatchProblem(
        demand_eflops=[[[2.0, 2.0]]],
        capacity_eflops=[[10.0, 10.0]],
        tranche_price=[[1.0, 1.0]],
        eligible=[[[False]]],
        window_steps=[0],
    )
    r = dispatch(pb, engine)
    np.testing.assert_allclose(r.unmet_eflops[0, 0], [2.0, 2.0])


def test_power_capped_capacity_hand_calculation():
    # 10 EFLOPS draw 20 MW of IT power when busy, idle 20 %, PUE 1.25.
    # Cap 15 MW facility: u = (15 / (1.25 * 20) - 0.2) / 0.8 = (0.6 - 0.2) / 0.8 = 0.5
    # -> 5 EFLOPS. Cap 30 MW > 25 MW busy facility power -> all 10 EFLOPS.
    # Cap 4 MW < idle facility power 5 MW -> 0.
    got = power_capped_capacity_eflops(10.0, 20.0, 0.2, 1.25, np.array([15.0, 30.0, 4.0]))
    np.testing.assert_allclose(got, [5.0, 10.0, 0.0])


def test_unit_cost_hand_calculation():
    # 10 MWh per EFLOPS-h at 400 CNY/MWh and 0.6 tCO2/MWh:
    # cost 4,000 CNY; carbon 6 tCO2; mix at 100 CNY/tCO2: 4,000 + 600 = 4,600 CNY.
    assert unit_cost(10.0, 400.0, 0.6, "cost") == pytest.approx(4000.0)
    assert unit_cost(10.0, 400.0, 0.6, "carbon") == pytest.approx(6.0)
    assert unit_cost(10.0, 400.0, 0.6, "mix", 100.0) == pytest.approx(4600.0)


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="eligible"):
        DispatchProblem([[[1.0]]], [[1.0]], [[1.0]], [[[True, True]]], [0])
    with pytest.raises(ValueError, match="non-negative"):
        DispatchProblem([[[-1.0]]], [[1.0]], [[1.0]], [[[True]]], [0])


# --------------------------------------------------------------------------- properties


@st.composite
def problems(draw, ample=False, links=True):
    """Small random instances: <= 3 classes, origins, clusters; <= 24 h."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_w, n_o, n_c = (int(x) for x in rng.integers(1, 4, 3))
    n_k = int(rng.integers(1, 3))
    n_t = int(rng.integers(1, 25))
    d = rng.uniform(0, 1, (n_w, n_o, n_t))
    win = rng.integers(0, 6, n_w)
    cost = rng.uniform(0, 5, (n_c, n_k, n_t))
    tcap = rng.uniform(0, 2, (n_c, n_k, n_t))
    tcap[:, -1] = np.inf
    # pools: one per cluster, plus up to two more sharing a random cluster's power
    pool_cluster = np.concatenate([np.arange(n_c), rng.integers(0, n_c, int(rng.integers(0, 3)))])
    n_r = pool_cluster.size
    rate = rng.uniform(0.5, 2.0, (n_r, n_t)) if n_r > n_c else None
    elig = rng.random((n_w, n_o, n_r)) < 0.7
    if ample:
        # every pool could hold all demand of a whole window in one step
        elig[:, :, 0] = True
        cap = np.full((n_r, n_t), d.sum(axis=(0, 1)).max() * (win.max() + 1))
    else:
        cap = rng.uniform(0.5, 3, (n_r, n_t))
    link = group = group_cap = None
    if links:
        link = np.where(rng.random((n_o, n_c)) < 0.3, rng.uniform(0, 2, (n_o, n_c)), np.inf)
        # one shared link over a random set of the remaining pairs
        group = np.where(np.isinf(link) & (rng.random((n_o, n_c)) < 0.4), 0, -1)
        group_cap = rng.uniform(0, 3, 1)
    return DispatchProblem(
        d,
        cap,
        cost,
        elig,
        win,
        pool_cluster=pool_cluster,
        mw_per_eflops=rate,
        tranche_capacity_mw=tcap,
        link_capacity_eflops=link,
        link_group=group,
        link_group_capacity_eflops=group_cap,
        transfer_cost_per_eflops_h=rng.uniform(0, 1, (n_o, n_c)),
    )


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(problems())
def test_engines_respect_every_constraint(pb):
    # conservation (1), non-negativity, eligibility, capacities, links, windows
    g = dispatch(pb, "greedy")
    lp = dispatch(pb, "lp")
    _ok(pb, g)
    _ok(pb, lp)
    # the LP is exact: the heuristic can never beat it
    assert g.objective >= lp.objective * (1 - 1e-7) - 1e-7


# Stated gap: on instances where capacity never forces demand to be dropped
# (each cluster could hold a whole window's demand in one hour) the greedy's
# objective is within 25 % of the LP's. Measured on 1,500 random instances of
# this family: median 0 %, 99th percentile 6 %, worst 16 % (tiny instances;
# on the EDWC-sized benchmark the gap is ~0.1 %, see benchmarks/).
GREEDY_GAP = 0.25


@_SETTINGS
@given(problems(ample=True, links=False))
def test_greedy_within_stated_gap_of_lp(pb):
    g = dispatch(pb, "greedy")
    lp = dispatch(pb, "lp")
    assert g.unmet_eflops.sum() == pytest.approx(0.0, abs=1e-7)
    assert g.objective <= lp.objective * (1 + GREEDY_GAP) + 1e-7


def test_realtime_class_never_served_beyond_20_ms():
    # Real places: origins Beijing and Shanghai [S55]; clusters Zhangjiakou,
    # Wuhu, Gui'an, Zhongwei [S55]. Gui'an and Zhongwei are cheaper; the 20 ms
    # class may only land where latency <= 20 ms, whatever the price.
    o_lat, o_lon = [39.90, 31.23], [116.41, 121.47]
    c_lat, c_lon = [40.82, 31.33, 26.57, 37.52], [114.87, 118.38, 106.71, 105.18]
    # a route factor of 3 makes the western sites > 20 ms from Shanghai:
    # Shanghai-Gui'an ~1,500 km * 3 * 5 µs = 22.5 ms
    lat = latency_ms(o_lat, o_lon, c_lat, c_lon, route_factor=3.0)
    elig = eligibility(lat, [20.0, np.inf])
    rng = np.random.default_rng(3)
    n_t = 48
    pb = DispatchProblem(
        demand_eflops=rng.uniform(0, 2, (2, 2, n_t)),
        capacity_eflops=np.full((4, n_t), 3.0),
        tranche_price=np.array([5.0, 5.0, 1.0, 1.0])[:, None] * np.ones(n_t),
        eligible=elig,
        window_steps=[0, 6],
    )
    for engine in ENGINES:
        r = dispatch(pb, engine)
        _ok(pb, r)
        served_lat = np.where(r.placed_eflops[0] > TOL, lat[:, :, None], 0.0)
        assert served_lat.max() <= 20.0


@pytest.mark.parametrize("gather_max", [0.0, 1e9])  # the O(T) block scheme, the gather
def test_window_argmin_matches_brute_force(monkeypatch, gather_max):
    # earliest index of the minimum of values[t .. t + window], windows cut at the end;
    # few distinct values and many inf make ties the common case
    import sim.operations.dispatch as dispatch_module

    monkeypatch.setattr(dispatch_module, "_GATHER_MAX", gather_max)
    rng = np.random.default_rng(7)
    for _ in range(300):
        n, window = int(rng.integers(1, 40)), int(rng.integers(0, 30))
        values = rng.integers(0, 4, n).astype(float)
        values[rng.random(n) < rng.random()] = np.inf
        expected = np.array([t + int(np.argmin(values[t : t + window + 1])) for t in range(n)])
        at = np.flatnonzero(rng.random(n) < 0.5)
        assert np.array_equal(dispatch_module._window_argmin(values, window), expected)
        assert np.array_equal(dispatch_module._window_argmin(values, window, at), expected[at])


def test_request_order_is_lexsort():
    # requests by group, then room, then arrival; ties (equal room, negative
    # "boost" rooms, -0.0 vs 0.0) keep their input order, as np.lexsort does
    from sim.operations.dispatch import _request_order

    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(0, 60))
        group = rng.integers(0, 5, n)
        room = rng.choice([-2.0, -1.0, -0.0, 0.0, 0.5, 1.5, 1e6], n)
        ta = rng.integers(0, 8, n)
        assert np.array_equal(_request_order(group, room, ta), np.lexsort((ta, room, group)))


# --------------------------------------------------------------------------- pools


def _two_pool_problem():
    # Cluster 0 holds two pools sharing its power: pool 0 (intelligent, 2 MW per
    # EFLOPS served) and pool 1 (general, 1 MW per EFLOPS); cluster 1 holds pool 2
    # (intelligent, 1 MW per EFLOPS). Cluster 0: renewables 6 MW at 0 /MWh, grid
    # unlimited at 10 /MWh; cluster 1: grid only, 30 /MWh. One hour.
    # Class 0 (intelligent, 4 EFLOPS) may use pools 0 and 2; class 1 (general,
    # 2 EFLOPS) only pool 1.
    inf = np.inf
    return DispatchProblem(
        demand_eflops=[[[4.0]], [[2.0]]],
        capacity_eflops=[[10.0], [10.0], [10.0]],
        tranche_price=[[[0.0], [10.0]], [[0.0], [30.0]]],
        eligible=[[[True, False, True]], [[False, True, False]]],
        window_steps=[0, 0],
        pool_cluster=[0, 0, 1],
        mw_per_eflops=[[2.0], [1.0], [1.0]],
        tranche_capacity_mw=[[[6.0], [inf]], [[0.0], [inf]]],
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_pools_share_their_clusters_power(engine):
    # Per EFLOPS, class 0 costs 2 MW * 10 = 20 on pool 0's grid power against
    # 1 MW * 30 = 30 on pool 2: all 4 EFLOPS stay on pool 0 (8 MW). With pool 1's
    # 2 MW, cluster 0 draws 10 MW: 6 MW renewables (0) + 4 MW grid (4 * 10 = 40).
    # Objective 40; class 1 never leaves its kind's pool 1.
    pb = _two_pool_problem()
    r = dispatch(pb, engine)
    _ok(pb, r)
    np.testing.assert_allclose(r.served_eflops[:, :, 0], [[4, 0, 0], [0, 2, 0]], atol=TOL)
    np.testing.assert_allclose(r.tranche_mw[0, :, 0], [6.0, 4.0], atol=TOL)
    np.testing.assert_allclose(r.flow_eflops[0, :, 0], [6.0, 0.0], atol=TOL)  # 4 + 2 at cluster 0
    assert r.objective == pytest.approx(40.0)


def test_constraint_violations_checks_pools_and_power_independently():
    # A hand-made result: class 0 puts 11 EFLOPS on pool 0 (capacity 10) and
    # books no tranche power although pool 0 draws 2 MW per EFLOPS; class 1's
    # 2 EFLOPS go to pool 2, which its kind may not use.
    # Expected: pool capacity over by 11 - 10 = 1 EFLOPS; power balance off by
    # 2 * 11 = 22 MW at cluster 0 (2 MW at cluster 1); ineligible 2 EFLOPS;
    # conservation off by 11 - 4 = 7 EFLOPS for class 0.
    from sim.operations.dispatch import DispatchResult

    pb = _two_pool_problem()
    placed = np.zeros((2, 1, 3, 1))
    placed[0, 0, 0, 0] = 11.0
    placed[1, 0, 2, 0] = 2.0
    z = np.zeros((2, 1, 1))
    res = DispatchResult(placed, np.zeros((2, 2, 1)), z, z, 0.0, "hand", pb.pool_cluster)
    v = constraint_violations(pb, res)
    assert v["pool_capacity"] == pytest.approx(1.0)
    assert v["power_balance_mw"] == pytest.approx(22.0)
    assert v["ineligible"] == pytest.approx(2.0)
    assert v["conservation"] == pytest.approx(7.0)
    # tranche power above its capacity: 7 MW from 6 MW of renewables
    tranche = np.zeros((2, 2, 1))
    tranche[0, 0, 0] = 7.0
    res = DispatchResult(np.zeros_like(placed), tranche, z, z, 0.0, "hand", pb.pool_cluster)
    assert constraint_violations(pb, res)["tranche_capacity_mw"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- engines


def test_rolling_lp_carries_backlog_between_blocks():
    # One cluster, 10 h, cost 3 in even hours and 1 in odd hours, capacity 10;
    # 1 EFLOPS arrives every hour and may wait 1 h. Exact: every even arrival
    # waits for the next odd hour, every odd one runs at once: 10 EFLOPS-h at
    # cost 1 = 10, served [0, 2, 0, 2, ...]. Rolling blocks of 2 committed + 2
    # lookahead steps see each even hour's next odd hour, so they find the same.
    pb = DispatchProblem(
        demand_eflops=np.ones((1, 1, 10)),
        capacity_eflops=np.full((1, 10), 10.0),
        tranche_price=np.tile([3.0, 1.0], 5)[None, :],
        eligible=[[[True]]],
        window_steps=[1],
    )
    r = dispatch_lp(pb, block_steps=4, commit_steps=2, overlap_steps=2)
    _ok(pb, r)
    assert r.objective == pytest.approx(10.0)
    np.testing.assert_allclose(r.served_eflops[0, 0], np.tile([0.0, 2.0], 5), atol=TOL)
    np.testing.assert_allclose(r.backlog_eflops[0, 0], np.tile([1.0, 0.0], 5), atol=TOL)


def test_hybrid_repairs_the_greedy_under_scarcity():
    # Two clusters, one hour. Class 0 (2 EFLOPS) may use only cluster 0; class 1
    # (2 EFLOPS) either; cluster 0 (cost 1) holds 2 EFLOPS, cluster 1 (cost 5)
    # holds 1. Penalty 100 per EFLOPS-h. Exact: class 0 takes cluster 0, class 1
    # cluster 1 (1 EFLOPS) and 1 EFLOPS is unmet: 2*1 + 1*5 + 1*100 = 107.
    # Whatever the heuristic does, the hybrid re-solves the hour (demand is
    # unmet in it) and must reach 107.
    pb = DispatchProblem(
        demand_eflops=[[[2.0]], [[2.0]]],
        capacity_eflops=[[2.0], [1.0]],
        tranche_price=[[1.0], [5.0]],
        eligible=[[[True, False]], [[True, True]]],
        window_steps=[0, 0],
        unmet_penalty_per_eflops_h=100.0,
    )
    r = dispatch(pb, "hybrid")
    _ok(pb, r)
    assert r.objective == pytest.approx(107.0)
    np.testing.assert_allclose(r.served_eflops[:, :, 0], [[2.0, 0.0], [0.0, 1.0]], atol=TOL)


@_SETTINGS
@given(problems())
def test_hybrid_between_lp_and_greedy(pb):
    # The hybrid replaces its one-pass greedy only by exact LP blocks that join
    # it at both ends: never worse than that greedy, never better than the LP.
    g = dispatch_greedy(pb, passes=1)
    h, lp = (dispatch(pb, e) for e in ("hybrid", "lp"))
    _ok(pb, h)
    assert h.objective <= g.objective * (1 + 1e-9) + 1e-7
    assert h.objective >= lp.objective * (1 - 1e-7) - 1e-7


def test_stranded_mask_marks_long_idle_runs_only():
    # Cluster 0: installed 5 EFLOPS, idle in steps 2-5 (4 steps) and 8-9 (2 steps);
    # with a 3-step threshold only steps 2-5 are stranded. Cluster 1: nothing
    # installed in steps 0-4 (not stranded: no capacity), then idle 5-9 (5 steps).
    cap = np.array([[5.0] * 10, [0.0] * 5 + [2.0] * 5])
    served = np.array([[1, 1, 0, 0, 0, 0, 1, 1, 0, 0], [0] * 10], dtype=float)
    got = stranded_mask(cap, served, 3)
    assert got[0].tolist() == [False, False, True, True, True, True, False, False, False, False]
    assert got[1].tolist() == [False] * 5 + [True] * 5
