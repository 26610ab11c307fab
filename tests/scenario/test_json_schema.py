"""`suanli schema --json`: every shipped scenario validates; a misspelt key does not."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from sim.cli import main
from sim.scenario.schema import json_schema
from sim.scenario.yamlio import read_yaml
from tests.conftest import MINIMAL, ROOT

SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "validation").glob("*.yaml"))


def _plain(node):
    """YAML as JSON sees it: dates (keys or values) as ISO text."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node if isinstance(node, str | int | float | bool | type(None)) else str(node)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_validate(path):
    raw = read_yaml(path)
    if "clusters" not in raw:  # validation/record.yaml lists checks, not a scenario
        pytest.skip("not a scenario")
    jsonschema.validate(_plain(raw), json_schema())


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("clusters", "site-a", "pue_typo"), 1.2),  # an unknown key inside a cluster
        (("hardware", "gpu-a", "powr"), "700 W"),  # a misspelt hardware field
        (("horizon", "stop"), "2025-12-31"),  # horizon has start, end, step only
    ],
)
def test_unknown_keys_fail(path, value):
    raw = copy.deepcopy(MINIMAL)
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, json_schema())


def test_missing_name_fails():
    raw = copy.deepcopy(MINIMAL)
    del raw["name"]  # `name` is required (schema default: required)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, json_schema())


def test_cli_prints_it(capsys):
    assert main(["schema", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "suanli scenario"
