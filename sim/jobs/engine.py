"""Job-level simulation (layer 3): jobs queueing at clusters of accelerators.

Jobs of several classes arrive at their origin cluster, wait in a queue, run
on a number of accelerators for a duration, and leave. The simulation gives
per-class waits and SLA violations, the busy fraction of each cluster by hour
and, through the power equations of ``DESIGN.md``, IT power, facility power,
energy and carbon.

Arrivals are a Poisson process whose rate follows the class's 24-hour shape
(piecewise constant by hour, drawn exactly: a Poisson count per hour, uniform
times within it). Sizes are heavy-tailed in accelerator-hours (lognormal or
Pareto), split over a number of accelerators drawn from the class's choices:
``duration_h = size_accel_h / accelerators``. A CSV trace can replace the
generator (:func:`read_trace`).

Policies (combine with ``+``, e.g. ``"sjf_backfill+carbon_aware+offload"``):

``fifo``
    First come, first served per cluster; the head of the queue blocks.
``sjf_backfill``
    Shortest waiting job first. When it does not fit, EASY backfilling starts
    later jobs that fit now and either end before the head's reserved start
    or use only accelerators the head will not need then. Up to
    ``backfill_depth`` waiting jobs are considered, in heap order (close to,
    not exactly, shortest first).
``carbon_aware``
    A job of a class with a deferral window is released to its queue at the
    hour of least carbon intensity at its origin within
    ``[submit, submit + defer_window_h]`` (now, if the current hour is least).
``offload``
    A job that cannot start at once at its origin starts at the nearest other
    cluster (by latency) within the class's latency tolerance whose queue is
    empty and that has enough free accelerators (east→west offload).

The event loop is lean by design: arrivals and sizes are drawn vectorised
with numpy before the run; one simpy process walks the arrival times (one
:class:`simpy.events.Timeout` per arrival instant); a completion is a bare
``Timeout`` with a callback, not a process; per event the work is a few list
operations. Utilisation by hour is integrated afterwards from the start and
end times, vectorised.

Equations
---------
Busy fraction of cluster ``c`` in hour ``k`` with ``N_c`` accelerators::

    u_c(k) = Σ_j a_j · |[s_j, e_j) ∩ [k, k+1)| / N_c                   (1)

IT power and facility energy per hour [MW, MWh]::

    P_IT = N_c · p_c · (idle_c + (1 − idle_c) · u_c(k)) / 1e6          (2)
    E    = P_IT · PUE_c · 1 h                                          (3)
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import simpy
import xarray as xr
from simpy.events import Timeout

__all__ = [
    "POLICIES",
    "JobClass",
    "JobCluster",
    "JobTrace",
    "generate_jobs",
    "offered_utilization",
    "read_trace",
    "simulate_jobs",
]

#: Policy tokens accepted by :func:`simulate_jobs`.
POLICIES = ("fifo", "sjf_backfill", "carbon_aware", "offload")

#: Wait-time quantiles reported by default [-].
DEFAULT_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)


@dataclass(frozen=True)
class JobClass:
    """A class of jobs and its service level.

    Parameters
    ----------
    name : str
        Class name, e.g. ``"training"``.
    origin : str
        Cluster where its jobs are submitted.
    arrivals_per_h : float
        Mean arrival rate over a day [1/h].
    hourly_shape : sequence of 24 float, optional
        Relative arrival rate by hour of day (any scale; normalised to mean 1).
        Flat when not given.
    size : str, default "lognormal"
        ``"lognormal"`` (params: median [accelerator-h], sigma [-]),
        ``"pareto"`` (alpha [-], minimum [accelerator-h]) or
        ``"fixed"`` (size [accelerator-h]).
    size_params : tuple of float
        Parameters of ``size``.
    max_size_accel_h : float, optional
        Sizes are capped here [accelerator-h] (a Pareto with alpha <= 1 has
        no mean without it).
    accelerators : sequence of int, default (1,)
        Accelerator counts a job may ask for [count].
    accelerator_weights : sequence of float, optional
        Probabilities of ``accelerators`` (equal when not given).
    max_wait_h : float, default inf
        SLA: longest acceptable wait from submission to start [h].
    defer_window_h : float, default 0
        How long a carbon-aware policy may hold a job back [h].
    max_latency_ms : float, default 0
        Latency a job tolerates, for offload to another cluster [ms].
    """

    name: str
    origin: str
    arrivals_per_h: float
    hourly_shape: tuple[float, ...] | None = None
    size: str = "lognormal"
    size_params: tuple[float, ...] = (1.0, 1.0)
    max_size_accel_h: float | None = None
    accelerators: tuple[int, ...] = (1,)
    accelerator_weights: tuple[float, ...] | None = None
    max_wait_h: float = math.inf
    defer_window_h: float = 0.0
    max_latency_ms: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.arrivals_per_h) and self.arrivals_per_h >= 0):
            raise ValueError(f"job class {self.name!r}: arrivals_per_h must be >= 0")
        if self.hourly_shape is not None:
            shape = tuple(float(x) for x in self.hourly_shape)
            if len(shape) != 24 or min(shape) < 0 or sum(shape) <= 0:
                raise ValueError(
                    f"job class {self.name!r}: hourly_shape needs 24 values >= 0, not all zero"
                )
            object.__setattr__(self, "hourly_shape", shape)
        nparams = {"lognormal": 2, "pareto": 2, "fixed": 1}.get(self.size)
        if nparams is None:
            raise ValueError(
                f"job class {self.name!r}: size {self.size!r} unknown; "
                "expected lognormal, pareto or fixed"
            )
        params = tuple(float(x) for x in self.size_params)
        if len(params) != nparams or any(not (math.isfinite(p) and p > 0) for p in params):
            raise ValueError(
                f"job class {self.name!r}: size {self.size!r} takes {nparams} parameters > 0, "
                f"got {self.size_params!r}"
            )
        object.__setattr__(self, "size_params", params)
        acc = tuple(int(a) for a in self.accelerators)
        if not acc or any(a < 1 for a in acc) or acc != tuple(self.accelerators):
            raise ValueError(f"job class {self.name!r}: accelerators must be integers >= 1")
        object.__setattr__(self, "accelerators", acc)
        if self.accelerator_weights is not None:
            w = np.asarray(self.accelerator_weights, dtype=float)
            if w.shape != (len(acc),) or (w < 0).any() or w.sum() <= 0:
                raise ValueError(
                    f"job class {self.name!r}: accelerator_weights must match accelerators"
                )
        for attr in ("max_wait_h", "defer_window_h", "max_latency_ms"):
            if not getattr(self, attr) >= 0:
                raise ValueError(f"job class {self.name!r}: {attr} must be >= 0")


@dataclass(frozen=True)
class JobCluster:
    """A cluster of identical accelerators.

    Parameters
    ----------
    name : str
        Cluster name.
    accelerators : int
        Accelerators in the cluster [count].
    power_per_accelerator_w : float, default 0
        IT power per busy accelerator, node overhead included [W].
    idle_power : float, default 0
        Power of an idle accelerator as a fraction of busy power [-].
    pue : float, default 1
        Power usage effectiveness [-].
    carbon_tco2_per_mwh : float or sequence of float, default 0
        Grid carbon intensity: a constant, a 24-hour profile or an hourly
        series (repeated if shorter than the run) [tCO2/MWh].
    """

    name: str
    accelerators: int
    power_per_accelerator_w: float = 0.0
    idle_power: float = 0.0
    pue: float = 1.0
    carbon_tco2_per_mwh: Any = 0.0

    def __post_init__(self) -> None:
        if int(self.accelerators) != self.accelerators or self.accelerators < 1:
            raise ValueError(f"cluster {self.name!r}: accelerators must be an integer >= 1")
        if not self.power_per_accelerator_w >= 0:
            raise ValueError(f"cluster {self.name!r}: power_per_accelerator_w must be >= 0")
        if not 0 <= self.idle_power <= 1:
            raise ValueError(f"cluster {self.name!r}: idle_power must be in [0, 1]")
        if not self.pue >= 1:
            raise ValueError(f"cluster {self.name!r}: pue must be >= 1")
        ci = np.atleast_1d(np.asarray(self.carbon_tco2_per_mwh, dtype=float))
        if ci.ndim != 1 or ci.size == 0 or (ci < 0).any() or not np.isfinite(ci).all():
            raise ValueError(f"cluster {self.name!r}: carbon_tco2_per_mwh must be >= 0")
        object.__setattr__(self, "carbon_tco2_per_mwh", tuple(ci.tolist()))

    def carbon_at(self, hour: np.ndarray) -> np.ndarray:
        """Carbon intensity at integer hours since the start [tCO2/MWh]."""
        ci = np.asarray(self.carbon_tco2_per_mwh)
        return ci[np.asarray(hour, dtype=np.int64) % ci.size]


@dataclass
class JobTrace:
    """Jobs as parallel arrays, sorted by submission time.

    Attributes
    ----------
    submit_h : ndarray of float
        Submission time since the start [h].
    accelerators : ndarray of int
        Accelerators per job [count].
    duration_h : ndarray of float
        Run time [h].
    job_class : ndarray of int
        Index into the class list.
    origin : ndarray of int
        Index into the cluster list.
    """

    submit_h: np.ndarray
    accelerators: np.ndarray
    duration_h: np.ndarray
    job_class: np.ndarray
    origin: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.submit_h.size)

    @property
    def accel_h(self) -> np.ndarray:
        """Size of each job [accelerator-h]."""
        return self.accelerators * self.duration_h


# --------------------------------------------------------------------------- inputs


def _index(names: Sequence[str]) -> dict[str, int]:
    return {n: i for i, n in enumerate(names)}


def generate_jobs(
    classes: Sequence[JobClass],
    clusters: Sequence[JobCluster],
    horizon_h: float,
    rng: np.random.Generator,
) -> JobTrace:
    """Draw jobs for ``horizon_h`` hours, vectorised.

    Parameters
    ----------
    classes : sequence of JobClass
    clusters : sequence of JobCluster
    horizon_h : float
        Submissions fall in ``[0, horizon_h)`` [h].
    rng : numpy.random.Generator

    Returns
    -------
    JobTrace
    """
    if not (math.isfinite(horizon_h) and horizon_h > 0):
        raise ValueError(f"horizon_h must be > 0, got {horizon_h!r}")
    cidx = _index([c.name for c in clusters])
    hours = math.ceil(horizon_h)
    parts = []
    for k, jc in enumerate(classes):
        if jc.origin not in cidx:
            raise ValueError(f"job class {jc.name!r}: origin {jc.origin!r} is not a cluster")
        cap = clusters[cidx[jc.origin]].accelerators
        if max(jc.accelerators) > cap:
            raise ValueError(
                f"job class {jc.name!r}: asks for up to {max(jc.accelerators)} accelerators, "
                f"cluster {jc.origin!r} has {cap}"
            )
        shape = np.ones(24) if jc.hourly_shape is None else np.asarray(jc.hourly_shape)
        shape = shape / shape.mean()
        width = np.minimum(1.0, horizon_h - np.arange(hours))  # the last hour may be partial
        rate = jc.arrivals_per_h * shape[np.arange(hours) % 24] * width
        counts = rng.poisson(rate)
        n = int(counts.sum())
        submit = np.repeat(np.arange(hours, dtype=float), counts) + rng.random(n) * np.repeat(
            width, counts
        )
        p = jc.size_params
        if jc.size == "lognormal":
            size = rng.lognormal(math.log(p[0]), p[1], n)
        elif jc.size == "pareto":
            size = p[1] * (1.0 + rng.pareto(p[0], n))
        else:
            size = np.full(n, p[0])
        if jc.max_size_accel_h is not None:
            size = np.minimum(size, jc.max_size_accel_h)
        choices = np.asarray(jc.accelerators, dtype=np.int64)
        if choices.size == 1:
            acc = np.full(n, choices[0], dtype=np.int64)
        else:
            w = None
            if jc.accelerator_weights is not None:
                w = np.asarray(jc.accelerator_weights, float)
                w = w / w.sum()
            acc = rng.choice(choices, size=n, p=w)
        parts.append((submit, acc, size / acc, np.full(n, k), np.full(n, cidx[jc.origin])))
    return _trace_from_parts(parts, {"source": "generated", "horizon_h": float(horizon_h)})


def _trace_from_parts(parts, meta) -> JobTrace:
    if parts:
        submit, acc, dur, cls, org = (np.concatenate(x) for x in zip(*parts, strict=True))
    else:
        submit = dur = np.zeros(0)
        acc = cls = org = np.zeros(0, dtype=np.int64)
    order = np.argsort(submit, kind="stable")
    return JobTrace(
        submit_h=submit[order].astype(float),
        accelerators=acc[order].astype(np.int64),
        duration_h=dur[order].astype(float),
        job_class=cls[order].astype(np.int64),
        origin=org[order].astype(np.int64),
        meta=meta,
    )


def read_trace(
    path: str | Path,
    classes: Sequence[JobClass],
    clusters: Sequence[JobCluster],
) -> JobTrace:
    """Replay jobs from a CSV trace.

    Columns: ``submit_h`` (submission time since the start [h]),
    ``accelerators`` [count], ``duration_h`` [h], ``job_class`` (a class
    name) and, optionally, ``cluster`` (origin; the class's origin when absent).

    Parameters
    ----------
    path : str or Path
    classes : sequence of JobClass
    clusters : sequence of JobCluster

    Returns
    -------
    JobTrace
    """
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the job trace: {exc}") from exc
    need = ["submit_h", "accelerators", "duration_h", "job_class"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: trace lacks column(s) {missing}; expected {need} [+ cluster]")
    kidx = _index([c.name for c in classes])
    cidx = _index([c.name for c in clusters])
    bad = sorted(set(df["job_class"].astype(str)) - set(kidx))
    if bad:
        raise ValueError(f"{path}: column job_class: unknown class(es) {bad}")
    cls = df["job_class"].astype(str).map(kidx).to_numpy(np.int64)
    if "cluster" in df.columns:
        bad = sorted(set(df["cluster"].astype(str)) - set(cidx))
        if bad:
            raise ValueError(f"{path}: column cluster: unknown cluster(s) {bad}")
        org = df["cluster"].astype(str).map(cidx).to_numpy(np.int64)
    else:
        org = np.array([cidx[classes[k].origin] for k in cls], dtype=np.int64)
    try:
        submit = df["submit_h"].to_numpy(float)
        acc_f = df["accelerators"].to_numpy(float)
        dur = df["duration_h"].to_numpy(float)
    except ValueError as exc:
        raise ValueError(f"{path}: non-numeric value in the trace: {exc}") from exc
    if not (np.isfinite(submit).all() and (submit >= 0).all()):
        raise ValueError(f"{path}: column submit_h must be finite and >= 0 [h]")
    if not (np.isfinite(dur).all() and (dur > 0).all()):
        raise ValueError(f"{path}: column duration_h must be finite and > 0 [h]")
    if not ((acc_f >= 1).all() and (acc_f == np.round(acc_f)).all()):
        raise ValueError(f"{path}: column accelerators must be integers >= 1")
    acc = acc_f.astype(np.int64)
    caps = np.array([c.accelerators for c in clusters])[org]
    if (acc > caps).any():
        row = int(np.argmax(acc > caps))
        raise ValueError(
            f"{path}: row {row + 2}: job asks for {acc[row]} accelerators, "
            f"its cluster has {caps[row]}"
        )
    return _trace_from_parts([(submit, acc, dur, cls, org)], {"source": str(path)})


def offered_utilization(
    trace: JobTrace, clusters: Sequence[JobCluster], horizon_h: float
) -> np.ndarray:
    """Offered load over capacity by origin cluster [-].

    ``ρ_c = Σ_{j at c} a_j · d_j / (N_c · horizon_h)``; with a stable queue
    and no offload, the simulated mean utilisation tends to it.
    """
    load = np.bincount(trace.origin, weights=trace.accel_h, minlength=len(clusters))
    n = np.array([c.accelerators for c in clusters], dtype=float)
    return load / (n * horizon_h)


# --------------------------------------------------------------------------- engine

#: Arrivals between two progress reports of the event loop [count].
PROGRESS_EVERY = 5000


def _parse_policy(policy: str) -> tuple[str, bool, bool]:
    tokens = [t.strip() for t in str(policy).split("+") if t.strip()]
    bad = [t for t in tokens if t not in POLICIES]
    if bad or not tokens:
        raise ValueError(f"policy {policy!r}: unknown part(s) {bad}; expected tokens of {POLICIES}")
    queue = "sjf_backfill" if "sjf_backfill" in tokens else "fifo"
    if "fifo" in tokens and queue == "sjf_backfill":
        raise ValueError(f"policy {policy!r}: choose fifo or sjf_backfill, not both")
    return queue, "carbon_aware" in tokens, "offload" in tokens


def _release_times(
    trace: JobTrace, classes: Sequence[JobClass], clusters: Sequence[JobCluster]
) -> np.ndarray:
    """Carbon-aware release time of each job [h], vectorised over jobs."""
    submit = trace.submit_h
    release = submit.copy()
    window = np.array([c.defer_window_h for c in classes])[trace.job_class]
    if not (window > 0).any():
        return release
    h0 = np.floor(submit).astype(np.int64)
    kmax = (np.floor(submit + window) - h0).astype(np.int64)
    best = np.empty(submit.size)
    for c, cl in enumerate(clusters):
        m = trace.origin == c
        best[m] = cl.carbon_at(h0[m])
    best_k = np.zeros(submit.size, dtype=np.int64)
    for k in range(1, int(kmax.max()) + 1):
        live = np.nonzero(kmax >= k)[0]
        ci = np.empty(live.size)
        for c, cl in enumerate(clusters):
            m = trace.origin[live] == c
            ci[m] = cl.carbon_at(h0[live][m] + k)
        better = ci < best[live] - 1e-12
        best[live[better]] = ci[better]
        best_k[live[better]] = k
    moved = best_k > 0
    release[moved] = (h0 + best_k)[moved].astype(float)
    return release


def _run_engine(
    release: np.ndarray,
    acc_arr: np.ndarray,
    dur_arr: np.ndarray,
    origin_arr: np.ndarray,
    cls_arr: np.ndarray,
    n_acc: Sequence[int],
    queue_kind: str,
    offload: bool,
    neighbours: list[list[tuple[float, int]]],
    max_latency: Sequence[float],
    backfill_depth: int,
    progress: Any = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """The simpy event loop. Returns start times [h], cluster run on, events.

    ``progress(hour)``, when given, is called with the simulated hour every
    :data:`PROGRESS_EVERY` arrivals."""
    env = simpy.Environment()
    n = int(release.size)
    order = np.argsort(release, kind="stable").tolist()
    rel = release.tolist()
    acc = acc_arr.tolist()
    dur = dur_arr.tolist()
    where = origin_arr.tolist()
    cls = cls_arr.tolist()
    start = [math.nan] * n
    free = [int(x) for x in n_acc]
    nclu = len(free)
    arrival_events = [0]
    sjf = queue_kind == "sjf_backfill"
    queues: list[Any] = [[] for _ in range(nclu)] if sjf else [deque() for _ in range(nclu)]
    running: list[list[tuple[float, int]]] = [[] for _ in range(nclu)]
    finished = [False] * n if sjf else []
    started = [False] * n if sjf else []
    heappush, heappop = heapq.heappush, heapq.heappop

    # ---- completions: a bare Timeout with this callback, no process per job
    if not sjf:

        def done(ev: Timeout) -> None:
            j = ev._value
            c = where[j]
            f = free[c] + acc[j]
            q = queues[c]
            if q:
                now = env._now
                while q:
                    k = q[0]
                    a = acc[k]
                    if a > f:
                        break
                    q.popleft()
                    f -= a
                    start[k] = now
                    where[k] = c
                    Timeout(env, dur[k], k).callbacks.append(done)
            free[c] = f

    else:
        reservation = [[-1, math.inf, 0] for _ in range(nclu)]

        def shadow_of(run_c: list, need: int, f: int) -> tuple[float, int]:
            """Earliest time ``need`` accelerators are free, and the spare then.

            Walks the running heap in end order without sorting it: a frontier
            heap of indices gives the k earliest ends in O(k log k).
            """
            avail = f
            n_run = len(run_c)
            if not n_run:
                return math.inf, 0
            front = [(run_c[0][0], 0)]
            shadow = math.inf
            while front:
                e, i = heappop(front)
                if e > shadow:
                    break
                k = run_c[i][1]
                if not finished[k]:
                    avail += acc[k]
                    if avail >= need and shadow == math.inf:
                        shadow = e  # then count every job ending at that same time
                child = 2 * i + 1
                if child < n_run:
                    heappush(front, (run_c[child][0], child))
                    if child + 1 < n_run:
                        heappush(front, (run_c[child + 1][0], child + 1))
            if shadow == math.inf:
                return math.inf, 0
            return shadow, avail - need

        def dispatch_sjf(c: int) -> None:
            q = queues[c]
            f = free[c]
            now = env._now
            run_c = running[c]
            while q:
                d, k = q[0]
                if started[k]:
                    heappop(q)
                    continue
                a = acc[k]
                if a > f:
                    break
                heappop(q)
                started[k] = True
                f -= a
                start[k] = now
                where[k] = c
                heappush(run_c, (now + d, k))
                Timeout(env, d, k).callbacks.append(done)
                # A head start may run past a reservation made earlier for the
                # job now back at the head: make it again.
                reservation[c][0] = -1
            if q and f > 0 and backfill_depth > 0:
                head = q[0][1]
                resv = reservation[c]
                for d, k in q[1 : backfill_depth + 1]:
                    a = acc[k]
                    if a > f or started[k]:
                        continue
                    if resv[0] != head:
                        # The head's reserved start (shadow) and the accelerators
                        # spare then (extra). Jobs end exactly when scheduled, so
                        # both hold until the head changes; backfills that run
                        # past the shadow use up extra.
                        resv[0] = head
                        resv[1], resv[2] = shadow_of(run_c, acc[head], f)
                    if now + d <= resv[1]:
                        pass
                    elif a <= resv[2]:
                        resv[2] -= a
                    else:
                        continue
                    started[k] = True
                    f -= a
                    start[k] = now
                    where[k] = c
                    heappush(run_c, (now + d, k))
                    Timeout(env, d, k).callbacks.append(done)
                    if f == 0:
                        break
            free[c] = f

        def done(ev: Timeout) -> None:
            j = ev._value
            c = where[j]
            finished[j] = True
            run_c = running[c]
            while run_c and finished[run_c[0][1]]:
                heappop(run_c)
            free[c] += acc[j]
            dispatch_sjf(c)

    def start_now(j: int, c: int) -> None:
        free[c] -= acc[j]
        start[j] = env._now
        where[j] = c
        if sjf:
            started[j] = True
            heappush(running[c], (env._now + dur[j], j))
            reservation[c][0] = -1
        Timeout(env, dur[j], j).callbacks.append(done)

    def arrive(j: int) -> None:
        c = where[j]
        a = acc[j]
        if not queues[c] and a <= free[c]:
            start_now(j, c)
            return
        if offload:
            tol = max_latency[cls[j]]
            for lat, c2 in neighbours[c]:
                if lat > tol:
                    break
                if not queues[c2] and a <= free[c2]:
                    start_now(j, c2)
                    return
        if sjf:
            heappush(queues[c], (dur[j], j))
            dispatch_sjf(c)
        else:
            queues[c].append(j)

    def arrivals():
        now = 0.0
        for k, j in enumerate(order):
            t = rel[j]
            if t > now:
                yield Timeout(env, t - now)
                now = env._now
                arrival_events[0] += 1
            arrive(j)
            if progress is not None and k % PROGRESS_EVERY == 0:
                progress(now)

    env.process(arrivals())
    env.run()
    events = arrival_events[0] + n
    return np.asarray(start, dtype=float), np.asarray(where, dtype=np.int64), events


def _busy_accel_h(
    start: np.ndarray, end: np.ndarray, acc: np.ndarray, where: np.ndarray, nclu: int, nbins: int
) -> np.ndarray:
    """Busy accelerator-hours by cluster and hour, eq. (1) numerator, vectorised.

    Uses I(t) = Σ a·clip(t − s, 0, e − s) = Σ_{s<t} a·(t − s) − Σ_{e<t} a·(t − e),
    evaluated at hour boundaries from sorted cumulative sums.
    """
    edges = np.arange(nbins + 1, dtype=float)
    out = np.zeros((nclu, nbins))
    for c in range(nclu):
        m = where == c
        integral = np.zeros(nbins + 1)
        for times, sign in ((start[m], 1.0), (end[m], -1.0)):
            o = np.argsort(times, kind="stable")
            t = times[o]
            a = acc[m][o].astype(float)
            ca = np.concatenate(([0.0], np.cumsum(a)))
            cat = np.concatenate(([0.0], np.cumsum(a * t)))
            i = np.searchsorted(t, edges, side="left")
            integral += sign * (edges * ca[i] - cat[i])
        out[c] = np.diff(integral)
    return out


def simulate_jobs(
    trace: JobTrace,
    classes: Sequence[JobClass],
    clusters: Sequence[JobCluster],
    policy: str = "fifo",
    latency_ms: Any = None,
    horizon_h: float | None = None,
    start: Any = "2025-01-01",
    backfill_depth: int = 32,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    keep_jobs: bool = False,
    progress: Any = None,
) -> xr.Dataset:
    """Run the job-level simulation.

    Parameters
    ----------
    trace : JobTrace
        Jobs, from :func:`generate_jobs` or :func:`read_trace`.
    classes : sequence of JobClass
    clusters : sequence of JobCluster
    policy : str, default "fifo"
        ``"fifo"`` or ``"sjf_backfill"``, optionally ``+carbon_aware`` and
        ``+offload`` (see the module docstring).
    latency_ms : array-like (cluster, cluster), optional
        One-way latency between clusters [ms]; needed by ``offload``.
    horizon_h : float, optional
        Hours over which mean utilisation is reported [h]; the trace's horizon,
        or the last submission, when not given. Jobs run to completion beyond it.
    start : date-like, default "2025-01-01"
        Date of hour 0.
    backfill_depth : int, default 32
        Waiting jobs considered for backfilling [count].
    quantiles : sequence of float
        Wait-time quantiles to report [-].
    keep_jobs : bool, default False
        Also return per-job ``job_start_h`` [h] and ``job_cluster`` on dim ``job``
        (in trace order).
    progress : callable, optional
        Called with the simulated hour [h] as arrivals are processed.

    Returns
    -------
    xarray.Dataset
        By (cluster, time): ``utilization``, ``busy_accelerators``,
        ``it_power_mw``, ``facility_power_mw``, ``energy_mwh``, ``carbon_tco2``;
        by cluster: ``mean_utilization``, ``offered_utilization``, ``jobs_run``;
        by job_class: ``jobs``, ``mean_wait_h``, ``sla_violations``,
        ``sla_violation_share``, ``offloaded_jobs``, ``mean_deferral_h``;
        by (job_class, quantile): ``wait_h``. Every variable has ``units`` and
        ``long_name``; attribute ``events`` counts simpy events processed.
    """
    queue_kind, carbon_aware, offload = _parse_policy(policy)
    nclu = len(clusters)
    names = [c.name for c in clusters]
    if len(set(names)) != nclu or nclu == 0:
        raise ValueError("clusters must be non-empty with unique names")
    if int(backfill_depth) != backfill_depth or backfill_depth < 0:
        raise ValueError("backfill_depth must be an integer >= 0")
    n = len(trace)
    if n and (trace.job_class.max() >= len(classes) or trace.origin.max() >= nclu):
        raise ValueError("trace refers to classes or clusters not given")
    caps = np.array([c.accelerators for c in clusters])
    if n and (trace.accelerators > caps[trace.origin]).any():
        raise ValueError("a job asks for more accelerators than its cluster has")
    if horizon_h is None:
        horizon_h = trace.meta.get("horizon_h") or (
            float(math.ceil(trace.submit_h.max())) if n else 1.0
        )
    neighbours: list[list[tuple[float, int]]] = [[] for _ in range(nclu)]
    if offload:
        if latency_ms is None:
            raise ValueError("policy offload needs latency_ms between clusters")
        lat = np.asarray(latency_ms, dtype=float)
        if lat.shape != (nclu, nclu) or not (lat >= 0).all():
            raise ValueError(f"latency_ms must be a ({nclu}, {nclu}) array of values >= 0 [ms]")
        for c in range(nclu):
            neighbours[c] = sorted((lat[c, c2], c2) for c2 in range(nclu) if c2 != c)
    release = _release_times(trace, classes, clusters) if carbon_aware else trace.submit_h
    start_h, where, events = _run_engine(
        release,
        trace.accelerators,
        trace.duration_h,
        trace.origin,
        trace.job_class,
        caps.tolist(),
        queue_kind,
        offload,
        neighbours,
        [c.max_latency_ms for c in classes],
        int(backfill_depth),
        progress,
    )
    end_h = start_h + trace.duration_h
    wait_h = np.maximum(start_h - trace.submit_h, 0.0)
    nbins = max(math.ceil(end_h.max()) if n else 1, math.ceil(horizon_h))
    busy = _busy_accel_h(start_h, end_h, trace.accelerators, where, nclu, nbins)
    util = busy / caps[:, None]
    nh = math.ceil(horizon_h)
    p_w = np.array([c.power_per_accelerator_w for c in clusters])
    idle = np.array([c.idle_power for c in clusters])
    pue = np.array([c.pue for c in clusters])
    it_mw = caps[:, None] * p_w[:, None] * (idle[:, None] + (1 - idle[:, None]) * util) / 1e6
    fac_mw = it_mw * pue[:, None]
    energy = fac_mw * 1.0
    carbon = energy * np.stack([c.carbon_at(np.arange(nbins)) for c in clusters])

    ncls = len(classes)
    q = np.asarray(quantiles, dtype=float)
    wait_q = np.full((ncls, q.size), np.nan)
    mean_wait = np.full(ncls, np.nan)
    jobs = np.bincount(trace.job_class, minlength=ncls)
    max_wait = np.array([c.max_wait_h for c in classes])
    viol = np.bincount(
        trace.job_class, weights=wait_h > max_wait[trace.job_class] + 1e-9, minlength=ncls
    )
    offl = np.bincount(trace.job_class, weights=where != trace.origin, minlength=ncls)
    defer = np.bincount(trace.job_class, weights=release - trace.submit_h, minlength=ncls)
    by_cls = np.argsort(trace.job_class, kind="stable")
    bounds = np.searchsorted(trace.job_class[by_cls], np.arange(ncls + 1))
    for k in range(ncls):
        w = wait_h[by_cls[bounds[k] : bounds[k + 1]]]
        if w.size:
            wait_q[k] = np.quantile(w, q)
            mean_wait[k] = w.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(jobs > 0, viol / np.maximum(jobs, 1), np.nan)
        mean_defer = np.where(jobs > 0, defer / np.maximum(jobs, 1), np.nan)
    t0 = np.datetime64(start, "h") if not isinstance(start, np.datetime64) else start
    time = (np.datetime64(t0, "h") + np.arange(nbins).astype("timedelta64[h]")).astype(
        "datetime64[ns]"
    )

    def v(dims, data, units, long_name):
        return (dims, data, {"units": units, "long_name": long_name})

    ct = ("cluster", "time")
    ds = xr.Dataset(
        {
            "utilization": v(ct, util, "1", "busy fraction of accelerators"),
            "busy_accelerators": v(ct, busy, "1", "mean busy accelerators in the hour"),
            "it_power_mw": v(ct, it_mw, "MW", "IT power"),
            "facility_power_mw": v(ct, fac_mw, "MW", "facility power (IT power x PUE)"),
            "energy_mwh": v(ct, energy, "MWh", "facility energy in the hour"),
            "carbon_tco2": v(ct, carbon, "tCO2", "emissions of the facility energy"),
            "mean_utilization": v(
                ("cluster",),
                busy[:, :nh].sum(axis=1) / (caps * horizon_h),
                "1",
                "mean busy fraction over the horizon",
            ),
            "offered_utilization": v(
                ("cluster",),
                offered_utilization(trace, clusters, horizon_h),
                "1",
                "offered load / capacity, by origin cluster",
            ),
            "jobs_run": v(
                ("cluster",), np.bincount(where, minlength=nclu), "1", "jobs run on the cluster"
            ),
            "jobs": v(("job_class",), jobs, "1", "jobs submitted"),
            "mean_wait_h": v(("job_class",), mean_wait, "h", "mean wait from submission to start"),
            "wait_h": v(("job_class", "quantile"), wait_q, "h", "wait from submission to start"),
            "sla_violations": v(("job_class",), viol, "1", "jobs that waited longer than the SLA"),
            "sla_violation_share": v(
                ("job_class",), share, "1", "share of jobs that waited longer than the SLA"
            ),
            "offloaded_jobs": v(("job_class",), offl, "1", "jobs run away from their origin"),
            "mean_deferral_h": v(
                ("job_class",), mean_defer, "h", "mean carbon-aware hold before queueing"
            ),
        },
        coords={
            "cluster": names,
            "time": time,
            "job_class": [c.name for c in classes],
            "quantile": q,
        },
        attrs={
            "policy": str(policy),
            "events": int(events),
            "n_jobs": int(n),
            "horizon_h": float(horizon_h),
        },
    )
    if keep_jobs:
        ds["job_start_h"] = v(("job",), start_h, "h", "start time since hour 0")
        ds["job_cluster"] = v(("job",), where, "1", "index of the cluster the job ran on")
    return ds
