"""Seeded random dispatch instances under scarcity (issue 12), for tests and benchmarks.

Every instance is a :class:`sim.dispatch.DispatchProblem` with 6 origins, 6
clusters (one pool each), 3 power tranches per cluster (renewables, grid,
imports) and 4 workload classes over 168 hourly steps by default. Origins
0-2 are "east" (dear power), clusters 3-5 "west" (cheap power); class 0 may
only use its origin's own cluster (a latency bound), class 1 the clusters
of its origin's side, classes 2 and 3 any cluster. Demand follows a daily
cycle (peak at 20:00), renewables a solar day. Scarcity comes from the
family:

``scarce_power``
    Grid and import caps leave power-limited compute at 70-105 % of mean
    demand: some demand is unmet in the peaks whatever the engine does.
``scarce_links``
    East-to-west traffic crosses one shared link per east origin group, of
    15-35 % of eastern demand; eastern clusters are small and dear.
``long_windows``
    Deferral windows 0, 24, 48 and 72 h; pool capacity at 85-105 % of mean
    demand, so peaks must wait for the night.
``dominant_origin``
    Origin 0 holds 70 % of all demand; its local cluster and links are far
    smaller than that.

Numbers are invented for the test (no source): magnitudes only resemble the
East Data West Compute scenario (MW per EFLOPS 4-8, CNY/MWh 50-1,000).
"""

from __future__ import annotations

import numpy as np

from sim.operations.dispatch import DispatchProblem

FAMILIES = ("scarce_power", "scarce_links", "long_windows", "dominant_origin")

_N_O = _N_C = 6
_EAST = np.arange(_N_C) < 3


def scarce_instance(
    family: str, seed: int, n_t: int = 168, n_origins: int = _N_O
) -> DispatchProblem:
    """One random instance of ``family`` from ``seed`` (identical for one seed).

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    seed : int
        Seed of the instance's ``numpy.random.Generator``.
    n_t : int
        Hourly steps [h].
    n_origins : int
        Origins (and clusters, one pool each) [-].
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {FAMILIES}")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(FAMILIES.index(family),)))
    n_o = n_c = n_origins
    east = np.arange(n_c) < n_c // 2
    hours = np.arange(n_t) % 24
    daily = 1.0 + 0.35 * np.cos(2 * np.pi * (hours - 20) / 24)  # demand peak at 20:00
    solar = np.clip(np.sin(np.pi * (hours - 6) / 12), 0.0, None)  # 06:00-18:00

    # demand [W, O, T]: 100 EFLOPS on average, split by class and origin
    windows = np.array([0, 24, 48, 72]) if family == "long_windows" else np.array([0, 2, 8, 24])
    class_share = rng.dirichlet(np.full(4, 4.0))
    origin_share = rng.dirichlet(np.full(n_o, 3.0))
    if family == "dominant_origin":
        origin_share = np.r_[0.7, 0.3 * rng.dirichlet(np.full(n_o - 1, 3.0))]
    noise = rng.uniform(0.8, 1.2, (4, n_o, n_t))
    demand = 100.0 * class_share[:, None, None] * origin_share[None, :, None] * daily * noise

    # eligibility [W, O, R]: class 0 home only, class 1 own side, classes 2-3 anywhere
    home = np.eye(n_o, n_c, dtype=bool)
    side = east[:n_o, None] == east[None, :]
    elig = np.stack([home, side, np.ones_like(home), np.ones_like(home)])

    # pools: rate [MW/EFLOPS] and capacity [EFLOPS]
    rate = rng.uniform(4.0, 8.0, n_c)[:, None] * np.ones(n_t)
    mean_d = demand.sum(axis=(0, 1)).mean()
    cap_share = rng.dirichlet(np.full(n_c, 3.0))
    tightness = {"long_windows": rng.uniform(0.85, 1.05)}.get(family, rng.uniform(1.3, 1.8))
    capacity = mean_d * tightness * cap_share[:, None] * np.ones(n_t)
    # local compute for the home-only class (else it is unmet by construction)
    capacity = np.maximum(capacity, 1.1 * demand[0].max(axis=1)[:, None])
    if family == "scarce_links":
        capacity[east] *= 0.5
    if family == "dominant_origin":
        capacity[0] = 1.05 * demand[0, 0].max()

    # tranches [C, K, T]: renewables (solar), grid, imports; prices per MWh
    price = np.empty((n_c, 3, n_t))
    price[:, 0] = rng.uniform(50, 150, (n_c, 1))
    tou = np.where((hours >= 8) & (hours < 22), 1.25, 0.7)  # peak / valley
    grid_base = np.where(east, rng.uniform(550, 700, n_c), rng.uniform(300, 420, n_c))
    price[:, 1] = grid_base[:, None] * tou
    price[:, 2] = rng.uniform(800, 1000, (n_c, 1))
    full_mw = capacity * rate  # power to run every pool flat out
    tcap = np.empty((n_c, 3, n_t))
    tcap[:, 0] = rng.uniform(0.1, 0.5, (n_c, 1)) * full_mw * solar
    tcap[:, 1] = rng.uniform(0.6, 1.0, (n_c, 1)) * full_mw
    tcap[:, 2] = rng.uniform(0.0, 0.2, (n_c, 1)) * full_mw
    if family == "scarce_power":
        # power-limited compute at 70-105 % of mean demand in total
        limit_mw = rng.uniform(0.7, 1.05) * mean_d * cap_share[:, None] * rate
        tcap[:, 1] = 0.85 * limit_mw
        tcap[:, 2] = 0.15 * limit_mw

    # links: one shared link from the east origins to the west clusters (others free)
    link_group = np.full((n_o, n_c), -1)
    link_group[np.ix_(east[:n_o], ~east)] = 0
    east_demand = demand[:, east[:n_o]].sum(axis=(0, 1)).mean()
    share = {"scarce_links": rng.uniform(0.15, 0.35), "dominant_origin": rng.uniform(0.2, 0.4)}
    link_cap = np.array([east_demand * share.get(family, rng.uniform(0.6, 1.0))])
    transfer = np.where(east[:n_o, None] != east[None, :], rng.uniform(5, 20), 0.0)
    transfer = transfer * np.ones((n_o, n_c))

    return DispatchProblem(
        demand,
        capacity,
        price,
        elig,
        windows,
        mw_per_eflops=rate,
        tranche_capacity_mw=tcap,
        link_group=link_group,
        link_group_capacity_eflops=link_cap,
        transfer_cost_per_eflops_h=transfer,
    )


def scarce_set(n_per_family: int, n_t: int = 168, first_seed: int = 0):
    """``(family, seed, problem)`` for ``n_per_family`` seeds of every family."""
    return [
        (family, seed, scarce_instance(family, seed, n_t))
        for family in FAMILIES
        for seed in range(first_seed, first_seed + n_per_family)
    ]
