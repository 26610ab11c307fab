"""Quantity parsing and precision names."""

from __future__ import annotations

import pytest

from sim import ScenarioError
from sim.scenario.units import format_number, format_quantity, normalize_precision, parse_quantity


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("989 TFLOPS", "TFLOPS", 989.0),
        ("1 EFLOPS", "TFLOPS", 1e6),  # 1 EFLOPS = 10^6 TFLOPS
        ("5000 PFLOPS", "EFLOPS", 5.0),  # 5,000 PFLOPS = 5 EFLOPS (Wujiang, seed 002)
        ("700 W", "W", 700.0),
        ("0.7 kW", "W", 700.0),
        ("52.6 GFLOPS/W", "GFLOPS/W", 52.6),
        ("5.66 GFLOPS/W", "FLOPS/W", 5.66e9),
        ("1978.9 TOPS", "TFLOPS", 1978.9),  # int8 TOPS share the compute dimension
        ("30.6 TWh", "MWh", 30.6e6),
        ("0.57 tCO2/MWh", "kgCO2/kWh", 0.57),  # 0.57 t/MWh = 570 kg / 1000 kWh
        ("0.45 CNY/kWh", "CNY/MWh", 450.0),
        ("20 ms", "s", 0.020),
        ("15 degC", "degC", 15.0),
        ("65 %", "dimensionless", 0.65),
        ("4000 racks", "rack", 4000.0),
        (1.25, "dimensionless", 1.25),  # a bare number is the canonical unit
        ("2.5", "kW", 2.5),
    ],
)
def test_parse_quantity_converts_to_canonical_unit(value, unit, expected):
    assert parse_quantity(value, unit, "f") == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("700 W", "TFLOPS", "is a power"),
        ("1 EFLOPS", "MW", "is a compute rate"),
        ("1.3 MW", "dimensionless", "is a power"),
        ("12 furlongs/fortnight", "W", "is of dimension"),
        ("12 bogons", "W", "unknown unit"),
        ("lots", "W", "not a number"),
        (True, "W", "not a quantity"),
        (None, "W", "not a quantity"),
        ("nan W", "W", "not a number"),
    ],
)
def test_parse_quantity_rejects_wrong_input(value, unit, message):
    with pytest.raises(ScenarioError, match=message) as info:
        parse_quantity(value, unit, "clusters.x.power")
    assert info.value.field == "clusters.x.power"


def test_parse_quantity_bounds():
    with pytest.raises(ScenarioError, match=">= 0"):
        parse_quantity("-1 MW", "MW", "f", minimum=0)
    with pytest.raises(ScenarioError, match="<= 1"):
        parse_quantity(1.2, "dimensionless", "f", maximum=1)


@pytest.mark.parametrize(
    ("name", "expected"), [("FP16", "fp16"), ("bf16", "fp16"), ("fp64", "fp64"), ("INT8", "int8")]
)
def test_precision_aliases(name, expected):
    assert normalize_precision(name, "p") == expected


def test_unknown_precision_names_choices():
    with pytest.raises(ScenarioError, match="fp64, fp32, tf32, fp16, fp8, int8"):
        normalize_precision("fp4", "reporting_precision")


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (6200.2 / 1e6, "TWh", "6.20 GWh"),  # DESIGN.md minimal scenario: 6.20 GWh
        (0.70779, "MW", "0.708 MW"),  # and 0.708 MW (MW is the smallest power shown)
        (30.645, "TWh", "30.6 TWh"),
        (11393.9, "MW", "11.4 GW"),
        (999.96, "MW", "1.00 GW"),  # rounds to 1000 MW first, then scales
        (0.5, "EFLOPS", "500 PFLOPS"),
        (1756.9, "EFLOPS", "1757 EFLOPS"),  # integer digits beyond 3 figures are kept
        (8.568e6, "tCO2", "8.57 MtCO2"),
        (9.425e9, "CNY", "9.43 bn CNY"),
        (0.0, "MW", "0 MW"),
        (float("nan"), "MW", "-"),
        (None, "TWh", "-"),
        (1.25, "tCO2/MWh", "1.25 tCO2/MWh"),  # no ladder: unscaled
    ],
)
def test_format_quantity_scales_and_rounds(value, unit, text):
    assert format_quantity(value, unit) == text


@pytest.mark.parametrize(
    ("value", "text"), [(1.0, "1.00"), (0.75, "0.750"), (1.127, "1.13"), (1.2e-5, "0.0000120")]
)
def test_format_number_keeps_three_significant_figures(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("56.6亿次/W", "GFLOPS/W", 5.66),  # 56.6 x 1e8 FLOPS/W (seed document 002)
        ("1万亿次", "TFLOPS", 1.0),  # 万亿 = 1e12
        ("1亿亿次", "PFLOPS", 10.0),  # 亿亿 = 1e16
        ("18E", "EFLOPS", 18.0),  # shorthand of Chinese plans
        ("300 P", "EFLOPS", 0.3),
        ("3 EFlops", "EFLOPS", 3.0),
        ("3万千瓦", "MW", 30.0),  # 3 x 1e4 kW
        ("2 兆瓦", "kW", 2000.0),
        ("306亿千瓦时", "TWh", 30.6),  # 306 x 1e8 kWh = 3.06e10 kWh
        ("5 度", "kWh", 5.0),  # 度 = 1 kWh
        ("2亿元", "CNY", 2e8),
    ],
)
def test_chinese_units(value, unit, expected):
    assert parse_quantity(value, unit, "f") == pytest.approx(expected, rel=1e-12)


def test_compute_shorthand_only_where_compute_is_expected():
    with pytest.raises(ScenarioError, match="this field takes a power"):
        parse_quantity("5 P", "MW", "f")  # P is poise here, not PFLOPS


def test_seed_sentence_in_its_own_units(minimal):
    # Seed document 002: the added 18 EFLOPS "at 56.6亿次/W" with PUE 1.1 needs 30.6 TWh:
    # 18e18 FLOPS / 5.66e9 FLOPS/W x 1.1 x 8760 h / 1e12 = 30.645 TWh.
    import sim

    minimal["reporting_precision"] = "fp64"
    minimal["hardware"] = {"seed": {"efficiency": {"fp64": "56.6亿次/W"}}}
    site = minimal["clusters"]["site-a"]
    site["fleet"] = {
        "precision": "fp64",
        "hardware": {"seed": 1.0},
        "capacity": {"2025-01-01": "18E", "2025-12-31": "18E"},
    }
    site["pue"] = 1.1
    summary = sim.summarize(sim.run(sim.load_scenario(minimal)))
    energy_twh = float(summary["energy_twh"].sum())
    assert energy_twh == pytest.approx(30.645, abs=5e-4)
    assert f"{energy_twh:.1f}" == "30.6"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("hardware.gpu-a.power", "700 kW", "1 W to 20 kW"),  # an accelerator of 700 kW
        ("clusters.site-a.pue", 5, "1 to 4"),  # (PUE 25 is above the hard bound 10)
        ("clusters.site-a.pue", {"model": "climate", "base": 1.1, "slope": 3}, "0.2 1/K"),
    ],
)
def test_implausible_value_is_an_error_naming_the_range(minimal, path, value, expected):
    import sim

    with pytest.raises(ScenarioError, match="implausible value") as info:
        sim.load_scenario(minimal, overrides={path: value})
    assert expected in str(info.value) and "--allow-implausible" in str(info.value)


def test_allow_implausible_accepts_and_runs_the_value(minimal):
    import sim
    from sim.scenario.units import allow_implausible

    with allow_implausible():
        scenario = sim.load_scenario(minimal, overrides={"hardware.gpu-a.power": "700 kW"})
    # 1 EFLOPS / 989 TFLOPS x 700 kW = 707.79 MW, x 8760 h = 6.2002 TWh
    energy_twh = float(sim.summarize(sim.run(scenario))["energy_twh"].sum())
    assert energy_twh == pytest.approx(1e18 / 989e12 * 700e3 * 8760 / 1e12, rel=1e-9)


def test_outside_a_soft_range_warns(minimal):
    import sim
    from sim.scenario.units import ImplausibleWarning

    with pytest.warns(ImplausibleWarning, match=r"node_overhead.*1 to 4"):
        sim.load_scenario(minimal, overrides={"hardware.gpu-a.node_overhead": 6})
