"""Where sweep chunks run: serial, local processes or Dask.

Executors (all compute the same chunks with :func:`sim.sweeps.evaluate.evaluate_chunk`,
so one seed gives the same numbers on each):

* ``serial``: in this process;
* ``processes``: a local :class:`concurrent.futures.ProcessPoolExecutor`;
* ``dask``: a Dask ``LocalCluster`` on the loopback interface, or an existing
  scheduler (``tcp://HOST:PORT``).

"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np
import xarray as xr

from sim.results.io import write_atomic
from sim.scenario.errors import ScenarioError
from sim.sweeps.evaluate import empty_dataset, evaluate_chunk
from sim.sweeps.spec import SweepSpec
from sim.sweeps.store import COMPLETE_MARKER, commit_chunk, committed_chunks, init_store, open_store

EXECUTORS = ("serial", "processes", "dask")


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
    """Run the chunks of a sweep on an executor; see :func:`sim.sweeps.run.sweep`.

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
        done = init_store(spec, path, resume, overwrite)
        memory = None
    else:
        path = None
        done = set()
        memory = empty_dataset(spec)
    todo = [k for k in wanted if k not in done]
    bar = _progress(spec, len(done & set(wanted)), progress)

    def sink(k: int, result: dict[str, np.ndarray]) -> None:
        if path is not None:
            commit_chunk(spec, path, k, result)
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
        write_atomic(path / COMPLETE_MARKER, lambda tmp: tmp.write_text(spec.digest + "\n"))
    return open_store(path).load()
