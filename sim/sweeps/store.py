"""The sweep store: Zarr, committed chunk by chunk, resumable.

a Zarr store with dims (sample, cluster, year), Zarr chunks of
``chunk_size`` samples, so each sweep chunk writes whole Zarr chunks of its
own. The driver alone writes: a finished chunk's arrays go into their region,
then a marker file ``_committed/NNNNNN`` is created atomically (temporary
name, then rename). A chunk counts as done only once its marker exists;
``resume`` recomputes and overwrites any chunk without one (its values are
the same), so a crash never duplicates or loses a sample.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import xarray as xr

from sim.results.io import write_atomic
from sim.scenario.errors import ScenarioError
from sim.sweeps.evaluate import empty_dataset
from sim.sweeps.spec import SweepSpec

_MARKERS = "_committed"
COMPLETE_MARKER = "_complete"


def _marker(store: Path, k: int) -> Path:
    return store / _MARKERS / f"{k:06d}"


def committed_chunks(store: str | Path) -> set[int]:
    """Indices of the chunks whose results are committed in ``store``."""
    d = Path(store) / _MARKERS
    if not d.is_dir():
        return set()
    return {int(p.name) for p in d.iterdir() if p.name.isdigit()}


def open_store(store: str | Path) -> xr.Dataset:
    """Open a sweep store (lazily) as an xarray Dataset.

    Raises
    ------
    ScenarioError
        If ``store`` is not a sweep store.
    """
    path = Path(store)
    if not (path / "zarr.json").is_file() and not (path / ".zgroup").is_file():
        raise ScenarioError("not a sweep store (no Zarr metadata)", file=str(store))
    ds = xr.open_zarr(path, consolidated=True)
    ds.attrs["complete"] = (path / COMPLETE_MARKER).is_file()
    ds.attrs["chunks_committed"] = len(committed_chunks(path))
    return ds


def init_store(spec: SweepSpec, store: Path, resume: bool, overwrite: bool) -> set[int]:
    """Create the store (or check it for resume); return the committed chunks."""
    exists = store.exists() and any(store.iterdir()) if store.exists() else False
    if exists and resume:
        ds = open_store(store)
        digest = ds.attrs.get("sweep_digest")
        if digest != spec.digest:
            raise ScenarioError(
                "cannot resume: the store was written by a different sweep spec "
                f"(digest {digest}, this spec {spec.digest})",
                file=str(store),
                expected="the same sweep file and base scenario, or --overwrite",
            )
        return committed_chunks(store)
    if exists and not overwrite:
        raise ScenarioError(
            "output store already exists",
            file=str(store),
            expected="--resume to continue it, --overwrite to replace it, or another path",
        )
    if store.exists():
        shutil.rmtree(store)
    template = empty_dataset(spec)
    encoding = {}
    for name, da in template.data_vars.items():
        if da.dims[0] == "sample":
            encoding[name] = {"chunks": (spec.chunk_size, *da.shape[1:])}
        elif da.dims[0] == "hourly_sample":
            encoding[name] = {"chunks": (1, *da.shape[1:])}
    tmp = store.with_name(f".{store.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    template.to_zarr(tmp, mode="w", encoding=encoding, consolidated=True, zarr_format=2)
    (tmp / _MARKERS).mkdir()
    os.replace(tmp, store)
    return set()


def commit_chunk(spec: SweepSpec, store: Path, k: int, result: dict[str, np.ndarray]) -> None:
    """Write chunk ``k``'s arrays into their region, then its marker (atomically)."""
    import zarr

    rows = spec.chunk_rows(k)
    for name, arr in result.items():
        target = zarr.open_array(str(store / name), mode="r+", zarr_format=2)
        if name == "facility_power_mw_hourly":
            target[rows.start : rows.start + arr.shape[0]] = arr
        else:
            target[rows.start : rows.stop] = arr
    write_atomic(_marker(store, k), lambda tmp: tmp.write_text(f"{rows.start} {rows.stop}\n"))
