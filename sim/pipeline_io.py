"""Scenario sections of the build-out pipeline, and its hand-off to the fleet.

Top-level YAML sections (registered in :data:`sim.scenario.SECTION_PARSERS`)::

    supply:                      # accelerator deliveries to the region, by hardware
      h100: {per_quarter: 2000, initial: 0, growth_per_year: 0.1, price: 250000 CNY}
    grid_connections:            # connection queues, by grid region
      zhejiang-grid: {rate: 300 MW/year, initial: 20 MW}
    shocks:
      - {type: export_control, hardware: h100, date: 2025-04-01, supply_cut: 0.8,
         switch_to: ascend-910b}
      - {type: tariff, hardware: h100, date: 2025-04-01, price_increase: 0.25}
      - {type: grid_freeze, region: zhejiang-grid, start: 2025-07-01, end: 2025-09-30}
    projects:
      - name: hangzhou-1
        cluster: zhejiang
        grid_region: zhejiang-grid
        hardware: h100
        capacity: 3 EFLOPS            # at reporting_precision
        announce: 2024-10-01
        permit: {dist: uniform, low: 1 month, high: 3 month}
        construct: {dist: triangular, low: 6 month, mode: 9 month, high: 15 month}
        tranches: 3
        install: 1 month
        pue: 1.25
      - plan: hangzhou-wave           # a capacity plan: 10 EFLOPS in 2 EFLOPS projects,
        capacity: 10 EFLOPS           # announced evenly over the window (hangzhou-wave-1..5)
        project_size: 2 EFLOPS
        announce: {from: 2025-01-01, to: 2025-12-31}
        cluster: zhejiang
        grid_region: zhejiang-grid
        hardware: h100
        construct: 9 month
    pipeline:
      samples: 1000
      targets:
        - {name: zhejiang-2025, capacity: 100 EFLOPS, date: 2025-12-31, clusters: [zhejiang]}

A duration is a quantity (``"30 d"``, ``"3 month"``: fixed) or a mapping with
``dist`` ``fixed`` (value), ``uniform`` (low, high), ``triangular`` (low, mode,
high) or ``lognormal`` (median, sigma). Hardware is taken from the scenario's
``hardware:`` or the catalog and needs ``peak_flops`` at the reporting precision
and ``power`` (an ``efficiency``-only entry has no accelerator count).

Capacity already online is the cluster fleet's capacity at the horizon start;
:func:`scenario_with_additions` appends commissioned capacity to the fleet as
dated vintage cohorts, so :func:`sim.run` takes it unchanged.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim import catalog
from sim.errors import ScenarioError
from sim.pipeline import (
    Addition,
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
from sim.scenario import Addition as FleetAddition
from sim.scenario import Scenario, _hardware_entry
from sim.units import normalize_precision, parse_quantity
from sim.validate import strict_mapping, text

__all__ = [
    "parse_grid_connections",
    "parse_pipeline",
    "parse_projects",
    "parse_shocks",
    "parse_supply",
    "pipeline_samples",
    "pipeline_spec",
    "scenario_with_additions",
]

_DIST_PARAMS = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("median", "sigma"),
}


# --------------------------------------------------------------------------- helpers


def _date(value: Any, path: str) -> np.datetime64:
    from sim.scenario import _date as scenario_date

    return scenario_date(value, path)


def _count(value: Any, path: str) -> float:
    return parse_quantity(value, "dimensionless", path, minimum=0.0)


def _duration(value: Any, path: str) -> Duration:
    if not isinstance(value, Mapping):
        return Duration.fixed(parse_quantity(value, "day", path, minimum=0.0))
    dist = value.get("dist", "fixed")
    if not isinstance(dist, str) or dist not in _DIST_PARAMS:
        raise ScenarioError(
            "unknown distribution",
            field=f"{path}.dist",
            given=dist,
            expected="one of " + ", ".join(_DIST_PARAMS),
        )
    names = _DIST_PARAMS[dist]
    strict_mapping(value, path, ("dist", *names), names)
    params = []
    for name in names:
        unit = "dimensionless" if name == "sigma" else "day"
        params.append(parse_quantity(value[name], unit, f"{path}.{name}", minimum=0.0))
    try:
        return Duration(dist, tuple(params))
    except ValueError as exc:
        raise ScenarioError(str(exc), field=path, given=dict(value)) from None


def _hardware_raw(name: str, scenario: Scenario) -> tuple[Mapping, str]:
    """Raw fields of a hardware entry (scenario first, then catalog), and their path."""
    raw_hw = scenario.raw.get("hardware") or {}
    if name in raw_hw:
        sec = dict(raw_hw[name] or {})
        if "from" in sec:
            base = catalog.entry(sec.pop("from"), field=f"hardware.{name}.from")
            sec = {**base, **sec}
        return sec, f"hardware.{name}"
    if name in catalog.names():
        return catalog.entry(name, field=name), f"catalog.{name}"
    raise ScenarioError(
        f"unknown hardware '{name}'",
        expected="a scenario hardware entry or one of the catalog: " + ", ".join(catalog.names()),
    )


def pipeline_hardware(
    name: str, scenario: Scenario, field: str, price_cny: float = 0.0
) -> PipelineHardware:
    """Accelerator figures of ``name`` at the scenario's reporting precision.

    Parameters
    ----------
    name : str
        Hardware name (scenario ``hardware:`` entry or catalog).
    scenario : Scenario
    field : str
        Field path that named it, for errors.
    price_cny : float
        Unit price [CNY].
    """
    try:
        sec, path = _hardware_raw(name, scenario)
    except ScenarioError as err:
        raise ScenarioError(err.message, field=field, given=name, expected=err.expected) from None
    prec = scenario.reporting_precision
    peaks = sec.get("peak_flops") or {}
    peak = None
    for p, v in peaks.items():
        if normalize_precision(p, f"{path}.peak_flops.{p}") == prec:
            peak = parse_quantity(v, "TFLOPS", f"{path}.peak_flops.{p}", minimum=0)
    if peak is None or "power" not in sec:
        raise ScenarioError(
            f"hardware '{name}' has no {prec} peak_flops and power: the pipeline counts "
            "accelerators, so it needs both",
            field=field,
            given=name,
            expected=f"hardware with peak_flops.{prec} and power",
        )
    return PipelineHardware(
        name=name,
        peak_tflops=peak,
        power_w=parse_quantity(sec["power"], "W", f"{path}.power", minimum=0),
        node_overhead=parse_quantity(
            sec.get("node_overhead", 1.0), "dimensionless", f"{path}.node_overhead", minimum=0
        ),
        price_cny=price_cny,
    )


# --------------------------------------------------------------------------- sections


def parse_supply(raw: Any, path: str, scenario: Scenario) -> dict[str, Any]:
    """``supply:`` → {hardware name: (Supply, price [CNY])}."""
    if not isinstance(raw, Mapping) or not raw:
        raise ScenarioError(
            "expected a mapping of hardware to deliveries",
            field=path,
            given=raw,
            expected="{h100: {per_quarter: 2000}}",
        )
    out = {}
    keys = ("per_quarter", "initial", "growth_per_year", "start", "price", "note")
    for name, sec in raw.items():
        p = f"{path}.{name}"
        strict_mapping(sec, p, keys, ("per_quarter",))
        price = parse_quantity(sec.get("price", 0.0), "CNY", f"{p}.price", minimum=0)
        pipeline_hardware(str(name), scenario, p)  # must be countable
        growth = parse_quantity(sec.get("growth_per_year", 0.0), "1/year", f"{p}.growth_per_year")
        if growth <= -1:
            raise ScenarioError("out of range", field=f"{p}.growth_per_year", given=growth)
        out[str(name)] = (
            Supply(
                hardware=str(name),
                per_quarter=_count(sec["per_quarter"], f"{p}.per_quarter"),
                initial=_count(sec.get("initial", 0), f"{p}.initial"),
                growth_per_year=growth,
                start=_date(sec["start"], f"{p}.start") if "start" in sec else None,
            ),
            price,
        )
    return out


def parse_grid_connections(raw: Any, path: str, scenario: Scenario) -> list[GridRegion]:
    """``grid_connections:`` → list of GridRegion."""
    if not isinstance(raw, Mapping) or not raw:
        raise ScenarioError(
            "expected a mapping of grid regions",
            field=path,
            given=raw,
            expected="{zhejiang-grid: {rate: 300 MW/year}}",
        )
    out = []
    for name, sec in raw.items():
        p = f"{path}.{name}"
        strict_mapping(sec, p, ("rate", "initial", "note"), ("rate",))
        out.append(
            GridRegion(
                name=str(name),
                connection_mw_per_year=parse_quantity(
                    sec["rate"], "MW/year", f"{p}.rate", minimum=0
                ),
                initial_mw=parse_quantity(sec.get("initial", 0.0), "MW", f"{p}.initial", minimum=0),
            )
        )
    return out


def parse_shocks(raw: Any, path: str, scenario: Scenario) -> list[Any]:
    """``shocks:`` → list of ExportControl, Tariff, GridFreeze."""
    if not isinstance(raw, list):
        raise ScenarioError("expected a list of shocks", field=path, given=raw)
    out: list[Any] = []
    for i, sec in enumerate(raw):
        p = f"{path}.{i}"
        if not isinstance(sec, Mapping) or "type" not in sec:
            raise ScenarioError(
                "a shock needs a type",
                field=p,
                given=sec,
                expected="type: export_control, tariff or grid_freeze",
            )
        kind = sec["type"]
        if kind == "export_control":
            keys = ("type", "hardware", "date", "supply_cut", "switch_to", "note")
            strict_mapping(sec, p, keys, ("hardware", "date", "supply_cut"))
            cut = parse_quantity(
                sec["supply_cut"], "dimensionless", f"{p}.supply_cut", minimum=0, maximum=1
            )
            out.append(
                ExportControl(
                    str(sec["hardware"]),
                    _date(sec["date"], f"{p}.date"),
                    cut,
                    None if sec.get("switch_to") is None else str(sec["switch_to"]),
                )
            )
        elif kind == "tariff":
            keys = ("type", "hardware", "date", "price_increase", "note")
            strict_mapping(sec, p, keys, ("hardware", "date", "price_increase"))
            inc = parse_quantity(sec["price_increase"], "dimensionless", f"{p}.price_increase")
            if inc <= -1:
                raise ScenarioError("out of range", field=f"{p}.price_increase", given=inc)
            out.append(Tariff(str(sec["hardware"]), _date(sec["date"], f"{p}.date"), inc))
        elif kind == "grid_freeze":
            strict_mapping(
                sec, p, ("type", "region", "start", "end", "note"), ("region", "start", "end")
            )
            start, end = _date(sec["start"], f"{p}.start"), _date(sec["end"], f"{p}.end")
            if end < start:
                raise ScenarioError("end before start", field=f"{p}.end", given=str(end))
            out.append(GridFreeze(str(sec["region"]), start, end))
        else:
            raise ScenarioError(
                "unknown shock type",
                field=f"{p}.type",
                given=kind,
                expected="export_control, tariff or grid_freeze",
            )
    return out


def _plan_items(sec: Mapping, p: str) -> list[tuple[str, float, np.datetime64]]:
    """Expand a capacity plan into (name, capacity [EFLOPS], announce date) items.

    ``n = ceil(capacity / project_size)`` projects, all of ``project_size`` but
    the last (the remainder), announced evenly from ``announce.from`` to
    ``announce.to`` (both included).
    """
    total = parse_quantity(
        sec["capacity"], "EFLOPS", f"{p}.capacity", minimum=0, strict_minimum=True
    )
    size = parse_quantity(
        sec["project_size"], "EFLOPS", f"{p}.project_size", minimum=0, strict_minimum=True
    )
    ann = strict_mapping(sec["announce"], f"{p}.announce", ("from", "to"), ("from", "to"))
    first, last = _date(ann["from"], f"{p}.announce.from"), _date(ann["to"], f"{p}.announce.to")
    if last < first:
        raise ScenarioError("to before from", field=f"{p}.announce.to", given=str(last))
    n = math.ceil(total / size - 1e-9)
    span = int((last - first).astype(int))
    items = []
    for k in range(n):
        cap = min(size, total - k * size)
        day = first + np.timedelta64(round(span * k / (n - 1)) if n > 1 else 0, "D")
        items.append((f"{sec['plan']}-{k + 1}", cap, day))
    return items


def parse_projects(raw: Any, path: str, scenario: Scenario) -> list[Project]:
    """``projects:`` → list of Project.

    An item with ``plan: NAME`` instead of ``name`` is a capacity plan:
    ``capacity`` in projects of ``project_size`` announced evenly over
    ``announce: {from, to}`` (see :func:`_plan_items`).
    """
    if not isinstance(raw, list) or not raw:
        raise ScenarioError("expected a list of projects", field=path, given=raw)
    common = (
        "cluster",
        "grid_region",
        "hardware",
        "capacity",
        "announce",
        "permit",
        "construct",
        "tranches",
        "install",
        "pue",
        "note",
    )
    out = []
    names = set()
    for i, sec in enumerate(raw):
        p = f"{path}.{i}"
        if isinstance(sec, Mapping) and "plan" in sec:
            strict_mapping(
                sec, p, ("plan", "project_size", *common), ("plan", "project_size", *common[:5])
            )
            items = _plan_items(sec, p)
        else:
            strict_mapping(sec, p, ("name", "grid", *common), ("name", *common[:5]))
            items = [
                (
                    str(sec["name"]),
                    parse_quantity(
                        sec["capacity"], "EFLOPS", f"{p}.capacity", minimum=0, strict_minimum=True
                    ),
                    _date(sec["announce"], f"{p}.announce"),
                )
            ]
        cluster = str(sec["cluster"])
        if cluster not in scenario.clusters:
            raise ScenarioError(
                "unknown cluster",
                field=f"{p}.cluster",
                given=cluster,
                expected="one of " + ", ".join(scenario.clusters),
            )
        tranches = sec.get("tranches", 1)
        if isinstance(tranches, bool) or not isinstance(tranches, int) or tranches < 1:
            raise ScenarioError(
                "not a tranche count", field=f"{p}.tranches", given=tranches, expected="int >= 1"
            )
        permit = _duration(sec.get("permit", 0), f"{p}.permit")
        construct = _duration(sec.get("construct", 0), f"{p}.construct")
        install = _duration(sec.get("install", 0), f"{p}.install")
        pue = parse_quantity(sec.get("pue", 1.3), "dimensionless", f"{p}.pue", minimum=1)
        grid_mw = (
            parse_quantity(sec["grid"], "MW", f"{p}.grid", minimum=0) if "grid" in sec else None
        )
        for name, capacity, announce in items:
            if name in names:
                key = "plan" if "plan" in sec else "name"
                raise ScenarioError("duplicate project name", field=f"{p}.{key}", given=name)
            names.add(name)
            out.append(
                Project(
                    name=name,
                    cluster=cluster,
                    grid_region=str(sec["grid_region"]),
                    hardware=str(sec["hardware"]),
                    capacity_eflops=capacity,
                    announce=announce,
                    permit=permit,
                    construct=construct,
                    tranches=tranches,
                    install=install,
                    pue=pue,
                    grid_mw=grid_mw,
                )
            )
    return out


def parse_pipeline(raw: Any, path: str, scenario: Scenario) -> dict[str, Any]:
    """``pipeline:`` → {"samples": int, "targets": [Target]}."""
    strict_mapping(raw, path, ("samples", "targets", "note"))
    samples = raw.get("samples", 100)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ScenarioError(
            "not a sample count", field=f"{path}.samples", given=samples, expected="int >= 1"
        )
    targets = []
    traw = raw.get("targets") or []
    if not isinstance(traw, list):
        raise ScenarioError(
            "expected a list of targets",
            field=f"{path}.targets",
            given=traw,
            expected="[{capacity: '100 EFLOPS', date: 2025-12-31}, ...]",
        )
    for i, sec in enumerate(traw):
        p = f"{path}.targets.{i}"
        strict_mapping(
            sec, p, ("name", "capacity", "date", "clusters", "note"), ("capacity", "date")
        )
        clusters = sec.get("clusters")
        if clusters is not None:
            if not isinstance(clusters, list) or not all(c in scenario.clusters for c in clusters):
                raise ScenarioError(
                    "unknown cluster(s)",
                    field=f"{p}.clusters",
                    given=clusters,
                    expected="a list of: " + ", ".join(scenario.clusters),
                )
            clusters = tuple(str(c) for c in clusters)
        targets.append(
            Target(
                name=text(sec.get("name", f"target-{i}"), f"{p}.name"),
                capacity_eflops=parse_quantity(sec["capacity"], "EFLOPS", f"{p}.capacity"),
                date=_date(sec["date"], f"{p}.date"),
                clusters=clusters,
            )
        )
    return {"samples": samples, "targets": targets}


# --------------------------------------------------------------------------- assembly


def pipeline_spec(scenario: Scenario) -> PipelineSpec:
    """The :class:`PipelineSpec` of a scenario with a ``projects:`` section.

    Baseline capacity per cluster is the fleet's capacity at the horizon start
    [EFLOPS at the reporting precision].

    Raises
    ------
    ScenarioError
        No projects, or a reference (hardware, grid region) that does not resolve.
    """
    from sim.fleet import build_fleet

    sections = scenario.sections
    file = scenario.path
    if "projects" not in sections:
        raise ScenarioError(
            "no projects: the pipeline needs a projects: section", field="projects", file=file
        )
    projects: list[Project] = sections["projects"]
    supply = sections.get("supply", {})
    regions = sections.get("grid_connections", [])
    shocks = sections.get("shocks", [])
    options = sections.get("pipeline", {"samples": 100, "targets": []})
    names = {g.name for g in regions}
    hardware: dict[str, PipelineHardware] = {}

    def need(name: str, field: str) -> None:
        if name not in hardware:
            price = supply[name][1] if name in supply else 0.0
            hardware[name] = pipeline_hardware(name, scenario, field, price)

    try:
        for name in supply:
            need(name, f"supply.{name}")
        for i, p in enumerate(projects):
            need(p.hardware, f"projects.{i}.hardware")
            if p.grid_region not in names:
                raise ScenarioError(
                    "unknown grid region",
                    field=f"projects.{i}.grid_region",
                    given=p.grid_region,
                    expected="a region under grid_connections: " + (", ".join(names) or "(none)"),
                )
        for i, s in enumerate(shocks):
            if isinstance(s, ExportControl | Tariff):
                need(s.hardware, f"shocks.{i}.hardware")
            if isinstance(s, ExportControl) and s.switch_to is not None:
                need(s.switch_to, f"shocks.{i}.switch_to")
                if s.switch_to == s.hardware:
                    raise ScenarioError(
                        "switch_to must differ from hardware", field=f"shocks.{i}.switch_to"
                    )
            if isinstance(s, GridFreeze) and s.region not in names:
                raise ScenarioError(
                    "unknown grid region", field=f"shocks.{i}.region", given=s.region
                )
    except ScenarioError as err:
        raise err.located(file) from None
    start = scenario.horizon.start
    fleet = build_fleet(scenario, np.array([start], dtype="datetime64[ns]"))
    baseline = {c: float(fleet.capacity_eflops[i, 0]) for i, c in enumerate(scenario.clusters)}
    return PipelineSpec(
        start=start,
        end=scenario.horizon.end,
        hardware=hardware,
        projects=tuple(projects),
        supply=tuple(s for s, _ in supply.values()),
        grid_regions=tuple(regions),
        shocks=tuple(shocks),
        precision=scenario.reporting_precision,
        baseline_eflops=baseline,
        targets=tuple(options["targets"]),
    )


def pipeline_samples(scenario: Scenario) -> int:
    """Monte Carlo samples asked for by the scenario (``pipeline.samples``, default 100)."""
    return int(scenario.sections.get("pipeline", {"samples": 100})["samples"])


def scenario_with_additions(scenario: Scenario, additions: Sequence[Addition]) -> Scenario:
    """The scenario with commissioned capacity appended to its clusters' fleets.

    Each :class:`~sim.pipeline.Addition` becomes a dated vintage cohort of one
    hardware type. The amount is converted from the reporting precision to the
    fleet precision through that hardware's own peak ratio. A fleet given as
    capacity points is first turned into a cohort of its start capacity (its
    later points are replaced by the pipeline's additions).

    Parameters
    ----------
    scenario : Scenario
    additions : sequence of Addition
        From :func:`sim.pipeline.simulate_pipeline` on this scenario's spec.

    Returns
    -------
    Scenario
    """
    by_cluster: dict[str, list[Addition]] = {}
    for a in additions:
        by_cluster.setdefault(a.cluster, []).append(a)
    clusters = dict(scenario.clusters)
    hardware = dict(scenario.hardware)
    rep = scenario.reporting_precision
    for a in additions:
        if a.hardware not in hardware:  # pipeline-only hardware, e.g. a switch target
            sec, path = _hardware_raw(a.hardware, scenario)
            hardware[a.hardware] = _hardware_entry(a.hardware, sec, path)
    for name, adds in by_cluster.items():
        cluster = clusters[name]
        fleet = cluster.fleet
        cohorts = list(fleet.additions)
        if not cohorts:
            if fleet.points_measure != "compute":
                raise ScenarioError(
                    "pipeline additions need a fleet in compute units (EFLOPS) or vintages",
                    field=f"clusters.{name}.fleet",
                    file=scenario.path,
                )
            start = fleet.points_time[0]
            level = float(fleet.points_value[0])
            cohorts.append(FleetAddition(start, start, level, "compute", dict(fleet.shares)))
        for a in adds:
            eff = hardware[a.hardware].efficiency_flops_per_w
            if fleet.precision not in eff or rep not in eff:
                raise ScenarioError(
                    f"no conversion path for hardware '{a.hardware}' from {rep} to "
                    f"{fleet.precision}",
                    field=f"clusters.{name}.fleet.precision",
                    file=scenario.path,
                )
            flops = a.capacity_eflops * 1e18 * eff[fleet.precision] / eff[rep]
            cohorts.append(FleetAddition(a.date, a.date, flops, "compute", {a.hardware: 1.0}))
        new_fleet = dataclasses.replace(fleet, additions=tuple(cohorts))
        clusters[name] = dataclasses.replace(cluster, fleets=(new_fleet,))
    return dataclasses.replace(scenario, clusters=clusters, hardware=hardware)
