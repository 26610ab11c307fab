"""Demand: distances, latency, eligibility, shapes, trajectories.

Expected values are hand calculations written beside each assertion.
"""

import numpy as np
import pytest

from sim.operations.demand import (
    demand_eflops,
    diurnal_shape,
    eligibility,
    great_circle_km,
    hourly_shape,
    latency_ms,
    trajectory_eflops,
)
from sim.scenario.workloads import DEFAULT_CLASSES, WorkloadClass, load_trace_csv


def test_great_circle_hand_values():
    # one degree along a meridian: 6371 km * π/180 = 111.19 km
    assert great_circle_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.19, abs=0.01)
    # a quarter of the equator: 6371 * π/2 = 10,007.5 km
    assert great_circle_km(0.0, 0.0, 0.0, 90.0) == pytest.approx(10007.5, abs=0.1)


def test_latency_from_distance():
    # 1 degree of latitude = 111.19 km; x route factor 1.5 x 5 µs/km = 0.834 ms, + 1 ms base
    lat = latency_ms([0.0], [0.0], [0.0, 1.0], [0.0, 0.0], base_ms=1.0)
    np.testing.assert_allclose(lat, [[1.0, 1.0 + 111.19 * 1.5 * 5 / 1000]], atol=1e-3)


def test_ulanqab_beijing_within_5_ms():
    # [S11]: Ulanqab-Beijing < 5 ms. Horinger (40.38 N, 111.82 E) to Beijing
    # (39.90 N, 116.41 E) [S55]: ~393 km * 1.5 * 5 µs = 2.9 ms.
    lat = latency_ms([39.90], [116.41], [40.38], [111.82])
    assert 2.5 < lat[0, 0] < 5.0


def test_eligibility():
    lat = np.array([[2.0, 15.0, 30.0]])
    e = eligibility(lat, [20.0, np.inf])
    assert e.tolist() == [[[True, True, False]], [[True, True, True]]]


def test_diurnal_shape_mean_one_and_peak():
    h = np.arange(24)
    s = diurnal_shape(h, peak_hour=21, amplitude=0.4)
    assert s.mean() == pytest.approx(1.0)
    assert s[21] == pytest.approx(1.4) and s[9] == pytest.approx(0.6)


def test_profile_shape_normalised():
    # 12 hours at 1 and 12 at 3: mean 2 -> 0.5 and 1.5
    wc = WorkloadClass("x", 20.0, 0.0, shape="profile", profile=tuple([1.0] * 12 + [3.0] * 12))
    s = hourly_shape(wc, np.arange(48) % 24)
    np.testing.assert_allclose(s[:12], 0.5)
    np.testing.assert_allclose(s[12:24], 1.5)


def test_trace_length_checked():
    with pytest.raises(ValueError, match="expected 24"):
        hourly_shape(DEFAULT_CLASSES["training"], np.arange(24), trace=np.ones(10))


def test_trajectory_points_and_growth():
    t = np.array(["2024-12-01", "2025-01-06", "2025-02-01"], dtype="datetime64[h]")
    # 10 EFLOPS on 1 Jan, 20 on 11 Jan: 6 Jan is halfway -> 15; flat outside
    got = trajectory_eflops(t, {"2025-01-01": 10.0, "2025-01-11": 20.0})
    np.testing.assert_allclose(got, [10.0, 15.0, 20.0])
    # +20 %/yr [S1]: one year (365.25 d) after 100 EFLOPS -> 120
    t1 = np.array(["2025-01-01T00", "2026-01-01T06"], dtype="datetime64[h]")
    g = trajectory_eflops(t1, start="2025-01-01", start_eflops=100.0, growth_per_year=0.2)
    np.testing.assert_allclose(g, [100.0, 120.0])


def test_demand_array_and_share_check():
    # 10 EFLOPS, shares 0.7 / 0.3, shape 1 -> 7 and 3
    d = demand_eflops(np.full((1, 2), 10.0), [[0.7, 0.3]], np.ones((1, 2)))
    np.testing.assert_allclose(d[0, :, 0], [7.0, 3.0])
    with pytest.raises(ValueError, match="sum to 1"):
        demand_eflops(np.full((1, 2), 10.0), [[0.7, 0.2]], np.ones((1, 2)))


def test_default_classes():
    rt = DEFAULT_CLASSES["realtime_inference"]
    assert rt.max_latency_ms == 20.0 and rt.window_h == 0.0
    assert DEFAULT_CLASSES["training"].max_latency_ms == np.inf


def test_load_trace_csv(tmp_path):
    f = tmp_path / "trace.csv"
    f.write_text("hour,load\n0,1.5\n1,2.5\n")
    np.testing.assert_allclose(load_trace_csv(f), [1.5, 2.5])
    with pytest.raises(ValueError, match="no column"):
        load_trace_csv(f, "power")
