"""The scripts in examples/ run as written and print what a hand calculation gives."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_api_tour(tmp_path):
    out = _run("api_tour.py", str(tmp_path))
    # 1 EFLOPS / 989 TFLOPS x 700 W = 0.70779 MW IT; x PUE 1.3 = 0.920 MW; x 8760 h = 8.06 GWh
    assert "one site: 8.06 GWh a year, peak 0.920 MW" in out
    assert (tmp_path / "minimal.svg").read_bytes()[:5] == b"<?xml"


def test_hourly_csv():
    out = _run("hourly_csv.py")
    # the file: 27.2 degC + daily offsets summing to 0 + a cosine averaging 0 over each day;
    # its maximum 27.2 + 2.5 + 5 = 34.7 degC (day 4, 15:00)
    assert "temperature file: mean 27.2 degC, max 34.7 degC" in out
    assert "synthetic climate:" in out
