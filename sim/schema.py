"""One table of every scenario field: unit, default and meaning.

Validation (:mod:`sim.scenario`) takes the allowed keys of each section from
this table, and ``suanli schema`` prints it as the reference in the README, so
the documentation cannot drift from what the loader accepts.

``<name>`` in a path stands for a user-chosen key (a cluster, a hardware).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FIELDS", "REQUIRED", "Field", "keys_of", "markdown_table"]

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
    """

    path: str
    unit: str
    default: str
    doc: str


FIELDS: tuple[Field, ...] = (
    Field("name", "-", REQUIRED, "Scenario name."),
    Field("description", "-", "''", "Free text."),
    Field("sources", "-", "[]", "List of sources cited by the figures in the file."),
    Field("seed", "-", "0", "Root seed; every random stream is spawned from it (SeedSequence)."),
    Field("horizon.start", "date", REQUIRED, "First day simulated."),
    Field("horizon.end", "date", REQUIRED, "Last day simulated (included)."),
    Field("horizon.step", "h", "1h", "Time step: an hour count dividing 24 (1h, 3h) or 1D."),
    Field(
        "reporting_precision",
        "-",
        "fp16",
        "Precision of reported capacity_eflops (fp64, fp32, tf32, fp16/bf16, fp8, int8).",
    ),
    Field(
        "hardware.<name>.from", "-", "none", "Catalog entry to start from (fields below override)."
    ),
    Field(
        "hardware.<name>.peak_flops",
        "TFLOPS",
        "none",
        "Dense peak per accelerator, a mapping precision -> compute.",
    ),
    Field("hardware.<name>.power", "W", "none", "Power per accelerator (TDP) at full load."),
    Field(
        "hardware.<name>.node_overhead",
        "1",
        "1.0",
        "Node power / accelerator power (CPU, memory, network share).",
    ),
    Field(
        "hardware.<name>.efficiency",
        "GFLOPS/W",
        "none",
        "Node efficiency per precision, given instead of peak_flops and power.",
    ),
    Field("hardware.<name>.available_from", "year", "none", "First year the hardware ships."),
    Field(
        "hardware.<name>.lifetime", "year", "6", "Service life before retirement (vintage fleets)."
    ),
    Field("hardware.<name>.description", "-", "''", "Free text."),
    Field("hardware.<name>.source", "-", "''", "Where the figures come from."),
    Field("clusters.<name>.location.lat", "deg", REQUIRED, "Latitude, north positive."),
    Field("clusters.<name>.location.lon", "deg", REQUIRED, "Longitude, east positive."),
    Field("clusters.<name>.hub", "-", "cluster name", "National hub the cluster belongs to."),
    Field("clusters.<name>.role", "-", "''", "east (real-time) / west (back office), free text."),
    Field("clusters.<name>.province", "-", "''", "Province or grid region."),
    Field("clusters.<name>.description", "-", "''", "Free text."),
    Field(
        "clusters.<name>.fleet.precision",
        "-",
        REQUIRED,
        "Precision that compute capacity points and additions are counted in.",
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
    Field("clusters.<name>.fleet.rack_power", "kW", "2.5", "IT power of one standard rack [S7]."),
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
        "A constant PUE, or a mapping with model: climate (fields below).",
    ),
    Field("clusters.<name>.pue.model", "-", REQUIRED, "climate"),
    Field("clusters.<name>.pue.base", "1", REQUIRED, "PUE with full free cooling."),
    Field(
        "clusters.<name>.pue.free_cooling_below",
        "degC",
        "15 degC",
        "Ambient temperature below which PUE stays at base.",
    ),
    Field("clusters.<name>.pue.slope", "1/K", "0.01", "PUE rise per kelvin above the threshold."),
    Field("clusters.<name>.pue.max", "1", "2.0", "Upper bound of PUE."),
    Field(
        "clusters.<name>.climate.mean",
        "degC",
        "from latitude",
        "Annual mean ambient temperature (assumption: 28 degC - 0.6 K/deg above 15 deg).",
    ),
    Field(
        "clusters.<name>.climate.annual_amplitude",
        "K",
        "from latitude",
        "Half the July-January difference (assumption: 0.45 K/deg x lat - 1.5 K).",
    ),
    Field("clusters.<name>.climate.diurnal_amplitude", "K", "5", "Half the day-night swing."),
    Field("clusters.<name>.climate.noise", "K", "2", "Std of day-to-day weather (AR(1), r=0.7)."),
    Field("variants.<name>.description", "-", "''", "What the variant changes and why."),
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


def markdown_table() -> str:
    """The schema as a Markdown table (field, unit of a bare number, default, meaning)."""
    rows = ["| field | unit | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{f.path}` | {f.unit} | {f.default} | {f.doc} |" for f in FIELDS]
    return "\n".join(rows)
