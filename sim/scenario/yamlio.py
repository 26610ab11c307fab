"""Safe YAML reading that remembers where each mapping key was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.limits import check, limit

__all__ = ["LineDict", "LineList", "line_of", "load_yaml_text", "read_yaml", "unshared_copy"]


class LineDict(dict):
    """A dict that knows the 1-based YAML line of each of its keys."""

    lines: dict[Any, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = {}


class LineList(list):
    """A list that knows the 1-based YAML line of each of its items."""

    lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.lines = []


def unshared_copy(data: Any) -> Any:
    """Deep copy of YAML data in which no two places share an object.

    ``copy.deepcopy`` keeps aliasing, so a YAML anchor (``&a`` ... ``*a``) would
    still tie both places together and an override of one would change the
    other. Line numbers of :class:`LineDict` and :class:`LineList` are kept.

    Raises
    ------
    ScenarioError
        The copy would exceed the ``yaml_nodes`` or ``yaml_depth`` limit (a
        mapping given to the API with shared or self-referencing parts).
    """
    count = [0]

    def copy(node: Any, level: int) -> Any:
        if not isinstance(node, dict | list):
            return node
        count[0] += len(node)
        check("yaml_nodes", count[0], what=f"more than {count[0]:,} nodes (aliases expanded)")
        check("yaml_depth", level, what=f"{level} levels of nesting")
        if isinstance(node, dict):
            new = LineDict((k, copy(v, level + 1)) for k, v in node.items())
            if isinstance(node, LineDict):
                new.lines = dict(node.lines)
            return new
        items = LineList(copy(v, level + 1) for v in node)
        if isinstance(node, LineList):
            items.lines = list(node.lines)
        return items

    return copy(data, 1)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader (no object construction, no code) whose collections record lines,
    and that refuses nesting deeper than the ``yaml_depth`` limit while composing
    (before Python's recursion limit is reached)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > limit("yaml_depth"):
                check("yaml_depth", self._depth, what=f"{self._depth} levels of nesting")
            return super().compose_node(parent, index)
        except ScenarioError as err:
            if err.line is None:
                err = ScenarioError(
                    err.message, expected=err.expected, line=self.peek_event().start_mark.line + 1
                )
            raise err from None
        finally:
            self._depth -= 1


def _expanded_size(root: yaml.Node) -> int:
    """Number of nodes ``root`` becomes when every alias is expanded.

    Each distinct node is visited once (a memo), so a "billion laughs" file is
    measured in microseconds instead of being built. Raises ScenarioError for an
    alias that refers to its own ancestor (a structure that never ends).
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ScenarioError(
                "invalid YAML: an alias refers to a collection that contains it",
                line=node.start_mark.line + 1,
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(v) for v in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = total
        return total

    return size(root)


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


def _construct_sequence(
    loader: _LineLoader, node: yaml.SequenceNode, deep: bool = False
) -> LineList:
    items = LineList(loader.construct_object(child, deep=deep) for child in node.value)
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """A YAML date or time; an impossible one (Feb 30, month 13) is a located error."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"not a valid date: '{node.value}' ({exc})", node.start_mark
        ) from None


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


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
    except IsADirectoryError:
        raise ScenarioError("is a directory, not a YAML file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ScenarioError(f"cannot read file: {reason}", file=str(path)) from None
    return load_yaml_text(text, str(path))


def load_yaml_text(text: str, file: str | None = None) -> Any:
    """Parse YAML text with the safe, bounded loader of :func:`read_yaml`.

    Aliases are expanded only after the whole document is measured against the
    ``yaml_nodes`` limit, and nesting is bounded by ``yaml_depth``
    (:mod:`sim.limits`), so neither a "billion laughs" file nor 30,000 nested
    brackets costs more than the reading.

    Raises
    ------
    ScenarioError
        Not valid YAML (with its line), an impossible date, or a limit exceeded.
    """
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check("yaml_nodes", _expanded_size(node), what="the document with its aliases expanded")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"invalid YAML: {problem}", file=file, line=line) from None
    except ScenarioError as err:
        raise err.located(file) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ScenarioError(f"invalid YAML value: {exc}", file=file) from None
    finally:
        loader.dispose()


def line_of(data: Any, field: str | None) -> int | None:
    """YAML line of a dotted field path in data read by :func:`read_yaml`, if known."""
    if not field:
        return None
    line = None
    node = data
    for part in field.split("."):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                break
            if isinstance(node, LineList) and int(part) < len(node.lines):
                line = node.lines[int(part)]
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            break
        key = next((k for k in node if str(k) == part), None)
        if key is None:
            break
        if isinstance(node, LineDict):
            line = node.lines.get(key, line)
        node = node[key]
    return line
