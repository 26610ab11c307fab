"""Quantities with units, and compute precisions.

Every number in a scenario is either a string with a unit (``"989 TFLOPS"``,
``"700 W"``, ``"52.6 GFLOPS/W"``, ``"0.57 tCO2/MWh"``) or a bare number in
the canonical unit that the schema documents for that field. A unit of the
wrong dimension is a :class:`~sim.errors.ScenarioError`, never a guess.

Compute is a rate of floating-point operations, ``FLOPS`` (``TOPS`` for
integer precisions is accepted as the same dimension). The precision of a
compute figure is not part of its unit; it travels beside it (``fp16``,
``fp64``, ...), and converting between precisions needs a hardware's own peak
ratios (see :mod:`sim.fleet`).

The units of Chinese plans parse too: 次 counts operations per second, as
statistics write it (亿次 = 1e8 FLOPS, 万亿次 = 1e12, 亿亿次 = 1e16, so
``"56.6亿次/W"`` is 5.66 GFLOPS/W); a bare ``T``, ``P`` or ``E`` after a compute
figure is TFLOPS, PFLOPS or EFLOPS (``"18E"``, ``"300P"``); 瓦, 千瓦, 万千瓦,
兆瓦 are powers (万千瓦 = 10 MW); 千瓦时 (度), 万千瓦时, 亿千瓦时 energies
(亿千瓦时 = 0.1 TWh); 元, 万元, 亿元 money.

Compute also carries a **kind**, the way Chinese statistics count it
(:data:`KINDS`): general (通用算力, CPU servers), intelligent (智能算力, AI
accelerators) and supercomputing (超算算力, HPC systems). Each kind has a
conventional precision (:data:`KIND_PRECISION`), and totals across kinds exist
only on a named basis (:data:`TOTAL_BASES`); see docs/kinds.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
import sys
import warnings
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sim.scenario.errors import ScenarioError
from sim.scenario.schema import field_of

__all__ = [
    "DISPLAY_UNITS",
    "KINDS",
    "KIND_LABELS",
    "KIND_PRECISION",
    "PRECISIONS",
    "RACK_POWER_KW",
    "TOTAL_BASES",
    "ImplausibleWarning",
    "allow_implausible",
    "format_number",
    "format_quantity",
    "normalize_kind",
    "normalize_precision",
    "parse_quantity",
    "registry",
]

#: Definitions added to pint's defaults, in order.
_DEFINITIONS = (
    # Compute: a new base dimension, so that FLOPS never silently equals 1/s.
    "flop = [compute] = FLOP",
    "FLOPS = flop / second = flops = Flops",
    "OPS = FLOPS",  # integer precisions are quoted in TOPS
    # Chinese units: 次 is an operation per second in compute statistics (每秒…次).
    "次 = FLOPS",
    "万次 = 1e4 FLOPS",
    "亿次 = 1e8 FLOPS",
    "万亿次 = 1e12 FLOPS",
    "亿亿次 = 1e16 FLOPS",
    "瓦 = W",
    "千瓦 = kW",
    "万千瓦 = 1e4 kW",
    "兆瓦 = MW",
    "千瓦时 = kWh = 度",
    "万千瓦时 = 1e4 kWh",
    "亿千瓦时 = 1e8 kWh",
    # 标准机架: a standard rack is a count of capacity; its power is a scenario field.
    "rack = [rack] = racks = standard_rack",
    "CNY = [currency] = yuan = RMB",
    "元 = CNY",
    "万元 = 1e4 CNY",
    "亿元 = 1e8 CNY",
    "gCO2 = [emission] = gCO2e",
    "kgCO2 = 1e3 gCO2 = kgCO2e",
    "tCO2 = 1e6 gCO2 = tCO2e",
)


def _pint() -> Any:
    """The pint module, imported on first use (``suanli --help`` never pays for it).

    pint imports ``dask.base`` whenever dask is installed (~0.4 s) for dask-array
    quantities, which this package never makes: unless dask is already loaded,
    pint is imported with dask hidden.
    """
    if "pint" not in sys.modules and "dask" not in sys.modules:
        sys.modules["dask"] = None  # type: ignore[assignment]  # find_spec -> None
        try:
            import pint
        finally:
            del sys.modules["dask"]
    import pint

    return pint


@lru_cache(maxsize=1)
def registry() -> Any:
    """The unit registry: pint's defaults and :data:`_DEFINITIONS`, built on first use."""
    reg = _pint().UnitRegistry(autoconvert_offset_to_baseunit=True)
    for definition in _DEFINITIONS:
        reg.define(definition)
    return reg


#: Compute shorthand of Chinese plans: "18E" is 18 EFLOPS (only where compute is expected).
_COMPUTE_SHORTHAND = {"T": "TFLOPS", "P": "PFLOPS", "E": "EFLOPS"}

#: Power of one standard rack (标准机架) [kW], facts.md [S7].
RACK_POWER_KW = 2.5

#: Compute precisions, widest first. ``bf16`` counts as ``fp16`` (same peak on
#: every accelerator in the catalog).
PRECISIONS: tuple[str, ...] = ("fp64", "fp32", "tf32", "fp16", "fp8", "int8")
_PRECISION_ALIASES = {
    "bf16": "fp16",
    "fp16/bf16": "fp16",
    "float64": "fp64",
    "float32": "fp32",
    "float16": "fp16",
    "half": "fp16",
    "double": "fp64",
    "single": "fp32",
}

#: Compute kinds, in reporting order: 通用 general, 智能 intelligent, 超算 supercomputing.
KINDS: tuple[str, ...] = ("general", "intelligent", "supercomputing")
KIND_LABELS = {
    "general": "通用 general",
    "intelligent": "智能 intelligent",
    "supercomputing": "超算 supercomputing",
}
#: Conventional precision of each kind (docs/kinds.md): general compute at fp32
#: (the basis national totals appear to use [S34]), intelligent at fp16 (the
#: class of the intelligent-compute targets [S20, S25]), supercomputing at fp64
#: (HPL Rmax, the TOP500 basis [S37] that CAICT's supercomputing figure rests on [S150]).
KIND_PRECISION: dict[str, str] = {
    "general": "fp32",
    "intelligent": "fp16",
    "supercomputing": "fp64",
}
#: Named bases for a total across kinds (``totals.basis``): every hardware converted
#: to fp32 through its own peak ratio; or each kind at its conventional precision,
#: summed (a mixed-precision sum, as headline national figures appear to be).
TOTAL_BASES: dict[str, str] = {
    "fp32-equivalent": "every kind converted to fp32 through each hardware's own peak ratio",
    "kind-precisions": "general at fp32 + intelligent at fp16 + supercomputing at fp64 "
    "(a mixed-precision sum)",
}
_KIND_ALIASES = {
    "通用": "general",
    "通用算力": "general",
    "基础": "general",
    "基础算力": "general",
    "cpu": "general",
    "智能": "intelligent",
    "智能算力": "intelligent",
    "ai": "intelligent",
    "超算": "supercomputing",
    "超算算力": "supercomputing",
    "hpc": "supercomputing",
}

_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def normalize_precision(name: Any, field: str) -> str:
    """Canonical name of a compute precision.

    Parameters
    ----------
    name : str
        A precision as written, e.g. ``"FP16"``, ``"bf16"``, ``"fp64"``.
    field : str
        Dotted path of the field, for the error message.

    Returns
    -------
    str
        One of :data:`PRECISIONS`.
    """
    if not isinstance(name, str):
        raise ScenarioError(
            "a precision must be a name",
            field=field,
            given=name,
            expected=f"one of {', '.join(PRECISIONS)} (bf16 counts as fp16)",
        )
    key = name.strip().lower()
    key = _PRECISION_ALIASES.get(key, key)
    if key not in PRECISIONS:
        raise ScenarioError(
            "unknown precision",
            field=field,
            given=name,
            expected=f"one of {', '.join(PRECISIONS)} (bf16 counts as fp16)",
        )
    return key


def normalize_kind(name: Any, field: str) -> str:
    """Canonical name of a compute kind.

    Parameters
    ----------
    name : str
        A kind as written: ``"general"``, ``"intelligent"``, ``"supercomputing"``,
        or the Chinese term (``"通用"``, ``"智能"``, ``"超算"``).
    field : str
        Dotted path of the field, for the error message.

    Returns
    -------
    str
        One of :data:`KINDS`.
    """
    key = name.strip().lower() if isinstance(name, str) else None
    key = _KIND_ALIASES.get(key, key)
    if key not in KINDS:
        raise ScenarioError(
            "unknown compute kind",
            field=field,
            given=name,
            expected="general (通用), intelligent (智能) or supercomputing (超算)",
        )
    return key


@lru_cache(maxsize=256)
def _unit(unit: str) -> Any:
    return registry().Unit(unit)


_DIMENSION_NAMES = {
    "dimensionless": "a plain number",
    "W": "a power",
    "Wh": "an energy",
    "FLOPS": "a compute rate",
    "flop": "an amount of compute",
    "FLOPS/W": "an efficiency",
    "rack": "a rack count",
    "h": "a time",
    "K": "a temperature",
    "1/K": "a per-kelvin rate",
    "degree": "an angle",
    "m": "a length",
    "kg": "a mass",
    "CNY": "an amount of money",
    "CNY/kWh": "an energy price",
    "tCO2": "an emission",
    "tCO2/MWh": "a carbon intensity",
}


def _describe(dimensionality: object, unit: str | None = None) -> str:
    """A dimension in words; without a name, the field's own ``unit`` (``MW/year``)."""
    for known, name in _DIMENSION_NAMES.items():
        if _unit(known).dimensionality == dimensionality:
            return f"{name} ({known})" if known != "dimensionless" else name
    return f"a quantity in {unit}" if unit else f"of dimension {dimensionality}"


@lru_cache(maxsize=1024)
def _conversion(unit_text: str, unit: str) -> float | str | None:
    """Factor from ``unit_text`` to ``unit``, an error description, or None for
    offset units (degC), which need pint for every value."""
    target = _unit(unit)
    errors = _pint().errors
    try:
        given = registry().Quantity(1.0, unit_text)
    except (errors.UndefinedUnitError, errors.DefinitionSyntaxError, ValueError):
        return f"unknown unit '{unit_text}'"
    except Exception:  # pint raises a handful of parser errors for odd input
        return f"cannot read unit '{unit_text}'"
    if given.dimensionality != target.dimensionality:
        return (
            f"unit '{unit_text}' is {_describe(given.dimensionality)}, "
            f"this field takes {_describe(target.dimensionality, unit)}"
        )
    if not given._is_multiplicative or not registry().Quantity(1.0, target)._is_multiplicative:
        return None
    return float(given.to(target).magnitude)


@lru_cache(maxsize=4096)
def _parse_string(text: str, unit: str) -> float | str:
    """Magnitude of ``text`` in ``unit``, or an error description.

    Multiplicative units convert by a cached factor (the same float pint
    computes), so values seen once (a sweep's samples) skip pint's parser.
    """
    match = _NUMBER_UNIT.match(text)
    if not match:
        return "not a number with a unit"
    number, unit_text = match.groups()
    if not unit_text:
        return float(number)  # a bare number written as a string: canonical unit
    if (
        unit_text in _COMPUTE_SHORTHAND
        and _unit(unit).dimensionality == _unit("FLOPS").dimensionality
    ):
        unit_text = _COMPUTE_SHORTHAND[unit_text]
    factor = _conversion(unit_text, unit)
    if isinstance(factor, str):
        return factor
    if factor is not None:
        return float(number) * factor
    given = registry().Quantity(float(number), unit_text)
    return float(given.to(_unit(unit)).magnitude)


def parse_quantity(
    value: Any,
    unit: str,
    field: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
    difference: bool = False,
) -> float:
    """Read a scenario value as a float in the field's canonical unit.

    Parameters
    ----------
    value : str or float
        ``"700 W"``, ``"0.7 kW"``, or a bare number already in ``unit``.
    unit : str
        Canonical unit of the field (pint syntax), e.g. ``"MW"``,
        ``"EFLOPS"``, ``"GFLOPS/W"``, ``"degC"``, ``"dimensionless"``.
    field : str
        Dotted path of the field, for the error message.
    minimum, maximum : float, optional
        Bounds in ``unit``; values outside are an error.
    strict_minimum : bool, default False
        If True the value must be strictly greater than ``minimum``.
    difference : bool, default False
        The field is a temperature difference (an amplitude, a noise): units
        with an offset (``degC``, ``degF``) are refused, since ``15 degC`` is
        the absolute 288.15 K; ``K`` or ``delta_degC`` are accepted.

    Returns
    -------
    float
        The magnitude in ``unit``.

    Raises
    ------
    ScenarioError
        Not a number, unknown unit, wrong dimension, not finite, or out of bounds.
    """
    expected = f"a number in {unit} or a string with a unit of the same dimension"
    if isinstance(value, bool) or value is None:
        raise ScenarioError("not a quantity", field=field, given=value, expected=expected)
    if isinstance(value, int | float):
        magnitude = float(value)
    elif isinstance(value, str):
        match = _NUMBER_UNIT.match(value)
        if difference and match and match.group(2) and _conversion(match.group(2), unit) is None:
            raise ScenarioError(
                f"'{match.group(2)}' is an absolute temperature, this field is a temperature "
                f"difference ({value} would be read as {_parse_string(value, unit):g} {unit})",
                field=field,
                given=value,
                expected=f"a difference in K or delta_degC, e.g. '{match.group(1)} K'",
            )
        parsed = _parse_string(value, unit)
        if isinstance(parsed, str):
            raise ScenarioError(parsed, field=field, given=value, expected=expected)
        magnitude = parsed
    else:
        raise ScenarioError("not a quantity", field=field, given=value, expected=expected)
    if not math.isfinite(magnitude):
        raise ScenarioError("not a finite number", field=field, given=value, expected=expected)
    if minimum is not None and (magnitude < minimum or (strict_minimum and magnitude == minimum)):
        relation = ">" if strict_minimum else ">="
        raise ScenarioError(
            "out of range",
            field=field,
            given=value,
            expected=f"a value {relation} {minimum} {unit}",
        )
    if maximum is not None and magnitude > maximum:
        raise ScenarioError(
            "out of range", field=field, given=value, expected=f"a value <= {maximum} {unit}"
        )
    _check_plausible(magnitude, unit, field, value)
    return magnitude


class ImplausibleWarning(UserWarning):
    """A value outside its field's plausible range where real values can lie outside."""


_ALLOW_IMPLAUSIBLE = contextvars.ContextVar("allow_implausible", default=False)


@contextlib.contextmanager
def allow_implausible(allow: bool = True) -> Iterator[None]:
    """Accept values outside their field's plausible range (``--allow-implausible``).

    Parameters
    ----------
    allow : bool, default True
        False restores the check inside an outer ``allow_implausible()``.

    Notes
    -----
    The setting holds in this thread (a context variable); sweep workers in other
    processes check the ranges.
    """
    token = _ALLOW_IMPLAUSIBLE.set(allow)
    try:
        yield
    finally:
        _ALLOW_IMPLAUSIBLE.reset(token)


def _check_plausible(magnitude: float, unit: str, field: str, value: Any) -> None:
    """Error (or :class:`ImplausibleWarning`) for a value outside the range that the
    field declares in :mod:`sim.schema`."""
    decl = field_of(field)
    if decl is None or decl.plausible is None or _ALLOW_IMPLAUSIBLE.get():
        return
    low, high = (_parse_string(text, unit) for text in decl.plausible)
    if isinstance(low, str) or isinstance(high, str):
        return  # a field that takes several dimensions: its range is for the declared one
    if low <= magnitude <= high:
        return
    expected = f"a plausible value, {decl.plausible[0]} to {decl.plausible[1]}"
    if decl.beyond == "warning":
        warnings.warn(
            f"field '{field}': outside the plausible range (given: {value!r}); expected "
            f"{expected}; check it (--allow-implausible silences this)",
            ImplausibleWarning,
            stacklevel=3,
        )
        return
    raise ScenarioError(
        "implausible value",
        field=field,
        given=value,
        expected=f"{expected}; --allow-implausible "
        "(sim.scenario.units.allow_implausible()) accepts it",
    )


def dimension_of(value: Any) -> str | None:
    """Name of the dimension a value string is written in, for fields that accept several.

    Returns ``"compute"``, ``"power"``, ``"rack"`` or ``None`` (bare number or
    other dimension).
    """
    if not isinstance(value, str):
        return None
    for name, unit in (("compute", "EFLOPS"), ("power", "MW"), ("rack", "rack")):
        if not isinstance(_parse_string(value, unit), str):
            match = _NUMBER_UNIT.match(value)
            if match and match.group(2):
                return name
    return None


#: Display units of :func:`format_quantity`, smallest first, with their size in the
#: first one. A value is shown in the largest unit in which it is at least 1 (else
#: the smallest): 0.0062 TWh reads 6.20 GWh, 0.708 MW stays 0.708 MW.
DISPLAY_UNITS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("MWh", 1.0), ("GWh", 1e3), ("TWh", 1e6)),
    (("MW", 1.0), ("GW", 1e3)),
    (("PFLOPS", 1.0), ("EFLOPS", 1e3)),
    (("tCO2", 1.0), ("ktCO2", 1e3), ("MtCO2", 1e6)),
    (("CNY", 1.0), ("k CNY", 1e3), ("M CNY", 1e6), ("bn CNY", 1e9)),
)
_DISPLAY_LADDER = {name: ladder for ladder in DISPLAY_UNITS for name, _ in ladder}


def format_number(value: Any, sig: int = 3) -> str:
    """A number with ``sig`` significant figures, trailing zeros kept.

    Parameters
    ----------
    value : float or None
        The number; ``None`` or NaN print as ``-``.
    sig : int, default 3
        Significant figures; integer digits beyond them are kept (``1757``).

    Returns
    -------
    str
        E.g. ``6.20``, ``0.708``, ``1.00``, ``1757``, ``0``.
    """
    if value is None:
        return "-"
    value = float(value)
    if math.isnan(value):
        return "-"
    if math.isinf(value) or value == 0:
        return f"{value:g}" if value else "0"
    value = _round_sig(value, sig)
    return f"{value:.{_decimals(value, sig)}f}"


def _decimals(value: float, sig: int) -> int:
    """Decimals that show ``sig`` significant figures of a nonzero ``value``."""
    return max(0, sig - 1 - math.floor(math.log10(abs(value))))


def _round_sig(value: float, sig: int) -> float:
    """``value`` rounded to ``sig`` significant figures, integer digits kept (1756.9 -> 1757)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, _decimals(value, sig))  # 0.99996 -> 1.0, then shown as 1.00


def format_quantity(value: Any, unit: str, sig: int = 3) -> str:
    """A quantity in the display unit that suits its size (see :data:`DISPLAY_UNITS`).

    Parameters
    ----------
    value : float or None
        Magnitude in ``unit``; ``None`` or NaN print as ``-``.
    unit : str
        Its unit, one of the names in :data:`DISPLAY_UNITS` (others print unscaled).
    sig : int, default 3
        Significant figures.

    Returns
    -------
    str
        E.g. ``format_quantity(0.0062002, "TWh") == "6.20 GWh"``,
        ``format_quantity(0.70779, "MW") == "0.708 MW"``.
    """
    if value is None or math.isnan(float(value)):
        return "-"
    ladder = _DISPLAY_LADDER.get(unit)
    if ladder is None:
        return f"{format_number(value, sig)} {unit}"
    base = float(value) * dict(ladder)[unit]
    rounded = _round_sig(base, sig)
    name, size = ladder[0]
    for cand, cand_size in ladder:
        if abs(rounded) >= cand_size:
            name, size = cand, cand_size
    return f"{format_number(base / size, sig)} {name}"
