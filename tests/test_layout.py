"""The package layout: imports point down the layers only, never up or sideways in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Layers bottom up (README "Layout"): a module may import its own layer or those below.
RANK = {
    "sim.scenario": 0,
    "sim.buildout": 1,
    "sim.operations": 2,
    "sim.jobs": 3,
    "sim.results": 4,
    "sim.model": 5,
    "sim.sweeps": 6,
    "sim.cli": 7,
    "sim.record": 7,
    "sim.__main__": 8,
}
MODULES = sorted((ROOT / "sim").rglob("*.py"))


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _rank(module: str) -> int | None:
    for prefix, rank in RANK.items():
        if module == prefix or module.startswith(prefix + "."):
            return rank
    return None


def _is_sim(name: str) -> bool:
    return name == "sim" or name.startswith("sim.")


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported sim module, line, at module level) of every import of sim.* in a file."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _is_sim(node.module):
            names = [f"{node.module}.{a.name}" for a in node.names]
            out += [(n, node.lineno, id(node) in top) for n in names]
        elif isinstance(node, ast.Import):
            out += [(a.name, node.lineno, id(node) in top) for a in node.names if _is_sim(a.name)]
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    own = _rank(_module(path))
    if own is None:  # the package root: the public API imports every layer
        return
    for name, line, _ in _imports(path):
        if name == "sim.__version__":
            continue
        # `import sim` is the public API, which sits above every layer but the faces
        public = name == "sim" or (name.count(".") == 1 and not _rank(name))
        rank = RANK["sim.cli"] if public else _rank(name)
        assert rank is not None and rank <= own, f"{path.name}:{line} imports {name} from above"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_level_imports_of_sim(path):
    # the CLI imports its commands lazily so that `suanli --help` starts fast; no other
    # module imports sim code inside a function (which would hide a cycle)
    if path.name == "cli.py":
        return
    inner = [(n, line) for n, line, top in _imports(path) if not top]
    # TYPE_CHECKING blocks are not module level in the AST but never run
    text = path.read_text().splitlines()
    inner = [
        (n, line)
        for n, line in inner
        if "TYPE_CHECKING" not in "".join(text[max(0, line - 3) : line])
    ]
    assert not inner, f"{path.name}: function-level imports {inner}"
