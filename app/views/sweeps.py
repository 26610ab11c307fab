"""Sweeps page: open a sweep store (``suanli sweep``) and show its quantiles by
year as a fan chart and its sensitivity (Sobol indices, or rank correlations
for grid and Monte Carlo sweeps) as a tornado. A thin layer over
:func:`sim.report.report`."""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from texts import axis_lines, t

from sim.errors import ScenarioError


@st.cache_data(show_spinner=False, max_entries=8)
def _report(path: str, stamp: float) -> dict:
    """Quantiles and sensitivity of a store, as plain tables (``stamp`` keys the cache)."""
    from sim.execute import open_store
    from sim.report import report
    from sim.sweep import sensitivity_target

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
    tornado = pd.DataFrame(
        {"parameter": [str(p) for p in index["parameter"].values], "value": index.values}
    )
    return {
        "name": ds.attrs.get("sweep", Path(path).stem),
        "method": ds.attrs.get("method", ""),
        "samples": int(ds.sizes["sample"]),
        "done": res["samples_done"],
        "fan": fan,
        "attrs": dict(target.attrs),
        "tornado": tornado,
        "measure": "total Sobol index ST" if hasattr(sens, "data_vars") else "rank correlation",
        "year": int(sens["year"]) if "year" in sens.coords else None,
    }


st.title(t("sweeps.title"))
# Only stores under the results folder are listed and opened: a server never opens
# a path a visitor types (SUANLI_RESULTS names another folder).
results_dir = Path(os.environ.get("SUANLI_RESULTS", "results"))
found = sorted(str(p.relative_to(results_dir)) for p in results_dir.glob("**/*.zarr"))
choice = st.selectbox(t("sweeps.store"), found, key="sweep_store")
if choice is None:
    st.info(t("sweeps.none"))
    st.stop()
path = str(results_dir / choice)
try:
    rep = _report(path, Path(path).stat().st_mtime)
except (ScenarioError, OSError, KeyError, ValueError) as err:
    st.error(f"{choice}: {err}")
    st.stop()

st.caption(
    t(
        "sweeps.intro",
        name=rep["name"],
        method=rep["method"],
        done=rep["done"],
        samples=rep["samples"],
    )
)
st.subheader(t("sweeps.quantiles"))
fan = rep["fan"]
table = fan.pivot(index="year", columns="quantile", values="value") if "year" in fan else fan
st.dataframe(table)
if "year" in fan:
    st.altair_chart(
        alt.Chart(fan)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="year"),
            y=alt.Y("value:Q", title=axis_lines(rep["attrs"])),
            color=alt.Color("quantile:N"),
        ),
        width="stretch",
    )
st.subheader(t("sweeps.sensitivity", year=rep["year"] if rep["year"] is not None else ""))
st.altair_chart(
    alt.Chart(rep["tornado"])
    .mark_bar()
    .encode(
        x=alt.X("value:Q", title=rep["measure"]),
        y=alt.Y("parameter:N", sort="-x", title=None),
    ),
    width="stretch",
)
