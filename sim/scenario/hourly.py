"""Time series from files: a measured year of weather, a provincial carbon-intensity
series, a spot-price series, as scenario inputs.

A field that takes a time series accepts a mapping naming a file::

    temperature: {file: data/ningxia_2025_temperature.csv}            # units in the header
    carbon_intensity: {file: data/nw_grid.csv, column: intensity, units: tCO2/MWh}
    price: {file: data/spot.nc, variable: price}                      # units in the variable

**CSV**: a first column of timestamps (ISO 8601) and value columns; the value
column is ``column`` (default: the only other column). Its units are the
mapping's ``units``, or else written in the header as ``name [unit]``
(``temperature [degC]``); a file without either is an error.
**NetCDF**: a variable with a ``time`` dimension (``variable``, default the only
one) and a ``units`` attribute (or the mapping's ``units``).

**Time zone**: timestamps without an offset are the scenario's clock, China
Standard Time (UTC+8, no daylight saving), the clock of every output. Timestamps
with an offset (``2025-01-01T00:00+00:00``, ``...Z``) are converted to it.

**Resampling**: a value stamped *t* holds from *t* to the next stamp. Every
simulated step gets the mean of the values that fall in it (finer data, e.g.
5-minute prices on an hourly step, average); on a step finer than the data (15
minutes on hourly data) each step holds the value of the interval it lies in.
**Coverage**: every simulated step must be covered; a missing one is an error
naming the file and the first step without data, never a silent fill.

**Paths**: relative to the scenario file. A file outside the scenario's folder
tree is refused unless the user names it on the command line
(:func:`allow_files`), so a scenario cannot read arbitrary files of the machine
it runs on; under :func:`sim.inputs.self_contained` (uploads) no file is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.inputs import input_file
from sim.scenario.units import parse_quantity
from sim.scenario.validate import strict_mapping

__all__ = [
    "SCENARIO_TZ_H",
    "allow_files",
    "hourly_series",
    "is_file_series",
    "resolve",
    "scenario_file",
]

#: Offset of the scenario clock from UTC [h]: China Standard Time.
SCENARIO_TZ_H = 8
_KEYS = ("file", "column", "variable", "units")
_HEADER_UNIT = re.compile(r"^\s*(.*?)\s*\[(.+)\]\s*$")
_ALLOWED: ContextVar[frozenset[Path]] = ContextVar("suanli_allowed_files", default=frozenset())
_SCENARIO_FILE: ContextVar[str | None] = ContextVar("suanli_scenario_file", default=None)


@contextmanager
def scenario_file(path: str | Path | None) -> Iterator[None]:
    """While a scenario loads: the file it came from, which its file names are relative to."""
    token = _SCENARIO_FILE.set(None if path is None else str(path))
    try:
        yield
    finally:
        _SCENARIO_FILE.reset(token)


@contextmanager
def allow_files(paths: Iterable[str | Path]) -> Iterator[None]:
    """Within this block, scenarios may also read these files (named on the command line)."""
    token = _ALLOWED.set(_ALLOWED.get() | {Path(p).resolve() for p in paths})
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def is_file_series(value: Any) -> bool:
    """Whether a field value names a file (a mapping with ``file``)."""
    return isinstance(value, Mapping) and "file" in value


def resolve(value: Any, field: str, scenario: str | Path | None = None) -> Path:
    """The path a scenario's ``file:`` names, relative to the scenario file, checked.

    Parameters
    ----------
    value : str
        The file name as written.
    field : str
        Dotted path of the field, for messages.
    scenario : str or Path, optional
        The scenario's own file (default: the one loading, :func:`scenario_file`);
        without one (a mapping in Python) the working directory is the base and tree.

    Raises
    ------
    ScenarioError
        Any file under :func:`sim.inputs.self_contained`; a file outside the
        scenario's folder tree that was not named on the command line.
    """
    scenario = scenario or _SCENARIO_FILE.get()
    base = Path(scenario).resolve().parent if scenario else Path.cwd().resolve()
    path = input_file(value, field, base).resolve()
    if not path.is_relative_to(base) and path not in _ALLOWED.get():
        raise ScenarioError(
            "the file is outside the scenario's folder tree",
            field=field,
            given=value,
            expected=f"a file under {base}, or one named on the command line",
        )
    return path


def _scenario_clock(stamps: Any) -> np.ndarray:
    """Timestamps as naive ``datetime64[ns]`` on the scenario clock (UTC+8)."""
    import pandas as pd

    idx = pd.DatetimeIndex(stamps)
    if idx.tz is not None:
        idx = idx.tz_convert(f"Etc/GMT-{SCENARIO_TZ_H}").tz_localize(None)
    return idx.to_numpy("datetime64[ns]")


def _read_csv(path: Path, spec: Mapping, field: str) -> tuple[np.ndarray, np.ndarray, str]:
    import pandas as pd

    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read the CSV: {exc}", file=str(path), field=field) from None
    if df.shape[1] < 2:
        raise ScenarioError(
            "expected a timestamp column and a value column",
            file=str(path),
            field=field,
            given=list(df.columns),
        )
    columns = {}
    for name in df.columns[1:]:
        m = _HEADER_UNIT.match(str(name))
        columns[m.group(1) if m else str(name)] = (name, m.group(2) if m else None)
    want = spec.get("column")
    if want is None:
        if len(columns) != 1:
            raise ScenarioError(
                "several value columns: say which",
                field=f"{field}.column",
                expected="one of " + ", ".join(columns),
            )
        want = next(iter(columns))
    if str(want) not in columns:
        raise ScenarioError(
            "no such column",
            file=str(path),
            field=f"{field}.column",
            given=want,
            expected="one of " + ", ".join(columns),
        )
    name, header_unit = columns[str(want)]
    try:
        times = _scenario_clock(pd.to_datetime(df.iloc[:, 0], utc=False, format="ISO8601"))
        values = pd.to_numeric(df[name]).to_numpy(float)
    except (ValueError, TypeError) as exc:
        raise ScenarioError(f"unreadable value: {exc}", file=str(path), field=field) from None
    return times, values, spec.get("units") or header_unit


def _read_netcdf(path: Path, spec: Mapping, field: str) -> tuple[np.ndarray, np.ndarray, str]:
    import xarray as xr

    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read the NetCDF: {exc}", file=str(path), field=field) from None
    with ds:
        names = [str(n) for n, v in ds.data_vars.items() if v.dims == ("time",)]
        want = spec.get("variable") or (names[0] if len(names) == 1 else None)
        if want not in names:
            raise ScenarioError(
                "no such time series",
                file=str(path),
                field=f"{field}.variable",
                given=want,
                expected="one of " + ", ".join(names),
            )
        da = ds[want].load()
        times = _scenario_clock(da["time"].values)
        return times, da.values.astype(float), spec.get("units") or da.attrs.get("units")


def hourly_series(
    value: Mapping,
    unit: str,
    field: str,
    times: np.ndarray,
    step_h: float,
    minimum: float | None = None,
    maximum: float | None = None,
) -> np.ndarray:
    """A file's time series on the simulated steps, in ``unit``.

    Parameters
    ----------
    value : mapping
        ``{file, column | variable, units}`` as written in the scenario.
    unit : str
        Canonical unit of the field (the series is converted to it).
    field : str
        Dotted path of the field, for messages.
    times : numpy.ndarray of datetime64
        Start of every simulated step (scenario clock).
    step_h : float
        Step length [h].
    minimum, maximum : float, optional
        Bounds of every value in ``unit``.

    Returns
    -------
    numpy.ndarray, shape (len(times),)
        Mean of the file's values over each step [unit].

    Raises
    ------
    ScenarioError
        Unknown keys, a path refused (see :func:`resolve`), an unreadable file,
        no units, a unit of the wrong dimension, or a step without data (naming
        the file and the first such step).
    """
    spec = strict_mapping(value, field, _KEYS, ("file",))
    path = resolve(spec["file"], f"{field}.file")
    reader = _read_netcdf if path.suffix.lower() in (".nc", ".nc4", ".h5") else _read_csv
    stamps, values, units = reader(path, spec, field)
    if not units:
        raise ScenarioError(
            "the series has no units",
            file=str(path),
            field=field,
            expected=f"units: in the mapping, or a header like 'value [{unit}]'",
        )
    # one conversion for the whole series (offset units, degC -> K, work too)
    scale = parse_quantity(f"1 {units}", unit, f"{field}.units")
    zero = parse_quantity(f"0 {units}", unit, f"{field}.units")
    values = zero + (scale - zero) * values
    order = np.argsort(stamps, kind="stable")
    stamps, values = stamps[order], values[order]
    if np.isnan(values).any():
        first = stamps[np.isnan(values)][0]
        raise ScenarioError(
            f"missing value at {np.datetime_as_string(first, unit='m')}",
            file=str(path),
            field=field,
        )
    out = _resample_mean(stamps, values, times, step_h, path, field)
    for bound, bad in ((minimum, out < (minimum or 0)), (maximum, out > (maximum or 0))):
        if bound is not None and bad.any():
            i = int(np.argmax(bad))
            raise ScenarioError(
                f"out of range at {np.datetime_as_string(times[i], unit='m')}",
                file=str(path),
                field=field,
                given=float(out[i]),
                expected=f"values {'>=' if bound is minimum else '<='} {bound} {unit}",
            )
    return out


def _resample_mean(
    stamps: np.ndarray,
    values: np.ndarray,
    times: np.ndarray,
    step_h: float,
    path: Path,
    field: str,
) -> np.ndarray:
    """Mean of step-held values over each simulated step; a step not fully covered
    is an error naming its start.

    A value stamped ``stamps[i]`` holds until the next stamp, but for no longer than
    the data's own (median) interval: a longer distance is a gap (a missing hour).
    Each step's mean weights the values by the time they hold within it, so finer
    and coarser data resample exactly.
    """
    if len(stamps) == 0:
        raise ScenarioError("the series is empty", file=str(path), field=field)
    step = np.timedelta64(round(step_h * 3600), "s").astype("timedelta64[ns]")
    interval = np.median(np.diff(stamps)) if len(stamps) > 1 else step
    ends = np.minimum(np.append(stamps[1:], stamps[-1] + interval), stamps + interval)
    held_s = (ends - stamps) / np.timedelta64(1, "s")

    def integral(weights: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Integral of the held ``weights`` from the first stamp to ``t`` [unit x s]."""
        cum = np.concatenate([[0.0], np.cumsum(weights * held_s)])
        i = np.clip(np.searchsorted(stamps, t, side="right") - 1, 0, len(stamps) - 1)
        part = np.clip((t - stamps[i]) / np.timedelta64(1, "s"), 0.0, held_s[i])
        return cum[i] + weights[i] * part

    start, end = times, times + step
    seconds = step / np.timedelta64(1, "s")
    ones = np.ones_like(values)
    covered = (integral(ones, end) - integral(ones, start)) / seconds
    short = covered < 1.0 - 1e-9
    if short.any():
        raise ScenarioError(
            "the series does not cover the horizon: no data for the step of "
            f"{np.datetime_as_string(start[np.argmax(short)], unit='m')}",
            file=str(path),
            field=field,
            expected="a value for every simulated step",
        )
    return (integral(values, end) - integral(values, start)) / seconds
