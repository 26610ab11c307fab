"""The core sections of a scenario: hardware, fleets and each cluster's operating
assumptions (utilisation, idle power, PUE, climate), parsed into frozen records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.scenario import catalog
from sim.scenario.errors import ScenarioError
from sim.scenario.fields import calendar_year, checked_section, fraction, parse_date, required
from sim.scenario.horizon import Horizon
from sim.scenario.hourly import hourly_series
from sim.scenario.units import (
    KIND_PRECISION,
    KINDS,
    RACK_POWER_KW,
    dimension_of,
    normalize_kind,
    normalize_precision,
    parse_quantity,
)


@dataclass(frozen=True)
class Hardware:
    """One hardware type, reduced to what the power model needs.

    Attributes
    ----------
    name : str
    efficiency_flops_per_w : dict[str, float]
        Node-level efficiency per precision [FLOPS/W], i.e. peak / (power × node_overhead).
    available_from : int or None
        First shipping year.
    lifetime_years : float
        Service life [year].
    kind : str
        Compute kind (:data:`sim.units.KINDS`). When a scenario or catalog entry
        does not say, it is derived (:func:`default_kind`): an entry given by
        ``peak_flops`` and ``power`` per accelerator is intelligent, one given only
        by a whole-system ``efficiency`` is supercomputing.
    embodied_kgco2_per_w : float
        Embodied (manufacturing) carbon per watt of nameplate node power
        [kgCO2e/W]: ``embodied_carbon`` per accelerator / (power × node_overhead);
        0 when not given (:mod:`sim.results.embodied`).
    """

    name: str
    efficiency_flops_per_w: dict[str, float]
    available_from: int | None = None
    lifetime_years: float = 6.0
    kind: str = "intelligent"
    embodied_kgco2_per_w: float = 0.0


@dataclass(frozen=True)
class Addition:
    """One cohort of a vintage fleet.

    Attributes
    ----------
    start, end : numpy.datetime64
        Commissioning ramps linearly from ``start`` to ``end`` (equal: a step).
    amount : float
        Size in ``measure`` units: FLOPS at the fleet precision, W of IT power, or racks.
    measure : str
        ``"compute"``, ``"power"`` or ``"rack"``.
    shares : dict[str, float]
        Share of the cohort's compute by hardware name.
    """

    start: np.datetime64
    end: np.datetime64
    amount: float
    measure: str
    shares: dict[str, float]


@dataclass(frozen=True)
class Fleet:
    """Installed hardware of one cluster, or of one kind of compute in it.

    Attributes
    ----------
    precision : str
        Precision of compute figures.
    shares : dict[str, float]
        Capacity share by hardware (capacity-points mode).
    points_time : numpy.ndarray of datetime64
        Capacity point dates (capacity-points mode; empty in vintage mode).
    points_value : numpy.ndarray
        Capacity at those dates, in ``points_measure`` units (FLOPS, W or racks).
    points_measure : str
        ``"compute"``, ``"power"`` or ``"rack"``.
    additions : tuple of Addition
        Vintage cohorts (vintage mode).
    rack_power_w : float
        IT power of one standard rack [W].
    rack_occupancy : float
        Populated fraction of racks [1].
    kind : str or None
        The compute kind this part holds (``fleet: {general: ..., intelligent: ...}``),
        or None for a single fleet whose hardware may be of any kinds.
    """

    precision: str
    shares: dict[str, float]
    points_time: np.ndarray
    points_value: np.ndarray
    points_measure: str
    additions: tuple[Addition, ...]
    rack_power_w: float
    rack_occupancy: float
    kind: str | None = None


@dataclass(frozen=True)
class PueModel:
    """PUE: a constant, or a climate model driven by ambient temperature.

    ``PUE(T) = min(max_pue, base + slope_per_k · max(0, T − threshold_c))``.
    A constant PUE has ``slope_per_k == 0`` and ``base`` the constant.
    """

    base: float
    threshold_c: float = 15.0
    slope_per_k: float = 0.0
    max_pue: float = 2.0

    @property
    def is_constant(self) -> bool:
        return self.slope_per_k == 0.0


@dataclass(frozen=True)
class Climate:
    """Synthetic hourly ambient temperature parameters [degC, K].

    The annual cycle is ``monthly_mean_c`` (12 monthly means, interpolated between
    mid-months) when given, else a sinusoid of ``mean_c`` and ``annual_amplitude_k``
    (which then also summarise the monthly means). ``source`` says where they come
    from: the scenario, the shipped table of city temperatures, or the fallback from
    latitude and altitude.
    """

    mean_c: float
    annual_amplitude_k: float
    diurnal_amplitude_k: float = 5.0
    noise_k: float = 2.0
    monthly_mean_c: tuple[float, ...] | None = None
    source: str = "scenario"
    series_c: np.ndarray | None = None  # measured, on Horizon.hours() [degC] (climate.file)


@dataclass(frozen=True)
class Cluster:
    """One data-center cluster and its operating assumptions.

    ``fleets`` holds one :class:`Fleet` (``fleet:`` with hardware of any kinds) or
    one per kind (``fleet: {general: ..., intelligent: ...}``).
    """

    name: str
    lat: float
    lon: float
    hub: str
    role: str
    province: str
    fleets: tuple[Fleet, ...]
    utilization: np.ndarray  # shape (24,) by local hour, fraction
    idle_power: float
    pue: PueModel
    climate: Climate
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def fleet(self) -> Fleet:
        """The cluster's fleet when it is given as one (not per kind)."""
        if len(self.fleets) != 1:
            raise ScenarioError(
                "this needs one fleet, not a fleet per kind",
                field=f"clusters.{self.name}.fleet",
                expected="fleet: {precision, hardware, capacity or additions}",
            )
        return self.fleets[0]

    @property
    def hardware_names(self) -> list[str]:
        """Hardware used in the cluster's fleets, in order of first use."""
        names: dict[str, None] = {}
        for f in self.fleets:
            names.update(dict.fromkeys(f.shares))
            for add in f.additions:
                names.update(dict.fromkeys(add.shares))
        return list(names)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario in canonical units. Build it with :func:`load_scenario`."""

    name: str
    description: str
    seed: int
    horizon: Horizon
    reporting_precision: str
    hardware: dict[str, Hardware]
    clusters: dict[str, Cluster]
    raw: dict[str, Any]
    path: str | None = None
    variant: str | None = None
    sections: dict[str, Any] = field(default_factory=dict)
    totals_basis: str = ""

    @property
    def kinds(self) -> list[str]:
        """Compute kinds installed in any cluster, in :data:`sim.units.KINDS` order."""
        used = {self.hardware[h].kind for c in self.clusters.values() for h in c.hardware_names}
        return [k for k in KINDS if k in used]

    @property
    def cluster_names(self) -> list[str]:
        return list(self.clusters)

    def variants(self) -> dict[str, str]:
        """Variant names and descriptions declared in the scenario."""
        return {
            k: (v or {}).get("description", "") for k, v in self.raw.get("variants", {}).items()
        }


# ---------------------------------------------------------------------------
# Reading helpers


def hardware_entry(name: str, raw: Any, path: str) -> Hardware:
    sec = dict(checked_section(raw, path, "hardware.<name>"))
    if "from" in sec:
        base_name = sec.pop("from")
        base = catalog.entry(base_name, field=f"{path}.from")
        # the user's fields replace the catalog's; efficiency and peak are exclusive
        if "efficiency" in sec:
            base = {k: v for k, v in base.items() if k not in ("peak_flops", "power")}
        if "peak_flops" in sec or "power" in sec:
            base = {k: v for k, v in base.items() if k != "efficiency"}
        sec = {**base, **sec}
    has_peak = "peak_flops" in sec or "power" in sec
    has_eff = "efficiency" in sec
    if has_peak and has_eff:
        raise ScenarioError(
            "give either peak_flops with power, or efficiency, not both",
            field=path,
        )
    efficiency: dict[str, float] = {}
    if has_eff:
        effs = checked_section(sec["efficiency"], f"{path}.efficiency")
        if not effs:
            raise ScenarioError("empty", field=f"{path}.efficiency", expected="precision: GFLOPS/W")
        for prec, val in effs.items():
            p = normalize_precision(prec, f"{path}.efficiency.{prec}")
            gflops_w = parse_quantity(
                val, "GFLOPS/W", f"{path}.efficiency.{prec}", minimum=0, strict_minimum=True
            )
            efficiency[p] = gflops_w * 1e9
    elif has_peak:
        peaks = checked_section(required(sec, "peak_flops", path), f"{path}.peak_flops")
        power_w = parse_quantity(
            required(sec, "power", path), "W", f"{path}.power", minimum=0, strict_minimum=True
        )
        overhead = parse_quantity(
            sec.get("node_overhead", 1.0),
            "dimensionless",
            f"{path}.node_overhead",
            minimum=1.0,
        )
        if not peaks:
            raise ScenarioError("empty", field=f"{path}.peak_flops", expected="precision: TFLOPS")
        for prec, val in peaks.items():
            p = normalize_precision(prec, f"{path}.peak_flops.{prec}")
            tflops = parse_quantity(
                val, "TFLOPS", f"{path}.peak_flops.{prec}", minimum=0, strict_minimum=True
            )
            efficiency[p] = tflops * 1e12 / (power_w * overhead)
        node_w = power_w * overhead
    else:
        raise ScenarioError(
            "no efficiency: give peak_flops with power, or efficiency",
            field=path,
            expected="peak_flops + power (+ node_overhead), or efficiency, or from: CATALOG_NAME",
        )
    if "node_overhead" in sec and has_eff and "peak_flops" not in sec:
        raise ScenarioError(
            "node_overhead applies to peak_flops and power, not to a given efficiency",
            field=f"{path}.node_overhead",
        )
    avail = sec.get("available_from")
    lifetime = parse_quantity(
        sec.get("lifetime", 6), "year", f"{path}.lifetime", minimum=0, strict_minimum=True
    )
    kind = normalize_kind(sec["kind"], f"{path}.kind") if "kind" in sec else default_kind(has_peak)
    embodied = 0.0
    if "embodied_carbon" in sec:
        if not has_peak:
            raise ScenarioError(
                "embodied_carbon is per accelerator or server: it needs peak_flops and power",
                field=f"{path}.embodied_carbon",
                expected="peak_flops + power with embodied_carbon, or no embodied_carbon",
            )
        kg = parse_quantity(sec["embodied_carbon"], "kgCO2", f"{path}.embodied_carbon", minimum=0)
        embodied = kg / node_w
    return Hardware(
        name=name,
        efficiency_flops_per_w=efficiency,
        available_from=None if avail is None else calendar_year(avail, f"{path}.available_from"),
        lifetime_years=lifetime,
        kind=kind,
        embodied_kgco2_per_w=embodied,
    )


def default_kind(per_accelerator: bool) -> str:
    """Kind of a hardware entry that does not state one.

    An entry given by ``peak_flops`` and ``power`` describes one accelerator:
    intelligent (智能). An entry given only by ``efficiency`` describes a whole
    system measured end to end, as Green500 lists supercomputers: supercomputing
    (超算). General-purpose (通用) CPU servers must say ``kind: general``.
    """
    return "intelligent" if per_accelerator else "supercomputing"


def _shares(raw: Any, path: str, hardware: Mapping[str, Hardware]) -> dict[str, float]:
    sec = checked_section(raw, path)
    if not sec:
        raise ScenarioError("no hardware given", field=path, expected="hardware_name: share")
    shares = {}
    for name, val in sec.items():
        if str(name) not in hardware:
            raise ScenarioError(
                f"unknown hardware '{name}'",
                field=f"{path}.{name}",
                expected="a name under hardware: or in the catalog ("
                + ", ".join(catalog.names())
                + ")",
            )
        shares[str(name)] = fraction(val, f"{path}.{name}")
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ScenarioError(
            "shares do not sum to 1",
            field=path,
            given=f"sum {total:.6g}",
            expected="shares summing to 1",
        )
    return shares


_AMOUNT_UNITS = {"compute": "FLOPS", "power": "W", "rack": "rack"}


def _amount(value: Any, path: str) -> tuple[float, str]:
    """A capacity amount: compute, IT power or racks, by the unit written."""
    kind = dimension_of(value)
    if kind is None:
        raise ScenarioError(
            "capacity needs a unit",
            field=path,
            given=value,
            expected="compute ('1 EFLOPS'), IT power ('100 MW') or standard racks ('5000 racks')",
        )
    return parse_quantity(value, _AMOUNT_UNITS[kind], path, minimum=0.0), kind


def parse_fleets(
    raw: Any, path: str, hardware: Mapping[str, Hardware], reporting: str, horizon: Horizon
) -> tuple[Fleet, ...]:
    """One fleet, or one per kind when every key of ``fleet`` is a kind name."""
    sec = checked_section(raw, path)
    kind_keys = [str(k) for k in sec if str(k) in KINDS]
    if not kind_keys:
        return (parse_fleet(sec, path, hardware, reporting, horizon),)
    if len(kind_keys) != len(sec):
        other = next(str(k) for k in sec if str(k) not in KINDS)
        raise ScenarioError(
            "a fleet is given either per kind or as one, not both",
            field=f"{path}.{other}",
            expected="only kind sections (general, intelligent, supercomputing) "
            "or only fleet fields",
        )
    return tuple(
        parse_fleet(sec[k], f"{path}.{k}", hardware, reporting, horizon, kind=k)
        for k in KINDS
        if k in sec
    )


def parse_fleet(
    raw: Any,
    path: str,
    hardware: Mapping[str, Hardware],
    reporting: str,
    horizon: Horizon,
    kind: str | None = None,
) -> Fleet:
    sec = checked_section(raw, path, "clusters.<name>.fleet")
    if kind is not None and "precision" not in sec:
        precision = KIND_PRECISION[kind]  # a kind's part counts in its conventional precision
    else:
        precision = normalize_precision(required(sec, "precision", path), f"{path}.precision")
    rack_kw = parse_quantity(
        sec.get("rack_power", RACK_POWER_KW),
        "kW",
        f"{path}.rack_power",
        minimum=0,
        strict_minimum=True,
    )
    occupancy = fraction(sec.get("rack_occupancy", 1.0), f"{path}.rack_occupancy")
    has_points, has_adds = "capacity" in sec, "additions" in sec
    if has_points == has_adds:
        raise ScenarioError(
            "give exactly one of capacity (dated points) or additions (vintage cohorts)",
            field=path,
        )
    shares: dict[str, float] = {}
    times = np.array([], dtype="datetime64[D]")
    values = np.array([])
    measure = "compute"
    additions: list[Addition] = []
    share_of = sec.get("share_of", "compute")
    if share_of not in ("compute", "power"):
        raise ScenarioError(
            "unknown share basis",
            field=f"{path}.share_of",
            given=share_of,
            expected="compute or power",
        )
    if has_points:
        shares = _shares(required(sec, "hardware", path), f"{path}.hardware", hardware)
        pts = checked_section(sec["capacity"], f"{path}.capacity")
        if not pts:
            raise ScenarioError("no capacity points", field=f"{path}.capacity")
        parsed = []
        for when, val in pts.items():
            fpath = f"{path}.capacity.{when}"
            amount, m = _amount(val, fpath)
            parsed.append((parse_date(when, fpath), amount, m))
        measures = {m for _, _, m in parsed}
        if len(measures) > 1:
            raise ScenarioError(
                "capacity points mix units of different kinds",
                field=f"{path}.capacity",
                expected="all compute, all power or all racks",
            )
        parsed.sort(key=lambda p: p[0])
        measure = parsed[0][2]
        times = np.array([p[0] for p in parsed], dtype="datetime64[D]")
        values = np.array([p[1] for p in parsed])
        if len(np.unique(times)) != len(times):
            raise ScenarioError("two capacity points on one date", field=f"{path}.capacity")
        _check_points_available(shares, hardware, times, values, horizon, path)
        used = shares
    else:
        if "hardware" in sec:
            raise ScenarioError(
                "with additions, give hardware per addition", field=f"{path}.hardware"
            )
        adds = sec["additions"]
        if not isinstance(adds, list) or not adds:
            raise ScenarioError(
                "expected a list of additions",
                field=f"{path}.additions",
                given=adds,
                expected="[{year: 2025, capacity: '5 EFLOPS', hardware: {h100: 1.0}}, ...]",
            )
        used = {}
        for i, item in enumerate(adds):
            ipath = f"{path}.additions.{i}"
            if not isinstance(item, Mapping):
                raise ScenarioError("expected a mapping", field=ipath, given=item)
            unknown = set(item) - {"year", "date", "capacity", "hardware", "note"}
            if unknown:
                raise ScenarioError(
                    f"unknown field '{sorted(map(str, unknown))[0]}'",
                    field=ipath,
                    expected="year or date, capacity, hardware (note)",
                )
            if ("year" in item) == ("date" in item):
                raise ScenarioError("give exactly one of year or date", field=ipath)
            if "year" in item:
                y = calendar_year(item["year"], f"{ipath}.year")
                start = np.datetime64(f"{y:04d}-01-01", "D")
                end = np.datetime64(f"{y + 1:04d}-01-01", "D")
            else:
                start = end = parse_date(item["date"], f"{ipath}.date")
            amount, m = _amount(required(item, "capacity", ipath), f"{ipath}.capacity")
            sh = _shares(required(item, "hardware", ipath), f"{ipath}.hardware", hardware)
            year = int(str(start)[:4])
            for hname in sh:
                avail = hardware[hname].available_from
                if avail is not None and year < avail:
                    raise ScenarioError(
                        f"hardware '{hname}' is not available until {avail}",
                        field=f"{ipath}.hardware.{hname}",
                        given=year,
                        expected=f"an addition in {avail} or later, or other hardware",
                    )
            used.update(sh)
            additions.append(Addition(start, end, amount, m, sh))
    for name in used:
        if kind is not None and hardware[name].kind != kind:
            raise ScenarioError(
                f"hardware '{name}' is {hardware[name].kind} compute, not {kind}",
                field=path,
                given=name,
                expected=f"{kind} hardware in the {kind} part of the fleet",
            )
        effs = hardware[name].efficiency_flops_per_w
        hw_kind = hardware[name].kind
        for need, what, where in (
            (precision, "fleet precision", f"{path}.precision"),
            (reporting, "reporting_precision", "reporting_precision"),
            (KIND_PRECISION[hw_kind], f"precision {hw_kind} compute is counted in", path),
        ):
            if need not in effs:
                raise ScenarioError(
                    f"no conversion path: hardware '{name}' has no {need} figure, "
                    f"needed for the {what}",
                    field=where,
                    given=need,
                    expected=f"a precision '{name}' has: {', '.join(sorted(effs))}",
                )
    if share_of == "power":
        shares = _power_to_compute_shares(shares, hardware, precision)
        additions = [
            Addition(
                a.start,
                a.end,
                a.amount,
                a.measure,
                _power_to_compute_shares(a.shares, hardware, precision),
            )
            for a in additions
        ]
    return Fleet(
        precision=precision,
        shares=shares,
        points_time=times,
        points_value=values,
        points_measure=measure,
        additions=tuple(additions),
        rack_power_w=rack_kw * 1e3,
        rack_occupancy=occupancy,
    )


def _check_points_available(
    shares: Mapping[str, float],
    hardware: Mapping[str, Hardware],
    times: np.ndarray,
    values: np.ndarray,
    horizon: Horizon,
    path: str,
) -> None:
    """Capacity points apply their shares at every date, so each hardware with a share
    must be available (``available_from``) by the year of the first simulated day on
    which the fleet has capacity above zero (linear between points, flat outside)."""
    days = np.arange(horizon.start, horizon.end + np.timedelta64(1, "D"))
    cap = np.interp(days.astype(float), times.astype(float), values)
    if not (cap > 0).any():
        return
    year = int(str(days[np.argmax(cap > 0)])[:4])
    for hname, share in shares.items():
        avail = hardware[hname].available_from
        if share > 0 and avail is not None and year < avail:
            raise ScenarioError(
                f"hardware '{hname}' is not available until {avail}, but the capacity "
                f"points install it in {year} (shares apply at every date)",
                field=f"{path}.hardware.{hname}",
                given=year,
                expected=f"capacity above zero from {avail} only, additions, or other hardware",
            )


def _power_to_compute_shares(
    shares: dict[str, float], hardware: Mapping[str, Hardware], precision: str
) -> dict[str, float]:
    """Shares of IT power q_h → shares of compute s_h = q_h·eff_h / Σ q·eff."""
    if not shares:
        return shares
    weights = {n: q * hardware[n].efficiency_flops_per_w[precision] for n, q in shares.items()}
    total = sum(weights.values())
    return {n: w / total for n, w in weights.items()}


#: Absolute zero [degC]: no temperature is at or below it.
ABSOLUTE_ZERO_C = -273.15
#: Largest accepted PUE [1]: an assumption of plausibility (facilities report 1.1-3);
#: above it a typo (1e308) would print infinite energy.
MAX_PUE = 10.0


def parse_pue(raw: Any, path: str) -> PueModel:
    if isinstance(raw, Mapping):
        sec = checked_section(raw, path, "clusters.<name>.pue")
        model = required(sec, "model", path)
        if model != "climate":
            raise ScenarioError(
                "unknown PUE model", field=f"{path}.model", given=model, expected="climate"
            )
        base = parse_quantity(
            required(sec, "base", path),
            "dimensionless",
            f"{path}.base",
            minimum=1.0,
            maximum=MAX_PUE,
        )
        pue = PueModel(
            base=base,
            threshold_c=parse_quantity(
                sec.get("free_cooling_below", 15.0),
                "degC",
                f"{path}.free_cooling_below",
                minimum=ABSOLUTE_ZERO_C,
                strict_minimum=True,
            ),
            slope_per_k=parse_quantity(sec.get("slope", 0.01), "1/K", f"{path}.slope", minimum=0),
            max_pue=parse_quantity(
                sec.get("max", 2.0), "dimensionless", f"{path}.max", minimum=1.0, maximum=MAX_PUE
            ),
        )
        if pue.max_pue < pue.base:
            raise ScenarioError(
                "max is below base",
                field=f"{path}.max",
                given=pue.max_pue,
                expected=f">= base {pue.base}",
            )
        return pue
    return PueModel(base=parse_quantity(raw, "dimensionless", path, minimum=1.0, maximum=MAX_PUE))


def parse_climate(
    raw: Any, path: str, lat: float, lon: float, altitude_m: float, horizon: Horizon
) -> Climate:
    sec = checked_section(raw if raw is not None else {}, path, "clusters.<name>.climate")
    if "file" in sec:  # a measured series (sim.scenario.hourly): no synthetic parameters
        spec = {k: sec[k] for k in ("file", "column", "variable", "units") if k in sec}
        series = hourly_series(spec, "degC", path, horizon.hours(), 1.0)
        return Climate(
            mean_c=float(series.mean()),
            annual_amplitude_k=0.0,
            source=f"file {spec['file']}",
            series_c=series,
        )
    # Default climate: the monthly means of the shipped table's city within 100 km
    # (scenarios/data/climate_normals.csv [S63]), else a fit in latitude with the
    # standard lapse rate for altitude (sim.catalog.fallback_climate); the dataset
    # says which in the climate_source attribute of ambient_temperature_c.
    city = catalog.nearest_city_climate(lat, lon)
    monthly = None
    if "mean" in sec or "annual_amplitude" in sec:
        mean_default, amp_default = catalog.fallback_climate(lat, altitude_m)
        source = "scenario (mean, annual_amplitude)"
    elif city is not None:
        monthly = city.monthly_mean_c
        mean_default = float(np.mean(monthly))
        amp_default = (max(monthly) - min(monthly)) / 2
        source = city.source
    else:
        mean_default, amp_default = catalog.fallback_climate(lat, altitude_m)
        source = (
            f"fallback: latitude {lat:g} deg, altitude {altitude_m:g} m (no table city "
            "within 100 km; sim.catalog.fallback_climate)"
        )
    return Climate(
        mean_c=parse_quantity(
            sec.get("mean", mean_default),
            "degC",
            f"{path}.mean",
            minimum=ABSOLUTE_ZERO_C,
            strict_minimum=True,
        ),
        annual_amplitude_k=_difference(sec, "annual_amplitude", amp_default, path),
        diurnal_amplitude_k=_difference(sec, "diurnal_amplitude", 5.0, path),
        noise_k=_difference(sec, "noise", 2.0, path),
        monthly_mean_c=monthly,
        source=source,
    )


def _difference(sec: Mapping, key: str, default: float, path: str) -> float:
    """A temperature difference [K] (K or delta_degC; plain degC is refused)."""
    return parse_quantity(sec.get(key, default), "K", f"{path}.{key}", minimum=0, difference=True)


def _check_utilization_settable(data: Mapping, changes: Mapping[str, Any]) -> None:
    """Refuse a variant or override of a cluster's ``utilization`` in a dispatching scenario.

    With a ``demand`` section, utilisation is an outcome of dispatch (served /
    installed compute, :mod:`sim.operations`); the ``utilization`` field is only
    the fallback without demand, so setting it would change nothing.
    """
    if not isinstance(data, Mapping) or data.get("demand") is None:
        return
    for path, value in changes.items():
        parts = str(path).split(".")
        if len(parts) >= 3 and parts[0] == "clusters" and parts[2] == "utilization":
            raise ScenarioError(
                "utilization is an outcome of dispatch in a scenario with a demand section "
                "(served / installed compute); setting it would change nothing",
                field=str(path),
                given=value,
                expected="no utilization setting while the scenario dispatches: change demand, "
                "capacity, links or dispatch instead, or drop the demand section",
            )
