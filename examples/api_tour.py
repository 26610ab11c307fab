"""The researcher's tour: load, override, run, summarise, plot.

Run from the repository root: ``python examples/api_tour.py [OUT_DIR]``.
"""

import sys
import tempfile
from pathlib import Path

import sim
from sim.results.plots import plot_run
from sim.scenario.units import format_quantity

ROOT = Path(__file__).resolve().parents[1]

scenario = sim.load_scenario(
    ROOT / "scenarios" / "minimal.yaml", overrides={"clusters.site-a.pue": 1.3}
)
ds = sim.run(scenario)  # xarray.Dataset (cluster, time)
summary = sim.summarize(ds)  # xarray.Dataset (cluster, year)

energy_twh = float(summary["energy_twh"].sum())
peak_mw = float(summary["peak_facility_power_mw"].max())
energy, peak = format_quantity(energy_twh, "TWh"), format_quantity(peak_mw, "MW")
print(f"{scenario.name}: {energy} a year, peak {peak}")

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
chart = plot_run(ds, summary, out / "minimal.svg")
print(f"chart written to {chart}")
