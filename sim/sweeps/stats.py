"""Statistics of a sweep: quantiles and Sobol sensitivity indices."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from sim.scenario.errors import ScenarioError


def quantiles(ds: xr.Dataset, q: tuple[float, ...] | None = None) -> xr.Dataset:
    """Quantiles over samples of every per-sample variable, plus the cluster total.

    Parameters
    ----------
    ds : xarray.Dataset
        Sweep results (:func:`sweep`).
    q : tuple of float, optional
        Quantiles (default: the spec's, stored in ``ds.attrs['quantiles']``).

    Returns
    -------
    xarray.Dataset
        Dims (quantile, ...); ``energy_twh_total`` is the sum over clusters.
    """
    if q is None:
        q = tuple(json.loads(ds.attrs.get("quantiles", "[0.05, 0.5, 0.95]")))
    per = [v for v in ds.data_vars if "sample" in ds[v].dims]
    out = ds[per].quantile(list(q), dim="sample", skipna=True)
    if "energy_twh" in ds:
        total = ds["energy_twh"].sum("cluster", skipna=False)
        out["energy_twh_total"] = total.quantile(list(q), dim="sample", skipna=True)
        out["energy_twh_total"].attrs = {
            "units": "TWh",
            "long_name": "facility energy of all clusters in the year",
        }
    for v in per:
        out[v].attrs = ds[v].attrs
    return out


def sensitivity_target(ds: xr.Dataset) -> xr.DataArray:
    """The output analysed for sensitivity: summed over clusters, by year."""
    name = ds.attrs.get("sensitivity", "energy_twh")
    da = ds[name]
    if "cluster" in da.dims:
        agg = (
            da.max("cluster")
            if name in ("mean_pue", "mean_utilization", "efficiency_gflops_per_w")
            else da.sum("cluster")
        )
        agg.attrs = da.attrs
        return agg
    return da


def sobol_indices(ds: xr.Dataset, num_resamples: int = 200, seed: int = 0) -> xr.Dataset:
    """First-order and total Sobol indices of a Sobol sweep (SALib, Saltelli/Jansen).

    Parameters
    ----------
    ds : xarray.Dataset
        Results of a complete ``method: sobol`` sweep, samples in design order.
    num_resamples : int
        Bootstrap resamples for the confidence intervals.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    xarray.Dataset
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` with dims (parameter[, year]).
    """
    from SALib.analyze import sobol as sobol_analyze

    if ds.attrs.get("method") != "sobol":
        raise ScenarioError(
            "Sobol indices need a method: sobol sweep", field="method", given=ds.attrs.get("method")
        )
    names = json.loads(ds.attrs["parameters"])
    problem = {"num_vars": len(names), "names": names, "bounds": [[0, 1]] * len(names)}
    target = sensitivity_target(ds)
    if bool(np.isnan(target.values).any()):
        raise ScenarioError("the sweep is incomplete: finish it (--resume) before Sobol analysis")
    extra = [d for d in target.dims if d != "sample"]
    flat = target.transpose("sample", *extra).values.reshape(target.sizes["sample"], -1)
    res = {k: np.empty((len(names), flat.shape[1])) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    for col in range(flat.shape[1]):
        y = flat[:, col]
        if np.ptp(y) == 0:
            for k in res:
                res[k][:, col] = 0.0
            continue
        si = sobol_analyze.analyze(
            problem, y, calc_second_order=False, num_resamples=num_resamples, seed=seed
        )
        for k in res:
            res[k][:, col] = si[k]
    dims = ("parameter", *extra)
    coords: dict[str, Any] = {"parameter": names}
    for d in extra:
        coords[d] = target[d].values
    shape = (len(names), *[target.sizes[d] for d in extra])
    long = {"S1": "first-order Sobol index", "ST": "total Sobol index"}
    data = {
        k: xr.DataArray(
            v.reshape(shape),
            dims=dims,
            attrs={
                "units": "1",
                "long_name": long.get(k, long[k[:2]] + " 95% confidence half-width"),
            },
        )
        for k, v in res.items()
    }
    return xr.Dataset(
        data,
        coords=coords,
        attrs={"target": target.attrs.get("long_name", ds.attrs.get("sensitivity"))},
    )
