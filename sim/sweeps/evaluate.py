"""Batched evaluation of a sweep's samples with the kernels of :func:`sim.run`.

Kernel parameters (a constant PUE, the climate PUE coefficients, utilisation,
idle power) become per-sample arrays; any other path is structural: each
sample's scenario is reloaded and its inputs rebuilt (cached by value).
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from sim.buildout.fleet import build_fleet
from sim.model import operate, prepare, pue_series, run, utilization_series
from sim.results.dataset import dataarray
from sim.results.summary import SUMMARY_VARIABLES, AnnualReducer, summarize
from sim.scenario.errors import ScenarioError
from sim.scenario.horizon import time_blocks, year_slices
from sim.scenario.loader import load_scenario
from sim.sweeps.analytic import ANALYTIC_MODELS
from sim.sweeps.designs import all_sample_values, sample_values
from sim.sweeps.spec import SweepSpec, override_value, spec_error, value_at

#: Kernel parameters: last path part(s) → (kind, canonical unit, minimum, maximum).
_KERNEL_FIELDS = {
    ("pue",): ("pue_base", 1.0, math.inf),
    ("pue", "base"): ("pue_base", 1.0, math.inf),
    ("pue", "free_cooling_below"): ("pue_threshold_c", -math.inf, math.inf),
    ("pue", "slope"): ("pue_slope_per_k", 0.0, math.inf),
    ("pue", "max"): ("pue_max", 1.0, math.inf),
    ("utilization",): ("utilization", 0.0, 1.0),
    ("idle_power",): ("idle_power", 0.0, 1.0),
}


# ---------------------------------------------------------------------------
# Analytic test models (for verifying the sampling and analysis machinery)


@dataclass(frozen=True)
class _Binding:
    """Where a kernel parameter goes: Inputs array ``kind`` at cluster ``index``."""

    param: int
    path: str
    kind: str
    index: int
    base: Any  # base value (scale mode) as the kernel sees it


def _bindings(spec: SweepSpec, scenario) -> tuple[list[_Binding], list[tuple[int, str]]]:
    """Split parameter paths into kernel bindings and structural (path) overrides."""
    names = list(scenario.clusters)
    kernel: list[_Binding] = []
    structural: list[tuple[int, str]] = []
    for j, p in enumerate(spec.parameters):
        for path in p.paths:
            parts = path.split(".")
            b = None
            if parts[0] == "clusters" and len(parts) >= 3 and parts[1] in names:
                cl = scenario.clusters[parts[1]]
                tail = tuple(parts[2:])
                value = value_at(spec.raw, path)
                kind = _KERNEL_FIELDS.get(tail, (None,))[0]
                ok_unit = p.unit is None
                numeric_grid = p.values is None or all(isinstance(v, int | float) for v in p.values)
                if kind and ok_unit and numeric_grid:
                    if tail == ("pue",) and cl.pue.is_constant:
                        b = _Binding(j, path, kind, names.index(parts[1]), cl.pue.base)
                    elif tail[0] == "pue" and len(tail) == 2 and not cl.pue.is_constant:
                        attr = {
                            "base": "base",
                            "free_cooling_below": "threshold_c",
                            "slope": "slope_per_k",
                            "max": "max_pue",
                        }[tail[1]]
                        b = _Binding(j, path, kind, names.index(parts[1]), getattr(cl.pue, attr))
                    elif tail == ("utilization",):
                        b = _Binding(j, path, kind, names.index(parts[1]), cl.utilization)
                    elif tail == ("idle_power",):
                        b = _Binding(j, path, kind, names.index(parts[1]), cl.idle_power)
                    # a scale of a raw list/number that is not what the kernel sees is structural
                    if b is not None and p.mode == "scale" and isinstance(value, Mapping):
                        b = None
            if b is None:
                structural.append((j, path))
            else:
                kernel.append(b)
    return kernel, structural


_PREPARED: dict[str, Any] = {}
_SUB_BATCH_ELEMENTS = 1 << 17  # ~1 MB of float64 per working array


def _base(spec: SweepSpec):
    """Base scenario, its inputs, bindings and structural plan, cached per process."""
    key = spec.digest
    if key not in _PREPARED:
        scenario = load_scenario(spec.raw)
        kernel, structural = _bindings(spec, scenario)
        _PREPARED.clear()
        _PREPARED[key] = (
            scenario,
            prepare(scenario),
            kernel,
            structural,
            _fleet_rows(scenario, structural),
        )
    return _PREPARED[key]


_LOCAL = threading.local()


def _buffer(shape: tuple[int, ...]) -> np.ndarray:
    """A scratch array reused across batches (per thread): no page faults per batch."""
    buf = getattr(_LOCAL, "buf", None)
    size = math.prod(shape)
    if buf is None or buf.size < size:
        buf = _LOCAL.buf = np.empty(size)
    return buf[:size].reshape(shape)


def _fleet_rows(scenario, structural: list[tuple[int, str]]) -> list[int] | None:
    """Clusters whose fleet the structural paths change, or None when a path
    changes more than fleets (then each sample's inputs are rebuilt whole)."""
    names = list(scenario.clusters)
    rows: set[int] = set()
    for _, path in structural:
        parts = path.split(".")
        if parts[0] == "clusters" and len(parts) >= 3 and parts[2] == "fleet":
            rows.add(names.index(parts[1]))
        elif parts[0] == "hardware" and len(parts) >= 2:
            for i, c in enumerate(scenario.clusters.values()):
                used = set(c.fleet.shares)
                for add in c.fleet.additions:
                    used |= set(add.shares)
                if parts[1] in used:
                    rows.add(i)
        else:
            return None
    return sorted(rows)


def _sample_scenario(spec: SweepSpec, structural, values, i: int):
    overrides = {}
    for j, path in structural:
        p = spec.parameters[j]
        overrides[path] = override_value(p, path, values[j][i], spec.raw)
    try:
        return load_scenario(spec.raw, overrides=overrides)
    except ScenarioError as err:
        raise spec_error(
            f"a sample's values are not valid for the scenario: {err.message}",
            err.field,
            given=err.given,
            expected=err.expected,
        ) from None


@dataclass
class _Batch:
    """Inputs of a batch of samples, shaped (m or 1, cluster, ...)."""

    nameplate: np.ndarray  # (m or 1, C, T) full series, or the base (1, C, T) with patches
    patch_rows: list[int] | None
    patch: np.ndarray | None  # (m, rows, T) nameplate of the patched clusters
    capacity_end: np.ndarray  # (m or 1, C, Y)
    nameplate_end: np.ndarray  # (m or 1, C, Y)
    arrays: dict[str, np.ndarray]  # PUE parameters and idle power, (m, C, 1)
    climate: np.ndarray  # (m or 1, C)
    temperature: np.ndarray | None  # (m or 1, C, T)
    profiles: np.ndarray  # (m, C, 24)
    utilization: np.ndarray  # (m or 1, C, T)

    def nameplate_block(self, lo: int, hi: int) -> np.ndarray:
        if self.patch is None:
            return self.nameplate[:, :, lo:hi]
        m = self.patch.shape[0]
        block = np.empty((m, self.nameplate.shape[1], hi - lo))
        block[:] = self.nameplate[:, :, lo:hi]
        block[:, self.patch_rows, :] = self.patch[:, :, lo:hi]
        return block


def _batch(spec, base, structural, fleet_rows, values, idx: range, ends) -> _Batch:
    m = len(idx)
    per = [base]
    patch = None
    if structural and fleet_rows is not None:
        names = list(base_names(spec))
        rows = fleet_rows
        patch = _buffer((m, len(rows), len(base.times)))
        cap_end = np.broadcast_to(base.capacity_eflops[:, ends], (m, len(names), len(ends))).copy()
        name_end = np.broadcast_to(base.nameplate_mw[:, ends], (m, len(names), len(ends))).copy()
        for b, i in enumerate(idx):
            sc = _sample_scenario(spec, structural, values, i)
            sub = dataclasses.replace(sc, clusters={names[r]: sc.clusters[names[r]] for r in rows})
            fl = build_fleet(sub, base.times)
            patch[b] = fl.nameplate_mw
            cap_end[b, rows] = fl.capacity_eflops[:, ends]
            name_end[b, rows] = fl.nameplate_mw[:, ends]
        nameplate = base.nameplate_mw[None]
    else:
        if structural:
            per = [prepare(_sample_scenario(spec, structural, values, i)) for i in idx]
        nameplate = _stack([q.nameplate_mw for q in per])
        cap_end = _stack([q.capacity_eflops[:, ends] for q in per])
        name_end = nameplate[:, :, ends]
    n_c = nameplate.shape[1]
    arrays = {
        name: np.broadcast_to(_stack([getattr(q, name) for q in per]), (m, n_c, 1)).copy()
        for name in ("pue_base", "pue_threshold_c", "pue_slope_per_k", "pue_max", "idle_power")
    }
    climate = _stack([q.climate for q in per])
    temperature = None
    if climate.any():
        temperature = _stack(
            [
                q.kernel_temperature_c
                if q.temperature_c is not None
                else np.zeros_like(q.nameplate_mw)
                for q in per
            ]
        )
    profiles = np.broadcast_to(_stack([q.utilization_profile for q in per]), (m, n_c, 24)).copy()
    return _Batch(
        nameplate=nameplate,
        patch_rows=fleet_rows if patch is not None else None,
        patch=patch,
        capacity_end=cap_end,
        nameplate_end=name_end,
        arrays=arrays,
        climate=climate,
        temperature=temperature,
        profiles=profiles,
        utilization=_stack([q.utilization for q in per]),
    )


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    """Stack along a new first axis; one array becomes a view, not a copy."""
    return arrays[0][None] if len(arrays) == 1 else np.stack(arrays)


def base_names(spec: SweepSpec) -> list[str]:
    """Cluster names of the base scenario."""
    return list(_base(spec)[0].clusters)


def evaluate_chunk(spec: SweepSpec, k: int) -> dict[str, np.ndarray]:
    """Compute the samples of chunk ``k``.

    Parameters
    ----------
    spec : SweepSpec
    k : int
        Chunk index.

    Returns
    -------
    dict of name → numpy.ndarray
        The kept annual variables shaped (rows, cluster, year) (or (rows, year)
        for ``coincident_peak_facility_power_mw``, (rows,) for an analytic
        model's ``y``), and ``facility_power_mw_hourly`` (rows kept, cluster,
        time) when the chunk holds any of the first ``hourly_samples`` samples.
    """
    values = sample_values(spec, k)
    if spec.model is not None:
        inputs, func = ANALYTIC_MODELS[spec.model]
        by_path = {p.paths[0]: values[j].astype(np.float64) for j, p in enumerate(spec.parameters)}
        return {"y": func(*(by_path[i] for i in inputs))}
    if spec.raw is not None and "demand" in spec.raw:
        return _evaluate_runs(spec, k, values)
    return _evaluate_scenario(spec, k, values)


def _evaluate_runs(spec: SweepSpec, k: int, values: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Samples of a scenario with dispatch: one :func:`sim.run` each (not vectorised:
    dispatch solves per-sample problems). Exact by construction."""
    every = [(j, path) for j, p in enumerate(spec.parameters) for path in p.paths]
    rows = spec.chunk_rows(k)
    out: dict[str, list[np.ndarray]] = {name: [] for name in spec.variables}
    hourly = []
    for i, r in enumerate(rows):
        ds = run(_sample_scenario(spec, every, values, i))
        summary = summarize(ds)
        for name in spec.variables:
            out[name].append(summary[name].values)
        if r < spec.hourly_samples:
            hourly.append(ds["facility_power_mw"].values)
    result = {name: np.stack(parts) for name, parts in out.items()}
    if hourly:
        result["facility_power_mw_hourly"] = np.stack(hourly)
    return result


def _evaluate_scenario(spec: SweepSpec, k: int, values: list[np.ndarray]) -> dict[str, np.ndarray]:
    _scenario, base, kernel, structural, fleet_rows = _base(spec)
    rows = spec.chunk_rows(k)
    n = len(rows)
    n_c = base.nameplate_mw.shape[0]
    times = base.times
    years, starts = year_slices(times)
    ends = np.r_[starts[1:], len(times)] - 1
    blocks = time_blocks(times)
    step_h = base.step_h
    keep_hourly = [i for i, r in enumerate(rows) if r < spec.hourly_samples]
    hourly = np.empty((len(keep_hourly), n_c, len(times))) if keep_hourly else None
    results: dict[str, list[np.ndarray]] = {}
    sub = max(1, _SUB_BATCH_ELEMENTS // (n_c * max(b[2] - b[1] for b in blocks)))
    util_params = any(b.kind == "utilization" for b in kernel)
    for s0 in range(0, n, sub):
        idx = range(rows.start + s0, rows.start + min(s0 + sub, n))
        local = [i - rows.start for i in idx]
        m = len(idx)
        bt = _batch(
            spec, base, structural, fleet_rows, values, range(local[0], local[-1] + 1), ends
        )
        arrays, profiles = bt.arrays, bt.profiles
        for b in kernel:
            v = values[b.param][local].astype(np.float64)
            scale = spec.parameters[b.param].mode == "scale"
            if b.kind == "utilization":
                prof = profiles[:, b.index, :]
                profiles[:, b.index, :] = prof * v[:, None] if scale else v[:, None] * np.ones(24)
            else:
                cur = arrays[b.kind][:, b.index, 0]
                arrays[b.kind][:, b.index, 0] = cur * v if scale else v
        _check_kernel_values(spec, arrays, profiles, kernel, idx.start)
        reducer = AnnualReducer((m, n_c), len(years), step_h)
        for y, lo, hi in blocks:
            if util_params:
                u = utilization_series(profiles, times[lo:hi], step_h)
            else:
                u = bt.utilization[:, :, lo:hi]
            pue = pue_series(
                bt.temperature[:, :, lo:hi] if bt.temperature is not None else None,
                arrays["pue_base"],
                arrays["pue_threshold_c"],
                arrays["pue_slope_per_k"],
                arrays["pue_max"],
                bt.climate,
            )
            it, facility, _ = operate(
                bt.nameplate_block(lo, hi), u, arrays["idle_power"], pue, step_h, with_energy=False
            )
            reducer.add(y, it, facility, u)
            for h, i in enumerate(keep_hourly):
                if s0 <= i < s0 + m:
                    hourly[h, :, lo:hi] = facility[i - s0]
        stats = reducer.finish(
            np.broadcast_to(bt.capacity_end, (m, n_c, len(years))),
            np.broadcast_to(bt.nameplate_end, (m, n_c, len(years))),
        )
        for name in spec.variables:
            results.setdefault(name, []).append(stats[name])
    out = {name: np.concatenate(parts) for name, parts in results.items()}
    if hourly is not None:
        out["facility_power_mw_hourly"] = hourly
    return out


def _check_kernel_values(spec, arrays, profiles, kernel, first_row: int) -> None:
    """Range checks of per-sample kernel values (the loader checks the rest)."""
    checks = []
    for b in kernel:
        _, lo, hi = (None, *_KERNEL_FIELDS[tuple(b.path.split(".")[2:])][1:])
        data = profiles[:, b.index, :] if b.kind == "utilization" else arrays[b.kind][:, b.index, 0]
        checks.append((b, data, lo, hi))
    for b, data, lo, hi in checks:
        flat = data.reshape(len(data), -1)
        bad = np.flatnonzero(((flat < lo) | (flat > hi) | ~np.isfinite(flat)).any(axis=1))
        if bad.size:
            raise spec_error(
                f"sample {first_row + int(bad[0])} sets {b.path} out of range",
                f"parameters.{spec.parameters[b.param].name}",
                given=float(
                    flat[bad[0]].max() if (flat[bad[0]] > hi).any() else flat[bad[0]].min()
                ),
                expected=f"values in [{lo}, {hi}]",
            )
    base, mx = arrays["pue_base"], arrays["pue_max"]
    bad = np.argwhere(mx < base)
    if bad.size and any(b.kind in ("pue_base", "pue_max") for b in kernel):
        s, c, _ = bad[0]
        raise spec_error(
            f"sample {first_row + int(s)}: PUE max below base",
            "parameters",
            given=float(mx[s, c, 0]),
        )


# ---------------------------------------------------------------------------
# Results


def empty_dataset(spec: SweepSpec) -> xr.Dataset:
    """Dataset of the full sweep filled with NaN: the layout of the Zarr store."""
    values = all_sample_values(spec)
    n = spec.n_samples
    coords: dict[str, Any] = {"sample": np.arange(n)}
    for p, v in zip(spec.parameters, values, strict=True):
        attrs = {"paths": ", ".join(p.paths), "mode": p.mode}
        if p.distribution:
            attrs["distribution"] = p.distribution
        if p.unit:
            attrs["units"] = p.unit
        coords[p.name] = ("sample", v.astype(str) if v.dtype == object else v, attrs)
    data = {}
    if spec.model is not None:
        data["y"] = dataarray(np.full(n, np.nan), ("sample",), "1", f"{spec.model} function output")
    else:
        scenario, base, *_ = _base(spec)
        years, _ = year_slices(base.times)
        coords["cluster"] = list(scenario.clusters)
        coords["year"] = years
        prec = scenario.reporting_precision
        for name in spec.variables:
            units, long_name = SUMMARY_VARIABLES[name]
            extra = {"precision": prec} if units in ("EFLOPS", "GFLOPS/W") else {}
            if name == "coincident_peak_facility_power_mw":
                arr, dims = np.full((n, len(years)), np.nan), ("sample", "year")
            else:
                arr, dims = (
                    np.full((n, len(coords["cluster"]), len(years)), np.nan),
                    ("sample", "cluster", "year"),
                )
            data[name] = dataarray(arr, dims, units, long_name, **extra)
        if spec.hourly_samples:
            coords["hourly_sample"] = np.arange(spec.hourly_samples)
            coords["time"] = base.times
            data["facility_power_mw_hourly"] = dataarray(
                np.full((spec.hourly_samples, len(coords["cluster"]), len(base.times)), np.nan),
                ("hourly_sample", "cluster", "time"),
                "MW",
                "facility power of the first samples, hourly",
            )
    attrs = {
        "sweep": spec.name,
        "description": spec.description,
        "method": spec.method,
        "seed": spec.seed,
        "samples": spec.base_samples,
        "chunk_size": spec.chunk_size,
        "n_chunks": spec.n_chunks,
        "parameters": json.dumps([p.name for p in spec.parameters]),
        "quantiles": json.dumps(list(spec.quantiles)),
        "sensitivity": spec.sensitivity,
        "base": spec.base_path or "",
        "variant": spec.variant or "",
        "model": spec.model or "",
        "dispatch": int(spec.raw is not None and "demand" in spec.raw),
        "sweep_digest": spec.digest,
        "Conventions": "CF-1.10",
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
