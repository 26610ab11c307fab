"""The README's Python examples run as written (shipped docs never rot)."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_readme_python_blocks_run(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - our own documentation
    assert capsys.readouterr().out.strip()


def test_readme_schema_table_is_current():
    from sim.scenario.schema import markdown_table

    assert markdown_table() in (ROOT / "README.md").read_text()


def test_readme_lists_every_work_limit_with_its_default():
    from sim.scenario.limits import LIMITS

    text = (ROOT / "README.md").read_text()
    for name, spec in LIMITS.items():
        assert f"| `{name}` | {spec.default:,} {spec.unit} |" in text, name
