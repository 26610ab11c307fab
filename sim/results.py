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
    return out


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
