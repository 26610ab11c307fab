"""Atomic writing of results: a crash leaves no half file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xarray as xr


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
    clean.attrs = netcdf_attrs(ds.attrs)
    return write_atomic(path, lambda tmp: clean.to_netcdf(tmp, engine="h5netcdf"))


def netcdf_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        if value is None:
            continue
        out[key] = str(value) if isinstance(value, bool) else value
    return out
