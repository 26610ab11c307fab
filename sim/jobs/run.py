"""Run a scenario's ``jobs:`` section with the job-level engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from sim.jobs.engine import JobTrace, generate_jobs, read_trace
from sim.jobs.engine import simulate_jobs as _simulate
from sim.jobs.spec import JobsSpec
from sim.scenario.core import Scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.inputs import input_file

#: Spawn key of the job generator's stream (independent of sim.run's streams).
JOBS_STREAM = 0x6A6F6273  # "jobs"


def run_jobs(
    scenario: Scenario,
    seed: int | None = None,
    policy: str | None = None,
    trace: str | Path | None = None,
    progress: Any = None,
) -> xr.Dataset:
    """Run the scenario's ``jobs:`` section.

    Parameters
    ----------
    scenario : Scenario
        With a ``jobs:`` section.
    seed : int, optional
        Root seed (default: the scenario's). Jobs draw from
        ``SeedSequence(seed, spawn_key=(JOBS_STREAM,))``.
    policy : str, optional
        Replaces the section's policy.
    trace : path, optional
        A CSV trace replacing the generator (and the section's ``trace``).
    progress : callable, optional
        Called with the simulated hour [h] as the event loop advances.

    Returns
    -------
    xarray.Dataset
        As :func:`sim.jobs.simulate_jobs`; attrs add ``scenario`` and ``seed``.
    """
    spec: JobsSpec | None = scenario.sections.get("jobs")
    if spec is None:
        raise ScenarioError("no jobs: section", field="jobs", file=scenario.path)
    seed = scenario.seed if seed is None else seed
    policy = spec.policy if policy is None else policy
    path = trace
    if path is None and spec.trace is not None:
        base = Path(scenario.path).parent if scenario.path else Path.cwd()
        path = input_file(spec.trace, "jobs.trace", base)
    if path is not None:
        try:
            jobs: JobTrace = read_trace(path, spec.classes, spec.clusters)
        except ValueError as exc:
            raise ScenarioError(str(exc), field="jobs.trace", file=scenario.path) from None
    else:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(JOBS_STREAM,)))
        jobs = generate_jobs(spec.classes, spec.clusters, spec.hours, rng)
    try:
        ds = _simulate(
            jobs,
            spec.classes,
            spec.clusters,
            policy=policy,
            latency_ms=spec.latency_ms,
            horizon_h=spec.hours,
            start=scenario.horizon.start,
            backfill_depth=spec.backfill_depth,
            progress=progress,
        )
    except ValueError as exc:
        raise ScenarioError(str(exc), field="jobs", file=scenario.path) from None
    ds.attrs.update(scenario=scenario.name, seed=int(seed))
    return ds
