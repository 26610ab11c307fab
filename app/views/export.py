"""Export page: the current what-if as scenario YAML, results as NetCDF and CSV,
charts as PNG. Large files are built only when their button is pressed."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import streamlit as st
import yaml
from state import current, dataset, exported_yaml
from texts import t
from whatif import plain

import sim
from sim.plots import plot_run
from sim.results import write_netcdf

cur = current()
if cur is None:
    st.stop()

stem = Path(cur.source.shown_as).stem + (f"-{cur.variant}" if cur.variant else "")
if cur.modified:
    stem += "-whatif"
key = yaml.safe_dump(plain(cur.overrides), sort_keys=True)


def _dataset():
    return dataset(cur.source.path, cur.source.stamp, cur.variant, key)


def _netcdf() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_netcdf(_dataset(), Path(tmp) / "run.nc")
        return path.read_bytes()


def _hourly_csv() -> str:
    ds = _dataset()
    names = ["capacity_eflops", "utilization", "it_power_mw", "pue", "facility_power_mw"]
    frame = ds[[*names, "energy_mwh"]].to_dataframe()
    frame.columns = [f"{n} [{ds[n].attrs['units']}]" for n in frame.columns]
    return frame.to_csv()


def _png() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        ds = _dataset()
        path = plot_run(ds, sim.summarize(ds), Path(tmp) / "chart.png")
        return path.read_bytes()


def _summary_csv() -> str:
    frame = cur.results["summary"].copy()
    attrs = cur.results["attrs"]
    frame.columns = [
        f"{c} [{attrs[f'summary.{c}']['units']}]" if f"summary.{c}" in attrs else c
        for c in frame.columns
    ]
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue()


st.title(t("export.title"))
text = exported_yaml(cur)
st.subheader(t("export.yaml"))
st.download_button(
    t("export.yaml.button"),
    data=text,
    file_name=f"{stem}.yaml",
    mime="application/x-yaml",
    key="dl_yaml",
)
st.code(text, language="yaml", height=360)

st.subheader(t("export.files"))
st.caption(t("export.note"))
cols = st.columns(4)
cols[0].download_button(
    t("export.nc"), data=_netcdf, file_name=f"{stem}.nc", mime="application/x-netcdf", key="dl_nc"
)
cols[1].download_button(
    t("export.csv"),
    data=_summary_csv(),
    file_name=f"{stem}-annual.csv",
    mime="text/csv",
    key="dl_csv",
)
cols[2].download_button(
    t("export.hourly"),
    data=_hourly_csv,
    file_name=f"{stem}-hourly.csv",
    mime="text/csv",
    key="dl_hourly",
)
cols[3].download_button(
    t("export.png"), data=_png, file_name=f"{stem}.png", mime="image/png", key="dl_png"
)
