"""The simulated period and the calendar-year structure of its time axis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.fields import checked_section, parse_date, required
from sim.scenario.units import (
    parse_quantity,
)


@dataclass(frozen=True)
class Horizon:
    """Simulated period.

    Attributes
    ----------
    start, end : numpy.datetime64
        First and last simulated day (``end`` included).
    step_h : float
        Time step [h].
    """

    start: np.datetime64
    end: np.datetime64
    step_h: float

    @property
    def n_steps(self) -> int:
        """Number of time steps, known before any array is made."""
        days = int((self.end - self.start) / np.timedelta64(1, "D")) + 1
        return round(days * 24 / self.step_h)

    def times(self) -> np.ndarray:
        """Start of every time step, ``datetime64[ns]``."""
        stop = self.end + np.timedelta64(1, "D")
        step = np.timedelta64(round(self.step_h * 60), "m")
        return np.arange(self.start.astype("datetime64[m]"), stop, step).astype("datetime64[ns]")

    def hours(self) -> np.ndarray:
        """Start of every hour of the horizon, ``datetime64[ns]`` (a step of several
        hours keeps its hours: the climate model works hourly and averages per step)."""
        per_step = max(1, round(self.step_h))
        times = self.times()
        return times[0] + np.arange(len(times) * per_step) * np.timedelta64(3600, "s")


def parse_horizon(raw: Any) -> Horizon:
    sec = checked_section(raw, "horizon", "horizon")
    start = parse_date(required(sec, "start", "horizon"), "horizon.start")
    end = parse_date(required(sec, "end", "horizon"), "horizon.end")
    if end < start:
        raise ScenarioError(
            "end is before start",
            field="horizon.end",
            given=str(end),
            expected=f"a date on or after {start}",
        )
    step_raw = sec.get("step", "1h")
    if isinstance(step_raw, str) and step_raw.strip().upper() == "1D":
        step_raw = "24 h"
    step_h = parse_quantity(step_raw, "h", "horizon.step", minimum=0, strict_minimum=True)
    if not (step_h == 24 or (step_h >= 1 and step_h.is_integer() and 24 % step_h == 0)):
        raise ScenarioError(
            "unsupported time step",
            field="horizon.step",
            given=step_raw,
            expected="1h, 2h, 3h, 4h, 6h, 8h, 12h or 1D",
        )
    return Horizon(start, end, step_h)


def year_slices(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar years present in ``times`` and the index where each starts."""
    years = times.astype("datetime64[Y]").astype(np.int64) + 1970
    starts = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
    return years[starts], starts


#: Steps summed at once in annual reductions: :func:`summarize` and sweeps
#: (:mod:`sim.sweep`) cut each year into the same blocks, so their sums agree
#: bit for bit, and a sweep's working arrays stay small (cache-sized).
BLOCK_STEPS = 1024


def time_blocks(times: np.ndarray, block_steps: int = BLOCK_STEPS) -> list[tuple[int, int, int]]:
    """Blocks of at most ``block_steps`` steps that never cross a year boundary.

    Returns
    -------
    list of (year_index, start, stop)
        Index of the calendar year in :func:`year_slices` order, and the step
        range ``start:stop``.
    """
    _, starts = year_slices(times)
    ends = np.r_[starts[1:], len(times)]
    blocks = []
    for y, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        for lo in range(a, b, block_steps):
            blocks.append((y, lo, min(lo + block_steps, b)))
    return blocks
