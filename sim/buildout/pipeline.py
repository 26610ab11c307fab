"""Build-out pipeline: data-center projects as simpy processes.

Layer 1 of ``DESIGN.md`` in its lumpy, queue-driven form. Each project walks

    announce → permit → construct → grid connection → accelerators → commission

where permit and construction durations are random (:class:`Duration`, drawn
from a :class:`numpy.random.Generator` passed in), a grid connection is taken
from a per-region :class:`simpy.Container` of megawatts refilled monthly at
the region's connection rate [MW/yr], and accelerators are taken, tranche by
tranche, from a per-hardware :class:`simpy.Container` refilled each quarter by
a delivery schedule. Both containers serve requests strictly first come,
first served (simpy's container blocks the queue behind its head).

Shocks are dated events:

- :class:`ExportControl` cuts a hardware type's quarterly deliveries by a
  fraction from a date and, optionally, switches every tranche not yet
  supplied to a domestic alternative (e.g. Ascend 910B). A switched tranche
  keeps the project's power envelope, so its capacity scales with the
  alternative's efficiency (eq. 2).
- :class:`Tariff` raises a hardware type's unit price from a date.
- :class:`GridFreeze` stops new grid connections in a region for a window.

The hand-off to the fleet (layer 2) is a list of :class:`Addition`: dated
vintage additions ``{date, cluster, hardware, capacity_eflops, precision}``.
:func:`additions_to_dataset` turns them into an :class:`xarray.Dataset` by
cluster, hardware and month, and :func:`run_monte_carlo` repeats a pipeline
over seeds spawned with :class:`numpy.random.SeedSequence` to give P10/P50/P90
of capacity online and the probability of reaching a target by a date.

Equations
---------
Accelerators of one tranche of a project of capacity ``C`` [EFLOPS] on
hardware ``h`` with ``k`` tranches::

    n_h = C / k / peak_h                                              (1)

Accelerators of the alternative ``a`` with the same IT power::

    n_a = n_h · power_h · overhead_h / (power_a · overhead_a)         (2)

Grid connection of a project [MW], unless given::

    P_grid = C / peak_h · power_h · overhead_h · PUE                  (3)

Accelerator counts are kept as real numbers (expected counts); they are not
rounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
import xarray as xr

from sim.scenario import limits
from sim.scenario.pipeline_spec import (
    ExportControl,
    GridFreeze,
    GridRegion,
    PipelineHardware,
    PipelineSpec,
    Project,
    Supply,
    Tariff,
)

#: Spawn key of the pipeline's random streams: sample ``i`` draws from
#: ``SeedSequence(seed, spawn_key=(PIPELINE_STREAM,)).spawn(n)[i]``, which never
#: coincides with the per-cluster streams ``SeedSequence(seed).spawn(k)`` of ``sim.run``.
PIPELINE_STREAM = 0x70697065  # "pipe"

#: FLOPS per EFLOPS, and per TFLOPS.
_EFLOPS = 1e18
_TFLOPS = 1e12


@dataclass(frozen=True)
class Addition:
    """Capacity commissioned on one day: the hand-off to the fleet.

    Attributes
    ----------
    date : numpy.datetime64
        Commissioning day.
    cluster, hardware, project : str
    capacity_eflops : float
        Capacity added at ``precision`` [EFLOPS].
    precision : str
    accelerators : float
        Accelerators installed [count].
    it_power_mw : float
        IT power of those accelerators at full load, node overhead included [MW].
    capex_cny : float
        Accelerator cost, tariffs included [CNY].
    """

    date: np.datetime64
    cluster: str
    hardware: str
    capacity_eflops: float
    precision: str
    accelerators: float
    it_power_mw: float
    capex_cny: float
    project: str

    def as_dict(self) -> dict[str, Any]:
        """A plain record ``{date, cluster, hardware, capacity_eflops, precision, ...}``."""
        return {
            "date": str(self.date),
            "cluster": self.cluster,
            "hardware": self.hardware,
            "capacity_eflops": self.capacity_eflops,
            "precision": self.precision,
            "accelerators": self.accelerators,
            "it_power_mw": self.it_power_mw,
            "capex_cny": self.capex_cny,
            "project": self.project,
        }


# --------------------------------------------------------------------------- engine


def _quarter_starts(start: np.datetime64, end: np.datetime64) -> list[np.datetime64]:
    months = np.arange(
        start.astype("datetime64[M]"), end.astype("datetime64[M]") + 1, dtype="datetime64[M]"
    )
    return [m.astype("datetime64[D]") for m in months if m.astype(int) % 3 == 0]


def _month_starts(start: np.datetime64, end: np.datetime64) -> list[np.datetime64]:
    months = np.arange(
        start.astype("datetime64[M]"), end.astype("datetime64[M]") + 1, dtype="datetime64[M]"
    )
    return [m.astype("datetime64[D]") for m in months]


def _deliveries(spec: PipelineSpec, s: Supply) -> list[tuple[np.datetime64, float]]:
    """Dated deliveries of one supply schedule, export controls applied."""
    out = []
    if s.initial > 0:
        out.append((spec.start, float(s.initial)))
    first = s.start if s.start is not None else spec.start
    controls = [c for c in spec.shocks if isinstance(c, ExportControl) and c.hardware == s.hardware]
    for q in _quarter_starts(spec.start, spec.end):
        if q < first or q < spec.start:
            continue
        quarters = int(
            ((q.astype("datetime64[M]") - first.astype("datetime64[M]")).astype(int)) // 3
        )
        amount = s.per_quarter * (1.0 + s.growth_per_year) ** (quarters / 4)
        for c in controls:
            if q >= c.date:
                amount *= 1.0 - c.supply_cut
        if amount > 0:
            out.append((q, amount))
    return out


def delivery_schedule(spec: PipelineSpec) -> list[tuple[np.datetime64, str, float]]:
    """Accelerator deliveries of every supply schedule, shocks applied.

    Parameters
    ----------
    spec : PipelineSpec

    Returns
    -------
    list of (date, hardware, accelerators)
        Deliveries on the first day of each quarter [count], plus initial stock
        on the start date. Deterministic: no random draws.
    """
    out = [(d, s.hardware, a) for s in spec.supply for d, a in _deliveries(spec, s)]
    return sorted(out, key=lambda x: (x[0], x[1]))


class _Run:
    """State of one pipeline run (a simpy environment and its containers)."""

    def __init__(self, spec: PipelineSpec, rng: np.random.Generator) -> None:
        self.spec = spec
        self.env = simpy.Environment()
        self.additions: list[Addition] = []
        self.hw = dict(spec.hardware)
        env = self.env
        self.chips = {h: simpy.Container(env) for h in self.hw}
        self.grid = {g.name: simpy.Container(env, init=g.initial_mw) for g in spec.grid_regions}
        self.controls = [s for s in spec.shocks if isinstance(s, ExportControl)]
        self.tariffs = [s for s in spec.shocks if isinstance(s, Tariff)]
        self.freezes = [s for s in spec.shocks if isinstance(s, GridFreeze)]
        # One event per hardware with a switch, fired at the control's date.
        self.switch_event: dict[str, simpy.Event] = {}
        self.switch_day: dict[str, float] = {}
        self.switch_to: dict[str, str] = {}
        for c in sorted(
            (c for c in self.controls if c.switch_to), key=lambda c: (c.date, c.hardware)
        ):
            if c.hardware not in self.switch_to:
                self.switch_to[c.hardware] = c.switch_to
                self.switch_day[c.hardware] = spec.day(c.date)
                self.switch_event[c.hardware] = env.event()
                env.process(self._fire(self.switch_event[c.hardware], spec.day(c.date)))
        # Draw every random duration up front, in project order: a seed fixes them.
        self.draws = [
            (
                p.permit.draw(rng),
                p.construct.draw(rng),
                [p.install.draw(rng) for _ in range(p.tranches)],
            )
            for p in spec.projects
        ]
        for s in spec.supply:
            env.process(self._deliver(s))
        for g in spec.grid_regions:
            env.process(self._connect(g))
        for p, d in zip(spec.projects, self.draws, strict=True):
            env.process(self._project(p, *d))

    # -- shocks as pure functions of the date
    def price_factor(self, hardware: str, day: np.datetime64) -> float:
        """Unit price multiplier on ``day`` [-]."""
        f = 1.0
        for t in self.tariffs:
            if t.hardware == hardware and day >= t.date:
                f *= 1.0 + t.price_increase
        return f

    def frozen_until(self, region: str, day: np.datetime64) -> np.datetime64 | None:
        """Last frozen day of the freeze covering ``day``, or None."""
        last = None
        for fz in self.freezes:
            if fz.region == region and fz.start <= day <= fz.end:
                last = fz.end if last is None else max(last, fz.end)
        return last

    def today(self) -> np.datetime64:
        return self.spec.start + np.timedelta64(math.floor(self.env.now + 1e-9), "D")

    def resolve(self, hardware: str) -> str:
        """Hardware actually requested now, following switches already in force."""
        seen = {hardware}
        while hardware in self.switch_to and self.env.now >= self.switch_day[hardware]:
            hardware = self.switch_to[hardware]
            if hardware in seen:  # a cycle of switches: stay put
                break
            seen.add(hardware)
        return hardware

    # -- processes
    def _fire(self, event: simpy.Event, day: float):
        yield self.env.timeout(max(day, 0.0))
        event.succeed()

    def _deliver(self, s: Supply):
        env = self.env
        for day, amount in _deliveries(self.spec, s):
            t = self.spec.day(day)
            if t > env.now:
                yield env.timeout(t - env.now)
            yield self.chips[s.hardware].put(amount)

    def _connect(self, g: GridRegion):
        spec, env = self.spec, self.env
        monthly = g.connection_mw_per_year / 12.0
        if monthly <= 0:
            return
        for m in _month_starts(spec.start, spec.end):
            if m < spec.start:
                continue
            t = spec.day(m)
            if t > env.now:
                yield env.timeout(t - env.now)
            if self.frozen_until(g.name, m) is None:
                yield self.grid[g.name].put(monthly)

    def _project(self, p: Project, permit_d: float, construct_d: float, install_d: list[float]):
        spec, env = self.spec, self.env
        ready = spec.day(p.announce) + permit_d + construct_d
        if ready > env.now:
            yield env.timeout(ready - env.now)
        hw0 = self.hw[p.hardware]
        n0 = p.capacity_eflops * _EFLOPS / (hw0.peak_tflops * _TFLOPS)  # eq. (1), all tranches
        grid_mw = p.grid_mw
        if grid_mw is None:
            grid_mw = n0 * hw0.node_power_w * p.pue / 1e6  # eq. (3)
        # Grid connection: wait out a freeze, then queue first come, first served.
        while (last := self.frozen_until(p.grid_region, self.today())) is not None:
            yield env.timeout(spec.day(last) + 1 - env.now)
        if grid_mw > 0:
            yield self.grid[p.grid_region].get(grid_mw)
        # Accelerators, tranche by tranche, each commissioned after its install delay.
        for k in range(p.tranches):
            name = self.resolve(p.hardware)
            while True:
                hw = self.hw[name]
                n = n0 / p.tranches * hw0.node_power_w / hw.node_power_w  # eq. (2)
                get = self.chips[name].get(n)
                switch = self.switch_event.get(name)
                if switch is None or switch.triggered:
                    yield get
                    break
                yield get | switch
                if get.triggered:
                    break
                get.cancel()
                # The cancelled request may have blocked the queue head: re-serve it.
                self.chips[name]._trigger_get(None)
                name = self.resolve(name)
            day = self.today()
            env.process(self._commission(p, hw, n, day, install_d[k]))

    def _commission(self, p: Project, hw: PipelineHardware, n: float, bought, install_d: float):
        if install_d > 0:
            yield self.env.timeout(install_d)
        self.additions.append(
            Addition(
                date=self.today(),
                cluster=p.cluster,
                hardware=hw.name,
                capacity_eflops=n * hw.peak_tflops * _TFLOPS / _EFLOPS,
                precision=self.spec.precision,
                accelerators=n,
                it_power_mw=n * hw.node_power_w / 1e6,
                capex_cny=n * hw.price_cny * self.price_factor(hw.name, bought),
                project=p.name,
            )
        )

    def run(self) -> list[Addition]:
        # Run through the last day of the horizon; later events do not happen.
        self.env.run(until=self.spec.day(self.spec.end) + 1.0)
        return sorted(self.additions, key=lambda a: (a.date, a.cluster, a.hardware, a.project))


def simulate_pipeline(spec: PipelineSpec, rng: np.random.Generator) -> list[Addition]:
    """Run the project pipeline once.

    Parameters
    ----------
    spec : PipelineSpec
        Projects, supply, grid regions and shocks.
    rng : numpy.random.Generator or None
        Source of every random duration; the same generator state gives the
        same additions. None is allowed when every duration is fixed.

    Returns
    -------
    list of Addition
        Capacity commissioned within the horizon, sorted by date.
    """
    return _Run(spec, rng).run()


def additions_to_dataset(
    additions: Iterable[Addition],
    spec: PipelineSpec,
) -> xr.Dataset:
    """Commissioned capacity by cluster, hardware and month.

    Parameters
    ----------
    additions : iterable of Addition
    spec : PipelineSpec
        Gives the horizon, clusters, hardware and precision.

    Returns
    -------
    xarray.Dataset
        ``commissioned_eflops`` [EFLOPS] added within each month and
        ``capacity_added_eflops`` [EFLOPS] added by the end of each month, both
        on dims (cluster, hardware, time); ``time`` is the first day of the month.
    """
    months = np.arange(
        spec.start.astype("datetime64[M]"),
        spec.end.astype("datetime64[M]") + 1,
        dtype="datetime64[M]",
    )
    clusters = spec.clusters
    hardware = list(spec.hardware)
    ci = {c: i for i, c in enumerate(clusters)}
    hi = {h: i for i, h in enumerate(hardware)}
    added = np.zeros((len(clusters), len(hardware), len(months)))
    m0 = months[0].astype(int)
    for a in additions:
        m = a.date.astype("datetime64[M]").astype(int) - m0
        added[ci[a.cluster], hi[a.hardware], m] += a.capacity_eflops
    attrs = {"precision": spec.precision}
    return xr.Dataset(
        {
            "commissioned_eflops": (
                ("cluster", "hardware", "time"),
                added,
                {"units": "EFLOPS", "long_name": "capacity commissioned in the month", **attrs},
            ),
            "capacity_added_eflops": (
                ("cluster", "hardware", "time"),
                np.cumsum(added, axis=-1),
                {"units": "EFLOPS", "long_name": "capacity added by the end of the month", **attrs},
            ),
        },
        coords={
            "cluster": clusters,
            "hardware": hardware,
            "time": months.astype("datetime64[ns]"),
        },
    )


def run_monte_carlo(spec: PipelineSpec, seed: int, n_samples: int) -> xr.Dataset:
    """Repeat the pipeline over independent seeds.

    Sample ``i`` uses ``default_rng(SeedSequence(seed, spawn_key=(PIPELINE_STREAM,))
    .spawn(n)[i])``: a sample's result does not depend on how many samples run
    or where, and its stream is independent of the climate streams that
    :func:`sim.run` spawns from the same seed.

    Parameters
    ----------
    spec : PipelineSpec
    seed : int
        Root seed.
    n_samples : int
        Number of samples.

    Returns
    -------
    xarray.Dataset
        ``capacity_online_eflops`` (sample, cluster, time) [EFLOPS] at the end of
        each month, baseline included; ``target_reached`` (sample, target) [bool]
        and ``capacity_at_target_eflops`` (sample, target) [EFLOPS].

    Raises
    ------
    ScenarioError
        More samples than the ``pipeline_samples`` limit (:mod:`sim.limits`).
    """
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    limits.check("pipeline_samples", n_samples, field="pipeline.samples")
    children = np.random.SeedSequence(seed, spawn_key=(PIPELINE_STREAM,)).spawn(int(n_samples))
    months = np.arange(
        spec.start.astype("datetime64[M]"),
        spec.end.astype("datetime64[M]") + 1,
        dtype="datetime64[M]",
    )
    m0 = months[0].astype(int)
    clusters = spec.clusters
    ci = {c: i for i, c in enumerate(clusters)}
    base = np.array([spec.baseline_eflops.get(c, 0.0) for c in clusters])
    added = np.zeros((n_samples, len(clusters), len(months)))
    targets = list(spec.targets)
    at_target = np.zeros((n_samples, len(targets)))
    tmask = [np.array([t.clusters is None or c in t.clusters for c in clusters]) for t in targets]
    for i, child in enumerate(children):
        adds = simulate_pipeline(spec, np.random.default_rng(child))
        for a in adds:
            added[i, ci[a.cluster], a.date.astype("datetime64[M]").astype(int) - m0] += (
                a.capacity_eflops
            )
            for j, t in enumerate(targets):
                if a.date <= t.date and (t.clusters is None or a.cluster in t.clusters):
                    at_target[i, j] += a.capacity_eflops
    for j, mask in enumerate(tmask):
        at_target[:, j] += base[mask].sum()
    online = np.cumsum(added, axis=-1) + base[None, :, None]
    need = np.array([t.capacity_eflops for t in targets])
    attrs = {"precision": spec.precision, "seed": int(seed)}
    return xr.Dataset(
        {
            "capacity_online_eflops": (
                ("sample", "cluster", "time"),
                online,
                {
                    "units": "EFLOPS",
                    "long_name": "capacity online at the end of the month",
                    **attrs,
                },
            ),
            "capacity_at_target_eflops": (
                ("sample", "target"),
                at_target,
                {"units": "EFLOPS", "long_name": "capacity online on the target date", **attrs},
            ),
            "target_reached": (
                ("sample", "target"),
                at_target >= need[None, :] - 1e-9,
                {"units": "1", "long_name": "target reached by its date"},
            ),
            "target_eflops": (
                ("target",),
                need,
                {"units": "EFLOPS", "long_name": "target capacity", **attrs},
            ),
        },
        coords={
            "sample": np.arange(n_samples),
            "cluster": clusters,
            "time": months.astype("datetime64[ns]"),
            "target": [t.name for t in targets],
            "target_date": ("target", np.array([t.date for t in targets], dtype="datetime64[ns]")),
        },
        attrs={"seed": int(seed), "precision": spec.precision},
    )


def monte_carlo_summary(ds: xr.Dataset, quantiles: Sequence[float] = (0.1, 0.5, 0.9)) -> xr.Dataset:
    """P10/P50/P90 of capacity online and the probability of each target.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`run_monte_carlo`.
    quantiles : sequence of float
        Quantiles in [0, 1].

    Returns
    -------
    xarray.Dataset
        ``capacity_online_eflops`` (quantile, time) [EFLOPS] summed over
        clusters, ``capacity_at_target_eflops`` (quantile, target) [EFLOPS] and
        ``target_probability`` (target) [-].
    """
    total = ds["capacity_online_eflops"].sum("cluster")
    q = list(quantiles)
    out = xr.Dataset(
        {
            "capacity_online_eflops": total.quantile(q, dim="sample"),
            "capacity_at_target_eflops": ds["capacity_at_target_eflops"].quantile(q, dim="sample"),
            "target_probability": ds["target_reached"].mean("sample"),
            "target_eflops": ds["target_eflops"],
        }
    )
    out["capacity_online_eflops"].attrs.update(
        units="EFLOPS", long_name="capacity online at the end of the month, all clusters"
    )
    out["capacity_at_target_eflops"].attrs.update(
        units="EFLOPS", long_name="capacity online on the target date"
    )
    out["target_probability"].attrs.update(
        units="1", long_name="share of samples reaching the target by its date"
    )
    out.attrs.update(ds.attrs)
    out.attrs["samples"] = int(ds.sizes["sample"])
    return out
