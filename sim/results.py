"""Dataset assembly, annual summaries, atomic writing and plots."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["dataarray", "summarize", "write_atomic", "write_netcdf", "year_slices"]


def dataarray(
    values: np.ndarray, dims: tuple[str, ...], units: str, long_name: str, **attrs: Any
) -> xr.DataArray:
    """A DataArray with CF ``units`` and ``long_name`` attributes."""
    return xr.DataArray(values, dims=dims, attrs={"units": units, "long_name": long_name, **attrs})


def year_slices(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar years present in ``times`` and the index where each starts."""
    years = times.astype("datetime64[Y]").astype(np.int64) + 1970
    starts = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
    return years[starts], starts


def summarize(ds: xr.Dataset) -> xr.Dataset:
    """Annual summary by cluster and calendar year.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`sim.run`.

    Returns
    -------
    xarray.Dataset
        Dims (cluster, year): ``energy_twh`` (facility energy), ``it_energy_twh``,
        ``peak_facility_power_mw``, ``capacity_eflops`` (at year end, reporting
        precision), ``mean_pue`` (energy-weighted), ``mean_utilization``
        (time mean), ``efficiency_gflops_per_w`` (installed compute per
        nameplate IT power at year end).
    """
    times = ds["time"].values
    years, starts = year_slices(times)
    ends = np.r_[starts[1:], len(times)] - 1
    energy = ds["energy_mwh"].values
    it_energy = ds["it_power_mw"].values * float(ds.attrs["step_h"])
    e_year = np.add.reduceat(energy, starts, axis=-1)
    it_year = np.add.reduceat(it_energy, starts, axis=-1)
    counts = np.diff(np.r_[starts, len(times)])
    cap_end = ds["capacity_eflops"].values[:, ends]
    name_end = ds["nameplate_power_mw"].values[:, ends]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_pue = np.where(it_year > 0, e_year / it_year, np.nan)
        eff = np.where(name_end > 0, cap_end * 1e18 / (name_end * 1e6) / 1e9, np.nan)
    dims = ("cluster", "year")
    precision = ds["capacity_eflops"].attrs.get("precision", "")
    out = xr.Dataset(
        {
            "energy_twh": dataarray(e_year / 1e6, dims, "TWh", "facility energy in the year"),
            "it_energy_twh": dataarray(it_year / 1e6, dims, "TWh", "IT energy in the year"),
            "peak_facility_power_mw": dataarray(
                np.maximum.reduceat(ds["facility_power_mw"].values, starts, axis=-1),
                dims,
                "MW",
                "peak facility power in the year",
            ),
            "capacity_eflops": dataarray(
                cap_end, dims, "EFLOPS", "installed compute at year end", precision=precision
            ),
            "mean_pue": dataarray(mean_pue, dims, "1", "energy-weighted mean PUE"),
            "mean_utilization": dataarray(
                np.add.reduceat(ds["utilization"].values, starts, axis=-1) / counts,
                dims,
                "1",
                "time-mean utilisation of installed compute",
            ),
            "efficiency_gflops_per_w": dataarray(
                eff,
                dims,
                "GFLOPS/W",
                "installed compute per nameplate IT power at year end",
                precision=precision,
            ),
        },
        coords={"cluster": ds["cluster"].values, "year": years},
        attrs={k: v for k, v in ds.attrs.items() if k in ("scenario", "variant", "precision")},
    )
    _summarize_operations(ds, out, starts, counts)
    return out


def _summarize_operations(
    ds: xr.Dataset, out: xr.Dataset, starts: np.ndarray, counts: np.ndarray
) -> None:
    """Annual operations figures (issue 3), added in place when ``ds`` has them.

    Served and unmet compute are time means [EFLOPS]; energies are sums [GWh];
    the east-in-west share is the part of demand from ``east`` origins served
    at ``west`` clusters; the regional peak is the coincident peak of the
    hourly grid draw summed over the region's clusters.
    """
    step_h = float(ds.attrs["step_h"])
    cy = ("cluster", "year")

    def mean(values):
        return np.add.reduceat(values, starts, axis=-1) / counts

    def total(values):
        return np.add.reduceat(values, starts, axis=-1)

    if "served_eflops" in ds:
        wy = ("workload", "year")
        served = ds["served_eflops"].values
        demand = ds["demand_eflops"].values.sum(axis=1)
        unmet = ds["unmet_eflops"].values.sum(axis=1)
        out["served_mean_eflops"] = dataarray(
            mean(served.sum(axis=0)), cy, "EFLOPS", "time-mean served compute"
        )
        out["class_served_mean_eflops"] = dataarray(
            mean(served.sum(axis=1)), wy, "EFLOPS", "time-mean served compute by workload class"
        )
        out["class_demand_mean_eflops"] = dataarray(
            mean(demand), wy, "EFLOPS", "time-mean demand by workload class"
        )
        out["class_unmet_mean_eflops"] = dataarray(
            mean(unmet), wy, "EFLOPS", "time-mean unmet demand by workload class"
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total(demand) > 0, total(unmet) / total(demand), np.nan)
        out["class_unmet_share"] = dataarray(share, wy, "1", "unmet share of demand by class")
        out.coords["workload"] = ds["workload"].values
        origin_role = ds["origin_role"].values
        role = ds["role"].values
        flow = ds["flow_eflops"].values
        east_o = origin_role == "east"
        west_c = role == "west"
        east_demand = total(ds["demand_eflops"].values[:, east_o].sum(axis=(0, 1)))
        east_in_west = total(flow[np.ix_(east_o, west_c)].sum(axis=(0, 1)))
        with np.errstate(invalid="ignore", divide="ignore"):
            share_w = np.where(east_demand > 0, east_in_west / east_demand, np.nan)
        out["east_served_in_west_share"] = dataarray(
            share_w, ("year",), "1", "share of eastern demand served at western clusters"
        )
    if "grid_power_mw" in ds:
        grid = ds["grid_power_mw"].values
        imported = ds["import_power_mw"].values
        fac = ds["facility_power_mw"].values
        out["peak_grid_power_mw"] = dataarray(
            np.maximum.reduceat(grid, starts, axis=-1), cy, "MW", "peak grid draw in the year"
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            fac_e = total(fac)
            ren_share = np.where(fac_e > 0, 1.0 - total(grid + imported) / fac_e, np.nan)
        out["renewable_share"] = dataarray(
            np.clip(ren_share, 0.0, 1.0), cy, "1", "share of facility energy from renewables"
        )
        for key, name, long_name in (
            ("curtailed_mw", "curtailed_gwh", "renewable energy curtailed"),
            ("import_power_mw", "import_gwh", "energy imported from neighbouring grids"),
            ("shortfall_mw", "shortfall_gwh", "facility energy beyond every supply cap"),
        ):
            out[name] = dataarray(total(ds[key].values) * step_h / 1e3, cy, "GWh", long_name)
        out["carbon_tco2"] = dataarray(
            total(ds["carbon_tco2"].values), cy, "tCO2", "emissions in the year"
        )
        out["cost_cny"] = dataarray(total(ds["cost_cny"].values), cy, "CNY", "energy cost")
        regions = ds["grid_region"].values
        names = list(dict.fromkeys(regions.tolist()))
        peaks = np.stack(
            [np.maximum.reduceat(grid[regions == r].sum(axis=0), starts) for r in names]
        )
        out["peak_grid_power_by_region_mw"] = dataarray(
            peaks, ("region", "year"), "MW", "coincident peak grid draw of a grid region"
        )
        out.coords["region"] = names


def write_atomic(path: str | Path, write: Any) -> Path:
    """Call ``write(tmp_path)`` then rename onto ``path``: a crash leaves no half file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp creates 0600; give the result the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a dataset as NetCDF-4 (h5netcdf engine), atomically."""
    clean = ds.copy()
    clean.attrs = _netcdf_attrs(ds.attrs)
    return write_atomic(path, lambda tmp: clean.to_netcdf(tmp, engine="h5netcdf"))


def _netcdf_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        if value is None:
            continue
        out[key] = str(value) if isinstance(value, bool) else value
    return out
