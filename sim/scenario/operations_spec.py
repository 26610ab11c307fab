"""The operations sections of a scenario: ``demand``, ``links``, ``dispatch`` and
``clusters.<name>.grid``, parsed into frozen specs in canonical units.

Any mistake raises :class:`sim.ScenarioError` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.inputs import input_file
from sim.scenario.tariffs import time_of_use_price
from sim.scenario.units import normalize_kind, parse_quantity
from sim.scenario.validate import hourly_profile, strict_mapping
from sim.scenario.workloads import (
    DEFAULT_CLASSES,
    FIBRE_US_PER_KM,
    ROUTE_FACTOR,
    WorkloadClass,
    load_trace_csv,
)

POLICIES = ("optimize", "stay_local")
OBJECTIVES = ("cost", "carbon", "mix")
ENGINES = ("greedy", "lp")

#: Largest demand of one class [EFLOPS]: about a thousand times the world's installed
#: compute (an assumption of plausibility); 1e308 EFLOPS ran to infinite unmet demand.
MAX_DEMAND_EFLOPS = 1e6


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
    engine: str = "greedy"
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
            trace = load_trace_csv(input_file(tsec["csv"], f"{path}.shape.csv"), tsec.get("column"))
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
            points[key] = parse_quantity(
                v, "EFLOPS", f"{path}.trajectory.{k}", minimum=0.0, maximum=MAX_DEMAND_EFLOPS
            )
    elif "growth" in sec:
        gsec = strict_mapping(sec["growth"], f"{path}.growth", ("start", "value", "rate"))
        for key in ("start", "value", "rate"):
            if key not in gsec:
                raise ScenarioError("missing required field", field=f"{path}.growth.{key}")
        growth = (
            str(gsec["start"]),
            parse_quantity(
                gsec["value"],
                "EFLOPS",
                f"{path}.growth.value",
                minimum=0.0,
                maximum=MAX_DEMAND_EFLOPS,
            ),
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
        engine=_choice(sec.get("engine", "greedy"), f"{path}.engine", ENGINES),
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
