"""A scenario from scratch, free of Streamlit: tables of hardware and clusters (and
the horizon) → a scenario mapping that :func:`sim.load_scenario` validates, and its
YAML. The exported YAML is exactly the mapping the page runs, so ``suanli run`` on
the file gives the same results.

The tables hold one value per field in the field's canonical unit (the column
names say which); a cluster's capacity is constant over the horizon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import yaml

__all__ = ["CLUSTER_COLUMNS", "HARDWARE_COLUMNS", "TEMPLATE", "scenario_mapping", "to_yaml"]

#: Hardware table: name, kind, fp16 peak per accelerator [TFLOPS], power per
#: accelerator [W], node power / accelerator power [1].
HARDWARE_COLUMNS = ("hardware", "kind", "peak_fp16_tflops", "power_w", "node_overhead")
#: Cluster table: name, place [degree], hardware (a name of the hardware table),
#: installed compute [EFLOPS, fp16], utilisation, idle power, PUE [1].
CLUSTER_COLUMNS = (
    "cluster",
    "lat",
    "lon",
    "hardware",
    "capacity_eflops",
    "utilization",
    "idle_power",
    "pue",
)

#: The starting point: DESIGN.md's minimal scenario (1 EFLOPS of a 989 TFLOPS,
#: 700 W accelerator at full load and PUE 1.0: 6.200 GWh in 2025).
TEMPLATE = {
    "name": "my scenario",
    "start": dt.date(2025, 1, 1),
    "end": dt.date(2025, 12, 31),
    "hardware": pd.DataFrame(
        [{"hardware": "gpu-a", "kind": "intelligent", "peak_fp16_tflops": 989.0, "power_w": 700.0,
          "node_overhead": 1.0}],
        columns=HARDWARE_COLUMNS,
    ),
    "clusters": pd.DataFrame(
        [{"cluster": "site-a", "lat": 30.3, "lon": 120.2, "hardware": "gpu-a",
          "capacity_eflops": 1.0, "utilization": 1.0, "idle_power": 0.0, "pue": 1.0}],
        columns=CLUSTER_COLUMNS,
    ),
}  # fmt: skip


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows with a name (the first column), blanks dropped (a deleted or new row)."""
    key = frame.columns[0]
    out = []
    for row in frame.to_dict("records"):
        name = row.get(key)
        if name is None or (isinstance(name, float) and pd.isna(name)) or not str(name).strip():
            continue
        out.append(
            {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        )
    return out


def _number(value: Any) -> Any:
    """A plain float for YAML (numpy and pandas numbers are not safe_dump-able)."""
    return float(value) if value is not None else None


def scenario_mapping(
    name: str, start: dt.date, end: dt.date, hardware: pd.DataFrame, clusters: pd.DataFrame
) -> dict[str, Any]:
    """The scenario the tables describe, as plain data for :func:`sim.load_scenario`.

    Missing values stay missing, so that validation names the field (e.g.
    ``clusters.site-b.pue``) rather than this function guessing.
    """
    hw = {}
    for row in _rows(hardware):
        entry: dict[str, Any] = {}
        if row.get("kind"):
            entry["kind"] = str(row["kind"])
        if row.get("peak_fp16_tflops") is not None:
            entry["peak_flops"] = {"fp16": f"{_number(row['peak_fp16_tflops']):g} TFLOPS"}
        if row.get("power_w") is not None:
            entry["power"] = f"{_number(row['power_w']):g} W"
        if row.get("node_overhead") is not None:
            entry["node_overhead"] = _number(row["node_overhead"])
        hw[str(row["hardware"]).strip()] = entry
    cl = {}
    for row in _rows(clusters):
        cap = row.get("capacity_eflops")
        entry = {
            "location": {"lat": _number(row.get("lat")), "lon": _number(row.get("lon"))},
            "fleet": {
                "precision": "fp16",
                "hardware": {str(row.get("hardware") or "").strip(): 1.0},
                "capacity": {start: None if cap is None else f"{_number(cap):g} EFLOPS"},
            },
        }
        for key in ("utilization", "idle_power", "pue"):
            if row.get(key) is not None:
                entry[key] = _number(row[key])
        cl[str(row["cluster"]).strip()] = entry
    return {
        "name": name,
        "horizon": {"start": start, "end": end, "step": "1h"},
        "reporting_precision": "fp16",
        "hardware": hw,
        "clusters": cl,
    }


def to_yaml(mapping: Mapping[str, Any]) -> str:
    """The scenario as YAML text (``suanli run FILE`` loads it back)."""
    header = "# Written by the suanli app's scenario editor\n"
    return header + yaml.safe_dump(dict(mapping), sort_keys=False, allow_unicode=True)
