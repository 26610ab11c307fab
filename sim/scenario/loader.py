"""Scenario: YAML or a mapping → a validated :class:`Scenario` in canonical units.

Loading goes: read YAML safely → apply a variant's overrides → apply user
overrides (dotted paths) → validate every field against :mod:`sim.schema`,
converting quantities to canonical units. Any user mistake raises one
:class:`~sim.errors.ScenarioError` naming the file, field path (and YAML line
where known), the value given and what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.scenario import catalog, limits
from sim.scenario.core import (
    Cluster,
    Hardware,
    Scenario,
    _check_utilization_settable,
    hardware_entry,
    parse_climate,
    parse_fleets,
    parse_pue,
)
from sim.scenario.errors import ScenarioError
from sim.scenario.fields import checked_section, fraction, required
from sim.scenario.horizon import Horizon, parse_horizon
from sim.scenario.hourly import scenario_file
from sim.scenario.operations_spec import parse_demand, parse_dispatch, parse_grid, parse_links
from sim.scenario.pipeline_spec import (
    parse_grid_connections,
    parse_pipeline,
    parse_projects,
    parse_shocks,
    parse_supply,
)
from sim.scenario.targets import parse_targets
from sim.scenario.units import (
    KINDS,
    TOTAL_BASES,
    normalize_precision,
    parse_quantity,
)
from sim.scenario.validate import hourly_profile, text
from sim.scenario.yamlio import LineDict, line_of, load_yaml_text, read_yaml, unshared_copy

#: Optional top-level sections and their parsers. A parser takes (raw_section,
#: field_path, scenario_so_far), returns a frozen record stored in
#: ``Scenario.sections[name]`` and raises ScenarioError for bad input. Layers
#: above the input layer add theirs with :func:`register_section`.
SECTION_PARSERS: dict[str, Callable[[Any, str, Scenario], Any]] = {
    "demand": parse_demand,
    "links": parse_links,
    "dispatch": parse_dispatch,
    "supply": parse_supply,
    "grid_connections": parse_grid_connections,
    "shocks": parse_shocks,
    "projects": parse_projects,
    "pipeline": parse_pipeline,
    "targets": parse_targets,
}
#: Same for per-cluster sections; stored in ``Cluster.sections[name]``.
CLUSTER_SECTION_PARSERS: dict[str, Callable[[Any, str, Cluster], Any]] = {"grid": parse_grid}


def register_section(name: str, parser: Callable[[Any, str, Scenario], Any]) -> None:
    """Add a top-level section parsed by a layer above the input layer.

    The jobs layer registers ``jobs`` this way (:mod:`sim.jobs.spec`): its
    defaults are counted from the built fleet; so does ``embodied``
    (:mod:`sim.results.embodied`).
    """
    SECTION_PARSERS[name] = parser


def register_cluster_section(name: str, parser: Callable[[Any, str, Cluster], Any]) -> None:
    """Add a per-cluster section parsed by a layer above the input layer (``water``)."""
    CLUSTER_SECTION_PARSERS[name] = parser


# ---------------------------------------------------------------------------
# Validated model


def _cluster(
    name: str, raw: Any, hardware: Mapping[str, Hardware], reporting: str, horizon: Horizon
) -> Cluster:
    path = f"clusters.{name}"
    sec = checked_section(raw, path, "clusters.<name>", CLUSTER_SECTION_PARSERS)
    loc = checked_section(
        required(sec, "location", path), f"{path}.location", "clusters.<name>.location"
    )
    lat, lon = (
        parse_quantity(
            required(loc, key, f"{path}.location"),
            "degree",
            f"{path}.location.{key}",
            minimum=-bound,
            maximum=bound,
        )
        for key, bound in (("lat", 90), ("lon", 180))
    )
    altitude_m = parse_quantity(
        loc.get("altitude", 0.0), "m", f"{path}.location.altitude", minimum=-500, maximum=9000
    )
    cluster = Cluster(
        name=name,
        lat=lat,
        lon=lon,
        hub=text(sec.get("hub", name), f"{path}.hub"),
        role=text(sec.get("role", ""), f"{path}.role"),
        province=text(sec.get("province", ""), f"{path}.province"),
        fleets=parse_fleets(
            required(sec, "fleet", path), f"{path}.fleet", hardware, reporting, horizon
        ),
        utilization=hourly_profile(
            required(sec, "utilization", path), "dimensionless", f"{path}.utilization", 0.0, 1.0
        ),
        idle_power=fraction(sec.get("idle_power", 0.0), f"{path}.idle_power"),
        pue=parse_pue(required(sec, "pue", path), f"{path}.pue"),
        climate=parse_climate(sec.get("climate"), f"{path}.climate", lat, lon, altitude_m, horizon),
    )
    for key, spec in CLUSTER_SECTION_PARSERS.items():
        if key in sec:
            cluster.sections[key] = spec(sec[key], f"{path}.{key}", cluster)
    return cluster


def _validate(raw: Any) -> Scenario:
    if not isinstance(raw, Mapping):
        raise ScenarioError("a scenario must be a mapping of fields", given=type(raw).__name__)
    checked_section(raw, "", "", SECTION_PARSERS)
    name = text(required(raw, "name", ""), "name")
    description = text(raw.get("description", ""), "description")
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ScenarioError(
            "not a seed", field="seed", given=seed, expected="a non-negative integer"
        )
    horizon = parse_horizon(required(raw, "horizon", ""))
    reporting = normalize_precision(raw.get("reporting_precision", "fp16"), "reporting_precision")

    hw_raw = checked_section(raw.get("hardware") or {}, "hardware")
    clusters_raw = checked_section(required(raw, "clusters", ""), "clusters")
    if not clusters_raw:
        raise ScenarioError("no clusters", field="clusters", expected="at least one cluster")
    steps = horizon.n_steps
    limits.check(
        "horizon_cells",
        steps * len(clusters_raw),
        field="horizon",
        what=f"{steps:,} time steps x {len(clusters_raw)} clusters",
    )
    # Catalog names are usable directly; scenario entries of the same name replace them.
    names_used = {
        str(h)
        for c in clusters_raw.values()
        if isinstance(c, Mapping) and isinstance(c.get("fleet"), Mapping)
        for h in _fleet_hardware_names(c["fleet"])
    }
    hardware: dict[str, Hardware] = {}
    for hname, hraw in hw_raw.items():
        hardware[str(hname)] = hardware_entry(str(hname), hraw, f"hardware.{hname}")
    for hname in sorted(names_used - set(hardware)):
        if hname in catalog.names():
            hardware[hname] = hardware_entry(
                hname, catalog.entry(hname, field=hname), f"catalog.{hname}"
            )

    clusters = {
        str(cname): _cluster(str(cname), craw, hardware, reporting, horizon)
        for cname, craw in clusters_raw.items()
    }
    variants = checked_section(raw.get("variants") or {}, "variants")
    for vname, vraw in variants.items():
        vsec = checked_section(vraw, f"variants.{vname}", "variants.<name>")
        checked_section(required(vsec, "set", f"variants.{vname}"), f"variants.{vname}.set")
    scenario = Scenario(
        name=name,
        description=description,
        seed=seed,
        horizon=horizon,
        reporting_precision=reporting,
        hardware=hardware,
        clusters=clusters,
        raw=raw if isinstance(raw, dict) else dict(raw),
        totals_basis=_totals(raw.get("totals"), clusters, hardware),
    )
    for key, spec in SECTION_PARSERS.items():
        if key in raw:
            scenario.sections[key] = spec(raw[key], key, scenario)
    return scenario


def _fleet_hardware_names(fleet: Mapping) -> list[str]:
    parts = [fleet[k] for k in KINDS if isinstance(fleet.get(k), Mapping)] or [fleet]
    names: list[str] = []
    for part in parts:
        if isinstance(part.get("hardware"), Mapping):
            names += list(part["hardware"])
        adds = part.get("additions")
        for item in adds if isinstance(adds, list) else []:
            if isinstance(item, Mapping) and isinstance(item.get("hardware"), Mapping):
                names += list(item["hardware"])
    return [str(n) for n in names]


def _totals(raw: Any, clusters: Mapping[str, Cluster], hardware: Mapping[str, Hardware]) -> str:
    """The ``totals.basis`` of the scenario ("" when it asks for no total across kinds)."""
    sec = checked_section(raw if raw is not None else {}, "totals", "totals")
    basis = sec.get("basis")
    if basis is None:
        return ""
    if basis not in TOTAL_BASES:
        raise ScenarioError(
            "unknown basis for a total across kinds",
            field="totals.basis",
            given=basis,
            expected=" or ".join(TOTAL_BASES),
        )
    if basis == "fp32-equivalent":
        for c in clusters.values():
            for name in c.hardware_names:
                effs = hardware[name].efficiency_flops_per_w
                if "fp32" not in effs:
                    raise ScenarioError(
                        f"no conversion path: hardware '{name}' has no fp32 figure, "
                        "needed for the fp32-equivalent total",
                        field="totals.basis",
                        given=basis,
                        expected=f"kind-precisions, or an fp32 figure for '{name}' "
                        f"(it has {', '.join(sorted(effs))})",
                    )
    return str(basis)


# ---------------------------------------------------------------------------
# Overrides and variants


def parse_override(text: str) -> tuple[str, Any]:
    """Split a CLI ``PATH=VALUE`` into the path and a YAML-parsed value (safe loader)."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError(
            "an override must be PATH=VALUE", given=text, expected="e.g. clusters.site-a.pue=1.3"
        )
    try:
        parsed = load_yaml_text(value)
    except ScenarioError:  # not YAML (or over a limit): the text itself
        parsed = value
    return path.strip(), parsed


def apply_overrides(raw: dict, overrides: Mapping[str, Any], origin: str = "override") -> dict:
    """Return a copy of ``raw`` with values set at dotted paths.

    The parent of every path must exist; a new leaf key is accepted here and
    then checked by validation like any other field. Keys are matched as
    strings, so dates and numbers in YAML keys can be addressed as written.
    """
    out = unshared_copy(raw)
    for path, value in overrides.items():
        parts = str(path).split(".")
        node: Any = out
        for i, part in enumerate(parts[:-1]):
            key = _match_key(node, part)
            if key is None:
                raise ScenarioError(
                    f"unknown {origin} path: '{'.'.join(parts[: i + 1])}' does not exist",
                    field=str(path),
                    expected="a dotted path to an existing section",
                )
            node = node[key]
        if isinstance(node, list):
            idx = _match_key(node, parts[-1])
            if idx is None:
                raise ScenarioError(f"unknown {origin} path", field=str(path))
            node[idx] = value
        elif isinstance(node, dict):
            key = _match_key(node, parts[-1])
            node[parts[-1] if key is None else key] = value
        else:
            raise ScenarioError(f"unknown {origin} path: not a section", field=str(path))
    return out


def _match_key(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return next((k for k in node if str(k) == part), None)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return int(part)
    return None


def load_scenario(
    source: str | Path | Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
    variant: str | None = None,
) -> Scenario:
    """Load, override and validate a scenario.

    Parameters
    ----------
    source : str, Path or mapping
        A YAML file, or the scenario as a mapping.
    overrides : mapping, optional
        Dotted path → value, e.g. ``{"clusters.zhejiang.pue": 1.3}``; applied
        after the variant.
    variant : str, optional
        Name of an entry under ``variants:`` whose ``set`` overrides to apply.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        For any user mistake, naming file, field, given and expected value.
    """
    file = None
    if isinstance(source, str | Path):
        file = str(source)
        raw = read_yaml(source)
    elif isinstance(source, Mapping):
        raw = unshared_copy(dict(source))
    else:
        raise ScenarioError("a scenario is a YAML path or a mapping", given=type(source).__name__)
    data = raw
    changes: Mapping[str, Any] = {}
    try:
        if not isinstance(raw, Mapping):
            raise ScenarioError("a scenario must be a mapping of fields", given=type(raw).__name__)
        if variant is not None:
            changes = _variant_set(raw, variant)
            data = apply_overrides(raw, changes, "variant")
        if overrides:
            data = apply_overrides(data, overrides)
        _check_utilization_settable(data, {**changes, **(overrides or {})})
        with scenario_file(file):  # file names in the scenario are relative to it
            scenario = _validate(data)
    except ScenarioError as err:
        line = line_of(raw, err.field)
        if overrides and _sets(overrides, err.field):
            err = _blame(err, "(set by override)")
            line = None
        elif variant is not None and (key := _sets(changes, err.field)):
            err = _blame(err, f"(set by variant '{variant}')")
            line = changes.lines.get(key) if isinstance(changes, LineDict) else None
        raise err.located(file, line) from None
    return _replace(scenario, path=file, variant=variant)


def _variant_set(raw: Mapping, name: str) -> Mapping[str, Any]:
    """The ``set:`` overrides of variant ``name``, checked to be a mapping."""
    variants = checked_section(raw.get("variants") or {}, "variants")
    key = next((k for k in variants if str(k) == str(name)), None)
    if key is None:
        raise ScenarioError(
            f"unknown variant '{name}'",
            field="variants",
            expected="one of " + (", ".join(map(str, variants)) or "(none declared)"),
        )
    vsec = checked_section(variants[key] or {}, f"variants.{key}", "variants.<name>")
    return checked_section(vsec.get("set") or {}, f"variants.{key}.set")


def _sets(changes: Mapping[str, Any], field: str | None) -> Any:
    """The key of ``changes`` whose path is ``field``, inside it or contains it, if any."""
    if not field:
        return None
    for key in changes:
        k = str(key)
        if field == k or field.startswith(k + ".") or k.startswith(field + "."):
            return key
    return None


def _blame(err: ScenarioError, note: str) -> ScenarioError:
    return ScenarioError(
        f"{err.message} {note}",
        file=err.file,
        field=err.field,
        given=err.given,
        expected=err.expected,
    )


def _replace(scenario: Scenario, **changes: Any) -> Scenario:
    import dataclasses

    return dataclasses.replace(scenario, **changes)
