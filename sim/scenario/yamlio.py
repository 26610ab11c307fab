"""Safe YAML reading that remembers where each mapping key was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.scenario.errors import ScenarioError

__all__ = ["LineDict", "line_of", "read_yaml", "unshared_copy"]


class LineDict(dict):
    """A dict that knows the 1-based YAML line of each of its keys."""

    lines: dict[Any, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = {}


def unshared_copy(data: Any) -> Any:
    """Deep copy of YAML data in which no two places share an object.

    ``copy.deepcopy`` keeps aliasing, so a YAML anchor (``&a`` ... ``*a``) would
    still tie both places together and an override of one would change the
    other. Line numbers of :class:`LineDict` are kept.
    """
    if isinstance(data, dict):
        new = LineDict((k, unshared_copy(v)) for k, v in data.items())
        if isinstance(data, LineDict):
            new.lines = dict(data.lines)
        return new
    if isinstance(data, list):
        return [unshared_copy(v) for v in data]
    return data


class _LineLoader(yaml.SafeLoader):
    """SafeLoader (no object construction, no code) whose mappings record key lines."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file with a safe loader.

    Raises
    ------
    ScenarioError
        The file is missing, unreadable, or not valid YAML (with its line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read file: {exc}", file=str(path)) from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"invalid YAML: {problem}", file=str(path), line=line) from None


def line_of(data: Any, field: str | None) -> int | None:
    """YAML line of a dotted field path in data read by :func:`read_yaml`, if known."""
    if not field:
        return None
    line = None
    node = data
    for part in field.split("."):
        if not isinstance(node, dict):
            break
        key = next((k for k in node if str(k) == part), None)
        if key is None:
            break
        if isinstance(node, LineDict):
            line = node.lines.get(key, line)
        node = node[key]
    return line
