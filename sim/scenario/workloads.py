"""Workload classes as a scenario declares them: the class record, shipped presets,
latency defaults, and hourly demand traces read from CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FIBRE_US_PER_KM = 5.0  # one-way delay of light in fibre [µs/km], c / 1.47 ≈ 204,000 km/s
ROUTE_FACTOR = 1.5  # fibre route length / great-circle distance [-] ([S20]: <= 1.5x theoretical)


@dataclass(frozen=True)
class WorkloadClass:
    """A class of compute demand.

    Parameters
    ----------
    name : str
        Identifier, e.g. ``"realtime_inference"``.
    max_latency_ms : float
        Largest one-way latency from origin to serving cluster [ms]; ``inf``
        for latency-tolerant work.
    window_h : float
        Deferral window: hours a unit of demand may wait [h].
    shape : str
        ``"flat"`` or ``"diurnal"`` (see :func:`hourly_shape`) or ``"profile"``.
    profile : tuple of float, optional
        24 hourly values (any scale; normalised to mean 1) for ``"profile"``.
    peak_hour : float
        Hour of the daily peak for ``"diurnal"`` [h, local time].
    amplitude : float
        Relative amplitude of the diurnal swing [-]: peak = 1 + amplitude.
    kind : str
        Compute kind the class runs on (:data:`sim.units.KINDS`); its demand is
        counted at that kind's conventional precision.
    hardware : tuple of str
        Hardware the class can run on (e.g. a CUDA-only class: NVIDIA parts);
        empty for any hardware of its kind.
    """

    name: str
    max_latency_ms: float
    window_h: float
    shape: str = "flat"
    profile: tuple[float, ...] = field(default=())
    peak_hour: float = 20.0
    amplitude: float = 0.0
    kind: str = "intelligent"
    hardware: tuple[str, ...] = ()


# Shipped defaults. Roles from [S3]: eastern hubs serve real-time work, western
# hubs back-office processing, offline analysis, storage and backup. The 20 ms
# bound is the east-west latency target [S19, S23, S25]. Training is nearly
# flat day and night [S48c, S54]; inference follows request traffic [S54].
# Windows, the batch latency bound and the diurnal amplitude are assumptions.
# Kinds (docs/kinds.md): training and inference run on intelligent compute (AI
# accelerators); web services, databases, storage and analytics on general compute
# (CPU servers); simulation on supercomputing [S151, S155].
DEFAULT_CLASSES: dict[str, WorkloadClass] = {
    "realtime_inference": WorkloadClass(
        "realtime_inference",
        max_latency_ms=20.0,  # [S19, S25]
        window_h=0.0,
        shape="diurnal",
        peak_hour=21.0,  # assumption: evening traffic peak
        amplitude=0.4,  # assumption
        kind="intelligent",
    ),
    "batch_analytics": WorkloadClass(
        "batch_analytics",
        max_latency_ms=100.0,  # assumption: interactive dashboards, not real-time
        window_h=8.0,  # assumption: "hours"
        shape="diurnal",
        peak_hour=10.0,  # assumption: office hours
        amplitude=0.3,  # assumption
        kind="general",
    ),
    "training": WorkloadClass(
        "training",
        max_latency_ms=np.inf,  # latency tolerant [S3]
        window_h=72.0,  # assumption: "days"
        shape="flat",  # [S48c, S54]
        kind="intelligent",
    ),
    "storage_backup": WorkloadClass(
        "storage_backup",
        max_latency_ms=np.inf,  # [S3]
        window_h=24.0,  # assumption: nightly backups within a day
        shape="flat",
        kind="general",
    ),
    "web_services": WorkloadClass(
        "web_services",
        max_latency_ms=20.0,  # real-time, as inference [S19, S25]
        window_h=0.0,
        shape="diurnal",
        peak_hour=21.0,  # assumption: evening traffic peak, as inference
        amplitude=0.4,  # assumption
        kind="general",
    ),
    "databases": WorkloadClass(
        "databases",
        max_latency_ms=20.0,  # assumption: transactional, near its users
        window_h=0.0,
        shape="diurnal",
        peak_hour=14.0,  # assumption: business hours
        amplitude=0.2,  # assumption
        kind="general",
    ),
    "simulation": WorkloadClass(
        "simulation",
        max_latency_ms=np.inf,  # batch HPC jobs, latency tolerant (assumption)
        window_h=72.0,  # assumption: "days", as training
        shape="flat",
        kind="supercomputing",
    ),
}


def load_trace_csv(path: str | Path, column: str | None = None) -> np.ndarray:
    """Read one numeric column of a CSV file (header row required).

    Parameters
    ----------
    path : str or Path
    column : str, optional
        Column name; default the last column.

    Returns
    -------
    array
        The values, in file order.
    """
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None:
            raise ValueError(f"{path}: empty CSV")
        col = column or reader.fieldnames[-1]
        if col not in reader.fieldnames:
            raise ValueError(f"{path}: no column {col!r}; columns are {reader.fieldnames}")
        try:
            return np.array([float(row[col]) for row in reader])
        except ValueError as exc:
            raise ValueError(f"{path}: column {col!r} is not numeric ({exc})") from None
