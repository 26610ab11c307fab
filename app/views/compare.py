"""Compare page: a scenario's variants side by side (the Zhejiang reconciliation
first), then the what-ifs saved on the Scenario page."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from state import load, results, shipped, shipped_source
from texts import t


def _row(res: dict, label: str, description: str) -> dict:
    summary = res["summary"]
    year = res["meta"]["years"][-1]
    last = summary[summary["year"] == year]
    totals = res["totals"].set_index("year").loc[year]
    it = last["it_energy_twh"].sum()
    return {
        t("col.variant"): label,
        t("col.year"): int(year),
        t("col.capacity"): float(totals["capacity_eflops"]),
        t("col.precision"): res["meta"]["precision"],
        t("col.energy"): float(totals["energy_twh"]),
        t("col.peak"): float(totals["peak_facility_power_mw"]),
        t("col.pue"): float(last["energy_twh"].sum() / it) if it > 0 else float("nan"),
        t("col.description"): description,
    }


def _chart(table: pd.DataFrame, label_col: str, log: bool) -> alt.Chart:
    # plain field names: Vega-Lite reads "[" and "." in a field name as a path
    energy = t("col.energy")
    frame = pd.DataFrame({"label": table[label_col], "energy": table[energy]})
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=None),
            x=alt.X(
                "energy:Q",
                title=energy,
                scale=alt.Scale(type="log") if log else alt.Scale(zero=True),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=label_col),
                alt.Tooltip("energy:Q", title=energy, format=".4g"),
            ],
        )
        .properties(height=max(120, 42 * len(table)))
    )


st.title(t("compare.title"))
choices = []
for f in shipped():
    src = shipped_source(f)
    info = load(src.path, src.stamp, None, src.shown_as)
    if not info["error"] and info["variants"]:
        choices.append(f)
# the Zhejiang reconciliation is the first example
choices.sort(key=lambda f: (Path(f).name != "zhejiang_2025.yaml", Path(f).name))
path = st.selectbox(
    t("compare.scenario"), choices, format_func=lambda p: Path(p).name, key="compare_file"
)
if path:
    src = shipped_source(path)
    info = load(src.path, src.stamp, None, src.shown_as)
    st.markdown(f"**{info['name']}** — {info['description']}")
    st.caption(t("compare.intro"))
    rows = []
    for variant in [None, *info["variants"]]:
        res = results(src.path, src.stamp, variant, {}, src.shown_as)
        if res["error"]:
            st.error(res["error"])
            continue
        rows.append(
            _row(res, variant or t("base"), "" if variant is None else info["variants"][variant])
        )
    table = pd.DataFrame(rows)
    energies = table[t("col.energy")]
    spread = energies.max() / energies[energies > 0].min() if (energies > 0).any() else 1
    log = st.toggle(t("compare.log"), value=bool(spread > 20), key="compare_log")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            t("col.energy"): st.column_config.NumberColumn(format="%.4g"),
            t("col.capacity"): st.column_config.NumberColumn(format="%.4g"),
            t("col.peak"): st.column_config.NumberColumn(format="%.1f"),
            t("col.pue"): st.column_config.NumberColumn(format="%.3f"),
        },
    )
    st.altair_chart(_chart(table, t("col.variant"), log), width="stretch")

st.subheader(t("compare.saved"))
saved = st.session_state.get("saved", [])
if not saved:
    st.caption(t("compare.no_saved"))
else:
    rows = []
    for item in saved:
        c = item["current"]
        res = results(c.source.path, c.source.stamp, c.variant, c.overrides, c.source.shown_as)
        row = _row(res, item["label"], c.describe())
        rows.append({t("col.what_if"): row.pop(t("col.variant")), **row})
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch")
    st.altair_chart(_chart(table, t("col.what_if"), False), width="stretch")
