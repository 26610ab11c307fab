"""Analytic test models for verifying the sampling and analysis machinery."""

from __future__ import annotations

from typing import Any

import numpy as np


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
