"""Commissioning: a scenario's pipeline spec from its fleet, and the pipeline's
commissioned cohorts appended to the scenario's fleets."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from sim.buildout.fleet import build_fleet
from sim.buildout.pipeline import Addition
from sim.scenario.core import Addition as FleetAddition
from sim.scenario.core import Scenario, hardware_entry
from sim.scenario.errors import ScenarioError
from sim.scenario.pipeline_spec import (
    ExportControl,
    GridFreeze,
    PipelineHardware,
    PipelineSpec,
    Project,
    Tariff,
    hardware_raw,
    pipeline_hardware,
)


def pipeline_spec(scenario: Scenario) -> PipelineSpec:
    """The :class:`PipelineSpec` of a scenario with a ``projects:`` section.

    Baseline capacity per cluster is the fleet's capacity at the horizon start
    [EFLOPS at the reporting precision].

    Raises
    ------
    ScenarioError
        No projects, or a reference (hardware, grid region) that does not resolve.
    """
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
            sec, path = hardware_raw(a.hardware, scenario)
            hardware[a.hardware] = hardware_entry(a.hardware, sec, path)
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
