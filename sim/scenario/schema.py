"""One table of every scenario field: unit, default and meaning.

Validation (:mod:`sim.scenario`) takes the allowed keys of each section from
this table, and ``suanli schema`` prints it as the reference in the README, so
the documentation cannot drift from what the loader accepts.

``<name>`` in a path stands for a user-chosen key (a cluster, a hardware).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = ["FIELDS", "REQUIRED", "Field", "field_of", "keys_of", "markdown_table"]

REQUIRED = "required"


@dataclass(frozen=True)
class Field:
    """One scenario field.

    Parameters
    ----------
    path : str
        Dotted path, ``<name>`` for user-chosen keys.
    unit : str
        Canonical unit of a bare number (``-`` for text, ``1`` for fractions).
    default : str
        Default when omitted, or ``required``.
    doc : str
        Meaning.
    plausible : (str, str), optional
        Lowest and highest plausible value, quantities with units (``("1 W", "20 kW")``);
        a value outside is a user mistake caught before it costs a run.
    beyond : str, default "error"
        ``error`` (no real value lies outside) or ``warning`` (real values can
        exceed the range). ``--allow-implausible`` accepts either.
    """

    path: str
    unit: str
    default: str
    doc: str
    plausible: tuple[str, str] | None = None
    beyond: str = "error"


FIELDS: tuple[Field, ...] = (
    Field("name", "-", REQUIRED, "Scenario name."),
    Field("description", "-", "''", "Free text."),
    Field("name_zh", "-", "none", "Chinese display name (the app's 中文 mode); name if omitted."),
    Field("description_zh", "-", "none", "Chinese description (the app's 中文 mode)."),
    Field("sources", "-", "[]", "List of sources cited by the figures in the file."),
    Field("seed", "-", "0", "Root seed; every random stream is spawned from it (SeedSequence)."),
    Field(
        "horizon.start",
        "date",
        REQUIRED,
        "First day simulated (dates from 1900-01-01 to 2200-12-31).",
    ),
    Field("horizon.end", "date", REQUIRED, "Last day simulated (included)."),
    Field("horizon.step", "h", "1h", "Time step: an hour count dividing 24 (1h, 3h) or 1D."),
    Field(
        "reporting_precision",
        "-",
        "fp16",
        "Precision of reported capacity_eflops (fp64, fp32, tf32, fp16/bf16, fp8, int8).",
    ),
    Field(
        "totals.basis",
        "-",
        "none",
        "Basis of a reported total across compute kinds: fp32-equivalent (each hardware "
        "converted to fp32 by its own peak ratio) or kind-precisions (general fp32 + "
        "intelligent fp16 + supercomputing fp64); none reports kinds separately only.",
    ),
    Field(
        "hardware.<name>.from", "-", "none", "Catalog entry to start from (fields below override)."
    ),
    Field(
        "hardware.<name>.kind",
        "-",
        "derived",
        "Compute kind: general (通用, CPU servers), intelligent (智能, AI accelerators) or "
        "supercomputing (超算). Default: intelligent for peak_flops + power (per accelerator), "
        "supercomputing for a whole-system efficiency.",
    ),
    Field(
        "hardware.<name>.peak_flops",
        "TFLOPS",
        "none",
        "Dense peak per accelerator, a mapping precision -> compute.",
        plausible=("0.01 TFLOPS", "1000 PFLOPS"),
        beyond="warning",
    ),
    Field(
        "hardware.<name>.power",
        "W",
        "none",
        "Power per accelerator (TDP) at full load.",
        plausible=("1 W", "20 kW"),
    ),
    Field(
        "hardware.<name>.node_overhead",
        "1",
        "1.0",
        "Node power / accelerator power (CPU, memory, network share), >= 1.",
        plausible=("1", "4"),
        beyond="warning",
    ),
    Field(
        "hardware.<name>.efficiency",
        "GFLOPS/W",
        "none",
        "Node efficiency per precision, given instead of peak_flops and power.",
        plausible=("0.1 GFLOPS/W", "20000 GFLOPS/W"),
        beyond="warning",
    ),
    Field("hardware.<name>.available_from", "year", "none", "First year the hardware ships."),
    Field(
        "hardware.<name>.lifetime",
        "year",
        "6",
        "Service life before retirement (vintage fleets).",
        plausible=("1 year", "20 year"),
        beyond="warning",
    ),
    Field(
        "hardware.<name>.embodied_carbon",
        "kgCO2",
        "none",
        "Embodied (manufacturing) carbon per accelerator or server; needs peak_flops and power.",
        plausible=("1 kgCO2", "100000 kgCO2"),
        beyond="warning",
    ),
    Field("hardware.<name>.description", "-", "''", "Free text."),
    Field("hardware.<name>.source", "-", "''", "Where the figures come from."),
    Field("clusters.<name>.location.lat", "deg", REQUIRED, "Latitude, north positive."),
    Field("clusters.<name>.location.lon", "deg", REQUIRED, "Longitude, east positive."),
    Field(
        "clusters.<name>.location.altitude",
        "m",
        "0",
        "Altitude above sea level; lowers the fallback climate by 6.5 K/km [S64].",
    ),
    Field("clusters.<name>.hub", "-", "cluster name", "National hub the cluster belongs to."),
    Field("clusters.<name>.role", "-", "''", "east (real-time) / west (back office), free text."),
    Field("clusters.<name>.province", "-", "''", "Province or grid region."),
    Field("clusters.<name>.description", "-", "''", "Free text."),
    Field("clusters.<name>.name_zh", "-", "none", "Chinese display name of the cluster."),
    Field("clusters.<name>.description_zh", "-", "none", "Chinese description of the cluster."),
    Field(
        "clusters.<name>.fleet.<kind>",
        "-",
        "none",
        "A fleet per kind: fleet: {general: {...}, intelligent: {...}}, each with the fields "
        "below and only hardware of its kind.",
    ),
    Field(
        "clusters.<name>.fleet.precision",
        "-",
        "required (per kind: the kind's)",
        "Precision that compute capacity points and additions are counted in; in a part per "
        "kind, default the kind's conventional precision (general fp32, intelligent fp16, "
        "supercomputing fp64).",
    ),
    Field(
        "clusters.<name>.fleet.hardware",
        "1",
        "required with capacity",
        "Share of capacity by hardware name (scenario or catalog), summing to 1.",
    ),
    Field(
        "clusters.<name>.fleet.capacity",
        "EFLOPS | MW | racks",
        "either this or additions",
        "Installed capacity at dates (compute, IT power or standard racks); "
        "linear between points, flat outside.",
    ),
    Field(
        "clusters.<name>.fleet.additions",
        "EFLOPS | MW | racks",
        "either this or capacity",
        "Vintage stock: list of {year or date, capacity, hardware}; a year ramps "
        "in over that year, a date steps in; each hardware retires after its lifetime.",
    ),
    Field(
        "clusters.<name>.fleet.share_of",
        "-",
        "compute",
        "What hardware shares divide: compute (at fleet precision) or IT power.",
    ),
    Field(
        "clusters.<name>.fleet.rack_power",
        "kW",
        "2.5",
        "IT power of one standard rack [S7], > 0.",
        plausible=("0.5 kW", "200 kW"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.fleet.rack_occupancy",
        "1",
        "1.0",
        "Fraction of racks populated (上架率); applies to rack capacities.",
    ),
    Field(
        "clusters.<name>.utilization",
        "1",
        REQUIRED,
        "Busy fraction of installed compute: a number or 24 hourly values (local hour 0-23).",
    ),
    Field(
        "clusters.<name>.idle_power",
        "1",
        "0.0",
        "Power of idle hardware as a fraction of busy power.",
    ),
    Field(
        "clusters.<name>.pue",
        "1",
        REQUIRED,
        "A constant PUE (1 to 10), or a mapping with model: climate (fields below).",
        plausible=("1", "4"),
    ),
    Field("clusters.<name>.pue.model", "-", REQUIRED, "climate"),
    Field(
        "clusters.<name>.pue.base",
        "1",
        REQUIRED,
        "PUE with full free cooling.",
        plausible=("1", "4"),
    ),
    Field(
        "clusters.<name>.pue.free_cooling_below",
        "degC",
        "15 degC",
        "Ambient temperature below which PUE stays at base (above -273.15 degC).",
        plausible=("-30 degC", "40 degC"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.pue.slope",
        "1/K",
        "0.01",
        "PUE rise per kelvin above the threshold.",
        plausible=("0 1/K", "0.2 1/K"),
    ),
    Field("clusters.<name>.pue.max", "1", "2.0", "Upper bound of PUE.", plausible=("1", "4")),
    Field(
        "clusters.<name>.climate.mean",
        "degC",
        "from the table",
        "Annual mean ambient temperature, above -273.15 degC. Default: the monthly means "
        "of the shipped table's city within 100 km (scenarios/data/climate_normals.csv "
        "[S63]), else a latitude fit of its eastern-plains cities lowered 6.5 K/km for "
        "altitude [S64].",
        plausible=("-30 degC", "35 degC"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.climate.annual_amplitude",
        "K",
        "from the table",
        "Half the warmest-coldest month difference, in K or delta_degC, not degC "
        "(default as for mean; with mean or annual_amplitude given, the annual cycle is "
        "a sinusoid).",
        plausible=("0 K", "30 K"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.climate.diurnal_amplitude",
        "K",
        "5",
        "Half the day-night swing (K or delta_degC, not degC).",
        plausible=("0 K", "20 K"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.climate.noise",
        "K",
        "2",
        "Std of day-to-day weather (AR(1), r=0.7; K or delta_degC).",
        plausible=("0 K", "10 K"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.climate.file",
        "-",
        "none",
        "Measured ambient temperature instead of the synthetic one: a CSV (timestamp, "
        "value) or NetCDF file, relative to the scenario (sim.scenario.hourly).",
    ),
    Field("clusters.<name>.climate.column", "-", "the only one", "CSV value column."),
    Field("clusters.<name>.climate.variable", "-", "the only one", "NetCDF variable."),
    Field(
        "clusters.<name>.climate.units",
        "degC",
        "header or attribute",
        "Units of the file's values (else 'name [unit]' in the CSV header).",
    ),
    # --- operations (issue 3): sim.operations parses these sections
    Field(
        "clusters.<name>.grid.region",
        "-",
        "province or name",
        "Grid region, for regional peak grid draw.",
    ),
    Field(
        "clusters.<name>.grid.carbon_intensity",
        "tCO2/MWh",
        "0",
        "Grid carbon intensity: a number or 24 hourly values.",
        plausible=("0 tCO2/MWh", "1.5 tCO2/MWh"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.grid.price",
        "CNY/MWh",
        "0",
        "Energy price: a number, 24 hourly values, or {flat, peak, valley} time-of-use.",
        plausible=("-2000 CNY/MWh", "10000 CNY/MWh"),
        beyond="warning",
    ),
    Field("clusters.<name>.grid.connection_cap", "MW", "none", "Grid connection cap."),
    Field("clusters.<name>.grid.import.cap", "MW", "0", "Import cap from a neighbouring grid."),
    Field(
        "clusters.<name>.grid.import.price",
        "CNY/MWh",
        "0",
        "Price of imported energy.",
        plausible=("-2000 CNY/MWh", "10000 CNY/MWh"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.grid.import.carbon_intensity",
        "tCO2/MWh",
        "0",
        "Carbon intensity of imported energy.",
        plausible=("0 tCO2/MWh", "1.5 tCO2/MWh"),
        beyond="warning",
    ),
    Field(
        "clusters.<name>.grid.renewable_price",
        "CNY/MWh",
        "0",
        "Price of renewable energy used (PPA).",
    ),
    Field("clusters.<name>.grid.pv.capacity", "MW", "0", "PV capacity (clear-sky + clouds)."),
    Field("clusters.<name>.grid.pv.cloudiness", "1", "0.3", "Mean clear-sky output lost."),
    Field(
        "clusters.<name>.grid.pv.capacity_factor",
        "1",
        "none",
        "Target annual capacity factor (rescales the profile).",
        plausible=("0", "0.35"),
        beyond="warning",
    ),
    # --- water (issue 11): sim.results.water parses clusters.<name>.water
    Field(
        "clusters.<name>.water.wue",
        "L/kWh",
        "0",
        "On-site water per IT energy: a constant, or {model: climate, ...} below.",
        plausible=("0 L/kWh", "5 L/kWh"),
        beyond="warning",
    ),
    Field("clusters.<name>.water.wue.model", "-", "none", "climate: rises above a threshold."),
    Field("clusters.<name>.water.wue.base", "L/kWh", "0", "WUE with free cooling."),
    Field(
        "clusters.<name>.water.wue.free_cooling_below",
        "degC",
        "the PUE's",
        "Temperature up to which WUE stays at base.",
    ),
    Field("clusters.<name>.water.wue.slope", "L/kWh/K", "0", "WUE rise per kelvin above it."),
    Field("clusters.<name>.water.wue.max", "L/kWh", "100", "Upper bound of the climate WUE."),
    Field(
        "clusters.<name>.water.upstream",
        "L/kWh",
        "0",
        "Water consumed generating a kWh of the grid electricity drawn.",
        plausible=("0 L/kWh", "20 L/kWh"),
        beyond="warning",
    ),
    Field(
        "embodied.accounting",
        "-",
        "commissioning",
        "Embodied carbon booked at commissioning, or amortized over each lifetime.",
    ),
    Field("clusters.<name>.grid.wind.capacity", "MW", "0", "Wind capacity."),
    Field(
        "clusters.<name>.grid.wind.capacity_factor",
        "1",
        "required with wind",
        "Mean output of the seeded AR(1) wind process.",
        plausible=("0", "0.6"),
        beyond="warning",
    ),
    Field("clusters.<name>.grid.battery.energy", "MWh", "0", "Battery energy."),
    Field("clusters.<name>.grid.battery.power", "MW", "0", "Battery power."),
    Field(
        "clusters.<name>.grid.battery.efficiency",
        "1",
        "0.9",
        "Round-trip efficiency.",
        plausible=("0.5", "1"),
        beyond="warning",
    ),
    Field(
        "demand.origins.<name>",
        "-",
        "one per cluster",
        "Where demand arises: lat, lon (degrees), cluster (home, for stay_local), role, hub.",
    ),
    Field(
        "demand.latency.route_factor",
        "1",
        "1.5",
        "Fibre route / great-circle distance ([S20]: <= 1.5x theoretical).",
        plausible=("1", "4"),
        beyond="warning",
    ),
    Field(
        "demand.latency.fibre",
        "us/km",
        "5",
        "One-way delay of light in fibre.",
        plausible=("4 us/km", "10 us/km"),
        beyond="warning",
    ),
    Field("demand.latency.base", "ms", "0", "Fixed delay added to every pair."),
    Field(
        "demand.latency.matrix",
        "ms",
        "none",
        "Latency overrides: {origin: {cluster: ms}}.",
    ),
    Field(
        "demand.classes.<name>.preset",
        "-",
        "the class name",
        "realtime_inference, training (intelligent); batch_analytics, storage_backup, "
        "web_services, databases (general); simulation (supercomputing) "
        "(sim.scenario.workloads).",
    ),
    Field(
        "demand.classes.<name>.max_latency",
        "ms",
        "preset",
        "Largest one-way latency origin to cluster; 'inf' for none.",
    ),
    Field("demand.classes.<name>.window", "h", "preset", "Hours demand may wait (deferral)."),
    Field(
        "demand.classes.<name>.shape",
        "-",
        "preset",
        "flat, diurnal, 24 hourly values, or {csv, column}: a trace, one value per step.",
    ),
    Field("demand.classes.<name>.peak_hour", "h", "preset", "Peak hour of a diurnal shape."),
    Field("demand.classes.<name>.amplitude", "1", "preset", "Relative diurnal swing."),
    Field(
        "demand.classes.<name>.trajectory",
        "EFLOPS",
        "trajectory or growth",
        "Dated demand at the precision of the class's kind, linear between dates, flat outside.",
    ),
    Field(
        "demand.classes.<name>.growth",
        "-",
        "trajectory or growth",
        "{start: date, value: EFLOPS, rate: per year} compound growth.",
    ),
    Field(
        "demand.classes.<name>.origins",
        "1",
        "equal",
        "Share of the class's demand by origin; sums to 1.",
    ),
    Field(
        "demand.classes.<name>.kind",
        "-",
        "preset, else none",
        "Compute kind the class runs on: general, intelligent or supercomputing; its "
        "trajectory counts at that kind's precision (fp32, fp16, fp64).",
    ),
    Field(
        "demand.classes.<name>.hardware",
        "-",
        "any of its kind",
        "Hardware the class can run on, e.g. [a100, h100] for a CUDA-only class.",
    ),
    Field("demand.classes.<name>.description", "-", "''", "Free text."),
    Field(
        "links",
        "EFLOPS",
        "none",
        "List of {from: origin, to: cluster, capacity} or {from_hub, to_hub, capacity} "
        "(shared by all origins of a hub towards all its clusters): compute-equivalent.",
    ),
    Field(
        "dispatch.policy",
        "-",
        "optimize",
        "optimize (any cluster within latency) or stay_local (home cluster only).",
    ),
    Field(
        "dispatch.engine",
        "-",
        "hybrid",
        "hybrid (greedy, exact LP where demand would go unmet), greedy (vectorised) or lp "
        "(exact, HiGHS, rolling horizon).",
    ),
    Field("dispatch.objective", "-", "cost", "cost, carbon, or mix (cost + carbon_price x tCO2)."),
    Field("dispatch.carbon_price", "CNY/tCO2", "0", "Carbon weight of the mix objective."),
    Field(
        "dispatch.unmet_penalty",
        "objective/EFLOPS-h",
        "10x max cost",
        "Penalty per EFLOPS-hour of unmet demand.",
    ),
    Field(
        "targets.<n>.capacity",
        "EFLOPS",
        "none",
        "Target: installed compute of all clusters at the end of `date`, at least (one "
        "measure per target).",
    ),
    Field(
        "targets.<n>.kind",
        "-",
        "none",
        "Capacity targets: count one kind (general, intelligent, supercomputing) at its "
        "conventional precision; none: the reporting precision, all kinds.",
    ),
    Field("targets.<n>.date", "date", "none", "Capacity targets: the day at whose end to count."),
    Field("targets.<n>.pue", "1", "none", "Target: energy-weighted PUE in `year`, at most."),
    Field(
        "targets.<n>.renewable_share",
        "1",
        "none",
        "Target: share of facility energy from renewables in `year`, at least.",
    ),
    Field("targets.<n>.energy", "TWh", "none", "Target: facility energy in `year`, at most."),
    Field("targets.<n>.year", "year", "none", "PUE, renewable share and energy targets: the year."),
    Field("targets.<n>.name", "-", "''", "Display name of the target."),
    Field("targets.<n>.name_zh", "-", "''", "Chinese display name of the target."),
    Field("variants.<name>.description", "-", "''", "What the variant changes and why."),
    Field("variants.<name>.name_zh", "-", "none", "Chinese display name of the variant."),
    Field("variants.<name>.description_zh", "-", "none", "Chinese description of the variant."),
    Field(
        "variants.<name>.set",
        "-",
        REQUIRED,
        "Overrides by dotted path, applied before --set overrides.",
    ),
)


def keys_of(prefix: str) -> dict[str, Field]:
    """Fields directly below ``prefix`` (a schema path, ``""`` for the top level)."""
    depth = prefix.count(".") + 1 if prefix else 0
    start = prefix + "." if prefix else ""
    out: dict[str, Field] = {}
    for field in FIELDS:
        if field.path.startswith(start):
            parts = field.path.split(".")
            if len(parts) > depth:
                out.setdefault(parts[depth], field)
    return out


@lru_cache(maxsize=4096)
def field_of(path: str) -> Field | None:
    """The declaration of a concrete field path (``hardware.gpu-a.power``), or None.

    ``<name>`` matches any key; of the declarations that ``path`` starts with, the
    longest (then the one with most literal keys) wins, so list items
    (``grid.price.7``) and precision keys (``peak_flops.fp16``) take their field's
    declaration.
    """
    parts = path.split(".")
    best: tuple[int, int] = (0, 0)
    found: Field | None = None
    for field in FIELDS:
        pattern = field.path.split(".")
        if len(pattern) <= len(parts) and all(
            p == q or p.startswith("<") for p, q in zip(pattern, parts, strict=False)
        ):
            # longest first, then most literal keys (fleet.capacity before fleet.<kind>)
            score = (len(pattern), sum(not p.startswith("<") for p in pattern))
            if score > best:
                best, found = score, field
    return found


def _plausible_text(field: Field) -> str:
    if field.plausible is None:
        return ""
    low, high = field.plausible
    return f"{low} to {high}" + (" (warn)" if field.beyond == "warning" else "")


def markdown_table() -> str:
    """The schema as a Markdown table (field, unit of a bare number, default, plausible
    range, meaning)."""
    rows = ["| field | unit | default | plausible | meaning |", "|---|---|---|---|---|"]
    rows += [
        f"| `{f.path}` | {f.unit} | {f.default} | {_plausible_text(f)} | {f.doc} |" for f in FIELDS
    ]
    return "\n".join(rows)


def json_schema() -> dict:
    """The scenario schema as JSON Schema (draft 2020-12), for editors' YAML servers.

    Built from :data:`FIELDS`: every declared section is an object that admits
    only its declared keys (``<name>`` keys admit any name); a field that may be a
    value or a mapping (``pue``) admits either. The top level also admits the
    sections that are parsed by their own layers and not yet declared here
    (``supply``, ``projects``, ``shocks``, ``grid_connections``, ``pipeline``,
    ``jobs``), so every valid scenario validates. Units are not checked here; the
    loader checks them.
    """
    tree: dict = {}
    docs: dict[tuple[str, ...], Field] = {}
    for f in FIELDS:
        node = tree
        parts = tuple(f.path.split("."))
        for part in parts:
            node = node.setdefault(part, {})
        docs[parts] = f

    def build(node: dict, prefix: tuple[str, ...]) -> dict:
        field = docs.get(prefix)
        leaf: dict = {"description": f"{field.doc} [{field.unit}]"} if field else {}
        if not node:
            return leaf
        named = [k for k in node if k.startswith("<")]
        props = {k: build(v, (*prefix, k)) for k, v in node.items() if not k.startswith("<")}
        obj: dict = {"type": "object", "properties": props}
        obj["additionalProperties"] = build(node[named[0]], (*prefix, named[0])) if named else False
        if field is not None:  # a value, or a mapping of the fields below
            return {"description": leaf["description"], "anyOf": [{"not": {"type": "object"}}, obj]}
        return obj

    top = build(tree, ())
    # a section may also be given as a list of its items (targets: [{...}, ...])
    top["properties"] = {
        k: v
        if v.get("type") != "object"
        else {"anyOf": [v, {"type": "array", "items": v["additionalProperties"] or v}]}
        for k, v in top["properties"].items()
    }
    top["additionalProperties"] = True
    top["required"] = sorted(f.path for f in FIELDS if "." not in f.path and f.default == REQUIRED)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "suanli scenario",
        **top,
    }
