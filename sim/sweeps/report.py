"""``suanli report STORE``: quantiles, sensitivity indices and charts of a sweep.

Sensitivity of the target output (``outputs.sensitivity`` of the sweep,
summed over clusters; the last year for charts):

* Sobol sweeps: first-order and total indices (SALib; Saltelli et al. 2010
  estimators, bootstrap confidence intervals);
* grid and Monte Carlo sweeps: Spearman rank correlation of each parameter
  with the target (a screening measure, not a variance share).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from sim.results.io import write_atomic
from sim.sweeps.stats import quantiles, sensitivity_target, sobol_indices

__all__ = ["plot_fan", "plot_tornado", "rank_correlations", "report"]


def _parameter_names(ds: xr.Dataset) -> list[str]:
    return json.loads(ds.attrs.get("parameters", "[]"))


def rank_correlations(ds: xr.Dataset) -> xr.DataArray:
    """Spearman rank correlation of each numeric parameter with the target.

    Returns
    -------
    xarray.DataArray
        Dims (parameter[, year]) [1], NaN for a constant or non-numeric parameter.
    """
    from scipy.stats import spearmanr

    target = sensitivity_target(ds)
    extra = [d for d in target.dims if d != "sample"]
    y = target.transpose("sample", *extra).values.reshape(target.sizes["sample"], -1)
    names = _parameter_names(ds)
    out = np.full((len(names), y.shape[1]), np.nan)
    ok = ~np.isnan(y).any(axis=1)
    for i, name in enumerate(names):
        x = ds[name].values
        if x.dtype.kind not in "fiu" or np.ptp(x[ok]) == 0:
            continue
        for col in range(y.shape[1]):
            if np.ptp(y[ok, col]) > 0:
                out[i, col] = spearmanr(x[ok], y[ok, col]).statistic
    coords: dict[str, Any] = {"parameter": names}
    for d in extra:
        coords[d] = target[d].values
    shape = (len(names), *[target.sizes[d] for d in extra])
    return xr.DataArray(
        out.reshape(shape),
        dims=("parameter", *extra),
        coords=coords,
        attrs={"units": "1", "long_name": "Spearman rank correlation with the target"},
    )


def plot_fan(ds: xr.Dataset, path: str | Path) -> Path:
    """Fan chart: quantile bands over samples of the target by year (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = sensitivity_target(ds)
    years = target["year"].values
    qs = target.quantile([0.05, 0.25, 0.5, 0.75, 0.95], dim="sample", skipna=True).values
    fig, ax = plt.subplots(figsize=(8, 4.8), constrained_layout=True)
    ax.fill_between(years, qs[0], qs[4], color="tab:blue", alpha=0.2, label="5-95 %")
    ax.fill_between(years, qs[1], qs[3], color="tab:blue", alpha=0.4, label="25-75 %")
    ax.plot(years, qs[2], color="tab:blue", lw=2, label="median")
    name = ds.attrs.get("sensitivity", "")
    units = target.attrs.get("units", "?")
    long_name = target.attrs.get("long_name", name)
    total = " (all clusters)" if "cluster" in ds[name].dims else ""
    ax.set_ylabel(f"{long_name}{total} [{units}]")
    ax.set_xlabel("year")
    ax.set_xticks(years)
    n = int((~np.isnan(target.isel(year=-1).values)).sum())
    ax.set_title(f"{ds.attrs.get('sweep', '')}: {ds.attrs.get('method', '')}, {n} samples")
    ax.legend(loc="upper left")
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
    return Path(path)


def plot_tornado(sens: xr.Dataset | xr.DataArray, title: str, path: str | Path) -> Path:
    """Tornado chart of sensitivity by parameter, largest on top (PNG).

    Parameters
    ----------
    sens : xarray.Dataset or DataArray
        Sobol indices (``S1``, ``ST``; dims parameter) or rank correlations.
    title : str
    path : str or Path
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [str(p) for p in sens["parameter"].values]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(names) + 1.8), constrained_layout=True)
    pos = np.arange(len(names))
    if isinstance(sens, xr.Dataset):
        st, s1 = sens["ST"].values, sens["S1"].values
        order = np.argsort(st)
        ax.barh(pos, st[order], color="tab:orange", label="total index ST")
        ax.barh(pos, s1[order], height=0.5, color="tab:blue", label="first-order index S1")
        ax.errorbar(st[order], pos, xerr=sens["ST_conf"].values[order], fmt="none", color="k")
        ax.set_xlabel("Sobol index [1] (share of output variance)")
        ax.legend(loc="lower right")
    else:
        r = np.nan_to_num(sens.values)
        order = np.argsort(np.abs(r))
        ax.barh(pos, r[order], color=np.where(r[order] >= 0, "tab:red", "tab:blue"))
        ax.axvline(0, color="k", lw=0.8)
        ax.set_xlim(-1, 1)
        ax.set_xlabel("Spearman rank correlation with the target [1]")
    ax.set_yticks(pos, [names[i] for i in order])
    ax.set_title(title)
    write_atomic(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
    return Path(path)


def report(ds: xr.Dataset, out_dir: str | Path | None = None, stem: str = "sweep") -> dict:
    """Quantiles, sensitivity and (with ``out_dir``) PNG charts of a sweep.

    Parameters
    ----------
    ds : xarray.Dataset
        Sweep results (:func:`sim.sweep` or :func:`sim.sweeps.store.open_store`).
    out_dir : str or Path, optional
        Where to write ``{stem}_fan.png`` and ``{stem}_tornado.png``.
    stem : str
        File name prefix of the charts.

    Returns
    -------
    dict
        ``quantiles`` (xarray.Dataset), ``sensitivity`` (Dataset of Sobol
        indices, or DataArray of rank correlations, for the target), ``plots``
        (list of paths) and ``samples_done``.
    """
    target = sensitivity_target(ds)
    done_mask = ~np.isnan(target.values.reshape(target.sizes["sample"], -1)).any(axis=1)
    done = ds.isel(sample=np.flatnonzero(done_mask))
    q = quantiles(done)
    sens: xr.Dataset | xr.DataArray
    sens = sobol_indices(ds) if ds.attrs.get("method") == "sobol" else rank_correlations(done)
    plots = []
    if out_dir is not None:
        out = Path(out_dir)
        last = {"year": -1} if "year" in sens.dims else {}
        year_txt = f" in {int(sens['year'].values[-1])}" if last else ""
        title = f"sensitivity of {ds.attrs.get('sensitivity', 'y')}{year_txt}"
        if "year" in target.dims:
            plots.append(plot_fan(done, out / f"{stem}_fan.png"))
        plots.append(plot_tornado(sens.isel(**last), title, out / f"{stem}_tornado.png"))
    return {
        "quantiles": q,
        "sensitivity": sens,
        "plots": plots,
        "samples_done": int(done_mask.sum()),
    }
