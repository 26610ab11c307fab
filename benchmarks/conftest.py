"""Shared benchmark helpers: baselines measured in the same run, and ratios."""

from __future__ import annotations

import timeit
from collections.abc import Callable

import pytest

_RESULTS: dict[str, float] = {}


def best_of(fn: Callable[[], object], repeat: int = 7) -> float:
    """Fastest wall time of ``fn`` over ``repeat`` calls [s] (Mesa style: keep the fastest)."""
    return min(timeit.repeat(fn, number=1, repeat=repeat))


@pytest.fixture
def record():
    """Store a benchmark's fastest time under a name, return it [s]."""

    def _record(name: str, benchmark) -> float:
        best = float(benchmark.stats.stats.min)
        _RESULTS[name] = best
        return best

    return _record


@pytest.fixture
def baseline():
    """Fastest time of a baseline benchmarked earlier in this run, or measure it now [s]."""

    def _baseline(name: str, fn: Callable[[], object]) -> float:
        if name not in _RESULTS:
            _RESULTS[name] = best_of(fn)
        return _RESULTS[name]

    return _baseline


#: Lines that benchmarks add (ratios against their in-run baselines), printed at the end.
REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("suanli benchmark ratios")
        for line in REPORT:
            terminalreporter.write_line(line)
