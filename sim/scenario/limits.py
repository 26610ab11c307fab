"""Documented bounds on the work one input may ask for, checked before allocation.

Each limit has a name, a default, a unit and an estimated memory per unit, so
that a refusal can say which limit it hit, how far over it the input is and
roughly how much memory it would have taken. A user who means it raises a
limit with ``--limit NAME=VALUE`` on the command line, or the environment
variable ``SUANLI_LIMIT_<NAME>`` (which worker processes inherit).

- ``yaml_nodes`` 1,000,000 nodes: YAML nodes after alias expansion (a "billion
  laughs" file is refused while reading, before anything is expanded);
- ``yaml_depth`` 64 levels: nesting depth of YAML collections;
- ``horizon_cells`` 20,000,000 cluster-steps: time steps × clusters of one run;
- ``sweep_samples`` 250,000 samples: samples of a sweep (Sobol: base × (D + 2) for D parameters);
- ``pipeline_samples`` 100,000 samples: Monte Carlo samples of the build-out pipeline;
- ``job_hours`` 175,200 h (20 years): simulated hours of the job-level model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sim.scenario.errors import ScenarioError

__all__ = ["LIMITS", "Limit", "check", "limit", "set_limit"]


@dataclass(frozen=True)
class Limit:
    """One bound.

    Attributes
    ----------
    default : int
        Largest accepted amount.
    unit : str
        What is counted.
    bytes_per_unit : float
        Rough memory one unit costs [byte], for the message.
    doc : str
        What it bounds.
    """

    default: int
    unit: str
    bytes_per_unit: float
    doc: str


#: Every limit by name. Memory per unit is an estimate from the arrays each unit
#: allocates (e.g. a run keeps about 40 float64 values per cluster and step).
LIMITS: dict[str, Limit] = {
    "yaml_nodes": Limit(1_000_000, "nodes", 200, "YAML nodes after alias expansion"),
    "yaml_depth": Limit(64, "levels", 0, "nesting depth of YAML collections"),
    "horizon_cells": Limit(20_000_000, "cluster-steps", 320, "time steps × clusters of one run"),
    "sweep_samples": Limit(250_000, "samples", 4_000, "samples of one sweep"),
    "pipeline_samples": Limit(100_000, "samples", 20_000, "Monte Carlo pipeline samples"),
    "job_hours": Limit(175_200, "h", 50_000, "hours of the job-level simulation"),
}


def _env(name: str) -> str:
    return f"SUANLI_LIMIT_{name.upper()}"


def limit(name: str) -> int:
    """The limit in force: the environment override, else the default.

    Raises
    ------
    ScenarioError
        The override is not a non-negative whole number.
    """
    text = os.environ.get(_env(name))
    if text is None:
        return LIMITS[name].default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or not value.is_integer():
        raise ScenarioError(
            "not a limit", field=_env(name), given=text, expected="a whole number >= 0"
        )
    return int(value)


def set_limit(text: str) -> None:
    """Apply ``NAME=VALUE`` (the ``--limit`` option) for this process and its workers.

    Raises
    ------
    ScenarioError
        Unknown name or a value that is not a whole number >= 0.
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or name not in LIMITS:
        raise ScenarioError(
            "unknown limit",
            field="--limit",
            given=text,
            expected="NAME=VALUE with NAME one of " + ", ".join(LIMITS),
        )
    os.environ[_env(name)] = value.strip()
    limit(name)  # refuse a bad value now, not at first use


def _size(n_bytes: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{n_bytes:.0f} B"


def check(name: str, amount: float, field: str | None = None, what: str | None = None) -> None:
    """Refuse ``amount`` above the limit ``name``, before anything is allocated.

    Parameters
    ----------
    name : str
        A key of :data:`LIMITS`.
    amount : float
        The amount the input asks for, in the limit's unit.
    field : str, optional
        Dotted path of the field that sets it.
    what : str, optional
        The amount in words, e.g. ``"87600 steps x 3 clusters"``.

    Raises
    ------
    ScenarioError
        Naming the limit, the amount, the estimated memory and how to raise it.
    """
    bound = limit(name)
    if amount <= bound:
        return
    spec = LIMITS[name]
    memory = (
        f", about {_size(amount * spec.bytes_per_unit)} of memory" if spec.bytes_per_unit else ""
    )
    raise ScenarioError(
        f"{what or f'{amount:,.0f} {spec.unit}'} exceeds the limit {name} = {bound:,} "
        f"{spec.unit} ({spec.doc}{memory})",
        field=field,
        expected=f"at most {bound:,} {spec.unit}, or raise it with --limit {name}=N",
    )
