"""Altair charts of a what-if. Axis titles come from the dataset's attributes
(``long_name [units]``); the map draws China's provinces from a shipped package
(:mod:`geo`), no map tiles are fetched."""

from __future__ import annotations

from typing import Any

import altair as alt
import geo
import numpy as np
import pandas as pd
from texts import axis_label, axis_lines, lang, t, unit

__all__ = ["energy_by_cluster", "load_duration", "map_of_clusters", "power_series", "show"]

#: d3 time locale for 中文 axes (month and day names; zh-CN as d3-time-format ships it).
ZH_TIME = {
    "dateTime": "%x %A %X",
    "date": "%Y/%-m/%-d",
    "time": "%H:%M:%S",
    "periods": ["上午", "下午"],
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": [
        f"{m}月"
        for m in ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    ],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
}
ZH_NUMBER = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}


def show(chart: alt.TopLevelMixin) -> None:
    """Draw a chart full width, with Chinese month and day names in 中文 mode."""
    import streamlit as st

    if lang() == "zh":
        chart = chart.configure(locale={"time": ZH_TIME, "number": ZH_NUMBER})
    st.altair_chart(chart, width="stretch")


def _cluster_legend(columns: int = 5) -> alt.Legend:
    return alt.Legend(title=t("cluster"), orient="bottom", columns=columns, labelLimit=140)


#: Map projection: Lambert conformal conic for China (standard parallels 25°N, 47°N,
#: central meridian 105°E), fitted to the provinces.
#: The view fits mainland China and Hainan (73-135°E, 18-54°N); the South China Sea
#: islands south of it are clipped.
PROJECTION = {
    "type": "conicConformal",
    "rotate": [-105, 0, 0],
    "parallels": [25, 47],
    "fit": {
        "type": "Feature",
        "properties": {},
        "geometry": {
            "type": "MultiPoint",
            "coordinates": [[73, 18], [135, 18], [135, 54], [73, 54]],
        },
    },
}
#: Points per flow arc; the arc bows out by this share of its length.
ARC_POINTS = 24
ARC_BOW = 0.2


def _arcs(flows: pd.DataFrame) -> pd.DataFrame:
    """Flows as curved polylines (quadratic Bezier in lon/lat), one row per point."""
    s = np.linspace(0.0, 1.0, ARC_POINTS)
    rows = []
    for i, f in enumerate(flows.itertuples()):
        dx, dy = f.lon2 - f.lon, f.lat2 - f.lat
        # control point: the midpoint moved sideways (to the left of the direction)
        cx, cy = (f.lon + f.lon2) / 2 - ARC_BOW * dy, (f.lat + f.lat2) / 2 + ARC_BOW * dx
        lon = (1 - s) ** 2 * f.lon + 2 * (1 - s) * s * cx + s**2 * f.lon2
        lat = (1 - s) ** 2 * f.lat + 2 * (1 - s) * s * cy + s**2 * f.lat2
        rows.append(
            pd.DataFrame(
                {
                    "arc": i,
                    "i": np.arange(ARC_POINTS),
                    "lon": lon,
                    "lat": lat,
                    "flow_eflops": f.flow_eflops,
                    "route": f.route,
                }
            )
        )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def map_of_clusters(
    res: dict[str, Any], year: int, colour: str, names: dict[str, str]
) -> alt.LayerChart:
    """China's provinces (offline, :func:`geo.provinces`), clusters sized by installed
    compute and coloured by ``colour`` (a summary variable: ``mean_utilization`` or
    ``mean_pue``), and flows between places as arcs sized by the compute served.

    ``names`` maps cluster and origin keys to their display names.
    """
    attrs = res["attrs"]
    frame = res["summary"][res["summary"]["year"] == year].copy()
    frame["label"] = frame["cluster"].map(lambda c: names.get(c, c))
    name_field = "name_zh" if lang() == "zh" else "name_en"
    shapes = (
        alt.Chart(alt.Data(values=geo.provinces()["features"]))
        .mark_geoshape(fill="#eef0f2", stroke="#9aa3ab", strokeWidth=0.6, clip=True)
        .encode(tooltip=[alt.Tooltip(f"properties.{name_field}:N", title=t("province"))])
        .project(**PROJECTION)
    )
    layers = [shapes]
    flows = res["flows"]
    flows = flows[flows["year"] == year] if len(flows) else flows
    if len(flows):
        flows = flows.assign(
            route=[
                f"{names.get(o, o)} → {names.get(c, c)}"
                for o, c in zip(flows["origin"], flows["cluster"], strict=True)
            ]
        )
        flow_title = f"{t('map.flow')} [EFLOPS]"
        layers.append(
            alt.Chart(_arcs(flows))
            .mark_line(color="#1f77b4", opacity=0.6, strokeCap="round")
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                detail="arc:N",
                order="i:Q",
                strokeWidth=alt.StrokeWidth(
                    "flow_eflops:Q",
                    title=flow_title,
                    scale=alt.Scale(range=[1, 10]),
                    legend=alt.Legend(orient="bottom", titleLimit=0),
                ),
                tooltip=[
                    alt.Tooltip("route:N", title=t("map.route")),
                    alt.Tooltip("flow_eflops:Q", title=flow_title, format=".3g"),
                ],
            )
            .project(**PROJECTION)
        )
    size_title = axis_lines(attrs["summary.capacity_eflops"])
    colour_title = axis_lines(attrs[f"summary.{colour}"])
    layers.append(
        alt.Chart(frame)
        .mark_circle(opacity=0.85, stroke="black", strokeWidth=0.6)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            size=alt.Size(
                "capacity_eflops:Q",
                title=size_title,
                scale=alt.Scale(range=[60, 1500], zero=True),
                legend=alt.Legend(orient="bottom", titleLimit=0, tickCount=3),
            ),
            color=alt.Color(
                f"{colour}:Q",
                title=colour_title,
                scale=alt.Scale(scheme="goldred" if colour == "mean_pue" else "viridis"),
                legend=alt.Legend(orient="bottom", titleLimit=0, gradientLength=160),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=t("cluster")),
                alt.Tooltip(
                    "capacity_eflops:Q",
                    title=axis_label(attrs["summary.capacity_eflops"]),
                    format=".4g",
                ),
                alt.Tooltip(
                    "mean_utilization:Q",
                    title=axis_label(attrs["summary.mean_utilization"]),
                    format=".1%",
                ),
                alt.Tooltip(
                    "mean_pue:Q", title=axis_label(attrs["summary.mean_pue"]), format=".3f"
                ),
                alt.Tooltip(
                    "energy_twh:Q", title=axis_label(attrs["summary.energy_twh"]), format=".4g"
                ),
            ],
        )
        .project(**PROJECTION)
    )
    layers.append(
        alt.Chart(frame)
        .mark_text(align="left", dx=8, dy=-6, fontSize=11)
        .encode(longitude="lon:Q", latitude="lat:Q", text="label:N")
        .project(**PROJECTION)
    )
    return alt.layer(*layers).properties(height=520)


def energy_by_cluster(res: dict[str, Any], names: dict[str, str]) -> alt.Chart:
    """Annual facility energy stacked by cluster (``names``: display names)."""
    frame = res["summary"][["year", "cluster", "energy_twh"]].copy()
    frame["cluster"] = frame["cluster"].map(lambda c: names.get(c, c))
    title = axis_label(res["attrs"]["summary.energy_twh"])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=t("year_axis")),
            y=alt.Y(
                "energy_twh:Q", title=axis_lines(res["attrs"]["summary.energy_twh"]), stack=True
            ),
            color=alt.Color("cluster:N", legend=_cluster_legend(columns=3)),
            tooltip=[
                alt.Tooltip("year:O", title=t("year_axis")),
                alt.Tooltip("cluster:N", title=t("cluster")),
                alt.Tooltip("energy_twh:Q", title=title, format=".4g"),
            ],
        )
        .properties(height=340)
    )


def power_series(res: dict[str, Any], names: dict[str, str]) -> alt.Chart:
    """Facility power by cluster, binned to at most a few hundred points; zoomable."""
    wide = res["power"].rename(columns=names)
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
            tooltip=[
                alt.Tooltip("time:T", title=t("time")),
                alt.Tooltip("cluster:N", title=t("cluster")),
                alt.Tooltip(
                    "power_mw:Q", title=axis_label(res["attrs"]["facility_power_mw"]), format=",.1f"
                ),
            ],
        )
        .properties(height=360)
        .interactive(bind_y=False)
    )


def load_duration(res: dict[str, Any], year: int) -> alt.Chart:
    """Total facility power of all clusters, sorted, against hours exceeded."""
    frame = res["ldc"][res["ldc"]["year"] == year]
    units = res["attrs"]["facility_power_mw"]["units"]
    y_title = axis_lines({"long_name": "total facility power", "units": units})
    x_title = f"{t('hours_exceeded')} [{unit('h')}]"
    return (
        alt.Chart(pd.DataFrame(frame))
        .mark_area(opacity=0.6, line=True)
        .encode(
            x=alt.X("hours:Q", title=x_title),
            y=alt.Y("power_mw:Q", title=y_title, scale=alt.Scale(zero=True)),
            tooltip=[
                alt.Tooltip("hours:Q", title=x_title),
                alt.Tooltip(
                    "power_mw:Q",
                    title=axis_label({"long_name": "total facility power", "units": units}),
                    format=",.1f",
                ),
            ],
        )
        .properties(height=300)
    )
