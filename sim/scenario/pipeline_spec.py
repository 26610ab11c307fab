"""The build-out pipeline's scenario sections: their records and parsers.

Top-level YAML sections (parsed by :mod:`sim.scenario.loader`)::

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

The simulation itself is :mod:`sim.buildout.pipeline`; its hand-off to the
fleet is :mod:`sim.buildout.commission`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.scenario import catalog
from sim.scenario.core import Scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.fields import parse_date
from sim.scenario.units import normalize_precision, parse_quantity
from sim.scenario.validate import strict_mapping, text

#: Days in a mean Gregorian month [d].
DAYS_PER_MONTH = 365.2425 / 12


def as_day(value: Any) -> np.datetime64:
    """A date as ``numpy.datetime64`` at day resolution.

    Parameters
    ----------
    value : str, datetime.date or numpy.datetime64
        ISO date, e.g. ``"2025-04-01"``.
    """
    try:
        return np.datetime64(value, "D")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a date: {value!r}; expected an ISO date like 2025-04-01") from exc


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Duration:
    """A random duration [d].

    Parameters
    ----------
    kind : str
        ``"fixed"`` (params: value), ``"uniform"`` (low, high),
        ``"triangular"`` (low, mode, high) or ``"lognormal"`` (median, sigma);
        every param but ``sigma`` [-] in days [d].
    params : tuple of float
        Parameters of the distribution, as above.
    """

    kind: str = "fixed"
    params: tuple[float, ...] = (0.0,)

    _NPARAMS = {"fixed": 1, "uniform": 2, "triangular": 3, "lognormal": 2}  # noqa: RUF012

    def __post_init__(self) -> None:
        n = self._NPARAMS.get(self.kind)
        if n is None:
            raise ValueError(
                f"duration kind {self.kind!r} unknown; expected one of {sorted(self._NPARAMS)}"
            )
        if len(self.params) != n:
            raise ValueError(f"duration {self.kind!r} takes {n} parameters, got {self.params!r}")
        if any(not math.isfinite(p) or p < 0 for p in self.params):
            raise ValueError(f"duration parameters must be finite and >= 0, got {self.params!r}")
        p = self.params
        if self.kind == "uniform" and p[0] > p[1]:
            raise ValueError(f"uniform duration needs low <= high, got {p!r}")
        if self.kind == "triangular" and not p[0] <= p[1] <= p[2]:
            raise ValueError(f"triangular duration needs low <= mode <= high, got {p!r}")

    @classmethod
    def fixed(cls, days: float) -> Duration:
        """A duration of exactly ``days`` [d]."""
        return cls("fixed", (float(days),))

    def draw(self, rng: np.random.Generator) -> float:
        """One draw [d]. A fixed duration consumes no random numbers."""
        p = self.params
        if self.kind == "fixed":
            return p[0]
        if rng is None:
            raise ValueError(f"a {self.kind} duration needs a numpy.random.Generator, got None")
        if self.kind == "uniform":
            return float(rng.uniform(p[0], p[1]))
        if self.kind == "triangular":
            if p[0] == p[2]:
                return p[0]
            return float(rng.triangular(p[0], p[1], p[2]))
        return float(rng.lognormal(math.log(max(p[0], 1e-12)), p[1]))


@dataclass(frozen=True)
class PipelineHardware:
    """An accelerator type as the pipeline sees it.

    Parameters
    ----------
    name : str
        Catalog name, e.g. ``"h100"``.
    peak_tflops : float
        Dense peak per accelerator at the pipeline's precision [TFLOPS].
    power_w : float
        Power per accelerator [W].
    node_overhead : float, default 1.0
        Node power / accelerator power [-].
    price_cny : float, default 0.0
        Unit price per accelerator before tariffs [CNY].
    """

    name: str
    peak_tflops: float
    power_w: float
    node_overhead: float = 1.0
    price_cny: float = 0.0

    def __post_init__(self) -> None:
        for attr in ("peak_tflops", "power_w", "node_overhead"):
            v = getattr(self, attr)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"hardware {self.name!r}: {attr} must be > 0, got {v!r}")
        if not (math.isfinite(self.price_cny) and self.price_cny >= 0):
            raise ValueError(f"hardware {self.name!r}: price_cny must be >= 0")

    @property
    def node_power_w(self) -> float:
        """IT power per accelerator including node overhead [W]."""
        return self.power_w * self.node_overhead


@dataclass(frozen=True)
class Project:
    """One data-center project.

    Parameters
    ----------
    name : str
        Project name.
    cluster : str
        Cluster the capacity is commissioned into.
    grid_region : str
        Grid region whose connection queue the project joins.
    hardware : str
        Accelerator type it plans to install.
    capacity_eflops : float
        Planned capacity at the pipeline's precision [EFLOPS].
    announce : date-like
        Announcement date.
    permit, construct : Duration
        Permit and construction durations [d].
    tranches : int, default 1
        Number of equal tranches the accelerators arrive and commission in.
    install : Duration
        Delay from a tranche's accelerators arriving to its commissioning [d].
    pue : float, default 1.3
        PUE used to size the grid connection by eq. (3) [-].
    grid_mw : float, optional
        Grid connection [MW]; eq. (3) when not given.
    """

    name: str
    cluster: str
    grid_region: str
    hardware: str
    capacity_eflops: float
    announce: Any
    permit: Duration = field(default_factory=Duration)
    construct: Duration = field(default_factory=Duration)
    tranches: int = 1
    install: Duration = field(default_factory=Duration)
    pue: float = 1.3
    grid_mw: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "announce", as_day(self.announce))
        if not (math.isfinite(self.capacity_eflops) and self.capacity_eflops > 0):
            raise ValueError(f"project {self.name!r}: capacity_eflops must be > 0")
        if int(self.tranches) != self.tranches or self.tranches < 1:
            raise ValueError(f"project {self.name!r}: tranches must be an integer >= 1")
        if not self.pue >= 1.0:
            raise ValueError(f"project {self.name!r}: pue must be >= 1, got {self.pue!r}")
        if self.grid_mw is not None and not (math.isfinite(self.grid_mw) and self.grid_mw >= 0):
            raise ValueError(f"project {self.name!r}: grid_mw must be >= 0")


@dataclass(frozen=True)
class Supply:
    """Quarterly accelerator deliveries of one hardware type to the region.

    Parameters
    ----------
    hardware : str
        Accelerator type.
    per_quarter : float
        Accelerators delivered at the start of each calendar quarter [count].
    initial : float, default 0
        Accelerators in stock at the start of the horizon [count].
    growth_per_year : float, default 0
        Growth of deliveries per year, compounded per quarter [1/yr].
    start : date-like, optional
        First delivery no earlier than this date (default: horizon start).
    """

    hardware: str
    per_quarter: float
    initial: float = 0.0
    growth_per_year: float = 0.0
    start: Any = None

    def __post_init__(self) -> None:
        if self.start is not None:
            object.__setattr__(self, "start", as_day(self.start))
        for attr in ("per_quarter", "initial"):
            v = getattr(self, attr)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"supply of {self.hardware!r}: {attr} must be >= 0")
        if not self.growth_per_year > -1:
            raise ValueError(f"supply of {self.hardware!r}: growth_per_year must be > -1")


@dataclass(frozen=True)
class GridRegion:
    """A grid region's connection queue.

    Parameters
    ----------
    name : str
        Region name.
    connection_mw_per_year : float
        New connection capacity released per year, in twelve equal monthly
        amounts on the first of each month [MW/yr].
    initial_mw : float, default 0
        Connection capacity available at the horizon start [MW].
    """

    name: str
    connection_mw_per_year: float
    initial_mw: float = 0.0

    def __post_init__(self) -> None:
        for attr in ("connection_mw_per_year", "initial_mw"):
            v = getattr(self, attr)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"grid region {self.name!r}: {attr} must be >= 0")


@dataclass(frozen=True)
class ExportControl:
    """Cut a hardware type's deliveries from a date; optionally switch hardware.

    Parameters
    ----------
    hardware : str
        Hardware type affected.
    date : date-like
        First day the measure applies; deliveries on that day are cut.
    supply_cut : float
        Fraction of deliveries withheld from ``date`` on [-], 0..1.
    switch_to : str, optional
        Domestic alternative that every tranche not yet supplied at ``date``
        switches to, keeping its power envelope (eq. 2).
    """

    hardware: str
    date: Any
    supply_cut: float
    switch_to: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", as_day(self.date))
        if not 0.0 <= self.supply_cut <= 1.0:
            raise ValueError(f"export control supply_cut must be in [0, 1], got {self.supply_cut}")


@dataclass(frozen=True)
class Tariff:
    """Raise a hardware type's unit price from a date.

    Parameters
    ----------
    hardware : str
        Hardware type affected.
    date : date-like
        First day of the tariff.
    price_increase : float
        Relative increase of the unit price [-], e.g. 0.25 for +25 %.
    """

    hardware: str
    date: Any
    price_increase: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", as_day(self.date))
        if not self.price_increase > -1:
            raise ValueError("tariff price_increase must be > -1")


@dataclass(frozen=True)
class GridFreeze:
    """No new grid connections in a region from ``start`` to ``end``.

    Parameters
    ----------
    region : str
        Grid region.
    start, end : date-like
        First and last day of the freeze (inclusive). No monthly connection
        capacity is released in between and no new request is served.
    """

    region: str
    start: Any
    end: Any

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_day(self.start))
        object.__setattr__(self, "end", as_day(self.end))
        if self.end < self.start:
            raise ValueError(f"grid freeze of {self.region!r}: end before start")


@dataclass(frozen=True)
class Target:
    """A capacity target: ``capacity_eflops`` online by ``date``.

    Parameters
    ----------
    name : str
        Label, e.g. ``"zhejiang-2025"``.
    capacity_eflops : float
        Target capacity at the pipeline's precision [EFLOPS].
    date : date-like
        Date by which it must be online (inclusive).
    clusters : sequence of str, optional
        Clusters counted; all when not given.
    """

    name: str
    capacity_eflops: float
    date: Any
    clusters: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "date", as_day(self.date))
        if self.clusters is not None:
            object.__setattr__(self, "clusters", tuple(self.clusters))


@dataclass(frozen=True)
class PipelineSpec:
    """Everything one pipeline run needs.

    Parameters
    ----------
    start, end : date-like
        Horizon, both days included.
    hardware : mapping of str to PipelineHardware
        Accelerator catalog.
    projects : sequence of Project
    supply : sequence of Supply
        One per hardware type; a type without supply never delivers.
    grid_regions : sequence of GridRegion
    shocks : sequence of ExportControl, Tariff or GridFreeze
    precision : str, default "fp16"
        Precision of every capacity figure [-].
    baseline_eflops : mapping of str to float
        Capacity already online per cluster at ``start`` [EFLOPS]; counted
        in capacity online and targets, not in additions.
    targets : sequence of Target
    """

    start: Any
    end: Any
    hardware: Mapping[str, PipelineHardware]
    projects: Sequence[Project]
    supply: Sequence[Supply] = ()
    grid_regions: Sequence[GridRegion] = ()
    shocks: Sequence[ExportControl | Tariff | GridFreeze] = ()
    precision: str = "fp16"
    baseline_eflops: Mapping[str, float] = field(default_factory=dict)
    targets: Sequence[Target] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_day(self.start))
        object.__setattr__(self, "end", as_day(self.end))
        if self.end < self.start:
            raise ValueError("pipeline horizon: end before start")
        hw = dict(self.hardware)
        regions = {g.name for g in self.grid_regions}
        for p in self.projects:
            if p.hardware not in hw:
                raise ValueError(f"project {p.name!r}: hardware {p.hardware!r} not in catalog")
            if p.grid_region not in regions:
                raise ValueError(f"project {p.name!r}: grid region {p.grid_region!r} unknown")
        for s in self.supply:
            if s.hardware not in hw:
                raise ValueError(f"supply: hardware {s.hardware!r} not in catalog")
        if len({s.hardware for s in self.supply}) != len(self.supply):
            raise ValueError("supply: at most one schedule per hardware type")
        for sh in self.shocks:
            if isinstance(sh, ExportControl | Tariff) and sh.hardware not in hw:
                raise ValueError(f"shock: hardware {sh.hardware!r} not in catalog")
            if isinstance(sh, ExportControl) and sh.switch_to is not None:
                if sh.switch_to not in hw:
                    raise ValueError(f"shock: switch_to {sh.switch_to!r} not in catalog")
                if sh.switch_to == sh.hardware:
                    raise ValueError("shock: switch_to must differ from hardware")
            if isinstance(sh, GridFreeze) and sh.region not in regions:
                raise ValueError(f"shock: grid region {sh.region!r} unknown")

    @property
    def clusters(self) -> list[str]:
        """Cluster names, baseline first then projects, first seen order."""
        seen = dict.fromkeys(self.baseline_eflops)
        seen.update(dict.fromkeys(p.cluster for p in self.projects))
        return list(seen)

    def day(self, date: Any) -> float:
        """Days from ``start`` to ``date`` [d]."""
        return float((as_day(date) - self.start).astype(int))


# --------------------------------------------------------------------------- outputs


_DIST_PARAMS = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("median", "sigma"),
}


# --------------------------------------------------------------------------- helpers


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


def hardware_raw(name: str, scenario: Scenario) -> tuple[Mapping, str]:
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
        sec, path = hardware_raw(name, scenario)
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
                start=parse_date(sec["start"], f"{p}.start") if "start" in sec else None,
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
                    parse_date(sec["date"], f"{p}.date"),
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
            out.append(Tariff(str(sec["hardware"]), parse_date(sec["date"], f"{p}.date"), inc))
        elif kind == "grid_freeze":
            strict_mapping(
                sec, p, ("type", "region", "start", "end", "note"), ("region", "start", "end")
            )
            start, end = parse_date(sec["start"], f"{p}.start"), parse_date(sec["end"], f"{p}.end")
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
    first, last = (
        parse_date(ann["from"], f"{p}.announce.from"),
        parse_date(ann["to"], f"{p}.announce.to"),
    )
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
                    parse_date(sec["announce"], f"{p}.announce"),
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
                date=parse_date(sec["date"], f"{p}.date"),
                clusters=clusters,
            )
        )
    return {"samples": samples, "targets": targets}


# --------------------------------------------------------------------------- assembly


def pipeline_samples(scenario: Scenario) -> int:
    """Monte Carlo samples asked for by the scenario (``pipeline.samples``, default 100)."""
    return int(scenario.sections.get("pipeline", {"samples": 100})["samples"])
