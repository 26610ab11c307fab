"""The one exception type for user mistakes in scenarios, overrides and sweeps."""

from __future__ import annotations

from typing import Any

__all__ = ["ScenarioError"]


class ScenarioError(ValueError):
    """A scenario, override or sweep that cannot be used as given.

    Parameters
    ----------
    message : str
        What is wrong, in words a user can act on.
    file : str, optional
        The YAML file the value came from.
    field : str, optional
        Dotted path of the offending field, e.g. ``clusters.site-a.pue``.
    given : Any, optional
        The value as the user wrote it.
    expected : str, optional
        What would have been accepted.
    line : int, optional
        1-based line in ``file`` where the field is written, when known.
    """

    _MISSING = object()

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        given: Any = _MISSING,
        expected: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.field = field
        self.given = given
        self.expected = expected
        self.line = line
        super().__init__(str(self))

    def located(self, file: str | None, line: int | None = None) -> ScenarioError:
        """Return a copy that also names the file (and line) the field came from."""
        return ScenarioError(
            self.message,
            file=self.file or file,
            field=self.field,
            given=self.given,
            expected=self.expected,
            line=self.line or line,
        )

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": field '{self.field}'"
        text = f"{where}: {self.message}"
        if self.given is not self._MISSING:
            text += f" (given: {self.given!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text
