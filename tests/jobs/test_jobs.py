"""Job-level simulation: queueing theory, hand-traced schedules, energy, seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.jobs.engine import JobClass, JobCluster, JobTrace, generate_jobs, read_trace, simulate_jobs


def trace(submit, acc, dur, cls=None, origin=None, horizon_h=None):
    n = len(submit)
    t = JobTrace(
        submit_h=np.asarray(submit, float),
        accelerators=np.asarray(acc, np.int64),
        duration_h=np.asarray(dur, float),
        job_class=np.asarray(cls if cls is not None else [0] * n, np.int64),
        origin=np.asarray(origin if origin is not None else [0] * n, np.int64),
    )
    if horizon_h is not None:
        t.meta["horizon_h"] = horizon_h
    return t


def test_md1_mean_wait_matches_pollaczek_khinchine():
    # M/D/1: Poisson arrivals at 0.5 /h, service exactly 1 h, one accelerator.
    # rho = 0.5; P-K: W = rho * S / (2 (1 - rho)) = 0.5 * 1 / (2 * 0.5) = 0.5 h.
    # ~100,000 jobs: the sample mean is within a few per mille; tolerance 5 %.
    cl = [JobCluster("a", 1)]
    jc = [JobClass("x", "a", 0.5, size="fixed", size_params=(1.0,))]
    tr = generate_jobs(jc, cl, 200_000.0, np.random.default_rng(42))
    ds = simulate_jobs(tr, jc, cl)
    assert float(ds["mean_wait_h"].sel(job_class="x")) == pytest.approx(0.5, rel=0.05)
    # and the server is busy rho = 0.5 of the time (within 2 %)
    assert float(ds["mean_utilization"].sel(cluster="a")) == pytest.approx(0.5, rel=0.02)


# Hand-traced schedule on 4 accelerators:
#   J0 t=0   3 acc 4 h ; J1 t=1   4 acc 1 h ; J2 t=1.5 1 acc 2 h ; J3 t=2 1 acc 1 h
SCHED = dict(submit=[0.0, 1.0, 1.5, 2.0], acc=[3, 4, 1, 1], dur=[4.0, 1.0, 2.0, 1.0])


def test_fifo_hand_traced():
    # FIFO: J1 (4 acc) blocks until J0 ends at 4 and runs 4-5; J2 and J3 wait
    # behind it and both start at 5. Waits: 0, 3, 3.5, 3 h; mean 9.5/4.
    cl = [JobCluster("a", 4)]
    jc = [JobClass("x", "a", 0.0)]
    ds = simulate_jobs(trace(**SCHED), jc, cl, policy="fifo", quantiles=[0.0, 1.0])
    assert float(ds["mean_wait_h"][0]) == pytest.approx(9.5 / 4)
    assert ds["wait_h"].values[0].tolist() == pytest.approx([0.0, 3.5])


def test_sjf_backfill_hand_traced():
    # SJF + EASY backfill: at 1.5 the head J1 is reserved for t=4 (J0's end);
    # J2 ends at 3.5 <= 4, so it backfills at once. J3 (1 h) at 2 or 3.5 would
    # end after 4 and there is no spare accelerator at 4: it waits. J1 runs
    # 4-5, J3 5-6. Waits: 0, 3, 0, 3 h; mean 6/4.
    cl = [JobCluster("a", 4)]
    jc = [JobClass("x", "a", 0.0)]
    ds = simulate_jobs(trace(**SCHED), jc, cl, policy="sjf_backfill", quantiles=[0.0, 1.0])
    assert float(ds["mean_wait_h"][0]) == pytest.approx(6.0 / 4)
    assert ds["wait_h"].values[0].tolist() == pytest.approx([0.0, 3.0])


def test_sjf_runs_shortest_first():
    # One accelerator busy 0-1; at t=1 three jobs of 3, 1, 2 h wait (submitted at
    # 0.1, 0.2, 0.3). SJF runs them 1 h, 2 h, 3 h: starts at 1, 2, 4.
    # Waits: 0 (J0), 3.9 (3 h job starts at 4), 0.8 (1 h job), 1.7 (2 h job).
    cl = [JobCluster("a", 1)]
    jc = [JobClass("x", "a", 0.0)]
    tr = trace([0.0, 0.1, 0.2, 0.3], [1, 1, 1, 1], [1.0, 3.0, 1.0, 2.0])
    ds = simulate_jobs(tr, jc, cl, policy="sjf_backfill")
    assert float(ds["mean_wait_h"][0]) == pytest.approx((0 + 3.9 + 0.8 + 1.7) / 4)


def test_sla_violations():
    # FIFO schedule above with an SLA of 3.2 h: only J2 (3.5 h) violates it.
    cl = [JobCluster("a", 4)]
    jc = [JobClass("x", "a", 0.0, max_wait_h=3.2)]
    ds = simulate_jobs(trace(**SCHED), jc, cl)
    assert int(ds["sla_violations"][0]) == 1
    assert float(ds["sla_violation_share"][0]) == pytest.approx(0.25)


def test_utilization_power_energy_hand_computed():
    # 4 accelerators at 500 W, idle 0.2, PUE 1.5; one 2-accelerator job from
    # 0.5 h to 1.5 h; horizon 3 h.
    # Hours 0 and 1: busy 2 x 0.5 = 1 accelerator-h -> u = 0.25;
    #   P_IT = 4 x 500 W x (0.2 + 0.8 x 0.25) = 800 W = 0.0008 MW; facility 0.0012 MW.
    # Hour 2: u = 0 -> P_IT = 4 x 500 x 0.2 = 400 W = 0.0004 MW; facility 0.0006 MW.
    # Carbon at 0.5 tCO2/MWh: (0.0012 + 0.0012 + 0.0006) x 0.5 = 0.0015 t.
    cl = [JobCluster("a", 4, 500.0, idle_power=0.2, pue=1.5, carbon_tco2_per_mwh=0.5)]
    jc = [JobClass("x", "a", 0.0)]
    ds = simulate_jobs(trace([0.5], [2], [1.0]), jc, cl, horizon_h=3.0)
    assert ds["utilization"].values[0].tolist() == pytest.approx([0.25, 0.25, 0.0])
    assert ds["it_power_mw"].values[0].tolist() == pytest.approx([0.0008, 0.0008, 0.0004])
    assert ds["energy_mwh"].values[0].tolist() == pytest.approx([0.0012, 0.0012, 0.0006])
    assert float(ds["carbon_tco2"].sum()) == pytest.approx(0.0015)
    # mean utilisation over 3 h: 2 accelerator-h / (4 x 3) = 1/6
    assert float(ds["mean_utilization"][0]) == pytest.approx(1 / 6)
    for name in ds.data_vars:
        assert "units" in ds[name].attrs and ds[name].attrs["long_name"]
    assert str(ds["time"].values[0])[:13] == "2025-01-01T00"


def test_carbon_aware_deferral_hand_computed():
    # Carbon 0.8 tCO2/MWh except hours 3 and 4 (0.2). Window 6 h.
    # Job at 0.5 -> released at 3.0 (first least hour in [0.5, 6.5]): waits 2.5 h.
    # Job at 4.2 -> hour 4 is already least: runs at once.
    # Job at 5.5 -> hours 5..11 all 0.8: no better hour, runs at once.
    # Each runs 1 h on a 1000 W accelerator: 0.001 MWh per job.
    profile = [0.8] * 24
    profile[3] = profile[4] = 0.2
    cl = [JobCluster("a", 3, 1000.0, carbon_tco2_per_mwh=profile)]
    jc = [JobClass("x", "a", 0.0, defer_window_h=6.0)]
    tr = trace([0.5, 4.2, 5.5], [1, 1, 1], [1.0, 1.0, 1.0], horizon_h=8.0)
    aware = simulate_jobs(tr, jc, cl, policy="fifo+carbon_aware", quantiles=[1.0])
    plain = simulate_jobs(tr, jc, cl, policy="fifo", quantiles=[1.0])
    assert float(aware["mean_wait_h"][0]) == pytest.approx(2.5 / 3)
    assert float(aware["mean_deferral_h"][0]) == pytest.approx(2.5 / 3)
    # FIFO: job 1 in hours 0 (0.5 h) and 1 (0.5 h) at 0.8; job 2 0.8 h in hour 4
    # (0.2) and 0.2 h in hour 5 (0.8); job 3 in hours 5, 6 at 0.8.
    plain_t = 0.001 * (0.8 + (0.8 * 0.2 + 0.2 * 0.8) + 0.8)
    # aware: job 1 in hour 3 at 0.2; jobs 2 and 3 as before.
    aware_t = 0.001 * (0.2 + (0.8 * 0.2 + 0.2 * 0.8) + 0.8)
    assert float(plain["carbon_tco2"].sum()) == pytest.approx(plain_t)
    assert float(aware["carbon_tco2"].sum()) == pytest.approx(aware_t)


def test_offload_within_latency():
    # East and west, one accelerator each, 15 ms apart. Jobs at 0 and 0.5 h,
    # 1 h each, at east. East is busy at 0.5: with a 20 ms tolerance the second
    # job runs in the west at once; with 10 ms it waits 0.5 h in the east.
    cl = [JobCluster("east", 1), JobCluster("west", 1)]
    lat = [[0.0, 15.0], [15.0, 0.0]]
    tr = trace([0.0, 0.5], [1, 1], [1.0, 1.0])
    ok = [JobClass("x", "east", 0.0, max_latency_ms=20.0)]
    ds = simulate_jobs(tr, ok, cl, policy="fifo+offload", latency_ms=lat)
    assert int(ds["offloaded_jobs"][0]) == 1
    assert float(ds["mean_wait_h"][0]) == 0.0
    assert ds["jobs_run"].values.tolist() == [1, 1]
    tight = [JobClass("x", "east", 0.0, max_latency_ms=10.0)]
    ds = simulate_jobs(tr, tight, cl, policy="fifo+offload", latency_ms=lat)
    assert int(ds["offloaded_jobs"][0]) == 0
    assert float(ds["mean_wait_h"][0]) == pytest.approx(0.25)  # (0 + 0.5) / 2


def test_mean_utilization_equals_offered_load():
    # Lognormal sizes, median 4 accelerator-h, sigma 1: mean 4 e^(1/2) = 6.595
    # accelerator-h. 64 accelerators, target rho 0.6 -> lambda = 0.6 x 64 / 6.595
    # = 5.822 /h. Analytic offered load 0.6; the simulated mean utilisation over
    # 2,000 h matches it within 5 % (lognormal sample-mean error ~1.2 % for
    # ~11,600 jobs, plus work spilling past the horizon) and matches the
    # realised offered load of the drawn jobs within 2 %.
    mean_size = 4.0 * math.exp(0.5)
    lam = 0.6 * 64 / mean_size
    shape = [0.5] * 12 + [1.5] * 12  # daily shape: the mean rate is unchanged
    cl = [JobCluster("a", 64)]
    jc = [
        JobClass(
            "x", "a", lam, hourly_shape=shape, size_params=(4.0, 1.0), accelerators=(1, 2, 4, 8)
        )
    ]
    tr = generate_jobs(jc, cl, 2000.0, np.random.default_rng(3))
    ds = simulate_jobs(tr, jc, cl, policy="sjf_backfill")
    util = float(ds["mean_utilization"][0])
    assert util == pytest.approx(0.6, rel=0.05)
    assert util == pytest.approx(float(ds["offered_utilization"][0]), rel=0.02)


def test_hourly_shape_shapes_arrivals():
    # Rate 10 /h with shape 0 for hours 0-11 and 2 for hours 12-23 (mean 1):
    # no arrival in the first half of any day, 20 /h in the second half.
    shape = [0.0] * 12 + [2.0] * 12
    cl = [JobCluster("a", 8)]
    jc = [JobClass("x", "a", 10.0, hourly_shape=shape, size="fixed", size_params=(0.1,))]
    tr = generate_jobs(jc, cl, 240.0, np.random.default_rng(0))
    hod = np.floor(tr.submit_h) % 24
    assert (hod >= 12).all()
    # 10 days x 12 h x 20 /h = 2400 expected; Poisson sd ~49: within 5 sd.
    assert abs(len(tr) - 2400) < 250


def test_same_seed_identical_different_seeds_differ():
    cl = [JobCluster("a", 16, 700.0)]
    jc = [JobClass("x", "a", 2.0, size="pareto", size_params=(1.5, 1.0), accelerators=(1, 4))]

    def run(seed):
        tr = generate_jobs(jc, cl, 500.0, np.random.default_rng(seed))
        return simulate_jobs(tr, jc, cl)

    assert run(1).identical(run(1))
    assert not np.array_equal(run(1)["utilization"].values, run(2)["utilization"].values)


def test_trace_replay(tmp_path):
    # The FIFO hand schedule above, read from CSV.
    f = tmp_path / "trace.csv"
    f.write_text(
        "submit_h,accelerators,duration_h,job_class\n"
        "1.5,1,2,train\n0,3,4,train\n1,4,1,train\n2,1,1,infer\n"
    )
    cl = [JobCluster("a", 4)]
    jc = [JobClass("train", "a", 0.0), JobClass("infer", "a", 0.0)]
    tr = read_trace(f, jc, cl)
    assert tr.submit_h.tolist() == [0.0, 1.0, 1.5, 2.0]  # sorted on read
    ds = simulate_jobs(tr, jc, cl)
    # waits: train 0, 3, 3.5 -> mean 6.5/3; infer 3
    assert float(ds["mean_wait_h"].sel(job_class="train")) == pytest.approx(6.5 / 3)
    assert float(ds["mean_wait_h"].sel(job_class="infer")) == pytest.approx(3.0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("submit_h,accelerators,job_class\n0,1,x\n", "lacks column"),
        ("submit_h,accelerators,duration_h,job_class\n0,1,1,nope\n", "unknown class"),
        ("submit_h,accelerators,duration_h,job_class\n0,9,1,x\n", "row 2"),
        ("submit_h,accelerators,duration_h,job_class\n0,1,-1,x\n", "duration_h"),
    ],
)
def test_bad_trace_names_file_and_column(tmp_path, text, message):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(ValueError, match=message) as err:
        read_trace(f, [JobClass("x", "a", 0.0)], [JobCluster("a", 4)])
    assert "bad.csv" in str(err.value)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(policy="lifo"), "unknown"),
        (dict(policy="fifo+sjf_backfill"), "not both"),
        (dict(policy="fifo+offload"), "latency_ms"),
    ],
)
def test_bad_policy_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_jobs(
            trace([0.0], [1], [1.0]), [JobClass("x", "a", 0.0)], [JobCluster("a", 1)], **kwargs
        )


def test_job_larger_than_cluster_is_refused():
    cl = [JobCluster("a", 4)]
    with pytest.raises(ValueError, match="up to 8 accelerators"):
        generate_jobs(
            [JobClass("x", "a", 1.0, accelerators=(8,))], cl, 10.0, np.random.default_rng(0)
        )


@pytest.mark.parametrize("policy", ["fifo", "sjf_backfill", "sjf_backfill+carbon_aware"])
def test_never_more_busy_than_installed_and_never_before_submission(policy):
    # Invariants of any schedule: at every instant the running jobs use at most
    # N accelerators, and no job starts before it was submitted.
    profile = [0.9] * 12 + [0.3] * 12
    cl = [JobCluster("a", 16, carbon_tco2_per_mwh=profile)]
    jc = [
        JobClass(
            "x",
            "a",
            3.0,
            size="pareto",
            size_params=(1.8, 2.0),
            max_size_accel_h=200.0,
            accelerators=(1, 2, 4, 8, 16),
            defer_window_h=8.0,
        )
    ]
    tr = generate_jobs(jc, cl, 300.0, np.random.default_rng(11))
    ds = simulate_jobs(tr, jc, cl, policy=policy, backfill_depth=8, keep_jobs=True)
    start = ds["job_start_h"].values
    assert (start >= tr.submit_h - 1e-9).all()
    # Sweep starts (+a) and ends (-a), ends first at equal times: the running
    # total never exceeds 16 accelerators.
    times = np.concatenate([start, start + tr.duration_h])
    delta = np.concatenate([tr.accelerators, -tr.accelerators])
    order = np.lexsort((delta, times))
    assert np.cumsum(delta[order]).max() <= 16
    # Work is conserved: busy accelerator-hours sum to the jobs' sizes.
    busy = ds["busy_accelerators"].values[0]
    assert busy.max() <= 16 + 1e-9
    assert busy.sum() == pytest.approx(tr.accel_h.sum(), rel=1e-9)


def _reference_easy(submit, acc, dur, n_acc, depth):
    """Plain EASY backfilling, no simpy, no caching: recomputes the head's
    reservation from the sorted running jobs at every scheduling pass."""
    import heapq

    events = [(t, j, "arrive", j) for j, t in enumerate(submit)]
    heapq.heapify(events)
    seq = len(submit)
    free, queue, running, start = n_acc, [], {}, [None] * len(submit)

    def begin(k, now):
        nonlocal free, seq
        free -= acc[k]
        start[k] = now
        running[k] = now + dur[k]
        seq += 1
        heapq.heappush(events, (now + dur[k], seq, "done", k))

    while events:
        now, _, kind, j = heapq.heappop(events)
        if kind == "done":
            free += acc[j]
            del running[j]
        else:
            heapq.heappush(queue, (dur[j], j))
        while queue and (start[queue[0][1]] is not None or acc[queue[0][1]] <= free):
            _, k = heapq.heappop(queue)
            if start[k] is None:
                begin(k, now)
        if queue and free > 0:
            head = queue[0][1]
            avail, shadow = free, float("inf")
            for end, k in sorted((e, k) for k, e in running.items()):
                if end > shadow:
                    break
                avail += acc[k]
                if avail >= acc[head] and shadow == float("inf"):
                    shadow = end
            extra = avail - acc[head] if shadow < float("inf") else 0
            for d, k in list(queue[1 : depth + 1]):
                if start[k] is not None or acc[k] > free:
                    continue
                if now + d <= shadow:
                    begin(k, now)
                elif acc[k] <= extra:
                    extra -= acc[k]
                    begin(k, now)
    return np.array(start, dtype=float)


@pytest.mark.parametrize("seed", range(12))
def test_sjf_backfill_matches_a_plain_reference(seed):
    # The engine caches the head's reservation and walks the running heap
    # lazily; a plain recomputation at every pass must give the same starts.
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 40))
    choices = tuple(sorted({1, 2, int(rng.integers(1, n + 1)), n}))
    cl = [JobCluster("a", n)]
    jc = [
        JobClass(
            "x",
            "a",
            float(rng.uniform(0.5, 4)),
            size="pareto",
            size_params=(1.5, 2.0),
            max_size_accel_h=300.0,
            accelerators=choices,
        )
    ]
    tr = generate_jobs(jc, cl, 200.0, rng)
    ds = simulate_jobs(tr, jc, cl, policy="sjf_backfill", backfill_depth=8, keep_jobs=True)
    ref = _reference_easy(
        tr.submit_h.tolist(), tr.accelerators.tolist(), tr.duration_h.tolist(), n, 8
    )
    np.testing.assert_allclose(ds["job_start_h"].values, ref, rtol=0, atol=1e-9)
