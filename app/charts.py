"""Altair charts of a what-if. Axis titles come from the dataset's attributes
(``long_name [units]``); no map tiles are fetched (a plain lon/lat scatter)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
from texts import axis_label, axis_lines, t

__all__ = ["energy_by_cluster", "load_duration", "map_of_clusters", "power_series"]


def _cluster_legend(columns: int = 5) -> alt.Legend:
    return alt.Legend(title=t("cluster"), orient="bottom", columns=columns, labelLimit=140)


def map_of_clusters(res: dict[str, Any], year: int) -> alt.Chart:
    """Clusters at their lon/lat, sized by peak facility power, coloured by mean PUE."""
    attrs = res["attrs"]
    frame = res["summary"][res["summary"]["year"] == year]
    peak = axis_label(attrs["summary.peak_facility_power_mw"])
    pue = axis_label(attrs["summary.mean_pue"])
    legend = {"titleLimit": 0, "titleFontSize": 11}
    lon_lo, lon_hi = float(frame["lon"].min()), float(frame["lon"].max())
    # room on the right for the cluster names
    x_domain = [lon_lo - 1.0, lon_hi + 0.12 * (lon_hi - lon_lo) + 3.0]
    base = alt.Chart(frame).encode(
        x=alt.X("lon:Q", title=axis_label(attrs["lon"]), scale=alt.Scale(domain=x_domain)),
        y=alt.Y("lat:Q", title=axis_label(attrs["lat"]), scale=alt.Scale(zero=False, nice=True)),
    )
    points = base.mark_circle(opacity=0.8, stroke="black", strokeWidth=0.5).encode(
        size=alt.Size(
            "peak_facility_power_mw:Q",
            title=axis_lines(attrs["summary.peak_facility_power_mw"]),
            scale=alt.Scale(range=[60, 1600]),
            legend=alt.Legend(**legend, orient="bottom", direction="horizontal", tickCount=3),
        ),
        color=alt.Color(
            "mean_pue:Q",
            title=axis_lines(attrs["summary.mean_pue"]),
            scale=alt.Scale(scheme="goldred"),
            legend=alt.Legend(**legend, orient="right", gradientLength=120),
        ),
        tooltip=[
            alt.Tooltip("cluster:N", title=t("cluster")),
            alt.Tooltip("hub:N"),
            alt.Tooltip("peak_facility_power_mw:Q", title=peak, format=",.1f"),
            alt.Tooltip("mean_pue:Q", title=pue, format=".3f"),
            alt.Tooltip(
                "energy_twh:Q", title=axis_label(attrs["summary.energy_twh"]), format=".4g"
            ),
        ],
    )
    labels = base.mark_text(align="left", dx=9, dy=-6, fontSize=11).encode(text="cluster:N")
    return (points + labels).properties(height=360)


def energy_by_cluster(res: dict[str, Any]) -> alt.Chart:
    """Annual facility energy stacked by cluster."""
    frame = res["summary"][["year", "cluster", "energy_twh"]]
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=t("year_axis")),
            y=alt.Y(
                "energy_twh:Q", title=axis_lines(res["attrs"]["summary.energy_twh"]), stack=True
            ),
            color=alt.Color("cluster:N", legend=_cluster_legend(columns=3)),
            tooltip=["year:O", "cluster:N", alt.Tooltip("energy_twh:Q", format=".4g")],
        )
        .properties(height=340)
    )


def power_series(res: dict[str, Any]) -> alt.Chart:
    """Facility power by cluster, binned to at most a few hundred points; zoomable."""
    wide = res["power"]
    frame = wide.melt(id_vars="time", var_name="cluster", value_name="power_mw")
    title = axis_lines(
        res["attrs"]["facility_power_mw"], t("peak_per", hours=res["meta"]["bin_hours"])
    )
    return (
        alt.Chart(frame)
        .mark_line(strokeWidth=1.2)
        .encode(
            x=alt.X("time:T", title=t("time")),
            y=alt.Y("power_mw:Q", title=title),
            color=alt.Color("cluster:N", legend=_cluster_legend()),
            tooltip=["time:T", "cluster:N", alt.Tooltip("power_mw:Q", format=",.1f")],
        )
        .properties(height=360)
        .interactive(bind_y=False)
    )


def load_duration(res: dict[str, Any], year: int) -> alt.Chart:
    """Total facility power of all clusters, sorted, against hours exceeded."""
    frame = res["ldc"][res["ldc"]["year"] == year]
    units = res["attrs"]["facility_power_mw"]["units"]
    y_title = axis_lines({"long_name": "total facility power", "units": units})
    return (
        alt.Chart(pd.DataFrame(frame))
        .mark_area(opacity=0.6, line=True)
        .encode(
            x=alt.X("hours:Q", title=f"{t('hours_exceeded')} [h]"),
            y=alt.Y("power_mw:Q", title=y_title, scale=alt.Scale(zero=True)),
            tooltip=[alt.Tooltip("hours:Q"), alt.Tooltip("power_mw:Q", format=",.1f")],
        )
        .properties(height=300)
    )
