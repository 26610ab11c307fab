"""The ``suanli`` command (also ``python -m sim``).

A user mistake prints one line ``error: FILE:LINE: field 'PATH': ...`` on
stderr and exits with status 2; it never prints a traceback. An unexpected
internal error prints one line and exits 1 (``--debug`` shows the traceback);
Ctrl-C (SIGINT) exits 130 and SIGTERM 143, both after temporaries are removed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import __version__
from sim.scenario.errors import ScenarioError
from sim.scenario.units import allow_implausible, format_number, format_quantity

if TYPE_CHECKING:  # numpy, xarray and the layers load when a command needs them
    import numpy as np
    import xarray as xr

__all__ = ["dispatch", "main"]

_STARTED = time.monotonic()
USER_ERROR = 2
INTERNAL_ERROR = 1
INTERRUPTED = 130  # 128 + SIGINT
TERMINATED = 143  # 128 + SIGTERM

# Columns of the printed annual summary: variable, header, unit (None: a plain number).
_COLUMNS = (
    ("capacity_eflops", "capacity", "EFLOPS"),
    ("energy_twh", "energy", "TWh"),
    ("peak_facility_power_mw", "peak power", "MW"),
    ("mean_pue", "PUE", None),
    ("mean_utilization", "util", None),
)


def _cell(value: Any, unit: str | None) -> str:
    """One number as printed: significant figures by magnitude, unit scaled to the value."""
    return format_number(value) if unit is None else format_quantity(value, unit)


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Lines of a text table: the first ``left`` columns left-aligned, the others right."""
    full = [header, *(r for r in rows if r)]
    widths = [max(len(r[i]) for r in full) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            f"{c:<{w}}" if i < left else f"{c:>{w}}"
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    head = line(header)
    return [head, "-" * len(head), *(line(r) if r else "" for r in rows)]


class Progress:
    """One updating status line on stderr for work that takes more than a second.

    Silent with ``--quiet``, when stderr is not a terminal (a pipe, a log file), and
    during the first second of the command (quick commands print nothing). Calling it with a text
    shows that text with the time elapsed; :meth:`done` clears the line.
    """

    def __init__(self, args: argparse.Namespace, after_s: float = 1.0) -> None:
        self._clock = time.monotonic
        self._start = _STARTED  # the user has waited since the command started
        self._after_s = after_s
        self._on = not getattr(args, "quiet", False) and sys.stderr.isatty()
        self._shown = False
        self._last = ""

    def __call__(self, text: str) -> None:
        self._last = text
        elapsed = self._clock() - self._start
        if self._on and elapsed >= self._after_s:
            sys.stderr.write(f"\r\x1b[K{text} [{elapsed:.0f} s]")
            sys.stderr.flush()
            self._shown = True

    def done(self) -> None:
        """Clear the status line (if one was shown)."""
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._shown = False


def _plural(n: int, noun: str) -> str:
    """``1 variant``, ``0 variants``, ``3 clusters``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (its default is also 2, but prints usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(USER_ERROR)


def _overrides(items: Sequence[str] | None) -> dict[str, Any]:
    from sim.scenario.loader import parse_override

    return dict(parse_override(item) for item in items or [])


def _load(args: argparse.Namespace, variant: str | None = None):
    from sim import load_scenario  # registers the layers' sections (jobs, embodied, water)
    from sim.scenario.hourly import allow_files

    overrides = _overrides(args.set)
    # a file the user names on the command line may lie outside the scenario's folder
    named = [str(v) for k, v in overrides.items() if k.endswith(".file")]
    with allow_files(named):
        return load_scenario(args.scenario, overrides=overrides, variant=variant)


def _table(summary: xr.Dataset, precision: str) -> str:
    clusters = [str(c) for c in summary["cluster"].values]
    total = _totals(summary)
    rows: list[list[str]] = []
    for y, year in enumerate(summary["year"].values):
        for c, name in enumerate(clusters):
            cells = [_cell(summary[v].values[c, y], u) for v, _, u in _COLUMNS]
            rows.append([str(int(year)), name, *cells])
        rows.append([str(int(year)), "total", *(_cell(total[v][y], u) for v, _, u in _COLUMNS)])
        rows.append([])
    lines = _grid(["year", "cluster", *(h for _, h, _ in _COLUMNS)], rows, left=2)
    lines.append(f"capacity at year end in {precision}; PUE energy-weighted; util time-mean")
    return "\n".join(lines)


def _totals(summary: xr.Dataset) -> dict[str, np.ndarray]:
    """Totals over clusters. Peak is the sum of cluster peaks (an upper bound of the
    coincident peak, which needs the hourly data)."""
    e = summary["energy_twh"].values.sum(axis=0)
    it = summary["it_energy_twh"].values.sum(axis=0)
    import numpy as np

    with np.errstate(invalid="ignore", divide="ignore"):
        pue = np.where(it > 0, e / it, np.nan)
    return {
        "capacity_eflops": summary["capacity_eflops"].values.sum(axis=0),
        "energy_twh": e,
        "peak_facility_power_mw": summary["peak_facility_power_mw"].values.sum(axis=0),
        "mean_pue": pue,
        "mean_utilization": summary["mean_utilization"].values.mean(axis=0),
    }


def _summary_json(summary: xr.Dataset, ds: xr.Dataset) -> dict[str, Any]:
    out: dict[str, Any] = {
        "scenario": ds.attrs.get("scenario"),
        "variant": ds.attrs.get("variant") or None,
        "precision": ds.attrs.get("precision"),
        "units": {v: summary[v].attrs.get("units") for v in summary.data_vars},
        "years": {},
    }
    for y, year in enumerate(summary["year"].values):
        block = {}
        for c, name in enumerate(summary["cluster"].values):
            block[str(name)] = {
                v: _num(summary[v].values[c, y])
                for v in summary.data_vars
                if summary[v].dims == ("cluster", "year")
            }
        out["years"][str(int(year))] = block
    from sim.results.tables import operations_json

    ops = operations_json(summary)
    if ops:
        out["operations"] = ops
    from sim.results.tables import kinds_json

    out["kinds"] = kinds_json(summary)
    return out


def _num(x: Any) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _cmd_run(args: argparse.Namespace) -> int:
    import sim
    from sim.results.export import OUT_FORMATS, PLOT_FORMATS, check_suffix, size_text, write_results

    if args.out:  # a wrong extension is a mistake found before the run, not after
        check_suffix(args.out, OUT_FORMATS, "--out")
    if args.plot:
        check_suffix(args.plot, PLOT_FORMATS, "--plot")
    scenario = _load(args, args.variant)
    ds = sim.run(scenario)
    summary = sim.summarize(ds)
    if args.out:
        _guard_write(lambda: write_results(ds, args.out, summary, annual=args.summary), args.out)
    if args.plot:
        from sim.results.plots import plot_run

        _guard_write(lambda: plot_run(ds, summary, args.plot), args.plot)
    if args.json:
        print(json.dumps(_summary_json(summary, ds), indent=2, ensure_ascii=False))
    else:
        title = scenario.name + (f" [variant {scenario.variant}]" if scenario.variant else "")
        print(title)
        print(_table(summary, scenario.reporting_precision))
        from sim.results.tables import kinds_table

        print()
        print(kinds_table(summary))
        from sim.results.tables import operations_table

        ops = operations_table(summary, ds)
        if ops:
            print()
            print(ops)
        from sim.results.summary import footprint_table

        footprint = footprint_table(summary)
        if footprint:
            print()
            print(footprint)
        for what, path in (("results", args.out), ("chart", args.plot)):
            if path:
                print(f"{what} written to {path} ({size_text(path)})")
    return 0


def _guard_write(write: Any, path: str) -> None:
    try:
        write()
    except OSError as exc:
        raise ScenarioError(f"cannot write output: {exc.strerror or exc}", file=path) from None


def _cmd_validate(args: argparse.Namespace) -> int:
    scenario = _load(args, args.variant)
    # every variant is applied and checked too (with the same --set overrides)
    names = [] if args.variant else list(scenario.variants())
    for name in names:
        _load(args, name)
    print(
        f"ok: {args.scenario}: '{scenario.name}', {_plural(len(scenario.clusters), 'cluster')}, "
        f"{_plural(scenario.horizon.n_steps, 'step')} of {scenario.horizon.step_h:g} h, "
        f"{_plural(len(scenario.variants()), 'variant')}" + (" (each checked)" if names else "")
    )
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    import sim

    base = _load(args)
    names: list[str | None] = [None, *base.variants()]
    rows = []
    progress = Progress(args)
    for i, name in enumerate(names):
        progress(f"compare: variant {i + 1} of {len(names)} ({name or 'base'})")
        scenario = base if name is None else _load(args, name)
        summary = sim.summarize(sim.run(scenario))
        last = -1
        totals = _totals(summary)
        rows.append(
            {
                "variant": name or "(base)",
                "year": int(summary["year"].values[last]),
                "capacity_eflops": float(totals["capacity_eflops"][last]),
                "precision": scenario.reporting_precision,
                "energy_twh": float(totals["energy_twh"][last]),
                "peak_mw": float(totals["peak_facility_power_mw"][last]),
                "mean_pue": _num(totals["mean_pue"][last]),
                "description": "" if name is None else base.variants()[name],
                **_operations_totals(summary, last),
            }
        )
    progress.done()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    print(f"{base.name}: last simulated year, all clusters")
    extra = [k for k in _OPS_COLUMNS if k in rows[0]]
    header = ["variant", "year", "capacity", "energy", "peak power", "PUE"]
    table = [
        [
            r["variant"],
            str(r["year"]),
            f"{format_quantity(r['capacity_eflops'], 'EFLOPS')} {r['precision']}",
            format_quantity(r["energy_twh"], "TWh"),
            format_quantity(r["peak_mw"], "MW"),
            format_number(r["mean_pue"]),
            *(_OPS_COLUMNS[k][1](r[k]) if r[k] is not None else "-" for k in extra),
        ]
        for r in rows
    ]
    print("\n".join(_grid(header + [_OPS_COLUMNS[k][0] for k in extra], table)))
    return 0


def app_path() -> Path:
    """The Streamlit entry script, ``app/streamlit_app.py`` beside the package."""
    return Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py"


def _cmd_app(args: argparse.Namespace) -> int:
    import importlib.util

    script = app_path()
    if not script.is_file():
        raise ScenarioError(
            "the app is not installed here (run from a source checkout)", file=str(script)
        )
    if importlib.util.find_spec("streamlit") is None:
        raise ScenarioError(
            "streamlit is not installed; install the app extra: pip install -e '.[app]'"
        )
    cmd = [sys.executable, "-m", "streamlit", "run", str(script)]
    cmd += ["--server.port", str(args.port), "--server.address", args.address]
    cmd += ["--server.maxUploadSize", "1", "--browser.gatherUsageStats", "false"]
    cmd += ["--client.toolbarMode", "minimal"]
    if args.headless:
        cmd += ["--server.headless", "true"]
    extra = list(args.streamlit_args or [])
    cmd += extra[1:] if extra[:1] == ["--"] else extra
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    sys.stdout.flush()
    sys.stderr.flush()
    # streamlit takes this process over: signals (Ctrl-C, SIGTERM) reach it directly
    os.execve(sys.executable, cmd, env)
    return 0  # not reached


def _percent(share: float) -> str:
    """A share as a percentage with three significant figures: ``57.6 %``."""
    return f"{format_number(100 * share)} %"


#: Operations columns of ``suanli compare`` (header, formatter), when the scenario has them.
_OPS_COLUMNS = {
    "unmet_share": ("unmet", _percent),
    "east_in_west_share": ("east->west", _percent),
    "carbon_mt": ("carbon", lambda v: format_quantity(v, "MtCO2")),
    "cost_bn_cny": ("cost", lambda v: format_quantity(v, "bn CNY")),
    "renewable_share": ("renewables", _percent),
    "water_mm3": ("water", lambda v: format_quantity(v, "million m3")),
    "embodied_carbon_mt": ("embodied", lambda v: format_quantity(v, "MtCO2")),
}


def _operations_totals(summary: xr.Dataset, last: int) -> dict[str, Any]:
    """Last-year operations totals over clusters (empty without operations)."""
    out: dict[str, Any] = {}
    if "class_unmet_mean_eflops" in summary:
        d = float(summary["class_demand_mean_eflops"].values[:, last].sum())
        u = float(summary["class_unmet_mean_eflops"].values[:, last].sum())
        out["unmet_share"] = u / d if d > 0 else None
        out["east_in_west_share"] = _num(summary["east_served_in_west_share"].values[last])
    if "carbon_tco2" in summary:
        out["carbon_mt"] = float(summary["carbon_tco2"].values[:, last].sum()) / 1e6
        out["cost_bn_cny"] = float(summary["cost_cny"].values[:, last].sum()) / 1e9
        e = summary["energy_twh"].values[:, last]
        share = summary["renewable_share"].values[:, last]
        out["renewable_share"] = float((share * e).sum() / e.sum()) if e.sum() > 0 else None
    # water (NaN for clusters without a water section: not modelled, left out of the total)
    if "water_m3" in summary:
        water = [float(v) for v in summary["water_m3"].values[:, last] if not math.isnan(v)]
        out["water_mm3"] = sum(water) / 1e6
    if "embodied_carbon_tco2" in summary:
        out["embodied_carbon_mt"] = (
            float(summary["embodied_carbon_tco2"].values[:, last].sum()) / 1e6
        )
    return out


def _cmd_pipeline(args: argparse.Namespace) -> int:
    from sim.buildout.commission import pipeline_spec
    from sim.buildout.pipeline import monte_carlo_summary, run_monte_carlo
    from sim.scenario.pipeline_spec import pipeline_samples

    scenario = _load(args, args.variant)
    spec = pipeline_spec(scenario)
    samples = args.seeds if args.seeds is not None else pipeline_samples(scenario)
    if samples < 1:
        raise ScenarioError("--seeds must be >= 1", given=samples)
    seed = scenario.seed if args.seed is None else args.seed
    if seed < 0:
        raise ScenarioError("--seed must be >= 0", given=seed)
    ds = run_monte_carlo(spec, seed, samples)
    summ = monte_carlo_summary(ds)
    if args.out:
        from sim.results.export import STORE_FORMATS, check_suffix, write_results

        check_suffix(args.out, STORE_FORMATS, "--out")
        _guard_write(lambda: write_results(ds, args.out), args.out)
    online = summ["capacity_online_eflops"]
    years = sorted({int(str(t)[:4]) for t in online["time"].values})
    year_end = {
        y: online.sel(time=online["time"].dt.year == y).isel(time=-1).values.tolist() for y in years
    }
    targets = [
        {
            "target": str(name),
            "date": str(ds["target_date"].values[j])[:10],
            "capacity_eflops": float(ds["target_eflops"].values[j]),
            "p10_p50_p90_eflops": summ["capacity_at_target_eflops"]
            .sel(target=name)
            .values.tolist(),
            "probability": float(summ["target_probability"].values[j]),
        }
        for j, name in enumerate(ds["target"].values)
    ]
    if args.json:
        out = {
            "scenario": scenario.name,
            "variant": scenario.variant,
            "precision": scenario.reporting_precision,
            "samples": samples,
            "seed": seed,
            "year_end_p10_p50_p90_eflops": {str(y): v for y, v in year_end.items()},
            "targets": targets,
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    title = scenario.name + (f" [variant {scenario.variant}]" if scenario.variant else "")
    print(title)
    print(
        f"build-out pipeline: {samples} samples, seed {seed}, capacity in "
        f"{scenario.reporting_precision} EFLOPS, all clusters"
    )
    print(f"{'year end':>8} {'P10':>10} {'P50':>10} {'P90':>10}")
    for y, (p10, p50, p90) in year_end.items():
        print(f"{y:>8} {p10:>10.2f} {p50:>10.2f} {p90:>10.2f}")
    for t in targets:
        p10, p50, p90 = t["p10_p50_p90_eflops"]
        print(
            f"target {t['target']}: {t['capacity_eflops']:g} EFLOPS by {t['date']}: "
            f"P10/P50/P90 {p10:.2f}/{p50:.2f}/{p90:.2f}, probability {t['probability']:.3f}"
        )
    if args.out:
        print(f"samples written to {args.out}")
    return 0


def _cmd_jobs(args: argparse.Namespace) -> int:
    from sim.jobs.run import run_jobs

    scenario = _load(args, args.variant)
    if args.seed is not None and args.seed < 0:
        raise ScenarioError("--seed must be >= 0", given=args.seed)
    progress = Progress(args)
    hours = scenario.sections["jobs"].hours if "jobs" in scenario.sections else 0.0
    ds = run_jobs(
        scenario,
        seed=args.seed,
        policy=args.policy,
        trace=args.trace,
        progress=lambda h: progress(f"jobs: simulated hour {h:,.0f} of {hours:,.0f}"),
    )
    progress.done()
    if args.out:
        from sim.results.export import STORE_FORMATS, check_suffix, write_results

        check_suffix(args.out, STORE_FORMATS, "--out")
        _guard_write(lambda: write_results(ds, args.out), args.out)
    q = [float(x) for x in ds["quantile"].values]
    pick = [x for x in (0.5, 0.9, 0.99) if x in q]
    classes = {}
    for name in ds["job_class"].values:
        row = ds.sel(job_class=name)
        classes[str(name)] = {
            "jobs": int(row["jobs"]),
            "mean_wait_h": _num(row["mean_wait_h"]),
            **{f"p{round(x * 100)}_wait_h": _num(row["wait_h"].sel(quantile=x)) for x in pick},
            "sla_violation_share": _num(row["sla_violation_share"]),
            "offloaded_jobs": int(row["offloaded_jobs"]),
        }
    hours = slice(0, math.ceil(ds.attrs["horizon_h"]))
    clusters = {}
    for name in ds["cluster"].values:
        row = ds.sel(cluster=name)
        clusters[str(name)] = {
            "mean_utilization": _num(row["mean_utilization"]),
            "offered_utilization": _num(row["offered_utilization"]),
            "energy_mwh": float(row["energy_mwh"].isel(time=hours).sum()),
            "carbon_tco2": float(row["carbon_tco2"].isel(time=hours).sum()),
        }
    if args.json:
        out = {
            "scenario": scenario.name,
            "policy": ds.attrs["policy"],
            "seed": ds.attrs["seed"],
            "hours": ds.attrs["horizon_h"],
            "jobs": ds.attrs["n_jobs"],
            "classes": classes,
            "clusters": clusters,
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    print(
        f"{scenario.name}: {_plural(ds.attrs['n_jobs'], 'job')} over "
        f"{ds.attrs['horizon_h']:g} h{_hours_note(scenario, ds)}, "
        f"policy {ds.attrs['policy']}, seed {ds.attrs['seed']}"
    )
    waits = [f"p{round(x * 100)}_wait_h" for x in pick]
    table = [
        [
            name,
            f"{c['jobs']:,}",
            *(format_number(c[k]) for k in ("mean_wait_h", *waits)),
            format_number(c["sla_violation_share"]),
            f"{c['offloaded_jobs']:,}",
        ]
        for name, c in classes.items()
    ]
    heads = [f"P{round(x * 100)} h" for x in pick]
    print("\n".join(_grid(["class", "jobs", "mean h", *heads, "SLA miss", "offload"], table)))
    table = [
        [
            name,
            format_number(c["mean_utilization"]),
            format_number(c["offered_utilization"]),
            format_quantity(c["energy_mwh"], "MWh"),
            format_quantity(c["carbon_tco2"], "tCO2"),
        ]
        for name, c in clusters.items()
    ]
    print("\n".join(_grid(["cluster", "util", "offered", "energy", "carbon"], table)))
    if args.out:
        print(f"results written to {args.out}")
    return 0


def _cmd_check_record(args: argparse.Namespace) -> int:
    from sim.record import check_record, record_table

    checks = check_record(args.dir) if args.dir else check_record()
    if args.json:
        rows = [
            {
                "name": c.name,
                "unit": c.unit,
                "published": c.published,
                "simulated": c.simulated,
                "error": c.error,
                "tolerance": c.tolerance,
                "ok": c.ok,
                "source": c.source,
            }
            for c in checks
        ]
        print(json.dumps(rows, indent=1))
    else:
        print(record_table(checks))
    return 0 if all(c.ok for c in checks) else 1


def _hours_note(scenario: Any, ds: xr.Dataset) -> str:
    """`` (jobs.hours; the horizon has 744 h)`` when the jobs span is not the horizon."""
    horizon_h = len(scenario.horizon.times()) * scenario.horizon.step_h
    if math.isclose(ds.attrs["horizon_h"], horizon_h):
        return ""
    return f" (jobs.hours; the scenario horizon has {horizon_h:g} h)"


def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from sim.scenario.schema import json_schema, markdown_table

    print(
        json.dumps(json_schema(), indent=1, ensure_ascii=False) if args.json else markdown_table()
    )
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.sweeps.execute import execute
    from sim.sweeps.spec import load_sweep

    spec = load_sweep(args.sweep)
    if args.workers is not None and args.processes is not None:
        raise ScenarioError("give --workers (Dask) or --processes (local), not both")
    if args.scheduler or args.workers is not None:
        executor = "dask"
    elif args.serial:
        executor = "serial"
    else:
        executor = "processes"
    workers = args.workers if executor == "dask" else args.processes
    for flag, value in (("--workers", args.workers), ("--processes", args.processes)):
        if value is not None and value < 1:
            raise ScenarioError(f"{flag} must be >= 1", given=value)
    out = Path(args.out or Path("results") / "sweeps" / f"{Path(args.sweep).stem}.zarr")
    if spec.raw is not None and "demand" in spec.raw:
        print(
            "note: the base scenario dispatches demand: each sample runs sim.run with "
            "dispatch (not vectorised); 'dispatch: false' in the sweep gives the "
            "vectorised layer-2 baseline",
            file=sys.stderr,
        )
    print(
        f"{spec.name}: {spec.method}, {spec.n_samples} samples in {spec.n_chunks} chunks "
        f"of {spec.chunk_size}, executor {executor}" + (f" ({workers})" if workers else ""),
        file=sys.stderr,
    )
    try:
        ds = execute(
            spec,
            out,
            executor=executor,
            workers=workers,
            scheduler=args.scheduler,
            resume=args.resume,
            overwrite=args.overwrite,
            progress=not args.no_progress,
        )
    except OSError as exc:
        raise ScenarioError(
            f"cannot write the store: {exc.strerror or exc}", file=str(out)
        ) from None
    except KeyboardInterrupt:
        from sim.sweeps.store import committed_chunks

        done = len(committed_chunks(out))
        print(
            f"interrupted: {done} of {spec.n_chunks} chunks committed in {out}; "
            "continue with --resume",
            file=sys.stderr,
        )
        return 130
    _print_quantiles(ds)
    print(f"results written to {out}")
    return 0


def _print_quantiles(ds: xr.Dataset) -> None:
    from sim.sweeps.stats import quantiles, sensitivity_target

    target = sensitivity_target(ds)
    q = quantiles(ds)
    name = "energy_twh_total" if "energy_twh_total" in q else ds.attrs.get("sensitivity", "y")
    da = q[name]
    units = da.attrs.get("units", "")
    qs = [float(v) for v in da["quantile"].values]
    head = "".join(f"{'p' + format(100 * v, 'g'):>12}" for v in qs)
    print(f"{da.attrs.get('long_name', name)} [{units}], quantiles over samples")
    if "year" in da.dims:
        print(f"{'year':>6}{head}")
        for y in range(da.sizes["year"]):
            cells = "".join(f"{float(da.values[i, y]):>12.4g}" for i in range(len(qs)))
            print(f"{int(da['year'].values[y]):>6}{cells}")
    else:
        print(f"{'':>6}{head}")
        print(f"{'':>6}" + "".join(f"{float(v):>12.4g}" for v in da.values))
    if "coincident_peak_facility_power_mw" in q and "year" in target.dims:
        pk = q["coincident_peak_facility_power_mw"]
        last = int(pk["year"].values[-1])
        cells = ", ".join(
            f"p{100 * float(qq):g} {float(v):.1f}"
            for qq, v in zip(qs, pk.values[:, -1], strict=True)
        )
        print(f"coincident peak facility power {last} [MW]: {cells}")


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.sweeps.report import report
    from sim.sweeps.store import open_store

    ds = open_store(args.store).load()
    store = Path(args.store)
    out_dir = Path(args.out) if args.out else store.parent
    stem = store.name.removesuffix(".zarr")
    try:
        rep = report(ds, None if args.no_plots else out_dir, stem=stem)
    except OSError as exc:
        raise ScenarioError(
            f"cannot write charts: {exc.strerror or exc}", file=str(out_dir)
        ) from None
    sens = rep["sensitivity"]
    if args.json:
        out = {
            "sweep": ds.attrs.get("sweep"),
            "method": ds.attrs.get("method"),
            "samples_done": rep["samples_done"],
            "samples": int(ds.sizes["sample"]),
            "quantiles": _jsonable(rep["quantiles"].to_dict(data="list")),
            "sensitivity": _jsonable(sens.to_dict(data="list")),
            "plots": [str(p) for p in rep["plots"]],
        }
        print(json.dumps(out, indent=1, ensure_ascii=False))
        return 0
    complete = "complete" if ds.attrs.get("complete") else "INCOMPLETE (run sweep --resume)"
    print(
        f"{ds.attrs.get('sweep')}: {ds.attrs.get('method')}, "
        f"{rep['samples_done']}/{ds.sizes['sample']} samples, {complete}"
    )
    _print_quantiles(ds.isel(sample=slice(None)))
    target = ds.attrs.get("sensitivity", "y")
    import xarray as xr

    if isinstance(sens, xr.Dataset):
        last = sens.isel(year=-1) if "year" in sens.dims else sens
        when = f" in {int(sens['year'].values[-1])}" if "year" in sens.dims else ""
        print(f"Sobol indices of {target}{when} (95 % confidence half-width)")
        width = max(len(str(p)) for p in last["parameter"].values)
        print(f"{'parameter':<{width}}  {'S1':>14}  {'ST':>14}")
        for i, p in enumerate(last["parameter"].values):
            s1 = f"{float(last['S1'][i]):.3f} ±{float(last['S1_conf'][i]):.3f}"
            st = f"{float(last['ST'][i]):.3f} ±{float(last['ST_conf'][i]):.3f}"
            print(f"{p!s:<{width}}  {s1:>14}  {st:>14}")
    else:
        last = sens.isel(year=-1) if "year" in sens.dims else sens
        print(f"Spearman rank correlation with {target} (screening)")
        for i, p in enumerate(last["parameter"].values):
            print(f"  {p!s}: {float(last.values[i]):+.3f}")
    for path in rep["plots"]:
        print(f"chart written to {path}")
    return 0


def _jsonable(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, np.datetime64):
        return str(obj)
    return obj


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``suanli``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an unexpected internal error",
    )
    common.add_argument(
        "--limit",
        action="append",
        metavar="NAME=VALUE",
        default=argparse.SUPPRESS,
        help="raise a work limit (README: Reliability), e.g. horizon_cells=50000000",
    )
    parser = _Parser(
        prog="suanli",
        description="suanli (算力): compute build-out, power and energy",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"suanli {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=lambda **kw: _Parser(parents=[common], **kw)
    )

    def scenario_args(p: argparse.ArgumentParser, variant: bool = True) -> None:
        p.add_argument("scenario", help="scenario YAML file")
        p.add_argument(
            "--set",
            action="append",
            metavar="PATH=VALUE",
            help="override a field by dotted path, e.g. clusters.site-a.pue=1.3",
        )
        if variant:
            p.add_argument("--variant", help="apply a named variant from the scenario's variants:")
        p.add_argument(
            "--quiet", action="store_true", help="no progress line on stderr (also when piped)"
        )
        p.add_argument(
            "--allow-implausible",
            action="store_true",
            help="accept values outside their field's plausible range (suanli schema lists them)",
        )

    p_run = sub.add_parser("run", help="simulate a scenario and print the annual summary")
    scenario_args(p_run)
    p_run.add_argument(
        "--out",
        help="write the results; the extension picks the format: .nc (compressed NetCDF), "
        ".zarr, .csv or .parquet (tidy, one row per cluster and step), .xlsx (annual sheets)",
    )
    p_run.add_argument(
        "--summary",
        action="store_true",
        help="with --out .csv or .parquet: the annual summary, one row per cluster and year",
    )
    p_run.add_argument("--plot", help="write a chart of the results: .png, .svg or .pdf")
    p_run.add_argument("--json", action="store_true", help="print the summary as JSON")
    p_run.set_defaults(func=_cmd_run)

    p_val = sub.add_parser("validate", help="check a scenario without running it")
    scenario_args(p_val)
    p_val.set_defaults(func=_cmd_validate)

    p_cmp = sub.add_parser("compare", help="run the scenario and each of its variants side by side")
    scenario_args(p_cmp, variant=False)
    p_cmp.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p_cmp.set_defaults(func=_cmd_compare)

    p_sweep = sub.add_parser(
        "sweep", help="run a grid, Monte Carlo or Sobol sweep into a Zarr store"
    )
    p_sweep.add_argument("sweep", help="sweep YAML file (scenarios/sweeps/)")
    p_sweep.add_argument("--out", help="Zarr store to write (default results/sweeps/NAME.zarr)")
    p_sweep.add_argument(
        "--processes", type=int, help="local worker processes (default: one per CPU)"
    )
    p_sweep.add_argument(
        "--serial", action="store_true", help="compute in this process, no workers"
    )
    p_sweep.add_argument(
        "--workers", type=int, help="start a Dask LocalCluster on loopback with N workers"
    )
    p_sweep.add_argument("--scheduler", help="use an existing Dask scheduler, tcp://HOST:PORT")
    p_sweep.add_argument(
        "--resume", action="store_true", help="continue an interrupted store, skipping done chunks"
    )
    p_sweep.add_argument("--overwrite", action="store_true", help="replace an existing store")
    p_sweep.add_argument("--no-progress", action="store_true", help="no progress bar")
    p_sweep.set_defaults(func=_cmd_sweep)

    p_rep = sub.add_parser(
        "report", help="quantiles, sensitivity indices and charts of a sweep store"
    )
    p_rep.add_argument("store", help="Zarr store written by 'suanli sweep'")
    p_rep.add_argument("--out", help="directory for the PNG charts (default: beside the store)")
    p_rep.add_argument("--no-plots", action="store_true", help="print only, write no charts")
    p_rep.add_argument("--json", action="store_true", help="print the report as JSON")
    p_rep.set_defaults(func=_cmd_report)

    p_app = sub.add_parser(
        "app",
        help="start the Streamlit what-if app (streamlit run app/streamlit_app.py)",
        description="Start the what-if app. Options after -- go to 'streamlit run', "
        "e.g. suanli app -- --theme.base dark",
    )
    p_app.add_argument("--port", type=int, default=8501, help="port to serve on (8501)")
    p_app.add_argument("--address", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p_app.add_argument("--headless", action="store_true", help="do not open a browser window")
    p_app.add_argument("streamlit_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p_app.set_defaults(func=_cmd_app)

    p_pipe = sub.add_parser(
        "pipeline", help="Monte Carlo of the build-out pipeline: P10/P50/P90 and target odds"
    )
    scenario_args(p_pipe)
    p_pipe.add_argument(
        "--seeds", type=int, help="number of samples (default: the scenario's pipeline.samples)"
    )
    p_pipe.add_argument("--seed", type=int, help="root seed (default: the scenario's seed)")
    p_pipe.add_argument(
        "--out", help="write every sample's capacity online by month (.nc or .zarr)"
    )
    p_pipe.add_argument("--json", action="store_true", help="print the result as JSON")
    p_pipe.set_defaults(func=_cmd_pipeline)

    p_jobs = sub.add_parser(
        "jobs", help="job-level simulation of the scenario's jobs: section (waits, SLA, energy)"
    )
    scenario_args(p_jobs)
    p_jobs.add_argument("--seed", type=int, help="root seed (default: the scenario's seed)")
    p_jobs.add_argument("--policy", help="e.g. fifo, sjf_backfill+carbon_aware, fifo+offload")
    p_jobs.add_argument("--trace", help="replay a CSV trace instead of generating jobs")
    p_jobs.add_argument("--out", help="write the results (.nc or .zarr)")
    p_jobs.add_argument("--json", action="store_true", help="print the result as JSON")
    p_jobs.set_defaults(func=_cmd_jobs)

    p_rec = sub.add_parser(
        "check-record",
        help="rebuild published figures from their inputs and print published vs simulated "
        "(exit 1 when one is out of its tolerance)",
    )
    p_rec.add_argument("--dir", default=None, help="folder with record.yaml (default validation/)")
    p_rec.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_rec.set_defaults(func=_cmd_check_record)
    p_schema = sub.add_parser("schema", help="print every scenario field with unit and default")
    p_schema.add_argument(
        "--json", action="store_true", help="print it as JSON Schema (for YAML language servers)"
    )
    p_schema.set_defaults(func=_cmd_schema)
    return parser


class Terminated(SystemExit):
    """Raised in the main thread on SIGTERM, so that cleanups (``finally``) run."""


_received: list[int] = []  # signals seen during the current command


def _on_signal(signum: int, frame: Any) -> None:
    """SIGINT raises KeyboardInterrupt and SIGTERM :class:`Terminated`; either is
    remembered, so that code which swallows the exception still exits 130/143."""
    _received.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(TERMINATED)


def _input_file(args: argparse.Namespace) -> str | None:
    """The file the command reads, to name in a message that has none."""
    return next(
        (str(v) for k in ("scenario", "sweep", "store") if (v := getattr(args, k, None))), None
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status.

    0 done, 1 internal error (one line; ``--debug`` for the traceback), 2 user
    mistake (one line naming file, field, given, expected), 130 interrupted
    (SIGINT), 143 terminated (SIGTERM).
    """
    try:
        args = build_parser().parse_args(argv)
    except BrokenPipeError:  # `suanli --help | head -1`
        return _closed_pipe()
    return dispatch(args)


def _warning_printer(file: str | None) -> Any:
    """``warnings.showwarning`` that prints one line: ``warning: FILE: field 'PATH': ...``."""

    def show(message: Warning | str, *args: Any, **kwargs: Any) -> None:
        print(f"warning: {file + ': ' if file else ''}{message}", file=sys.stderr)

    return show


def _closed_pipe() -> int:
    """The reader (`suanli ... | head`) has gone: stop quietly, as Unix tools do.

    stdout then points at /dev/null, so that the exit-time flush cannot fail again.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 128 + signal.SIGPIPE


def dispatch(args: argparse.Namespace) -> int:
    """Run a parsed command; every outcome is an exit status and at most one line
    on stderr (see :func:`main`)."""
    debug = getattr(args, "debug", False)
    _received.clear()
    in_main = threading.current_thread() is threading.main_thread()  # signals need it
    sigs = (signal.SIGINT, signal.SIGTERM) if in_main else ()
    previous = {sig: signal.signal(sig, _on_signal) for sig in sigs}
    try:
        from sim.scenario.limits import set_limit

        for item in getattr(args, "limit", None) or []:
            set_limit(item)
        implausible = getattr(args, "allow_implausible", False)
        with warnings.catch_warnings(), allow_implausible(implausible):
            warnings.showwarning = _warning_printer(_input_file(args))
            status = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except ScenarioError as err:
        print(f"error: {err.located(_input_file(args))}", file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except Terminated:
        print("terminated", file=sys.stderr)
        return TERMINATED
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:
        if debug:
            raise
        text = (str(exc).splitlines() or [""])[0][:300]
        print(
            f"internal error: {type(exc).__name__}: {text} (a bug: run again with --debug "
            "for the traceback and report it with the input)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if signal.SIGINT in _received:
        return INTERRUPTED
    if signal.SIGTERM in _received:
        return TERMINATED
    return status


if __name__ == "__main__":
    sys.exit(main())
