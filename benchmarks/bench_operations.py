"""Operations speed (issue 12): ``sim.run`` with dispatch, and sweeps whose base dispatches.

Targets, each a ratio measured in this run:

* ``sim.run`` of East Data West Compute 2024-2030 hourly with its operations sections
  (demand, links, dispatch, grid) within 20x of the same scenario without them
  (``run_with_over_without``); the time outside the dispatch engine is reported apart
  (``outside_engine_s``: problem build, renewables, supply and result assembly);
* a Monte Carlo of that scenario with dispatch (one year, 2025, to keep the benchmark
  short; parameters PUE, idle power and Blackwell node overhead) >= 5x faster per
  sample than a loop of ``sim.load_scenario`` + ``sim.run`` + ``sim.summarize`` on one
  core (``sweep_speedup_one_core``), with the same numbers; wall time on 2 local
  processes and on a Dask LocalCluster (2 workers, loopback), and the executors'
  overhead (start-up and per chunk) against serial;
* the executors' fixed overhead on a small, fast sweep (the minimal scenario, kernel
  parameters only): processes and Dask against serial, the same chunks.

Run: ``.venv/bin/pytest benchmarks/bench_operations.py --benchmark-only -s -p no:randomly``
"""

from __future__ import annotations

import copy
import importlib
import time

import numpy as np
import pytest

import sim
from sim.scenario.yamlio import read_yaml
from tests.conftest import ROOT

from .conftest import REPORT, best_of

SCENARIO = ROOT / "scenarios" / "east_data_west_compute.yaml"
SPEC = ROOT / "scenarios" / "sweeps" / "edwc_monte_carlo.yaml"
TARGET_RUN_RATIO = 20.0
TARGET_SWEEP_SPEEDUP = 5.0
#: the module whose ``dispatch`` the chain calls (sim.operations, or its chain after the layout)
try:
    chain = importlib.import_module("sim.operations.chain")
except ImportError:
    chain = importlib.import_module("sim.operations")
N_SAMPLES = 6  # samples of the dispatching Monte Carlo (each one year hourly with dispatch)
#: parameters of the shipped Monte Carlo that set a value (so the loop can apply them)
PARAMETERS = ("west_pue_base", "idle_power", "blackwell_node_overhead")


def _without_operations(raw: dict) -> dict:
    out = copy.deepcopy(raw)
    for key in ("demand", "links", "dispatch"):
        out.pop(key, None)
    for cluster in out["clusters"].values():
        cluster.pop("grid", None)
    return out


def _engine_time(scenario) -> float:
    """Seconds spent inside the dispatch engine during one ``sim.run`` of ``scenario``."""
    spent = [0.0]
    original = chain.dispatch

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        out = original(*args, **kwargs)
        spent[0] += time.perf_counter() - t0
        return out

    chain.dispatch = timed
    try:
        sim.run(scenario)
    finally:
        chain.dispatch = original
    return spent[0]


@pytest.mark.benchmark(group="operations-run")
def test_run_with_vs_without_operations(benchmark):
    raw = read_yaml(SCENARIO)
    with_ops = sim.load_scenario(raw)
    without = sim.load_scenario(_without_operations(raw))

    benchmark.pedantic(sim.run, args=(with_ops,), rounds=2, iterations=1)
    t_with = float(benchmark.stats.stats.min)
    t_without = best_of(lambda: sim.run(without), repeat=5)
    engine_s = _engine_time(with_ops)
    ratio = t_with / t_without
    info = {
        "with_operations_s": round(t_with, 3),
        "without_operations_s": round(t_without, 4),
        "run_with_over_without": round(ratio, 1),
        "target": TARGET_RUN_RATIO,
        "engine_s": round(engine_s, 3),
        "outside_engine_s": round(t_with - engine_s, 3),
        "outside_engine_over_without": round((t_with - engine_s) / t_without, 1),
    }
    benchmark.extra_info.update(info)
    REPORT.append(
        f"sim.run EDWC with operations / without: {ratio:.1f}x (target {TARGET_RUN_RATIO:g}x; "
        f"{t_with:.2f} s vs {t_without:.3f} s; engine {engine_s:.2f} s, outside the engine "
        f"{t_with - engine_s:.2f} s = {(t_with - engine_s) / t_without:.1f}x without)"
    )


def _mc_spec(samples: int, chunk: int) -> dict:
    raw = copy.deepcopy(read_yaml(SPEC))
    raw["base"] = str(SCENARIO)
    raw["dispatch"] = True
    raw["samples"] = samples
    raw["chunk_size"] = chunk
    raw["set"] = {**raw["set"], "horizon.start": "2025-01-01", "horizon.end": "2025-12-31"}
    raw["parameters"] = {k: v for k, v in raw["parameters"].items() if k in PARAMETERS}
    raw["outputs"].pop("hourly_samples", None)
    return raw


def _loop(raw_spec: dict, ds) -> list:
    """The baseline: a user's loop of load + run + summarize, one sample at a time."""
    base = read_yaml(SCENARIO)
    summaries = []
    for i in range(ds.sizes["sample"]):
        overrides = dict(raw_spec["set"])
        for name in PARAMETERS:
            p = raw_spec["parameters"][name]
            for path in p["paths"] if "paths" in p else [p["path"]]:
                for full in _expand(base, path):
                    overrides[full] = float(ds[name].values[i])
        summaries.append(sim.summarize(sim.run(sim.load_scenario(base, overrides=overrides))))
    return summaries


def _expand(raw: dict, path: str) -> list[str]:
    parts = path.split(".")
    if parts[1] != "*":
        return [path]
    out = []
    for name, cluster in raw["clusters"].items():  # only where the field exists, as the sweep
        node = cluster
        for part in parts[2:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and parts[-1] in node:
            out.append(".".join([parts[0], name, *parts[2:]]))
    return out


@pytest.mark.benchmark(group="operations-sweep")
def test_dispatch_sweep_vs_run_loop(benchmark, tmp_path):
    # chunks of half the samples, on every executor (a Monte Carlo chunk's draws depend on
    # its index and size, so the same chunking gives the same samples)
    raw = _mc_spec(N_SAMPLES, chunk=N_SAMPLES // 2)
    ds = benchmark.pedantic(lambda: sim.sweep(raw), rounds=1, iterations=1)
    sweep_s = float(benchmark.stats.stats.min)
    t0 = time.perf_counter()
    runs = _loop(raw, ds)
    loop_s = time.perf_counter() - t0
    for i, summary in enumerate(runs):  # the same numbers
        for name in ds.data_vars:
            np.testing.assert_allclose(
                ds[name].values[i], summary[name].values, rtol=1e-12, err_msg=name
            )
    timings = {}
    for executor in ("processes", "dask"):
        t0 = time.perf_counter()
        other = sim.sweep(raw, executor=executor, workers=2)
        timings[executor] = time.perf_counter() - t0
        np.testing.assert_array_equal(other["energy_twh"].values, ds["energy_twh"].values)
    speedup = loop_s / sweep_s
    info = {
        "samples": N_SAMPLES,
        "sweep_serial_s": round(sweep_s, 2),
        "loop_s": round(loop_s, 2),
        "sweep_speedup_one_core": round(speedup, 2),
        "target": TARGET_SWEEP_SPEEDUP,
        "two_processes_s": round(timings["processes"], 2),
        "dask_local_cluster_2_workers_s": round(timings["dask"], 2),
    }
    benchmark.extra_info.update(info)
    REPORT.append(
        f"dispatching Monte Carlo, {N_SAMPLES} samples of EDWC 2025: serial sweep "
        f"{sweep_s:.1f} s vs loop of sim.run {loop_s:.1f} s -> {speedup:.2f}x on one core "
        f"(target {TARGET_SWEEP_SPEEDUP:g}x); 2 processes {timings['processes']:.1f} s, "
        f"Dask LocalCluster (2 workers) {timings['dask']:.1f} s"
    )


@pytest.mark.benchmark(group="operations-executors")
def test_executor_overhead(benchmark):
    raw = {
        "name": "overhead",
        "base": str(ROOT / "scenarios" / "minimal.yaml"),
        "method": "monte_carlo",
        "samples": 40,
        "seed": 1,
        "chunk_size": 10,
        "parameters": {"clusters.site-a.pue": {"distribution": "uniform", "low": 1.1, "high": 1.4}},
    }
    ds = benchmark.pedantic(lambda: sim.sweep(raw), rounds=3, iterations=1)
    serial_s = float(benchmark.stats.stats.min)
    timings = {}
    for executor in ("processes", "dask"):
        t0 = time.perf_counter()
        other = sim.sweep(raw, executor=executor, workers=2)
        timings[executor] = time.perf_counter() - t0
        np.testing.assert_array_equal(other["energy_twh"].values, ds["energy_twh"].values)
    benchmark.extra_info.update(
        {
            "serial_s": round(serial_s, 3),
            **{f"{k}_s": round(v, 2) for k, v in timings.items()},
            **{f"{k}_overhead_s": round(v - serial_s, 2) for k, v in timings.items()},
        }
    )
    REPORT.append(
        f"executor overhead, 4 chunks of the minimal scenario: serial {serial_s:.2f} s, "
        f"2 processes {timings['processes']:.2f} s (+{timings['processes'] - serial_s:.2f} s), "
        f"Dask LocalCluster 2 workers {timings['dask']:.2f} s "
        f"(+{timings['dask'] - serial_s:.2f} s)"
    )
