"""Sweeps: grids, Monte Carlo and Sobol designs over scenario parameters.

A sweep YAML names a base scenario (and variant), the parameters to vary by
dotted path, how to vary them and what to keep::

    name: PUE and utilisation
    base: ../minimal.yaml            # relative to this file
    set: {clusters.site-a.idle_power: 0.2}   # fixed overrides of the base (optional)
    dispatch: false                  # drop demand/links/dispatch: layer 2 as assumed
    method: monte_carlo              # grid | monte_carlo | sobol
    samples: 1000                    # monte_carlo: samples; sobol: base N (2^k)
    seed: 7
    chunk_size: 100                  # samples per task and per checkpoint
    parameters:
      clusters.site-a.pue: {distribution: uniform, low: 1.1, high: 1.4}
      utilization:                   # a name, with the path(s) it sets
        paths: [clusters.*.utilization]
        mode: scale                  # multiply the base value (default: set)
        distribution: triangular
        low: 0.8
        mode_value: 1.0
        high: 1.1
    outputs:
      variables: [energy_twh, peak_facility_power_mw]   # default: all annual ones
      quantiles: [0.05, 0.5, 0.95]
      hourly_samples: 2              # keep hourly facility power of samples 0 and 1
      sensitivity: energy_twh        # Sobol target, summed over clusters

Every sample is computed with the kernels of :func:`sim.run`
(:func:`sim.model.prepare`, :func:`sim.model.operate`) on arrays with a
leading ``sample`` dimension, in blocks of samples and hours, reduced to
annual figures as it goes (:class:`sim.results.AnnualReducer`), so memory is
bounded by the block, not by the sweep.

Parameters that feed the kernels directly (a constant PUE, the climate PUE
model's coefficients, utilisation, idle power) become per-sample arrays.
Any other path (fleet capacities, hardware efficiency, climate) is a
*structural* parameter: each sample's scenario is reloaded and its inputs
rebuilt with :func:`sim.model.prepare`, cached by value.

Randomness: Monte Carlo chunk ``k`` draws its samples from
``SeedSequence(seed, spawn_key=(k,))``, so a chunk's values depend only on
the seed and its index, never on the executor. Sobol designs come from
SALib's scrambled Sobol sequence seeded with ``seed``.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
import json
import math
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from sim.errors import ScenarioError
from sim.results import SUMMARY_VARIABLES, AnnualReducer, dataarray, time_blocks, year_slices
from sim.scenario import load_scenario
from sim.validate import strict_mapping
from sim.yamlio import line_of, read_yaml

__all__ = [
    "ANALYTIC_MODELS",
    "DISTRIBUTIONS",
    "Parameter",
    "SweepSpec",
    "evaluate_chunk",
    "ishigami",
    "load_sweep",
    "quantiles",
    "sample_values",
    "sobol_indices",
    "sweep",
]

METHODS = ("grid", "monte_carlo", "sobol")

#: Distribution name → (required keys, optional keys).
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "std"), ("min", "max")),
    "lognormal": (("median", "sigma"), ("min", "max")),
    "triangular": (("low", "mode_value", "high"), ()),
    "discrete": (("values",), ("weights",)),
}

_PARAM_KEYS = {
    "path",
    "paths",
    "mode",
    "unit",
    "values",
    "distribution",
    "note",
    "source",
    *(k for req, opt in DISTRIBUTIONS.values() for k in (*req, *opt)),
}
_SPEC_KEYS = {
    "name",
    "description",
    "base",
    "variant",
    "model",
    "method",
    "samples",
    "seed",
    "chunk_size",
    "parameters",
    "outputs",
    "sources",
    "set",
    "dispatch",
}
#: Top-level sections of the operations layer (dispatch); ``dispatch: false`` drops them.
_DISPATCH_SECTIONS = ("demand", "links", "dispatch")
_OUTPUT_KEYS = {"variables", "quantiles", "hourly_samples", "sensitivity"}
_MAX_HOURLY_SAMPLES = 20

#: Kernel parameters: last path part(s) → (kind, canonical unit, minimum, maximum).
_KERNEL_FIELDS = {
    ("pue",): ("pue_base", 1.0, math.inf),
    ("pue", "base"): ("pue_base", 1.0, math.inf),
    ("pue", "free_cooling_below"): ("pue_threshold_c", -math.inf, math.inf),
    ("pue", "slope"): ("pue_slope_per_k", 0.0, math.inf),
    ("pue", "max"): ("pue_max", 1.0, math.inf),
    ("utilization",): ("utilization", 0.0, 1.0),
    ("idle_power",): ("idle_power", 0.0, 1.0),
}


# ---------------------------------------------------------------------------
# Analytic test models (for verifying the sampling and analysis machinery)


def ishigami(x1: np.ndarray, x2: np.ndarray, x3: np.ndarray, a: float = 7.0, b: float = 0.1):
    """Ishigami function, ``sin x1 + a sin^2 x2 + b x3^4 sin x1``.

    The standard test of variance-based sensitivity analysis (Ishigami and
    Homma 1990; Saltelli et al. 2008, *Global Sensitivity Analysis: The
    Primer*, sec. 4.? and the SALib documentation), with ``x_i ~ U(-pi, pi)``.

    Parameters
    ----------
    x1, x2, x3 : numpy.ndarray
        Inputs [1].
    a, b : float
        Coefficients (7 and 0.1 by convention).

    Returns
    -------
    numpy.ndarray
        Output [1].
    """
    s1 = np.sin(x1)
    return s1 + a * np.sin(x2) ** 2 + b * x3**4 * s1


#: Analytic models a sweep may name instead of a base scenario: name → (inputs, function).
ANALYTIC_MODELS: dict[str, tuple[tuple[str, ...], Any]] = {
    "ishigami": (("x1", "x2", "x3"), ishigami),
}


# ---------------------------------------------------------------------------
# Spec


@dataclass(frozen=True)
class Parameter:
    """One swept parameter.

    Attributes
    ----------
    name : str
        Its name (the key in the YAML, also its coordinate in results).
    paths : tuple of str
        Dotted scenario paths it sets, wildcards expanded.
    mode : str
        ``"set"`` (the value replaces the field) or ``"scale"`` (multiplies it).
    unit : str or None
        Unit appended to a ``set`` value (``"GFLOPS/W"``).
    values : tuple or None
        Grid values (method ``grid``).
    distribution : str or None
        One of :data:`DISTRIBUTIONS`.
    args : dict
        Distribution arguments.
    """

    name: str
    paths: tuple[str, ...]
    mode: str = "set"
    unit: str | None = None
    values: tuple | None = None
    distribution: str | None = None
    args: dict[str, Any] = field(default_factory=dict)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at cumulative probabilities ``u`` in (0, 1) (inverse CDF)."""
        from scipy import stats

        a = self.args
        d = self.distribution
        if d == "uniform":
            return a["low"] + u * (a["high"] - a["low"])
        if d == "triangular":
            lo, hi = a["low"], a["high"]
            c = (a["mode_value"] - lo) / (hi - lo)
            return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
        if d == "discrete":
            values = np.asarray(a["values"], dtype=np.float64)
            w = np.asarray(a.get("weights") or [1.0] * len(values), dtype=np.float64)
            cdf = np.cumsum(w / w.sum())
            idx = np.searchsorted(cdf, u, side="right")
            return values[np.minimum(idx, len(values) - 1)]
        if d == "normal":
            dist = stats.norm(loc=a["mean"], scale=a["std"])
        else:  # lognormal
            dist = stats.lognorm(s=a["sigma"], scale=a["median"])
        lo = dist.cdf(a["min"]) if "min" in a else 0.0
        hi = dist.cdf(a["max"]) if "max" in a else 1.0
        return dist.ppf(lo + u * (hi - lo))


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep. Build it with :func:`load_sweep`.

    Attributes
    ----------
    name, description : str
    method : str
        ``grid``, ``monte_carlo`` or ``sobol``.
    parameters : tuple of Parameter
    n_samples : int
        Rows of the design (for Sobol, ``N (D + 2)``).
    base_samples : int
        ``samples`` as written (Sobol base N).
    seed : int
    chunk_size : int
    raw : dict or None
        Base scenario after its variant (None for an analytic model).
    model : str or None
        Analytic model name instead of a scenario.
    variables : tuple of str
        Annual summary variables kept.
    quantiles : tuple of float
    hourly_samples : int
    sensitivity : str
        Variable analysed for Sobol indices (summed over clusters by year).
    file : str or None
    base_path, variant : str or None
    """

    name: str
    description: str
    method: str
    parameters: tuple[Parameter, ...]
    n_samples: int
    base_samples: int
    seed: int
    chunk_size: int
    raw: dict | None
    model: str | None
    variables: tuple[str, ...]
    quantiles: tuple[float, ...]
    hourly_samples: int
    sensitivity: str
    file: str | None = None
    base_path: str | None = None
    variant: str | None = None

    @property
    def n_chunks(self) -> int:
        return -(-self.n_samples // self.chunk_size)

    def chunk_rows(self, k: int) -> range:
        """Sample indices of chunk ``k``."""
        return range(k * self.chunk_size, min((k + 1) * self.chunk_size, self.n_samples))

    @property
    def digest(self) -> str:
        """Hash of everything that determines the results (resume checks it)."""
        from sim import __version__

        body = {
            "method": self.method,
            "parameters": [
                [p.name, list(p.paths), p.mode, p.unit, p.values, p.distribution, p.args]
                for p in self.parameters
            ],
            "n": self.n_samples,
            "seed": self.seed,
            "chunk": self.chunk_size,
            "raw": _str_keys(self.raw),
            "model": self.model,
            "vars": list(self.variables),
            "hourly": self.hourly_samples,
            "version": __version__,
        }
        text = json.dumps(body, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _str_keys(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _str_keys(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_str_keys(v) for v in obj]
    return obj


def _err(message: str, field_: str | None = None, **kw: Any) -> ScenarioError:
    return ScenarioError(message, field=field_, **kw)


def _number(value: Any, path: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _err("not a number", path, given=value, expected="a finite number")
    if positive and value <= 0:
        raise _err("must be positive", path, given=value, expected="a number > 0")
    return float(value)


def _plain(obj: Any) -> Any:
    """Plain dicts and lists (no LineDict), for pickling and hashing."""
    if isinstance(obj, Mapping):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj


def _expand(raw: Mapping, path: str, where: str) -> list[str]:
    """Expand ``*`` segments against the base scenario; every result must exist."""
    parts = path.split(".")
    found: list[list[str]] = [[]]
    for n_part, part in enumerate(parts):
        last = n_part == len(parts) - 1
        nxt = []
        for prefix in found:
            node: Any = raw
            for p in prefix:
                node = node[_key(node, p)]
            if part == "*":
                if isinstance(node, Mapping):
                    nxt += [[*prefix, str(k)] for k in node]
            elif (isinstance(node, Mapping) and _key(node, part) is not None) or (
                isinstance(node, list) and part.isdigit() and int(part) < len(node)
            ):
                nxt.append([*prefix, part])
            elif last and isinstance(node, Mapping) and "*" not in parts:
                nxt.append([*prefix, part])  # a new leaf: the loader checks it
        found = nxt
    if not found:
        raise _err(
            f"unknown path '{path}': no such field in the base scenario",
            where,
            expected="a dotted path to an existing scenario field, e.g. clusters.NAME.pue",
        )
    return [".".join(f) for f in found]


def _key(node: Any, part: str) -> Any:
    if isinstance(node, Mapping):
        return next((k for k in node if str(k) == part), None)
    if isinstance(node, list):
        return int(part)
    return None


def _get(raw: Mapping, path: str) -> Any:
    node: Any = raw
    for part in path.split("."):
        node = node[_key(node, part)]
    return node


def _parameter(name: str, sec: Any, method: str, raw: Mapping | None, model: str | None):
    where = f"parameters.{name}"
    if not isinstance(sec, Mapping):
        raise _err(
            "expected a mapping",
            where,
            given=sec,
            expected="{distribution: ...} or {values: [...]}",
        )
    strict_mapping(sec, where, _PARAM_KEYS)
    if "path" in sec and "paths" in sec:
        raise _err("give path or paths, not both", where)
    if "paths" in sec:
        paths = sec["paths"]
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise _err("expected a list of dotted paths", f"{where}.paths", given=paths)
    else:
        paths = [sec.get("path", name)]
        if not isinstance(paths[0], str):
            raise _err("expected a dotted path", f"{where}.path", given=paths[0])
    if model is not None:
        inputs = ANALYTIC_MODELS[model][0]
        for p in paths:
            if p not in inputs:
                raise _err(
                    f"unknown path '{p}' for model {model}",
                    where,
                    expected="one of " + ", ".join(inputs),
                )
        expanded = list(paths)
    else:
        expanded = []
        for p in paths:
            if p.split(".")[0] in ("horizon", "name", "variants", "description", "sources"):
                raise _err(
                    f"path '{p}' cannot be swept (it changes the time axis or names)",
                    where,
                    expected="a field under clusters or hardware",
                )
            expanded += _expand(raw, p, where)
    mode = sec.get("mode", "set")
    if mode not in ("set", "scale"):
        raise _err("unknown mode", f"{where}.mode", given=mode, expected="set or scale")
    unit = sec.get("unit")
    if unit is not None and (not isinstance(unit, str) or mode == "scale"):
        raise _err("unit is a string, for mode set only", f"{where}.unit", given=unit)
    values = None
    dist = None
    args: dict[str, Any] = {}
    if method == "grid":
        if "values" not in sec or "distribution" in sec:
            raise _err(
                "a grid parameter needs values: [...]",
                f"{where}.values",
                expected="a non-empty list of values",
            )
        values = sec["values"]
        if not isinstance(values, list) or not values:
            raise _err("expected a non-empty list", f"{where}.values", given=values)
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, int | float | str):
                raise _err("grid values are numbers or strings", f"{where}.values.{i}", given=v)
            if mode == "scale" or unit is not None:
                _number(v, f"{where}.values.{i}")
        values = tuple(values)
    else:
        if "distribution" not in sec:
            raise _err(
                "missing required field",
                f"{where}.distribution",
                expected="one of " + ", ".join(DISTRIBUTIONS),
            )
        dist = sec["distribution"]
        if dist not in DISTRIBUTIONS:
            raise _err(
                "unknown distribution",
                f"{where}.distribution",
                given=dist,
                expected="one of " + ", ".join(DISTRIBUTIONS),
            )
        required, optional = DISTRIBUTIONS[dist]
        for key in required:
            if key not in sec:
                raise _err(
                    f"distribution '{dist}' needs {', '.join(required)}: missing '{key}'",
                    f"{where}.{key}",
                )
        stray = [k for k in DISTRIBUTIONS_KEYS if k in sec and k not in (*required, *optional)]
        if stray:
            raise _err(
                f"'{stray[0]}' does not apply to distribution '{dist}'",
                f"{where}.{stray[0]}",
                expected=", ".join((*required, *optional)),
            )
        if dist == "discrete":
            vals = sec["values"]
            if not isinstance(vals, list) or not vals:
                raise _err("expected a non-empty list", f"{where}.values", given=vals)
            args["values"] = [_number(v, f"{where}.values.{i}") for i, v in enumerate(vals)]
            if "weights" in sec:
                w = sec["weights"]
                if not isinstance(w, list) or len(w) != len(vals):
                    raise _err("one weight per value", f"{where}.weights", given=w)
                args["weights"] = [_number(v, f"{where}.weights.{i}") for i, v in enumerate(w)]
                if min(args["weights"]) < 0 or sum(args["weights"]) <= 0:
                    raise _err(
                        "weights must be >= 0 with a positive sum", f"{where}.weights", given=w
                    )
        else:
            for key in (*required, *optional):
                if key in sec:
                    args[key] = _number(
                        sec[key], f"{where}.{key}", positive=key in ("std", "sigma", "median")
                    )
            if dist in ("uniform", "triangular") and not args["low"] < args["high"]:
                raise _err(
                    "low must be below high",
                    f"{where}.high",
                    given=args["high"],
                    expected=f"> {args['low']}",
                )
            if dist == "triangular" and not args["low"] <= args["mode_value"] <= args["high"]:
                raise _err(
                    "mode_value outside [low, high]",
                    f"{where}.mode_value",
                    given=args["mode_value"],
                )
            if "min" in args and "max" in args and not args["min"] < args["max"]:
                raise _err("min must be below max", f"{where}.max", given=args["max"])
    return Parameter(name, tuple(expanded), mode, unit, values, dist, args)


DISTRIBUTIONS_KEYS = sorted({k for req, opt in DISTRIBUTIONS.values() for k in (*req, *opt)})


def load_sweep(
    source: str | Path | Mapping[str, Any], *, base_dir: str | Path | None = None
) -> SweepSpec:
    """Load and validate a sweep spec.

    Parameters
    ----------
    source : str, Path or mapping
        A sweep YAML file, or the spec as a mapping.
    base_dir : str or Path, optional
        Directory that a relative ``base`` is resolved against (default: the
        sweep file's directory, or the working directory for a mapping).

    Returns
    -------
    SweepSpec

    Raises
    ------
    ScenarioError
        Naming the sweep file and field for any mistake; errors in the base
        scenario name the base file.
    """
    file = None
    if isinstance(source, str | Path):
        file = str(source)
        raw = read_yaml(source)
        base_dir = Path(source).parent if base_dir is None else Path(base_dir)
    elif isinstance(source, Mapping):
        raw = copy.deepcopy(dict(source))
        base_dir = Path.cwd() if base_dir is None else Path(base_dir)
    else:
        raise ScenarioError("a sweep is a YAML path or a mapping", given=type(source).__name__)
    try:
        return _validate(raw, file, Path(base_dir))
    except ScenarioError as err:
        if err.file is not None:  # from the base scenario: keep its file
            raise
        raise err.located(file, line_of(raw, err.field)) from None


def _validate(raw: Any, file: str | None, base_dir: Path) -> SweepSpec:
    if not isinstance(raw, Mapping):
        raise _err("a sweep must be a mapping of fields", given=type(raw).__name__)
    strict_mapping(raw, "", _SPEC_KEYS)
    name = str(raw.get("name", Path(file).stem if file else "sweep"))
    method = raw.get("method")
    if method not in METHODS:
        raise _err(
            "unknown or missing method",
            "method",
            given=method,
            expected="one of " + ", ".join(METHODS),
        )
    model = raw.get("model")
    base_path = None
    variant = raw.get("variant")
    scenario_raw = None
    if ("base" in raw) == (model is not None):
        raise _err(
            "give exactly one of base (a scenario file) or model (an analytic test model)", "base"
        )
    if model is not None:
        if model not in ANALYTIC_MODELS:
            raise _err(
                "unknown model",
                "model",
                given=model,
                expected="one of " + ", ".join(ANALYTIC_MODELS),
            )
        if variant is not None or "set" in raw:
            raise _err("variant and set apply to a base scenario", "variant")
    else:
        base = raw["base"]
        if not isinstance(base, str):
            raise _err("expected a path to a scenario YAML", "base", given=base)
        path = Path(base)
        base_path = str(path if path.is_absolute() else base_dir / path)
        fixed = raw.get("set") or {}
        if not isinstance(fixed, Mapping):
            raise _err("expected a mapping of dotted path to value", "set", given=fixed)
        # Validate the base (variant, fixed overrides) now: errors name the base file.
        try:
            scenario = load_scenario(base_path, overrides=dict(fixed), variant=variant)
        except ScenarioError as err:
            if err.field in {str(k) for k in fixed}:
                raise _err(err.message, f"set.{err.field}", expected=err.expected) from None
            raise
        scenario_raw = _plain(scenario.raw)
        dispatch = raw.get("dispatch", True)
        if not isinstance(dispatch, bool):
            raise _err("expected true or false", "dispatch", given=dispatch)
        if not dispatch:
            # layer 2 without dispatch: utilisation as the scenario assumes it
            for key in _DISPATCH_SECTIONS:
                scenario_raw.pop(key, None)
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _err("not a seed", "seed", given=seed, expected="a non-negative integer")
    params_raw = raw.get("parameters")
    if not isinstance(params_raw, Mapping) or not params_raw:
        raise _err(
            "no parameters",
            "parameters",
            given=params_raw,
            expected="a mapping of parameter name or path to its values or distribution",
        )
    params = tuple(
        _parameter(str(k), v, method, scenario_raw, model) for k, v in params_raw.items()
    )
    seen: dict[str, str] = {}
    for p in params:
        for path in p.paths:
            if path in seen:
                raise _err(
                    f"path '{path}' is set by two parameters ('{seen[path]}' and '{p.name}')",
                    f"parameters.{p.name}",
                )
            seen[path] = p.name
    if model is not None:
        missing = [i for i in ANALYTIC_MODELS[model][0] if i not in seen]
        if missing:
            raise _err(f"model {model} needs every input: missing '{missing[0]}'", "parameters")

    samples = raw.get("samples")
    if method == "grid":
        if samples is not None:
            raise _err(
                "a grid has as many samples as value combinations; remove samples",
                "samples",
                given=samples,
            )
        n = math.prod(len(p.values or ()) for p in params)
        base_n = n
    else:
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise _err(
                "samples must be a positive integer",
                "samples",
                given=samples,
                expected="an integer >= 1",
            )
        base_n = samples
        n = samples
        if method == "sobol":
            if samples & (samples - 1):
                raise _err(
                    "Sobol base samples must be a power of 2",
                    "samples",
                    given=samples,
                    expected="e.g. 256, 512, 1024",
                )
            n = samples * (len(params) + 2)
    chunk = raw.get("chunk_size", 100)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise _err(
            "chunk_size must be a positive integer",
            "chunk_size",
            given=chunk,
            expected="an integer >= 1",
        )

    out = raw.get("outputs") or {}
    strict_mapping(out, "outputs", _OUTPUT_KEYS)
    all_vars = ("y",) if model else tuple(SUMMARY_VARIABLES)
    variables = out.get("variables", list(all_vars))
    if not isinstance(variables, list) or not variables:
        raise _err("expected a non-empty list", "outputs.variables", given=variables)
    for i, v in enumerate(variables):
        if v not in all_vars:
            raise _err(
                "unknown output variable",
                f"outputs.variables.{i}",
                given=v,
                expected="one of " + ", ".join(all_vars),
            )
    qs = out.get("quantiles", [0.05, 0.5, 0.95])
    if not isinstance(qs, list) or not qs:
        raise _err("expected a non-empty list", "outputs.quantiles", given=qs)
    for i, q in enumerate(qs):
        if not 0.0 <= _number(q, f"outputs.quantiles.{i}") <= 1.0:
            raise _err("a quantile is between 0 and 1", f"outputs.quantiles.{i}", given=q)
    hourly = out.get("hourly_samples", 0)
    if (
        isinstance(hourly, bool)
        or not isinstance(hourly, int)
        or not 0 <= hourly <= _MAX_HOURLY_SAMPLES
    ):
        raise _err(
            "hourly_samples out of range",
            "outputs.hourly_samples",
            given=hourly,
            expected=f"an integer 0..{_MAX_HOURLY_SAMPLES}",
        )
    if model and hourly:
        raise _err("an analytic model has no hourly series", "outputs.hourly_samples", given=hourly)
    hourly = min(hourly, n)
    sens = out.get("sensitivity", "y" if model else "energy_twh")
    if sens not in variables:
        raise _err(
            "the sensitivity target must be a kept variable",
            "outputs.sensitivity",
            given=sens,
            expected="one of " + ", ".join(variables),
        )
    spec = SweepSpec(
        name=name,
        description=str(raw.get("description", "")),
        method=method,
        parameters=params,
        n_samples=n,
        base_samples=base_n,
        seed=seed,
        chunk_size=chunk,
        raw=scenario_raw,
        model=model,
        variables=tuple(variables),
        quantiles=tuple(float(q) for q in qs),
        hourly_samples=hourly,
        sensitivity=sens,
        file=file,
        base_path=base_path,
        variant=variant,
    )
    if model is None:
        _check_ranges(spec)
    return spec


# ---------------------------------------------------------------------------
# Designs


def _unit_rows(spec: SweepSpec, k: int) -> np.ndarray:
    """Cumulative probabilities of chunk ``k``'s samples, shape (rows, parameters)."""
    rows = spec.chunk_rows(k)
    d = len(spec.parameters)
    if spec.method == "monte_carlo":
        rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(k,)))
        return rng.random((len(rows), d))
    full = _sobol_design(spec.base_samples, d, spec.seed)
    return full[rows.start : rows.stop]


_SOBOL_CACHE: dict[tuple[int, int, int], np.ndarray] = {}


def _sobol_design(n: int, d: int, seed: int) -> np.ndarray:
    key = (n, d, seed)
    if key not in _SOBOL_CACHE:
        from SALib.sample import sobol as sobol_sample

        problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
        design = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
        eps = 1e-12  # keep unbounded inverse CDFs finite
        _SOBOL_CACHE[key] = np.clip(design, eps, 1 - eps)
    return _SOBOL_CACHE[key]


def sample_values(spec: SweepSpec, k: int) -> list[np.ndarray]:
    """Values of every parameter for the samples of chunk ``k``.

    Returns
    -------
    list of numpy.ndarray
        One array per parameter, shape (rows,): floats, or objects for grid
        values that are strings.
    """
    rows = spec.chunk_rows(k)
    if spec.method == "grid":
        combos = list(itertools.product(*(p.values for p in spec.parameters)))[
            rows.start : rows.stop
        ]
        out = []
        for j, _ in enumerate(spec.parameters):
            col = [c[j] for c in combos]
            numeric = all(isinstance(v, int | float) for v in col)
            out.append(np.array(col, dtype=np.float64 if numeric else object))
        return out
    u = _unit_rows(spec, k)
    return [p.ppf(u[:, j]) for j, p in enumerate(spec.parameters)]


def all_sample_values(spec: SweepSpec) -> list[np.ndarray]:
    """Values of every parameter for all samples (the chunks concatenated)."""
    per = [sample_values(spec, k) for k in range(spec.n_chunks)]
    return [np.concatenate([c[j] for c in per]) for j in range(len(spec.parameters))]


# ---------------------------------------------------------------------------
# Binding parameters to the model

_NUM_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _scaled(base: Any, factor: float, where: str) -> Any:
    """A raw field value multiplied by ``factor``: numbers, 'number unit' strings, lists."""
    if isinstance(base, bool):
        raise _err("mode scale needs a number", where, given=base)
    if isinstance(base, int | float):
        return base * factor
    if isinstance(base, str):
        m = _NUM_UNIT.match(base)
        if m:
            num = float(m.group(1)) * factor
            return f"{num!r} {m.group(2)}".strip() if m.group(2) else num
    if isinstance(base, list):
        return [_scaled(v, factor, where) for v in base]
    raise _err("mode scale needs a number, a quantity or a list of them", where, given=base)


def _override_value(p: Parameter, path: str, value: Any, raw: Mapping) -> Any:
    if p.mode == "scale":
        return _scaled(_get(raw, path), float(value), f"parameters.{p.name}")
    if isinstance(value, np.generic):
        value = value.item()
    if p.unit is not None:
        return f"{float(value)!r} {p.unit}"
    return value


@dataclass(frozen=True)
class _Binding:
    """Where a kernel parameter goes: Inputs array ``kind`` at cluster ``index``."""

    param: int
    path: str
    kind: str
    index: int
    base: Any  # base value (scale mode) as the kernel sees it


def _bindings(spec: SweepSpec, scenario) -> tuple[list[_Binding], list[tuple[int, str]]]:
    """Split parameter paths into kernel bindings and structural (path) overrides."""
    names = list(scenario.clusters)
    kernel: list[_Binding] = []
    structural: list[tuple[int, str]] = []
    for j, p in enumerate(spec.parameters):
        for path in p.paths:
            parts = path.split(".")
            b = None
            if parts[0] == "clusters" and len(parts) >= 3 and parts[1] in names:
                cl = scenario.clusters[parts[1]]
                tail = tuple(parts[2:])
                value = _get(spec.raw, path)
                kind = _KERNEL_FIELDS.get(tail, (None,))[0]
                ok_unit = p.unit is None
                numeric_grid = p.values is None or all(isinstance(v, int | float) for v in p.values)
                if kind and ok_unit and numeric_grid:
                    if tail == ("pue",) and cl.pue.is_constant:
                        b = _Binding(j, path, kind, names.index(parts[1]), cl.pue.base)
                    elif tail[0] == "pue" and len(tail) == 2 and not cl.pue.is_constant:
                        attr = {
                            "base": "base",
                            "free_cooling_below": "threshold_c",
                            "slope": "slope_per_k",
                            "max": "max_pue",
                        }[tail[1]]
                        b = _Binding(j, path, kind, names.index(parts[1]), getattr(cl.pue, attr))
                    elif tail == ("utilization",):
                        b = _Binding(j, path, kind, names.index(parts[1]), cl.utilization)
                    elif tail == ("idle_power",):
                        b = _Binding(j, path, kind, names.index(parts[1]), cl.idle_power)
                    # a scale of a raw list/number that is not what the kernel sees is structural
                    if b is not None and p.mode == "scale" and isinstance(value, Mapping):
                        b = None
            if b is None:
                structural.append((j, path))
            else:
                kernel.append(b)
    return kernel, structural


def _check_ranges(spec: SweepSpec) -> None:
    """Validate each path at the extremes of its values with the scenario's own checks."""
    drawn = all_sample_values(spec) if spec.method != "grid" else None
    for j, p in enumerate(spec.parameters):
        if p.values is not None:
            candidates = list(p.values)
            nums = [v for v in candidates if isinstance(v, int | float)]
            strs = [v for v in candidates if not isinstance(v, int | float)]
            candidates = ([min(nums), max(nums)] if nums else []) + strs
        else:
            vals = drawn[j]
            candidates = [float(np.min(vals)), float(np.max(vals))]
        for value in candidates:
            overrides = {path: _override_value(p, path, value, spec.raw) for path in p.paths}
            try:
                load_scenario(spec.raw, overrides=overrides)
            except ScenarioError as err:
                raise _err(
                    f"value {value!r} is not valid for the scenario: {err.message}",
                    f"parameters.{p.name}",
                    expected=err.expected,
                ) from None


# ---------------------------------------------------------------------------
# Evaluation

_PREPARED: dict[str, Any] = {}
_SUB_BATCH_ELEMENTS = 1 << 17  # ~1 MB of float64 per working array


def _base(spec: SweepSpec):
    """Base scenario, its inputs, bindings and structural plan, cached per process."""
    key = spec.digest
    if key not in _PREPARED:
        from sim.model import prepare

        scenario = load_scenario(spec.raw)
        kernel, structural = _bindings(spec, scenario)
        _PREPARED.clear()
        _PREPARED[key] = (
            scenario,
            prepare(scenario),
            kernel,
            structural,
            _fleet_rows(scenario, structural),
        )
    return _PREPARED[key]


_LOCAL = threading.local()


def _buffer(shape: tuple[int, ...]) -> np.ndarray:
    """A scratch array reused across batches (per thread): no page faults per batch."""
    buf = getattr(_LOCAL, "buf", None)
    size = math.prod(shape)
    if buf is None or buf.size < size:
        buf = _LOCAL.buf = np.empty(size)
    return buf[:size].reshape(shape)


def _fleet_rows(scenario, structural: list[tuple[int, str]]) -> list[int] | None:
    """Clusters whose fleet the structural paths change, or None when a path
    changes more than fleets (then each sample's inputs are rebuilt whole)."""
    names = list(scenario.clusters)
    rows: set[int] = set()
    for _, path in structural:
        parts = path.split(".")
        if parts[0] == "clusters" and len(parts) >= 3 and parts[2] == "fleet":
            rows.add(names.index(parts[1]))
        elif parts[0] == "hardware" and len(parts) >= 2:
            for i, c in enumerate(scenario.clusters.values()):
                used = set(c.fleet.shares)
                for add in c.fleet.additions:
                    used |= set(add.shares)
                if parts[1] in used:
                    rows.add(i)
        else:
            return None
    return sorted(rows)


def _sample_scenario(spec: SweepSpec, structural, values, i: int):
    overrides = {}
    for j, path in structural:
        p = spec.parameters[j]
        overrides[path] = _override_value(p, path, values[j][i], spec.raw)
    try:
        return load_scenario(spec.raw, overrides=overrides)
    except ScenarioError as err:
        raise _err(
            f"a sample's values are not valid for the scenario: {err.message}",
            err.field,
            given=err.given,
            expected=err.expected,
        ) from None


@dataclass
class _Batch:
    """Inputs of a batch of samples, shaped (m or 1, cluster, ...)."""

    nameplate: np.ndarray  # (m or 1, C, T) full series, or the base (1, C, T) with patches
    patch_rows: list[int] | None
    patch: np.ndarray | None  # (m, rows, T) nameplate of the patched clusters
    capacity_end: np.ndarray  # (m or 1, C, Y)
    nameplate_end: np.ndarray  # (m or 1, C, Y)
    arrays: dict[str, np.ndarray]  # PUE parameters and idle power, (m, C, 1)
    climate: np.ndarray  # (m or 1, C)
    temperature: np.ndarray | None  # (m or 1, C, T)
    profiles: np.ndarray  # (m, C, 24)
    utilization: np.ndarray  # (m or 1, C, T)

    def nameplate_block(self, lo: int, hi: int) -> np.ndarray:
        if self.patch is None:
            return self.nameplate[:, :, lo:hi]
        m = self.patch.shape[0]
        block = np.empty((m, self.nameplate.shape[1], hi - lo))
        block[:] = self.nameplate[:, :, lo:hi]
        block[:, self.patch_rows, :] = self.patch[:, :, lo:hi]
        return block


def _batch(spec, base, structural, fleet_rows, values, idx: range, ends) -> _Batch:
    from sim.fleet import build_fleet
    from sim.model import prepare

    m = len(idx)
    per = [base]
    patch = None
    if structural and fleet_rows is not None:
        names = list(base_names(spec))
        rows = fleet_rows
        patch = _buffer((m, len(rows), len(base.times)))
        cap_end = np.broadcast_to(base.capacity_eflops[:, ends], (m, len(names), len(ends))).copy()
        name_end = np.broadcast_to(base.nameplate_mw[:, ends], (m, len(names), len(ends))).copy()
        for b, i in enumerate(idx):
            sc = _sample_scenario(spec, structural, values, i)
            sub = dataclasses.replace(sc, clusters={names[r]: sc.clusters[names[r]] for r in rows})
            fl = build_fleet(sub, base.times)
            patch[b] = fl.nameplate_mw
            cap_end[b, rows] = fl.capacity_eflops[:, ends]
            name_end[b, rows] = fl.nameplate_mw[:, ends]
        nameplate = base.nameplate_mw[None]
    else:
        if structural:
            per = [prepare(_sample_scenario(spec, structural, values, i)) for i in idx]
        nameplate = _stack([q.nameplate_mw for q in per])
        cap_end = _stack([q.capacity_eflops[:, ends] for q in per])
        name_end = nameplate[:, :, ends]
    n_c = nameplate.shape[1]
    arrays = {
        name: np.broadcast_to(_stack([getattr(q, name) for q in per]), (m, n_c, 1)).copy()
        for name in ("pue_base", "pue_threshold_c", "pue_slope_per_k", "pue_max", "idle_power")
    }
    climate = _stack([q.climate for q in per])
    temperature = None
    if climate.any():
        temperature = _stack(
            [
                q.kernel_temperature_c
                if q.temperature_c is not None
                else np.zeros_like(q.nameplate_mw)
                for q in per
            ]
        )
    profiles = np.broadcast_to(_stack([q.utilization_profile for q in per]), (m, n_c, 24)).copy()
    return _Batch(
        nameplate=nameplate,
        patch_rows=fleet_rows if patch is not None else None,
        patch=patch,
        capacity_end=cap_end,
        nameplate_end=name_end,
        arrays=arrays,
        climate=climate,
        temperature=temperature,
        profiles=profiles,
        utilization=_stack([q.utilization for q in per]),
    )


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    """Stack along a new first axis; one array becomes a view, not a copy."""
    return arrays[0][None] if len(arrays) == 1 else np.stack(arrays)


def base_names(spec: SweepSpec) -> list[str]:
    """Cluster names of the base scenario."""
    return list(_base(spec)[0].clusters)


def evaluate_chunk(spec: SweepSpec, k: int) -> dict[str, np.ndarray]:
    """Compute the samples of chunk ``k``.

    Parameters
    ----------
    spec : SweepSpec
    k : int
        Chunk index.

    Returns
    -------
    dict of name → numpy.ndarray
        The kept annual variables shaped (rows, cluster, year) (or (rows, year)
        for ``coincident_peak_facility_power_mw``, (rows,) for an analytic
        model's ``y``), and ``facility_power_mw_hourly`` (rows kept, cluster,
        time) when the chunk holds any of the first ``hourly_samples`` samples.
    """
    values = sample_values(spec, k)
    if spec.model is not None:
        inputs, func = ANALYTIC_MODELS[spec.model]
        by_path = {p.paths[0]: values[j].astype(np.float64) for j, p in enumerate(spec.parameters)}
        return {"y": func(*(by_path[i] for i in inputs))}
    if spec.raw is not None and "demand" in spec.raw:
        return _evaluate_runs(spec, k, values)
    return _evaluate_scenario(spec, k, values)


def _evaluate_runs(spec: SweepSpec, k: int, values: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Samples of a scenario with dispatch: one :func:`sim.run` each (not vectorised:
    dispatch solves per-sample problems). Exact by construction."""
    from sim.model import run
    from sim.results import summarize

    every = [(j, path) for j, p in enumerate(spec.parameters) for path in p.paths]
    rows = spec.chunk_rows(k)
    out: dict[str, list[np.ndarray]] = {name: [] for name in spec.variables}
    hourly = []
    for i, r in enumerate(rows):
        ds = run(_sample_scenario(spec, every, values, i))
        summary = summarize(ds)
        for name in spec.variables:
            out[name].append(summary[name].values)
        if r < spec.hourly_samples:
            hourly.append(ds["facility_power_mw"].values)
    result = {name: np.stack(parts) for name, parts in out.items()}
    if hourly:
        result["facility_power_mw_hourly"] = np.stack(hourly)
    return result


def _evaluate_scenario(spec: SweepSpec, k: int, values: list[np.ndarray]) -> dict[str, np.ndarray]:
    from sim.model import operate, pue_series, utilization_series

    _scenario, base, kernel, structural, fleet_rows = _base(spec)
    rows = spec.chunk_rows(k)
    n = len(rows)
    n_c = base.nameplate_mw.shape[0]
    times = base.times
    years, starts = year_slices(times)
    ends = np.r_[starts[1:], len(times)] - 1
    blocks = time_blocks(times)
    step_h = base.step_h
    keep_hourly = [i for i, r in enumerate(rows) if r < spec.hourly_samples]
    hourly = np.empty((len(keep_hourly), n_c, len(times))) if keep_hourly else None
    results: dict[str, list[np.ndarray]] = {}
    sub = max(1, _SUB_BATCH_ELEMENTS // (n_c * max(b[2] - b[1] for b in blocks)))
    util_params = any(b.kind == "utilization" for b in kernel)
    for s0 in range(0, n, sub):
        idx = range(rows.start + s0, rows.start + min(s0 + sub, n))
        local = [i - rows.start for i in idx]
        m = len(idx)
        bt = _batch(
            spec, base, structural, fleet_rows, values, range(local[0], local[-1] + 1), ends
        )
        arrays, profiles = bt.arrays, bt.profiles
        for b in kernel:
            v = values[b.param][local].astype(np.float64)
            scale = spec.parameters[b.param].mode == "scale"
            if b.kind == "utilization":
                prof = profiles[:, b.index, :]
                profiles[:, b.index, :] = prof * v[:, None] if scale else v[:, None] * np.ones(24)
            else:
                cur = arrays[b.kind][:, b.index, 0]
                arrays[b.kind][:, b.index, 0] = cur * v if scale else v
        _check_kernel_values(spec, arrays, profiles, kernel, idx.start)
        reducer = AnnualReducer((m, n_c), len(years), step_h)
        for y, lo, hi in blocks:
            if util_params:
                u = utilization_series(profiles, times[lo:hi], step_h)
            else:
                u = bt.utilization[:, :, lo:hi]
            pue = pue_series(
                bt.temperature[:, :, lo:hi] if bt.temperature is not None else None,
                arrays["pue_base"],
                arrays["pue_threshold_c"],
                arrays["pue_slope_per_k"],
                arrays["pue_max"],
                bt.climate,
            )
            it, facility, _ = operate(
                bt.nameplate_block(lo, hi), u, arrays["idle_power"], pue, step_h, with_energy=False
            )
            reducer.add(y, it, facility, u)
            for h, i in enumerate(keep_hourly):
                if s0 <= i < s0 + m:
                    hourly[h, :, lo:hi] = facility[i - s0]
        stats = reducer.finish(
            np.broadcast_to(bt.capacity_end, (m, n_c, len(years))),
            np.broadcast_to(bt.nameplate_end, (m, n_c, len(years))),
        )
        for name in spec.variables:
            results.setdefault(name, []).append(stats[name])
    out = {name: np.concatenate(parts) for name, parts in results.items()}
    if hourly is not None:
        out["facility_power_mw_hourly"] = hourly
    return out


def _check_kernel_values(spec, arrays, profiles, kernel, first_row: int) -> None:
    """Range checks of per-sample kernel values (the loader checks the rest)."""
    checks = []
    for b in kernel:
        _, lo, hi = (None, *_KERNEL_FIELDS[tuple(b.path.split(".")[2:])][1:])
        data = profiles[:, b.index, :] if b.kind == "utilization" else arrays[b.kind][:, b.index, 0]
        checks.append((b, data, lo, hi))
    for b, data, lo, hi in checks:
        flat = data.reshape(len(data), -1)
        bad = np.flatnonzero(((flat < lo) | (flat > hi) | ~np.isfinite(flat)).any(axis=1))
        if bad.size:
            raise _err(
                f"sample {first_row + int(bad[0])} sets {b.path} out of range",
                f"parameters.{spec.parameters[b.param].name}",
                given=float(
                    flat[bad[0]].max() if (flat[bad[0]] > hi).any() else flat[bad[0]].min()
                ),
                expected=f"values in [{lo}, {hi}]",
            )
    base, mx = arrays["pue_base"], arrays["pue_max"]
    bad = np.argwhere(mx < base)
    if bad.size and any(b.kind in ("pue_base", "pue_max") for b in kernel):
        s, c, _ = bad[0]
        raise _err(
            f"sample {first_row + int(s)}: PUE max below base",
            "parameters",
            given=float(mx[s, c, 0]),
        )


# ---------------------------------------------------------------------------
# Results


def empty_dataset(spec: SweepSpec) -> xr.Dataset:
    """Dataset of the full sweep filled with NaN: the layout of the Zarr store."""
    values = all_sample_values(spec)
    n = spec.n_samples
    coords: dict[str, Any] = {"sample": np.arange(n)}
    for p, v in zip(spec.parameters, values, strict=True):
        attrs = {"paths": ", ".join(p.paths), "mode": p.mode}
        if p.distribution:
            attrs["distribution"] = p.distribution
        if p.unit:
            attrs["units"] = p.unit
        coords[p.name] = ("sample", v.astype(str) if v.dtype == object else v, attrs)
    data = {}
    if spec.model is not None:
        data["y"] = dataarray(np.full(n, np.nan), ("sample",), "1", f"{spec.model} function output")
    else:
        scenario, base, *_ = _base(spec)
        years, _ = year_slices(base.times)
        coords["cluster"] = list(scenario.clusters)
        coords["year"] = years
        prec = scenario.reporting_precision
        for name in spec.variables:
            units, long_name = SUMMARY_VARIABLES[name]
            extra = {"precision": prec} if units in ("EFLOPS", "GFLOPS/W") else {}
            if name == "coincident_peak_facility_power_mw":
                arr, dims = np.full((n, len(years)), np.nan), ("sample", "year")
            else:
                arr, dims = (
                    np.full((n, len(coords["cluster"]), len(years)), np.nan),
                    ("sample", "cluster", "year"),
                )
            data[name] = dataarray(arr, dims, units, long_name, **extra)
        if spec.hourly_samples:
            coords["hourly_sample"] = np.arange(spec.hourly_samples)
            coords["time"] = base.times
            data["facility_power_mw_hourly"] = dataarray(
                np.full((spec.hourly_samples, len(coords["cluster"]), len(base.times)), np.nan),
                ("hourly_sample", "cluster", "time"),
                "MW",
                "facility power of the first samples, hourly",
            )
    attrs = {
        "sweep": spec.name,
        "description": spec.description,
        "method": spec.method,
        "seed": spec.seed,
        "samples": spec.base_samples,
        "chunk_size": spec.chunk_size,
        "n_chunks": spec.n_chunks,
        "parameters": json.dumps([p.name for p in spec.parameters]),
        "quantiles": json.dumps(list(spec.quantiles)),
        "sensitivity": spec.sensitivity,
        "base": spec.base_path or "",
        "variant": spec.variant or "",
        "model": spec.model or "",
        "dispatch": int(spec.raw is not None and "demand" in spec.raw),
        "sweep_digest": spec.digest,
        "Conventions": "CF-1.10",
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def quantiles(ds: xr.Dataset, q: tuple[float, ...] | None = None) -> xr.Dataset:
    """Quantiles over samples of every per-sample variable, plus the cluster total.

    Parameters
    ----------
    ds : xarray.Dataset
        Sweep results (:func:`sweep`).
    q : tuple of float, optional
        Quantiles (default: the spec's, stored in ``ds.attrs['quantiles']``).

    Returns
    -------
    xarray.Dataset
        Dims (quantile, ...); ``energy_twh_total`` is the sum over clusters.
    """
    if q is None:
        q = tuple(json.loads(ds.attrs.get("quantiles", "[0.05, 0.5, 0.95]")))
    per = [v for v in ds.data_vars if "sample" in ds[v].dims]
    out = ds[per].quantile(list(q), dim="sample", skipna=True)
    if "energy_twh" in ds:
        total = ds["energy_twh"].sum("cluster", skipna=False)
        out["energy_twh_total"] = total.quantile(list(q), dim="sample", skipna=True)
        out["energy_twh_total"].attrs = {
            "units": "TWh",
            "long_name": "facility energy of all clusters in the year",
        }
    for v in per:
        out[v].attrs = ds[v].attrs
    return out


def sensitivity_target(ds: xr.Dataset) -> xr.DataArray:
    """The output analysed for sensitivity: summed over clusters, by year."""
    name = ds.attrs.get("sensitivity", "energy_twh")
    da = ds[name]
    if "cluster" in da.dims:
        agg = (
            da.max("cluster")
            if name in ("mean_pue", "mean_utilization", "efficiency_gflops_per_w")
            else da.sum("cluster")
        )
        agg.attrs = da.attrs
        return agg
    return da


def sobol_indices(ds: xr.Dataset, num_resamples: int = 200, seed: int = 0) -> xr.Dataset:
    """First-order and total Sobol indices of a Sobol sweep (SALib, Saltelli/Jansen).

    Parameters
    ----------
    ds : xarray.Dataset
        Results of a complete ``method: sobol`` sweep, samples in design order.
    num_resamples : int
        Bootstrap resamples for the confidence intervals.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    xarray.Dataset
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` with dims (parameter[, year]).
    """
    from SALib.analyze import sobol as sobol_analyze

    if ds.attrs.get("method") != "sobol":
        raise ScenarioError(
            "Sobol indices need a method: sobol sweep", field="method", given=ds.attrs.get("method")
        )
    names = json.loads(ds.attrs["parameters"])
    problem = {"num_vars": len(names), "names": names, "bounds": [[0, 1]] * len(names)}
    target = sensitivity_target(ds)
    if bool(np.isnan(target.values).any()):
        raise ScenarioError("the sweep is incomplete: finish it (--resume) before Sobol analysis")
    extra = [d for d in target.dims if d != "sample"]
    flat = target.transpose("sample", *extra).values.reshape(target.sizes["sample"], -1)
    res = {k: np.empty((len(names), flat.shape[1])) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    for col in range(flat.shape[1]):
        y = flat[:, col]
        if np.ptp(y) == 0:
            for k in res:
                res[k][:, col] = 0.0
            continue
        si = sobol_analyze.analyze(
            problem, y, calc_second_order=False, num_resamples=num_resamples, seed=seed
        )
        for k in res:
            res[k][:, col] = si[k]
    dims = ("parameter", *extra)
    coords: dict[str, Any] = {"parameter": names}
    for d in extra:
        coords[d] = target[d].values
    shape = (len(names), *[target.sizes[d] for d in extra])
    long = {"S1": "first-order Sobol index", "ST": "total Sobol index"}
    data = {
        k: xr.DataArray(
            v.reshape(shape),
            dims=dims,
            attrs={
                "units": "1",
                "long_name": long.get(k, long[k[:2]] + " 95% confidence half-width"),
            },
        )
        for k, v in res.items()
    }
    return xr.Dataset(
        data,
        coords=coords,
        attrs={"target": target.attrs.get("long_name", ds.attrs.get("sensitivity"))},
    )


def sweep(
    spec: str | Path | Mapping[str, Any] | SweepSpec,
    store: str | Path | None = None,
    *,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = False,
) -> xr.Dataset:
    """Run a sweep and return its per-sample results.

    Parameters
    ----------
    spec : str, Path, mapping or SweepSpec
        A sweep YAML file, a mapping, or a loaded spec.
    store : str or Path, optional
        Zarr store to write (checkpointed per chunk, resumable). Without it the
        results are only kept in memory.
    executor : {"serial", "processes", "dask"}
        Where chunks run: this process, local processes, or Dask.
    workers : int, optional
        Processes or Dask workers (default: CPU count for processes, 2 for Dask).
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://HOST:PORT``); implies Dask.
    resume : bool
        Continue an interrupted store, skipping committed chunks.
    overwrite : bool
        Replace an existing store.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    xarray.Dataset
        Dims (sample, cluster, year); parameter values as coordinates along
        ``sample`` (for an analytic model: ``y`` along ``sample``).
    """
    from sim.execute import execute

    if not isinstance(spec, SweepSpec):
        spec = load_sweep(spec)
    return execute(
        spec,
        store,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        overwrite=overwrite,
        progress=progress,
    )
