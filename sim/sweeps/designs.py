"""Sample designs: grid, Monte Carlo (seeded per chunk) and Sobol (SALib)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: specs are built by sim.sweeps.spec, which draws designs
    from sim.sweeps.spec import SweepSpec


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
