"""Fuzz (issue 15): mutated shipped scenarios and sweep specs end in a result or a
ScenarioError, never another exception.

Hypothesis replaces, deletes or adds up to three fields anywhere in a shipped
file (values from a pool of known troublemakers: wrong types, impossible dates,
absolute temperatures, infinities, lists for names), or flips bytes of its text,
and feeds the result through ``sim.load_scenario`` (and ``sim.run`` for the
small scenarios) or ``sim.sweep.load_sweep``. Derandomized, so a failure
reproduces; the example counts keep the whole file near half a minute.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim import ScenarioError
from sim.scenario.yamlio import load_yaml_text, read_yaml, unshared_copy
from sim.sweeps.spec import load_sweep
from tests.conftest import SCENARIOS

NASTY: list[Any] = [
    None,
    True,
    0,
    -1,
    0.5,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    10**30,
    "",
    "x",
    "1 EFLOPS",
    "700 W",
    "1e400 MW",
    "0 kW",
    "15 degC",
    "-300 degC",
    "2025-02-30",
    "1500-01-01",
    "2262-12-31",
    [],
    [1, 2],
    ["one", "site"],
    {},
    {"a": 1},
]
#: Run the scenario too when it loads (fast ones only: a run of these takes < 0.5 s).
RUN = {"minimal", "zhejiang_2025", "beijing_ring"}


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        out.append((*prefix, key))
        out += _paths(value, (*prefix, key))
    return out


@st.composite
def _mutated(draw: st.DrawFn, raw: dict) -> dict:
    data = unshared_copy(raw)
    paths = _paths(data)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent: Any = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            op = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
            if op == "replace":
                parent[path[-1]] = draw(st.sampled_from(NASTY))
            elif op == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent["unknown_field"] = draw(st.sampled_from(NASTY))
            elif isinstance(parent, list):
                parent.append(draw(st.sampled_from(NASTY)))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the structure on this path
    return data


FUZZ = settings(
    # 25 in make test; SUANLI_FUZZ_EXAMPLES=1000 for a longer hunt
    max_examples=int(os.environ.get("SUANLI_FUZZ_EXAMPLES", "25")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _load_and_maybe_run(source: Any, run: bool) -> None:
    with contextlib.suppress(ScenarioError):
        scenario = sim.load_scenario(source)
        if run:
            sim.run(scenario)


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
def test_mutated_scenarios_end_in_a_scenario_error_or_a_result(name):
    raw = read_yaml(SCENARIOS / f"{name}.yaml")

    @FUZZ
    @given(_mutated(raw))
    def check(data):
        _load_and_maybe_run(data, name in RUN)

    check()


@pytest.mark.parametrize("name", sorted(p.stem for p in (SCENARIOS / "sweeps").glob("*.yaml")))
def test_mutated_sweep_specs_end_in_a_scenario_error_or_a_spec(name):
    raw = read_yaml(SCENARIOS / "sweeps" / f"{name}.yaml")

    @FUZZ
    @given(_mutated(raw))
    def check(data):
        with contextlib.suppress(ScenarioError):
            load_sweep(data, base_dir=SCENARIOS / "sweeps")

    check()


MINIMAL_TEXT = (SCENARIOS / "minimal.yaml").read_text()


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(MINIMAL_TEXT) - 1), st.sampled_from(list("[]{}:-&*!|>'\" 9\n\t"))
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_yaml_text_ends_in_a_scenario_error_or_a_result(edits):
    text = list(MINIMAL_TEXT)
    for at, char in edits:
        text[at] = char
    try:
        data = load_yaml_text("".join(text), "minimal.yaml")
    except ScenarioError:
        return
    _load_and_maybe_run(data, run=True)
