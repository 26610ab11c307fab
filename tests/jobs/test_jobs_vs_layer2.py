"""Cross-check: the job simulation against layer 2 (sim.run) for the same cluster."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.jobs.engine import JobClass, JobCluster, generate_jobs, simulate_jobs

HOURS = 744  # January 2025


def scenario(utilization):
    # 64 accelerators of 1000 TFLOPS fp16 at 500 W: 0.064 EFLOPS, 0.032 MW nameplate.
    return sim.load_scenario(
        {
            "name": "one cluster",
            "horizon": {"start": "2025-01-01", "end": "2025-01-31", "step": "1h"},
            "reporting_precision": "fp16",
            "hardware": {"gpu": {"peak_flops": {"fp16": "1000 TFLOPS"}, "power": "500 W"}},
            "clusters": {
                "a": {
                    "location": {"lat": 30.0, "lon": 120.0},
                    "fleet": {
                        "precision": "fp16",
                        "hardware": {"gpu": 1.0},
                        "capacity": {"2025-01-01": "0.064 EFLOPS"},
                    },
                    "utilization": utilization,
                    "idle_power": 0.2,
                    "pue": 1.2,
                }
            },
        }
    )


def job_run():
    # Offered load 0.6: lambda = 0.6 x 64 / (4 e^0.5) = 5.822 /h, lognormal sizes.
    lam = 0.6 * 64 / (4.0 * math.exp(0.5))
    cl = [JobCluster("a", 64, 500.0, idle_power=0.2, pue=1.2)]
    jc = [JobClass("x", "a", lam, size_params=(4.0, 1.0), accelerators=(1, 2, 4, 8))]
    tr = generate_jobs(jc, cl, float(HOURS), np.random.default_rng(5))
    return simulate_jobs(tr, jc, cl, policy="sjf_backfill")


def test_layer2_energy_by_hand():
    # 0.032 MW x (0.2 + 0.8 x 0.6) x PUE 1.2 x 744 h = 19.42733 MWh
    ds = sim.run(scenario(0.6))
    assert float(ds["energy_mwh"].sum()) == pytest.approx(0.032 * 0.68 * 1.2 * 744)


def test_job_simulation_matches_layer2_at_offered_load():
    # Same demand: the job simulation's mean utilisation equals layer 2's
    # utilisation (offered load 0.6) within 5 % (lognormal sample noise ~2 %),
    # and so does its energy over the same 744 h (idle power damps the error).
    jobs = job_run()
    layer2 = sim.run(scenario(0.6))
    util_jobs = float(jobs["mean_utilization"].sel(cluster="a"))
    assert util_jobs == pytest.approx(float(layer2["utilization"].mean()), rel=0.05)
    e_jobs = float(jobs["energy_mwh"].isel(time=slice(0, HOURS)).sum())
    assert e_jobs == pytest.approx(float(layer2["energy_mwh"].sum()), rel=0.05)


def test_power_equations_agree_exactly_at_the_simulated_utilisation():
    # Energy is linear in utilisation, so layer 2 run at the job simulation's
    # mean utilisation gives the job simulation's energy over the same hours
    # (up to rounding): both use P = N p (idle + (1 - idle) u) x PUE.
    jobs = job_run()
    u = float(jobs["mean_utilization"].sel(cluster="a"))
    layer2 = sim.run(scenario(u))
    e_jobs = float(jobs["energy_mwh"].isel(time=slice(0, HOURS)).sum())
    assert e_jobs == pytest.approx(float(layer2["energy_mwh"].sum()), rel=1e-9)
