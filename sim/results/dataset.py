"""Labelled results: CF-style variables and the dataset of a run.

The layers below compute plain arrays; this module names them, with ``units``
and ``long_name`` on every variable (CF conventions), so plots and tables label
themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from sim import __version__
from sim.buildout.fleet import FleetArrays
from sim.operations.chain import OperationsResult
from sim.scenario.core import Scenario
from sim.scenario.units import KIND_PRECISION, TOTAL_BASES

__all__ = ["SUPPLY_VARIABLES", "dataarray", "kind_variables", "operations_variables", "run_dataset"]


def dataarray(
    values: np.ndarray, dims: tuple[str, ...], units: str, long_name: str, **attrs: Any
) -> xr.DataArray:
    """A DataArray with CF ``units`` and ``long_name`` attributes."""
    return xr.DataArray(values, dims=dims, attrs={"units": units, "long_name": long_name, **attrs})


#: Supply variables of :func:`sim.operations.chain.supply_balance`: name → (units, long name).
SUPPLY_VARIABLES = {
    "renewable_available_mw": ("MW", "renewable generation available (PV + wind)"),
    "renewable_power_mw": ("MW", "renewable generation used (incl. battery charging)"),
    "grid_power_mw": ("MW", "power drawn from the local grid"),
    "import_power_mw": ("MW", "power imported from a neighbouring grid"),
    "curtailed_mw": ("MW", "renewable generation curtailed"),
    "battery_soc_mwh": ("MWh", "battery state of charge at the end of the step"),
    "shortfall_mw": ("MW", "facility load beyond every supply cap"),
    "carbon_tco2": ("tCO2", "emissions of grid and imported energy within the step"),
    "cost_cny": ("CNY", "energy cost within the step"),
}


def operations_variables(
    scenario: Scenario,
    supply: dict[str, np.ndarray] | None,
    ops: OperationsResult | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Dataset variables and coordinates of the operations layer.

    Parameters
    ----------
    scenario : sim.Scenario
    supply : dict of arrays [C, T], or None
        From :func:`sim.operations.chain.supply_balance`.
    ops : OperationsResult or None
        Dispatch outcome, if the scenario has demand.

    Returns
    -------
    data_vars, coords : dict
    """
    dims = ("cluster", "time")
    data: dict[str, Any] = {}
    coords: dict[str, Any] = {}
    if supply is not None:
        for key, (units, long_name) in SUPPLY_VARIABLES.items():
            data[key] = dataarray(supply[key], dims, units, long_name)
        # supply exists only where every cluster has a grid section
        regions = [c.sections["grid"].region for c in scenario.clusters.values()]
        coords["grid_region"] = ("cluster", regions)
    if ops is not None:
        coords["workload"] = ops.workloads
        coords["origin"] = [o.name for o in ops.origins]
        coords["origin_role"] = ("origin", [o.role for o in ops.origins])
        coords["origin_lat"] = ("origin", [o.lat for o in ops.origins], {"units": "degree_north"})
        coords["origin_lon"] = ("origin", [o.lon for o in ops.origins], {"units": "degree_east"})
        prec = scenario.reporting_precision
        wo, wc = ("workload", "origin", "time"), ("workload", "cluster", "time")
        oc = ("origin", "cluster", "time")
        data["demand_eflops"] = dataarray(ops.demand_eflops, wo, "EFLOPS", f"demand ({prec})")
        data["served_eflops"] = dataarray(ops.served_eflops, wc, "EFLOPS", f"served ({prec})")
        data["unmet_eflops"] = dataarray(
            ops.unmet_eflops, wo, "EFLOPS", f"demand dropped in the step ({prec})"
        )
        data["deferred_eflops"] = dataarray(
            ops.deferred_eflops, wo, "EFLOPS", f"demand waiting at the end of the step ({prec})"
        )
        data["flow_eflops"] = dataarray(
            ops.flow_eflops, oc, "EFLOPS", f"compute served for an origin at a cluster ({prec})"
        )
        data["latency_ms"] = dataarray(
            ops.latency_ms, ("origin", "cluster"), "ms", "one-way latency origin to cluster"
        )
        data["unmet_reason"] = dataarray(
            ops.unmet_reason.astype(str), ("workload", "origin"), "-", "why demand cannot be served"
        )
    return data, coords


def kind_variables(
    scenario: Scenario, fleet: FleetArrays, kinds: dict[str, np.ndarray]
) -> dict[str, xr.DataArray]:
    """Capacity, power and energy by compute kind, and a total on the named basis.

    Compute does not sum over kinds: each kind is at its conventional precision
    (coordinate ``kind_precision``), and ``total_capacity_eflops`` exists only when
    the scenario names a basis (``totals.basis``).
    """
    dims = ("cluster", "kind", "time")
    data = {
        "kind_capacity_eflops": dataarray(
            fleet.kind_capacity_eflops,
            dims,
            "EFLOPS",
            "installed compute of each kind at its conventional precision (kind_precision)",
        ),
        "kind_it_power_mw": dataarray(
            kinds["kind_it_power_mw"], dims, "MW", "IT power of each compute kind"
        ),
        "kind_facility_power_mw": dataarray(
            kinds["kind_facility_power_mw"],
            dims,
            "MW",
            "facility power of each compute kind (IT power x PUE)",
        ),
        "kind_energy_mwh": dataarray(
            kinds["kind_energy_mwh"],
            dims,
            "MWh",
            "facility energy of each compute kind within the time step",
        ),
    }
    if fleet.total_eflops is not None:
        basis = scenario.totals_basis
        data["total_capacity_eflops"] = dataarray(
            fleet.total_eflops,
            ("cluster", "time"),
            "EFLOPS",
            f"installed compute of all kinds, {basis} basis",
            basis=f"{basis}: {TOTAL_BASES[basis]}",
        )
    return data


def run_dataset(
    scenario: Scenario,
    times: np.ndarray,
    arrays: dict[str, np.ndarray],
    fleet: FleetArrays,
    kinds: dict[str, np.ndarray],
    temperature_c: np.ndarray | None,
    supply: dict[str, np.ndarray] | None,
    ops: OperationsResult | None,
) -> xr.Dataset:
    """The dataset of :func:`sim.run`.

    Parameters
    ----------
    scenario : sim.Scenario
    times : datetime64 array [T]
        Start of each step (local standard time).
    arrays : dict of arrays [C, T]
        ``capacity_eflops``, ``nameplate_power_mw``, ``utilization``,
        ``it_power_mw``, ``pue``, ``facility_power_mw``, ``energy_mwh``.
    fleet : FleetArrays
        The fleet, with its per-kind compute and the total on the scenario's basis.
    kinds : dict of arrays [C, K, T]
        From :func:`sim.model.kind_power`.
    temperature_c : array [C, T] or None
        Ambient temperature where a climate PUE model is used [degC].
    supply, ops
        Outputs of the operations layer, or None.
    """
    dims = ("cluster", "time")
    prec = scenario.reporting_precision
    a = arrays
    data = {
        "capacity_eflops": dataarray(
            a["capacity_eflops"],
            dims,
            "EFLOPS",
            f"installed compute ({prec})",
            precision=prec,
            basis=f"{prec}-equivalent: every kind converted to {prec} through each hardware's "
            "own peak ratio",
        ),
        "nameplate_power_mw": dataarray(
            a["nameplate_power_mw"], dims, "MW", "IT power of installed hardware at full load"
        ),
        "utilization": dataarray(
            a["utilization"],
            dims,
            "1",
            "busy fraction of installed compute" + (" (served / installed)" if ops else ""),
        ),
        "it_power_mw": dataarray(a["it_power_mw"], dims, "MW", "IT (server) power"),
        "pue": dataarray(a["pue"], dims, "1", "power usage effectiveness"),
        "facility_power_mw": dataarray(
            a["facility_power_mw"], dims, "MW", "facility power (IT power x PUE)"
        ),
        "energy_mwh": dataarray(
            a["energy_mwh"], dims, "MWh", "facility energy within the time step"
        ),
    }
    data.update(kind_variables(scenario, fleet, kinds))
    if temperature_c is not None:
        data["ambient_temperature_c"] = dataarray(
            temperature_c, dims, "degC", "ambient temperature (synthetic climatology)"
        )
        # where each climate cluster's temperatures come from (table city or fallback)
        data["ambient_temperature_c"].attrs["climate_source"] = "; ".join(
            f"{c.name}: {c.climate.source}"
            for c in scenario.clusters.values()
            if not c.pue.is_constant
        )
    ops_data, ops_coords = operations_variables(scenario, supply, ops)
    data.update(ops_data)
    clusters = list(scenario.clusters.values())
    coords = {
        **ops_coords,
        "kind": list(fleet.kinds),
        "kind_precision": ("kind", [KIND_PRECISION[k] for k in fleet.kinds]),
        "cluster": [c.name for c in clusters],
        "time": times,
        "lat": ("cluster", [c.lat for c in clusters], {"units": "degree_north"}),
        "lon": ("cluster", [c.lon for c in clusters], {"units": "degree_east"}),
        "hub": ("cluster", [c.hub for c in clusters]),
        "role": ("cluster", [c.role for c in clusters]),
    }
    attrs = {
        "scenario": scenario.name,
        "variant": scenario.variant or "",
        "step_h": scenario.horizon.step_h,
        "precision": prec,
        "seed": scenario.seed,
        "suanli_version": __version__,
        "Conventions": "CF-1.10",
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
