"""Every source key [S#] cited in the project resolves in docs/sources.md, and no
tracked file points outside the project for its sources."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT

SOURCES = ROOT / "docs" / "sources.md"
ENTRY = re.compile(r"^- \[(S\d+[a-z]?)\] \S", re.MULTILINE)
# a citation is a bracket whose text starts with a key: [S19], [S6, S7], [S41, seed 002], [S4–S6]
CITATION = re.compile(r"\[(S\d+[a-z]?\b[^\[\]\n]*)\]")
KEY = re.compile(r"\bS(\d+)([a-z]?)\b")
RANGE = re.compile(r"\bS(\d+)\s*[–-]\s*S?(\d+)\b")
# spelled in two parts so that this file does not match itself
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", "shared" + "/reference"]))


def tracked_text_files() -> dict[str, str]:
    """Text of every file git tracks in the repository, by path."""
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    texts = {}
    for name in filter(None, out.split("\0")):
        path = ROOT / name
        if not path.is_file():  # deleted in the worktree, not yet committed
            continue
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # binary (images, golden data)
            continue
    return texts


def cited_keys(text: str) -> set[str]:
    """Keys cited in brackets in ``text``, ranges (S4–S6) expanded."""
    keys = set()
    for citation in CITATION.findall(text):
        keys |= {f"S{n}{suffix}" for n, suffix in KEY.findall(citation)}
        for lo, hi in RANGE.findall(citation):
            keys |= {f"S{n}" for n in range(int(lo), int(hi) + 1)}
    return keys


def listed_keys() -> list[str]:
    return ENTRY.findall(SOURCES.read_text(encoding="utf-8"))


def test_citation_parser_reads_lists_ranges_and_ignores_code():
    # hand-written cases: a list, a range, a seed note, and Python subscripts that are not citations
    text = 'PUE 1.25 [S4]; racks [S6, S7]; start areas [S4–S6]; [S41, seed 002]; si["S1"] s1[0]'
    assert cited_keys(text) == {"S4", "S5", "S6", "S7", "S41"}


def test_every_key_is_listed_once():
    keys = listed_keys()
    assert len(keys) >= 55  # S1..S55 of the original list at least
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicates == []


def test_every_cited_key_resolves():
    listed = set(listed_keys())
    missing = {}
    for name, text in tracked_text_files().items():
        unresolved = cited_keys(text) - listed
        if unresolved:
            missing[name] = sorted(unresolved)
    assert missing == {}, f"cited keys missing from docs/sources.md: {missing}"


@pytest.mark.parametrize("key", ["S18", "S19", "S22", "S37"])
def test_record_figures_have_full_references(key):
    # the figures the record tests check must resolve to a title, a date and a publisher
    entry = re.search(rf"^- \[{key}\] (.+)$", SOURCES.read_text(encoding="utf-8"), re.MULTILINE)
    assert entry is not None
    assert re.search(r"\b20\d\d\b", entry.group(1))  # a year
    assert len(entry.group(1)) > 60


def test_no_tracked_file_points_outside_the_project():
    offenders = sorted(name for name, text in tracked_text_files().items() if OUTSIDE.search(text))
    assert offenders == []
