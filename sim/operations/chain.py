"""Operations layer: scenario sections ``demand``, ``links``, ``dispatch`` and
``clusters.<name>.grid``, and the chain demand → dispatch → power → supply.

:func:`dispatch_scenario` builds
the :class:`sim.operations.dispatch.DispatchProblem` of a scenario (one per calendar
year) and runs it; :func:`supply_balance` supplies the resulting facility
load from renewables, battery, grid and imports (:mod:`sim.operations.grid`).

Marginal power of served compute, per cluster and step (DESIGN.md baseline
equations with utilisation ``u = served / installed``)::

    m[c,t]        = (1 - idle) * nameplate_mw / capacity_eflops * PUE   [MW per EFLOPS]
    idle_load[c,t] = idle * nameplate_mw * PUE                          [MW]

Each cluster is one compute pool (``pool_cluster[r] = r``) drawing ``m`` MW per
EFLOPS served. Power tranches offered to the dispatcher, in merit order of their
own price [CNY/MWh, tCO2/MWh or the mix]: renewable surplus above the idle load,
then the grid connection up to its cap, then imports from a neighbouring grid
up to their cap [MW]. One problem spans the whole horizon, so deferred
demand crosses calendar years; past the horizon's end the problem continues
for one deferral window (repeating the last steps), so that work whose window
reaches past the end waits there (reported as deferred at the last step)
rather than being served all at once in the last hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.buildout.fleet import FleetArrays
from sim.operations.demand import hourly_shape, latency_ms, trajectory_eflops
from sim.operations.dispatch import (
    DispatchProblem,
    dispatch,
    objective_value,
    stay_local_eligibility,
    unit_cost,
)
from sim.operations.grid import grid_balance, pv_profile_pu, wind_profile_pu
from sim.scenario.core import Scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.operations_spec import DemandSpec, DispatchSpec, GridSpec, LinkSpec, OriginSpec


@dataclass(frozen=True)
class OperationsResult:
    """Dispatch outcome on the scenario's time axis (arrays [EFLOPS] unless named)."""

    utilization: np.ndarray  # [C, T] served / installed
    demand_eflops: np.ndarray  # [W, O, T]
    served_eflops: np.ndarray  # [W, C, T]
    unmet_eflops: np.ndarray  # [W, O, T]
    deferred_eflops: np.ndarray  # [W, O, T]
    flow_eflops: np.ndarray  # [O, C, T]
    latency_ms: np.ndarray  # [O, C]
    unmet_reason: np.ndarray  # [W, O] str
    renewable_mw: np.ndarray  # [C, T] available generation
    workloads: list[str]
    origins: list[OriginSpec]
    objective: float


def _hour_of_day(times: np.ndarray) -> np.ndarray:
    return ((times - times.astype("datetime64[D]")) // np.timedelta64(1, "h")).astype(np.intp)


def _step_profile(profile24: np.ndarray, hod: np.ndarray, step_h: float) -> np.ndarray:
    """A 24-hour profile on the time axis; a multi-hour step averages the hours it covers."""
    if step_h >= 24:
        return np.full(hod.shape, float(np.mean(profile24)))
    width = max(int(step_h), 1)
    return np.mean([profile24[(hod + k) % 24] for k in range(width)], axis=0)


def _grids(scenario: Scenario) -> list[GridSpec | None]:
    grids = [c.sections.get("grid") for c in scenario.clusters.values()]
    if any(g is not None for g in grids) and any(g is None for g in grids):
        missing = next(c.name for c in scenario.clusters.values() if "grid" not in c.sections)
        raise ScenarioError(
            "grid data given for some clusters but not this one",
            field=f"clusters.{missing}.grid",
            expected="a grid section on every cluster, or on none",
        )
    return grids


def renewable_mw(scenario: Scenario, times: np.ndarray) -> np.ndarray:
    """Available renewable generation per cluster [MW], [C, T] (seeded).

    Profiles are made hourly and averaged over each step when the step is longer.
    """
    step_h = scenario.horizon.step_h
    width = max(round(step_h), 1)
    hourly = times[0].astype("datetime64[h]") + np.arange(len(times) * width)
    out = _renewable_hourly(scenario, hourly)
    if width > 1:
        out = out.reshape(out.shape[0], len(times), width).mean(axis=-1)
    return out


def _renewable_hourly(scenario: Scenario, times: np.ndarray) -> np.ndarray:
    out = np.zeros((len(scenario.clusters), len(times)))
    for i, (c, g) in enumerate(zip(scenario.clusters.values(), _grids(scenario), strict=True)):
        if g is None or (g.pv_mw == 0 and g.wind_mw == 0):
            continue
        # an independent stream per cluster, apart from the climate streams of sim.model
        rng = np.random.default_rng(np.random.SeedSequence(scenario.seed, spawn_key=(1000 + i,)))
        if g.pv_mw > 0:
            out[i] += g.pv_mw * pv_profile_pu(
                times, c.lat, c.lon, rng, g.pv_cloudiness, g.pv_capacity_factor
            )
        if g.wind_mw > 0:
            out[i] += g.wind_mw * wind_profile_pu(len(times), g.wind_capacity_factor, rng)[0]
    return out


def _latency(spec: DemandSpec, scenario: Scenario) -> np.ndarray:
    origins = list(spec.origins.values())
    clusters = list(scenario.clusters.values())
    lat = latency_ms(
        [o.lat for o in origins],
        [o.lon for o in origins],
        [c.lat for c in clusters],
        [c.lon for c in clusters],
        us_per_km=spec.fibre_us_per_km,
        route_factor=spec.route_factor,
        base_ms=spec.base_latency_ms,
    )
    names = [c.name for c in clusters]
    onames = [o.name for o in origins]
    for (o, c), v in spec.latency_overrides_ms.items():
        lat[onames.index(o), names.index(c)] = v
    return lat


def demand_array(spec: DemandSpec, times: np.ndarray, step_h: float) -> np.ndarray:
    """Demand [W, O, T] of eq. (1) in :mod:`sim.operations.demand` [EFLOPS]."""
    hod = _hour_of_day(times)
    onames = list(spec.origins)
    out = np.zeros((len(spec.classes), len(onames), len(times)))
    for w, cs in enumerate(spec.classes.values()):
        if cs.points is not None:
            traj = trajectory_eflops(times, cs.points)
        else:
            start, value, rate = cs.growth
            traj = trajectory_eflops(times, start=start, start_eflops=value, growth_per_year=rate)
        if cs.workload.shape == "trace":
            if cs.trace.size != len(times):
                raise ScenarioError(
                    "trace of the wrong length",
                    field=f"demand.classes.{cs.workload.name}.shape.csv",
                    given=f"{cs.trace.size} values",
                    expected=f"{len(times)} values, one per time step",
                )
            shape = hourly_shape(cs.workload, hod, trace=cs.trace)
        elif step_h >= 24:
            shape = np.ones(len(times))
        else:
            shape = np.mean(
                [hourly_shape(cs.workload, (hod + k) % 24) for k in range(int(step_h))], axis=0
            )
        for o, name in enumerate(onames):
            out[w, o] = traj * cs.shares.get(name, 0.0) * shape
    return out


def dispatch_problems(
    scenario: Scenario, times: np.ndarray, fleet: FleetArrays, pue: np.ndarray, idle
):
    """The dispatch problem of a scenario, and context.

    Returns
    -------
    problems : list of (slice, DispatchProblem)
        One problem over the horizon's steps (the slice) and a continuation of
        one deferral window past its end.
    context : dict
        ``demand`` [W,O,T], ``latency_ms`` [O,C], ``eligible`` [W,O,C] (before the
        policy), ``renewable_mw`` [C,T], ``reasons`` [W,O].
    """
    spec: DemandSpec = scenario.sections["demand"]
    dspec: DispatchSpec = scenario.sections.get("dispatch") or DispatchSpec()
    links: list[LinkSpec] = scenario.sections.get("links") or []
    step_h = scenario.horizon.step_h
    clusters = list(scenario.clusters.values())
    cnames = [c.name for c in clusters]
    origins = list(spec.origins.values())
    onames = [o.name for o in origins]
    n_c, n_o = len(clusters), len(origins)

    demand = demand_array(spec, times, step_h)
    lat = _latency(spec, scenario)
    max_lat = np.array([cs.workload.max_latency_ms for cs in spec.classes.values()])
    elig = lat[None, :, :] <= max_lat[:, None, None] + 1e-9
    reasons = np.full(elig.shape[:2], "", dtype=object)
    for w, cs in enumerate(spec.classes.values()):
        for o in range(n_o):
            if not elig[w, o].any():
                reasons[w, o] = (
                    f"no cluster within {cs.workload.max_latency_ms:g} ms of {onames[o]} "
                    f"(nearest {cnames[int(lat[o].argmin())]} at {lat[o].min():.1f} ms)"
                )
    if dspec.policy == "stay_local":
        home = np.array([cnames.index(o.cluster) if o.cluster is not None else -1 for o in origins])
        local = stay_local_eligibility(elig, home)
        for w in range(elig.shape[0]):
            for o in range(n_o):
                if elig[w, o].any() and not local[w, o].any():
                    reasons[w, o] = (
                        f"stay_local: {onames[o]} has no home cluster within {max_lat[w]:g} ms"
                    )
        elig = local

    # marginal and idle power
    cap = fleet.capacity_eflops
    with np.errstate(divide="ignore", invalid="ignore"):
        mw_per_eflops = np.where(cap > 0, fleet.nameplate_mw / cap, 0.0)
    marginal_mw = (1 - idle) * mw_per_eflops * pue  # [C, T] MW per EFLOPS served
    idle_mw = idle * fleet.nameplate_mw * pue
    grids = _grids(scenario)
    ren = renewable_mw(scenario, times)
    hod = _hour_of_day(times)
    if all(g is None for g in grids):
        # no grid data: a single unlimited tranche; objective = facility energy [MWh]
        tranche_price = np.ones((n_c, 1, len(times)))
        tcap_mw = None
    else:
        price = np.stack([_step_profile(g.price_cny_per_mwh, hod, step_h) for g in grids])
        inten = np.stack([_step_profile(g.intensity_tco2_per_mwh, hod, step_h) for g in grids])
        grid_cap = np.array([[g.cap_mw] for g in grids])
        imp_cap = np.array([[g.import_cap_mw] for g in grids])
        imp_price = np.array([[g.import_price_cny_per_mwh] for g in grids])
        imp_int = np.array([[g.import_intensity_tco2_per_mwh] for g in grids])
        ren_price = np.array([[g.renewable_price_cny_per_mwh] for g in grids])
        ren_free = np.maximum(ren - idle_mw, 0.0)
        idle_left = np.maximum(idle_mw - ren, 0.0)
        grid_free = np.maximum(grid_cap - idle_left, 0.0)
        imp_free = np.maximum(imp_cap - np.maximum(idle_left - grid_cap, 0.0), 0.0)
        tcap_mw = np.stack([ren_free, grid_free, imp_free], axis=1)
        kw = dict(
            objective=dspec.objective, carbon_price_cny_per_tco2=dspec.carbon_price_cny_per_tco2
        )
        tprice = np.stack(
            np.broadcast_arrays(
                unit_cost(1.0, ren_price, 0.0, **kw),
                unit_cost(1.0, price, inten, **kw),
                unit_cost(1.0, imp_price, imp_int, **kw),
            ),
            axis=1,
        )
        # tie-break by energy (efficient hardware, low PUE) at 1e-6 of the cost scale:
        # the same offset per MWh everywhere, so per EFLOPS-h it grows with the rate
        cost_scale = max(float(np.abs(marginal_mw[:, None, :] * tprice).max(initial=0.0)), 1.0)
        tranche_price = tprice + 1e-6 * cost_scale / max(float(marginal_mw.max(initial=0.0)), 1e-12)
    # a cluster with no installed compute (marginal power 0) serves none, even under an
    # unlimited grid cap
    pool_cap = cap if tcap_mw is None else np.where(marginal_mw > 0, cap, 0.0)
    link_cap = np.full((n_o, n_c), np.inf)
    link_group = np.full((n_o, n_c), -1)
    group_caps: list[float] = []
    for lk in links:
        if lk.origin is not None:
            link_cap[onames.index(lk.origin), cnames.index(lk.cluster)] = lk.capacity_eflops
            continue
        pairs = (
            np.array([o.hub == lk.from_hub for o in origins])[:, None]
            & np.array([c.hub == lk.to_hub for c in clusters])[None, :]
        )
        if (link_group[pairs] >= 0).any() or np.isfinite(link_cap[pairs]).any():
            raise ScenarioError(
                "an origin-cluster pair is on two links",
                field=lk.field,
                expected="each origin-cluster pair on at most one link",
            )
        link_group[pairs] = len(group_caps)
        group_caps.append(lk.capacity_eflops)
    if ((link_group >= 0) & np.isfinite(link_cap)).any():
        raise ScenarioError(
            "an origin-cluster pair is on two links",
            field="links",
            expected="each origin-cluster pair on at most one link",
        )
    windows = np.array(
        [int(np.floor(cs.workload.window_h / step_h + 1e-9)) for cs in spec.classes.values()]
    )
    # one problem over the whole horizon (deferral crosses calendar years), continued
    # by one window of steps repeating the last ones: work whose window reaches past
    # the horizon may wait there instead of being crammed into its last hours
    tail = int(windows.max(initial=0))

    def cont(x):
        n = x.shape[-1]
        return np.concatenate([x, x[..., (np.arange(tail) + n - tail) % n]], axis=-1)

    problem = DispatchProblem(
        cont(demand),
        cont(pool_cap),
        cont(tranche_price),
        elig,
        windows,
        mw_per_eflops=cont(marginal_mw),
        tranche_capacity_mw=None if tcap_mw is None else cont(tcap_mw),
        link_capacity_eflops=link_cap,
        link_group=link_group,
        link_group_capacity_eflops=np.array(group_caps),
        unmet_penalty_per_eflops_h=dspec.unmet_penalty,
        step_h=step_h,
    )
    problems = [(slice(0, len(times)), problem)]
    context = {
        "demand": demand,
        "latency_ms": lat,
        "reasons": reasons,
        "renewable_mw": ren,
        "engine": dspec.engine,
    }
    return problems, context


def dispatch_scenario(
    scenario: Scenario, times: np.ndarray, fleet: FleetArrays, pue: np.ndarray, idle: np.ndarray
) -> OperationsResult:
    """Run dispatch for a scenario with a ``demand`` section.

    Parameters
    ----------
    scenario : sim.Scenario
    times : datetime64 array [T]
    fleet : sim.fleet.FleetArrays
        ``capacity_eflops`` and ``nameplate_mw``, [C, T].
    pue : array [C, T]
        [-].
    idle : array [C, 1]
        Idle power fraction [-].

    Returns
    -------
    OperationsResult
    """
    spec: DemandSpec = scenario.sections["demand"]
    problems, ctx = dispatch_problems(scenario, times, fleet, pue, idle)
    demand = ctx["demand"]
    n_w, n_o, n_t = demand.shape
    n_c = fleet.capacity_eflops.shape[0]
    served = np.zeros((n_w, n_c, n_t))
    unmet = np.zeros((n_w, n_o, n_t))
    deferred = np.zeros((n_w, n_o, n_t))
    flow = np.zeros((n_o, n_c, n_t))
    objective = 0.0
    for sl, pb in problems:
        res = dispatch(pb, ctx["engine"])
        n = sl.stop - sl.start  # steps of the horizon; the rest is the continuation
        served[..., sl] = pb.by_cluster(res.served_eflops)[..., :n]
        unmet[..., sl] = res.unmet_eflops[..., :n]
        deferred[..., sl] = res.backlog_eflops[..., :n]
        flow[..., sl] = res.flow_eflops[..., :n]
        objective += objective_value(
            pb.time_slice(0, n),
            res.placed_eflops[..., :n],
            res.tranche_mw[..., :n],
            res.unmet_eflops[..., :n],
        )
    cap = fleet.capacity_eflops
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(cap > 0, served.sum(axis=0) / cap, 0.0)
    return OperationsResult(
        utilization=np.clip(util, 0.0, 1.0),
        demand_eflops=demand,
        served_eflops=served,
        unmet_eflops=unmet,
        deferred_eflops=deferred,
        flow_eflops=flow,
        latency_ms=ctx["latency_ms"],
        unmet_reason=ctx["reasons"],
        renewable_mw=ctx["renewable_mw"],
        workloads=list(spec.classes),
        origins=list(spec.origins.values()),
        objective=objective,
    )


def supply_balance(
    scenario: Scenario,
    times: np.ndarray,
    facility_mw: np.ndarray,
    ops: OperationsResult | None,
) -> dict[str, np.ndarray] | None:
    """Supply of the facility load from renewables, battery, grid and imports.

    Parameters
    ----------
    scenario : sim.Scenario
    times : datetime64 array [T]
    facility_mw : array [C, T]
        Facility power [MW].
    ops : OperationsResult or None
        Dispatch outcome, if the scenario has demand (its renewable profiles are
        reused rather than drawn again).

    Returns
    -------
    dict of arrays [C, T], or None
        The outputs of :func:`sim.operations.grid.grid_balance` plus
        ``renewable_available_mw``; None where no cluster has a ``grid`` section.
    """
    grids = _grids(scenario)
    if all(g is None for g in grids):
        return None
    step_h = scenario.horizon.step_h
    hod = _hour_of_day(times)
    ren = ops.renewable_mw if ops is not None else renewable_mw(scenario, times)

    def col(attr):
        return np.array([[getattr(g, attr)] for g in grids])

    out = grid_balance(
        facility_mw,
        ren,
        grid_cap_mw=col("cap_mw"),
        price_cny_per_mwh=np.stack(
            [_step_profile(g.price_cny_per_mwh, hod, step_h) for g in grids]
        ),
        intensity_tco2_per_mwh=np.stack(
            [_step_profile(g.intensity_tco2_per_mwh, hod, step_h) for g in grids]
        ),
        import_cap_mw=col("import_cap_mw"),
        import_price_cny_per_mwh=col("import_price_cny_per_mwh"),
        import_intensity_tco2_per_mwh=col("import_intensity_tco2_per_mwh"),
        renewable_price_cny_per_mwh=col("renewable_price_cny_per_mwh"),
        battery_energy_mwh=col("battery_mwh"),
        battery_power_mw=col("battery_mw"),
        battery_efficiency=col("battery_efficiency"),
        step_h=step_h,
    )
    out["renewable_available_mw"] = ren
    return out
