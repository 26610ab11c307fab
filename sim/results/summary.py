"""Annual summaries by cluster and year, streamed over blocks of steps."""

from __future__ import annotations

import numpy as np
import xarray as xr

from sim.operations.dispatch import stranded_mask
from sim.operations.power import energy_mwh
from sim.results.dataset import dataarray
from sim.scenario.horizon import time_blocks, year_slices


class AnnualReducer:
    """Streaming annual sums and peaks over blocks of steps.

    Feed it blocks in time order (:func:`time_blocks`); each block holds arrays
    shaped ``(..., cluster, steps)``. Memory is that of the results, not of the
    hourly series.

    Parameters
    ----------
    shape : tuple of int
        Leading shape of the results, ``(..., cluster)``.
    n_years : int
        Number of calendar years.
    step_h : float
        Time step [h].
    """

    def __init__(self, shape: tuple[int, ...], n_years: int, step_h: float) -> None:
        full = (*shape, n_years)
        self.step_h = float(step_h)
        self.energy_mwh = np.zeros(full)
        self.it_energy_mwh = np.zeros(full)
        self.peak_mw = np.full(full, -np.inf)
        self.utilization_sum = np.zeros(full)
        self.coincident_peak_mw = np.full((*shape[:-1], n_years), -np.inf)
        self.counts = np.zeros(n_years, dtype=np.int64)

    def _times_step(self, x: np.ndarray) -> np.ndarray:
        # eq. (4) of sim.operations.power, energy_mwh; x * 1.0 == x exactly, so skip the copy
        return x if self.step_h == 1.0 else energy_mwh(x, self.step_h)

    def add(
        self,
        year: int,
        it_power_mw: np.ndarray,
        facility_power_mw: np.ndarray,
        utilization: np.ndarray,
        energy_mwh: np.ndarray | None = None,
    ) -> None:
        """Add one block of steps within calendar year index ``year``.

        Parameters
        ----------
        year : int
            Index of the year.
        it_power_mw, facility_power_mw : numpy.ndarray, shape (..., cluster, steps)
            IT and facility power [MW].
        utilization : numpy.ndarray, broadcastable to the same shape
            Busy fraction [1].
        energy_mwh : numpy.ndarray, optional
            Facility energy per step [MWh]; computed as power x step when omitted.
        """
        if energy_mwh is None:
            energy_mwh = self._times_step(facility_power_mw)
        self.energy_mwh[..., year] += energy_mwh.sum(axis=-1)
        self.it_energy_mwh[..., year] += self._times_step(it_power_mw).sum(axis=-1)
        np.maximum(
            self.peak_mw[..., year], facility_power_mw.max(axis=-1), out=self.peak_mw[..., year]
        )
        np.maximum(
            self.coincident_peak_mw[..., year],
            facility_power_mw.sum(axis=-2).max(axis=-1),
            out=self.coincident_peak_mw[..., year],
        )
        steps = facility_power_mw.shape[-1]
        if utilization.shape[-1] != steps:
            utilization = np.broadcast_to(utilization, (*utilization.shape[:-1], steps))
        # summed before broadcasting over samples: once, not once per sample
        self.utilization_sum[..., year] += utilization.sum(axis=-1)
        self.counts[year] += steps

    def finish(self, capacity_end_eflops: np.ndarray, nameplate_end_mw: np.ndarray) -> dict:
        """Annual summary arrays, shaped ``(..., cluster, year)``.

        Parameters
        ----------
        capacity_end_eflops : numpy.ndarray, shape (..., cluster, year)
            Installed compute at the last step of each year [EFLOPS].
        nameplate_end_mw : numpy.ndarray, shape (..., cluster, year)
            Nameplate IT power at the last step of each year [MW].

        Returns
        -------
        dict of name → numpy.ndarray
            ``energy_twh``, ``it_energy_twh``, ``peak_facility_power_mw``,
            ``capacity_eflops``, ``mean_pue``, ``mean_utilization``,
            ``efficiency_gflops_per_w`` and ``coincident_peak_facility_power_mw``
            (shape (..., year): the peak of the sum over clusters).
        """
        e_year, it_year = self.energy_mwh, self.it_energy_mwh
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_pue = np.where(it_year > 0, e_year / it_year, np.nan)
            eff = np.where(
                nameplate_end_mw > 0,
                capacity_end_eflops * 1e18 / (nameplate_end_mw * 1e6) / 1e9,
                np.nan,
            )
        return {
            "energy_twh": e_year / 1e6,
            "it_energy_twh": it_year / 1e6,
            "peak_facility_power_mw": self.peak_mw,
            "capacity_eflops": capacity_end_eflops,
            "mean_pue": mean_pue,
            "mean_utilization": self.utilization_sum / self.counts,
            "efficiency_gflops_per_w": eff,
            "coincident_peak_facility_power_mw": self.coincident_peak_mw,
        }


#: Units and long names of the annual summary variables.
SUMMARY_VARIABLES: dict[str, tuple[str, str]] = {
    "energy_twh": ("TWh", "facility energy in the year"),
    "it_energy_twh": ("TWh", "IT energy in the year"),
    "peak_facility_power_mw": ("MW", "peak facility power in the year"),
    "capacity_eflops": ("EFLOPS", "installed compute at year end"),
    "mean_pue": ("1", "energy-weighted mean PUE"),
    "mean_utilization": ("1", "time-mean utilisation of installed compute"),
    "efficiency_gflops_per_w": ("GFLOPS/W", "installed compute per nameplate IT power at year end"),
    "coincident_peak_facility_power_mw": (
        "MW",
        "peak of the facility power summed over clusters in the year",
    ),
}


def summarize(ds: xr.Dataset) -> xr.Dataset:
    """Annual summary by cluster and calendar year.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`sim.run`.

    Returns
    -------
    xarray.Dataset
        Dims (cluster, year): ``energy_twh`` (facility energy), ``it_energy_twh``,
        ``peak_facility_power_mw``, ``capacity_eflops`` (at year end, reporting
        precision), ``mean_pue`` (energy-weighted), ``mean_utilization``
        (time mean), ``efficiency_gflops_per_w`` (installed compute per
        nameplate IT power at year end); dims (year): ``coincident_peak_facility_power_mw``
        (peak of the total over clusters).
    """
    times = ds["time"].values
    years, starts = year_slices(times)
    ends = np.r_[starts[1:], len(times)] - 1
    it = ds["it_power_mw"].values
    facility = ds["facility_power_mw"].values
    energy = ds["energy_mwh"].values
    util = ds["utilization"].values
    reducer = AnnualReducer(it.shape[:-1], len(years), float(ds.attrs["step_h"]))
    for y, lo, hi in time_blocks(times):
        reducer.add(y, it[:, lo:hi], facility[:, lo:hi], util[:, lo:hi], energy[:, lo:hi])
    stats = reducer.finish(
        ds["capacity_eflops"].values[:, ends], ds["nameplate_power_mw"].values[:, ends]
    )
    precision = ds["capacity_eflops"].attrs.get("precision", "")
    data = {}
    for name, values in stats.items():
        units, long_name = SUMMARY_VARIABLES[name]
        dims = ("cluster", "year") if values.ndim == 2 else ("year",)
        extra = {"precision": precision} if units in ("EFLOPS", "GFLOPS/W") else {}
        data[name] = dataarray(values, dims, units, long_name, **extra)
    out = xr.Dataset(
        data,
        coords={"cluster": ds["cluster"].values, "year": years},
        attrs={k: v for k, v in ds.attrs.items() if k in ("scenario", "variant", "precision")},
    )
    counts = np.diff(np.r_[starts, len(times)])
    _summarize_operations(ds, out, starts, counts)
    _summarize_footprint(ds, out, starts)
    _summarize_kinds(ds, out, starts, ends)
    return out


def _summarize_kinds(ds: xr.Dataset, out: xr.Dataset, starts: np.ndarray, ends: np.ndarray) -> None:
    """Annual figures by compute kind, added in place when ``ds`` has them.

    ``kind_capacity_eflops`` at year end, each kind at its conventional precision
    (coordinate ``kind_precision``); ``kind_energy_twh`` summed in the year (sums over
    kinds to ``energy_twh``); ``total_capacity_eflops`` at year end only when the run
    names a basis for a total across kinds.
    """
    if "kind_energy_mwh" not in ds:
        return
    cky = ("cluster", "kind", "year")
    out.coords["kind"] = ds["kind"].values
    out.coords["kind_precision"] = ("kind", ds["kind_precision"].values)
    out["kind_capacity_eflops"] = dataarray(
        ds["kind_capacity_eflops"].values[..., ends],
        cky,
        "EFLOPS",
        "installed compute of each kind at year end, at its conventional precision",
    )
    out["kind_energy_twh"] = dataarray(
        np.add.reduceat(ds["kind_energy_mwh"].values, starts, axis=-1) / 1e6,
        cky,
        "TWh",
        "facility energy of each compute kind in the year",
    )
    if "kind_served_eflops" in ds:
        counts = np.diff(np.r_[starts, ds.sizes["time"]])
        out["kind_served_mean_eflops"] = dataarray(
            np.add.reduceat(ds["kind_served_eflops"].values, starts, axis=-1) / counts,
            cky,
            "EFLOPS",
            "time-mean served compute of each kind, at its conventional precision",
        )
    if "total_capacity_eflops" in ds:
        total = ds["total_capacity_eflops"]
        out["total_capacity_eflops"] = dataarray(
            total.values[:, ends],
            ("cluster", "year"),
            "EFLOPS",
            "installed compute of all kinds at year end on the named basis",
            basis=total.attrs["basis"],
        )


#: Annual sums of the water and embodied-carbon variables (sim.results.water, sim.results.embodied).
FOOTPRINT_SUMS = {
    "water_site_m3": "on-site water consumed in the year",
    "water_upstream_m3": "water consumed generating the grid electricity drawn in the year",
    "water_m3": "on-site and upstream water in the year",
    "embodied_carbon_tco2": "embodied carbon booked in the year",
}


def _summarize_footprint(ds: xr.Dataset, out: xr.Dataset, starts: np.ndarray) -> None:
    """Annual water [m3] and embodied carbon [tCO2], added in place when ``ds`` has them;
    ``total_carbon_tco2`` = operational + embodied where both exist."""
    for name, long_name in FOOTPRINT_SUMS.items():
        if name in ds:
            attrs = {k: v for k, v in ds[name].attrs.items() if k == "accounting"}
            values = np.add.reduceat(ds[name].values, starts, axis=-1)
            out[name] = dataarray(
                values, ("cluster", "year"), ds[name].attrs["units"], long_name, **attrs
            )
    if "embodied_carbon_tco2" in out and "carbon_tco2" in out:
        out["total_carbon_tco2"] = dataarray(
            out["carbon_tco2"].values + out["embodied_carbon_tco2"].values,
            ("cluster", "year"),
            "tCO2",
            "operational and embodied carbon in the year",
        )


def footprint_table(summary: xr.Dataset) -> str:
    """Text block for ``suanli run``: water and embodied carbon by cluster and year
    (empty when the run has neither)."""
    shown = [
        (name, head, scale)
        for name, head, scale in (
            ("water_site_m3", "site water 1e3 m3", 1e3),
            ("water_upstream_m3", "upstream 1e3 m3", 1e3),
            ("embodied_carbon_tco2", "embodied ktCO2", 1e3),
            ("total_carbon_tco2", "total ktCO2", 1e3),
        )
        if name in summary
    ]
    if not shown:
        return ""
    clusters = [str(c) for c in summary["cluster"].values]
    width = max(len(c) for c in [*clusters, "cluster"])
    head = f"{'year':>4}  {'cluster':<{width}}" + "".join(f" {h:>18}" for _, h, _ in shown)
    lines = ["water and embodied carbon", head, "-" * len(head)]
    for j, y in enumerate(summary["year"].values):
        for i, c in enumerate(clusters):
            cells = "".join(f" {summary[n].values[i, j] / k:>18.3f}" for n, _, k in shown)
            lines.append(f"{int(y):>4}  {c:<{width}}{cells}")
    return "\n".join(lines)


STRANDED_H = 720.0  # [h] idle runs of 30 days or more count as stranded capacity


def _summarize_operations(
    ds: xr.Dataset, out: xr.Dataset, starts: np.ndarray, counts: np.ndarray
) -> None:
    """Annual operations figures (issue 3), added in place when ``ds`` has them.

    Served and unmet compute are time means [EFLOPS]; energies are sums [GWh];
    the east-in-west share is the part of demand from ``east`` origins served
    at ``west`` clusters; the regional peak is the coincident peak of the
    hourly grid draw summed over the region's clusters.
    """
    step_h = float(ds.attrs["step_h"])
    cy = ("cluster", "year")

    def mean(values):
        return np.add.reduceat(values, starts, axis=-1) / counts

    def total(values):
        return np.add.reduceat(values, starts, axis=-1)

    if "served_eflops" in ds:
        wy = ("workload", "year")
        served = ds["served_eflops"].values
        demand = ds["demand_eflops"].values.sum(axis=1)
        unmet = ds["unmet_eflops"].values.sum(axis=1)
        out["served_mean_eflops"] = dataarray(
            mean(served.sum(axis=0)), cy, "EFLOPS", "time-mean served compute"
        )
        out["class_served_mean_eflops"] = dataarray(
            mean(served.sum(axis=1)), wy, "EFLOPS", "time-mean served compute by workload class"
        )
        out["class_demand_mean_eflops"] = dataarray(
            mean(demand), wy, "EFLOPS", "time-mean demand by workload class"
        )
        out["class_unmet_mean_eflops"] = dataarray(
            mean(unmet), wy, "EFLOPS", "time-mean unmet demand by workload class"
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total(demand) > 0, total(unmet) / total(demand), np.nan)
        out["class_unmet_share"] = dataarray(share, wy, "1", "unmet share of demand by class")
        out.coords["workload"] = ds["workload"].values
        # stranded: installed compute that serves nothing for 30 days or more in a row
        capacity = ds["capacity_eflops"].values
        stranded = stranded_mask(capacity, served.sum(axis=0), max(round(STRANDED_H / step_h), 1))
        out["stranded_capacity_mean_eflops"] = dataarray(
            mean(np.where(stranded, capacity, 0.0)),
            cy,
            "EFLOPS",
            f"time-mean installed compute idle for {STRANDED_H / 24:g} days or more in a row",
        )
        out["stranded_hours"] = dataarray(
            total(stranded) * step_h,
            cy,
            "h",
            f"hours in runs of {STRANDED_H / 24:g} days or more serving nothing",
        )
        origin_role = ds["origin_role"].values
        role = ds["role"].values
        flow = ds["flow_eflops"].values
        east_o = origin_role == "east"
        west_c = role == "west"
        east_demand = total(ds["demand_eflops"].values[:, east_o].sum(axis=(0, 1)))
        east_in_west = total(flow[np.ix_(east_o, west_c)].sum(axis=(0, 1)))
        with np.errstate(invalid="ignore", divide="ignore"):
            share_w = np.where(east_demand > 0, east_in_west / east_demand, np.nan)
        out["east_served_in_west_share"] = dataarray(
            share_w, ("year",), "1", "share of eastern demand served at western clusters"
        )
    if "grid_power_mw" in ds:
        grid = ds["grid_power_mw"].values
        imported = ds["import_power_mw"].values
        fac = ds["facility_power_mw"].values
        out["peak_grid_power_mw"] = dataarray(
            np.maximum.reduceat(grid, starts, axis=-1), cy, "MW", "peak grid draw in the year"
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            fac_e = total(fac)
            ren_share = np.where(fac_e > 0, 1.0 - total(grid + imported) / fac_e, np.nan)
        out["renewable_share"] = dataarray(
            np.clip(ren_share, 0.0, 1.0), cy, "1", "share of facility energy from renewables"
        )
        for key, name, long_name in (
            ("curtailed_mw", "curtailed_gwh", "renewable energy curtailed"),
            ("import_power_mw", "import_gwh", "energy imported from neighbouring grids"),
            ("shortfall_mw", "shortfall_gwh", "facility energy beyond every supply cap"),
        ):
            out[name] = dataarray(total(ds[key].values) * step_h / 1e3, cy, "GWh", long_name)
        out["carbon_tco2"] = dataarray(
            total(ds["carbon_tco2"].values), cy, "tCO2", "emissions in the year"
        )
        out["cost_cny"] = dataarray(total(ds["cost_cny"].values), cy, "CNY", "energy cost")
        regions = ds["grid_region"].values
        names = list(dict.fromkeys(regions.tolist()))
        peaks = np.stack(
            [np.maximum.reduceat(grid[regions == r].sum(axis=0), starts) for r in names]
        )
        out["peak_grid_power_by_region_mw"] = dataarray(
            peaks, ("region", "year"), "MW", "coincident peak grid draw of a grid region"
        )
        out.coords["region"] = names
