"""Scenario page: headline figures with deltas, map, power series, energy, load duration."""

from __future__ import annotations

import math

import charts
import streamlit as st
from state import current
from texts import t
from whatif import OPS_UNITS, format_energy, format_power, headline

cur = current()  # stops the page, saying why, when there is no what-if

res, base = cur.results, cur.base
title = cur.info["name"] + (f" — {cur.variant}" if cur.variant else "")
st.title(title)
st.caption(
    (cur.info["description"] or "")
    + "  \n"
    + (t("modified", n=len(cur.overrides)) if cur.modified else t("unmodified"))
)

now = headline(res, cur.year, cur.target_eflops)
was = headline(base, cur.year, cur.target_eflops)


def _delta(new: float, old: float, fmt, relative: bool = True) -> str | None:
    """Change against the unmodified scenario, ASCII sign first (Streamlit reads the
    arrow's direction from it), with the relative change."""
    if not cur.modified or new == old or not (math.isfinite(new) and math.isfinite(old)):
        return None
    change = new - old
    pct = f" ({change / old:+.1%})" if old and relative else ""
    return ("+" if change > 0 else "-") + fmt(abs(change)) + pct


cols = st.columns(4)
cols[0].metric(
    t("m.energy", year=cur.year),
    format_energy(now["energy_twh"]),
    _delta(now["energy_twh"], was["energy_twh"], format_energy),
    delta_color="inverse",
    help=t("delta.help"),
)
cols[1].metric(
    t("m.peak", year=cur.year),
    format_power(now["peak_mw"]),
    _delta(now["peak_mw"], was["peak_mw"], format_power),
    delta_color="inverse",
    help=t("delta.help"),
)
cols[2].metric(
    t("m.capacity", year=cur.year, precision=res["meta"]["precision"]),
    f"{now['capacity_eflops']:,.4g} EFLOPS",
    _delta(now["capacity_eflops"], was["capacity_eflops"], lambda v: f"{v:,.4g} EFLOPS"),
    help=t("delta.help"),
)


def _yes_no(met: bool | None) -> str:
    return t("yes") if met else t("no")


cols[3].metric(
    t("m.target", target=f"{cur.target_eflops:,.4g}"),
    _yes_no(now["target_met"]),
    None
    if not cur.modified or now["target_met"] == was["target_met"]
    else f"{_yes_no(was['target_met'])} → {_yes_no(now['target_met'])}",
    delta_color="off",
)

extras = res["meta"].get("extras", [])
if extras:  # carbon, cost, renewables, unmet demand: once dispatch and grid give them
    cols = st.columns(len(extras))
    for col, name in zip(cols, extras, strict=True):
        unit = OPS_UNITS[name]
        share = unit == "%"
        col.metric(
            f"{t(f'ops.{name}', year=cur.year)} [{unit}]",
            f"{now[name]:,.4g}",
            # shares change in percentage points, not relative
            _delta(
                now[name],
                was.get(name, now[name]),
                lambda v, s=share: f"{v:,.3g}" + (" pp" if s else ""),
                relative=not share,
            ),
            # more renewables is good; east-served-in-west is neither good nor bad
            delta_color={"renewable_share": "normal", "east_in_west_share": "off"}.get(
                name, "inverse"
            ),
            help=t("delta.help"),
        )

left, right = st.columns(2)
with left:
    st.subheader(t("map"))
    st.altair_chart(charts.map_of_clusters(res, cur.year), width="stretch")
with right:
    st.subheader(t("energy_by_cluster"))
    st.altair_chart(charts.energy_by_cluster(res), width="stretch")
st.subheader(t("power_series"))
st.altair_chart(charts.power_series(res), width="stretch")
st.subheader(t("ldc", year=cur.year))
st.altair_chart(charts.load_duration(res, cur.year), width="stretch")
