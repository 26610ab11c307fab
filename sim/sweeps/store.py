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

import json
import os
import shutil
from pathlib import Path
from typing import Any

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


#: Codecs a suanli store uses: plain compressors. Anything else (``pickle`` runs code
#: when read; object codecs build Python objects) is refused before data is read.
SAFE_CODECS = frozenset({"blosc", "zstd", "zlib", "gzip", "bz2", "lzma", "lz4"})


def is_store(store: str | Path) -> bool:
    """True for a folder with the markers every store of ``suanli sweep`` has."""
    path = Path(store)
    return (path / ".zgroup").is_file() and (path / _MARKERS).is_dir()


def check_store(store: str | Path) -> Path:
    """Check, from its metadata alone, that ``store`` is a sweep store suanli wrote.

    Raises
    ------
    ScenarioError
        Missing, not ours (no markers, no sweep digest), not consolidated, or an
        array with a codec or dtype suanli never writes.
    """
    path = Path(store)
    if not path.is_dir():
        raise ScenarioError(
            "no sweep store here" if not path.exists() else "not a folder", file=str(store)
        )
    if not is_store(path):
        raise ScenarioError(
            "not a sweep store written by suanli (no .zgroup and _committed/ markers)",
            file=str(store),
            expected="a store written by 'suanli sweep'",
        )
    meta_file = path / ".zmetadata"
    if not meta_file.is_file():
        raise ScenarioError(
            "the store's metadata is not consolidated (no .zmetadata)",
            file=str(store),
            expected="a store written by 'suanli sweep', which consolidates it",
        )
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))["metadata"]
        digest = meta[".zattrs"]["sweep_digest"]
    except (OSError, ValueError, KeyError, TypeError):
        digest = None
    if not isinstance(digest, str):
        raise ScenarioError(
            "not a sweep store written by suanli (no readable sweep digest in .zmetadata)",
            file=str(store),
        )
    arrays = {k.removesuffix("/.zarray"): v for k, v in meta.items() if k.endswith("/.zarray")}
    for name, spec in arrays.items():
        _check_array(name, spec, store)
    return path


def _check_array(name: str, spec: Any, store: str | Path) -> None:
    codecs = (
        [spec.get("compressor"), *(spec.get("filters") or [])] if isinstance(spec, dict) else [0]
    )
    ids = [c.get("id") if isinstance(c, dict) else c for c in codecs if c is not None]
    bad = next((i for i in ids if i not in SAFE_CODECS), None)
    dtype = spec.get("dtype") if isinstance(spec, dict) else None
    if bad is not None or not isinstance(dtype, str) or "O" in dtype:
        what = f"the codec {bad!r}" if bad is not None else f"the dtype {dtype!r}"
        raise ScenarioError(
            f"array '{name}' uses {what}, which suanli never writes (not read: unsafe)",
            file=str(store),
            expected=f"compressors {', '.join(sorted(SAFE_CODECS))}; numeric or text dtypes",
        )


def committed_samples(store: str | Path, n_samples: int, chunk_size: int) -> np.ndarray:
    """Boolean mask [sample] of the samples in committed chunks."""
    mask = np.zeros(n_samples, dtype=bool)
    for k in committed_chunks(store):
        mask[k * chunk_size : (k + 1) * chunk_size] = True
    return mask


def open_store(store: str | Path) -> xr.Dataset:
    """Open a sweep store (lazily) as an xarray Dataset.

    The coordinate ``committed`` (sample) marks the samples of committed chunks:
    values of a chunk without a marker (a kill between writing and committing)
    are not counted.

    Raises
    ------
    ScenarioError
        If ``store`` is not a sweep store suanli wrote (see :func:`check_store`).
    """
    path = check_store(store)
    try:
        ds = xr.open_zarr(path, consolidated=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ScenarioError(
            f"cannot open the sweep store ({type(exc).__name__})", file=str(store)
        ) from None
    chunk = int(ds.attrs.get("chunk_size") or ds.sizes["sample"] or 1)
    ds.coords["committed"] = ("sample", committed_samples(path, ds.sizes["sample"], chunk))
    ds.attrs["complete"] = (path / COMPLETE_MARKER).is_file()
    ds.attrs["chunks_committed"] = len(committed_chunks(path))
    return ds


def init_store(spec: SweepSpec, store: Path, resume: bool, overwrite: bool) -> set[int]:
    """Create the store (or check it for resume); return the committed chunks."""
    if store.exists() and not store.is_dir():
        raise ScenarioError("exists and is not a folder", file=str(store), expected="a new path")
    exists = store.exists() and any(store.iterdir())
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
    if exists and not is_store(store):  # never delete what we did not write
        raise ScenarioError(
            "--overwrite refused: not a sweep store written by suanli "
            "(no .zgroup and _committed/ markers)",
            file=str(store),
            expected="a new path, or a store written by 'suanli sweep'",
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
