"""Jobs page: the job-level simulation (``suanli jobs``) of scenarios with a
``jobs:`` section: waits and SLA by job class, utilisation, energy and carbon
by cluster, under a scheduling policy the user picks."""

from __future__ import annotations

import altair as alt
import charts
import streamlit as st
from state import current, display, jobs
from texts import axis_lines, t

#: Queue disciplines and their add-ons (sim.jobs.POLICIES), as the CLI spells them.
POLICIES = [
    q + extra
    for q in ("fifo", "sjf_backfill")
    for extra in ("", "+carbon_aware", "+offload", "+carbon_aware+offload")
]

cur = current()  # stops the page, saying why, when there is no what-if
st.title(t("jobs.title"))
if "jobs" not in cur.info["raw"]:
    st.info(t("jobs.none"))
    st.stop()

own = str(cur.info["raw"]["jobs"].get("policy", "fifo"))
policy = st.selectbox(
    t("jobs.policy"),
    POLICIES,
    index=None,
    placeholder=t("jobs.policy.scenario", policy=own),
    key="jobs_policy",
)
with st.spinner(t("jobs.running")):
    base = jobs(cur.source.path, cur.source.stamp, cur.variant, cur.overrides, None)
    res = (
        base
        if policy is None
        else jobs(cur.source.path, cur.source.stamp, cur.variant, cur.overrides, policy)
    )
if res["error"] or base["error"]:
    st.error(res["error"] or base["error"])
    st.stop()
st.caption(t("jobs.intro", jobs=res["n_jobs"], hours=res["hours"], policy=res["policy"]))


def _delta(key: str, fmt: str) -> str | None:
    if policy is None or policy == base["policy"]:
        return None
    return f"{res[key] - base[key]:+{fmt}}"


cols = st.columns(4)
cols[0].metric(t("jobs.sla"), f"{res['sla_share']:.2%}", _delta("sla_share", ".2%"), "inverse")
cols[1].metric(
    t("jobs.wait"), f"{res['mean_wait_h']:.3g} h", _delta("mean_wait_h", ".3g"), "inverse"
)
cols[2].metric(
    t("jobs.energy"), f"{res['energy_mwh']:,.1f} MWh", _delta("energy_mwh", ",.1f"), "inverse"
)
cols[3].metric(
    t("jobs.carbon"), f"{res['carbon_tco2']:,.1f} tCO2", _delta("carbon_tco2", ",.1f"), "inverse"
)


def _table(frame, names: dict[str, str] | None = None) -> None:
    """A table with labelled columns (units in the label) and 3-4 significant figures."""
    frame = frame.copy()
    first = frame.columns[0]
    if names:
        frame[first] = frame[first].map(lambda k: names.get(k, k))
    labels = {c: t(f"col.{c}") for c in frame.columns}
    formats = {
        labels[c]: st.column_config.NumberColumn(
            format="%d" if frame[c].dtype.kind == "i" else "%.3g"
        )
        for c in frame.columns[1:]
    }
    st.dataframe(
        frame.rename(columns=labels), hide_index=True, width="stretch", column_config=formats
    )


names = {c: display(cur.info, "name", f"cluster:{c}") for c in cur.info["clusters"]}
st.subheader(t("jobs.classes"))
_table(res["classes"])
st.subheader(t("jobs.clusters"))
_table(res["clusters"], names)
st.subheader(t("jobs.power"))
frame = (
    res["power"]
    .rename(columns=names)
    .melt(id_vars="time", var_name="cluster", value_name="power_mw")
)
charts.show(
    alt.Chart(frame)
    .mark_line(strokeWidth=1)
    .encode(
        x=alt.X("time:T", title=t("time")),
        y=alt.Y("power_mw:Q", title=axis_lines(res["power_attrs"])),
        color=alt.Color("cluster:N", title=t("cluster")),
    )
    .properties(height=320)
    .interactive(bind_y=False)
)
