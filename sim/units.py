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

Compute also carries a **kind**, the way Chinese statistics count it
(:data:`KINDS`): general (通用算力, CPU servers), intelligent (智能算力, AI
accelerators) and supercomputing (超算算力, HPC systems). Each kind has a
conventional precision (:data:`KIND_PRECISION`), and totals across kinds exist
only on a named basis (:data:`TOTAL_BASES`); see docs/kinds.md.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import pint

from sim.errors import ScenarioError

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "KIND_PRECISION",
    "PRECISIONS",
    "RACK_POWER_KW",
    "TOTAL_BASES",
    "normalize_kind",
    "normalize_precision",
    "parse_quantity",
    "ureg",
]

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
# Compute: a new base dimension, so that FLOPS never silently equals 1/s.
ureg.define("flop = [compute] = FLOP")
ureg.define("FLOPS = flop / second = flops")
ureg.define("OPS = FLOPS")  # integer precisions are quoted in TOPS
# 标准机架: a standard rack is a count of capacity; its power is a scenario field.
ureg.define("rack = [rack] = racks = standard_rack")
ureg.define("CNY = [currency] = yuan = RMB")
ureg.define("gCO2 = [emission]")
ureg.define("kgCO2 = 1e3 gCO2")
ureg.define("tCO2 = 1e6 gCO2")

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
def _unit(unit: str) -> pint.Unit:
    return ureg.Unit(unit)


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


def _describe(dimensionality: object) -> str:
    for unit, name in _DIMENSION_NAMES.items():
        if _unit(unit).dimensionality == dimensionality:
            return f"{name} ({unit})" if unit != "dimensionless" else name
    return f"of dimension {dimensionality}"


@lru_cache(maxsize=1024)
def _conversion(unit_text: str, unit: str) -> float | str | None:
    """Factor from ``unit_text`` to ``unit``, an error description, or None for
    offset units (degC), which need pint for every value."""
    target = _unit(unit)
    try:
        given = ureg.Quantity(1.0, unit_text)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError):
        return f"unknown unit '{unit_text}'"
    except Exception:  # pint raises a handful of parser errors for odd input
        return f"cannot read unit '{unit_text}'"
    if given.dimensionality != target.dimensionality:
        return (
            f"unit '{unit_text}' is {_describe(given.dimensionality)}, "
            f"this field takes {_describe(target.dimensionality)}"
        )
    if not given._is_multiplicative or not ureg.Quantity(1.0, target)._is_multiplicative:
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
    factor = _conversion(unit_text, unit)
    if isinstance(factor, str):
        return factor
    if factor is not None:
        return float(number) * factor
    given = ureg.Quantity(float(number), unit_text)
    return float(given.to(_unit(unit)).magnitude)


def parse_quantity(
    value: Any,
    unit: str,
    field: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
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
    return magnitude


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
