"""Sweep specs: the YAML format, its validation and what each parameter sets.

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
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.results.summary import SUMMARY_VARIABLES
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.validate import strict_mapping
from sim.scenario.yamlio import line_of, read_yaml
from sim.sweeps.analytic import ANALYTIC_MODELS
from sim.sweeps.designs import all_sample_values

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


def spec_error(message: str, field_: str | None = None, **kw: Any) -> ScenarioError:
    return ScenarioError(message, field=field_, **kw)


def _number(value: Any, path: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise spec_error("not a number", path, given=value, expected="a finite number")
    if positive and value <= 0:
        raise spec_error("must be positive", path, given=value, expected="a number > 0")
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
        raise spec_error(
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


def value_at(raw: Mapping, path: str) -> Any:
    node: Any = raw
    for part in path.split("."):
        node = node[_key(node, part)]
    return node


def _parameter(name: str, sec: Any, method: str, raw: Mapping | None, model: str | None):
    where = f"parameters.{name}"
    if not isinstance(sec, Mapping):
        raise spec_error(
            "expected a mapping",
            where,
            given=sec,
            expected="{distribution: ...} or {values: [...]}",
        )
    strict_mapping(sec, where, _PARAM_KEYS)
    if "path" in sec and "paths" in sec:
        raise spec_error("give path or paths, not both", where)
    if "paths" in sec:
        paths = sec["paths"]
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise spec_error("expected a list of dotted paths", f"{where}.paths", given=paths)
    else:
        paths = [sec.get("path", name)]
        if not isinstance(paths[0], str):
            raise spec_error("expected a dotted path", f"{where}.path", given=paths[0])
    if model is not None:
        inputs = ANALYTIC_MODELS[model][0]
        for p in paths:
            if p not in inputs:
                raise spec_error(
                    f"unknown path '{p}' for model {model}",
                    where,
                    expected="one of " + ", ".join(inputs),
                )
        expanded = list(paths)
    else:
        expanded = []
        for p in paths:
            if p.split(".")[0] in ("horizon", "name", "variants", "description", "sources"):
                raise spec_error(
                    f"path '{p}' cannot be swept (it changes the time axis or names)",
                    where,
                    expected="a field under clusters or hardware",
                )
            expanded += _expand(raw, p, where)
    mode = sec.get("mode", "set")
    if mode not in ("set", "scale"):
        raise spec_error("unknown mode", f"{where}.mode", given=mode, expected="set or scale")
    unit = sec.get("unit")
    if unit is not None and (not isinstance(unit, str) or mode == "scale"):
        raise spec_error("unit is a string, for mode set only", f"{where}.unit", given=unit)
    values = None
    dist = None
    args: dict[str, Any] = {}
    if method == "grid":
        if "values" not in sec or "distribution" in sec:
            raise spec_error(
                "a grid parameter needs values: [...]",
                f"{where}.values",
                expected="a non-empty list of values",
            )
        values = sec["values"]
        if not isinstance(values, list) or not values:
            raise spec_error("expected a non-empty list", f"{where}.values", given=values)
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, int | float | str):
                raise spec_error(
                    "grid values are numbers or strings", f"{where}.values.{i}", given=v
                )
            if mode == "scale" or unit is not None:
                _number(v, f"{where}.values.{i}")
        values = tuple(values)
    else:
        if "distribution" not in sec:
            raise spec_error(
                "missing required field",
                f"{where}.distribution",
                expected="one of " + ", ".join(DISTRIBUTIONS),
            )
        dist = sec["distribution"]
        if dist not in DISTRIBUTIONS:
            raise spec_error(
                "unknown distribution",
                f"{where}.distribution",
                given=dist,
                expected="one of " + ", ".join(DISTRIBUTIONS),
            )
        required, optional = DISTRIBUTIONS[dist]
        for key in required:
            if key not in sec:
                raise spec_error(
                    f"distribution '{dist}' needs {', '.join(required)}: missing '{key}'",
                    f"{where}.{key}",
                )
        stray = [k for k in DISTRIBUTIONS_KEYS if k in sec and k not in (*required, *optional)]
        if stray:
            raise spec_error(
                f"'{stray[0]}' does not apply to distribution '{dist}'",
                f"{where}.{stray[0]}",
                expected=", ".join((*required, *optional)),
            )
        if dist == "discrete":
            vals = sec["values"]
            if not isinstance(vals, list) or not vals:
                raise spec_error("expected a non-empty list", f"{where}.values", given=vals)
            args["values"] = [_number(v, f"{where}.values.{i}") for i, v in enumerate(vals)]
            if "weights" in sec:
                w = sec["weights"]
                if not isinstance(w, list) or len(w) != len(vals):
                    raise spec_error("one weight per value", f"{where}.weights", given=w)
                args["weights"] = [_number(v, f"{where}.weights.{i}") for i, v in enumerate(w)]
                if min(args["weights"]) < 0 or sum(args["weights"]) <= 0:
                    raise spec_error(
                        "weights must be >= 0 with a positive sum", f"{where}.weights", given=w
                    )
        else:
            for key in (*required, *optional):
                if key in sec:
                    args[key] = _number(
                        sec[key], f"{where}.{key}", positive=key in ("std", "sigma", "median")
                    )
            if dist in ("uniform", "triangular") and not args["low"] < args["high"]:
                raise spec_error(
                    "low must be below high",
                    f"{where}.high",
                    given=args["high"],
                    expected=f"> {args['low']}",
                )
            if dist == "triangular" and not args["low"] <= args["mode_value"] <= args["high"]:
                raise spec_error(
                    "mode_value outside [low, high]",
                    f"{where}.mode_value",
                    given=args["mode_value"],
                )
            if "min" in args and "max" in args and not args["min"] < args["max"]:
                raise spec_error("min must be below max", f"{where}.max", given=args["max"])
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
        raise spec_error("a sweep must be a mapping of fields", given=type(raw).__name__)
    strict_mapping(raw, "", _SPEC_KEYS)
    name = str(raw.get("name", Path(file).stem if file else "sweep"))
    method = raw.get("method")
    if method not in METHODS:
        raise spec_error(
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
        raise spec_error(
            "give exactly one of base (a scenario file) or model (an analytic test model)", "base"
        )
    if model is not None:
        if model not in ANALYTIC_MODELS:
            raise spec_error(
                "unknown model",
                "model",
                given=model,
                expected="one of " + ", ".join(ANALYTIC_MODELS),
            )
        if variant is not None or "set" in raw:
            raise spec_error("variant and set apply to a base scenario", "variant")
    else:
        base = raw["base"]
        if not isinstance(base, str):
            raise spec_error("expected a path to a scenario YAML", "base", given=base)
        path = Path(base)
        base_path = str(path if path.is_absolute() else base_dir / path)
        fixed = raw.get("set") or {}
        if not isinstance(fixed, Mapping):
            raise spec_error("expected a mapping of dotted path to value", "set", given=fixed)
        # Validate the base (variant, fixed overrides) now: errors name the base file.
        try:
            scenario = load_scenario(base_path, overrides=dict(fixed), variant=variant)
        except ScenarioError as err:
            if err.field in {str(k) for k in fixed}:
                raise spec_error(err.message, f"set.{err.field}", expected=err.expected) from None
            raise
        scenario_raw = _plain(scenario.raw)
        dispatch = raw.get("dispatch", True)
        if not isinstance(dispatch, bool):
            raise spec_error("expected true or false", "dispatch", given=dispatch)
        if not dispatch:
            # layer 2 without dispatch: utilisation as the scenario assumes it
            for key in _DISPATCH_SECTIONS:
                scenario_raw.pop(key, None)
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise spec_error("not a seed", "seed", given=seed, expected="a non-negative integer")
    params_raw = raw.get("parameters")
    if not isinstance(params_raw, Mapping) or not params_raw:
        raise spec_error(
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
                raise spec_error(
                    f"path '{path}' is set by two parameters ('{seen[path]}' and '{p.name}')",
                    f"parameters.{p.name}",
                )
            seen[path] = p.name
    if model is not None:
        missing = [i for i in ANALYTIC_MODELS[model][0] if i not in seen]
        if missing:
            raise spec_error(
                f"model {model} needs every input: missing '{missing[0]}'", "parameters"
            )

    samples = raw.get("samples")
    if method == "grid":
        if samples is not None:
            raise spec_error(
                "a grid has as many samples as value combinations; remove samples",
                "samples",
                given=samples,
            )
        n = math.prod(len(p.values or ()) for p in params)
        base_n = n
    else:
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise spec_error(
                "samples must be a positive integer",
                "samples",
                given=samples,
                expected="an integer >= 1",
            )
        base_n = samples
        n = samples
        if method == "sobol":
            if samples & (samples - 1):
                raise spec_error(
                    "Sobol base samples must be a power of 2",
                    "samples",
                    given=samples,
                    expected="e.g. 256, 512, 1024",
                )
            n = samples * (len(params) + 2)
    chunk = raw.get("chunk_size", 100)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise spec_error(
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
        raise spec_error("expected a non-empty list", "outputs.variables", given=variables)
    for i, v in enumerate(variables):
        if v not in all_vars:
            raise spec_error(
                "unknown output variable",
                f"outputs.variables.{i}",
                given=v,
                expected="one of " + ", ".join(all_vars),
            )
    qs = out.get("quantiles", [0.05, 0.5, 0.95])
    if not isinstance(qs, list) or not qs:
        raise spec_error("expected a non-empty list", "outputs.quantiles", given=qs)
    for i, q in enumerate(qs):
        if not 0.0 <= _number(q, f"outputs.quantiles.{i}") <= 1.0:
            raise spec_error("a quantile is between 0 and 1", f"outputs.quantiles.{i}", given=q)
    hourly = out.get("hourly_samples", 0)
    if (
        isinstance(hourly, bool)
        or not isinstance(hourly, int)
        or not 0 <= hourly <= _MAX_HOURLY_SAMPLES
    ):
        raise spec_error(
            "hourly_samples out of range",
            "outputs.hourly_samples",
            given=hourly,
            expected=f"an integer 0..{_MAX_HOURLY_SAMPLES}",
        )
    if model and hourly:
        raise spec_error(
            "an analytic model has no hourly series", "outputs.hourly_samples", given=hourly
        )
    hourly = min(hourly, n)
    sens = out.get("sensitivity", "y" if model else "energy_twh")
    if sens not in variables:
        raise spec_error(
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


_NUM_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _scaled(base: Any, factor: float, where: str) -> Any:
    """A raw field value multiplied by ``factor``: numbers, 'number unit' strings, lists."""
    if isinstance(base, bool):
        raise spec_error("mode scale needs a number", where, given=base)
    if isinstance(base, int | float):
        return base * factor
    if isinstance(base, str):
        m = _NUM_UNIT.match(base)
        if m:
            num = float(m.group(1)) * factor
            return f"{num!r} {m.group(2)}".strip() if m.group(2) else num
    if isinstance(base, list):
        return [_scaled(v, factor, where) for v in base]
    raise spec_error("mode scale needs a number, a quantity or a list of them", where, given=base)


def override_value(p: Parameter, path: str, value: Any, raw: Mapping) -> Any:
    if p.mode == "scale":
        return _scaled(value_at(raw, path), float(value), f"parameters.{p.name}")
    if isinstance(value, np.generic):
        value = value.item()
    if p.unit is not None:
        return f"{float(value)!r} {p.unit}"
    return value


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
            overrides = {path: override_value(p, path, value, spec.raw) for path in p.paths}
            try:
                load_scenario(spec.raw, overrides=overrides)
            except ScenarioError as err:
                raise spec_error(
                    f"value {value!r} is not valid for the scenario: {err.message}",
                    f"parameters.{p.name}",
                    expected=err.expected,
                ) from None


# ---------------------------------------------------------------------------
# Evaluation
