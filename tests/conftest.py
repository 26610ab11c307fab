"""Shared fixtures: the repository root and the DESIGN.md minimal scenario as a mapping."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

# The minimal scenario of DESIGN.md, as a mapping tests can modify.
MINIMAL = {
    "name": "one site",
    "horizon": {"start": "2025-01-01", "end": "2025-12-31", "step": "1h"},
    "reporting_precision": "fp16",
    "hardware": {
        "gpu-a": {
            "peak_flops": {"fp16": "989 TFLOPS", "fp64": "67 TFLOPS"},
            "power": "700 W",
            "node_overhead": 1.0,
        },
        "hpc-a": {"efficiency": {"fp64": "52.6 GFLOPS/W"}},
    },
    "clusters": {
        "site-a": {
            "location": {"lat": 30.3, "lon": 120.2},
            "fleet": {
                "precision": "fp16",
                "hardware": {"gpu-a": 1.0},
                "capacity": {"2025-01-01": "1 EFLOPS", "2025-12-31": "1 EFLOPS"},
            },
            "utilization": 1.0,
            "idle_power": 0.0,
            "pue": 1.0,
        }
    },
}


@pytest.fixture
def minimal() -> dict:
    """A fresh deep copy of the minimal scenario mapping."""
    return copy.deepcopy(MINIMAL)
