"""Benchmarks: collect ``bench_*.py`` and print each benchmark's ratio lines at the end."""

from __future__ import annotations

import pytest

#: Lines that benchmarks add (ratios against their in-run baselines).
REPORT: list[str] = []


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("suanli benchmark ratios")
        for line in REPORT:
            terminalreporter.write_line(line)
