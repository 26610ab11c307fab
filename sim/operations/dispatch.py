"""Dispatch of compute demand across compute pools and hours.

Pure functions over numpy arrays. Demand of workload class ``w`` arising at
origin ``o`` in time step ``t`` is placed on compute pools ``r`` it may use
(latency within its bound, the pool's kind and hardware allowed), in its
arrival step or later within its deferral window, subject to each pool's
installed compute, its cluster's power (tranches shared by the cluster's
pools) and link capacities. Two engines share one interface and one result
type:

``greedy``
    A vectorised merit-order heuristic over all time steps at once (the
    default; loops run over classes, origin groups, pools or "rounds",
    never over hours).
``lp``
    The exact linear programme, solved with HiGHS through
    :func:`scipy.optimize.linprog` on sparse matrices. The reference.

Notation and units
------------------
A pool ``r`` is compute of one kind (and hardware set) at cluster
``c(r) = pool_cluster[r]``. Compute is in EFLOPS at the precision of the
pool's kind (demand of a class in the precision of its kind); demand and
served compute are averages over a step, so ``x * step_h`` is EFLOPS-hours.
Serving ``x`` EFLOPS on pool ``r`` draws ``mw_per_eflops[r, t] * x`` MW of
facility power from its cluster's power tranches (renewables, grid, imports),
each with a capacity [MW] and a price per MWh in whatever objective unit the
caller chose (CNY, tCO2 or a weighted mix; see :func:`unit_cost`)::

    sum_{r in c} mw_per_eflops[r,t] * served[r,t] = sum_k power[c,k,t]
    0 <= power[c,k,t] <= tranche_capacity_mw[c,k,t]                    (2)

Link capacities stay per (origin, cluster) in EFLOPS (an assumption: the
network carries compute-equivalents, whatever the kind).

Conservation, for every class, origin and step (``backlog`` is demand that
waits; "deferred" demand)::

    demand[t] + backlog[t-1] = served[t] + backlog[t] + unmet[t]      (1)

Demand arriving in step ``t`` may be served in ``t .. t + window`` (FIFO); what
is not served by then is unmet, booked in the step it expires (the last step
of the horizon at the latest: no backlog leaves the horizon). The LP enforces
(1) with the window bound ``backlog[t] <= sum(demand[t-window+1 .. t])``, which
for one window length per class is exactly FIFO service within the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "DispatchProblem",
    "DispatchResult",
    "constraint_violations",
    "dispatch",
    "dispatch_greedy",
    "dispatch_hybrid",
    "dispatch_lp",
    "objective_value",
    "power_capped_capacity_eflops",
    "stay_local_eligibility",
    "stranded_mask",
    "unit_cost",
]

_EPS = 1e-9  # [EFLOPS] amounts below this are treated as zero
_WAIT_COST = 1e-7  # [1/step] LP tie-break: waiting costs this fraction of the unmet penalty


def _as(name: str, value, shape: tuple[int, ...], dtype=float) -> np.ndarray:
    """``value`` as an array of ``shape`` (a ValueError naming ``name`` otherwise)."""
    arr = np.asarray(value, dtype=dtype)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


@dataclass(frozen=True)
class DispatchProblem:
    """One dispatch instance; arrays are validated and normalised on creation.

    Parameters
    ----------
    demand_eflops : array [W, O, T]
        Demand of class ``w`` arising at origin ``o`` in step ``t``, at the
        precision of the class's kind [EFLOPS].
    capacity_eflops : array [R, T]
        Installed compute of pool ``r`` available to the scheduler [EFLOPS].
    tranche_price : array [C, T] or [C, K, T]
        Price of power from tranche ``k`` of cluster ``c`` (e.g. on-site
        renewables, local grid, imported power) [objective unit / MWh].
    eligible : bool array [W, O, R]
        True where class ``w`` from origin ``o`` may run on pool ``r``
        (latency within the class's bound, kind and hardware allowed) [-].
    window_steps : int array [W]
        Deferral window: steps a unit of demand may wait [steps].
    pool_cluster : int array [R], optional
        Cluster of each pool, in ``0 .. C-1``; default one pool per cluster
        (``R == C``, pool ``r`` at cluster ``r``).
    mw_per_eflops : array [R, T], optional
        Facility power per EFLOPS served on pool ``r``, ``PUE * (1 - idle) /
        efficiency`` [MW / EFLOPS]; default 1.
    tranche_capacity_mw : array [C, K, T], optional
        Power each tranche can supply to served compute (fixed idle power
        already deducted) [MW]; default unlimited.
    link_capacity_eflops : array [O, C], optional
        Compute-equivalent capacity of the network path from origin ``o`` to
        cluster ``c`` [EFLOPS]; ``inf`` (the default) for no limit.
    link_group : int array [O, C], optional
        Shared links (e.g. between two hubs): pairs with the same index ``l
        >= 0`` share ``link_group_capacity_eflops[l]``; ``-1`` for none. A pair
        may have a finite ``link_capacity_eflops`` or a group, not both.
    link_group_capacity_eflops : array [L], optional
        Capacity of each shared link [EFLOPS].
    transfer_cost_per_eflops_h : array [O, C], optional
        Objective per EFLOPS-hour moved from ``o`` to ``c`` (network cost)
        [objective unit / EFLOPS-h]; default 0.
    unmet_penalty_per_eflops_h : float, optional
        Penalty per EFLOPS-hour of unmet demand [objective unit / EFLOPS-h].
        Default ``10 * (max power cost per EFLOPS-h + max transfer cost) + 1``:
        serving anywhere always beats dropping.
    step_h : float
        Length of a step [h].
    """

    demand_eflops: np.ndarray
    capacity_eflops: np.ndarray
    tranche_price: np.ndarray
    eligible: np.ndarray
    window_steps: np.ndarray
    pool_cluster: np.ndarray | None = None
    mw_per_eflops: np.ndarray | None = None
    tranche_capacity_mw: np.ndarray | None = None
    link_capacity_eflops: np.ndarray | None = None
    link_group: np.ndarray | None = None
    link_group_capacity_eflops: np.ndarray | None = None
    transfer_cost_per_eflops_h: np.ndarray | None = None
    unmet_penalty_per_eflops_h: float | None = None
    step_h: float = 1.0

    def __post_init__(self) -> None:
        d = np.asarray(self.demand_eflops, dtype=float)
        if d.ndim != 3:
            raise ValueError(f"demand_eflops must be [class, origin, time], got shape {d.shape}")
        n_w, n_o, n_t = d.shape
        cap = np.asarray(self.capacity_eflops, dtype=float)
        if cap.ndim != 2 or cap.shape[1] != n_t:
            raise ValueError(f"capacity_eflops must be [pool, {n_t}], got shape {cap.shape}")
        n_r = cap.shape[0]
        price = np.asarray(self.tranche_price, dtype=float)
        if price.ndim == 2:
            price = price[:, None, :]
        if price.ndim != 3 or price.shape[2] != n_t:
            raise ValueError(
                f"tranche_price must be [C, {n_t}] or [C, K, {n_t}], "
                f"got shape {np.shape(self.tranche_price)}"
            )
        n_c, n_k = price.shape[:2]
        pool_c = (
            np.arange(n_r)
            if self.pool_cluster is None
            else _as("pool_cluster", self.pool_cluster, (n_r,), np.int64)
        )
        if n_r and (pool_c.min() < 0 or pool_c.max() >= n_c):
            raise ValueError(f"pool_cluster must index the {n_c} clusters of tranche_price")
        m = (
            np.ones((n_r, n_t))
            if self.mw_per_eflops is None
            else np.broadcast_to(np.asarray(self.mw_per_eflops, dtype=float), (n_r, n_t)).copy()
        )
        tcap = (
            np.full((n_c, n_k, n_t), np.inf)
            if self.tranche_capacity_mw is None
            else _as("tranche_capacity_mw", self.tranche_capacity_mw, price.shape)
        )
        elig = _as("eligible", self.eligible, (n_w, n_o, n_r), bool)
        win = np.broadcast_to(np.asarray(self.window_steps), (n_w,)).astype(np.int64)
        link = (
            np.full((n_o, n_c), np.inf)
            if self.link_capacity_eflops is None
            else _as("link_capacity_eflops", self.link_capacity_eflops, (n_o, n_c))
        )
        transfer = (
            np.zeros((n_o, n_c))
            if self.transfer_cost_per_eflops_h is None
            else _as("transfer_cost_per_eflops_h", self.transfer_cost_per_eflops_h, (n_o, n_c))
        )
        for name, arr in (
            ("demand_eflops", d),
            ("capacity_eflops", cap),
            ("mw_per_eflops", m),
            ("tranche_capacity_mw", tcap),
            ("link_capacity_eflops", link),
            ("window_steps", win),
        ):
            if np.isnan(arr).any() or (arr < 0).any():
                raise ValueError(f"{name} must be non-negative (no NaN)")
        for name, arr in (
            ("tranche_price", price),
            ("transfer_cost", transfer),
            ("demand_eflops", d),
            ("capacity_eflops", cap),
            ("mw_per_eflops", m),
        ):
            if not np.isfinite(arr).all():
                raise ValueError(f"{name} must be finite")
        if self.step_h <= 0:
            raise ValueError(f"step_h must be positive, got {self.step_h} h")
        penalty = self.unmet_penalty_per_eflops_h
        if penalty is None:
            power_cost = max(
                (float(np.abs(m * price[pool_c, k]).max(initial=0.0)) for k in range(n_k)),
                default=0.0,
            )
            penalty = 10.0 * (power_cost + np.abs(transfer).max(initial=0.0)) + 1.0
        object.__setattr__(self, "demand_eflops", d)
        object.__setattr__(self, "capacity_eflops", cap)
        object.__setattr__(self, "tranche_price", price)
        object.__setattr__(self, "pool_cluster", pool_c)
        object.__setattr__(self, "mw_per_eflops", m)
        object.__setattr__(self, "tranche_capacity_mw", tcap)
        object.__setattr__(self, "eligible", elig)
        object.__setattr__(self, "window_steps", np.minimum(win, max(n_t - 1, 0)))
        object.__setattr__(self, "link_capacity_eflops", link)
        # every limited path becomes a link group: finite pairs first, then shared links
        groups = np.full((n_o, n_c), -1, dtype=np.int64)
        pairs = np.argwhere(np.isfinite(link))
        groups[pairs[:, 0], pairs[:, 1]] = np.arange(len(pairs))
        caps = [link[o, c] for o, c in pairs]
        if self.link_group is not None:
            lg = np.asarray(self.link_group, dtype=np.int64)
            lcap = np.asarray(self.link_group_capacity_eflops, dtype=float).reshape(-1)
            if lg.shape != (n_o, n_c) or lg.max(initial=-1) >= lcap.size:
                raise ValueError(
                    f"link_group must be [{n_o}, {n_c}] indices into link_group_capacity_eflops"
                )
            if np.isnan(lcap).any() or (lcap < 0).any():
                raise ValueError("link_group_capacity_eflops must be non-negative (no NaN)")
            if ((lg >= 0) & np.isfinite(link)).any():
                raise ValueError("a pair has both a link capacity and a link group")
            groups = np.where(lg >= 0, lg + len(caps), groups)
            caps += list(lcap)
        object.__setattr__(self, "link_group", groups)
        object.__setattr__(self, "link_group_capacity_eflops", np.asarray(caps, dtype=float))
        object.__setattr__(self, "transfer_cost_per_eflops_h", transfer)
        object.__setattr__(self, "unmet_penalty_per_eflops_h", float(penalty))

    def time_slice(self, start: int, stop: int) -> DispatchProblem:
        """The same problem restricted to steps ``start .. stop-1``."""
        sl = slice(start, stop)
        n_pairs = int(np.isfinite(self.link_capacity_eflops).sum())
        return DispatchProblem(
            self.demand_eflops[..., sl],
            self.capacity_eflops[:, sl],
            self.tranche_price[..., sl],
            self.eligible,
            self.window_steps,
            pool_cluster=self.pool_cluster,
            mw_per_eflops=self.mw_per_eflops[:, sl],
            tranche_capacity_mw=self.tranche_capacity_mw[..., sl],
            link_capacity_eflops=self.link_capacity_eflops,
            link_group=np.where(
                np.isfinite(self.link_capacity_eflops), -1, self.link_group - n_pairs
            ),
            link_group_capacity_eflops=self.link_group_capacity_eflops[n_pairs:],
            transfer_cost_per_eflops_h=self.transfer_cost_per_eflops_h,
            unmet_penalty_per_eflops_h=self.unmet_penalty_per_eflops_h,
            step_h=self.step_h,
        )

    @property
    def shape(self) -> tuple[int, int, int, int, int, int]:
        """``(W, O, R, C, K, T)``: classes, origins, pools, clusters, tranches, steps."""
        n_w, n_o, n_t = self.demand_eflops.shape
        n_c, n_k, _ = self.tranche_price.shape
        return n_w, n_o, self.capacity_eflops.shape[0], n_c, n_k, n_t

    def by_cluster(self, per_pool: np.ndarray) -> np.ndarray:
        """Sum an array with a pool axis second to last ([..., R, T]) over each cluster's pools.

        Returns
        -------
        array [..., C, T]
        """
        n_c = self.tranche_price.shape[0]
        out = np.zeros((*per_pool.shape[:-2], n_c, per_pool.shape[-1]))
        np.add.at(out, (..., self.pool_cluster, slice(None)), per_pool)
        return out


@dataclass(frozen=True)
class DispatchResult:
    """Outcome of a dispatch (same for every engine).

    Attributes
    ----------
    placed_eflops : array [W, O, R, T]
        Compute of class ``w`` from origin ``o`` served on pool ``r`` in
        step ``t`` [EFLOPS].
    tranche_mw : array [C, K, T]
        Power drawn by served compute from each tranche of each cluster [MW].
    unmet_eflops : array [W, O, T]
        Demand dropped in step ``t`` (its window expired, or no pool could
        take it) [EFLOPS].
    backlog_eflops : array [W, O, T]
        Demand waiting at the end of step ``t`` (deferred) [EFLOPS].
    objective : float
        Objective value, unmet penalty included [objective unit].
    engine : str
        ``"greedy"`` or ``"lp"``.
    pool_cluster : int array [R]
        Cluster of each pool (as in the problem).
    """

    placed_eflops: np.ndarray
    tranche_mw: np.ndarray
    unmet_eflops: np.ndarray
    backlog_eflops: np.ndarray
    objective: float
    engine: str
    pool_cluster: np.ndarray

    @property
    def served_eflops(self) -> np.ndarray:
        """Served compute by class and pool, [W, R, T] [EFLOPS]."""
        return self.placed_eflops.sum(axis=1)

    @property
    def flow_eflops(self) -> np.ndarray:
        """Compute flow from origin to cluster as placed, [O, C, T] [EFLOPS]."""
        by_pool = self.placed_eflops.sum(axis=0)
        out = np.zeros((by_pool.shape[0], self.tranche_mw.shape[0], by_pool.shape[-1]))
        np.add.at(out, (slice(None), self.pool_cluster), by_pool)
        return out

    @property
    def deferred_eflops(self) -> np.ndarray:
        """Alias of :attr:`backlog_eflops` [EFLOPS]."""
        return self.backlog_eflops


ENGINES = ("hybrid", "greedy", "lp")
DEFAULT_ENGINE = "hybrid"


def dispatch(problem: DispatchProblem, engine: str = DEFAULT_ENGINE) -> DispatchResult:
    """Solve ``problem`` with the named engine (``"hybrid"``, ``"greedy"`` or ``"lp"``)."""
    if engine == "hybrid":
        return dispatch_hybrid(problem)
    if engine == "greedy":
        return dispatch_greedy(problem)
    if engine == "lp":
        return dispatch_lp(problem)
    raise ValueError(f"unknown dispatch engine {engine!r}; expected one of {ENGINES}")


# --------------------------------------------------------------------------- helpers


def unit_cost(
    energy_mwh_per_eflops_h,
    price_cny_per_mwh,
    intensity_tco2_per_mwh,
    objective: str = "cost",
    carbon_price_cny_per_tco2: float = 0.0,
):
    """Marginal objective per EFLOPS-hour served.

    Parameters
    ----------
    energy_mwh_per_eflops_h : numeric
        Extra facility energy per EFLOPS-hour of served compute, i.e.
        ``(1 - idle) * PUE / efficiency`` [MWh / EFLOPS-h].
    price_cny_per_mwh : numeric
        Energy price [CNY/MWh].
    intensity_tco2_per_mwh : numeric
        Carbon intensity of that energy [tCO2/MWh].
    objective : {"cost", "carbon", "mix"}
        ``cost``: CNY; ``carbon``: tCO2; ``mix``: CNY plus
        ``carbon_price_cny_per_tco2`` times tCO2.
    carbon_price_cny_per_tco2 : float
        Weight of carbon in ``mix`` [CNY/tCO2].

    Returns
    -------
    numeric
        [CNY/EFLOPS-h] for ``cost`` and ``mix``, [tCO2/EFLOPS-h] for ``carbon``.
    """
    e = np.asarray(energy_mwh_per_eflops_h, dtype=float)
    if objective == "cost":
        return e * price_cny_per_mwh
    if objective == "carbon":
        return e * intensity_tco2_per_mwh
    if objective == "mix":
        return e * (
            np.asarray(price_cny_per_mwh)
            + carbon_price_cny_per_tco2 * np.asarray(intensity_tco2_per_mwh)
        )
    raise ValueError(f"unknown objective {objective!r}; expected cost, carbon or mix")


def power_capped_capacity_eflops(installed_eflops, it_busy_mw, idle_fraction, pue, max_facility_mw):
    """Compute that can be served without facility power exceeding a cap.

    Facility power is ``P = it_busy_mw * (idle + (1 - idle) * u) * pue`` with
    utilisation ``u = served / installed`` (DESIGN.md baseline equations), so

    ``u_max = (max_facility_mw / (pue * it_busy_mw) - idle) / (1 - idle)``,

    clipped to [0, 1].

    Parameters
    ----------
    installed_eflops : numeric
        Installed compute [EFLOPS].
    it_busy_mw : numeric
        IT power with every accelerator busy [MW].
    idle_fraction : numeric
        Idle power as a fraction of busy power [-].
    pue : numeric
        Power usage effectiveness [-].
    max_facility_mw : numeric
        Facility power cap (grid connection + import + renewables) [MW].

    Returns
    -------
    numeric
        Servable compute [EFLOPS].
    """
    installed = np.asarray(installed_eflops, dtype=float)
    busy = np.asarray(it_busy_mw, dtype=float) * np.asarray(pue, dtype=float)
    idle = np.asarray(idle_fraction, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(busy > 0, np.asarray(max_facility_mw) / busy, np.inf)
        u = np.where(idle < 1, (ratio - idle) / np.where(idle < 1, 1 - idle, 1), 1.0)
    return installed * np.clip(u, 0.0, 1.0)


def stay_local_eligibility(
    eligible: np.ndarray, home_cluster: np.ndarray, pool_cluster: np.ndarray | None = None
) -> np.ndarray:
    """Eligibility of the "stay local" baseline: each origin only uses its home cluster's pools.

    Parameters
    ----------
    eligible : bool array [W, O, R]
        Eligibility from latency bounds and kinds [-].
    home_cluster : int array [O]
        Index of each origin's own cluster, ``-1`` for none [-].
    pool_cluster : int array [R], optional
        Cluster of each pool; default pool ``r`` at cluster ``r``.

    Returns
    -------
    bool array [W, O, R]
    """
    elig = np.asarray(eligible, dtype=bool)
    home = np.asarray(home_cluster)
    pools = np.arange(elig.shape[2]) if pool_cluster is None else np.asarray(pool_cluster)
    local = home[:, None] == pools[None, :]
    return elig & local[None, :, :]


def stranded_mask(
    capacity_eflops: np.ndarray, served_eflops: np.ndarray, min_steps: int
) -> np.ndarray:
    """Steps in which installed compute has served nothing for at least ``min_steps`` in a row.

    Parameters
    ----------
    capacity_eflops, served_eflops : array [..., T]
        Installed and served compute [EFLOPS].
    min_steps : int
        Shortest idle run that counts as stranded [steps].

    Returns
    -------
    bool array [..., T]
        True in every step of an idle run (capacity > 0, nothing served) of
        ``min_steps`` steps or more.
    """
    cap = np.asarray(capacity_eflops, dtype=float)
    idle = (cap > _EPS) & (np.asarray(served_eflops) <= _EPS * np.maximum(cap, 1.0))
    flat = idle.reshape(-1, idle.shape[-1])
    edges = np.diff(np.pad(flat.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, stops = np.nonzero(edges == -1)  # same row order, one stop per start
    long = stops - starts >= min_steps
    mark = np.zeros((flat.shape[0], flat.shape[1] + 1), dtype=np.int64)
    np.add.at(mark, (rows[long], starts[long]), 1)
    np.add.at(mark, (rows[long], stops[long]), -1)
    return (np.cumsum(mark, axis=1)[:, :-1] > 0).reshape(idle.shape)


def _backlog(problem: DispatchProblem, placed: np.ndarray, unmet: np.ndarray) -> np.ndarray:
    """Backlog from conservation (1): cumulative demand - served - unmet [EFLOPS]."""
    served = placed.sum(axis=2)
    b = np.cumsum(problem.demand_eflops - served - unmet, axis=-1)
    b[np.abs(b) < 1e-7 * (1.0 + problem.demand_eflops.max(initial=0.0))] = 0.0
    return np.maximum(b, 0.0)


def objective_value(
    problem: DispatchProblem,
    placed_eflops: np.ndarray,
    tranche_mw: np.ndarray,
    unmet_eflops: np.ndarray,
) -> float:
    """Objective of a dispatch: power cost + transfer cost + unmet penalty.

    Returns
    -------
    float
        [objective unit]: ``step_h * (sum(tranche_price * tranche_mw) +
        sum(transfer * flow) + penalty * sum(unmet))``.
    """
    by_pool = placed_eflops.sum(axis=(0, 3))  # [O, R]
    transfer = problem.transfer_cost_per_eflops_h[:, problem.pool_cluster]
    total = (
        float(np.sum(problem.tranche_price * tranche_mw))
        + float(np.sum(transfer * by_pool))
        + problem.unmet_penalty_per_eflops_h * float(unmet_eflops.sum())
    )
    return total * problem.step_h


def constraint_violations(problem: DispatchProblem, result: DispatchResult) -> dict[str, float]:
    """Largest violation of each constraint (0 when satisfied) [EFLOPS, MW for power].

    Checks, from the placement and tranche power alone: non-negativity,
    eligibility (latency and kind), conservation (1), pool capacity, the power
    balance of each cluster (2) (power drawn by its pools' served compute
    equals the tranche power), tranche capacities [MW], link capacities, the
    deferral window (FIFO) and an empty backlog at the end of the horizon.
    Used by tests to show an engine never breaks a constraint.
    """
    p = problem
    placed, tranche, unmet, backlog = (
        result.placed_eflops,
        result.tranche_mw,
        result.unmet_eflops,
        result.backlog_eflops,
    )
    _, n_o, n_r, n_c, _, n_t = p.shape
    out: dict[str, float] = {}
    out["negative"] = float(max(-placed.min(), -tranche.min(), -unmet.min(), -backlog.min(), 0.0))
    out["ineligible"] = float(np.abs(placed * ~p.eligible[..., None]).max(initial=0.0))
    prev = np.concatenate([np.zeros_like(backlog[..., :1]), backlog[..., :-1]], axis=-1)
    lhs = p.demand_eflops + prev
    rhs = placed.sum(axis=2) + backlog + unmet
    out["conservation"] = float(np.abs(lhs - rhs).max(initial=0.0))
    served_pool = placed.sum(axis=(0, 1))  # [R, T]
    out["pool_capacity"] = float(np.maximum(served_pool - p.capacity_eflops, 0).max(initial=0.0))
    drawn_mw = np.zeros((n_c, n_t))
    for r in range(n_r):
        drawn_mw[p.pool_cluster[r]] += p.mw_per_eflops[r] * served_pool[r]
    out["power_balance_mw"] = float(np.abs(tranche.sum(axis=1) - drawn_mw).max(initial=0.0))
    out["tranche_capacity_mw"] = float(
        np.maximum(tranche - p.tranche_capacity_mw, 0).max(initial=0.0)
    )
    flow = np.zeros((n_o, n_c, n_t))
    for r in range(n_r):
        flow[:, p.pool_cluster[r]] += placed[:, :, r].sum(axis=0)
    flow = flow.reshape(-1, n_t)
    gid = p.link_group.reshape(-1)
    used = np.zeros((p.link_group_capacity_eflops.size, n_t))
    np.add.at(used, gid[gid >= 0], flow[gid >= 0])
    out["link_capacity"] = float(
        np.maximum(used - p.link_group_capacity_eflops[:, None], 0).max(initial=0.0)
    )
    csum = np.cumsum(p.demand_eflops, axis=-1)
    worst = 0.0
    for w, win in enumerate(p.window_steps):
        # backlog at the end of t may only hold arrivals of steps t-win+1 .. t
        older = np.zeros_like(csum[w])
        if win == 0:
            older = csum[w]
        else:
            older[:, win:] = csum[w][:, :-win]
        allowed = csum[w] - older
        worst = max(worst, float(np.maximum(backlog[w] - allowed, 0).max(initial=0.0)))
    out["window"] = worst
    out["end_backlog"] = float(np.abs(backlog[..., -1]).max(initial=0.0))
    return out


# --------------------------------------------------------------------------- greedy


def _window_argmin(values: np.ndarray, window: int, at: np.ndarray | None = None) -> np.ndarray:
    """Earliest index of the minimum of ``values[t : t + window + 1]`` for every ``t`` in ``at``.

    Parameters
    ----------
    values : array [T]
        Values to minimise (finite or ``inf``, no NaN).
    window : int
        Steps after ``t`` that belong to its window [steps]; windows end at
        ``T - 1``.
    at : int array [N], optional
        Steps ``t`` to answer for; default every step.

    Returns
    -------
    int array [N]
        Index of the window's minimum, the earliest one on ties.

    Notes
    -----
    Two exact methods, whichever touches fewer elements: for few steps
    ``at``, a gather of their windows (``N * (window + 1)`` values) and a
    row-wise ``argmin``; otherwise the van Herk/Gil-Werman scheme, O(T):
    cut the axis into blocks of ``window + 1`` steps, so that every window
    is a suffix of one block followed by a prefix of the next; running
    minima with their earliest arguments within blocks, forwards and
    backwards (``ufunc.accumulate``), then one comparison per window.
    """
    n = values.shape[0]
    at = np.arange(n) if at is None else np.asarray(at)
    size = window + 1
    if at.size * size <= _GATHER_MAX * n:
        # indices past the end repeat T - 1: argmin still reports its first occurrence
        idx = np.minimum(at[:, None] + np.arange(size), n - 1)
        return idx[np.arange(at.size), np.argmin(values[idx], axis=1)]
    if at.size and (at[0] > 0 or at[-1] + size < n) and np.all(at[1:] >= at[:-1]):
        # only the span the windows cover matters
        lo, hi = int(at[0]), min(int(at[-1]) + size, n)
        return lo + _window_argmin(values[lo:hi], window, at - lo)
    # one block of inf padding past the end: it never wins (ties go to the earlier index)
    n_b = -(-n // size) + 1
    v = np.full(n_b * size, np.inf)
    v[:n] = values
    blk = v.reshape(n_b, size)
    pos = np.arange(n_b * size).reshape(n_b, size)
    # prefix of a block: a new argument where the value is below everything before it
    pre_min = np.minimum.accumulate(blk, axis=1)
    new = np.ones_like(blk, dtype=bool)
    new[:, 1:] = blk[:, 1:] < pre_min[:, :-1]
    pre_arg = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    # suffix of a block: a new argument where the value is at most everything after it
    suf_min = np.minimum.accumulate(blk[:, ::-1], axis=1)[:, ::-1]
    new[:, :-1] = blk[:, :-1] <= suf_min[:, 1:]
    new[:, -1] = True
    suf_arg = np.minimum.accumulate(np.where(new, pos, n_b * size)[:, ::-1], axis=1)[:, ::-1]
    end = at + window  # the window is suffix(at) + prefix(end); if at starts a block, both are it
    pre_min, pre_arg = pre_min.reshape(-1)[end], pre_arg.reshape(-1)[end]
    suf_min, suf_arg = suf_min.reshape(-1)[at], suf_arg.reshape(-1)[at]
    return np.where(suf_min <= pre_min, suf_arg, pre_arg)


_GATHER_MAX = 4.0  # gather windows up to this many values per step (measured break-even ~4-5)


def _origin_groups(problem: DispatchProblem, w: int) -> list[np.ndarray]:
    """Origins of class ``w`` that may share one merit order.

    Origins with the same eligible clusters, the same transfer costs and no
    link limit compete for exactly the same slots, so their demand is placed
    together and split pro rata (exact for the objective: cost does not
    depend on which of them uses a slot).
    """
    elig = problem.eligible[w]
    unlimited = (problem.link_group < 0).all(axis=1)
    groups: dict[bytes, list[int]] = {}
    singles: list[np.ndarray] = []
    for o in range(elig.shape[0]):
        if not unlimited[o]:
            singles.append(np.array([o]))
            continue
        key = elig[o].tobytes() + problem.transfer_cost_per_eflops_h[o].tobytes()
        groups.setdefault(key, []).append(o)
    return [np.array(g) for g in groups.values()] + singles


def _request_order(group: np.ndarray, room: np.ndarray, ta: np.ndarray) -> np.ndarray:
    """Stable order of requests by ``group``, then ``room``, then ``ta``.

    The same permutation as ``np.lexsort((ta, room, group))``, about 1.5x
    faster: a stable sort by ``ta``, then one stable sort of complex keys
    ``group + i room``, which numpy orders lexicographically (real part
    first). ``group`` is an integer below 2**53 (exact as a float).
    """
    o = np.argsort(ta, kind="stable")
    key = np.empty(o.size, dtype=complex)
    key.real = group[o]
    key.imag = room[o]
    return o[np.argsort(key, kind="stable")]


_PASSES = 5  # most passes of the deferral stage (see dispatch_greedy)
_TINY_RATE = 1e-12  # [MW/EFLOPS] stands in for a pool drawing no power when granting


def _eflops_of(mw: np.ndarray, mw_per_eflops: np.ndarray) -> np.ndarray:
    """Compute that ``mw`` of power serves at ``mw_per_eflops`` (unlimited at rate 0) [EFLOPS]."""
    out = np.full(np.broadcast(mw, mw_per_eflops).shape, np.inf)
    np.divide(mw, mw_per_eflops, out=out, where=mw_per_eflops > 0)
    return out


def _defer_rounds(defer, spares, spare_at, book, slot, n_t, tt, link_row, rem_link) -> None:
    """Rounds of windowed cheapest-slot placement for deferrable jobs (in place).

    Each job looks at the shared spare capacities through a view: the
    cheapest open slot per step and the spare compute per step. Jobs with the
    same slots, merit order and link limits (classes of one origin group)
    share one view. A round books few steps, so after it only those columns
    are recomputed, with the same operations as a full recomputation: the
    rounds are unchanged, each costs time in proportion to the steps it
    touches and the arrivals still waiting, not to the horizon.
    """

    def refresh(view, steps, spares):
        """Recompute ``view`` in ``steps`` (index array) from ``spares`` (in those steps)."""
        sp_tranche_mw, sp_pool, sp_link, sp_m = spares
        # rows of C-ordered [row, step] arrays: the sums below add in the same order
        # whichever steps are refreshed (bit-identical to a full recomputation)
        avail = np.minimum(
            _eflops_of(sp_tranche_mw[view["slot_ck"]], sp_m[view["slot_pool"]]),
            sp_pool[view["slot_pool"]],
        )
        room = sp_pool[view["pools"]]
        if sp_link is not None:
            avail = np.minimum(avail, sp_link[view["slot_link"]])
            room = np.minimum(room, sp_link[view["pool_link"]])
        masked = np.where(avail > _EPS, view["merit"][:, steps], np.inf)
        best = np.argmin(masked, axis=0)  # cheapest open slot per step
        view["best"][steps] = best
        view["best_cost"][steps] = masked[best, np.arange(steps.size)]
        # spare compute per step over the job's pools (tranches share a pool);
        # slots are whole pools (every tranche), pool-major
        per_pool = avail.reshape(-1, view["n_k"], steps.size).sum(axis=1)
        view["spare_t"][steps] = np.minimum(per_pool, room).sum(axis=0)
        view["spare"] = None  # its cumulative sum, recomputed when first needed

    views: dict[bytes, dict] = {}
    for job in defer:
        cc = slot["cluster"][job["slots"]]
        key = b"".join(
            (
                job["slots"].tobytes(),
                job["merit"].tobytes(),
                link_row[job["o_link"], cc].tobytes() if rem_link is not None else b"",
            )
        )
        if key not in views:
            n_k = job["n_k"]
            slot_pool = slot["pool"][job["slots"]]
            pools = slot_pool[::n_k]
            views[key] = {
                "slot_ck": slot["ck"][job["slots"]],
                "slot_pool": slot_pool,
                "pools": pools,
                "slot_link": None if rem_link is None else link_row[job["o_link"], cc],
                "pool_link": None if rem_link is None else link_row[job["o_link"], cc[::n_k]],
                "merit": job["merit"],
                "n_k": n_k,
                "best": np.empty(n_t, dtype=np.int64),
                "best_cost": np.empty(n_t),
                "spare_t": np.empty(n_t),
            }
            refresh(views[key], tt, spares(tt))
        job["view"] = views[key]
        job["q"] = job["q_o"].sum(axis=0)  # waiting demand per arrival step
    o_link = np.array([job["o_link"] for job in defer])
    while True:
        parts = []
        for j, job in enumerate(defer):
            waiting = np.flatnonzero(job["q"] > _EPS)
            if waiting.size == 0:
                continue
            view = job["view"]
            best_cost = view["best_cost"]
            pick = _window_argmin(best_cost, job["window"], waiting)  # step chosen per arrival
            ok = np.isfinite(best_cost[pick])
            if not ok.any():
                continue
            ta = waiting[ok]
            sa = pick[ok]
            if view["spare"] is None:
                view["spare"] = np.concatenate([[0.0], np.cumsum(view["spare_t"])])
            spare = view["spare"]
            room = spare[job["deadline"][ta] + 1] - spare[ta]
            # arrivals starved in an earlier pass go first
            room = np.where(job["boost"][ta] > 0, -job["boost"][ta], room)
            pp = job["slots"][view["best"][sa]]
            parts.append((np.full(ta.size, j), ta, sa, job["q"][ta], room, pp))
        if not parts:
            return
        jj, ta, sa, qa, room, pp = (np.concatenate(x) for x in zip(*parts, strict=True))
        cap = spare_at(pp, sa, o_link[jj])  # all jobs' requests at once
        resource = slot["cluster"][pp] * n_t + sa  # requests sharing a (cluster, step)
        order = _request_order(resource, room, ta)
        # granted in order by a cumulative sum of power: pools of one cluster share
        # its tranches (MW), and each pool's own capacity is its spare times its rate
        rate = slot["rate"][slot["pool"][pp[order]], sa[order]]
        res_o, qa_o = resource[order], qa[order] * rate
        before = np.cumsum(qa_o) - qa_o
        start = np.r_[True, res_o[1:] != res_o[:-1]]
        before = before - before[start][np.cumsum(start) - 1]
        grant = np.empty_like(qa)
        grant[order] = np.clip((cap[order] * rate - before) / rate, 0.0, qa[order])
        if rem_link is not None:
            # requests of different origins on one shared link (other clusters) share it too
            lrow = link_row[o_link[jj], slot["cluster"][pp]]
            limited = lrow < rem_link.shape[0] - 1
            if limited.any():
                idx = np.flatnonzero(limited)
                key = lrow[idx] * n_t + sa[idx]
                order_l = idx[_request_order(key, room[idx], ta[idx])]
                key_o = lrow[order_l] * n_t + sa[order_l]
                g_o = grant[order_l]
                before_l = np.cumsum(g_o) - g_o
                start_l = np.r_[True, key_o[1:] != key_o[:-1]]
                before_l = before_l - before_l[start_l][np.cumsum(start_l) - 1]
                spare_l = rem_link[lrow[order_l], sa[order_l]]
                grant[order_l] = np.clip(spare_l - before_l, 0.0, g_o)
        grant[grant <= _EPS] = 0.0
        if grant.sum() <= _EPS:
            return
        items = []
        for j, job in enumerate(defer):
            sel = (jj == j) & (grant > 0)
            if not sel.any():
                continue
            t_sel, s_sel, g_sel = ta[sel], sa[sel], grant[sel]
            q = job["q_o"][:, t_sel].sum(axis=0)
            shares = job["q_o"][:, t_sel] * (g_sel / q)
            items.append((job, pp[sel], s_sel, g_sel, shares))
            job["q_o"][:, t_sel] -= shares
            job["q"][t_sel] = job["q_o"][:, t_sel].sum(axis=0)
        book(items)  # in job order, as if booked job by job
        # spares changed only in the booked steps (for every job: clusters are shared)
        touched = np.unique(sa[grant > 0])
        live = {id(job["view"]): job["view"] for job in defer if (job["q"] > _EPS).any()}
        if live:
            sp = spares(touched)  # gathered once for all views
            for view in live.values():
                refresh(view, touched, sp)


def dispatch_greedy(problem: DispatchProblem, *, passes: int = _PASSES) -> DispatchResult:
    """Merit-order heuristic, vectorised over time.

    1. Classes without deferral, origin groups with the fewest eligible
       pools first (most constrained first): in every step the eligible
       (pool, tranche) slots are sorted by cost (one ``argsort`` along the
       slot axis for all steps at once) and filled in that order.
    2. Deferrable classes, all together, in rounds: every waiting arrival
       ``t`` of every (class, origin group) picks the cheapest slot with
       spare capacity among steps ``t .. t+window`` (:func:`_window_argmin`).
       Requests for the same (cluster, step) are granted in order of least
       spare capacity left in the requester's own window, then earliest
       deadline, by a cumulative sum. Rounds repeat until all demand is
       placed or no request can be granted; what is left is unmet when its
       window expires.

    Every round is a handful of numpy operations over the waiting arrivals
    and the (slot, step) columns booked in the previous round (each origin
    group keeps its cheapest open slot and spare compute per step up to date,
    see :func:`_defer_rounds`); there is no loop over steps. The result
    satisfies every constraint (see :func:`constraint_violations`); its
    objective is an upper bound on the LP's.

    Parameters
    ----------
    problem : DispatchProblem
    passes : int
        Most passes of the deferral stage (arrivals left unserved by one pass
        go first in the next; the best pass is kept).
    """
    p = problem
    n_w, n_o, n_r, n_c, n_k, n_t = p.shape
    # slots: (pool, tranche) pairs, pool-major; a slot draws its pool's rate of MW
    # per EFLOPS from one tranche of the pool's cluster
    pool_of = np.repeat(np.arange(n_r), n_k)
    cluster_of = p.pool_cluster[pool_of]
    ck_of = cluster_of * n_k + np.tile(np.arange(n_k), n_r)
    rate = np.where(p.mw_per_eflops > 0, p.mw_per_eflops, _TINY_RATE)  # [R, T]
    slot = {"pool": pool_of, "cluster": cluster_of, "ck": ck_of, "rate": rate}
    cost_p = p.mw_per_eflops[pool_of] * p.tranche_price.reshape(n_c * n_k, n_t)[ck_of]
    rem_tranche = p.tranche_capacity_mw.reshape(n_c * n_k, n_t).copy()  # [MW]
    rem_pool = p.capacity_eflops.copy()
    n_l = p.link_group_capacity_eflops.size
    # spare capacity of each link group, plus a last row that never binds (no group)
    rem_link = (
        np.vstack(
            [
                np.repeat(p.link_group_capacity_eflops[:, None], n_t, axis=1),
                np.full((1, n_t), np.inf),
            ]
        )
        if n_l
        else None
    )
    link_row = np.where(p.link_group >= 0, p.link_group, n_l)  # [O, C] row of rem_link
    placed = np.zeros((n_w, n_o, n_r, n_t))
    tranche = np.zeros((n_c * n_k, n_t))  # [MW]
    unmet = np.zeros((n_w, n_o, n_t))
    tt = np.arange(n_t)

    jobs = []
    for w in range(n_w):
        for g in _origin_groups(p, w):
            q_o = p.demand_eflops[w, g].copy()  # [G, T] remaining per origin
            if q_o.max(initial=0.0) <= _EPS:
                continue
            slots = np.flatnonzero(p.eligible[w, g[0]][pool_of])
            if slots.size == 0:
                unmet[w, g] = q_o
                continue
            o_link = int(g[0])  # link limits only occur for single-origin groups
            merit = cost_p[slots] + p.transfer_cost_per_eflops_h[o_link, cluster_of[slots]][:, None]
            jobs.append(
                {
                    "w": w,
                    "origins": g,
                    "q_o": q_o,
                    "slots": slots,
                    "o_link": o_link,
                    "merit": merit,
                    "window": int(p.window_steps[w]),
                }
            )

    def spares(steps):
        """Spare tranche [MW], pool and link capacity and pool rates in ``steps`` [row, step]."""
        return (
            rem_tranche[:, steps],
            rem_pool[:, steps],
            None if rem_link is None else rem_link[:, steps],
            p.mw_per_eflops[:, steps],
        )

    def spare_at(pp, steps, o_link):
        """Spare capacity at tranche slots ``pp`` in ``steps`` for origins ``o_link`` [EFLOPS].

        Pairwise (arrays broadcast): tranche, pool and link spare.
        """
        cc, rr = cluster_of[pp], pool_of[pp]
        avail = np.minimum(
            _eflops_of(rem_tranche[ck_of[pp], steps], p.mw_per_eflops[rr, steps]),
            rem_pool[rr, steps],
        )
        if rem_link is not None:
            avail = np.minimum(avail, rem_link[link_row[o_link, cc], steps])
        return avail

    def book(items, distinct=False):
        """Book placements ``(job, pp, steps, amounts, weights_by_origin)``.

        Each books ``amounts`` at tranche slots ``pp`` in ``steps``, split over
        the job's origins by ``weights_by_origin`` [origin, entry]. All items
        go through one ``ufunc.at`` per array, which applies entries in order:
        the same sums as booking the items one by one. ``distinct``: one item
        whose steps are all different, so plain fancy indexing does the same,
        faster.
        """
        if distinct:
            ((job, pp, steps, amounts, weights_by_origin),) = items
            cc, rr = cluster_of[pp], pool_of[pp]
            mw = amounts * p.mw_per_eflops[rr, steps]
            rem_tranche[ck_of[pp], steps] -= mw
            rem_pool[rr, steps] -= amounts
            tranche[ck_of[pp], steps] += mw
            if rem_link is not None:
                rem_link[link_row[job["o_link"], cc], steps] -= amounts
            placed[job["w"], job["origins"][:, None], rr, steps] += weights_by_origin
            return
        pp, steps, amounts = (np.concatenate([it[i] for it in items]) for i in (1, 2, 3))
        rr = pool_of[pp]
        mw = amounts * p.mw_per_eflops[rr, steps]
        np.subtract.at(rem_tranche, (ck_of[pp], steps), mw)
        np.subtract.at(rem_pool, (rr, steps), amounts)
        np.add.at(tranche, (ck_of[pp], steps), mw)
        if rem_link is not None:
            rows = [link_row[it[0]["o_link"], cluster_of[it[1]]] for it in items]
            np.subtract.at(rem_link, (np.concatenate(rows), steps), amounts)
        flat = [
            np.ravel_multi_index(
                np.broadcast_arrays(job["w"], job["origins"][:, None], pool_of[p_], s_),
                placed.shape,
            ).reshape(-1)
            for job, p_, s_, _, _ in items
        ]
        weights = np.concatenate([it[4].reshape(-1) for it in items])
        np.add.at(placed.reshape(-1), np.concatenate(flat), weights)

    # 1. no deferral: per-step merit order, most constrained origin groups first
    for job in sorted(
        (j for j in jobs if j["window"] == 0), key=lambda j: (j["slots"].size, j["w"])
    ):
        q_o = job["q_o"]
        q = q_o.sum(axis=0)
        order = np.argsort(job["merit"], axis=0, kind="stable")
        for r in range(job["slots"].size):
            if q.max() <= _EPS:
                break
            si = order[r]
            g = np.clip(np.minimum(q, spare_at(job["slots"][si], tt, job["o_link"])), 0.0, None)
            g[g <= _EPS] = 0.0
            with np.errstate(invalid="ignore", divide="ignore"):
                frac = np.where(q > 0, g / q, 0.0)
            share = q_o * frac
            book([(job, job["slots"][si], tt, g, share)], distinct=True)
            q_o -= share
            q = q - g
        q_o[q_o <= _EPS] = 0.0
        unmet[job["w"], job["origins"]] += q_o

    # 2. deferrable classes, jointly, in rounds. Up to `_PASSES` passes (stopping when
    # all is served or two passes bring no better objective): arrivals left
    # unserved by a pass are served first in the next one; the best pass is kept.
    defer = [j for j in jobs if j["window"] > 0]
    # placement and unmet demand change only for deferrable classes: save just those rows
    dw = np.unique([job["w"] for job in defer]).astype(np.int64)

    def snapshot():
        out = [rem_tranche.copy(), rem_pool.copy(), tranche.copy(), placed[dw], unmet[dw]]
        return out + ([rem_link.copy()] if rem_link is not None else [])

    def restore(snap):
        np.copyto(rem_tranche, snap[0])
        np.copyto(rem_pool, snap[1])
        np.copyto(tranche, snap[2])
        placed[dw] = snap[3]
        unmet[dw] = snap[4]
        if rem_link is not None:
            np.copyto(rem_link, snap[5])

    saved = snapshot()
    for job in defer:
        job["deadline"] = np.minimum(tt + job["window"], n_t - 1)
        job["demand"] = job["q_o"].copy()
        job["boost"] = np.zeros(n_t)
        job["n_k"] = n_k
    best_obj, best_state = np.inf, None
    stale = 0
    for _ in range(passes if defer else 0):
        restore(saved)
        for job in defer:
            job["q_o"] = job["demand"].copy()
        _defer_rounds(defer, spares, spare_at, book, slot, n_t, tt, link_row, rem_link)
        left = 0.0
        for job in defer:
            q_o = job["q_o"]
            q_o[q_o <= _EPS] = 0.0
            for i, o in enumerate(job["origins"]):
                unmet[job["w"], o] += np.bincount(job["deadline"], weights=q_o[i], minlength=n_t)
            q = q_o.sum(axis=0)
            job["boost"] += q > 0
            left += q.sum()
        obj = objective_value(p, placed, tranche.reshape(n_c, n_k, n_t), unmet)
        stale += 1
        if obj < best_obj:
            best_obj, best_state, stale = obj, snapshot(), 0
        if left <= _EPS or stale >= 2:
            break
    if best_state is not None:
        restore(best_state)

    tranche3 = np.maximum(tranche.reshape(n_c, n_k, n_t), 0.0)
    backlog = _backlog(p, placed, unmet)
    obj = objective_value(p, placed, tranche3, unmet)
    return DispatchResult(placed, tranche3, unmet, backlog, obj, "greedy", p.pool_cluster)


# --------------------------------------------------------------------------- LP


def _lp_block(
    problem: DispatchProblem,
    backlog_start_eflops: np.ndarray | None = None,
    backlog_end_eflops: np.ndarray | None = None,
    prior_demand_eflops: np.ndarray | None = None,
    time_limit_s: float | None = None,
) -> DispatchResult:
    """The dispatch LP of ``problem`` (one block of steps), solved by HiGHS.

    Variables: placement ``x[w,o,r,t] >= 0`` for eligible ``(w,o,r)``;
    tranche power ``0 <= y[c,k,t] <= tranche_capacity_mw`` [MW]; backlog
    ``0 <= b[w,o,t] <= sum(d[w,o,t-D_w+1..t])`` (``b[T-1]`` fixed to
    ``backlog_end_eflops``, 0 by default); unmet ``u[w,o,t] >= 0``.

    Constraints: conservation (1) per (w,o,t) and the power balance (2) per
    (c,t) as equalities; per (r,t) ``sum x <= capacity``; per link group and
    step ``sum x <= link capacity``.

    Objective: ``step_h * (sum(price y) + sum(transfer x) + penalty * sum(u))``,
    plus a tie-break: waiting costs ``1e-7 * penalty`` per EFLOPS-step, so
    that of equally cheap steps the earliest is used (not reported in the
    result's objective).

    Parameters
    ----------
    problem : DispatchProblem
    backlog_start_eflops : array [W, O], optional
        Demand waiting before the first step (arrived in the steps of
        ``prior_demand_eflops``) [EFLOPS]; default none.
    backlog_end_eflops : array [W, O], optional
        Backlog required at the end of the last step [EFLOPS]; default 0.
    prior_demand_eflops : array [W, O, P], optional
        Demand of the ``P`` steps before the block, for the window bound of
        the starting backlog [EFLOPS].
    time_limit_s : float, optional
        HiGHS time limit [s].

    Raises
    ------
    RuntimeError
        If HiGHS does not report an optimal solution.
    """
    import scipy.sparse as sp  # imported on use, as is scipy.optimize (start-up)
    from scipy.optimize import linprog

    p = problem
    n_w, n_o, n_r, n_c, n_k, n_t = p.shape
    tt = np.arange(n_t)

    # placement variables: one block of T per eligible (w, o, r)
    ww, oo, rr = np.nonzero(p.eligible)
    n_blocks = ww.size
    n_x = n_blocks * n_t
    x_w = np.repeat(ww, n_t)
    x_o = np.repeat(oo, n_t)
    x_r = np.repeat(rr, n_t)
    x_c = p.pool_cluster[x_r]
    x_t = np.tile(tt, n_blocks)
    x_cost = p.transfer_cost_per_eflops_h[x_o, x_c]

    # tranche power variables y[c, k, t], C-ordered
    n_y = n_c * n_k * n_t
    off_y = n_x

    # backlog variables for deferrable classes, t = 0 .. T-1
    defer_w = np.flatnonzero(p.window_steps > 0)
    bw = np.repeat(defer_w, n_o)
    bo = np.tile(np.arange(n_o), defer_w.size)
    b_w = np.repeat(bw, n_t)
    b_o = np.repeat(bo, n_t)
    b_t = np.tile(tt, bw.size)
    n_b = b_w.size
    prior = (
        np.zeros((n_w, n_o, 0)) if prior_demand_eflops is None else np.asarray(prior_demand_eflops)
    )
    n_p = prior.shape[-1]
    csum = np.concatenate(
        [np.zeros((n_w, n_o, 1)), np.cumsum(np.concatenate([prior, p.demand_eflops], -1), -1)],
        axis=-1,
    )  # csum[..., n_p + t + 1] = sum of demand up to step t
    win = p.window_steps[b_w]
    top = n_p + b_t + 1
    b_ub = csum[b_w, b_o, top] - csum[b_w, b_o, np.maximum(top - win, 0)]
    b_lb = np.zeros(n_b)
    last = b_t == n_t - 1
    end = np.zeros((n_w, n_o)) if backlog_end_eflops is None else backlog_end_eflops
    b_lb[last] = np.minimum(end[b_w[last], b_o[last]], b_ub[last])
    b_ub[last] = b_lb[last]

    n_u = n_w * n_o * n_t
    off_b = off_y + n_y
    off_u = off_b + n_b
    n_var = off_u + n_u

    # conservation rows (w, o, t), then power balance rows (c, t)
    def bal_row(w, o, t):
        return (w * n_o + o) * n_t + t

    y_c = np.repeat(np.arange(n_c), n_k * n_t)
    y_t = np.tile(tt, n_c * n_k)
    nxt = b_t < n_t - 1  # b[t] leaves row t and enters row t + 1
    rows = [
        bal_row(x_w, x_o, x_t),
        bal_row(b_w, b_o, b_t),
        bal_row(b_w[nxt], b_o[nxt], b_t[nxt] + 1),
        np.arange(n_u),
        n_u + x_c * n_t + x_t,
        n_u + y_c * n_t + y_t,
    ]
    cols = [
        np.arange(n_x),
        off_b + np.arange(n_b),
        off_b + np.flatnonzero(nxt),
        off_u + np.arange(n_u),
        np.arange(n_x),
        off_y + np.arange(n_y),
    ]
    vals = [
        np.ones(n_x),
        np.ones(n_b),
        -np.ones(int(nxt.sum())),
        np.ones(n_u),
        p.mw_per_eflops[x_r, x_t],
        -np.ones(n_y),
    ]
    a_eq = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_u + n_c * n_t, n_var),
    )
    arriving = p.demand_eflops.copy()
    if backlog_start_eflops is not None:
        arriving[..., 0] += backlog_start_eflops
    b_eq = np.concatenate([arriving.reshape(-1), np.zeros(n_c * n_t)])

    # inequality rows: pool capacity (r, t), then link groups (l, t)
    ub_rows = [x_r * n_t + x_t]
    ub_cols = [np.arange(n_x)]
    ub_rhs = [p.capacity_eflops.reshape(-1)]
    n_rows = n_r * n_t
    n_l = p.link_group_capacity_eflops.size
    if n_l:
        gid = p.link_group[x_o, x_c]
        sel = gid >= 0
        ub_rows.append(n_rows + gid[sel] * n_t + x_t[sel])
        ub_cols.append(np.flatnonzero(sel))
        ub_rhs.append(np.repeat(p.link_group_capacity_eflops, n_t))
        n_rows += n_l * n_t
    ub_r = np.concatenate(ub_rows)
    a_ub = sp.csr_matrix(
        (np.ones(ub_r.size), (ub_r, np.concatenate(ub_cols))), shape=(n_rows, n_var)
    )
    b_ub_rhs = np.concatenate(ub_rhs)
    # drop empty rows (e.g. pools no class may use)
    nonempty = np.diff(a_ub.indptr) > 0
    a_ub = a_ub[nonempty]
    b_ub_rhs = b_ub_rhs[nonempty]

    c_vec = (
        np.concatenate(
            [
                x_cost,
                p.tranche_price.reshape(-1),
                np.full(n_b, _WAIT_COST * p.unmet_penalty_per_eflops_h),
                np.full(n_u, p.unmet_penalty_per_eflops_h),
            ]
        )
        * p.step_h
    )
    bounds = np.zeros((n_var, 2))
    bounds[:, 1] = np.inf
    bounds[off_y:off_b, 1] = p.tranche_capacity_mw.reshape(-1)
    bounds[off_b:off_u, 0] = b_lb
    bounds[off_b:off_u, 1] = b_ub
    options = {"presolve": True}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    res = linprog(
        c_vec,
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub_rhs if a_ub.shape[0] else None,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=bounds,
        method="highs",
        options=options,
    )
    if res.status != 0:
        raise RuntimeError(f"HiGHS did not solve the dispatch LP: {res.message}")
    sol = np.maximum(res.x, 0.0)
    placed = np.zeros((n_w, n_o, n_r, n_t))
    placed[x_w, x_o, x_r, x_t] = sol[:n_x]
    tranche = sol[off_y:off_b].reshape(n_c, n_k, n_t)
    unmet = sol[off_u:].reshape(n_w, n_o, n_t)
    backlog = np.zeros((n_w, n_o, n_t))
    if n_b:
        backlog[b_w, b_o, b_t] = sol[off_b:off_u]
    obj = objective_value(p, placed, tranche, unmet)
    return DispatchResult(placed, tranche, unmet, backlog, obj, "lp", p.pool_cluster)


_LP_BLOCK_STEPS = 168  # [steps] the LP solves horizons up to this length in one piece
_LP_COMMIT_STEPS = 96  # [steps] beyond, rolling blocks commit this many steps each


def dispatch_lp(
    problem: DispatchProblem,
    *,
    block_steps: int = _LP_BLOCK_STEPS,
    commit_steps: int = _LP_COMMIT_STEPS,
    overlap_steps: int | None = None,
    time_limit_s: float | None = None,
) -> DispatchResult:
    """Exact dispatch: the linear programme solved by HiGHS, rolling over long horizons.

    Up to ``block_steps`` steps the whole LP is solved at once (exact). A
    longer horizon is solved in blocks: each block of ``commit_steps +
    overlap`` steps (overlap: the longest deferral window, at least one day)
    starts from the backlog the previous block left, and only its first
    ``commit_steps`` steps are kept. Blocks couple only through the backlog
    of deferrable classes, so the work grows linearly with the horizon; the
    overlap lets every committed arrival see its whole window. Exact for
    windows within the overlap up to the end-of-block condition (the block's
    last step holds no backlog); see the benchmarks for the measured gap.

    Parameters
    ----------
    problem : DispatchProblem
    block_steps, commit_steps : int
        [steps], as above.
    overlap_steps : int, optional
        [steps]; default the longest deferral window, at least 24.
    time_limit_s : float, optional
        HiGHS time limit per block [s].

    Raises
    ------
    RuntimeError
        If HiGHS does not report an optimal solution.
    """
    p = problem
    n_w, n_o, n_r, n_c, n_k, n_t = p.shape
    if n_t <= block_steps:
        return _lp_block(p, time_limit_s=time_limit_s)
    overlap = (
        max(int(p.window_steps.max(initial=0)), 24) if overlap_steps is None else overlap_steps
    )
    placed = np.zeros((n_w, n_o, n_r, n_t))
    tranche = np.zeros((n_c, n_k, n_t))
    unmet = np.zeros((n_w, n_o, n_t))
    backlog = np.zeros((n_w, n_o, n_t))
    for a in range(0, n_t, commit_steps):
        e = min(a + commit_steps + overlap, n_t)
        keep = min(commit_steps, n_t - a) if e < n_t else e - a
        lo = max(a - overlap, 0)
        res = _lp_block(
            p.time_slice(a, e),
            backlog_start_eflops=backlog[..., a - 1] if a else None,
            prior_demand_eflops=p.demand_eflops[..., lo:a],
            time_limit_s=time_limit_s,
        )
        sl = slice(a, a + keep)
        placed[..., sl] = res.placed_eflops[..., :keep]
        tranche[..., sl] = res.tranche_mw[..., :keep]
        unmet[..., sl] = res.unmet_eflops[..., :keep]
        backlog[..., sl] = res.backlog_eflops[..., :keep]
        if e == n_t:
            break
    obj = objective_value(p, placed, tranche, unmet)
    return DispatchResult(placed, tranche, unmet, backlog, obj, "lp", p.pool_cluster)


def _contested_blocks(problem: DispatchProblem, unmet: np.ndarray, max_steps: int):
    """Blocks of steps ``(start, stop)`` around demand a heuristic left unmet.

    Unmet demand booked in step ``t`` arrived at most one window earlier; its
    block spans that window and one more window on each side (where capacity
    it could have used, or that others could have left to it, lies), merged
    where blocks overlap and cut into pieces of at most ``max_steps``.
    """
    n_t = problem.demand_eflops.shape[-1]
    span = int(problem.window_steps.max(initial=0))
    pad = max(span, 6)
    hit = np.flatnonzero(unmet.sum(axis=(0, 1)) > _EPS)
    if hit.size == 0:
        return []
    starts = np.maximum(hit - span - pad, 0)
    stops = np.minimum(hit + pad + 1, n_t)
    blocks = []
    a, b = int(starts[0]), int(stops[0])
    for s, e in zip(starts[1:], stops[1:], strict=True):
        if s <= b:
            b = max(b, int(e))
        else:
            blocks.append((a, b))
            a, b = int(s), int(e)
    blocks.append((a, b))
    return [(s, min(s + max_steps, b)) for a, b in blocks for s in range(a, b, max_steps)]


def dispatch_hybrid(problem: DispatchProblem, *, block_steps: int = 168) -> DispatchResult:
    """The default engine: the merit-order heuristic, then the exact LP where it drops demand.

    1. :func:`dispatch_greedy` over the whole horizon, one deferral pass
       (vectorised, fast).
    2. Every block of steps around demand the heuristic left unmet (scarcity:
       capacity, power or links short within a window, see
       :func:`_contested_blocks`) is solved again exactly by the LP, from the
       backlog the solution holds at the block's start to the backlog it
       holds at its end, and replaces the heuristic there.

    Each replaced block is feasible (its LP holds every constraint) and
    joins the rest of the solution unchanged at both ends, and the
    heuristic's own placement in the block is one feasible point of that
    LP: the objective never rises above the one-pass heuristic's. Where nothing is
    short the heuristic's merit order stands (measured gap: see the
    benchmarks).

    Parameters
    ----------
    problem : DispatchProblem
    block_steps : int
        Longest block solved by one LP [steps].
    """
    p = problem
    # one pass: where later passes would help (demand left unmet) the LP takes over
    res = dispatch_greedy(p, passes=1)
    placed, tranche, unmet, backlog = (
        res.placed_eflops,
        res.tranche_mw,
        res.unmet_eflops,
        res.backlog_eflops,
    )
    span = int(p.window_steps.max(initial=0))
    for a, e in _contested_blocks(p, unmet, block_steps):
        lp = _lp_block(
            p.time_slice(a, e),
            backlog_start_eflops=backlog[..., a - 1] if a else None,
            backlog_end_eflops=backlog[..., e - 1],
            prior_demand_eflops=p.demand_eflops[..., max(a - span, 0) : a],
        )
        placed[..., a:e] = lp.placed_eflops
        tranche[..., a:e] = lp.tranche_mw
        unmet[..., a:e] = lp.unmet_eflops
        backlog[..., a:e] = lp.backlog_eflops
    obj = objective_value(p, placed, tranche, unmet)
    return DispatchResult(placed, tranche, unmet, backlog, obj, "hybrid", p.pool_cluster)
