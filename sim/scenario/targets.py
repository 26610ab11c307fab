"""The ``targets:`` section: goals a scenario is checked against (capacity by kind and
date, PUE, renewable share, an energy cap), parsed into frozen :class:`Target`\\ s.

Each entry names exactly one measure::

    targets:
      - capacity: 100 EFLOPS        # at least, all clusters, at the end of `date`
        kind: intelligent           # optional: that kind at its conventional precision
        date: 2025-12-31
        name: Zhejiang 2025 target  # optional display names
        name_zh: 浙江 2025 年目标
      - pue: 1.25                   # at most: energy-weighted over all clusters in `year`
        year: 2025
      - renewable_share: 0.5        # at least: share of facility energy from renewables
        year: 2030
      - energy: 30 TWh              # at most: facility energy of all clusters in `year`
        year: 2025

Nothing here defaults to the scenario's own figures: a target is met or missed only
against a value the scenario states (no self-fulfilling target).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.fields import parse_date
from sim.scenario.schema import keys_of
from sim.scenario.units import KIND_PRECISION, normalize_kind, parse_quantity
from sim.scenario.validate import strict_mapping

__all__ = ["MEASURES", "Target", "parse_targets"]

#: Measure key in YAML -> (canonical unit, bound, the date field it needs).
#: ``min``: the target is met at or above the value; ``max``: at or below.
MEASURES: dict[str, tuple[str, str, str]] = {
    "capacity": ("EFLOPS", "min", "date"),
    "pue": ("dimensionless", "max", "year"),
    "renewable_share": ("dimensionless", "min", "year"),
    "energy": ("TWh", "max", "year"),
}


@dataclass(frozen=True)
class Target:
    """One goal of a scenario.

    Attributes
    ----------
    measure : str
        ``capacity``, ``pue``, ``renewable_share`` or ``energy`` (see :data:`MEASURES`).
    value : float
        The goal in the measure's canonical unit: EFLOPS, 1, 1 (a fraction), TWh.
    bound : str
        ``min`` (met at or above ``value``) or ``max`` (at or below).
    date : numpy.datetime64 or None
        Capacity targets: the day at whose end capacity is read.
    year : int or None
        The other targets: the calendar year they apply to.
    kind : str or None
        Capacity targets: a compute kind, counted at its conventional precision
        (:data:`sim.units.KIND_PRECISION`); None: the scenario's reporting
        precision, all kinds.
    name, name_zh : str
        Display names ('' when not given).
    field : str
        Dotted path of the entry (``targets.0``), for messages.
    """

    measure: str
    value: float
    bound: str
    date: np.datetime64 | None
    year: int | None
    kind: str | None
    name: str
    name_zh: str
    field: str

    @property
    def precision(self) -> str | None:
        """Precision a kind's capacity target is counted in (None without a kind)."""
        return KIND_PRECISION[self.kind] if self.kind else None


def parse_targets(raw: Any, path: str, scenario: Any) -> tuple[Target, ...]:
    """Parse the ``targets:`` list (a ``SECTION_PARSERS`` entry of the loader).

    Parameters
    ----------
    raw : list of mapping
        The section as read from YAML.
    path : str
        ``targets``.
    scenario : sim.Scenario
        The scenario parsed so far (its horizon bounds dates and years).

    Returns
    -------
    tuple of Target
        In the order written.

    Raises
    ------
    ScenarioError
        Not a list; an entry with no measure or two; a missing or out-of-horizon
        date or year; a kind on a target other than capacity; a unit of the wrong
        dimension.
    """
    if not isinstance(raw, list):
        raise ScenarioError(
            "not a list", field=path, given=type(raw).__name__, expected="a list of targets"
        )
    first = scenario.horizon.start.astype("datetime64[D]")
    last = scenario.horizon.end.astype("datetime64[D]")
    years = range(int(str(first)[:4]), int(str(last)[:4]) + 1)
    out = []
    for i, entry in enumerate(raw):
        where = f"{path}.{i}"
        sec = strict_mapping(entry, where, keys_of("targets.<n>"))
        measures = [m for m in MEASURES if m in sec]
        if len(measures) != 1:
            raise ScenarioError(
                "a target names one measure",
                field=where,
                given=", ".join(measures) or "none",
                expected="one of " + ", ".join(MEASURES),
            )
        (measure,) = measures
        unit, bound, when = MEASURES[measure]
        value = parse_quantity(
            sec[measure],
            unit,
            f"{where}.{measure}",
            minimum=0.0,
            maximum=1.0 if measure == "renewable_share" else None,
        )
        if measure == "pue" and value < 1.0:
            raise ScenarioError(
                "PUE below 1", field=f"{where}.pue", given=sec["pue"], expected="a PUE >= 1"
            )
        other = "year" if when == "date" else "date"
        if other in sec:
            raise ScenarioError(
                f"a {measure} target takes a {when}, not a {other}",
                field=f"{where}.{other}",
                given=sec[other],
                expected=when,
            )
        if when not in sec:
            raise ScenarioError(f"no {when}", field=where, expected=f"{when}: ...")
        date = year = None
        if when == "date":
            date = parse_date(sec["date"], f"{where}.date")
            if not first <= date <= last:
                raise ScenarioError(
                    "date outside the horizon",
                    field=f"{where}.date",
                    given=str(date),
                    expected=f"a day from {first} to {last}",
                )
        else:
            year = sec["year"]
            if isinstance(year, bool) or not isinstance(year, int) or year not in years:
                raise ScenarioError(
                    "year outside the horizon",
                    field=f"{where}.year",
                    given=year,
                    expected=f"a year from {years[0]} to {years[-1]}",
                )
        kind = None
        if "kind" in sec:
            if measure != "capacity":
                raise ScenarioError(
                    "only a capacity target takes a kind",
                    field=f"{where}.kind",
                    given=sec["kind"],
                    expected="no kind",
                )
            kind = normalize_kind(sec["kind"], f"{where}.kind")
        out.append(
            Target(
                measure=measure,
                value=value,
                bound=bound,
                date=date,
                year=year,
                kind=kind,
                name=str(sec.get("name") or ""),
                name_zh=str(sec.get("name_zh") or ""),
                field=where,
            )
        )
    return tuple(out)
