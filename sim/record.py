"""The public record, rebuilt: published figures against suanli's runs of their
published inputs (``validation/record.yaml``, ``suanli check-record``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sim
from sim.scenario.catalog import CATALOG_PATH
from sim.scenario.errors import ScenarioError
from sim.scenario.yamlio import read_yaml

__all__ = ["VALIDATION_DIR", "Check", "check_record", "record_table"]

VALIDATION_DIR = CATALOG_PATH.parents[2] / "validation"  # beside scenarios/
_MEASURES = ("it_power_mw", "energy_twh")


@dataclass(frozen=True)
class Check:
    """One published figure and suanli's value for it.

    Attributes
    ----------
    name, unit, source : str
    published, simulated : float
        In ``unit``.
    tolerance : float
        Accepted relative error [1].
    """

    name: str
    unit: str
    source: str
    published: float
    simulated: float
    tolerance: float

    @property
    def error(self) -> float:
        """Relative error of the simulated value [1]."""
        return self.simulated / self.published - 1.0

    @property
    def ok(self) -> bool:
        return abs(self.error) <= self.tolerance


def _measure(ds, measure: str) -> float:
    if measure == "it_power_mw":
        return float(ds["it_power_mw"].sum("cluster").mean("time"))
    return float(ds["energy_mwh"].sum()) / 1e6


def check_record(folder: Path | str = VALIDATION_DIR) -> list[Check]:
    """Run every check of ``folder/record.yaml``.

    Parameters
    ----------
    folder : path
        A folder holding ``record.yaml`` and the scenarios it names.

    Returns
    -------
    list of Check
        In the file's order.

    Raises
    ------
    ScenarioError
        A check names an unknown measure (or its scenario is invalid).
    """
    folder = Path(folder)
    path = folder / "record.yaml"
    out = []
    for i, item in enumerate(read_yaml(path)["checks"]):
        measure = item["measure"]
        if measure not in _MEASURES:
            raise ScenarioError(
                "unknown measure",
                field=f"checks[{i}].measure",
                given=measure,
                expected=" or ".join(_MEASURES),
                file=str(path),
            )
        scenario = sim.load_scenario(folder / item["scenario"], variant=item.get("variant"))
        out.append(
            Check(
                name=str(item["name"]),
                unit=str(item["unit"]),
                source=str(item["source"]),
                published=float(item["published"]),
                simulated=_measure(sim.run(scenario), measure),
                tolerance=float(item["tolerance"]),
            )
        )
    return out


def record_table(checks: list[Check]) -> str:
    """A Markdown table: published, simulated, error, within tolerance."""
    lines = [
        "| figure | published | simulated | error | tolerance | source |",
        "|---|---|---|---|---|---|",
    ]
    for c in checks:
        mark = "" if c.ok else " **(out)**"
        lines.append(
            f"| {c.name} | {c.published:.4g} {c.unit} | {c.simulated:.4g} {c.unit} | "
            f"{c.error:+.2%}{mark} | ±{c.tolerance:.1%} | {c.source} |"
        )
    return "\n".join(lines)
