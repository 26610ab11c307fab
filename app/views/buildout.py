"""Build-out page: the project pipeline (grid connection queues, accelerator
supply, shocks) as a Monte Carlo fan of capacity online and the odds of each
target, for scenarios with a ``projects:`` section (``suanli pipeline``)."""

from __future__ import annotations

import altair as alt
import charts
import streamlit as st
from state import current, pipeline
from texts import axis_label, t

cur = current()  # stops the page, saying why, when there is no what-if
st.title(t("buildout.title"))
if "projects" not in cur.info["raw"]:
    st.info(t("buildout.none"))
    st.stop()

default = int(cur.info["raw"].get("pipeline", {}).get("samples", 1000))
choices = sorted({100, 200, 500, 1000, 2000, default})
samples = st.select_slider(t("buildout.samples"), choices, value=default, key="pipeline_samples")
with st.spinner(t("buildout.running")):
    res = pipeline(cur.source.path, cur.source.stamp, cur.variant, cur.overrides, samples)
if res["error"]:
    st.error(res["error"])
    st.stop()

st.caption(t("buildout.intro", samples=samples, seed=res["seed"]))
targets = res["targets"]
cols = st.columns(max(1, min(4, len(targets))))
for col, row in zip(cols, targets.itertuples(), strict=False):
    col.metric(
        t("buildout.probability", target=f"{row.eflops:g}", date=row.date),
        f"{row.probability:.1%}",
        help=t("buildout.at_target", p10=row.p10, p50=row.p50, p90=row.p90),
    )

fan = res["fan"]
y_title = axis_label(res["attrs"])
band = (
    alt.Chart(fan)
    .mark_area(opacity=0.3)
    .encode(
        x=alt.X("time:T", title=t("time")),
        y=alt.Y("p10:Q", title=y_title, scale=alt.Scale(zero=False)),
        y2="p90:Q",
        tooltip=["time:T", "p10:Q", "p50:Q", "p90:Q"],
    )
)
median = alt.Chart(fan).mark_line().encode(x="time:T", y="p50:Q")
rules = (
    alt.Chart(targets)
    .mark_rule(strokeDash=[4, 3], color="firebrick")
    .encode(y="eflops:Q", tooltip=["name:N", "date:N", "eflops:Q"])
)
st.subheader(t("buildout.fan"))
charts.show((band + median + rules).properties(height=380))
table = targets.assign(probability=targets["probability"] * 100)
st.dataframe(
    table.rename(columns={c: t(f"col.{c}") for c in table.columns}),
    hide_index=True,
    width="stretch",
    column_config={
        t(f"col.{c}"): st.column_config.NumberColumn(format="%.4g")
        for c in ("eflops", "p10", "p50", "p90", "probability")
    },
)
