"""Digests of every shipped run, for refactors that must not change a bit.

A refactoring guard, not a physics check: each digest is the SHA-256 of a
dataset's coordinates, variables (dtype, dims, bytes) and attributes. The
reference file ``digests.json`` is written by this module from a commit known to
be right (``python -m tests.golden.digests --update``) and compared by
``tests/test_identity.py``. A change that is meant to alter results updates it
in the same commit and says why.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import xarray as xr

import sim

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
REFERENCE = Path(__file__).with_name("digests.json")
_DAILY_ABOVE = 100_000  # cluster-steps; longer runs are digested at a daily step


def digest(ds: xr.Dataset) -> str:
    """SHA-256 over a dataset's variables, coordinates and attributes."""
    h = hashlib.sha256()
    for group in (ds.coords, ds.data_vars):
        for name in sorted(group, key=str):
            var = group[name].variable
            values = var.values
            h.update(
                repr((str(name), var.dims, str(values.dtype), sorted(var.attrs.items()))).encode()
            )
            if values.dtype == object:
                h.update(repr(values.tolist()).encode())
            else:
                h.update(np.ascontiguousarray(values).tobytes())
    # a sweep's ``base`` attribute is an absolute path: digest it relative to the checkout
    attrs = ((k, str(v).replace(str(ROOT), "<root>")) for k, v in ds.attrs.items())
    h.update(repr(sorted(attrs)).encode())
    return h.hexdigest()


def cases() -> dict[str, object]:
    """Name -> zero-argument callable giving an xarray.Dataset."""
    out: dict[str, object] = {}
    for path in sorted(SCENARIOS.glob("*.yaml")):
        for variant in [None, *sim.load_scenario(path).variants()]:

            def run(path=path, variant=variant):
                s = sim.load_scenario(path, variant=variant)
                if len(s.horizon.times()) * len(s.clusters) > _DAILY_ABOVE:
                    s = sim.load_scenario(path, variant=variant, overrides={"horizon.step": "1D"})
                ds = sim.run(s)
                return xr.merge(
                    [
                        ds,
                        sim.summarize(ds).rename(
                            {k: f"summary_{k}" for k in sim.summarize(ds).data_vars}
                        ),
                    ],
                    combine_attrs="override",
                )

            out[f"run:{path.stem}:{variant or 'base'}"] = run
    edwc = SCENARIOS / "east_data_west_compute.yaml"
    out["run:east_data_west_compute:hourly"] = lambda: sim.run(sim.load_scenario(edwc))
    for spec in sorted((SCENARIOS / "sweeps").glob("*.yaml")):
        out[f"sweep:{spec.stem}"] = lambda spec=spec: sim.sweep(spec)
    out.update(_layer_cases())
    return out


def _layer_cases() -> dict[str, object]:
    from sim.buildout.commission import pipeline_spec
    from sim.buildout.pipeline import monte_carlo_summary, run_monte_carlo
    from sim.jobs.run import run_jobs

    shock = SCENARIOS / "zhejiang_supply_shock.yaml"

    def pipeline(variant=None):
        s = sim.load_scenario(shock, variant=variant)
        ds = run_monte_carlo(pipeline_spec(s), s.seed, 50)
        return xr.merge(
            [
                ds,
                monte_carlo_summary(ds).rename(
                    {k: f"summary_{k}" for k in monte_carlo_summary(ds).data_vars}
                ),
            ],
            combine_attrs="override",
        )

    out: dict[str, object] = {"pipeline:zhejiang_supply_shock:base": pipeline}
    for v in sim.load_scenario(shock).variants():
        out[f"pipeline:zhejiang_supply_shock:{v}"] = lambda v=v: pipeline(v)
    jobs = SCENARIOS / "east_west_jobs.yaml"
    for policy in ("fifo", "sjf_backfill+carbon_aware"):
        out[f"jobs:east_west_jobs:{policy}"] = lambda p=policy: run_jobs(
            sim.load_scenario(jobs), policy=p
        )
    return out


def compute() -> dict[str, str]:
    return {name: digest(make()) for name, make in cases().items()}


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.golden.digests --update")
    REFERENCE.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {REFERENCE}")
