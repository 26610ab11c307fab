"""Files a scenario refers to (demand CSV traces, job traces), and a switch that
forbids them for scenarios from an untrusted source (an upload to the app).

A server that runs uploaded scenarios must not let one read the server's own
files: under :func:`self_contained`, every field that names a file is refused
before the file is touched, and the message names the field, never a path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sim.scenario.errors import ScenarioError

__all__ = ["input_file", "self_contained"]

_SELF_CONTAINED: ContextVar[bool] = ContextVar("suanli_self_contained", default=False)


@contextmanager
def self_contained() -> Iterator[None]:
    """Within this block, scenarios may not refer to any file (see :func:`input_file`)."""
    token = _SELF_CONTAINED.set(True)
    try:
        yield
    finally:
        _SELF_CONTAINED.reset(token)


def input_file(value: Any, field: str, base: str | Path | None = None) -> Path:
    """The path of a file a scenario field refers to.

    Parameters
    ----------
    value : str
        The file name as written.
    field : str
        Dotted path of the field, for messages.
    base : str or Path, optional
        Folder a relative name is taken from (default: the working directory).

    Returns
    -------
    Path

    Raises
    ------
    ScenarioError
        Not a file name, or any file while :func:`self_contained` is active.
    """
    if _SELF_CONTAINED.get():
        raise ScenarioError(
            "this scenario may not read files here (an uploaded scenario is self-contained)",
            field=field,
            expected="the values inline in the scenario",
        )
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError("expected a file name", field=field, given=value)
    path = Path(value.strip())
    return path if base is None or path.is_absolute() else Path(base) / path
