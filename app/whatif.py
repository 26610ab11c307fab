"""What-if logic of the app, free of Streamlit: slider settings → scenario
overrides, a run → the small tables the charts draw, settings → scenario YAML.

Every adjustment is expressed as dotted-path overrides for
:func:`sim.load_scenario`, so the app never computes physics itself: what the
app shows is what ``suanli run --set PATH=VALUE ...`` gives.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml

import sim
from sim.results.io import write_netcdf
from sim.results.plots import plot_run
from sim.scenario import catalog
from sim.scenario.errors import ScenarioError
from sim.scenario.horizon import year_slices
from sim.scenario.units import parse_quantity

__all__ = [
    "FIGURES",
    "Defaults",
    "Settings",
    "bundle",
    "compare_row",
    "defaults",
    "dispatching",
    "format_energy",
    "headline",
    "overrides",
    "plain",
    "scenario_yaml",
    "zh_texts",
]

#: Most points per cluster drawn in a time-series chart; bins are chosen to stay below.
MAX_POINTS = 800
#: Bin widths tried for the power time series [h], smallest first.
BIN_HOURS = (1, 2, 3, 6, 12, 24, 168)
#: Points drawn per load-duration curve.
LDC_POINTS = 400
#: Annual operations figures (dispatch and grid layers), shown whenever a run has
#: them: name → unit of the headline figure.
OPS_UNITS = {
    "carbon_mt": "MtCO2",
    "cost_bn_cny": "bn CNY",
    "renewable_share": "%",
    "unmet_share": "%",
    "east_in_west_share": "%",
}


#: Annual figures of a what-if that the headline and Compare show: name -> unit. The
#: operations figures (from carbon on) exist only when a run has dispatch and grids.
FIGURES = {
    "energy_twh": "TWh",
    "peak_facility_power_mw": "MW",
    "capacity_eflops": "EFLOPS",
    "mean_pue": "1",
    **OPS_UNITS,
}


def dispatching(raw: Mapping) -> bool:
    """Whether a scenario dispatches demand (a ``demand:`` section): utilisation is
    then an outcome of dispatch, not an input (:func:`sim.run`)."""
    return isinstance(raw.get("demand"), Mapping)


def zh_texts(raw: Mapping) -> dict[str, dict[str, str]]:
    """The optional Chinese display texts of a scenario: ``""`` (the scenario),
    ``"cluster:NAME"`` and ``"variant:NAME"`` → {``name``, ``description``} from
    their ``name_zh`` and ``description_zh`` fields (only those given)."""
    sections = {"": raw}
    for kind in ("cluster", "variant"):
        for name, sec in (raw.get(f"{kind}s") or {}).items():
            sections[f"{kind}:{name}"] = sec if isinstance(sec, Mapping) else {}
    out = {}
    for key, sec in sections.items():
        texts = {
            k: str(sec[f"{k}_zh"]).strip() for k in ("name", "description") if sec.get(f"{k}_zh")
        }
        if texts:
            out[key] = texts
    return out


def _operations(summary: xr.Dataset) -> dict[str, np.ndarray]:
    """Annual totals over clusters of the operations layers' summary variables
    (the same totals as ``suanli compare``), by year."""
    out: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        if "carbon_tco2" in summary:
            out["carbon_mt"] = summary["carbon_tco2"].values.sum(axis=0) / 1e6
        if "cost_cny" in summary:
            out["cost_bn_cny"] = summary["cost_cny"].values.sum(axis=0) / 1e9
        if "renewable_share" in summary:
            e = summary["energy_twh"].values
            share = np.nan_to_num(summary["renewable_share"].values)
            out["renewable_share"] = (share * e).sum(axis=0) / e.sum(axis=0) * 100
        if "class_unmet_mean_eflops" in summary:
            demand = summary["class_demand_mean_eflops"].values.sum(axis=0)
            unmet = summary["class_unmet_mean_eflops"].values.sum(axis=0)
            out["unmet_share"] = np.where(demand > 0, unmet / demand, np.nan) * 100
        if "east_served_in_west_share" in summary:
            out["east_in_west_share"] = summary["east_served_in_west_share"].values * 100
    return out


# ---------------------------------------------------------------------------
# Settings → overrides


@dataclass(frozen=True)
class Settings:
    """Slider values. ``None`` (or 1.0 / 0 / empty) means "as in the scenario".

    Attributes
    ----------
    pue : float or None
        PUE of every cluster [1]: the constant, or the climate model's base.
    utilization : float or None
        Mean utilisation of every cluster [1]; an hourly profile keeps its shape.
    idle_power : float or None
        Idle power of every cluster as a fraction of busy power [1].
    capacity_scale : float
        Factor on every capacity point and addition [1].
    delay_years : int
        Shift of every capacity date and addition year [year].
    node_overhead : tuple of (hardware, float)
        Node power / accelerator power [1] by hardware name.
    efficiency : tuple of (hardware, float)
        Node efficiency [GFLOPS/W] at the first precision the hardware lists, for
        hardware given by efficiency; its other precisions scale with it.
    free_cooling_below_c : float or None
        Climate PUE models: ambient temperature below which PUE stays at base [degC].
    pue_slope_per_k : float or None
        Climate PUE models: PUE rise per kelvin above that temperature [1/K].
    dispatch_policy, dispatch_objective : str or None
        ``dispatch.policy`` (optimize, stay_local) and ``dispatch.objective`` (cost,
        carbon, mix) of scenarios with a ``dispatch:`` section.
    carbon_price_cny_per_tco2 : float or None
        ``dispatch.carbon_price``, the carbon weight of the mix objective [CNY/tCO2].
    """

    pue: float | None = None
    utilization: float | None = None
    idle_power: float | None = None
    capacity_scale: float = 1.0
    delay_years: int = 0
    node_overhead: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    efficiency: tuple[tuple[str, float], ...] = field(default_factory=tuple)
    free_cooling_below_c: float | None = None
    pue_slope_per_k: float | None = None
    dispatch_policy: str | None = None
    dispatch_objective: str | None = None
    carbon_price_cny_per_tco2: float | None = None

    def is_default(self) -> bool:
        return self == Settings()

    def describe(self) -> str:
        """The changed settings as ``name=value, ...`` (empty when none)."""
        base = Settings()
        parts = []
        for key, value in vars(self).items():
            if value == getattr(base, key):
                continue
            if isinstance(value, tuple):
                parts += [f"{key}.{name}={v}" for name, v in value]
            else:
                parts.append(f"{key}={value}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Defaults:
    """Slider start values read from a scenario's raw mapping.

    Attributes
    ----------
    pue, utilization, idle_power : float
        Means over clusters [1].
    pue_range, utilization_range, idle_range : tuple of float
        Smallest and largest cluster value [1] (equal when all clusters agree).
    node_overhead : dict of str to float
        Current node overhead of each adjustable hardware in use [1].
    efficiency : dict of str to (str, float)
        Hardware in use given by efficiency: (first precision, GFLOPS/W).
    free_cooling_below_c, pue_slope_per_k : float or None
        Means over the clusters with a climate PUE model [degC, 1/K]; None without.
    """

    pue: float
    pue_range: tuple[float, float]
    utilization: float
    utilization_range: tuple[float, float]
    idle_power: float
    idle_range: tuple[float, float]
    node_overhead: dict[str, float]
    efficiency: dict[str, tuple[str, float]] = field(default_factory=dict)
    free_cooling_below_c: float | None = None  # mean over climate-model clusters
    pue_slope_per_k: float | None = None


def _number(value: Any, path: str) -> float:
    return parse_quantity(value, "dimensionless", path)


def _mean_utilization(value: Any, path: str) -> float:
    if isinstance(value, list):
        return float(np.mean([_number(v, f"{path}.{i}") for i, v in enumerate(value)]))
    return _number(value, path)


def _pue_base(value: Any, path: str) -> float:
    if isinstance(value, Mapping):
        return _number(value.get("base"), f"{path}.base")
    return _number(value, path)


def _hardware_in_use(raw: Mapping) -> list[str]:
    names: list[str] = []
    for cl in (raw.get("clusters") or {}).values():
        fleet = cl.get("fleet") or {}
        groups = [fleet.get("hardware") or {}]
        groups += [a.get("hardware") or {} for a in fleet.get("additions") or []]
        for group in groups:
            names += [str(h) for h in group if str(h) not in names]
    return names


def _hardware_entry(raw: Mapping, name: str) -> dict[str, Any] | None:
    """The hardware's raw fields with ``from:`` resolved, or None if unknown."""
    own = (raw.get("hardware") or {}).get(name)
    if own is None:
        return catalog.entry(name, field=name) if name in catalog.names() else None
    own = dict(own)
    if "from" in own:
        base = catalog.entry(own.pop("from"), field=f"hardware.{name}.from")
        if "efficiency" in own:
            base = {k: v for k, v in base.items() if k not in ("peak_flops", "power")}
        if "peak_flops" in own or "power" in own:
            base.pop("efficiency", None)
        own = {**base, **own}
    return own


def adjustable_hardware(raw: Mapping) -> dict[str, float]:
    """Hardware in use whose power is peak/power-based, with its node overhead [1]."""
    out = {}
    for name in _hardware_in_use(raw):
        entry = _hardware_entry(raw, name)
        if entry and "peak_flops" in entry and "power" in entry and "efficiency" not in entry:
            out[name] = _number(entry.get("node_overhead", 1.0), f"hardware.{name}.node_overhead")
    return out


#: Choices of the dispatch section (sim.scenario.schema) and their defaults.
DISPATCH_POLICIES = ("optimize", "stay_local")
DISPATCH_OBJECTIVES = ("cost", "carbon", "mix")


def dispatch_defaults(raw: Mapping) -> dict[str, Any] | None:
    """The scenario's dispatch policy, objective and carbon price [CNY/tCO2], or None
    without a ``dispatch:`` section."""
    sec = raw.get("dispatch")
    if not isinstance(sec, Mapping):
        return None
    return {
        "policy": str(sec.get("policy", "optimize")),
        "objective": str(sec.get("objective", "cost")),
        "carbon_price": parse_quantity(
            sec.get("carbon_price", 0), "CNY/tCO2", "dispatch.carbon_price"
        ),
    }


def efficiency_hardware(raw: Mapping) -> dict[str, tuple[str, float]]:
    """Hardware in use given by efficiency: its first precision and GFLOPS/W."""
    out = {}
    for name in _hardware_in_use(raw):
        entry = _hardware_entry(raw, name)
        if entry and "efficiency" in entry and "peak_flops" not in entry:
            prec, value = next(iter(entry["efficiency"].items()))
            out[name] = (
                str(prec),
                parse_quantity(value, "GFLOPS/W", f"hardware.{name}.efficiency.{prec}"),
            )
    return out


def _scope(raw: Mapping, clusters: Sequence[str] | None) -> dict[str, Any]:
    """The raw cluster sections in scope (all when ``clusters`` is None)."""
    every = raw["clusters"]
    if clusters is None:
        return dict(every)
    return {name: cl for name, cl in every.items() if str(name) in set(clusters)}


def defaults(raw: Mapping, clusters: Sequence[str] | None = None) -> Defaults:
    """Slider start values of a scenario (its raw mapping, variant applied), over
    the given clusters (all by default)."""
    clusters = _scope(raw, clusters)
    pues = [_pue_base(c["pue"], f"clusters.{n}.pue") for n, c in clusters.items()]
    utils = [
        _mean_utilization(c["utilization"], f"clusters.{n}.utilization")
        for n, c in clusters.items()
    ]
    idles = [
        _number(c.get("idle_power", 0.0), f"clusters.{n}.idle_power") for n, c in clusters.items()
    ]
    climate = {n: c["pue"] for n, c in clusters.items() if isinstance(c["pue"], Mapping)}
    thresholds = [
        parse_quantity(
            p.get("free_cooling_below", 15.0), "degC", f"clusters.{n}.pue.free_cooling_below"
        )
        for n, p in climate.items()
    ]
    slopes = [
        parse_quantity(p.get("slope", 0.01), "1/K", f"clusters.{n}.pue.slope")
        for n, p in climate.items()
    ]
    return Defaults(
        pue=float(np.mean(pues)),
        pue_range=(min(pues), max(pues)),
        utilization=float(np.mean(utils)),
        utilization_range=(min(utils), max(utils)),
        idle_power=float(np.mean(idles)),
        idle_range=(min(idles), max(idles)),
        node_overhead=adjustable_hardware(raw),
        efficiency=efficiency_hardware(raw),
        free_cooling_below_c=float(np.mean(thresholds)) if thresholds else None,
        pue_slope_per_k=float(np.mean(slopes)) if slopes else None,
    )


_LEADING_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*)$")


def scale_amount(value: Any, factor: float) -> Any:
    """Multiply a quantity written as ``"743 MW"`` (or a bare number) by ``factor``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _round(value * factor)
    match = _LEADING_NUMBER.match(str(value))
    if not match:
        return value  # not a quantity: validation will say so
    number, unit = match.groups()
    scaled = _round(float(number) * factor)
    return f"{scaled:g} {unit}".strip() if unit else scaled


def _round(x: float) -> float:
    """Round to 9 significant digits so that YAML stays readable."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, 8 - math.floor(math.log10(abs(x))))


def _shift_date(value: Any, years: int) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # not a date: validation will say so
    if not isinstance(value, dt.date):
        return value
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _fleet_overrides(path: str, fleet: Mapping, scale: float, delay: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "capacity" in fleet and isinstance(fleet["capacity"], Mapping):
        out[f"{path}.capacity"] = {
            _shift_date(when, delay): scale_amount(amount, scale)
            for when, amount in fleet["capacity"].items()
        }
    if "additions" in fleet and isinstance(fleet["additions"], list):
        adds = []
        for item in fleet["additions"]:
            new = dict(item)
            if "capacity" in new:
                new["capacity"] = scale_amount(new["capacity"], scale)
            if "year" in new and isinstance(new["year"], int):
                new["year"] = new["year"] + delay
            if "date" in new:
                new["date"] = _shift_date(new["date"], delay)
            adds.append(new)
        out[f"{path}.additions"] = adds
    return out


def overrides(
    raw: Mapping, settings: Settings, clusters: Sequence[str] | None = None
) -> dict[str, Any]:
    """Dotted-path overrides that apply ``settings`` to the clusters of ``raw``.

    Parameters
    ----------
    raw : mapping
        The scenario's raw mapping with its variant applied (``Scenario.raw``).
    settings : Settings
        Slider values. Node overheads belong to hardware and apply wherever it is used.
    clusters : sequence of str, optional
        Clusters the cluster settings apply to; all by default.

    Returns
    -------
    dict
        Path → value, for ``sim.load_scenario(..., overrides=...)``; empty for
        default settings.
    """
    out: dict[str, Any] = {}
    for name, cl in _scope(raw, clusters).items():
        path = f"clusters.{name}"
        if settings.pue is not None:
            if isinstance(cl["pue"], Mapping):
                out[f"{path}.pue.base"] = settings.pue
                top = cl["pue"].get("max")
                if top is not None and _number(top, f"{path}.pue.max") < settings.pue:
                    out[f"{path}.pue.max"] = settings.pue
            else:
                out[f"{path}.pue"] = settings.pue
        if isinstance(cl["pue"], Mapping):
            if settings.free_cooling_below_c is not None:
                out[f"{path}.pue.free_cooling_below"] = settings.free_cooling_below_c
            if settings.pue_slope_per_k is not None:
                out[f"{path}.pue.slope"] = settings.pue_slope_per_k
        if settings.utilization is not None:
            util = cl["utilization"]
            if isinstance(util, list):
                values = [_number(v, f"{path}.utilization.{i}") for i, v in enumerate(util)]
                mean = float(np.mean(values))
                factor = settings.utilization / mean if mean > 0 else 0.0
                out[f"{path}.utilization"] = (
                    [_round(min(1.0, v * factor)) for v in values]
                    if mean > 0
                    else [settings.utilization] * 24
                )
            else:
                out[f"{path}.utilization"] = settings.utilization
        if settings.idle_power is not None:
            out[f"{path}.idle_power"] = settings.idle_power
        if settings.capacity_scale != 1.0 or settings.delay_years:
            out.update(
                _fleet_overrides(
                    f"{path}.fleet", cl["fleet"], settings.capacity_scale, settings.delay_years
                )
            )
    if "dispatch" in raw:
        for key, value in (
            ("policy", settings.dispatch_policy),
            ("objective", settings.dispatch_objective),
            ("carbon_price", settings.carbon_price_cny_per_tco2),
        ):
            if value is not None:
                out[f"dispatch.{key}"] = value
    own = raw.get("hardware") or {}
    added: dict[str, dict[str, Any]] = {}
    changes = [(n, "node_overhead", v) for n, v in settings.node_overhead]
    changes += [(n, "efficiency", _scaled_efficiency(raw, n, v)) for n, v in settings.efficiency]
    for name, key, value in changes:
        if name in own:
            out[f"hardware.{name}.{key}"] = value
        else:  # a catalog entry used by name: give it a scenario entry of its own
            added.setdefault(name, {"from": name})[key] = value
    if added:
        if "hardware" in raw:
            out.update({f"hardware.{name}": entry for name, entry in added.items()})
        else:
            out["hardware"] = added
    return out


def _scaled_efficiency(raw: Mapping, name: str, gflops_per_w: float) -> dict[str, str]:
    """The hardware's efficiency mapping with its first precision set to
    ``gflops_per_w`` and the others scaled by the same factor."""
    effs = _hardware_entry(raw, name)["efficiency"]
    values = {
        str(p): parse_quantity(v, "GFLOPS/W", f"hardware.{name}.efficiency.{p}")
        for p, v in effs.items()
    }
    factor = gflops_per_w / next(iter(values.values()))
    return {p: f"{_round(v * factor):g} GFLOPS/W" for p, v in values.items()}


# ---------------------------------------------------------------------------
# Scenario → YAML


def plain(value: Any) -> Any:
    """Plain dicts, lists, str, numbers and dates (for ``yaml.safe_dump``)."""
    if isinstance(value, Mapping):
        return {_plain_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _plain_key(key: Any) -> Any:
    return key.item() if isinstance(key, np.generic) else key


def scenario_yaml(scenario: sim.Scenario, header: str = "") -> str:
    """The scenario as it was run (variant and overrides applied) as YAML text.

    Loading the text back with :func:`sim.load_scenario` gives the same results.
    The ``variants:`` section is left out: the chosen variant is already applied.
    """
    data = {k: v for k, v in plain(scenario.raw).items() if k != "variants"}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    return ("\n".join(lines) + "\n" if lines else "") + text


# ---------------------------------------------------------------------------
# Files to download


def netcdf_bytes(ds: xr.Dataset) -> bytes:
    """The run as NetCDF-4 (``sim.results.write_netcdf``: every variable with units)."""
    with tempfile.TemporaryDirectory() as tmp:
        return write_netcdf(ds, Path(tmp) / "run.nc").read_bytes()


def png_bytes(ds: xr.Dataset) -> bytes:
    """The run's charts (``sim.results.plots.plot_run``) as PNG."""
    with tempfile.TemporaryDirectory() as tmp:
        return plot_run(ds, sim.summarize(ds), Path(tmp) / "chart.png").read_bytes()


def _with_units(name: str, attrs: Mapping[str, Any]) -> str:
    units = attrs.get("units")
    return f"{name} [{units}]" if units else name


def timeseries_csv(ds: xr.Dataset) -> str:
    """Every (cluster, time) variable as CSV, one row per cluster and step; the
    header names each column's units."""
    names = [n for n in ds.data_vars if ds[n].dims == ("cluster", "time")]
    frame = ds[names].to_dataframe()[names]
    frame.columns = [_with_units(n, ds[n].attrs) for n in names]
    return frame.to_csv()


def summary_csv(results: Mapping[str, Any]) -> str:
    """The annual summary by cluster and year as CSV, units in the header."""
    frame = results["summary"]
    attrs = results["attrs"]
    columns = [
        _with_units(c, attrs.get(f"summary.{c}", {})) if c not in ("lat", "lon") else c
        for c in frame.columns
    ]
    return frame.set_axis(columns, axis=1).to_csv(index=False)


# ---------------------------------------------------------------------------
# Run → small tables for charts and headline figures


def _label_parts(da: xr.DataArray) -> dict[str, str]:
    return {"long_name": str(da.attrs.get("long_name", da.name)), "units": da.attrs.get("units")}


def bin_hours(n_steps: int, step_h: float) -> int:
    """Smallest bin [h] from :data:`BIN_HOURS` that keeps a series under MAX_POINTS."""
    for hours in BIN_HOURS:
        if hours >= step_h and hours % step_h == 0 and n_steps * step_h / hours <= MAX_POINTS:
            return hours
    return BIN_HOURS[-1]


def bundle(ds: xr.Dataset, targets: Sequence[Any] = ()) -> dict[str, Any]:
    """Everything the results page draws, small and picklable (for ``st.cache_data``).

    Returns
    -------
    dict
        ``summary`` (long table by cluster and year), ``totals`` (by year:
        energy, coincident peak, capacity), ``power`` (binned peak facility power
        by cluster), ``ldc`` (load-duration curve of total facility power by year),
        ``flows`` (east-west arcs of the map), ``targets`` (:func:`evaluate_targets`
        of ``targets``, the scenario's), ``attrs`` (units and long names by variable),
        ``meta``.
    """
    summary = sim.summarize(ds)
    times = ds["time"].values
    step_h = float(ds.attrs["step_h"])
    years, starts = year_slices(times)
    ends = np.r_[starts[1:], len(times)]
    facility = ds["facility_power_mw"].values
    total = facility.sum(axis=0)

    # (cluster, year) variables only: later layers add (workload, year), (region, year)
    by_cluster = [v for v in summary.data_vars if summary[v].dims == ("cluster", "year")]
    frame = summary[by_cluster].to_dataframe().reset_index()
    frame["cluster"] = frame["cluster"].astype(str)
    frame = frame.merge(
        pd.DataFrame(
            {
                "cluster": [str(c) for c in ds["cluster"].values],
                "lat": ds["lat"].values,
                "lon": ds["lon"].values,
                "hub": ds["hub"].values,
            }
        ),
        on="cluster",
    )
    totals = pd.DataFrame(
        {
            "year": years,
            "energy_twh": summary["energy_twh"].values.sum(axis=0),
            "peak_facility_power_mw": [total[a:b].max() for a, b in zip(starts, ends, strict=True)],
            "capacity_eflops": summary["capacity_eflops"].values.sum(axis=0),
            "mean_pue": _ratio(
                summary["energy_twh"].values.sum(axis=0),
                summary["it_energy_twh"].values.sum(axis=0),
            ),
        }
    )
    ops = _operations(summary)
    extras = list(ops)
    for name, values in ops.items():
        totals[name] = values

    hours = bin_hours(len(times), step_h)
    per_bin = round(hours / step_h)
    n_bins = math.ceil(len(times) / per_bin)
    padded = np.full((facility.shape[0], n_bins * per_bin), -np.inf)
    padded[:, : len(times)] = facility
    binned = padded.reshape(facility.shape[0], n_bins, per_bin).max(axis=-1)
    power = pd.DataFrame(binned.T, columns=[str(c) for c in ds["cluster"].values])
    power.insert(0, "time", times[::per_bin][:n_bins])

    ldc_rows = []
    for year, a, b in zip(years, starts, ends, strict=True):
        values = np.sort(total[a:b])[::-1]
        hours_exceeded = (np.arange(len(values)) + 1) * step_h
        pick = np.unique(np.linspace(0, len(values) - 1, min(LDC_POINTS, len(values))).astype(int))
        ldc_rows.append(
            pd.DataFrame({"year": year, "hours": hours_exceeded[pick], "power_mw": values[pick]})
        )
    ldc = pd.concat(ldc_rows, ignore_index=True)

    flows = _flows(ds, starts, ends, years)
    attrs = {name: _label_parts(ds[name]) for name in ds.data_vars}
    attrs.update({f"summary.{name}": _label_parts(summary[name]) for name in summary.data_vars})
    attrs["lat"] = {"long_name": "latitude", "units": ds["lat"].attrs.get("units")}
    attrs["lon"] = {"long_name": "longitude", "units": ds["lon"].attrs.get("units")}
    meta = {
        "scenario": ds.attrs.get("scenario", ""),
        "variant": ds.attrs.get("variant", ""),
        "precision": ds.attrs.get("precision", ""),
        "step_h": step_h,
        "bin_hours": hours,
        "clusters": [str(c) for c in ds["cluster"].values],
        "origins": [str(o) for o in ds["origin"].values] if "origin" in ds.coords else [],
        "years": [int(y) for y in years],
        "extras": extras,
    }
    return {
        "summary": frame,
        "totals": totals,
        "power": power,
        "ldc": ldc,
        "flows": flows,
        "targets": evaluate_targets(targets, ds, summary),
        "attrs": attrs,
        "meta": meta,
    }


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _flows(ds: xr.Dataset, starts: np.ndarray, ends: np.ndarray, years) -> pd.DataFrame:
    """Mean compute served for each origin at each cluster by year [EFLOPS], for the
    pairs that are not at one place and, where the scenario gives roles, from an
    eastern origin to a western cluster (the map's arcs); empty without dispatch."""
    columns = ["year", "origin", "cluster", "lon", "lat", "lon2", "lat2", "flow_eflops"]
    if "flow_eflops" not in ds:
        return pd.DataFrame(columns=columns)
    flow = ds["flow_eflops"].transpose("origin", "cluster", "time").values
    means = np.add.reduceat(flow, starts, axis=2) / (ends - starts)
    o_lon, o_lat = ds["origin_lon"].values, ds["origin_lat"].values
    c_lon, c_lat = ds["lon"].values, ds["lat"].values
    # more than ~50 km apart: a flow on the backbone, not at the origin's own site
    apart = np.hypot(o_lon[:, None] - c_lon[None, :], o_lat[:, None] - c_lat[None, :]) > 0.5
    if "origin_role" in ds.coords and "role" in ds.coords:  # east -> west only
        apart &= (ds["origin_role"].values[:, None] == "east") & (
            ds["role"].values[None, :] == "west"
        )
    rows = []
    for y, year in enumerate(years):
        for o, c in zip(*np.nonzero(apart & (means[:, :, y] > 0)), strict=True):
            rows.append(
                (
                    int(year),
                    str(ds["origin"].values[o]),
                    str(ds["cluster"].values[c]),
                    float(o_lon[o]),
                    float(o_lat[o]),
                    float(c_lon[c]),
                    float(c_lat[c]),
                    float(means[o, c, y]),
                )
            )
    return pd.DataFrame(rows, columns=columns)


#: Units of the targets' measures as the app shows them (shares in per cent).
TARGET_UNITS = {"capacity": "EFLOPS", "pue": "1", "renewable_share": "%", "energy": "TWh"}


def evaluate_targets(targets: Sequence[Any], ds: xr.Dataset, summary: xr.Dataset) -> pd.DataFrame:
    """Each scenario target (``Scenario.sections["targets"]``) against a run.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``measure``, ``bound`` (min/max), ``when`` (date or year),
        ``kind``, ``name``, ``name_zh``, ``target`` and ``achieved`` in
        :data:`TARGET_UNITS`, ``met`` (None where the run lacks the layer, e.g.
        renewables without grids) and ``margin`` (how far past the target, positive
        when met, in the same units).
    """
    rows = []
    times = ds["time"].values
    for tg in targets:
        scale = 100.0 if tg.measure == "renewable_share" else 1.0
        if tg.measure == "capacity":
            # the last step of the target's day
            idx = max(0, int(np.searchsorted(times, tg.date + np.timedelta64(1, "D"))) - 1)
            if tg.kind is None:
                achieved = float(ds["capacity_eflops"].values[:, idx].sum())
            elif "kind_capacity_eflops" in ds and tg.kind in ds["kind"].values:
                by_kind = ds["kind_capacity_eflops"].sel(kind=tg.kind)
                achieved = float(by_kind.transpose("cluster", "time").values[:, idx].sum())
            else:  # no capacity of that kind installed anywhere
                achieved = 0.0
            when = str(tg.date)
        else:
            year = summary.sel(year=tg.year)
            energy = float(year["energy_twh"].sum())
            if tg.measure == "energy":
                achieved = energy
            elif tg.measure == "pue":
                it = float(year["it_energy_twh"].sum())
                achieved = energy / it if it > 0 else float("nan")
            elif "renewable_share" in summary and energy > 0:
                share = np.nan_to_num(year["renewable_share"].values)
                achieved = float((share * year["energy_twh"].values).sum()) / energy
            else:
                achieved = float("nan")
            when = str(tg.year)
        sign = 1.0 if tg.bound == "min" else -1.0
        margin = sign * (achieved - tg.value)
        rows.append(
            {
                "measure": tg.measure,
                "bound": tg.bound,
                "when": when,
                "kind": tg.kind or "",
                "name": tg.name,
                "name_zh": tg.name_zh,
                "target": tg.value * scale,
                "achieved": achieved * scale,
                "met": None if math.isnan(margin) else bool(margin >= -1e-12 * abs(tg.value)),
                "margin": margin * scale,
            }
        )
    return pd.DataFrame(rows)


def compare_row(results: Mapping[str, Any], year: int | None = None) -> dict[str, float]:
    """The figures of :data:`FIGURES` of one what-if in ``year`` (default: its last
    simulated year), NaN where the run has no such layer, with ``year``."""
    totals = results["totals"].set_index("year")
    year = int(totals.index[-1]) if year is None else int(year)
    row = totals.loc[year]
    return {"year": year, **{k: float(row[k]) if k in row else float("nan") for k in FIGURES}}


def headline(results: Mapping[str, Any], year: int) -> dict:
    """Headline figures of one year: energy [TWh], coincident peak [MW], capacity at
    year end [EFLOPS], and the operations figures the run has."""
    row = results["totals"].set_index("year").loc[year]
    return {
        "energy_twh": float(row["energy_twh"]),
        "peak_mw": float(row["peak_facility_power_mw"]),
        "capacity_eflops": float(row["capacity_eflops"]),
        **{name: float(row[name]) for name in results["meta"].get("extras", [])},
    }


def format_energy(twh: float) -> str:
    """Energy with a readable unit: ``63.07 TWh``, ``175.7 GWh``, ``6.200 GWh``."""
    value, unit = (twh, "TWh") if abs(twh) >= 1 else (twh * 1e3, "GWh")
    if unit == "GWh" and abs(value) < 1:
        value, unit = twh * 1e6, "MWh"
    return f"{_fixed(value)} {unit}"


def format_power(mw: float) -> str:
    """Power with a readable unit: ``12.35 GW``, ``919.8 MW``."""
    return f"{_fixed(mw / 1e3)} GW" if abs(mw) >= 1e4 else f"{_fixed(mw)} MW"


def _fixed(value: float) -> str:
    """Four significant figures, trailing zeros kept (6.200, 63.07, 175.7, 1234)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = max(0, 3 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}"


def parse_number(text: str) -> float:
    """The number at the start of a displayed figure (``"6.200 GWh"`` → 6.2)."""
    match = _LEADING_NUMBER.match(str(text).replace(",", ""))
    if not match:
        raise ValueError(f"no number in {text!r}")
    return float(match.group(1))


def error_text(err: ScenarioError, tmp_path: str | None = None, shown_as: str | None = None) -> str:
    """The one-line error, naming the uploaded file instead of its temporary copy."""
    text = str(err)
    if tmp_path and shown_as:
        text = text.replace(tmp_path, shown_as)
    return text
