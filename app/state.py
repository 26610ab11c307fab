"""Cached loaders and runs, and the sidebar every page shares.

The sidebar leaves the current what-if in ``st.session_state["current"]``
(a :class:`Current`); the pages read it. Runs are cached by (scenario file,
its modification stamp, variant, overrides), so a slider moved back to an
earlier value costs nothing, and the unmodified scenario is run once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
import xarray as xr
import yaml
from texts import LANGUAGES, choices, lang, lang_key, t
from whatif import (
    DISPATCH_OBJECTIVES,
    DISPATCH_POLICIES,
    Settings,
    bundle,
    defaults,
    dispatch_defaults,
    dispatching,
    error_text,
    overrides,
    plain,
    scenario_yaml,
    zh_texts,
)

import sim
from sim.scenario.errors import ScenarioError
from sim.scenario.inputs import self_contained

__all__ = [
    "Current",
    "current",
    "dataset",
    "display",
    "load",
    "results",
    "shipped",
    "sidebar",
]

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
#: Shown first: the default scenario, then the Zhejiang reconciliation.
PREFERRED = ("east_data_west_compute.yaml", "zhejiang_2025.yaml", "minimal.yaml")
#: Largest accepted upload [byte] (1 MB).
UPLOAD_LIMIT = 1024 * 1024
#: Name of every upload folder in the system temporary directory: prefix, server pid, random.
UPLOAD_PREFIX = "suanli-upload-"
WIDGET_PREFIX = "w_"


@dataclass(frozen=True)
class Source:
    """A scenario file: shipped, or an upload copied to a temporary file."""

    path: str
    stamp: str  # modification time or content hash: part of every cache key
    shown_as: str  # the name to show in messages


@dataclass
class Current:
    """The what-if the sidebar describes."""

    source: Source
    variant: str | None
    info: dict[str, Any]
    settings: Settings
    overrides: dict[str, Any]
    year: int
    base: dict[str, Any] = field(repr=False)
    results: dict[str, Any] = field(repr=False)
    scope: str | None = None  # the one cluster the sliders change; None: all

    def describe(self) -> str:
        """The changed settings, and where they apply."""
        text = self.settings.describe()
        return f"{text} ({self.scope})" if text and self.scope else text

    @property
    def modified(self) -> bool:
        return bool(self.overrides)


# ---------------------------------------------------------------------------
# Cached pieces


@st.cache_data(show_spinner=False)
def shipped(directory: str = str(SCENARIO_DIR)) -> list[str]:
    """Shipped scenario files, the default first."""
    files = sorted(Path(directory).glob("*.yaml"))
    rank = {name: i for i, name in enumerate(PREFERRED)}
    files.sort(key=lambda p: (rank.get(p.name, len(rank)), p.name))
    return [str(p) for p in files]


def shipped_source(path: str) -> Source:
    p = Path(path)
    return Source(str(p), str(p.stat().st_mtime_ns), p.name)


class UploadFolder:
    """A temporary folder for one session's uploads, removed with the session.

    The session's state holds it; when Streamlit drops an ended session (or the
    server exits) the finalizer deletes the folder. The server's pid in the name
    lets :func:`remove_stale_uploads` find folders of servers that were killed.
    """

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"{UPLOAD_PREFIX}{os.getpid()}-"))
        self.remove = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)


def remove_stale_uploads(directory: str | None = None) -> list[Path]:
    """Delete upload folders left by app servers that no longer run; return them.

    A folder names its server's pid; one without (older versions) is removed
    when it is over a day old.
    """
    removed = []
    for folder in Path(directory or tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"):
        pid, sep, _ = folder.name[len(UPLOAD_PREFIX) :].partition("-")
        if sep and pid.isdigit():
            stale = not _running(int(pid))
        else:
            stale = time.time() - folder.stat().st_mtime > 86_400
        if stale and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


remove_stale_uploads()  # once per server process, at start-up


def upload_source(name: str, data: bytes) -> Source:
    """Keep an upload in this session's folder, under its content hash."""
    digest = hashlib.sha256(data).hexdigest()
    holder = st.session_state.get("_upload_folder")
    if holder is None or not holder.path.is_dir():
        holder = st.session_state["_upload_folder"] = UploadFolder()
    shown_as = re.sub(r"[^\w.\-]", "_", Path(name).name) or "upload.yaml"
    path = holder.path / digest[:16] / shown_as
    if not path.is_file():
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    return Source(str(path), digest, shown_as)


def is_upload(path: str) -> bool:
    """True for a file in an upload folder (an untrusted scenario)."""
    tmp = Path(tempfile.gettempdir()).resolve()
    resolved = Path(path).resolve()
    return resolved.is_relative_to(tmp) and resolved.relative_to(tmp).parts[0].startswith(
        UPLOAD_PREFIX
    )


def _trust(path: str) -> contextlib.AbstractContextManager:
    """An upload may not read any other file (:func:`sim.inputs.self_contained`)."""
    return self_contained() if is_upload(path) else contextlib.nullcontext()


def _message(err: Exception, path: str, shown_as: str = "") -> str:
    """One line for the page, naming the file as the user knows it. An unexpected
    failure of an upload shows only its type: never a server path or file text."""
    shown_as = shown_as or Path(path).name
    if isinstance(err, ScenarioError):
        return error_text(err.located(path), path, shown_as)
    if is_upload(path):
        return f"the simulation failed ({type(err).__name__}); please report it with the scenario"
    text = f"{type(err).__name__}: {err}".replace(path, shown_as).splitlines()[0]
    return f"the simulation failed ({text}); please report it with the scenario"


@st.cache_data(show_spinner=False, max_entries=32)
def load(path: str, stamp: str, variant: str | None, shown_as: str) -> dict[str, Any]:
    """Scenario facts the sidebar needs, or ``{"error": one line}``.

    ``zh`` holds the optional Chinese display texts of the scenario (``name_zh``,
    ``description_zh``), its clusters and variants; :func:`display` picks them in
    中文 mode.
    """
    try:
        with _trust(path):
            scenario = sim.load_scenario(path, variant=variant)
        raw = scenario.raw
        return {
            "error": None,
            "name": scenario.name,
            "description": scenario.description,
            "variants": scenario.variants(),
            "raw": raw,
            "defaults": defaults(raw),
            "precision": scenario.reporting_precision,
            "clusters": scenario.cluster_names,
            "dispatch": dispatching(raw),
            "zh": zh_texts(raw),
        }
    except ScenarioError as err:
        return {"error": _message(err, path, shown_as)}


def display(info: dict[str, Any], key: str, of: str = "") -> str:
    """A display text in the chosen language: ``key`` is ``name`` or ``description``
    of the scenario (``of`` empty), of a cluster (``of="cluster:NAME"``) or a variant
    (``of="variant:NAME"``); the Chinese text where the scenario gives one."""
    if of.startswith("cluster:"):
        english = of.split(":", 1)[1] if key == "name" else ""
    elif of.startswith("variant:"):
        name = of.split(":", 1)[1]
        english = name if key == "name" else info["variants"].get(name, "")
    else:
        english = info.get(key) or ""
    if lang() == "zh":
        return info["zh"].get(of, {}).get(key) or english
    return english


#: Cache keys of the runs done in this process (see :func:`run`).
_RUN_KEYS: set[tuple] = set()


def _run_key(path: str, stamp: str, variant: str | None, ovr: dict[str, Any]) -> tuple:
    return (path, stamp, variant, yaml.safe_dump(plain(ovr), sort_keys=True))


def run(source: Source, variant: str | None, ovr: dict[str, Any]) -> dict[str, Any]:
    """:func:`results` of a what-if, with a progress note in the user's language at
    the top of the page (the ``progress`` placeholder of the main script) while a run
    that is not cached yet is computed."""
    key = _run_key(source.path, source.stamp, variant, ovr)
    if key in _RUN_KEYS:
        return results(source.path, source.stamp, variant, ovr, source.shown_as)
    slot = st.session_state.get("progress_slot")
    note = slot.info(t("running"), icon="⏳") if slot is not None else None
    out = results(source.path, source.stamp, variant, ovr, source.shown_as)
    if note is not None:
        note.empty()
    _RUN_KEYS.add(key)
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def results(
    path: str, stamp: str, variant: str | None, overrides: dict[str, Any], shown_as: str = ""
) -> dict[str, Any]:
    """Run one what-if and keep what the pages draw (see :func:`whatif.bundle`)."""
    try:
        with _trust(path):
            scenario = sim.load_scenario(path, overrides=overrides, variant=variant)
            ds = sim.run(scenario)
        return {"error": None, **bundle(ds, scenario.sections.get("targets", ()))}
    except Exception as err:  # a failure inside sim: one line here, never a traceback
        return {"error": _message(err, path, shown_as)}


def _run(path: str, variant: str | None, overrides: dict[str, Any]) -> xr.Dataset:
    with _trust(path):
        return sim.run(sim.load_scenario(path, overrides=overrides, variant=variant))


@st.cache_resource(show_spinner=False, max_entries=2)
def dataset(path: str, stamp: str, variant: str | None, overrides_yaml: str) -> xr.Dataset:
    """The full dataset of a what-if (for export), shared, not copied."""
    return _run(path, variant, yaml.safe_load(overrides_yaml) or {})


@st.cache_data(show_spinner=False, max_entries=16)
def pipeline(
    path: str, stamp: str, variant: str | None, overrides: dict[str, Any], samples: int
) -> dict[str, Any]:
    """Monte Carlo of the project pipeline (``suanli pipeline``): P10/P50/P90 of the
    capacity online by month and, per target, its probability."""
    import pandas as pd

    from sim.buildout.commission import pipeline_spec
    from sim.buildout.pipeline import monte_carlo_summary, run_monte_carlo

    try:
        with _trust(path):
            scenario = sim.load_scenario(path, overrides=overrides, variant=variant)
            ds = run_monte_carlo(pipeline_spec(scenario), scenario.seed, samples)
    except Exception as err:  # a failure inside sim: one line here, never a traceback
        return {"error": _message(err, path)}
    summ = monte_carlo_summary(ds)
    online = summ["capacity_online_eflops"]
    fan = pd.DataFrame(
        {
            "time": online["time"].values,
            **{f"p{round(q * 100)}": online.sel(quantile=q).values for q in (0.1, 0.5, 0.9)},
        }
    )
    at = summ["capacity_at_target_eflops"]
    targets = pd.DataFrame(
        {
            "name": [str(n) for n in summ["target"].values],
            "date": [str(d)[:10] for d in summ["target_date"].values],
            "eflops": summ["target_eflops"].values,
            **{f"p{round(q * 100)}": at.sel(quantile=q).values for q in (0.1, 0.5, 0.9)},
            "probability": summ["target_probability"].values,
        }
    )
    return {
        "error": None,
        "fan": fan,
        "targets": targets,
        "attrs": dict(online.attrs),
        "seed": scenario.seed,
    }


@st.cache_data(show_spinner=False, max_entries=16)
def jobs(
    path: str, stamp: str, variant: str | None, overrides: dict[str, Any], policy: str | None
) -> dict[str, Any]:
    """The job-level simulation (``suanli jobs``) under ``policy`` (None: the
    scenario's), reduced to what the Jobs page shows."""
    import pandas as pd

    from sim.jobs.run import run_jobs

    try:
        with _trust(path):
            scenario = sim.load_scenario(path, overrides=overrides, variant=variant)
            ds = run_jobs(scenario, policy=policy)
    except Exception as err:  # a failure inside sim: one line here, never a traceback
        return {"error": _message(err, path)}

    quantiles = [q for q in (0.5, 0.9, 0.99) if q in ds["quantile"].values]
    # plain keys; the page labels them (texts "col.*") and shows shares in per cent
    classes = pd.DataFrame(
        {
            "job_class": [str(c) for c in ds["job_class"].values],
            "jobs": ds["jobs"].values.astype(int),
            "mean_wait_h": ds["mean_wait_h"].values,
            **{f"p{round(q * 100)}_wait_h": ds["wait_h"].sel(quantile=q).values for q in quantiles},
            "sla_violation_pct": ds["sla_violation_share"].values * 100,
            "offloaded_jobs": ds["offloaded_jobs"].values.astype(int),
        }
    )
    hours = slice(0, int(np.ceil(ds.attrs["horizon_h"])))
    in_horizon = ds.isel(time=hours)
    clusters = pd.DataFrame(
        {
            "cluster": [str(c) for c in ds["cluster"].values],
            "mean_utilization_pct": ds["mean_utilization"].values * 100,
            "offered_utilization_pct": ds["offered_utilization"].values * 100,
            "energy_mwh": in_horizon["energy_mwh"].sum("time").values,
            "carbon_tco2": in_horizon["carbon_tco2"].sum("time").values,
        }
    )
    power = pd.DataFrame(
        in_horizon["facility_power_mw"].values.T, columns=[str(c) for c in ds["cluster"].values]
    )
    power.insert(0, "time", in_horizon["time"].values)
    n_jobs = int(ds["jobs"].sum())
    return {
        "error": None,
        "policy": str(ds.attrs["policy"]),
        "n_jobs": n_jobs,
        "hours": float(ds.attrs["horizon_h"]),
        "sla_share": float(ds["sla_violations"].sum()) / n_jobs if n_jobs else 0.0,
        "mean_wait_h": float((ds["mean_wait_h"] * ds["jobs"]).sum()) / n_jobs if n_jobs else 0.0,
        "energy_mwh": float(in_horizon["energy_mwh"].sum()),
        "carbon_tco2": float(in_horizon["carbon_tco2"].sum()),
        "classes": classes,
        "clusters": clusters,
        "power": power,
        "power_attrs": dict(ds["facility_power_mw"].attrs),
    }


def scenario_of(cur: Current) -> sim.Scenario:
    with _trust(cur.source.path):
        return sim.load_scenario(cur.source.path, overrides=cur.overrides, variant=cur.variant)


def exported_yaml(cur: Current) -> str:
    settings = cur.describe()
    header = (
        f"Exported by the suanli app from {cur.source.shown_as}"
        + (f", variant {cur.variant}" if cur.variant else "")
        + f"\nsettings: {settings or 'none (as in the scenario)'}"
    )
    return scenario_yaml(scenario_of(cur), header)


# ---------------------------------------------------------------------------
# Sidebar


def _clear_widgets() -> None:
    """Forget the assumption widgets' values: each is set again to its scenario value
    by :func:`_initial` in the same run."""
    for key in list(st.session_state):
        if str(key).startswith(WIDGET_PREFIX):
            del st.session_state[key]


def _initial(key: str, value: Any) -> str:
    """Give widget ``key`` its start value through Session State when it has none.

    Setting it there, rather than with the widget's ``value=``, makes the browser
    show it: after a scenario change or a reset the widget keeps its identity (its
    key), and the browser would otherwise keep showing, and later send back, the
    value the user had chosen for the previous scenario.
    """
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _slider(
    key: str,
    label: str,
    lo: float,
    hi: float,
    value: float,
    step: float,
    help: str,
    fmt: str = "%.2f",
):
    """A slider whose untouched value means "as in the scenario" (returns None)."""
    start = round(min(max(value, lo), hi) / step) * step
    start = round(start, 6)
    chosen = st.slider(
        label, lo, hi, step=step, key=_initial(WIDGET_PREFIX + key, start), help=help, format=fmt
    )
    return None if abs(chosen - start) < step / 2 else round(float(chosen), 6)


def _label(key: str, mode: str, where: str, **values: Any) -> str:
    """A slider label saying what it does: ``PUE — sets · all clusters``."""
    return f"{t(key, **values)} — {t(f'mode.{mode}')} · {where}"


def _settings(info: dict[str, Any], scope: str | None) -> Settings:
    d = info["defaults"] if scope is None else defaults(info["raw"], [scope])
    where = t("scope.all") if scope is None else display(info, "name", f"cluster:{scope}")
    pue = _slider(
        "pue",
        _label("pue", "sets", where),
        1.0,
        2.5,
        d.pue,
        0.01,
        t("pue.help", lo=d.pue_range[0], hi=d.pue_range[1]),
    )
    util = None
    if info["dispatch"]:
        # utilisation is an outcome of dispatch there (served / installed): no input
        st.slider(
            _label("utilization", "sets", where),
            0.0,
            1.0,
            value=0.0,
            disabled=True,
            key="utilization_off",
            help=t("utilization.dispatch"),
        )
        st.caption(t("utilization.dispatch"))
    else:
        util = _slider(
            "utilization",
            _label("utilization", "sets", where),
            0.0,
            1.0,
            d.utilization,
            0.01,
            t("utilization.help", lo=d.utilization_range[0], hi=d.utilization_range[1]),
        )
    idle = _slider(
        "idle",
        _label("idle", "sets", where),
        0.0,
        1.0,
        d.idle_power,
        0.01,
        t("idle.help", lo=d.idle_range[0], hi=d.idle_range[1]),
    )
    scale = _slider(
        "capacity_scale",
        _label("capacity_scale", "scales", where),
        0.1,
        3.0,
        1.0,
        0.05,
        t("capacity_scale.help"),
    )
    delay = st.slider(
        _label("delay", "shifts", where),
        0,
        5,
        step=1,
        key=_initial(WIDGET_PREFIX + "delay", 0),
        help=t("delay.help"),
    )
    threshold = slope = None
    if d.pue_slope_per_k is not None:
        with st.expander(t("climate")):
            threshold = _slider(
                "free_cooling",
                _label("free_cooling", "sets", where),
                0.0,
                35.0,
                d.free_cooling_below_c,
                0.5,
                t("free_cooling.help"),
            )
            slope = _slider(
                "pue_slope",
                _label("pue_slope", "sets", where),
                0.0,
                0.05,
                d.pue_slope_per_k,
                0.001,
                t("pue_slope.help"),
                fmt="%.3f",
            )
    policy = objective = carbon_price = None
    dispatch = dispatch_defaults(info["raw"])
    if dispatch is not None:
        everywhere = t("scope.scenario")
        with st.expander(t("dispatch")):
            policy = st.selectbox(
                _label("dispatch.policy", "sets", everywhere),
                DISPATCH_POLICIES,
                format_func=choices("policy"),
                key=_initial(lang_key(WIDGET_PREFIX + "dispatch_policy"), dispatch["policy"]),
                help=t("dispatch.policy.help"),
            )
            objective = st.selectbox(
                _label("dispatch.objective", "sets", everywhere),
                DISPATCH_OBJECTIVES,
                format_func=choices("objective"),
                key=_initial(lang_key(WIDGET_PREFIX + "dispatch_objective"), dispatch["objective"]),
                help=t("dispatch.objective.help"),
            )
            carbon_price = _slider(
                "carbon_price",
                _label("dispatch.carbon_price", "sets", everywhere),
                0.0,
                500.0,
                dispatch["carbon_price"],
                10.0,
                t("dispatch.carbon_price.help"),
                fmt="%.0f",
            )
        policy = None if policy == dispatch["policy"] else policy
        objective = None if objective == dispatch["objective"] else objective
    overheads, efficiencies = [], []
    with st.expander(t("hardware")):
        if not d.node_overhead and not d.efficiency:
            st.caption(t("node_overhead.none"))
        for name, value in d.node_overhead.items():
            chosen = _slider(
                f"overhead.{name}",
                _label("node_overhead", "sets", t("scope.hardware"), name=name),
                1.0,
                3.0,
                value,
                0.05,
                t("node_overhead.help"),
            )
            if chosen is not None:
                overheads.append((name, chosen))
        for name, (prec, value) in d.efficiency.items():
            key = _initial(f"{WIDGET_PREFIX}eff.{name}", float(value))
            chosen = st.number_input(
                _label("efficiency", "sets", t("scope.hardware"), name=name, precision=prec),
                min_value=0.001,
                step=0.1,
                format="%.3f",
                key=key,
                help=t("efficiency.help"),
            )
            if abs(chosen - value) > 1e-9 * value:
                efficiencies.append((name, round(float(chosen), 6)))
    return Settings(
        pue=pue,
        utilization=util,
        idle_power=idle,
        capacity_scale=1.0 if scale is None else scale,
        delay_years=int(delay),
        node_overhead=tuple(overheads),
        efficiency=tuple(efficiencies),
        free_cooling_below_c=threshold,
        pue_slope_per_k=slope,
        dispatch_policy=policy,
        dispatch_objective=objective,
        carbon_price_cny_per_tco2=carbon_price,
    )


def _source() -> Source | None:
    # A toggle, not a radio: options whose display text follows the language would
    # lose their selection in the browser when the language changes.
    if not st.toggle(t("source.upload"), key="upload_mode"):
        files = shipped()
        titles = {}
        for f in files:  # the scenarios' own names, in the chosen language
            src = shipped_source(f)
            info = load(src.path, src.stamp, None, src.shown_as)
            titles[f] = Path(f).name if info["error"] else display(info, "name")
        path = st.selectbox(
            t("scenario"), files, format_func=titles.get, key=lang_key("scenario_file")
        )
        return shipped_source(path)
    upload = st.file_uploader(t("upload"), type=["yaml", "yml"], max_upload_size=1, key="upload")
    if upload is None:
        st.info(t("upload.none"))
        return None
    data = upload.getvalue()
    if len(data) > UPLOAD_LIMIT:
        message = t("upload.too_big", size=len(data), limit=UPLOAD_LIMIT)
        st.error(message)
        st.session_state["sidebar_error"] = message
        return None
    return upload_source(upload.name, data)


def _error(message: str) -> None:
    st.error(f"{t('upload.invalid')}\n\n`{message}`", icon="⚠️")


def sidebar() -> Current | None:
    """Draw the shared sidebar; store and return the current what-if (None on error)."""
    st.session_state["current"] = None
    st.session_state["sidebar_error"] = None
    with st.sidebar:
        st.radio(
            t("language"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            horizontal=True,
            key="lang",
        )
        source = _source()
        if source is None:
            return None
        base_info = load(source.path, source.stamp, None, source.shown_as)
        if base_info["error"]:
            _error(base_info["error"])
            st.session_state["sidebar_error"] = base_info["error"]
            return None
        variants = {v: display(base_info, "name", f"variant:{v}") for v in base_info["variants"]}
        variant = st.selectbox(
            t("variant"),
            list(variants),
            index=None,
            format_func=variants.get,
            placeholder=t("variant.none"),
            key=lang_key("variant"),
        )
        if variant is not None:
            st.caption(display(base_info, "description", f"variant:{variant}"))
        info = (
            base_info
            if variant is None
            else load(source.path, source.stamp, variant, source.shown_as)
        )
        if info["error"]:
            _error(info["error"])
            st.session_state["sidebar_error"] = info["error"]
            return None
        st.subheader(t("assumptions"))
        scope = None
        if len(info["clusters"]) > 1:
            clusters = {c: display(info, "name", f"cluster:{c}") for c in info["clusters"]}
            scope = st.selectbox(
                t("scope"),
                list(clusters),
                index=None,
                format_func=clusters.get,
                placeholder=t("scope.all"),
                key=lang_key("scope"),
                help=t("scope.help"),
            )
        identity = (source.path, source.stamp, variant, scope)
        if st.session_state.get("_identity") != identity:
            _clear_widgets()
            st.session_state["_identity"] = identity
        settings = _settings(info, scope)
        ovr = overrides(info["raw"], settings, None if scope is None else [scope])
        base = run(source, variant, {})
        res = base if not ovr else run(source, variant, ovr)
        error = base["error"] or res["error"]
        if error:
            _error(error)
            st.session_state["sidebar_error"] = error
            return None
        years = base["meta"]["years"]
        year = st.selectbox(t("year"), years, key=_initial(WIDGET_PREFIX + "year", years[-1]))
        cols = st.columns(2)
        cols[0].button(t("reset"), on_click=_clear_widgets, key="reset", width="stretch")
        save = cols[1].button(t("save"), key="save", disabled=not ovr, width="stretch")
    st.session_state["sidebar_error"] = None
    cur = Current(
        source=source,
        variant=variant,
        info=info,
        settings=settings,
        overrides=ovr,
        year=int(year),
        base=base,
        results=res,
        scope=scope,
    )
    if save:
        saved = st.session_state.setdefault("saved", [])
        label = f"{len(saved) + 1}: {display(info, 'name')}" + (
            f" [{display(info, 'name', f'variant:{variant}')}]" if variant else ""
        )
        saved.append({"label": label, "current": cur})
        st.sidebar.success(t("saved", label=label))
    st.session_state["current"] = cur
    return cur


def current() -> Current | None:
    """The what-if the sidebar stored in this run; when there is none, show why
    (the sidebar's error, in the main area too) and stop the page."""
    cur = st.session_state.get("current")
    if cur is None:
        error = st.session_state.get("sidebar_error")
        if error:
            _error(error)
        else:
            st.info(t("upload.none"))
        st.stop()
    return cur
