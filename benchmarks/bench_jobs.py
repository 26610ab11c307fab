"""Job-level simulation and build-out pipeline benchmarks.

Run: ``make bench`` or
``.venv/bin/pytest benchmarks/bench_jobs.py --benchmark-only -p no:randomly``.
``SUANLI_BENCH_JOBS`` sets the job count (default 1,000,000).

Ratios are measured against a baseline in the same run, never as wall-clock
asserts: the job simulation's simpy events per second must be within 5x of a
bare simpy loop of timeouts (one process yielding ``env.timeout(1)``).
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import pytest
import simpy

from benchmarks.conftest import REPORT
from sim.jobs.engine import JobClass, JobCluster, _run_engine, generate_jobs, simulate_jobs

N_JOBS = int(os.environ.get("SUANLI_BENCH_JOBS", "1000000"))
HORIZON_H = 10_000.0
ROUNDS = 3
MAX_RATIO = 5.0
ZHEJIANG = Path(__file__).resolve().parents[1] / "scenarios" / "zhejiang_supply_shock.yaml"


def _workload():
    """~N_JOBS jobs at offered load 0.85 on 1000 accelerators.

    lambda = N_JOBS / horizon; mean size = 0.85 x 1000 / lambda accelerator-h,
    lognormal with sigma 1 (median = mean / e^0.5); 1, 2, 4 or 8 accelerators.
    """
    lam = N_JOBS / HORIZON_H
    mean_size = 0.85 * 1000 / lam
    clusters = [JobCluster("a", 1000, 1050.0, idle_power=0.2, pue=1.25)]
    classes = [
        JobClass(
            "mixed",
            "a",
            lam,
            hourly_shape=[0.7] * 8 + [1.2] * 16,
            size_params=(mean_size / math.exp(0.5), 1.0),
            accelerators=(1, 2, 4, 8),
        )
    ]
    trace = generate_jobs(classes, clusters, HORIZON_H, np.random.default_rng(0))
    return trace, classes, clusters


def _bare_loop_seconds(n_events: int, rounds: int = ROUNDS) -> float:
    """Best of ``rounds``: a bare simpy process yielding n_events timeouts."""

    def proc(env):
        for _ in range(n_events):
            yield env.timeout(1.0)

    best = math.inf
    for _ in range(rounds):
        env = simpy.Environment()
        env.process(proc(env))
        t0 = time.perf_counter()
        env.run()
        best = min(best, time.perf_counter() - t0)
    return best


def _best(fn, rounds: int = ROUNDS):
    best, out = math.inf, None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


@pytest.fixture(scope="module")
def workload():
    return _workload()


@pytest.mark.parametrize("policy", ["fifo", "sjf_backfill"])
def test_jobs_events_per_second_vs_bare_simpy(benchmark, workload, policy):
    trace, classes, clusters = workload
    assert len(trace) >= 0.99 * N_JOBS

    def run():
        return simulate_jobs(trace, classes, clusters, policy=policy)

    ds = benchmark.pedantic(run, rounds=1, iterations=1)
    events = int(ds.attrs["events"])

    def engine():
        return _run_engine(
            trace.submit_h,
            trace.accelerators,
            trace.duration_h,
            trace.origin,
            trace.job_class,
            [c.accelerators for c in clusters],
            policy,
            False,
            [[]],
            [0.0],
            32,
        )

    # Interleave baseline and measured runs so that machine load hits both alike.
    full_s = engine_s = bare_s = math.inf
    for _ in range(ROUNDS):
        bare_s = min(bare_s, _bare_loop_seconds(events, rounds=1))
        full_s = min(full_s, _best(run, rounds=1)[0])
        engine_s = min(engine_s, _best(engine, rounds=1)[0])
    bare_rate = events / bare_s
    full_rate = events / full_s
    engine_rate = events / engine_s
    ratio = bare_rate / full_rate
    benchmark.extra_info.update(
        jobs=len(trace),
        events=events,
        bare_events_per_s=bare_rate,
        engine_events_per_s=engine_rate,
        simulate_events_per_s=full_rate,
        ratio_bare_over_simulate=ratio,
        mean_utilization=float(ds["mean_utilization"][0]),
    )
    REPORT.append(
        f"jobs[{policy}]: {len(trace):,} jobs, {events:,} events; "
        f"bare simpy {bare_rate:,.0f} ev/s; engine {engine_rate:,.0f} ev/s "
        f"({bare_rate / engine_rate:.2f}x slower); simulate_jobs end to end "
        f"{full_rate:,.0f} ev/s ({ratio:.2f}x slower, {full_s:.2f} s); "
        f"mean utilisation {float(ds['mean_utilization'][0]):.3f}"
    )
    assert ratio <= MAX_RATIO, f"{ratio:.2f}x slower than a bare simpy loop (target {MAX_RATIO}x)"


def test_pipeline_monte_carlo_1000_seeds(benchmark):
    import sim
    from sim.buildout.commission import pipeline_spec
    from sim.buildout.pipeline import monte_carlo_summary, run_monte_carlo

    scenario = sim.load_scenario(ZHEJIANG)
    spec = pipeline_spec(scenario)

    def run():
        return run_monte_carlo(spec, scenario.seed, 1000)

    ds = benchmark.pedantic(run, rounds=1, iterations=1)
    seconds, _ = _best(run)
    prob = float(monte_carlo_summary(ds)["target_probability"].sel(target="zhejiang-2025"))
    benchmark.extra_info.update(samples=1000, seconds=seconds, target_probability=prob)
    REPORT.append(
        f"pipeline: 1,000 seeds of {ZHEJIANG.name} in {seconds:.2f} s "
        f"({seconds:.3f} ms per sample); P(100 EFLOPS by 2025-12-31) = {prob:.3f}"
    )
    assert ds.sizes["sample"] == 1000
