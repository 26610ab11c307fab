"""Invariants of the power chain (hypothesis)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from tests.conftest import MINIMAL

fraction = st.floats(0.0, 1.0)


def scenario(capacity_eflops=1.0, tflops=989.0, pue=1.0, utilization=1.0, idle=0.0):
    m = copy.deepcopy(MINIMAL)
    m["horizon"] = {"start": "2025-01-01", "end": "2025-01-07", "step": "1h"}
    m["hardware"]["gpu-a"]["peak_flops"]["fp16"] = f"{tflops} TFLOPS"
    site = m["clusters"]["site-a"]
    site["fleet"]["capacity"] = {"2025-01-01": f"{capacity_eflops} EFLOPS"}
    site.update(pue=pue, utilization=utilization, idle_power=idle)
    return sim.load_scenario(m)


def energy(**kw) -> float:
    return float(sim.run(scenario(**kw))["energy_mwh"].sum())


@settings(max_examples=25, deadline=None)
@given(c=st.floats(0.01, 100.0), k=st.floats(0.1, 10.0), u=fraction, idle=fraction)
def test_energy_linear_in_capacity(c, k, u, idle):
    assert energy(capacity_eflops=c * k, utilization=u, idle=idle) == pytest.approx(
        k * energy(capacity_eflops=c, utilization=u, idle=idle), rel=1e-9, abs=1e-12
    )


@settings(max_examples=25, deadline=None)
@given(t=st.floats(10.0, 10_000.0), k=st.floats(0.1, 10.0))
def test_energy_inverse_in_efficiency(t, k):
    assert energy(tflops=t * k) == pytest.approx(energy(tflops=t) / k, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(p1=st.floats(1.0, 3.0), p2=st.floats(1.0, 3.0), u=fraction, idle=fraction)
def test_energy_monotone_in_pue(p1, p2, u, idle):
    lo, hi = sorted((p1, p2))
    assert energy(pue=lo, utilization=u, idle=idle) <= energy(pue=hi, utilization=u, idle=idle)


@settings(max_examples=25, deadline=None)
@given(u1=fraction, u2=fraction, idle=fraction)
def test_energy_monotone_in_utilisation(u1, u2, idle):
    lo, hi = sorted((u1, u2))
    assert energy(utilization=lo, idle=idle) <= energy(utilization=hi, idle=idle) * (1 + 1e-12)


@settings(max_examples=25, deadline=None)
@given(
    c=st.floats(0.0, 100.0),
    pue=st.floats(1.0, 3.0),
    profile=st.lists(fraction, min_size=24, max_size=24),
    idle=fraction,
)
def test_power_never_negative_and_bounded_by_nameplate(c, pue, profile, idle):
    ds = sim.run(scenario(capacity_eflops=c, pue=pue, utilization=profile, idle=idle))
    it, name = ds["it_power_mw"].values, ds["nameplate_power_mw"].values
    assert np.all(ds["energy_mwh"].values >= 0)
    assert np.all(it <= name * (1 + 1e-12))
    np.testing.assert_allclose(ds["facility_power_mw"].values, it * pue)
