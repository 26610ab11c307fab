"""The ``jobs:`` scenario section: job-level simulation of the scenario's clusters.

::

    jobs:
      hours: 720                      # simulated hours from horizon.start [h] (default: all)
      policy: sjf_backfill+carbon_aware
      backfill_depth: 32
      trace: traces/jan.csv           # optional, relative to the scenario file
      latency:                        # one-way, symmetric [ms]; needed by +offload
        zhejiang: {ningxia: 20 ms}
      clusters:
        zhejiang:
          accelerators: 4096          # default: fleet capacity at start / hardware peak
          hardware: h100              # default: the fleet's largest share
          pue: 1.25                   # default: the cluster's constant PUE
          carbon: 0.5617 tCO2/MWh     # a constant or 24 hourly values [tCO2/MWh]
      classes:
        training:
          origin: zhejiang
          arrivals: 2                 # jobs per hour (or "48 1/day")
          hourly_shape: [1, 1, ...]   # 24 relative rates, optional
          size: {dist: lognormal, median: 512, sigma: 1.5}   # accelerator-h
          max_size: 100000            # accelerator-h, optional
          accelerators: [8, 64, 256]
          weights: [0.6, 0.3, 0.1]
          max_wait: 24 h              # SLA
          defer_window: 12 h          # carbon-aware hold
          max_latency: 50 ms          # offload tolerance

Power per accelerator is the hardware's ``power × node_overhead``; idle power
is the cluster's ``idle_power``. A cluster with a climate PUE model needs an
explicit ``pue`` here (the job simulation uses a constant PUE).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.buildout.fleet import group_series
from sim.jobs.engine import POLICIES, JobClass, JobCluster
from sim.scenario import limits
from sim.scenario.core import Scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import register_section
from sim.scenario.pipeline_spec import pipeline_hardware
from sim.scenario.units import parse_quantity
from sim.scenario.validate import strict_mapping, text

_SIZE_PARAMS = {
    "lognormal": ("median", "sigma"),
    "pareto": ("alpha", "minimum"),
    "fixed": ("value",),
}


@dataclass(frozen=True)
class JobsSpec:
    """Parsed ``jobs:`` section.

    Attributes
    ----------
    classes : tuple of JobClass
    clusters : tuple of JobCluster
    policy : str
    hours : float
        Simulated hours [h].
    latency_ms : numpy.ndarray or None
        (cluster, cluster) one-way latency [ms].
    trace : str or None
        CSV trace path as written.
    backfill_depth : int
    """

    classes: tuple[JobClass, ...]
    clusters: tuple[JobCluster, ...]
    policy: str
    hours: float
    latency_ms: np.ndarray | None
    trace: str | None
    backfill_depth: int


def _int(value: Any, path: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScenarioError("not an integer", field=path, given=value, expected=f"int >= {minimum}")
    return value


def _cluster(name: str, raw: Any, path: str, scenario: Scenario) -> JobCluster:
    sec = strict_mapping(raw or {}, path, ("accelerators", "hardware", "pue", "carbon", "note"))
    if name not in scenario.clusters:
        raise ScenarioError(
            "unknown cluster",
            field=path,
            given=name,
            expected="one of " + ", ".join(scenario.clusters),
        )
    cluster = scenario.clusters[name]
    # jobs hold accelerators: the intelligent (智能) hardware of the cluster
    idx = list(scenario.clusters).index(name)
    t0 = np.array([scenario.horizon.start], dtype="datetime64[ns]")
    prec = scenario.reporting_precision
    accel = [h for h in cluster.hardware_names if scenario.hardware[h].kind == "intelligent"]
    flops = dict(
        zip(accel, group_series(scenario, t0, [({h}, prec) for h in accel])[idx, :, 0], strict=True)
    )
    hw_name = sec.get("hardware") or (max(flops, key=flops.get) if flops else None)
    if hw_name is None:
        raise ScenarioError("no accelerators to count", field=f"{path}.hardware")
    hw = pipeline_hardware(str(hw_name), scenario, f"{path}.hardware")
    if "accelerators" in sec:
        n = _int(sec["accelerators"], f"{path}.accelerators", 1)
    else:
        cap_flops = flops.get(str(hw_name), 0.0)
        n = int(cap_flops // (hw.peak_tflops * 1e12))
        if n < 1:
            raise ScenarioError(
                "the fleet holds no whole accelerator at the horizon start",
                field=f"{path}.accelerators",
                expected="an explicit accelerator count",
            )
    if "pue" in sec:
        pue = parse_quantity(sec["pue"], "dimensionless", f"{path}.pue", minimum=1.0)
    elif cluster.pue.is_constant:
        pue = cluster.pue.base
    else:
        raise ScenarioError(
            "the cluster's PUE is a climate model; the job simulation needs a constant",
            field=f"{path}.pue",
            expected="a PUE >= 1",
        )
    carbon = sec.get("carbon", 0.0)
    if isinstance(carbon, list):
        if len(carbon) != 24:
            raise ScenarioError("expected 24 hourly values", field=f"{path}.carbon", given=carbon)
        carbon = [
            parse_quantity(c, "tCO2/MWh", f"{path}.carbon.{i}", minimum=0)
            for i, c in enumerate(carbon)
        ]
    else:
        carbon = parse_quantity(carbon, "tCO2/MWh", f"{path}.carbon", minimum=0)
    return JobCluster(
        name=name,
        accelerators=n,
        power_per_accelerator_w=hw.node_power_w,
        idle_power=cluster.idle_power,
        pue=pue,
        carbon_tco2_per_mwh=carbon,
    )


def _class(name: str, raw: Any, path: str, clusters: Mapping[str, JobCluster]) -> JobClass:
    keys = (
        "origin",
        "arrivals",
        "hourly_shape",
        "size",
        "max_size",
        "accelerators",
        "weights",
        "max_wait",
        "defer_window",
        "max_latency",
        "note",
    )
    sec = strict_mapping(raw, path, keys, ("origin", "arrivals", "size"))
    origin = str(sec["origin"])
    if origin not in clusters:
        raise ScenarioError(
            "origin is not a cluster under jobs.clusters",
            field=f"{path}.origin",
            given=origin,
            expected="one of " + ", ".join(clusters),
        )
    size = sec["size"]
    if (
        not isinstance(size, Mapping)
        or not isinstance(size.get("dist"), str)
        or (size["dist"] not in _SIZE_PARAMS)
    ):
        raise ScenarioError(
            "a size needs a dist",
            field=f"{path}.size",
            given=size,
            expected="{dist: lognormal, median, sigma}, {dist: pareto, alpha, minimum} or "
            "{dist: fixed, value} in accelerator-hours",
        )
    names = _SIZE_PARAMS[size["dist"]]
    strict_mapping(size, f"{path}.size", ("dist", *names), names)
    params = tuple(
        parse_quantity(size[k], "dimensionless", f"{path}.size.{k}", minimum=0, strict_minimum=True)
        for k in names
    )
    if size["dist"] == "pareto":
        params = (params[0], params[1])
    acc = sec.get("accelerators", [1])
    if not isinstance(acc, list) or not acc:
        raise ScenarioError("expected a list of counts", field=f"{path}.accelerators", given=acc)
    acc = tuple(_int(a, f"{path}.accelerators.{i}", 1) for i, a in enumerate(acc))
    cap = clusters[origin].accelerators
    if max(acc) > cap:
        raise ScenarioError(
            f"a job asks for more accelerators than cluster '{origin}' has ({cap})",
            field=f"{path}.accelerators",
            given=list(acc),
        )
    weights = sec.get("weights")
    if weights is not None:
        if not isinstance(weights, list) or len(weights) != len(acc):
            raise ScenarioError(
                "one weight per accelerator count", field=f"{path}.weights", given=weights
            )
        weights = tuple(
            parse_quantity(w, "dimensionless", f"{path}.weights.{i}", minimum=0)
            for i, w in enumerate(weights)
        )
        if sum(weights) <= 0:
            raise ScenarioError("weights sum to zero", field=f"{path}.weights", given=weights)
    shape = sec.get("hourly_shape")
    if shape is not None:
        if not isinstance(shape, list) or len(shape) != 24:
            raise ScenarioError(
                "expected 24 relative rates", field=f"{path}.hourly_shape", given=shape
            )
        shape = tuple(
            parse_quantity(x, "dimensionless", f"{path}.hourly_shape.{i}", minimum=0)
            for i, x in enumerate(shape)
        )
        if sum(shape) <= 0:
            raise ScenarioError("all rates are zero", field=f"{path}.hourly_shape", given=shape)
    return JobClass(
        name=name,
        origin=origin,
        arrivals_per_h=parse_quantity(sec["arrivals"], "1/hour", f"{path}.arrivals", minimum=0),
        hourly_shape=shape,
        size=size["dist"],
        size_params=params,
        max_size_accel_h=(
            parse_quantity(sec["max_size"], "dimensionless", f"{path}.max_size", minimum=0)
            if "max_size" in sec
            else None
        ),
        accelerators=acc,
        accelerator_weights=weights,
        max_wait_h=parse_quantity(
            sec.get("max_wait", math.inf), "hour", f"{path}.max_wait", minimum=0
        ),
        defer_window_h=parse_quantity(
            sec.get("defer_window", 0), "hour", f"{path}.defer_window", minimum=0
        ),
        max_latency_ms=parse_quantity(
            sec.get("max_latency", 0), "ms", f"{path}.max_latency", minimum=0
        ),
    )


def parse_jobs(raw: Any, path: str, scenario: Scenario) -> JobsSpec:
    """``jobs:`` → :class:`JobsSpec`."""
    keys = ("hours", "policy", "backfill_depth", "trace", "latency", "clusters", "classes", "note")
    sec = strict_mapping(raw, path, keys, ("clusters", "classes"))
    craw = sec["clusters"]
    if not isinstance(craw, Mapping) or not craw:
        raise ScenarioError("expected a mapping of clusters", field=f"{path}.clusters", given=craw)
    clusters = {
        str(n): _cluster(str(n), c, f"{path}.clusters.{n}", scenario) for n, c in craw.items()
    }
    kraw = sec["classes"]
    if not isinstance(kraw, Mapping) or not kraw:
        raise ScenarioError("expected a mapping of classes", field=f"{path}.classes", given=kraw)
    classes = tuple(_class(str(n), c, f"{path}.classes.{n}", clusters) for n, c in kraw.items())
    policy = text(sec.get("policy", "fifo"), f"{path}.policy")
    tokens = policy.split("+")
    if any(t not in POLICIES for t in tokens) or ("fifo" in tokens and "sjf_backfill" in tokens):
        raise ScenarioError(
            "unknown policy",
            field=f"{path}.policy",
            given=policy,
            expected="fifo or sjf_backfill, optionally +carbon_aware and/or +offload",
        )
    names = list(clusters)
    latency = None
    if "latency" in sec:
        lraw = strict_mapping(sec["latency"], f"{path}.latency", tuple(names))
        latency = np.zeros((len(names), len(names)))
        for a, row in lraw.items():
            rpath = f"{path}.latency.{a}"
            row = strict_mapping(row, rpath, tuple(names))
            for b, val in row.items():
                ms = parse_quantity(val, "ms", f"{rpath}.{b}", minimum=0)
                i, j = names.index(str(a)), names.index(str(b))
                latency[i, j] = latency[j, i] = ms
    if "offload" in tokens and latency is None:
        raise ScenarioError(
            "policy offload needs latencies", field=f"{path}.latency", expected="{a: {b: 20 ms}}"
        )
    horizon_h = len(scenario.horizon.times()) * scenario.horizon.step_h
    hours = parse_quantity(sec.get("hours", horizon_h), "hour", f"{path}.hours", minimum=0)
    if hours <= 0:
        raise ScenarioError("out of range", field=f"{path}.hours", given=hours, expected="> 0 h")
    limits.check("job_hours", hours, field=f"{path}.hours", what=f"{hours:,g} h of jobs")
    trace = sec.get("trace")
    return JobsSpec(
        classes=classes,
        clusters=tuple(clusters.values()),
        policy=policy,
        hours=hours,
        latency_ms=latency,
        trace=None if trace is None else str(trace),
        backfill_depth=_int(sec.get("backfill_depth", 32), f"{path}.backfill_depth", 0),
    )


register_section("jobs", parse_jobs)
