"""Sweeps page: a sweep store (``suanli sweep``) found under the results folder, its
quantiles by year as a fan (a band between the outer quantiles, the median as a
line), and a tornado of swings in the output's units: the output's mean over the
samples with a parameter in its lowest tenth against those in its highest tenth.
The measure of :func:`sim.report.report` (Sobol indices, or rank correlations) is
listed beside it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import altair as alt
import charts
import numpy as np
import pandas as pd
import streamlit as st
from texts import axis_lines, t

from sim.scenario.errors import ScenarioError

#: Where stores are looked for: the results folder (``suanli sweep`` writes
#: ``results/sweeps/NAME.zarr``; ``SUANLI_RESULTS`` names another); no path typed
#: by a user is ever opened.
RESULTS_ENV = "SUANLI_RESULTS"
#: Share of the samples at each end of a parameter's range in the tornado [1].
TAIL = 0.1


def stores() -> list[str]:
    """Sweep stores (``*.zarr`` folders) under the results folder, newest first."""
    root = Path(os.environ.get(RESULTS_ENV, "results"))
    found = sorted(root.glob("**/*.zarr"), key=lambda p: -p.stat().st_mtime)
    return [str(p) for p in found]


def swings(x: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """Mean of ``y`` over the samples whose ``x`` is in its lowest and its highest
    :data:`TAIL` share (at least the smallest and largest value); None when ``x`` is
    constant or not numeric."""
    ok = np.isfinite(y)
    if x.dtype.kind not in "fiu" or not ok.any() or np.ptp(x[ok]) == 0:
        return None
    x, y = x[ok], y[ok]
    lo, hi = np.quantile(x, [TAIL, 1 - TAIL])
    return float(y[x <= lo].mean()), float(y[x >= hi].mean())


@st.cache_data(show_spinner=False, max_entries=8)
def _report(path: str, stamp: float) -> dict:
    """Quantiles, swings and sensitivity of a store as plain tables (``stamp`` keys
    the cache)."""
    from sim.sweeps.report import report
    from sim.sweeps.stats import sensitivity_target
    from sim.sweeps.store import open_store

    ds = open_store(path)
    res = report(ds)
    target = sensitivity_target(ds)
    name = ds.attrs.get("sensitivity", "energy_twh")
    qs = res["quantiles"]
    q = qs[f"{name}_total"] if f"{name}_total" in qs else qs[name]
    fan = q.to_dataframe(name="value").reset_index()
    sens = res["sensitivity"]
    if "year" in sens.dims:
        sens = sens.isel(year=-1)
    index = sens["ST"] if hasattr(sens, "data_vars") else sens
    y = target.isel(year=-1).values if "year" in target.dims else target.values
    rows = []
    for p, value in zip(json.loads(ds.attrs.get("parameters", "[]")), index.values, strict=True):
        ends = swings(np.asarray(ds[p].values), np.asarray(y, dtype=float))
        rows.append(
            {
                "parameter": str(p),
                "low": np.nan if ends is None else ends[0],
                "high": np.nan if ends is None else ends[1],
                "measure": float(value),
            }
        )
    tornado = pd.DataFrame(rows)
    tornado["swing"] = tornado["high"] - tornado["low"]
    tornado = tornado.sort_values("swing", key=np.abs, ascending=False, na_position="last")
    return {
        "name": ds.attrs.get("sweep", Path(path).stem),
        "method": ds.attrs.get("method", ""),
        "samples": int(ds.sizes["sample"]),
        "done": res["samples_done"],
        "fan": fan,
        "attrs": dict(target.attrs),
        "tornado": tornado,
        "sobol": hasattr(sens, "data_vars"),
        "year": int(sens["year"]) if "year" in sens.coords else None,
    }


st.title(t("sweeps.title"))
found = stores()
if not found:
    st.info(t("sweeps.none"))
    st.stop()
path = st.selectbox(t("sweeps.store"), found, format_func=lambda p: Path(p).name, key="sweep_store")
try:
    rep = _report(path, Path(path).stat().st_mtime)
except (ScenarioError, OSError, KeyError, ValueError) as err:
    st.error(f"{Path(path).name}: {err}")
    st.stop()

st.caption(
    t(
        "sweeps.intro",
        name=rep["name"],
        method=t(f"method.{rep['method']}"),
        done=rep["done"],
        samples=rep["samples"],
    )
)
units = rep["attrs"].get("units", "")
fan = rep["fan"]
st.subheader(t("sweeps.quantiles"))
if "year" in fan:
    table = fan.pivot(index="year", columns="quantile", values="value")
    table.columns = [f"P{q * 100:g} [{units}]" for q in table.columns]
    table.index.name = t("year_axis")
    st.dataframe(table.style.format("{:.4g}"), width="stretch")
    wide = fan.pivot(index="year", columns="quantile", values="value")
    lo, mid, hi = (
        wide.columns.min(),
        wide.columns[np.argmin(np.abs(wide.columns - 0.5))],
        wide.columns.max(),
    )
    band = pd.DataFrame(
        {"year": wide.index, "lo": wide[lo].values, "mid": wide[mid].values, "hi": wide[hi].values}
    )
    y_title = axis_lines(rep["attrs"])
    base = alt.Chart(band).encode(x=alt.X("year:O", title=t("year_axis")))
    charts.show(
        (
            base.mark_area(opacity=0.3).encode(
                y=alt.Y("lo:Q", title=y_title, scale=alt.Scale(zero=False)), y2="hi:Q"
            )
            + base.mark_line(point=True).encode(y="mid:Q")
        ).properties(height=320)
    )
    st.caption(t("sweeps.band", lo=f"P{lo * 100:g}", mid=f"P{mid * 100:g}", hi=f"P{hi * 100:g}"))

year = rep["year"] if rep["year"] is not None else ""
st.subheader(t("sweeps.sensitivity", year=year))
tornado = rep["tornado"].dropna(subset=["swing"])
if len(tornado):
    swing_title = f"{axis_lines(rep['attrs'])[0]} [{units}]"
    charts.show(
        alt.Chart(tornado)
        .mark_bar()
        .encode(
            x=alt.X("low:Q", title=swing_title, scale=alt.Scale(zero=False)),
            x2="high:Q",
            y=alt.Y("parameter:N", sort=None, title=None, axis=alt.Axis(labelLimit=300)),
            color=alt.condition("datum.swing >= 0", alt.value("#c0392b"), alt.value("#2471a3")),
            tooltip=[
                alt.Tooltip("parameter:N", title=t("sweeps.parameter")),
                alt.Tooltip("low:Q", title=t("sweeps.low"), format=".4g"),
                alt.Tooltip("high:Q", title=t("sweeps.high"), format=".4g"),
            ],
        )
        .properties(height=max(120, 36 * len(tornado)))
    )
    st.caption(t("sweeps.tornado", share=f"{TAIL:.0%}"))
measure = t("sweeps.sobol" if rep["sobol"] else "sweeps.rank")
table = rep["tornado"].rename(
    columns={
        "parameter": t("sweeps.parameter"),
        "low": f"{t('sweeps.low')} [{units}]",
        "high": f"{t('sweeps.high')} [{units}]",
        "swing": f"{t('sweeps.swing')} [{units}]",
        "measure": measure,
    }
)
st.dataframe(
    table.style.format("{:.3g}", subset=table.columns[1:], na_rep="–"),
    hide_index=True,
    width="stretch",
)
