"""Refactoring guard: every shipped run is bit-identical to the recorded digests.

See ``tests/golden/digests.py``: a change meant to alter results regenerates
``digests.json`` in the same commit and says why in its message.
"""

from __future__ import annotations

import json

import pytest

from tests.golden.digests import REFERENCE, cases, digest

RECORDED = json.loads(REFERENCE.read_text())
CASES = cases()


def test_the_cases_are_the_recorded_ones():
    assert sorted(CASES) == sorted(RECORDED)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bit_identical(name):
    assert digest(CASES[name]()) == RECORDED[name]
