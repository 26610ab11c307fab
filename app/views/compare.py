"""Compare page: the variants of the scenario chosen in the sidebar side by side (or
the Zhejiang reconciliation, a named preset), then the what-ifs saved on the
Scenario page. Every row carries the figures of ``suanli compare``: energy, peak,
carbon, cost, renewable share and unmet demand."""

from __future__ import annotations

import math
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from state import SCENARIO_DIR, current, display, load, run, shipped_source
from texts import figure_label, lang_key, t
from whatif import FIGURES, compare_row

#: The named preset: the Zhejiang reconciliation of DESIGN.md question 1.
PRESET = str(SCENARIO_DIR / "zhejiang_2025.yaml")


def _table(rows: list[dict], label: str) -> pd.DataFrame:
    """One row per what-if: its label, year, every figure (NaN where absent), description."""
    frame = pd.DataFrame(rows)
    keep = [k for k in FIGURES if frame[k].notna().any()]
    # the year is the same in every row (the caption says which); descriptions go below
    columns = {"label": label, **{k: figure_label(k) for k in keep}}
    return frame[list(columns)].rename(columns=columns)


def _column_config(table: pd.DataFrame) -> dict:
    return {
        figure_label(k): st.column_config.NumberColumn(format=fmt)
        for k, fmt in {
            "energy_twh": "%.4g",
            "peak_facility_power_mw": "%,.1f",
            "capacity_eflops": "%.4g",
            "mean_pue": "%.3f",
            "carbon_mt": "%.4g",
            "cost_bn_cny": "%.4g",
            "renewable_share": "%.1f",
            "unmet_share": "%.2f",
            "east_in_west_share": "%.1f",
        }.items()
        if figure_label(k) in table
    }


def _chart(table: pd.DataFrame, label: str, figure: str, log: bool) -> alt.Chart:
    """Bars of one figure by what-if: a linear axis from zero, log only if asked."""
    # plain field names: Vega-Lite reads "[" and "." in a field name as a path
    title = figure_label(figure)
    frame = pd.DataFrame({"label": table[label], "value": table[title]})
    scale = alt.Scale(type="log") if log else alt.Scale(zero=True)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("value:Q", title=title, scale=scale),
            tooltip=[
                alt.Tooltip("label:N", title=label),
                alt.Tooltip("value:Q", title=title, format=".4g"),
            ],
        )
        .properties(height=max(120, 42 * len(table)))
    )


def _show(table: pd.DataFrame, label: str, key: str, notes: dict[str, str]) -> None:
    """The table, the rows' descriptions, a figure chooser and the chart of the chosen
    figure."""
    st.dataframe(table, hide_index=True, width="stretch", column_config=_column_config(table))
    lines = [f"- **{name}**: {text}" for name, text in notes.items() if text]
    if lines:
        st.caption("\n".join(lines))
    figures = [k for k in FIGURES if figure_label(k) in table]
    widget = lang_key(f"{key}_figure")
    figure = st.segmented_control(
        t("compare.figure"),
        figures,
        format_func=figure_label,
        default=None if widget in st.session_state else figures[0],
        key=widget,
    )
    figure = figure or figures[0]
    values = table[figure_label(figure)]
    positive = bool((values > 0).all())
    log = st.toggle(
        t("compare.log"),
        value=False,
        key=f"{key}_log",
        disabled=not positive,
        help=None if positive else t("compare.log.off"),
    )
    if values.notna().any():
        st.altair_chart(_chart(table, label, figure, log and positive), width="stretch")


cur = current()  # stops the page, saying why, when there is no what-if
st.title(t("compare.title"))
options = {"sidebar": cur.source.path}
if Path(cur.source.path).resolve() != Path(PRESET).resolve():
    options["preset"] = PRESET
choice = st.radio(
    t("compare.what"),
    list(options),
    format_func=lambda k: t(f"compare.{k}", name=display(cur.info, "name")),
    horizontal=True,
    key=lang_key("compare_what"),
)
src = cur.source if choice == "sidebar" else shipped_source(PRESET)
info = load(src.path, src.stamp, None, src.shown_as)
if info["error"]:
    st.error(info["error"])
    st.stop()
st.markdown(f"**{display(info, 'name')}** — {display(info, 'description')}")
st.caption(t("compare.intro"))
rows = []
for variant in [None, *info["variants"]]:
    res = run(src, variant, {})
    if res["error"]:
        st.error(res["error"])
        continue
    of = f"variant:{variant}"
    rows.append(
        {
            "label": t("base") if variant is None else display(info, "name", of),
            **compare_row(res),
            "description": "" if variant is None else display(info, "description", of),
        }
    )
if rows:
    st.caption(t("compare.year", year=rows[0]["year"]))
    notes = {r["label"]: r["description"] for r in rows}
    _show(_table(rows, t("col.variant")), t("col.variant"), "variants", notes)

st.subheader(t("compare.saved"))
saved = st.session_state.get("saved", [])
if not saved:
    st.caption(t("compare.no_saved"))
else:
    rows = []
    for item in saved:
        c = item["current"]
        res = run(c.source, c.variant, c.overrides)
        if res["error"]:
            st.error(res["error"])
            continue
        rows.append({"label": item["label"], **compare_row(res), "description": c.describe()})
    notes = {r["label"]: r["description"] for r in rows}
    _show(_table(rows, t("col.what_if")), t("col.what_if"), "saved", notes)
    if any(math.isnan(r["carbon_mt"]) for r in rows):
        st.caption(t("compare.no_ops"))
