"""CLI start-up: ``suanli --help``, ``schema`` and ``validate`` as a ratio of ``python -c pass``.

Target (issue 14): well under a second each; heavy modules (xarray, scipy, the
layers) load only when a command needs them. The ratio to a bare interpreter in
the same run is the figure to read (wall times on a shared machine are noisy).

Run: ``make bench`` (or ``pytest benchmarks -k startup --benchmark-only``).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks.conftest import REPORT
from tests.conftest import ROOT

COMMANDS = {
    "help": ["--help"],
    "schema": ["schema"],
    "validate": ["validate", "scenarios/minimal.yaml"],
}
MAX_OVER_BARE = 40.0  # regression guard; the report prints the measured ratios


def _python(*args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)


@pytest.mark.benchmark(group="startup")
def test_bare_interpreter_baseline(benchmark, record):
    benchmark.pedantic(_python, args=("-c", "pass"), rounds=5, iterations=1)
    record("python-pass", benchmark)


@pytest.mark.benchmark(group="startup")
@pytest.mark.parametrize("command", list(COMMANDS))
def test_cli_startup(benchmark, record, baseline, command):
    benchmark.pedantic(_python, args=("-m", "sim", *COMMANDS[command]), rounds=5, iterations=1)
    best = record(f"startup-{command}", benchmark)
    bare = baseline("python-pass", lambda: _python("-c", "pass"))
    ratio = best / bare
    benchmark.extra_info.update(seconds=best, over_python_pass=ratio)
    REPORT.append(
        f"suanli {' '.join(COMMANDS[command])}: {best:.3f} s, {ratio:.1f}x python -c pass "
        f"({bare:.3f} s)"
    )
    assert ratio <= MAX_OVER_BARE, f"suanli {command} starts {ratio:.1f}x a bare interpreter"
