"""User mistakes: one ScenarioError naming file, field and expectation; CLI exit 2."""

from __future__ import annotations

import pytest
import yaml

import sim
from sim import ScenarioError
from sim.cli import main


def _fail(mapping, match, field=None, **kwargs):
    with pytest.raises(ScenarioError, match=match) as info:
        sim.load_scenario(mapping, **kwargs)
    if field is not None:
        assert info.value.field == field
    return info.value


def test_wrong_unit_names_the_field(minimal):
    minimal["hardware"]["gpu-a"]["power"] = "700 TFLOPS"
    _fail(minimal, "is a compute rate", "hardware.gpu-a.power")


def test_unknown_hardware(minimal):
    minimal["clusters"]["site-a"]["fleet"]["hardware"] = {"gpu-z": 1.0}
    err = _fail(minimal, "unknown hardware 'gpu-z'", "clusters.site-a.fleet.hardware.gpu-z")
    assert "h100" in err.expected  # lists the catalog


def test_precision_with_no_conversion_path(minimal):
    minimal["clusters"]["site-a"]["fleet"]["hardware"] = {"hpc-a": 1.0}
    # hpc-a has only an fp64 efficiency: fp16 capacity cannot be converted
    _fail(
        minimal,
        "no conversion path: hardware 'hpc-a' has no fp16",
        "clusters.site-a.fleet.precision",
    )


def test_reporting_precision_with_no_conversion_path(minimal):
    minimal["reporting_precision"] = "fp8"
    _fail(minimal, "no conversion path.*needed for the reporting_precision", "reporting_precision")


def test_shares_not_summing_to_one(minimal):
    minimal["clusters"]["site-a"]["fleet"]["hardware"] = {"gpu-a": 0.6, "h100": 0.3}
    _fail(minimal, "shares do not sum to 1", "clusters.site-a.fleet.hardware")


def test_negative_capacity(minimal):
    minimal["clusters"]["site-a"]["fleet"]["capacity"]["2025-12-31"] = "-1 EFLOPS"
    _fail(minimal, "out of range", "clusters.site-a.fleet.capacity.2025-12-31")


def test_end_before_start(minimal):
    minimal["horizon"]["end"] = "2024-12-31"
    _fail(minimal, "end is before start", "horizon.end")


def test_unknown_override_path(minimal):
    _fail(
        minimal,
        "unknown override path",
        "clusters.site-b.pue",
        overrides={"clusters.site-b.pue": 1.2},
    )


def test_unknown_leaf_set_by_override(minimal):
    _fail(
        minimal,
        r"unknown field 'pu'.*set by override",
        "clusters.site-a.pu",
        overrides={"clusters.site-a.pu": 1.2},
    )


def test_unknown_field_lists_allowed(minimal):
    minimal["clusters"]["site-a"]["PUE"] = 1.2
    err = _fail(minimal, "unknown field 'PUE'", "clusters.site-a.PUE")
    assert "pue" in err.expected


def test_missing_required_field(minimal):
    del minimal["clusters"]["site-a"]["pue"]
    _fail(minimal, "missing required field", "clusters.site-a.pue")


def test_profile_of_wrong_length(minimal):
    minimal["clusters"]["site-a"]["utilization"] = [0.5] * 23
    _fail(minimal, "wrong length", "clusters.site-a.utilization")


def test_unknown_variant(minimal):
    _fail(minimal, "unknown variant 'nope'", variant="nope")


def test_pue_below_one(minimal):
    minimal["clusters"]["site-a"]["pue"] = 0.9
    _fail(minimal, "out of range", "clusters.site-a.pue")


def test_error_carries_file_and_line(tmp_path, minimal):
    minimal["clusters"]["site-a"]["idle_power"] = 1.5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(minimal, sort_keys=False))
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(path)
    err = info.value
    assert err.file == str(path)
    line = path.read_text().splitlines()[err.line - 1]
    assert line.strip().startswith("idle_power:")
    assert str(err).startswith(f"{path}:{err.line}: field 'clusters.site-a.idle_power'")


def test_invalid_yaml_and_unsafe_tags(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match="invalid YAML"):
        sim.load_scenario(bad)
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ScenarioError, match="invalid YAML"):  # safe loader: no code runs
        sim.load_scenario(evil)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "missing.yaml"], "file not found"),
        (["run", "scenarios/minimal.yaml", "--set", "clusters.site-a.pue=1 MW"], "is a power"),
        (
            ["run", "scenarios/minimal.yaml", "--set", "horizon.end=2024-01-01"],
            "end is before start",
        ),
        (["run", "scenarios/minimal.yaml", "--set", "nonsense"], "PATH=VALUE"),
        (["run", "scenarios/minimal.yaml", "--variant", "x"], "unknown variant"),
        (["validate", "scenarios/minimal.yaml", "--set", "clusters.x.pue=1"], "unknown override"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_cli_user_errors_exit_2_with_one_line(args, needle, capsys, monkeypatch):
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(args))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_addition_before_hardware_ships(minimal):
    minimal["clusters"]["site-a"]["fleet"] = {
        "precision": "fp16",
        # catalog gb200: available_from 2025
        "additions": [{"year": 2023, "capacity": "1 EFLOPS", "hardware": {"gb200": 1.0}}],
    }
    _fail(minimal, "not available until 2025", "clusters.site-a.fleet.additions.0.hardware.gb200")


def test_override_of_an_anchored_value_changes_only_that_place(tmp_path, minimal):
    # a YAML anchor shares one object between two clusters; --set must change one of them
    minimal["clusters"]["site-b"] = dict(minimal["clusters"]["site-a"])
    text = yaml.safe_dump(minimal, sort_keys=False)
    text = text.replace("  site-a:\n", "  site-a: &site\n", 1)
    head, _, _ = text.partition("  site-b:\n")
    path = tmp_path / "anchored.yaml"
    path.write_text(head + "  site-b: *site\n")
    scenario = sim.load_scenario(path, overrides={"clusters.site-b.pue": 1.5})
    assert scenario.clusters["site-a"].pue.base == 1.0
    assert scenario.clusters["site-b"].pue.base == 1.5
