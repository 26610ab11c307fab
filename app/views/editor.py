"""Scenario editor: a scenario from scratch. Start from a template, add and remove
hardware and clusters in tables, see the schema's verdict inline, run it, and
download the YAML, which ``suanli run`` loads and runs to the same results.

Workload classes (the ``demand:`` section) and the other sections are not edited
here: write them in the downloaded YAML.
"""

from __future__ import annotations

import editor
import streamlit as st
import yaml
from texts import t
from whatif import bundle, format_energy, format_power, headline

import sim
from sim.scenario.errors import ScenarioError


@st.cache_data(show_spinner=False, max_entries=8)
def _run(text: str) -> dict:
    """Run the scenario YAML (cached by its text)."""
    return bundle(sim.run(sim.load_scenario(yaml.safe_load(text))))


st.title(t("editor.title"))
st.caption(t("editor.intro"))
name = st.text_input(t("editor.name"), value=editor.TEMPLATE["name"], key="ed_name")
cols = st.columns(2)
start = cols[0].date_input(t("editor.start"), value=editor.TEMPLATE["start"], key="ed_start")
end = cols[1].date_input(t("editor.end"), value=editor.TEMPLATE["end"], key="ed_end")
number = st.column_config.NumberColumn
st.subheader(t("editor.hardware"))
hardware = st.data_editor(
    editor.TEMPLATE["hardware"],
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    key="ed_hardware",
    column_config={
        "hardware": st.column_config.TextColumn(t("editor.col.hardware"), required=True),
        "kind": st.column_config.SelectboxColumn(
            t("editor.col.kind"), options=["general", "intelligent", "supercomputing"]
        ),
        "peak_fp16_tflops": number(t("editor.col.peak"), min_value=0.0, format="%.4g"),
        "power_w": number(t("editor.col.power"), min_value=0.0, format="%.4g"),
        "node_overhead": number(t("editor.col.overhead"), min_value=1.0, format="%.3g"),
    },
)
st.subheader(t("editor.clusters"))
clusters = st.data_editor(
    editor.TEMPLATE["clusters"],
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    key="ed_clusters",
    column_config={
        "cluster": st.column_config.TextColumn(t("editor.col.cluster"), required=True),
        "lat": number(t("editor.col.lat"), min_value=-90.0, max_value=90.0, format="%.2f"),
        "lon": number(t("editor.col.lon"), min_value=-180.0, max_value=180.0, format="%.2f"),
        "hardware": st.column_config.SelectboxColumn(
            t("editor.col.hardware"),
            options=[str(h) for h in hardware["hardware"].dropna() if str(h).strip()],
        ),
        "capacity_eflops": number(t("editor.col.capacity"), min_value=0.0, format="%.4g"),
        "utilization": number(t("editor.col.util"), min_value=0.0, max_value=1.0, format="%.2f"),
        "idle_power": number(t("editor.col.idle"), min_value=0.0, max_value=1.0, format="%.2f"),
        "pue": number(t("editor.col.pue"), min_value=1.0, format="%.3g"),
    },
)
mapping = editor.scenario_mapping(name, start, end, hardware, clusters)
text = editor.to_yaml(mapping)
try:
    sim.load_scenario(yaml.safe_load(text))
except ScenarioError as err:
    st.error(f"{t('upload.invalid')}\n\n`{err}`", icon="⚠️")
    st.stop()
st.success(t("editor.valid"))
res = _run(text)
year = res["meta"]["years"][-1]
now = headline(res, year)
st.caption(t("headline", year=year))
cols = st.columns(3)
cols[0].metric(t("m.energy"), format_energy(now["energy_twh"]))
cols[1].metric(t("m.peak"), format_power(now["peak_mw"]))
cols[2].metric(t("m.capacity", precision="fp16"), f"{now['capacity_eflops']:,.4g} EFLOPS")
st.download_button(
    t("export.yaml.button"),
    data=text,
    file_name="scenario.yaml",
    mime="application/x-yaml",
    key="ed_download",
    on_click="ignore",
)
st.code(text, language="yaml", height=300)
st.caption(t("editor.cli"))
