"""Issue 15: whatever the input, one ScenarioError line (exit 2) or a clean result.

Each test here reproduces one case of the issue's malformed-input corpus that
ended in a traceback, a hang, a silent acceptance or a misleading message.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import tracemalloc

import pytest

import sim
from sim import ScenarioError
from sim.cli import build_parser, dispatch, main
from sim.scenario.yamlio import load_yaml_text, read_yaml
from tests.conftest import ROOT, SCENARIOS

MINIMAL_YAML = (SCENARIOS / "minimal.yaml").read_text()


def _write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _fail(source, match, field=None, **kwargs) -> ScenarioError:
    with pytest.raises(ScenarioError, match=match) as info:
        sim.load_scenario(source, **kwargs)
    if field is not None:
        assert info.value.field == field
    return info.value


# ---------------------------------------------------------------------------
# Tracebacks: impossible dates, deep nesting, a list for a mapping


@pytest.mark.parametrize(
    ("date", "reason"), [("2025-02-30", "day is out of range"), ("2025-13-01", "month must be")]
)
def test_impossible_date_is_one_located_error(tmp_path, date, reason):
    # the YAML reader builds the date and raised a bare ValueError before
    path = _write(tmp_path, MINIMAL_YAML.replace("start: 2025-01-01", f"start: {date}"))
    err = _fail(path, reason)
    assert err.file == str(path) and err.line == 2  # the horizon line


def test_thirty_thousand_nested_brackets_hit_the_depth_limit(tmp_path):
    path = _write(tmp_path, "name: " + "[" * 30_000 + "]" * 30_000 + "\n")
    err = _fail(path, "exceeds the limit yaml_depth = 64")  # RecursionError before
    assert err.line == 1


def test_alias_to_its_own_ancestor_is_refused():
    with pytest.raises(ScenarioError, match="alias refers to a collection that contains it"):
        load_yaml_text("a: &x\n  - *x\n")


def test_clusters_as_a_list_is_a_user_error(minimal):
    minimal["clusters"] = [minimal["clusters"]["site-a"]]
    _fail(minimal, "expected a mapping", "clusters")  # AttributeError in a pre-pass before


def test_name_given_as_a_list_is_refused(minimal):
    minimal["name"] = ["one", "site"]  # was printed as "['one', 'site']"
    _fail(minimal, "expected text", "name")


def test_variant_that_is_not_a_mapping(minimal):
    minimal["variants"] = {"v": "clusters.site-a.pue=1.3"}
    _fail(minimal, "expected a mapping", "variants.v", variant="v")


# ---------------------------------------------------------------------------
# Bounded work: a billion laughs fails while reading


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_fails_fast_and_small(tmp_path):
    # 9 ** 9 = 387,420,489 strings once expanded; the file is about 0.4 kB
    path = _write(tmp_path, BILLION_LAUGHS + "name: *i\ndescription: *i\n")
    tracemalloc.start()
    began = time.perf_counter()
    with pytest.raises(ScenarioError, match="yaml_nodes = 1,000,000 nodes") as info:
        sim.load_scenario(path)
    seconds = time.perf_counter() - began
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 2.0 and peak_bytes < 200e6  # the bound: < 2 s, < 200 MB
    assert "GB of memory" in str(info.value)  # names the estimated memory


def test_override_value_is_read_with_the_bounded_loader(minimal):
    # a --set value of 30,000 brackets is not YAML within the limits: kept as text
    path, value = sim.scenario.loader.parse_override("description=" + "[" * 30_000 + "]" * 30_000)
    assert path == "description" and value.startswith("[[[")


def test_a_mapping_with_shared_parts_is_bounded_too():
    # an API caller's mapping whose lists share one list 9 levels deep (9 ** 9 leaves)
    leaf = ["lol"] * 9
    for _ in range(8):
        leaf = [leaf] * 9
    with pytest.raises(ScenarioError, match="yaml_nodes"):
        sim.load_scenario({"name": "x", "description": leaf})


def test_ten_thousand_years_hourly_is_refused_before_allocation(minimal):
    minimal["horizon"] = {"start": "1950-01-01", "end": "2199-12-31", "step": "1h"}
    # 250 x 365 days + 61 leap days (1952..2196 every 4 years, not 2100) = 91,311 days
    # = 2,191,464 hourly steps of one cluster: under the default limit of 20 million
    minimal["clusters"].update({f"c{i}": minimal["clusters"]["site-a"] for i in range(9)})
    # 2,191,464 steps x 10 clusters = 21.9 million > 20 million
    err = _fail(minimal, "2,191,464 time steps x 10 clusters exceeds the limit horizon_cells")
    assert "GB of memory" in err.message


def test_limit_is_raised_by_the_option(minimal, monkeypatch, tmp_path):
    monkeypatch.setenv("SUANLI_LIMIT_HORIZON_CELLS", "20000000")  # restored after the test
    path = _write(tmp_path, MINIMAL_YAML)
    # 8760 steps x 1 cluster: over a limit of 8000, under one of 9000
    assert main(["validate", str(path), "--limit", "horizon_cells=8000"]) == 2
    assert main(["validate", str(path), "--limit", "horizon_cells=9000"]) == 0
    assert main(["validate", str(path), "--limit", "nonsense=1"]) == 2


# ---------------------------------------------------------------------------
# Dates and physical bounds


@pytest.mark.parametrize(("field", "value"), [("start", "1500-01-01"), ("end", "2262-12-31")])
def test_horizon_outside_the_supported_range(minimal, field, value):
    # 1500 printed the year 2084 (ns overflow), 2262-12-31 gave an IndexError
    minimal["horizon"][field] = value
    _fail(minimal, "outside the supported range", f"horizon.{field}")


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("hardware.gpu-a.node_overhead", 0.5, "hardware.gpu-a.node_overhead"),
        ("clusters.site-a.fleet.rack_power", "0 kW", "clusters.site-a.fleet.rack_power"),
        ("clusters.site-a.climate", {"mean": "-300 degC"}, "clusters.site-a.climate.mean"),
        ("clusters.site-a.pue", 1e308, "clusters.site-a.pue"),
    ],
)
def test_physical_bounds(minimal, where, value, field):
    _fail(minimal, "out of range", field, overrides={where: value})


@pytest.mark.parametrize("key", ["annual_amplitude", "diurnal_amplitude", "noise"])
def test_temperature_differences_refuse_degc(minimal, key):
    # '5 degC' is the absolute 278.15 K: as an amplitude it was read as 278 K
    where = "clusters.site-a.climate"
    err = _fail(
        minimal, "absolute temperature", f"{where}.{key}", overrides={where: {key: "5 degC"}}
    )
    assert "278.15 K" in err.message and "'5 K'" in err.expected
    ok = sim.load_scenario(minimal, overrides={where: {key: "5 delta_degC"}})
    climate = ok.clusters["site-a"].climate
    got = {
        "annual_amplitude": climate.annual_amplitude_k,
        "diurnal_amplitude": climate.diurnal_amplitude_k,
        "noise": climate.noise_k,
    }
    assert got[key] == pytest.approx(5.0)  # a difference of 5 degC is 5 K


def test_capacity_points_respect_available_from(minimal):
    # the share applies at every date: capacity from 2025 installs gpu-a in 2025
    minimal["hardware"]["gpu-a"]["available_from"] = 2030
    _fail(minimal, "not available until 2030", "clusters.site-a.fleet.hardware.gpu-a")
    # capacity zero until 2030 is fine: the first day above zero is in 2030
    minimal["horizon"]["end"] = "2030-12-31"
    minimal["clusters"]["site-a"]["fleet"]["capacity"] = {
        "2029-12-31": "0 EFLOPS",
        "2030-12-31": "1 EFLOPS",
    }
    assert sim.load_scenario(minimal).hardware["gpu-a"].available_from == 2030


# ---------------------------------------------------------------------------
# Messages at the cause


VARIANT_YAML = (
    MINIMAL_YAML
    + """variants:
  cheap:
    description: a typo in a value
    set:
      clusters.site-a.idle_power: 0.1
      clusters.site-a.pue: 0.5
  typo:
    set: {clusters.site-a.poe: 1.2}
"""
)


def test_error_in_a_variant_value_names_the_variant_and_its_line(tmp_path):
    path = _write(tmp_path, VARIANT_YAML)
    err = _fail(path, r"out of range \(set by variant 'cheap'\)", variant="cheap")
    assert err.line == 26  # the line of 'clusters.site-a.pue: 0.5', not the base's pue (20)


def test_validate_applies_every_variant(tmp_path, capsys):
    # before, validate never applied variants: the typo 'poe' was reported ok
    path = _write(tmp_path, VARIANT_YAML)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:26:" in err and "variant 'cheap'" in err


def test_error_inside_a_list_names_the_item_line(tmp_path):
    text = MINIMAL_YAML.replace(
        """      hardware: {gpu-a: 1.0}          # share of capacity by hardware
      capacity: {2025-01-01: 1 EFLOPS, 2025-12-31: 1 EFLOPS}   # linear between points, flat outside
""",
        """      additions:
        - {year: 2025, capacity: 1 EFLOPS, hardware: {gpu-a: 1.0}}
        - year: 2025
          hardware: {gpu-a: 1.0}
          capacity: 1 EFLOPZ
""",
    )
    err = _fail(
        _write(tmp_path, text),
        "capacity needs a unit",
        "clusters.site-a.fleet.additions.1.capacity",
    )
    assert err.line == 20  # the item's 'capacity:' line, not 'additions:' (16)


def test_missing_per_year_gives_a_readable_dimension(tmp_path):
    from sim.scenario.units import parse_quantity

    with pytest.raises(ScenarioError, match="this field takes a quantity in MW/year"):
        parse_quantity("400 MW", "MW/year", "grid_connections.rate")


def test_command_line_mistake_names_the_file(capsys):
    path = str(SCENARIOS / "east_west_jobs.yaml")
    assert main(["jobs", path, "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: --seed must be >= 0") and "<scenario>" not in err


def test_internal_error_is_one_line_pointing_at_debug(capsys):
    args = build_parser().parse_args(["schema"])
    args.func = lambda _: 1 // 0  # a bug inside a command
    assert dispatch(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ZeroDivisionError" in err and "--debug" in err
    args.debug = True
    with pytest.raises(ZeroDivisionError):
        dispatch(args)


def test_read_yaml_of_a_directory(tmp_path):
    with pytest.raises(ScenarioError, match="is a directory"):
        read_yaml(tmp_path)


# ---------------------------------------------------------------------------
# Faults: signals


_SIGNALLED = """
import sys, time
from pathlib import Path
from sim.cli import build_parser, dispatch
from sim.results.io import write_atomic

def slow(tmp):
    tmp.write_bytes(b"half a result")
    print("writing", flush=True)
    time.sleep(60)

def swallow(args):
    try:
        print("writing", flush=True)
        time.sleep(60)
    except KeyboardInterrupt:
        pass  # a library that swallows Ctrl-C
    return 0

args = build_parser().parse_args(["schema"])
out = Path(sys.argv[2])
args.func = swallow if sys.argv[1] == "swallow" else lambda a: write_atomic(out, slow) and 0
sys.exit(dispatch(args))
"""


@pytest.mark.parametrize(
    ("mode", "sig", "status"),
    [
        ("write", signal.SIGTERM, 143),  # 128 + 15: the temporary was left before
        ("swallow", signal.SIGINT, 130),  # 128 + 2, even when Ctrl-C is swallowed (was 0)
    ],
)
def test_signal_during_a_write_removes_the_temporary_and_sets_the_status(
    tmp_path, mode, sig, status
):
    proc = subprocess.Popen(
        [sys.executable, "-c", _SIGNALLED, mode, str(tmp_path / "out.nc")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout.readline() == "writing\n"
    if mode == "write":
        assert [p.name.endswith(".tmp") for p in tmp_path.iterdir()] == [True]
    proc.send_signal(sig)
    assert proc.wait(timeout=30) == status
    assert list(tmp_path.iterdir()) == []  # no temporary, no half file
