"""Operations layer: scenario sections ``demand``, ``links``, ``dispatch`` and
``clusters.<name>.grid``, and the chain demand → dispatch → power → supply.

Parsing (registered in :data:`sim.scenario.SECTION_PARSERS`) turns the YAML
sections into frozen specs in canonical units; any mistake raises
:class:`sim.ScenarioError` naming the field. :func:`dispatch_scenario` builds
the :class:`sim.dispatch.DispatchProblem` of a scenario (one per calendar
year) and runs it; :func:`supply_variables` supplies the resulting facility
load from renewables, battery, grid and imports (:mod:`sim.grid`).

Marginal power of served compute, per cluster and step (DESIGN.md baseline
equations with utilisation ``u = served / installed``)::

    m[c,t]        = (1 - idle) * nameplate_mw / capacity_eflops * PUE   [MW per EFLOPS]
    idle_load[c,t] = idle * nameplate_mw * PUE                          [MW]

Each cluster is one compute pool (``pool_cluster[r] = r``) drawing ``m`` MW per
EFLOPS served. Power tranches offered to the dispatcher, in merit order of their
own price [CNY/MWh, tCO2/MWh or the mix]: renewable surplus above the idle load,
then the grid connection up to its cap, then imports from a neighbouring grid
up to their cap [MW]. One problem spans the whole horizon, so deferred
demand crosses calendar years; past the horizon's end the problem continues
for one deferral window (repeating the last steps), so that work whose window
reaches past the end waits there (reported as deferred at the last step)
rather than being served all at once in the last hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.demand import (
    DEFAULT_CLASSES,
    FIBRE_US_PER_KM,
    ROUTE_FACTOR,
    WorkloadClass,
    hourly_shape,
    latency_ms,
    load_trace_csv,
    trajectory_eflops,
)
from sim.dispatch import (
    DispatchProblem,
    dispatch,
    objective_value,
    stay_local_eligibility,
    unit_cost,
)
from sim.errors import ScenarioError
from sim.grid import grid_balance, pv_profile_pu, time_of_use_price, wind_profile_pu
from sim.results import dataarray
from sim.units import normalize_kind, parse_quantity
from sim.validate import hourly_profile, strict_mapping

__all__ = [
    "ClassSpec",
    "DemandSpec",
    "DispatchSpec",
    "GridSpec",
    "LinkSpec",
    "OperationsResult",
    "dispatch_scenario",
    "parse_demand",
    "parse_dispatch",
    "parse_grid",
    "parse_links",
    "supply_variables",
]

POLICIES = ("optimize", "stay_local")
OBJECTIVES = ("cost", "carbon", "mix")
ENGINES = ("hybrid", "greedy", "lp")


# --------------------------------------------------------------------------- helpers


def _choice(value: Any, path: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ScenarioError(
            "unknown option", field=path, given=value, expected=" or ".join(options)
        )
    return str(value)


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class OriginSpec:
    """A place where demand arises: location [degrees], home cluster, role."""

    name: str
    lat: float
    lon: float
    cluster: str | None
    role: str
    hub: str = ""


@dataclass(frozen=True)
class ClassSpec:
    """A workload class of a scenario: behaviour, trajectory and origin shares."""

    workload: WorkloadClass
    points: dict[str, float] | None  # date -> EFLOPS
    growth: tuple[str, float, float] | None  # (start date, EFLOPS, 1/yr)
    shares: dict[str, float]
    trace: np.ndarray | None = None


@dataclass(frozen=True)
class DemandSpec:
    """Parsed ``demand`` section."""

    origins: dict[str, OriginSpec]
    classes: dict[str, ClassSpec]
    route_factor: float = ROUTE_FACTOR
    fibre_us_per_km: float = FIBRE_US_PER_KM
    base_latency_ms: float = 0.0
    latency_overrides_ms: dict[tuple[str, str], float] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkSpec:
    """Compute-equivalent capacity [EFLOPS] from an origin to a cluster, or shared
    by every origin of hub ``from_hub`` towards every cluster of hub ``to_hub``."""

    origin: str | None
    cluster: str | None
    capacity_eflops: float
    from_hub: str | None = None
    to_hub: str | None = None
    field: str = "links"


@dataclass(frozen=True)
class DispatchSpec:
    """Parsed ``dispatch`` section."""

    policy: str = "optimize"
    engine: str = "hybrid"
    objective: str = "cost"
    carbon_price_cny_per_tco2: float = 0.0
    unmet_penalty: float | None = None


@dataclass(frozen=True)
class GridSpec:
    """Parsed ``clusters.<name>.grid`` section (canonical units in the names)."""

    region: str
    intensity_tco2_per_mwh: np.ndarray  # [24] by local hour
    price_cny_per_mwh: np.ndarray  # [24] by local hour
    cap_mw: float
    import_cap_mw: float
    import_price_cny_per_mwh: float
    import_intensity_tco2_per_mwh: float
    renewable_price_cny_per_mwh: float
    pv_mw: float
    pv_cloudiness: float
    pv_capacity_factor: float | None
    wind_mw: float
    wind_capacity_factor: float
    battery_mwh: float
    battery_mw: float
    battery_efficiency: float


# --------------------------------------------------------------------------- parsers

_CLASS_KEYS = (
    "preset",
    "max_latency",
    "window",
    "shape",
    "peak_hour",
    "amplitude",
    "trajectory",
    "growth",
    "origins",
    "kind",
    "hardware",
    "description",
)


def _allow_list(raw: Any, path: str, kind: str, hardware: Mapping[str, Any]) -> tuple[str, ...]:
    """Hardware a class may run on: names of hardware of the class's kind (empty: any)."""
    if raw is None:
        return ()
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not names:
        raise ScenarioError(
            "expected a list of hardware names",
            field=path,
            given=raw,
            expected="e.g. [a100, h100] (a CUDA-only class)",
        )
    for i, name in enumerate(names):
        hw = hardware.get(str(name))
        if hw is None:
            raise ScenarioError(
                f"unknown hardware '{name}'",
                field=f"{path}.{i}",
                expected="hardware installed in a fleet: " + ", ".join(hardware),
            )
        if hw.kind != kind:
            raise ScenarioError(
                f"hardware '{name}' is {hw.kind} compute, not {kind}",
                field=f"{path}.{i}",
                expected=f"{kind} hardware, the kind the class runs on",
            )
    return tuple(str(n) for n in names)


def _class(
    name: str,
    raw: Any,
    path: str,
    origins: Mapping[str, OriginSpec],
    hardware: Mapping[str, Any],
) -> ClassSpec:
    sec = strict_mapping(raw, path, _CLASS_KEYS)
    preset_name = sec.get("preset", name if name in DEFAULT_CLASSES else None)
    if preset_name is not None and preset_name not in DEFAULT_CLASSES:
        raise ScenarioError(
            "unknown class preset",
            field=f"{path}.preset",
            given=preset_name,
            expected=" or ".join(DEFAULT_CLASSES),
        )
    base = DEFAULT_CLASSES.get(preset_name) if preset_name else None
    max_lat = sec.get("max_latency", base.max_latency_ms if base else None)
    if max_lat is None:
        raise ScenarioError("missing required field", field=f"{path}.max_latency")
    if isinstance(max_lat, str) and max_lat.strip() in ("none", "inf", "unbounded"):
        max_lat = np.inf
    max_lat = (
        float(max_lat)
        if isinstance(max_lat, float) and np.isinf(max_lat)
        else parse_quantity(max_lat, "ms", f"{path}.max_latency", minimum=0.0)
    )
    window = parse_quantity(
        sec.get("window", base.window_h if base else 0.0), "h", f"{path}.window", minimum=0.0
    )
    shape_raw = sec.get("shape", base.shape if base else "flat")
    profile: tuple[float, ...] = ()
    trace = None
    if isinstance(shape_raw, list):
        profile = tuple(hourly_profile(shape_raw, "dimensionless", f"{path}.shape"))
        if sum(profile) <= 0:
            raise ScenarioError("profile is all zero", field=f"{path}.shape", given=shape_raw)
        shape = "profile"
    elif isinstance(shape_raw, Mapping):
        tsec = strict_mapping(shape_raw, f"{path}.shape", ("csv", "column"))
        if "csv" not in tsec:
            raise ScenarioError("missing required field", field=f"{path}.shape.csv")
        try:
            trace = load_trace_csv(str(tsec["csv"]), tsec.get("column"))
        except (OSError, ValueError) as exc:
            raise ScenarioError(str(exc), field=f"{path}.shape.csv") from None
        shape = "trace"
    else:
        shape = _choice(shape_raw, f"{path}.shape", ("flat", "diurnal"))
    peak = parse_quantity(
        sec.get("peak_hour", base.peak_hour if base else 20.0),
        "dimensionless",
        f"{path}.peak_hour",
        minimum=0,
        maximum=24,
    )
    amp = parse_quantity(
        sec.get("amplitude", base.amplitude if base else 0.0),
        "dimensionless",
        f"{path}.amplitude",
        minimum=0,
        maximum=1,
    )
    if "kind" in sec:
        kind = normalize_kind(sec["kind"], f"{path}.kind")
    else:
        kind = base.kind if base is not None else ""  # "": not stated (dispatch: any pool)
    allowed = _allow_list(sec.get("hardware"), f"{path}.hardware", kind, hardware)
    workload = WorkloadClass(name, max_lat, window, shape, profile, peak, amp, kind, allowed)

    points = growth = None
    if "trajectory" in sec and "growth" in sec:
        raise ScenarioError(
            "give trajectory or growth, not both", field=f"{path}.growth", given=sec["growth"]
        )
    if "trajectory" in sec:
        traj = sec["trajectory"]
        if not isinstance(traj, Mapping) or not traj:
            raise ScenarioError(
                "expected dated values",
                field=f"{path}.trajectory",
                given=traj,
                expected="a mapping like {2025-01-01: 10 EFLOPS}",
            )
        points = {}
        for k, v in traj.items():
            key = str(k)
            try:
                np.datetime64(key, "D")
            except ValueError:
                raise ScenarioError(
                    "not a date", field=f"{path}.trajectory.{k}", given=k, expected="YYYY-MM-DD"
                ) from None
            points[key] = parse_quantity(v, "EFLOPS", f"{path}.trajectory.{k}", minimum=0.0)
    elif "growth" in sec:
        gsec = strict_mapping(sec["growth"], f"{path}.growth", ("start", "value", "rate"))
        for key in ("start", "value", "rate"):
            if key not in gsec:
                raise ScenarioError("missing required field", field=f"{path}.growth.{key}")
        growth = (
            str(gsec["start"]),
            parse_quantity(gsec["value"], "EFLOPS", f"{path}.growth.value", minimum=0.0),
            parse_quantity(gsec["rate"], "dimensionless", f"{path}.growth.rate", minimum=-1.0),
        )
    else:
        raise ScenarioError(
            "missing required field", field=f"{path}.trajectory", expected="trajectory or growth"
        )

    shares_raw = sec.get("origins")
    if shares_raw is None:
        shares = {o: 1.0 / len(origins) for o in origins}
    else:
        strict_mapping(shares_raw, f"{path}.origins", tuple(origins))
        shares = {
            str(o): parse_quantity(v, "dimensionless", f"{path}.origins.{o}", minimum=0.0)
            for o, v in shares_raw.items()
        }
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-6:
            raise ScenarioError(
                "origin shares do not sum to 1",
                field=f"{path}.origins",
                given=f"sum {total:.6g}",
                expected="shares summing to 1",
            )
    return ClassSpec(workload, points, growth, shares, trace)


def parse_demand(raw: Any, path: str, scenario: Any) -> DemandSpec:
    """Parse the top-level ``demand`` section (see the module docstring)."""
    sec = strict_mapping(raw, path, ("origins", "classes", "latency"))
    clusters = scenario.clusters
    origins: dict[str, OriginSpec] = {}
    if sec.get("origins") is None:
        for c in clusters.values():
            origins[c.name] = OriginSpec(c.name, c.lat, c.lon, c.name, c.role, c.hub)
    else:
        osec = strict_mapping(
            sec["origins"], f"{path}.origins", tuple(str(k) for k in sec["origins"])
        )
        for name, oraw in osec.items():
            opath = f"{path}.origins.{name}"
            o = strict_mapping(oraw, opath, ("lat", "lon", "cluster", "role", "hub", "description"))
            home = o.get("cluster")
            if home is not None and str(home) not in clusters:
                raise ScenarioError(
                    "unknown cluster",
                    field=f"{opath}.cluster",
                    given=home,
                    expected="one of " + ", ".join(clusters),
                )
            if home is not None and ("lat" not in o or "lon" not in o):
                lat, lon = clusters[str(home)].lat, clusters[str(home)].lon
            else:
                for key in ("lat", "lon"):
                    if key not in o:
                        raise ScenarioError("missing required field", field=f"{opath}.{key}")
                lat, lon = o["lat"], o["lon"]
            role = o.get("role", clusters[str(home)].role if home is not None else "")
            hub = o.get("hub", clusters[str(home)].hub if home is not None else "")
            origins[str(name)] = OriginSpec(
                str(name),
                parse_quantity(lat, "degree", f"{opath}.lat", minimum=-90, maximum=90),
                parse_quantity(lon, "degree", f"{opath}.lon", minimum=-180, maximum=180),
                None if home is None else str(home),
                str(role),
                str(hub),
            )
    if not origins:
        raise ScenarioError("no origins", field=f"{path}.origins", expected="at least one origin")
    craw = sec.get("classes")
    if not isinstance(craw, Mapping) or not craw:
        raise ScenarioError(
            "no workload classes", field=f"{path}.classes", expected="a mapping of classes"
        )
    classes = {
        str(n): _class(str(n), v, f"{path}.classes.{n}", origins, scenario.hardware)
        for n, v in craw.items()
    }
    lat_sec = strict_mapping(
        sec.get("latency") or {}, f"{path}.latency", ("route_factor", "fibre", "base", "matrix")
    )
    overrides: dict[tuple[str, str], float] = {}
    matrix = lat_sec.get("matrix") or {}
    strict_mapping(matrix, f"{path}.latency.matrix", tuple(origins))
    for o, row in matrix.items():
        strict_mapping(row, f"{path}.latency.matrix.{o}", tuple(clusters))
        for c, v in row.items():
            overrides[(str(o), str(c))] = parse_quantity(
                v, "ms", f"{path}.latency.matrix.{o}.{c}", minimum=0.0
            )
    return DemandSpec(
        origins=origins,
        classes=classes,
        route_factor=parse_quantity(
            lat_sec.get("route_factor", ROUTE_FACTOR),
            "dimensionless",
            f"{path}.latency.route_factor",
            minimum=1.0,
        ),
        fibre_us_per_km=parse_quantity(
            lat_sec.get("fibre", FIBRE_US_PER_KM), "us/km", f"{path}.latency.fibre", minimum=0.0
        ),
        base_latency_ms=parse_quantity(
            lat_sec.get("base", 0.0), "ms", f"{path}.latency.base", minimum=0.0
        ),
        latency_overrides_ms=overrides,
    )


def parse_links(raw: Any, path: str, scenario: Any) -> list[LinkSpec]:
    """Parse ``links``: a list of ``{from: origin, to: cluster, capacity: EFLOPS}``
    or ``{from_hub: hub, to_hub: hub, capacity: EFLOPS}`` (one link shared by all
    origins of a hub towards all clusters of another).

    Origins are those of the ``demand`` section (default: one per cluster,
    named after it); an origin's hub is its own ``hub`` or its home cluster's.
    """
    if not isinstance(raw, list):
        raise ScenarioError("expected a list of links", field=path, given=raw)
    demand = scenario.raw.get("demand") or {}
    origin_names = {str(o) for o in (demand.get("origins") or {})} or set(scenario.clusters)
    hubs = {c.hub for c in scenario.clusters.values()}
    out = []
    for i, item in enumerate(raw):
        lpath = f"{path}.{i}"
        sec = strict_mapping(item, lpath, ("from", "to", "from_hub", "to_hub", "capacity", "note"))
        if "capacity" not in sec:
            raise ScenarioError("missing required field", field=f"{lpath}.capacity")
        cap = parse_quantity(sec["capacity"], "EFLOPS", f"{lpath}.capacity", minimum=0.0)
        if "from_hub" in sec or "to_hub" in sec:
            for key in ("from_hub", "to_hub"):
                if key not in sec:
                    raise ScenarioError("missing required field", field=f"{lpath}.{key}")
                if str(sec[key]) not in hubs:
                    raise ScenarioError(
                        "unknown hub",
                        field=f"{lpath}.{key}",
                        given=sec[key],
                        expected="one of " + ", ".join(sorted(hubs)),
                    )
            out.append(LinkSpec(None, None, cap, str(sec["from_hub"]), str(sec["to_hub"]), lpath))
            continue
        for key in ("from", "to"):
            if key not in sec:
                raise ScenarioError("missing required field", field=f"{lpath}.{key}")
        if str(sec["from"]) not in origin_names:
            raise ScenarioError(
                "unknown origin",
                field=f"{lpath}.from",
                given=sec["from"],
                expected="one of " + ", ".join(sorted(origin_names)),
            )
        if str(sec["to"]) not in scenario.clusters:
            raise ScenarioError(
                "unknown cluster",
                field=f"{lpath}.to",
                given=sec["to"],
                expected="one of " + ", ".join(scenario.clusters),
            )
        out.append(LinkSpec(str(sec["from"]), str(sec["to"]), cap, field=lpath))
    return out


def parse_dispatch(raw: Any, path: str, scenario: Any) -> DispatchSpec:
    """Parse ``dispatch``: policy, engine, objective, carbon_price, unmet_penalty."""
    sec = strict_mapping(
        raw, path, ("policy", "engine", "objective", "carbon_price", "unmet_penalty", "note")
    )
    penalty = sec.get("unmet_penalty")
    return DispatchSpec(
        policy=_choice(sec.get("policy", "optimize"), f"{path}.policy", POLICIES),
        engine=_choice(sec.get("engine", "hybrid"), f"{path}.engine", ENGINES),
        objective=_choice(sec.get("objective", "cost"), f"{path}.objective", OBJECTIVES),
        carbon_price_cny_per_tco2=parse_quantity(
            sec.get("carbon_price", 0.0), "CNY/tCO2", f"{path}.carbon_price", minimum=0.0
        ),
        unmet_penalty=None
        if penalty is None
        else parse_quantity(penalty, "dimensionless", f"{path}.unmet_penalty", minimum=0.0),
    )


def parse_grid(raw: Any, path: str, cluster: Any) -> GridSpec:
    """Parse ``clusters.<name>.grid`` (carbon, price, caps, renewables, battery, imports)."""
    sec = strict_mapping(
        raw,
        path,
        (
            "region",
            "carbon_intensity",
            "price",
            "connection_cap",
            "import",
            "renewable_price",
            "pv",
            "wind",
            "battery",
        ),
    )
    price_raw = sec.get("price", 0.0)
    if isinstance(price_raw, Mapping):
        psec = strict_mapping(price_raw, f"{path}.price", ("flat", "peak", "valley"))
        if "flat" not in psec:
            raise ScenarioError("missing required field", field=f"{path}.price.flat")
        flat = parse_quantity(psec["flat"], "CNY/MWh", f"{path}.price.flat", minimum=0.0)
        peak = valley = None
        if "peak" in psec:
            peak = parse_quantity(psec["peak"], "CNY/MWh", f"{path}.price.peak", minimum=0.0)
        if "valley" in psec:
            valley = parse_quantity(psec["valley"], "CNY/MWh", f"{path}.price.valley", minimum=0.0)
        price = time_of_use_price(np.arange(24), flat, peak, valley)
    else:
        price = hourly_profile(price_raw, "CNY/MWh", f"{path}.price")
    imp = strict_mapping(
        sec.get("import") or {}, f"{path}.import", ("cap", "price", "carbon_intensity")
    )
    pv = strict_mapping(
        sec.get("pv") or {}, f"{path}.pv", ("capacity", "cloudiness", "capacity_factor")
    )
    wind = strict_mapping(sec.get("wind") or {}, f"{path}.wind", ("capacity", "capacity_factor"))
    bat = strict_mapping(
        sec.get("battery") or {}, f"{path}.battery", ("energy", "power", "efficiency")
    )
    wind_mw = parse_quantity(wind.get("capacity", 0.0), "MW", f"{path}.wind.capacity", minimum=0)
    if wind_mw > 0 and "capacity_factor" not in wind:
        raise ScenarioError("missing required field", field=f"{path}.wind.capacity_factor")
    pv_cf = pv.get("capacity_factor")
    return GridSpec(
        region=str(sec.get("region", cluster.province or cluster.name)),
        intensity_tco2_per_mwh=hourly_profile(
            sec.get("carbon_intensity", 0.0), "tCO2/MWh", f"{path}.carbon_intensity"
        ),
        price_cny_per_mwh=price,
        cap_mw=parse_quantity(sec["connection_cap"], "MW", f"{path}.connection_cap", minimum=0.0)
        if "connection_cap" in sec
        else np.inf,
        import_cap_mw=parse_quantity(imp.get("cap", 0.0), "MW", f"{path}.import.cap", minimum=0),
        import_price_cny_per_mwh=parse_quantity(
            imp.get("price", 0.0), "CNY/MWh", f"{path}.import.price", minimum=0
        ),
        import_intensity_tco2_per_mwh=parse_quantity(
            imp.get("carbon_intensity", 0.0),
            "tCO2/MWh",
            f"{path}.import.carbon_intensity",
            minimum=0,
        ),
        renewable_price_cny_per_mwh=parse_quantity(
            sec.get("renewable_price", 0.0), "CNY/MWh", f"{path}.renewable_price", minimum=0
        ),
        pv_mw=parse_quantity(pv.get("capacity", 0.0), "MW", f"{path}.pv.capacity", minimum=0),
        pv_cloudiness=parse_quantity(
            pv.get("cloudiness", 0.3),
            "dimensionless",
            f"{path}.pv.cloudiness",
            minimum=0,
            maximum=0.99,
        ),
        pv_capacity_factor=None
        if pv_cf is None
        else parse_quantity(
            pv_cf, "dimensionless", f"{path}.pv.capacity_factor", minimum=0, maximum=0.6
        ),
        wind_mw=wind_mw,
        wind_capacity_factor=parse_quantity(
            wind.get("capacity_factor", 0.0),
            "dimensionless",
            f"{path}.wind.capacity_factor",
            minimum=0,
            maximum=0.99,
        ),
        battery_mwh=parse_quantity(
            bat.get("energy", 0.0), "MWh", f"{path}.battery.energy", minimum=0
        ),
        battery_mw=parse_quantity(bat.get("power", 0.0), "MW", f"{path}.battery.power", minimum=0),
        battery_efficiency=parse_quantity(
            bat.get("efficiency", 0.9),
            "dimensionless",
            f"{path}.battery.efficiency",
            minimum=0.01,
            maximum=1.0,
        ),
    )


# --------------------------------------------------------------------------- run


@dataclass(frozen=True)
class OperationsResult:
    """Dispatch outcome on the scenario's time axis (arrays [EFLOPS] unless named)."""

    utilization: np.ndarray  # [C, T] served / installed
    demand_eflops: np.ndarray  # [W, O, T]
    served_eflops: np.ndarray  # [W, C, T]
    unmet_eflops: np.ndarray  # [W, O, T]
    deferred_eflops: np.ndarray  # [W, O, T]
    flow_eflops: np.ndarray  # [O, C, T]
    latency_ms: np.ndarray  # [O, C]
    unmet_reason: np.ndarray  # [W, O] str
    renewable_mw: np.ndarray  # [C, T] available generation
    workloads: list[str]
    origins: list[OriginSpec]
    objective: float


def _hour_of_day(times: np.ndarray) -> np.ndarray:
    return ((times - times.astype("datetime64[D]")) // np.timedelta64(1, "h")).astype(np.intp)


def _step_profile(profile24: np.ndarray, hod: np.ndarray, step_h: float) -> np.ndarray:
    """A 24-hour profile on the time axis; a multi-hour step averages the hours it covers."""
    if step_h >= 24:
        return np.full(hod.shape, float(np.mean(profile24)))
    width = max(int(step_h), 1)
    return np.mean([profile24[(hod + k) % 24] for k in range(width)], axis=0)


def _grids(scenario: Any) -> list[GridSpec | None]:
    grids = [c.sections.get("grid") for c in scenario.clusters.values()]
    if any(g is not None for g in grids) and any(g is None for g in grids):
        missing = next(c.name for c in scenario.clusters.values() if "grid" not in c.sections)
        raise ScenarioError(
            "grid data given for some clusters but not this one",
            field=f"clusters.{missing}.grid",
            expected="a grid section on every cluster, or on none",
        )
    return grids


def renewable_mw(scenario: Any, times: np.ndarray) -> np.ndarray:
    """Available renewable generation per cluster [MW], [C, T] (seeded).

    Profiles are made hourly and averaged over each step when the step is longer.
    """
    step_h = scenario.horizon.step_h
    width = max(round(step_h), 1)
    hourly = times[0].astype("datetime64[h]") + np.arange(len(times) * width)
    out = _renewable_hourly(scenario, hourly)
    if width > 1:
        out = out.reshape(out.shape[0], len(times), width).mean(axis=-1)
    return out


def _renewable_hourly(scenario: Any, times: np.ndarray) -> np.ndarray:
    out = np.zeros((len(scenario.clusters), len(times)))
    for i, (c, g) in enumerate(zip(scenario.clusters.values(), _grids(scenario), strict=True)):
        if g is None or (g.pv_mw == 0 and g.wind_mw == 0):
            continue
        # an independent stream per cluster, apart from the climate streams of sim.model
        rng = np.random.default_rng(np.random.SeedSequence(scenario.seed, spawn_key=(1000 + i,)))
        if g.pv_mw > 0:
            out[i] += g.pv_mw * pv_profile_pu(
                times, c.lat, c.lon, rng, g.pv_cloudiness, g.pv_capacity_factor
            )
        if g.wind_mw > 0:
            out[i] += g.wind_mw * wind_profile_pu(len(times), g.wind_capacity_factor, rng)[0]
    return out


def _latency(spec: DemandSpec, scenario: Any) -> np.ndarray:
    origins = list(spec.origins.values())
    clusters = list(scenario.clusters.values())
    lat = latency_ms(
        [o.lat for o in origins],
        [o.lon for o in origins],
        [c.lat for c in clusters],
        [c.lon for c in clusters],
        us_per_km=spec.fibre_us_per_km,
        route_factor=spec.route_factor,
        base_ms=spec.base_latency_ms,
    )
    names = [c.name for c in clusters]
    onames = [o.name for o in origins]
    for (o, c), v in spec.latency_overrides_ms.items():
        lat[onames.index(o), names.index(c)] = v
    return lat


def demand_array(spec: DemandSpec, times: np.ndarray, step_h: float) -> np.ndarray:
    """Demand [W, O, T] of eq. (1) in :mod:`sim.demand` [EFLOPS]."""
    hod = _hour_of_day(times)
    onames = list(spec.origins)
    out = np.zeros((len(spec.classes), len(onames), len(times)))
    for w, cs in enumerate(spec.classes.values()):
        if cs.points is not None:
            traj = trajectory_eflops(times, cs.points)
        else:
            start, value, rate = cs.growth
            traj = trajectory_eflops(times, start=start, start_eflops=value, growth_per_year=rate)
        if cs.workload.shape == "trace":
            if cs.trace.size != len(times):
                raise ScenarioError(
                    "trace of the wrong length",
                    field=f"demand.classes.{cs.workload.name}.shape.csv",
                    given=f"{cs.trace.size} values",
                    expected=f"{len(times)} values, one per time step",
                )
            shape = hourly_shape(cs.workload, hod, trace=cs.trace)
        elif step_h >= 24:
            shape = np.ones(len(times))
        else:
            shape = np.mean(
                [hourly_shape(cs.workload, (hod + k) % 24) for k in range(int(step_h))], axis=0
            )
        for o, name in enumerate(onames):
            out[w, o] = traj * cs.shares.get(name, 0.0) * shape
    return out


def dispatch_problems(scenario: Any, times: np.ndarray, fleet: Any, pue: np.ndarray, idle):
    """The dispatch problem of a scenario, and context.

    Returns
    -------
    problems : list of (slice, DispatchProblem)
        One problem over the horizon's steps (the slice) and a continuation of
        one deferral window past its end.
    context : dict
        ``demand`` [W,O,T], ``latency_ms`` [O,C], ``eligible`` [W,O,C] (before the
        policy), ``renewable_mw`` [C,T], ``reasons`` [W,O].
    """
    spec: DemandSpec = scenario.sections["demand"]
    dspec: DispatchSpec = scenario.sections.get("dispatch") or DispatchSpec()
    links: list[LinkSpec] = scenario.sections.get("links") or []
    step_h = scenario.horizon.step_h
    clusters = list(scenario.clusters.values())
    cnames = [c.name for c in clusters]
    origins = list(spec.origins.values())
    onames = [o.name for o in origins]
    n_c, n_o = len(clusters), len(origins)

    demand = demand_array(spec, times, step_h)
    lat = _latency(spec, scenario)
    max_lat = np.array([cs.workload.max_latency_ms for cs in spec.classes.values()])
    elig = lat[None, :, :] <= max_lat[:, None, None] + 1e-9
    reasons = np.full(elig.shape[:2], "", dtype=object)
    for w, cs in enumerate(spec.classes.values()):
        for o in range(n_o):
            if not elig[w, o].any():
                reasons[w, o] = (
                    f"no cluster within {cs.workload.max_latency_ms:g} ms of {onames[o]} "
                    f"(nearest {cnames[int(lat[o].argmin())]} at {lat[o].min():.1f} ms)"
                )
    if dspec.policy == "stay_local":
        home = np.array([cnames.index(o.cluster) if o.cluster is not None else -1 for o in origins])
        local = stay_local_eligibility(elig, home)
        for w in range(elig.shape[0]):
            for o in range(n_o):
                if elig[w, o].any() and not local[w, o].any():
                    reasons[w, o] = (
                        f"stay_local: {onames[o]} has no home cluster within {max_lat[w]:g} ms"
                    )
        elig = local

    # marginal and idle power
    cap = fleet.capacity_eflops
    with np.errstate(divide="ignore", invalid="ignore"):
        mw_per_eflops = np.where(cap > 0, fleet.nameplate_mw / cap, 0.0)
    marginal_mw = (1 - idle) * mw_per_eflops * pue  # [C, T] MW per EFLOPS served
    idle_mw = idle * fleet.nameplate_mw * pue
    grids = _grids(scenario)
    ren = renewable_mw(scenario, times)
    hod = _hour_of_day(times)
    if all(g is None for g in grids):
        # no grid data: a single unlimited tranche; objective = facility energy [MWh]
        tranche_price = np.ones((n_c, 1, len(times)))
        tcap_mw = None
    else:
        price = np.stack([_step_profile(g.price_cny_per_mwh, hod, step_h) for g in grids])
        inten = np.stack([_step_profile(g.intensity_tco2_per_mwh, hod, step_h) for g in grids])
        grid_cap = np.array([[g.cap_mw] for g in grids])
        imp_cap = np.array([[g.import_cap_mw] for g in grids])
        imp_price = np.array([[g.import_price_cny_per_mwh] for g in grids])
        imp_int = np.array([[g.import_intensity_tco2_per_mwh] for g in grids])
        ren_price = np.array([[g.renewable_price_cny_per_mwh] for g in grids])
        ren_free = np.maximum(ren - idle_mw, 0.0)
        idle_left = np.maximum(idle_mw - ren, 0.0)
        grid_free = np.maximum(grid_cap - idle_left, 0.0)
        imp_free = np.maximum(imp_cap - np.maximum(idle_left - grid_cap, 0.0), 0.0)
        tcap_mw = np.stack([ren_free, grid_free, imp_free], axis=1)
        kw = dict(
            objective=dspec.objective, carbon_price_cny_per_tco2=dspec.carbon_price_cny_per_tco2
        )
        tprice = np.stack(
            np.broadcast_arrays(
                unit_cost(1.0, ren_price, 0.0, **kw),
                unit_cost(1.0, price, inten, **kw),
                unit_cost(1.0, imp_price, imp_int, **kw),
            ),
            axis=1,
        )
        # tie-break by energy (efficient hardware, low PUE) at 1e-6 of the cost scale:
        # the same offset per MWh everywhere, so per EFLOPS-h it grows with the rate
        cost_scale = max(float(np.abs(marginal_mw[:, None, :] * tprice).max(initial=0.0)), 1.0)
        tranche_price = tprice + 1e-6 * cost_scale / max(float(marginal_mw.max(initial=0.0)), 1e-12)
    # a cluster with no installed compute (marginal power 0) serves none, even under an
    # unlimited grid cap
    pool_cap = cap if tcap_mw is None else np.where(marginal_mw > 0, cap, 0.0)
    link_cap = np.full((n_o, n_c), np.inf)
    link_group = np.full((n_o, n_c), -1)
    group_caps: list[float] = []
    for lk in links:
        if lk.origin is not None:
            link_cap[onames.index(lk.origin), cnames.index(lk.cluster)] = lk.capacity_eflops
            continue
        pairs = (
            np.array([o.hub == lk.from_hub for o in origins])[:, None]
            & np.array([c.hub == lk.to_hub for c in clusters])[None, :]
        )
        if (link_group[pairs] >= 0).any() or np.isfinite(link_cap[pairs]).any():
            raise ScenarioError(
                "an origin-cluster pair is on two links",
                field=lk.field,
                expected="each origin-cluster pair on at most one link",
            )
        link_group[pairs] = len(group_caps)
        group_caps.append(lk.capacity_eflops)
    if ((link_group >= 0) & np.isfinite(link_cap)).any():
        raise ScenarioError(
            "an origin-cluster pair is on two links",
            field="links",
            expected="each origin-cluster pair on at most one link",
        )
    windows = np.array(
        [int(np.floor(cs.workload.window_h / step_h + 1e-9)) for cs in spec.classes.values()]
    )
    # one problem over the whole horizon (deferral crosses calendar years), continued
    # by one window of steps repeating the last ones: work whose window reaches past
    # the horizon may wait there instead of being crammed into its last hours
    tail = int(windows.max(initial=0))

    def cont(x):
        n = x.shape[-1]
        return np.concatenate([x, x[..., (np.arange(tail) + n - tail) % n]], axis=-1)

    problem = DispatchProblem(
        cont(demand),
        cont(pool_cap),
        cont(tranche_price),
        elig,
        windows,
        mw_per_eflops=cont(marginal_mw),
        tranche_capacity_mw=None if tcap_mw is None else cont(tcap_mw),
        link_capacity_eflops=link_cap,
        link_group=link_group,
        link_group_capacity_eflops=np.array(group_caps),
        unmet_penalty_per_eflops_h=dspec.unmet_penalty,
        step_h=step_h,
    )
    problems = [(slice(0, len(times)), problem)]
    context = {
        "demand": demand,
        "latency_ms": lat,
        "reasons": reasons,
        "renewable_mw": ren,
        "engine": dspec.engine,
    }
    return problems, context


def dispatch_scenario(
    scenario: Any, times: np.ndarray, fleet: Any, pue: np.ndarray, idle: np.ndarray
) -> OperationsResult:
    """Run dispatch for a scenario with a ``demand`` section.

    Parameters
    ----------
    scenario : sim.Scenario
    times : datetime64 array [T]
    fleet : sim.fleet.FleetArrays
        ``capacity_eflops`` and ``nameplate_mw``, [C, T].
    pue : array [C, T]
        [-].
    idle : array [C, 1]
        Idle power fraction [-].

    Returns
    -------
    OperationsResult
    """
    spec: DemandSpec = scenario.sections["demand"]
    problems, ctx = dispatch_problems(scenario, times, fleet, pue, idle)
    demand = ctx["demand"]
    n_w, n_o, n_t = demand.shape
    n_c = fleet.capacity_eflops.shape[0]
    served = np.zeros((n_w, n_c, n_t))
    unmet = np.zeros((n_w, n_o, n_t))
    deferred = np.zeros((n_w, n_o, n_t))
    flow = np.zeros((n_o, n_c, n_t))
    objective = 0.0
    for sl, pb in problems:
        res = dispatch(pb, ctx["engine"])
        n = sl.stop - sl.start  # steps of the horizon; the rest is the continuation
        served[..., sl] = pb.by_cluster(res.served_eflops)[..., :n]
        unmet[..., sl] = res.unmet_eflops[..., :n]
        deferred[..., sl] = res.backlog_eflops[..., :n]
        flow[..., sl] = res.flow_eflops[..., :n]
        objective += objective_value(
            pb.time_slice(0, n),
            res.placed_eflops[..., :n],
            res.tranche_mw[..., :n],
            res.unmet_eflops[..., :n],
        )
    cap = fleet.capacity_eflops
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(cap > 0, served.sum(axis=0) / cap, 0.0)
    return OperationsResult(
        utilization=np.clip(util, 0.0, 1.0),
        demand_eflops=demand,
        served_eflops=served,
        unmet_eflops=unmet,
        deferred_eflops=deferred,
        flow_eflops=flow,
        latency_ms=ctx["latency_ms"],
        unmet_reason=ctx["reasons"],
        renewable_mw=ctx["renewable_mw"],
        workloads=list(spec.classes),
        origins=list(spec.origins.values()),
        objective=objective,
    )


def supply_variables(
    scenario: Any,
    times: np.ndarray,
    facility_mw: np.ndarray,
    ops: OperationsResult | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Dataset variables and coordinates of the operations layer.

    Parameters
    ----------
    scenario : sim.Scenario
    times : datetime64 array [T]
    facility_mw : array [C, T]
        Facility power [MW].
    ops : OperationsResult or None
        Dispatch outcome, if the scenario has demand.

    Returns
    -------
    data_vars, coords : dict
    """
    dims = ("cluster", "time")
    data: dict[str, Any] = {}
    coords: dict[str, Any] = {}
    grids = _grids(scenario)
    step_h = scenario.horizon.step_h
    if any(g is not None for g in grids):
        hod = _hour_of_day(times)
        ren = ops.renewable_mw if ops is not None else renewable_mw(scenario, times)

        def col(attr):
            return np.array([[getattr(g, attr)] for g in grids])

        out = grid_balance(
            facility_mw,
            ren,
            grid_cap_mw=col("cap_mw"),
            price_cny_per_mwh=np.stack(
                [_step_profile(g.price_cny_per_mwh, hod, step_h) for g in grids]
            ),
            intensity_tco2_per_mwh=np.stack(
                [_step_profile(g.intensity_tco2_per_mwh, hod, step_h) for g in grids]
            ),
            import_cap_mw=col("import_cap_mw"),
            import_price_cny_per_mwh=col("import_price_cny_per_mwh"),
            import_intensity_tco2_per_mwh=col("import_intensity_tco2_per_mwh"),
            renewable_price_cny_per_mwh=col("renewable_price_cny_per_mwh"),
            battery_energy_mwh=col("battery_mwh"),
            battery_power_mw=col("battery_mw"),
            battery_efficiency=col("battery_efficiency"),
            step_h=step_h,
        )
        meta = {
            "renewable_available_mw": ("MW", "renewable generation available (PV + wind)"),
            "renewable_power_mw": ("MW", "renewable generation used (incl. battery charging)"),
            "grid_power_mw": ("MW", "power drawn from the local grid"),
            "import_power_mw": ("MW", "power imported from a neighbouring grid"),
            "curtailed_mw": ("MW", "renewable generation curtailed"),
            "battery_soc_mwh": ("MWh", "battery state of charge at the end of the step"),
            "shortfall_mw": ("MW", "facility load beyond every supply cap"),
            "carbon_tco2": ("tCO2", "emissions of grid and imported energy within the step"),
            "cost_cny": ("CNY", "energy cost within the step"),
        }
        out["renewable_available_mw"] = ren
        for key, (units, long_name) in meta.items():
            data[key] = dataarray(out[key], dims, units, long_name)
        coords["grid_region"] = ("cluster", [g.region for g in grids])
    if ops is not None:
        coords["workload"] = ops.workloads
        coords["origin"] = [o.name for o in ops.origins]
        coords["origin_role"] = ("origin", [o.role for o in ops.origins])
        coords["origin_lat"] = ("origin", [o.lat for o in ops.origins], {"units": "degree_north"})
        coords["origin_lon"] = ("origin", [o.lon for o in ops.origins], {"units": "degree_east"})
        prec = scenario.reporting_precision
        wo, wc, oc = ("workload", "origin", "time"), ("workload", "cluster", "time"), None
        oc = ("origin", "cluster", "time")
        data["demand_eflops"] = dataarray(ops.demand_eflops, wo, "EFLOPS", f"demand ({prec})")
        data["served_eflops"] = dataarray(ops.served_eflops, wc, "EFLOPS", f"served ({prec})")
        data["unmet_eflops"] = dataarray(
            ops.unmet_eflops, wo, "EFLOPS", f"demand dropped in the step ({prec})"
        )
        data["deferred_eflops"] = dataarray(
            ops.deferred_eflops, wo, "EFLOPS", f"demand waiting at the end of the step ({prec})"
        )
        data["flow_eflops"] = dataarray(
            ops.flow_eflops, oc, "EFLOPS", f"compute served for an origin at a cluster ({prec})"
        )
        data["latency_ms"] = dataarray(
            ops.latency_ms, ("origin", "cluster"), "ms", "one-way latency origin to cluster"
        )
        data["unmet_reason"] = dataarray(
            ops.unmet_reason.astype(str), ("workload", "origin"), "-", "why demand cannot be served"
        )
    return data, coords


# --------------------------------------------------------------------------- reporting


def operations_json(summary: Any) -> dict[str, Any]:
    """Operations figures of an annual summary as plain JSON (empty without them)."""
    out: dict[str, Any] = {}
    years = [str(int(y)) for y in summary["year"].values]

    def num(x):
        x = float(x)
        return None if np.isnan(x) else x

    if "class_demand_mean_eflops" in summary:
        workloads = [str(w) for w in summary["workload"].values]
        out["by_class"] = {
            y: {
                w: {
                    v: num(summary[v].values[i, j])
                    for v in (
                        "class_demand_mean_eflops",
                        "class_served_mean_eflops",
                        "class_unmet_mean_eflops",
                        "class_unmet_share",
                    )
                }
                for i, w in enumerate(workloads)
            }
            for j, y in enumerate(years)
        }
        out["east_served_in_west_share"] = {
            y: num(summary["east_served_in_west_share"].values[j]) for j, y in enumerate(years)
        }
    if "peak_grid_power_by_region_mw" in summary:
        regions = [str(r) for r in summary["region"].values]
        out["peak_grid_power_by_region_mw"] = {
            y: {
                r: num(summary["peak_grid_power_by_region_mw"].values[i, j])
                for i, r in enumerate(regions)
            }
            for j, y in enumerate(years)
        }
    return out


def operations_table(summary: Any, ds: Any) -> str:
    """Text block for ``suanli run``: demand by class, east-in-west, grid, carbon, cost."""
    lines: list[str] = []
    years = [int(y) for y in summary["year"].values]
    if "class_demand_mean_eflops" in summary:
        workloads = [str(w) for w in summary["workload"].values]
        width = max(len(w) for w in [*workloads, "class"])
        head = (
            f"{'year':>4}  {'class':<{width}} {'demand EFLOPS':>14} {'served':>10} "
            f"{'unmet':>10} {'unmet %':>8}"
        )
        lines += ["demand and dispatch (time means)", head, "-" * len(head)]
        for j, y in enumerate(years):
            for i, w in enumerate(workloads):
                d = summary["class_demand_mean_eflops"].values[i, j]
                sv = summary["class_served_mean_eflops"].values[i, j]
                u = summary["class_unmet_mean_eflops"].values[i, j]
                sh = summary["class_unmet_share"].values[i, j]
                share = f"{100 * sh:.2f}" if not np.isnan(sh) else "-"
                lines.append(f"{y:>4}  {w:<{width}} {d:>14.3f} {sv:>10.3f} {u:>10.3f} {share:>8}")
            e = summary["east_served_in_west_share"].values[j]
            if not np.isnan(e):
                lines.append(f"{y:>4}  eastern demand served in the west: {100 * e:.1f} %")
        reasons = {str(r) for r in np.asarray(ds["unmet_reason"].values).ravel() if str(r)}
        for r in sorted(reasons):
            lines.append(f"unservable: {r}")
        reachable = (np.asarray(ds["unmet_reason"].values) == "").any(axis=1)
        short = summary["class_unmet_mean_eflops"].values.max(axis=1) > 1e-9
        for i, w in enumerate(workloads):
            if short[i] and reachable[i]:
                lines.append(
                    f"unmet {w}: installed compute, power caps or links within its latency "
                    "bound and deferral window were short"
                )
    if "carbon_tco2" in summary:
        if lines:
            lines.append("")
        regions = [str(r) for r in summary["region"].values]
        rw = max(len("grid region"), *(len(r) for r in regions))
        head = f"{'year':>4}  {'grid region':<{rw}} {'peak grid MW':>13}"
        lines += ["grid (coincident regional peaks)", head, "-" * len(head)]
        for j, y in enumerate(years):
            for i, r in enumerate(regions):
                peak = summary["peak_grid_power_by_region_mw"].values[i, j]
                lines.append(f"{y:>4}  {r:<{rw}} {peak:>13.1f}")
        lines.append("")
        head = (
            f"{'year':>4}  {'renewables %':>12} {'curtailed GWh':>14} {'imports GWh':>12} "
            f"{'carbon MtCO2':>13} {'cost bn CNY':>12}"
        )
        lines += ["supply, carbon and cost (all clusters)", head, "-" * len(head)]
        for j, y in enumerate(years):
            e = summary["energy_twh"].values[:, j]
            share = summary["renewable_share"].values[:, j]
            ren = 100 * float((share * e).sum() / e.sum()) if e.sum() > 0 else float("nan")
            lines.append(
                f"{y:>4}  {ren:>12.1f} {summary['curtailed_gwh'].values[:, j].sum():>14.1f} "
                f"{summary['import_gwh'].values[:, j].sum():>12.1f} "
                f"{summary['carbon_tco2'].values[:, j].sum() / 1e6:>13.3f} "
                f"{summary['cost_cny'].values[:, j].sum() / 1e9:>12.3f}"
            )
    return "\n".join(lines)
