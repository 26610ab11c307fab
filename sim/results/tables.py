"""Text tables and JSON of the operations results, for the CLI."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from sim.scenario.units import KIND_LABELS


def operations_json(summary: Any) -> dict[str, Any]:
    """Operations figures of an annual summary as plain JSON (empty without them)."""
    out: dict[str, Any] = {}
    years = [str(int(y)) for y in summary["year"].values]

    def num(x):
        x = float(x)
        return None if np.isnan(x) else x

    if "class_demand_mean_eflops" in summary:
        workloads = [str(w) for w in summary["workload"].values]
        out["by_class"] = {
            y: {
                w: {
                    v: num(summary[v].values[i, j])
                    for v in (
                        "class_demand_mean_eflops",
                        "class_served_mean_eflops",
                        "class_unmet_mean_eflops",
                        "class_unmet_share",
                    )
                }
                for i, w in enumerate(workloads)
            }
            for j, y in enumerate(years)
        }
        out["east_served_in_west_share"] = {
            y: num(summary["east_served_in_west_share"].values[j]) for j, y in enumerate(years)
        }
    if "peak_grid_power_by_region_mw" in summary:
        regions = [str(r) for r in summary["region"].values]
        out["peak_grid_power_by_region_mw"] = {
            y: {
                r: num(summary["peak_grid_power_by_region_mw"].values[i, j])
                for i, r in enumerate(regions)
            }
            for j, y in enumerate(years)
        }
    return out


def operations_table(summary: Any, ds: Any) -> str:
    """Text block for ``suanli run``: demand by class, east-in-west, grid, carbon, cost."""
    lines: list[str] = []
    years = [int(y) for y in summary["year"].values]
    if "class_demand_mean_eflops" in summary:
        workloads = [str(w) for w in summary["workload"].values]
        width = max(len(w) for w in [*workloads, "class"])
        head = (
            f"{'year':>4}  {'class':<{width}} {'demand EFLOPS':>14} {'served':>10} "
            f"{'unmet':>10} {'unmet %':>8}"
        )
        lines += ["demand and dispatch (time means)", head, "-" * len(head)]
        for j, y in enumerate(years):
            for i, w in enumerate(workloads):
                d = summary["class_demand_mean_eflops"].values[i, j]
                sv = summary["class_served_mean_eflops"].values[i, j]
                u = summary["class_unmet_mean_eflops"].values[i, j]
                sh = summary["class_unmet_share"].values[i, j]
                share = f"{100 * sh:.2f}" if not np.isnan(sh) else "-"
                lines.append(f"{y:>4}  {w:<{width}} {d:>14.3f} {sv:>10.3f} {u:>10.3f} {share:>8}")
            e = summary["east_served_in_west_share"].values[j]
            if not np.isnan(e):
                lines.append(f"{y:>4}  eastern demand served in the west: {100 * e:.1f} %")
        reasons = {str(r) for r in np.asarray(ds["unmet_reason"].values).ravel() if str(r)}
        for r in sorted(reasons):
            lines.append(f"unservable: {r}")
        reachable = (np.asarray(ds["unmet_reason"].values) == "").any(axis=1)
        short = summary["class_unmet_mean_eflops"].values.max(axis=1) > 1e-9
        for i, w in enumerate(workloads):
            if short[i] and reachable[i]:
                lines.append(
                    f"unmet {w}: installed compute, power caps or links within its latency "
                    "bound and deferral window were short"
                )
    if "carbon_tco2" in summary:
        if lines:
            lines.append("")
        regions = [str(r) for r in summary["region"].values]
        rw = max(len("grid region"), *(len(r) for r in regions))
        head = f"{'year':>4}  {'grid region':<{rw}} {'peak grid MW':>13}"
        lines += ["grid (coincident regional peaks)", head, "-" * len(head)]
        for j, y in enumerate(years):
            for i, r in enumerate(regions):
                peak = summary["peak_grid_power_by_region_mw"].values[i, j]
                lines.append(f"{y:>4}  {r:<{rw}} {peak:>13.1f}")
        lines.append("")
        head = (
            f"{'year':>4}  {'renewables %':>12} {'curtailed GWh':>14} {'imports GWh':>12} "
            f"{'carbon MtCO2':>13} {'cost bn CNY':>12}"
        )
        lines += ["supply, carbon and cost (all clusters)", head, "-" * len(head)]
        for j, y in enumerate(years):
            e = summary["energy_twh"].values[:, j]
            share = summary["renewable_share"].values[:, j]
            ren = 100 * float((share * e).sum() / e.sum()) if e.sum() > 0 else float("nan")
            lines.append(
                f"{y:>4}  {ren:>12.1f} {summary['curtailed_gwh'].values[:, j].sum():>14.1f} "
                f"{summary['import_gwh'].values[:, j].sum():>12.1f} "
                f"{summary['carbon_tco2'].values[:, j].sum() / 1e6:>13.3f} "
                f"{summary['cost_cny'].values[:, j].sum() / 1e9:>12.3f}"
            )
    return "\n".join(lines)


def kinds_table(summary: xr.Dataset) -> str:
    """Capacity and energy by compute kind, all clusters (empty without kinds).

    Each kind's capacity is at its conventional precision; a total across kinds
    is printed only on the basis the scenario names (``totals.basis``).
    """
    if "kind_energy_twh" not in summary:
        return ""
    kinds = [str(k) for k in summary["kind"].values]
    precs = [str(p) for p in summary["kind_precision"].values]
    cap = summary["kind_capacity_eflops"].values.sum(axis=0)  # [K, Y]
    energy = summary["kind_energy_twh"].values.sum(axis=0)
    head = f"{'year':>4}  {'kind':<22}{'capacity EFLOPS':>18}{'energy TWh':>12}{'share':>8}"
    lines = ["by compute kind, all clusters", head, "-" * len(head)]
    for y, year in enumerate(summary["year"].values):
        e_total = energy[:, y].sum()
        for k, kind in enumerate(kinds):
            share = energy[k, y] / e_total if e_total > 0 else float("nan")
            lines.append(
                f"{int(year):>4}  {_pad(KIND_LABELS[kind], 22)}{cap[k, y]:>13.3f} {precs[k]:<4}"
                f"{energy[k, y]:>12.4f}{share:>8.1%}"
            )
        if "total_capacity_eflops" in summary:
            basis = summary["total_capacity_eflops"].attrs["basis"].split(":")[0]
            total = float(summary["total_capacity_eflops"].values[:, y].sum())
            lines.append(f"{int(year):>4}  {'total, ' + basis:<22}{total:>13.3f}")
        lines.append("")
    lines.append("capacity at year end, each kind at its own precision; no bare total across kinds")
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (CJK characters take two)."""
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)
    return text + " " * max(width - len(text) - wide, 0)


def kinds_json(summary: xr.Dataset) -> dict[str, Any]:
    """The figures of :func:`kinds_table` as plain JSON (empty without kinds)."""
    if "kind_energy_twh" not in summary:
        return {}
    out: dict[str, Any] = {}
    for y, year in enumerate(summary["year"].values):
        block: dict[str, Any] = {
            str(kind): {
                "precision": str(summary["kind_precision"].values[k]),
                "capacity_eflops": float(summary["kind_capacity_eflops"].values[:, k, y].sum()),
                "energy_twh": float(summary["kind_energy_twh"].values[:, k, y].sum()),
            }
            for k, kind in enumerate(summary["kind"].values)
        }
        if "total_capacity_eflops" in summary:
            block["total"] = {
                "basis": summary["total_capacity_eflops"].attrs["basis"].split(":")[0],
                "capacity_eflops": float(summary["total_capacity_eflops"].values[:, y].sum()),
            }
        out[str(int(year))] = block
    return out
