"""Scenario page: headline figures with deltas, map, power series, energy, load duration."""

from __future__ import annotations

import math

import charts
import streamlit as st
from state import current, display
from texts import choices, lang, lang_key, t, unit
from whatif import OPS_UNITS, TARGET_UNITS, format_energy, format_power, headline

cur = current()  # stops the page, saying why, when there is no what-if

res, base = cur.results, cur.base
title = display(cur.info, "name") + (
    f" — {display(cur.info, 'name', f'variant:{cur.variant}')}" if cur.variant else ""
)
st.title(title)
st.caption(
    display(cur.info, "description")
    + "  \n"
    + (t("modified", n=len(cur.overrides)) if cur.modified else t("unmodified"))
)

now = headline(res, cur.year)
was = headline(base, cur.year)


def _delta(new: float, old: float, fmt, relative: bool = True) -> str | None:
    """Change against the unmodified scenario, ASCII sign first (Streamlit reads the
    arrow's direction from it), with the relative change."""
    if not cur.modified or new == old or not (math.isfinite(new) and math.isfinite(old)):
        return None
    change = new - old
    pct = f" ({change / old:+.1%})" if old and relative else ""
    return ("+" if change > 0 else "-") + fmt(abs(change)) + pct


st.caption(t("headline", year=cur.year))
cols = st.columns(3)
cols[0].metric(
    t("m.energy"),
    format_energy(now["energy_twh"]),
    _delta(now["energy_twh"], was["energy_twh"], format_energy),
    delta_color="inverse",
    help=t("delta.help"),
)
cols[1].metric(
    t("m.peak"),
    format_power(now["peak_mw"]),
    _delta(now["peak_mw"], was["peak_mw"], format_power),
    delta_color="inverse",
    help=t("delta.help"),
)
cols[2].metric(
    t("m.capacity", precision=res["meta"]["precision"]),
    f"{now['capacity_eflops']:,.4g} EFLOPS",
    _delta(now["capacity_eflops"], was["capacity_eflops"], lambda v: f"{v:,.4g} EFLOPS"),
    help=t("delta.help"),
)

extras = res["meta"].get("extras", [])
if extras:  # carbon, cost, renewables, unmet demand: once dispatch and grid give them
    # rows of three: a value with its unit stays readable at 1280 px
    cols = [c for i in range(0, len(extras), 3) for c in st.columns(3)][: len(extras)]
    for col, name in zip(cols, extras, strict=True):
        share = OPS_UNITS[name] == "%"
        col.metric(
            t(f"ops.{name}"),
            f"{now[name]:,.4g} {unit(OPS_UNITS[name])}",
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


def _units(measure: str) -> str:
    """A target measure's unit as shown ('' for PUE, a ratio)."""
    text = TARGET_UNITS[measure]
    return "" if text == "1" else unit(text)


def _target_label(row) -> str:
    """A target's display name, or one built from its fields."""
    own = row.name_zh if lang() == "zh" and row.name_zh else row.name
    if own:
        return own
    kind = f" {t(f'kind.{row.kind}')}" if row.kind else ""
    bound = "≥" if row.bound == "min" else "≤"
    value = f"{row.target:,.4g} {_units(row.measure)}".strip()
    return t(f"target.{row.measure}", bound=bound, value=value, kind=kind, when=row.when)


targets = res["targets"]
if len(targets):
    st.subheader(t("targets"))
    cols = [c for i in range(0, len(targets), 3) for c in st.columns(3)][: len(targets)]
    for col, row in zip(cols, targets.itertuples(), strict=True):
        units = _units(row.measure)
        col.metric(
            _target_label(row),
            t("target.met" if row.met else "target.missed" if row.met is False else "target.na"),
            None if row.met is None else f"{row.margin:+,.3g} {units}".strip(),
            help=t(
                "target.help",
                achieved=f"{row.achieved:,.4g} {units}".strip(),
                target=f"{row.target:,.4g} {units}".strip(),
            ),
        )
else:
    st.caption(t("targets.none"))

names = {c: display(cur.info, "name", f"cluster:{c}") for c in res["meta"]["clusters"]}
names.update({o: display(cur.info, "name", f"cluster:{o}") for o in res["meta"]["origins"]})
st.subheader(t("map"))
years = res["meta"]["years"]
left, right = st.columns([3, 1])
with right:
    map_year = (
        st.select_slider(t("map.year"), years, value=cur.year, key="map_year")
        if len(years) > 1
        else years[0]
    )
    colour = st.radio(
        t("map.colour"),
        ["mean_utilization", "mean_pue"],
        format_func=choices("map.colour"),
        key=lang_key("map_colour"),
    )
    st.caption(t("map.note"))
with left:
    charts.show(charts.map_of_clusters(res, map_year, colour, names))
st.subheader(t("energy_by_cluster"))
charts.show(charts.energy_by_cluster(res, names))
st.subheader(t("power_series"))
charts.show(charts.power_series(res, names))
st.subheader(t("ldc", year=cur.year))
charts.show(charts.load_duration(res, cur.year))
