"""Where sweep chunks run, and how their results are committed.

Executors (all compute the same chunks with :func:`sim.sweep.evaluate_chunk`,
so one seed gives the same numbers on each):

* ``serial``: in this process;
* ``processes``: a local :class:`concurrent.futures.ProcessPoolExecutor`;
* ``dask``: a Dask ``LocalCluster`` on the loopback interface, or an existing
  scheduler (``tcp://HOST:PORT``).

Storage: a Zarr store with dims (sample, cluster, year), Zarr chunks of
``chunk_size`` samples, so each sweep chunk writes whole Zarr chunks of its
own. The driver alone writes: a finished chunk's arrays go into their region,
then a marker file ``_committed/NNNNNN`` is created atomically (temporary
name, then rename). A chunk counts as done only once its marker exists;
``resume`` recomputes and overwrites any chunk without one (its values are
the same), so a crash never duplicates or loses a sample.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np
import xarray as xr

from sim.errors import ScenarioError
from sim.results import write_atomic
from sim.sweep import SweepSpec, empty_dataset, evaluate_chunk

__all__ = ["EXECUTORS", "committed_chunks", "execute", "open_store"]

EXECUTORS = ("serial", "processes", "dask")
_MARKERS = "_committed"
_COMPLETE = "_complete"


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
    ds.attrs["complete"] = (path / _COMPLETE).is_file()
    ds.attrs["chunks_committed"] = len(committed_chunks(path))
    return ds


def _init_store(spec: SweepSpec, store: Path, resume: bool, overwrite: bool) -> set[int]:
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


def _commit(spec: SweepSpec, store: Path, k: int, result: dict[str, np.ndarray]) -> None:
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


def _progress(spec: SweepSpec, done: int, show: bool):
    from tqdm import tqdm

    return tqdm(
        total=spec.n_chunks,
        initial=done,
        unit="chunk",
        desc=spec.name[:30],
        disable=not show,
        file=sys.stderr,
        smoothing=0.1,
        dynamic_ncols=True,
    )


def _run_serial(spec: SweepSpec, todo: list[int], sink: Callable) -> None:
    for k in todo:
        sink(k, evaluate_chunk(spec, k))


@contextlib.contextmanager
def _spawn_without_main():
    """Spawned workers need only ``sim``: keep them from re-importing the parent's
    ``__main__`` (a script without a main guard, Streamlit's app, a notebook),
    which may not import, or may run, there."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {k: main.__dict__[k] for k in ("__spec__", "__file__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _run_processes(spec: SweepSpec, todo: list[int], sink: Callable, workers: int) -> None:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # safe with threads (Dask, BLAS) in the parent
    with _spawn_without_main(), ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending = {}
        queue = list(todo)
        # keep at most 2 chunks per worker in flight: bounded memory for results
        while queue or pending:
            while queue and len(pending) < 2 * workers:
                k = queue.pop(0)
                pending[pool.submit(evaluate_chunk, spec, k)] = k
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                sink(pending.pop(fut), fut.result())


def _run_dask(
    spec: SweepSpec, todo: list[int], sink: Callable, workers: int | None, scheduler: str | None
) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        with _spawn_without_main():  # the nannies spawn their workers now
            cluster = LocalCluster(
                n_workers=workers or 2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                silence_logs=40,
            )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise ScenarioError(
                f"cannot reach the Dask scheduler: {exc}", given=scheduler
            ) from None
    try:
        spec_future = client.scatter(spec, broadcast=True)
        futures = {client.submit(evaluate_chunk, spec_future, k, pure=False): k for k in todo}
        for fut in as_completed(futures):
            sink(futures[fut], fut.result())
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def execute(
    spec: SweepSpec,
    store: str | Path | None = None,
    *,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = False,
    chunks: Iterable[int] | None = None,
) -> xr.Dataset:
    """Run the chunks of a sweep on an executor; see :func:`sim.sweep.sweep`.

    Parameters
    ----------
    chunks : iterable of int, optional
        Only these chunks (for tests and partial runs); default all.

    Returns
    -------
    xarray.Dataset
        The results: loaded from the store when one is given.
    """
    if scheduler is not None:
        executor = "dask"
    if executor not in EXECUTORS:
        raise ScenarioError(
            "unknown executor", given=executor, expected="one of " + ", ".join(EXECUTORS)
        )
    if workers is not None and workers < 1:
        raise ScenarioError("workers must be >= 1", given=workers)
    wanted = list(range(spec.n_chunks)) if chunks is None else sorted(set(chunks))
    if store is not None:
        path = Path(store)
        done = _init_store(spec, path, resume, overwrite)
        memory = None
    else:
        path = None
        done = set()
        memory = empty_dataset(spec)
    todo = [k for k in wanted if k not in done]
    bar = _progress(spec, len(done & set(wanted)), progress)

    def sink(k: int, result: dict[str, np.ndarray]) -> None:
        if path is not None:
            _commit(spec, path, k, result)
        else:
            rows = spec.chunk_rows(k)
            for name, arr in result.items():
                if name == "facility_power_mw_hourly":
                    memory[name][rows.start : rows.start + arr.shape[0]] = arr
                else:
                    memory[name][rows.start : rows.stop] = arr
        bar.update(1)

    try:
        if executor == "serial" or not todo:
            _run_serial(spec, todo, sink)
        elif executor == "processes":
            _run_processes(spec, todo, sink, workers or os.cpu_count() or 1)
        else:
            _run_dask(spec, todo, sink, workers, scheduler)
    finally:
        bar.close()
    if path is None:
        return memory
    if committed_chunks(path) >= set(range(spec.n_chunks)):
        write_atomic(path / _COMPLETE, lambda tmp: tmp.write_text(spec.digest + "\n"))
    return open_store(path).load()
