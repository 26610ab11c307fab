"""Charts of a run, labelled from the dataset's ``units`` and ``long_name``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from sim.results.io import write_atomic

__all__ = ["label", "plot_run"]


def label(da: xr.DataArray) -> str:
    """Axis label ``long_name [units]`` from CF attributes."""
    return f"{da.attrs.get('long_name', da.name)} [{da.attrs.get('units', '?')}]"


def plot_run(ds: xr.Dataset, summary: xr.Dataset, path: str | Path) -> Path:
    """Write a chart: annual energy stacked by cluster, and daily peak facility power.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`sim.run`.
    summary : xarray.Dataset
        Output of :func:`sim.summarize`.
    path : str or Path
        File to write (atomically); its extension picks PNG, SVG or PDF.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 8), constrained_layout=True)
    energy = summary["energy_twh"]
    years = summary["year"].values
    bottom = np.zeros(len(years))
    colors = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(summary.cluster), 2)))
    for i, cluster in enumerate(summary["cluster"].values):
        vals = energy.sel(cluster=cluster).values
        ax1.bar(years, vals, bottom=bottom, label=str(cluster), color=colors[i])
        bottom += vals
    ax1.set_ylabel(label(energy))
    ax1.set_xticks(years)
    ax1.set_title(f"{ds.attrs.get('scenario', '')} {ds.attrs.get('variant', '')}".strip())
    ax1.legend(ncol=5, fontsize=8, loc="upper left")

    power = ds["facility_power_mw"]
    daily = power.resample(time="1D").max()
    for i, cluster in enumerate(daily["cluster"].values):
        ax2.plot(
            daily["time"].values,
            daily.sel(cluster=cluster).values,
            lw=0.8,
            color=colors[i],
            label=str(cluster),
        )
    ax2.set_ylabel(f"daily peak {label(power)}")
    ax2.set_xlabel("time (local standard time)")
    fmt = Path(path).suffix.lower().lstrip(".") or "png"  # png, svg or pdf (sim.results.export)
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, format=fmt))
    plt.close(fig)
    return Path(path)
