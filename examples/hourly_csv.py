"""An hourly CSV as a scenario input: a week of Beijing temperatures drives the PUE.

The scenario ``examples/beijing_july_week.yaml`` names its temperature file
relative to itself (``climate: {file: data/...csv}``). The same site with the
synthetic climate (the file removed) shows what the measured-shape week changes.

Run from the repository root: ``python examples/hourly_csv.py``.
"""

from pathlib import Path

import sim
from sim.scenario.units import format_number, format_quantity
from sim.scenario.yamlio import read_yaml

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "beijing_july_week.yaml"

with_file = sim.load_scenario(SCENARIO)
raw = read_yaml(SCENARIO)
del raw["clusters"]["beijing"]["climate"]  # the synthetic climatology instead
synthetic = sim.load_scenario(raw)

for label, scenario in (("temperature file", with_file), ("synthetic climate", synthetic)):
    ds = sim.run(scenario)
    summary = sim.summarize(ds)
    temperature = ds["ambient_temperature_c"].values[0]
    print(
        f"{label:>17}: mean {format_number(temperature.mean())} degC, "
        f"max {format_number(temperature.max())} degC, "
        f"PUE {format_number(float(summary['mean_pue'].values[0, 0]))}, "
        f"energy {format_quantity(float(summary['energy_twh'].sum()), 'TWh')}"
    )
