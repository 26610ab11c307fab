"""Export page: the current what-if as scenario YAML, results as NetCDF and CSV,
charts as PNG. Large files are built only when their button is pressed.

Every button has ``on_click="ignore"``: a download then starts no script run, so
the files of the other buttons stay registered and a second download straight
after the first arrives (with a rerun, Streamlit dropped the deferred files of the
previous run: ``MediaFileStorageError: Deferred file ... not found``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import yaml
from state import current, dataset, exported_yaml
from texts import t
from whatif import netcdf_bytes, plain, png_bytes, summary_csv, timeseries_csv

cur = current()  # stops the page, saying why, when there is no what-if

stem = Path(cur.source.shown_as).stem + (f"-{cur.variant}" if cur.variant else "")
if cur.modified:
    stem += "-whatif"
key = yaml.safe_dump(plain(cur.overrides), sort_keys=True)


def _dataset():
    return dataset(cur.source.path, cur.source.stamp, cur.variant, key)


st.title(t("export.title"))
text = exported_yaml(cur)
st.subheader(t("export.yaml"))
st.download_button(
    t("export.yaml.button"),
    data=text,
    file_name=f"{stem}.yaml",
    mime="application/x-yaml",
    key="dl_yaml",
    on_click="ignore",
)
st.code(text, language="yaml", height=360)

st.subheader(t("export.files"))
st.caption(t("export.note"))
cols = st.columns(4)
cols[0].download_button(
    t("export.nc"),
    data=lambda: netcdf_bytes(_dataset()),
    file_name=f"{stem}.nc",
    mime="application/x-netcdf",
    key="dl_nc",
    on_click="ignore",
)
cols[1].download_button(
    t("export.csv"),
    data=summary_csv(cur.results),
    file_name=f"{stem}-annual.csv",
    mime="text/csv",
    key="dl_csv",
    on_click="ignore",
)
cols[2].download_button(
    t("export.hourly"),
    data=lambda: timeseries_csv(_dataset()),
    file_name=f"{stem}-hourly.csv",
    mime="text/csv",
    key="dl_hourly",
    on_click="ignore",
)
cols[3].download_button(
    t("export.png"),
    data=lambda: png_bytes(_dataset()),
    file_name=f"{stem}.png",
    mime="image/png",
    key="dl_png",
    on_click="ignore",
)
