"""Writing a run's results in the format its file name asks for.

``--out`` picks the format by extension: ``.nc`` (NetCDF-4, zlib level 4 with
the shuffle filter, chunked by simulated year), ``.zarr`` (a Zarr store,
chunked the same way), ``.csv`` and ``.parquet`` (tidy tables: one row per
cluster and time step with every ``(cluster, time)`` variable as a column, or
with ``summary=True`` one row per cluster and year of :func:`sim.summarize`),
``.xlsx`` (the annual summary and its per-class, per-region and all-cluster
tables as sheets). ``--plot`` takes ``.png``, ``.svg`` or ``.pdf``. Any other
extension is a :class:`~sim.errors.ScenarioError` before anything runs.

Every file is written under a temporary name and renamed (a crash leaves no
half file); a Zarr store is written as a temporary folder and renamed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from sim.results.io import netcdf_attrs, write_atomic
from sim.results.summary import summarize
from sim.scenario.errors import ScenarioError

__all__ = [
    "OUT_FORMATS",
    "PLOT_FORMATS",
    "STORE_FORMATS",
    "check_suffix",
    "size_text",
    "tidy_table",
    "write_results",
]

#: Result formats of ``suanli run --out`` by extension.
OUT_FORMATS = (".nc", ".zarr", ".csv", ".parquet", ".xlsx")
#: Formats of datasets without the run's tables (``pipeline --out``, ``jobs --out``).
STORE_FORMATS = (".nc", ".zarr")
#: Chart formats of ``--plot`` by extension.
PLOT_FORMATS = (".png", ".svg", ".pdf")
#: zlib level of NetCDF output (4: most of the gain of 9 at a fraction of the time).
NETCDF_COMPLEVEL = 4


def check_suffix(path: str | Path, formats: tuple[str, ...], option: str) -> str:
    """The format of ``path`` by its extension, or a user error naming the choices.

    Parameters
    ----------
    path : str or Path
        The file name given.
    formats : tuple of str
        Accepted extensions, with the dot.
    option : str
        The option that took it (``--out``), for the message.

    Returns
    -------
    str
        The extension, lower case (``".nc"``).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        raise ScenarioError(
            f"{option}: unknown file type '{suffix or '(none)'}'",
            file=str(path),
            expected="one of " + ", ".join(formats),
        )
    return suffix


def _year_chunks(ds: xr.Dataset) -> dict[str, int]:
    """Chunk sizes: one simulated year of steps along ``time``, whole other dims."""
    if "time" not in ds.dims or ds.sizes["time"] < 2:
        return {}
    step = (ds["time"].values[1] - ds["time"].values[0]) / np.timedelta64(1, "h")
    return {"time": int(min(ds.sizes["time"], max(1, round(8760 / step))))}


def _numeric(var: xr.Variable) -> bool:
    return var.dtype.kind in "fiub"


def write_netcdf_compressed(ds: xr.Dataset, path: str | Path) -> Path:
    """NetCDF-4 with zlib + shuffle on every numeric variable, chunked by year.

    Parameters
    ----------
    ds : xarray.Dataset
    path : str or Path

    Returns
    -------
    Path
    """
    clean = ds.copy()
    clean.attrs = netcdf_attrs(ds.attrs)
    chunks = _year_chunks(ds)
    encoding: dict[str, dict[str, Any]] = {}
    for name, var in clean.data_vars.items():
        if not _numeric(var.variable) or var.ndim == 0:
            continue
        sizes = tuple(chunks.get(d, clean.sizes[d]) for d in var.dims)
        encoding[str(name)] = {
            "zlib": True,
            "complevel": NETCDF_COMPLEVEL,
            "shuffle": True,
            "chunksizes": sizes,
        }
    return write_atomic(
        path, lambda tmp: clean.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
    )


def write_zarr(ds: xr.Dataset, path: str | Path) -> Path:
    """A Zarr store chunked by year, written as a temporary folder and renamed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean = ds.copy()
    clean.attrs = netcdf_attrs(ds.attrs)
    chunks = _year_chunks(ds)
    for var in clean.variables.values():
        var.encoding = {}
        if "time" in var.dims and chunks:
            var.encoding["chunks"] = tuple(chunks.get(d, clean.sizes[d]) for d in var.dims)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        clean.to_zarr(tmp, mode="w", consolidated=True, zarr_format=2)
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def tidy_table(ds: xr.Dataset, dims: tuple[str, ...]) -> Any:
    """A tidy ``pandas.DataFrame`` of every variable with exactly ``dims``.

    One row per coordinate combination, one column per variable, named with its
    unit as the variable name carries it (``energy_mwh``).

    Parameters
    ----------
    ds : xarray.Dataset
    dims : tuple of str
        E.g. ``("cluster", "time")`` or ``("cluster", "year")``.
    """
    names = [n for n, v in ds.data_vars.items() if v.dims == dims]
    sub = ds[names]
    sub.attrs = {}
    return sub.to_dataframe().reset_index()


def _sheets(summary: xr.Dataset) -> dict[str, Any]:
    """Excel sheets of a summary: one per dimension set, the cluster table first."""
    names = {
        ("cluster", "year"): "summary",
        ("workload", "year"): "classes",
        ("region", "year"): "regions",
        ("year",): "all clusters",
    }
    groups: dict[tuple[str, ...], None] = {}
    for var in summary.data_vars.values():
        groups.setdefault(var.dims, None)
    order = sorted(groups, key=lambda d: (list(names).index(d) if d in names else 99, d))
    return {names.get(d, "-".join(d))[:31]: tidy_table(summary, d) for d in order if d}


def _units_sheet(ds: xr.Dataset) -> Any:
    import pandas as pd

    rows = [
        {
            "variable": str(n),
            "units": v.attrs.get("units", ""),
            "long_name": v.attrs.get("long_name", ""),
        }
        for n, v in ds.data_vars.items()
    ]
    return pd.DataFrame(rows)


def write_results(
    ds: xr.Dataset, path: str | Path, summary: xr.Dataset | None = None, *, annual: bool = False
) -> Path:
    """Write a run in the format of ``path``'s extension (see the module docstring).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`sim.run` (or of the jobs and pipeline layers for .nc/.zarr).
    path : str or Path
        Target file; its extension picks the format.
    summary : xarray.Dataset, optional
        :func:`sim.summarize` of ``ds`` (computed when needed and not given).
    annual : bool, default False
        For .csv and .parquet: the annual summary instead of the hourly table.

    Returns
    -------
    Path
    """
    suffix = check_suffix(path, OUT_FORMATS, "--out")
    if suffix == ".nc":
        return write_netcdf_compressed(ds, path)
    if suffix == ".zarr":
        return write_zarr(ds, path)
    if summary is None and (annual or suffix == ".xlsx"):
        summary = summarize(ds)
    if suffix in (".csv", ".parquet"):
        table = (
            tidy_table(summary, ("cluster", "year"))
            if annual
            else tidy_table(ds, ("cluster", "time"))
        )
        if suffix == ".csv":
            return write_atomic(path, lambda tmp: table.to_csv(tmp, index=False))
        return write_atomic(path, lambda tmp: table.to_parquet(tmp, index=False, engine="pyarrow"))
    import pandas as pd

    def excel(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, table in _sheets(summary).items():
                table.to_excel(writer, sheet_name=name, index=False)
            _units_sheet(summary).to_excel(writer, sheet_name="units", index=False)

    return write_atomic(path, excel)


def size_text(path: str | Path) -> str:
    """Size of a file or a store folder, e.g. ``12.3 MB``."""
    path = Path(path)
    n = (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        if path.is_dir()
        else path.stat().st_size
    )
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} B"
