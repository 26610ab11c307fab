"""``sim.sweep``: load a spec and execute it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xarray as xr

from sim.sweeps.execute import execute
from sim.sweeps.spec import SweepSpec, load_sweep


def sweep(
    spec: str | Path | Mapping[str, Any] | SweepSpec,
    store: str | Path | None = None,
    *,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = False,
) -> xr.Dataset:
    """Run a sweep and return its per-sample results.

    Parameters
    ----------
    spec : str, Path, mapping or SweepSpec
        A sweep YAML file, a mapping, or a loaded spec.
    store : str or Path, optional
        Zarr store to write (checkpointed per chunk, resumable). Without it the
        results are only kept in memory.
    executor : {"serial", "processes", "dask"}
        Where chunks run: this process, local processes, or Dask.
    workers : int, optional
        Processes or Dask workers (default: CPU count for processes, 2 for Dask).
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://HOST:PORT``); implies Dask.
    resume : bool
        Continue an interrupted store, skipping committed chunks.
    overwrite : bool
        Replace an existing store.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    xarray.Dataset
        Dims (sample, cluster, year); parameter values as coordinates along
        ``sample`` (for an analytic model: ``y`` along ``sample``).
    """
    if not isinstance(spec, SweepSpec):
        spec = load_sweep(spec)
    return execute(
        spec,
        store,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        overwrite=overwrite,
        progress=progress,
    )
