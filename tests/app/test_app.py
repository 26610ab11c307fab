"""The Streamlit app through ``streamlit.testing.v1.AppTest``: every page, the
sliders against hand calculations, uploads, and the YAML export round trip."""

from __future__ import annotations

import importlib.util
import re
import sys

import numpy as np
import pytest
import yaml
from streamlit.testing.v1 import AppTest

import sim
from tests.conftest import ROOT, SCENARIOS

APP = str(ROOT / "app" / "streamlit_app.py")
PAGES = (
    "views/scenario.py",
    "views/compare.py",
    "views/buildout.py",
    "views/jobs.py",
    "views/sweeps.py",
    "views/export.py",
    "views/editor.py",
)
HOURS_2025 = 8760

# DESIGN.md minimal scenario: 1 EFLOPS / 989 TFLOPS x 700 W = 0.7078 MW of IT power at
# full load, PUE 1.0: 0.7078 MW x 8760 h = 6.200 GWh a year.
MINIMAL_IT_MW = 1e18 / 989e12 * 700 / 1e6
MINIMAL_GWH = MINIMAL_IT_MW * HOURS_2025 / 1e3


def app_module(name: str):
    """Import one of the app's modules by path (the app folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"suanli_app_{name}", ROOT / "app" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def number(text: str) -> float:
    """The figure at the start of a displayed value: '8.060 GWh' -> 8.06."""
    return float(re.match(r"[-+−]?[\d,]*\.?\d+", text).group().replace(",", ""))


def metric(at: AppTest, prefix: str):
    found = [m for m in at.metric if m.label.startswith(prefix)]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def energy_gwh(at: AppTest) -> float:
    m = metric(at, "Annual energy")
    value = number(m.value)
    unit = m.value.split()[-1]
    return value * {"MWh": 1e-3, "GWh": 1.0, "TWh": 1e3}[unit]


def start(scenario: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    if scenario is not None:
        box = at.sidebar.selectbox(key="scenario_file.en")
        box.set_value(str(SCENARIOS / scenario)).run()
        assert not at.exception, at.exception
    return at


def test_default_page_loads_with_the_default_scenario():
    at = start()
    assert at.sidebar.selectbox(key="scenario_file.en").value.endswith(
        "east_data_west_compute.yaml"
    )
    assert at.title[0].value.startswith("East Data West Compute")
    # headline figures of the last year, no deltas while nothing is modified
    assert "2030, all clusters" in [c.value for c in at.main.caption]
    for prefix in ("Annual energy", "Peak facility power", "Capacity at year end"):
        assert metric(at, prefix).delta == ""
    # the sliders shipped: PUE, idle, capacity, delay, node overheads; each says what
    # it does and where
    keys = {s.key for s in at.slider}
    assert {"w_pue", "w_idle", "w_capacity_scale", "w_delay"} <= keys
    assert "w_overhead.h100" in keys
    assert at.slider(key="w_pue").label == "PUE — sets · all clusters"
    assert at.slider(key="w_capacity_scale").label.endswith("— scales × · all clusters")
    # the default scenario dispatches demand: utilisation is an outcome, not an input
    assert "w_utilization" not in keys
    assert at.slider(key="utilization_off").disabled
    assert "outcome" in at.slider(key="utilization_off").help


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_page_loads_without_exception(page, language):
    at = start()
    at.sidebar.radio(key="lang").set_value(language).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title


def test_pue_slider_scales_energy_by_the_pue_ratio():
    at = start("minimal.yaml")
    assert energy_gwh(at) == pytest.approx(MINIMAL_GWH, abs=5e-4)
    assert energy_gwh(at) == pytest.approx(6.200, abs=5e-4)  # DESIGN.md
    at.slider(key="w_pue").set_value(1.3).run()
    # constant-PUE scenario: energy is proportional to PUE, 6.200 GWh x 1.3 = 8.060 GWh
    assert energy_gwh(at) == pytest.approx(8.060, abs=5e-4)
    assert metric(at, "Annual energy").delta.startswith("+1.860 GWh")
    # peak power scales the same way: 0.7078 MW x 1.3 = 0.9201 MW
    assert number(metric(at, "Peak facility power").value) == pytest.approx(0.9201, abs=1e-4)


def test_pue_slider_on_zhejiang_matches_hand_calculation():
    at = start("zhejiang_2025.yaml")
    # 18 EFLOPS of H100 (989.4 TFLOPS fp16, 700 W, node overhead 1.5): 19.10 MW nameplate;
    # load 0.2 + 0.8 x 0.8 = 0.84 -> 16.04 MW IT; PUE 1.25 -> 20.06 MW; x 8760 h = 175.7 GWh
    nameplate_mw = 18e18 / 989.4e12 * 700 * 1.5 / 1e6
    base_gwh = nameplate_mw * 0.84 * 1.25 * HOURS_2025 / 1e3
    assert base_gwh == pytest.approx(175.7, abs=0.05)
    assert energy_gwh(at) == pytest.approx(base_gwh, rel=5e-4)
    at.slider(key="w_pue").set_value(1.1).run()
    assert energy_gwh(at) == pytest.approx(base_gwh * 1.1 / 1.25, rel=5e-4)  # 154.6 GWh


@pytest.mark.parametrize(
    ("sliders", "expected_gwh"),
    [
        # utilisation 0.5, idle 0: 0.7078 MW x 0.5 x 8760 h = 3.100 GWh
        ({"w_utilization": 0.5}, 3.100),
        # utilisation 0.5, idle 0.2: load 0.2 + 0.8 x 0.5 = 0.6 -> 3.720 GWh
        ({"w_utilization": 0.5, "w_idle": 0.2}, 3.720),
        # capacity x 2: 2 EFLOPS -> 12.40 GWh
        ({"w_capacity_scale": 2.0}, 12.400),
        # node overhead 1.5: 1.05 MW per EFLOPS -> 9.300 GWh
        ({"w_overhead.gpu-a": 1.5}, 9.300),
    ],
)
def test_other_sliders_against_hand_calculations(sliders, expected_gwh):
    at = start("minimal.yaml")
    for key, value in sliders.items():
        at.slider(key=key).set_value(value)
    at.run()
    assert not at.exception, at.exception
    assert energy_gwh(at) == pytest.approx(expected_gwh, abs=1e-3)


def test_reset_restores_the_scenario():
    at = start("minimal.yaml")
    at.slider(key="w_capacity_scale").set_value(0.5).run()
    assert energy_gwh(at) == pytest.approx(3.100, abs=1e-3)  # half of 6.200 GWh
    at.sidebar.button(key="reset").click().run()
    assert energy_gwh(at) == pytest.approx(6.200, abs=5e-4)
    assert metric(at, "Annual energy").delta == ""


def test_delay_slider_shifts_the_build_out(minimal):
    # minimal scenario over 2025-2027, capacity 1 EFLOPS on 2025-01-01 rising linearly
    # to 3 EFLOPS on 2027-12-31
    minimal["horizon"] = {"start": "2025-01-01", "end": "2027-12-31", "step": "1h"}
    minimal["clusters"]["site-a"]["fleet"]["capacity"] = {
        "2025-01-01": "1 EFLOPS",
        "2027-12-31": "3 EFLOPS",
    }
    at = upload(start(), "ramp.yaml", yaml.safe_dump(minimal).encode())
    # end of 2027 (last hour, 2027-12-31T23:00) is past the last point: 3 EFLOPS
    assert number(metric(at, "Capacity at year end").value) == pytest.approx(3.0)
    at.slider(key="w_delay").set_value(1).run()
    assert not at.exception, at.exception
    # one year late: points 2026-01-01 (1 EFLOPS) and 2028-12-31 (3 EFLOPS), 1095 days
    # apart; 2027-12-31T23:00 is 729 days 23 h after the first: 1 + 2 x 729.958 / 1095
    expected = 1 + 2 * (729 + 23 / 24) / 1095
    assert expected == pytest.approx(2.3333, abs=1e-4)
    assert number(metric(at, "Capacity at year end").value) == pytest.approx(expected, abs=5e-4)


def test_language_switch_translates_labels_not_units():
    at = start("minimal.yaml")
    at.sidebar.radio(key="lang").set_value("zh").run()
    labels = [m.label for m in at.metric]
    assert labels[0] == "年能耗"
    assert at.metric[0].value == "6.200 GWh"


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.sidebar.toggle(key="upload_mode").set_value(True).run()
    at.sidebar.file_uploader(key="upload").set_value((name, data, "application/x-yaml")).run()
    return at


def test_valid_upload_runs(minimal):
    text = (SCENARIOS / "minimal.yaml").read_bytes()
    at = upload(start(), "mine.yaml", text)
    assert not at.exception, at.exception
    assert energy_gwh(at) == pytest.approx(6.200, abs=5e-4)


def test_invalid_upload_shows_the_field_inline():
    text = (SCENARIOS / "minimal.yaml").read_text().replace("pue: 1.0", "pue: 0.9")
    at = upload(start(), "bad.yaml", text.encode())
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1
    # one line naming the uploaded file, its line, the field, what was given
    assert "bad.yaml:20: field 'clusters.site-a.pue'" in errors[0]
    assert "0.9" in errors[0]
    assert "Traceback" not in errors[0]
    assert not at.metric  # no results for a broken scenario


def test_upload_that_is_not_yaml_shows_the_line():
    at = upload(start(), "broken.yaml", b"name: x\nhorizon: [1, 2\n")
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1
    assert "broken.yaml" in errors[0]
    assert "invalid YAML" in errors[0]


def test_upload_over_one_megabyte_is_refused():
    big = b"# padding\n" * 110_000  # 1.1 MB > 1 MB = 1,048,576 bytes
    at = upload(start(), "big.yaml", big)
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1
    assert "1,100,000 bytes" in errors[0]


def exported(at: AppTest) -> str:
    at.switch_page("views/export.py").run()
    assert not at.exception, at.exception
    (code,) = at.code
    return code.value


def test_exported_yaml_round_trips_to_the_same_results():
    # Yangtze River Delta: dispatch, grid, a climate PUE model, racks and EFLOPS
    at = start("yangtze_delta.yaml")
    at.slider(key="w_pue").set_value(1.3)
    at.slider(key="w_idle").set_value(0.3)
    at.slider(key="w_capacity_scale").set_value(1.5)
    at.slider(key="w_overhead.h100").set_value(1.8)
    at.run()
    assert not at.exception, at.exception
    shown_gwh = energy_gwh(at)
    text = exported(at)
    assert text.startswith("# Exported by the suanli app from yangtze_delta.yaml")
    back = sim.run(sim.load_scenario(yaml.safe_load(text)))
    # the same results as the app's own overrides through sim.load_scenario
    whatif = app_module("whatif")
    path = SCENARIOS / "yangtze_delta.yaml"
    settings = whatif.Settings(
        pue=1.3, idle_power=0.3, capacity_scale=1.5, node_overhead=(("h100", 1.8),)
    )
    raw = sim.load_scenario(path).raw
    direct = sim.run(sim.load_scenario(path, overrides=whatif.overrides(raw, settings)))
    for name in ("capacity_eflops", "it_power_mw", "pue", "energy_mwh", "carbon_tco2"):
        np.testing.assert_array_equal(back[name].values, direct[name].values)
    assert float(back["energy_mwh"].sum()) / 1e3 == pytest.approx(shown_gwh, rel=5e-4)
    # every cluster's PUE (constant, or the climate model's base) was set to 1.3
    assert float(back["pue"].min()) == pytest.approx(1.3)


def test_exported_yaml_of_a_variant_round_trips():
    at = start("zhejiang_2025.yaml")
    at.sidebar.selectbox(key="variant.en").set_value("seed-estimate").run()
    # the seed's arithmetic: 18 EFLOPS / 5.66 GFLOPS/W = 3180 MW, x PUE 1.1 x 8760 h = 30.64 TWh
    seed_twh = 18e18 / 5.66e9 / 1e6 * 1.1 * HOURS_2025 / 1e6
    assert seed_twh == pytest.approx(30.64, abs=0.005)
    assert energy_gwh(at) / 1e3 == pytest.approx(seed_twh, rel=5e-4)
    back = sim.run(sim.load_scenario(yaml.safe_load(exported(at))))
    assert float(back["energy_mwh"].sum()) / 1e6 == pytest.approx(seed_twh, rel=1e-9)


def chart_specs(at: AppTest) -> list[tuple[dict, list]]:
    """The Vega-Lite spec of each Altair chart of the page, with its data sets (Streamlit
    sends them apart from the spec, as Arrow tables)."""
    import json

    import pyarrow as pa

    return [
        (
            json.loads(c.proto.spec),
            [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in c.proto.datasets],
        )
        for c in at.main.get("vega_lite_chart")
    ]


def test_compare_preset_is_the_zhejiang_reconciliation():
    at = start()
    at.session_state["compare_what.en"] = "preset"  # the named preset, not the sidebar's
    at.switch_page("views/compare.py").run()
    assert not at.exception, at.exception
    assert at.markdown[0].value.startswith("**Zhejiang 2025 +18 EFLOPS**")
    table = at.dataframe[0].value.set_index("variant")
    energy = table["energy [TWh]"]
    # seed: 18 EFLOPS / 5.66 GFLOPS/W x 1.1 x 8760 h = 30.64 TWh
    assert energy["seed-estimate"] == pytest.approx(18e18 / 5.66e9 * 1.1 * 8760 / 1e12, rel=1e-6)
    # Frontier measured 52.23 GFLOPS/W [S37]: 18e18 / 52.23e9 x 1.1 x 8760 = 3.321 TWh
    assert energy["frontier-measured"] == pytest.approx(3.321, abs=5e-4)
    # H100 fp16 base case: 175.7 GWh (see the PUE test above)
    assert energy["h100-fp16"] == pytest.approx(0.1757, abs=5e-5)
    assert energy["(base)"] == pytest.approx(energy["h100-fp16"])
    # no dispatch, no grids: no carbon or cost columns rather than empty ones
    assert "carbon [MtCO2]" not in table


def test_compare_follows_the_sidebar_and_shows_every_figure():
    at = start("yangtze_delta.yaml")
    at.switch_page("views/compare.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("variant")
    assert list(table.index) == ["(base)", "stay-local", "no-imports"]  # the YAML's order
    for column in (
        "energy [TWh]",
        "coincident peak [MW]",
        "carbon [MtCO2]",
        "energy cost [bn CNY]",
        "renewable share [%]",
        "unmet demand [%]",
    ):
        assert table[column].notna().all(), column
    # the stay-local row is the variant's run: its carbon summed over clusters [tCO2]
    path = SCENARIOS / "yangtze_delta.yaml"
    summary = sim.summarize(sim.run(sim.load_scenario(path, variant="stay-local")))
    carbon_mt = float(summary["carbon_tco2"].sum()) / 1e6
    assert table.loc["stay-local", "carbon [MtCO2]"] == pytest.approx(carbon_mt, rel=1e-9)
    # the chart starts on energy, a linear axis from zero (never a log axis over zero)
    ((spec, (data,)),) = chart_specs(at)
    assert spec["encoding"]["x"]["scale"] == {"zero": True}
    assert spec["encoding"]["x"]["title"] == "energy [TWh]"
    assert len(data) == 3 and (data["value"] > 0).all()
    # unmet demand is 0 % in some rows: the log axis is offered only over positives
    at.segmented_control(key="variants_figure.en").set_value("unmet_share").run()
    assert at.toggle(key="variants_log").disabled == (table["unmet demand [%]"] <= 0).any()


def test_saved_what_if_appears_on_the_compare_page():
    at = start("minimal.yaml")
    at.slider(key="w_pue").set_value(1.3).run()
    at.sidebar.button(key="save").click().run()
    at.switch_page("views/compare.py").run()
    assert not at.exception, at.exception
    saved = at.dataframe[-1].value
    assert list(saved["what-if"]) == ["1: one site"]  # the scenario's name
    # 8.060 GWh = 0.008060 TWh
    assert saved["energy [TWh]"].iloc[0] == pytest.approx(0.008060, abs=1e-6)
    # what the what-if changed, under the table
    assert any("**1: one site**: pue=1.3" in c.value for c in at.main.caption)


def test_operations_figures_appear_when_a_run_has_them():
    """Dispatch and grid layers: carbon, cost, renewables and unmet demand headlines are
    the annual totals of sim.summarize over clusters (as `suanli compare`)."""
    at = start("yangtze_delta.yaml")
    summary = sim.summarize(sim.run(sim.load_scenario(SCENARIOS / "yangtze_delta.yaml")))
    carbon_mt = float(summary["carbon_tco2"].sum()) / 1e6
    assert metric(at, "Carbon").value.endswith(" MtCO2")
    assert number(metric(at, "Carbon").value) == pytest.approx(carbon_mt, rel=5e-4)
    cost_bn = float(summary["cost_cny"].sum()) / 1e9
    assert metric(at, "Energy cost").value.endswith(" bn CNY")
    assert number(metric(at, "Energy cost").value) == pytest.approx(cost_bn, rel=5e-4)
    unmet = number(metric(at, "Unmet demand").value)
    assert 0 <= unmet <= 100
    # a higher PUE draws more energy from the same grids: more carbon and cost
    at.slider(key="w_pue").set_value(1.5).run()
    assert metric(at, "Carbon").delta.startswith("+")
    assert metric(at, "Energy cost").delta.startswith("+")


def test_summary_table_has_one_row_per_cluster_and_year():
    whatif = app_module("whatif")
    ds = sim.run(sim.load_scenario(SCENARIOS / "yangtze_delta.yaml"))
    res = whatif.bundle(ds)
    assert len(res["summary"]) == 4  # 4 clusters x 1 year, despite workload/region dims
    assert res["summary"]["energy_twh"].sum() == pytest.approx(
        float(res["totals"]["energy_twh"].iloc[0])
    )


def test_scope_applies_sliders_to_one_cluster_only():
    at = start("yangtze_delta.yaml")
    at.sidebar.selectbox(key="scope.en").set_value("wuhu").run()
    assert at.slider(key="w_pue").value == pytest.approx(1.25)  # wuhu's own PUE [S4]
    at.slider(key="w_pue").set_value(1.5).run()
    assert not at.exception, at.exception
    text = exported(at)
    assert "pue=1.5 (wuhu)" in text
    clusters = yaml.safe_load(text)["clusters"]
    assert clusters["wuhu"]["pue"] == 1.5
    assert clusters["qingpu"]["pue"] == 1.25 and clusters["wujiang"]["pue"] == 1.25
    pue = sim.run(sim.load_scenario(yaml.safe_load(text)))["pue"]
    assert float(pue.sel(cluster="wuhu").min()) == pytest.approx(1.5)
    assert float(pue.sel(cluster="qingpu").max()) == pytest.approx(1.25)


def test_export_files_carry_the_run_and_its_units(minimal, tmp_path):
    whatif = app_module("whatif")
    ds = sim.run(sim.load_scenario(minimal))
    path = tmp_path / "run.nc"
    path.write_bytes(whatif.netcdf_bytes(ds))
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as back:
        assert float(back["energy_mwh"].sum()) / 1e3 == pytest.approx(6.200, abs=5e-4)  # GWh
        assert back["facility_power_mw"].attrs["units"] == "MW"
    assert whatif.png_bytes(ds).startswith(b"\x89PNG\r\n\x1a\n")
    hourly = whatif.timeseries_csv(ds).splitlines()
    assert len(hourly) == 1 + HOURS_2025  # header + one row per hour of the one cluster
    assert "facility_power_mw [MW]" in hourly[0]
    assert "energy_mwh [MWh]" in hourly[0]
    annual = whatif.summary_csv(whatif.bundle(ds)).splitlines()
    header = annual[0].split(",")
    row = dict(zip(header, annual[1].split(","), strict=True))
    assert float(row["energy_twh [TWh]"]) == pytest.approx(MINIMAL_GWH / 1e3, rel=1e-9)


@pytest.mark.parametrize("scenario", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_every_shipped_scenario_renders(scenario):
    at = start(scenario)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert metric(at, "Annual energy").value.split()[-1] in ("MWh", "GWh", "TWh")


def test_buildout_page_shows_the_pipeline_monte_carlo():
    from sim.buildout.commission import pipeline_spec
    from sim.buildout.pipeline import monte_carlo_summary, run_monte_carlo

    at = start("zhejiang_supply_shock.yaml")
    at.switch_page("views/buildout.py").run()
    assert not at.exception, at.exception
    at.select_slider(key="pipeline_samples").set_value(200).run()
    assert not at.exception, at.exception
    (prob,) = at.metric
    assert prob.label == "P(≥ 100 EFLOPS by 2025-12-31)"  # seed 002: 100 EFLOPS in 2025
    # the same Monte Carlo as `suanli pipeline --seeds 200` (same scenario seed)
    scenario = sim.load_scenario(SCENARIOS / "zhejiang_supply_shock.yaml")
    summ = monte_carlo_summary(run_monte_carlo(pipeline_spec(scenario), scenario.seed, 200))
    assert number(prob.value) / 100 == pytest.approx(float(summ["target_probability"][0]), abs=5e-4)
    table = at.dataframe[0].value
    p10, p50, p90 = (table[f"P{q} online [EFLOPS]"] for q in (10, 50, 90))
    assert (p10 <= p50).all() and (p50 <= p90).all()


def test_buildout_page_explains_a_scenario_without_projects():
    at = start("minimal.yaml")
    at.switch_page("views/buildout.py").run()
    assert not at.exception, at.exception
    assert "projects:" in at.info[0].value


def test_jobs_page_runs_the_job_simulation_under_a_chosen_policy():
    from sim.jobs.run import run_jobs

    at = start("east_west_jobs.yaml")
    at.switch_page("views/jobs.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="jobs_policy").set_value("fifo").run()
    assert not at.exception, at.exception
    # the same simulation as `suanli jobs east_west_jobs.yaml --policy fifo`
    ds = run_jobs(sim.load_scenario(SCENARIOS / "east_west_jobs.yaml"), policy="fifo")
    classes = at.dataframe[0].value.set_index("job class")
    assert classes["jobs"].sum() == int(ds["jobs"].sum())
    hours = int(ds.attrs["horizon_h"])
    assert hours == 30 * 24  # the scenario's jobs.hours: 720 (30 days)
    energy = float(ds["energy_mwh"].isel(time=slice(0, hours)).sum())
    assert number(metric(at, "Facility energy").value) == pytest.approx(energy, abs=0.05)
    assert metric(at, "Facility energy").delta  # against the scenario's own policy


def test_jobs_page_explains_a_scenario_without_jobs():
    at = start("minimal.yaml")
    at.switch_page("views/jobs.py").run()
    assert not at.exception, at.exception
    assert "jobs:" in at.info[0].value


def test_efficiency_input_reconciles_the_seed_estimate():
    """Zhejiang's trap 1: the seed's 5.66 GFLOPS/W is Frontier's 52.23 slipped a factor 10."""
    at = start("zhejiang_2025.yaml")
    at.sidebar.selectbox(key="variant.en").set_value("seed-estimate").run()
    assert at.number_input(key="w_eff.seed-frontier").value == pytest.approx(5.66)
    at.number_input(key="w_eff.seed-frontier").set_value(52.23).run()
    assert not at.exception, at.exception
    # 18 EFLOPS / 52.23 GFLOPS/W = 344.6 MW x PUE 1.1 x 8760 h = 3.321 TWh [S37]
    expected_twh = 18e18 / 52.23e9 / 1e6 * 1.1 * HOURS_2025 / 1e6
    assert expected_twh == pytest.approx(3.321, abs=5e-4)
    assert energy_gwh(at) / 1e3 == pytest.approx(expected_twh, rel=5e-4)
    hardware = yaml.safe_load(exported(at))["hardware"]
    # the scenario's fp32 efficiency equals its fp64 one: both scale by 52.23 / 5.66
    assert hardware["seed-frontier"]["efficiency"] == {
        "fp64": "52.23 GFLOPS/W",
        "fp32": "52.23 GFLOPS/W",
    }


def test_climate_pue_sliders():
    at = start("yangtze_delta.yaml")
    at.sidebar.selectbox(key="scope.en").set_value("jiashan").run()
    # jiashan: climate model base 1.2, free cooling below 15 degC, slope 0.015 /K, max 1.5
    assert at.slider(key="w_free_cooling").value == pytest.approx(15.0)
    assert at.slider(key="w_pue_slope").value == pytest.approx(0.015)
    at.slider(key="w_pue_slope").set_value(0.0).run()
    assert not at.exception, at.exception
    back = sim.run(sim.load_scenario(yaml.safe_load(exported(at))))
    # eq. (2) with slope 0: PUE = base, 1.2, every hour
    pue = back["pue"].sel(cluster="jiashan").values
    assert pue.min() == pytest.approx(1.2) and pue.max() == pytest.approx(1.2)


def test_dispatch_policy_matches_the_scenario_variant():
    at = start("yangtze_delta.yaml")
    before = energy_gwh(at)
    at.sidebar.selectbox(key="w_dispatch_policy.en").set_value("stay_local").run()
    assert not at.exception, at.exception
    # the variant stay-local sets dispatch.policy: stay_local, nothing else
    ds = sim.run(sim.load_scenario(SCENARIOS / "yangtze_delta.yaml", variant="stay-local"))
    assert energy_gwh(at) == pytest.approx(float(ds["energy_mwh"].sum()) / 1e3, rel=5e-4)
    assert energy_gwh(at) != pytest.approx(before, rel=1e-6)
    assert yaml.safe_load(exported(at))["dispatch"]["policy"] == "stay_local"


def test_carbon_objective_emits_no_more_than_the_cost_objective():
    at = start("yangtze_delta.yaml")  # objective: cost
    cost_objective = number(metric(at, "Carbon").value)
    at.sidebar.selectbox(key="w_dispatch_objective.en").set_value("carbon").run()
    assert not at.exception, at.exception
    assert number(metric(at, "Carbon").value) <= cost_objective * (1 + 1e-9)


def test_sweeps_page_shows_quantiles_and_swings_of_a_store(tmp_path, monkeypatch):
    # A 2-point grid over the minimal scenario's PUE: 6.2002 GWh at PUE 1.0 and
    # 9.3003 GWh at 1.5 (0.70779 MW x 8760 h x PUE). Linear quantiles of two samples:
    # p50 = 7.7503 GWh, p5 = 6.2002 + 0.05 x 3.1001 = 6.3552 GWh.
    monkeypatch.setenv("SUANLI_RESULTS", str(tmp_path))  # the page lists stores there only
    store = tmp_path / "sweeps" / "grid.zarr"
    spec = {
        "name": "pue grid",
        "base": str(SCENARIOS / "minimal.yaml"),
        "method": "grid",
        "parameters": {"clusters.site-a.pue": {"values": [1.0, 1.5]}},
    }
    sim.sweep(spec, store)
    monkeypatch.setenv("SUANLI_RESULTS", str(tmp_path))  # the page lists stores there only
    at = start()
    at.switch_page("views/sweeps.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="sweep_store").options == ["grid.zarr"]  # no free path input
    assert not at.text_input
    table = at.dataframe[0].value
    row = table.loc[2025]
    assert row["P50 [TWh]"] * 1e3 == pytest.approx(MINIMAL_GWH * 1.25, rel=1e-9)
    assert row["P5 [TWh]"] * 1e3 == pytest.approx(MINIMAL_GWH * (1 + 0.05 * 0.5), rel=1e-9)
    assert "pue grid" in at.caption[0].value
    # tornado in TWh: PUE low (1.0) gives 6.2002 GWh, high (1.5) 9.3003 GWh
    swing = at.dataframe[1].value.set_index("parameter")
    assert swing.loc["clusters.site-a.pue", "output, parameter low [TWh]"] * 1e3 == (
        pytest.approx(MINIMAL_GWH, rel=1e-9)
    )
    assert swing.loc["clusters.site-a.pue", "swing [TWh]"] * 1e3 == pytest.approx(
        MINIMAL_GWH * 0.5, rel=1e-9
    )


def test_editor_builds_a_scenario_that_runs_the_same_from_the_cli(tmp_path):
    import subprocess

    import pandas as pd

    editor = app_module("editor")
    at = start("minimal.yaml")
    at.switch_page("views/editor.py").run()
    assert not at.exception, at.exception
    # the template is DESIGN.md's minimal scenario: 6.200 GWh
    assert energy_gwh(at) == pytest.approx(MINIMAL_GWH, rel=5e-4)
    # two clusters of the template's accelerator: 1 + 2 EFLOPS, the second at PUE 1.5
    # and utilisation 0.5 with idle 0.2: 0.7078 MW x (1 + 2 x 1.5 x 0.6) x 8760 h
    # = 0.7078 x 2.8 x 8760 = 17.36 GWh
    clusters = pd.concat(
        [
            editor.TEMPLATE["clusters"],
            pd.DataFrame(
                [["site-b", 34.3, 108.9, "gpu-a", 2.0, 0.5, 0.2, 1.5]],
                columns=editor.CLUSTER_COLUMNS,
            ),
        ]
    )
    mapping = editor.scenario_mapping(
        "two sites",
        editor.TEMPLATE["start"],
        editor.TEMPLATE["end"],
        editor.TEMPLATE["hardware"],
        clusters,
    )
    path = tmp_path / "two.yaml"
    path.write_text(editor.to_yaml(mapping))
    expected_gwh = MINIMAL_IT_MW * (1 + 2 * 1.5 * (0.2 + 0.8 * 0.5)) * HOURS_2025 / 1e3
    assert expected_gwh == pytest.approx(17.36, abs=0.01)
    out = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    years = json.loads(out.stdout)["years"]["2025"]
    cli_gwh = sum(c["energy_twh"] for c in years.values()) * 1e3
    assert cli_gwh == pytest.approx(expected_gwh, rel=1e-9)
    # a row without its PUE: the schema's message names the field
    clusters.iloc[1, clusters.columns.get_loc("pue")] = None
    mapping = editor.scenario_mapping(
        "two sites",
        editor.TEMPLATE["start"],
        editor.TEMPLATE["end"],
        editor.TEMPLATE["hardware"],
        clusters,
    )
    with pytest.raises(sim.ScenarioError, match=r"clusters\.site-b"):
        sim.load_scenario(mapping)


def test_map_flows_are_east_to_west_yearly_means():
    import xarray as xr

    whatif = app_module("whatif")
    # 2 origins (east Beijing, west Guiyang) x 2 clusters (east, west), 4 hours of 2025
    times = np.array(["2025-01-01T00", "2025-01-01T01", "2025-01-01T02", "2025-01-01T03"], "M8[ns]")
    flow = np.zeros((2, 2, 4))
    flow[0, 1] = [1.0, 2.0, 3.0, 6.0]  # Beijing -> west: mean 3 EFLOPS
    flow[0, 0] = 5.0  # Beijing at home: not an arc
    flow[1, 0] = 4.0  # west -> east: not east to west
    ds = xr.Dataset(
        {"flow_eflops": (("origin", "cluster", "time"), flow)},
        coords={
            "origin": ["beijing", "guiyang"],
            "cluster": ["east-dc", "west-dc"],
            "time": times,
            "origin_lon": ("origin", [116.4, 106.6]),
            "origin_lat": ("origin", [39.9, 26.6]),
            "origin_role": ("origin", ["east", "west"]),
            "lon": ("cluster", [116.5, 106.7]),
            "lat": ("cluster", [40.0, 26.5]),
            "role": ("cluster", ["east", "west"]),
        },
    )
    arcs = whatif._flows(ds, np.array([0]), np.array([4]), [2025])
    assert list(zip(arcs["origin"], arcs["cluster"], strict=True)) == [("beijing", "west-dc")]
    assert arcs["flow_eflops"].iloc[0] == pytest.approx(3.0)  # (1 + 2 + 3 + 6) / 4
