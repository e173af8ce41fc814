"""Diagnostics (errors as values) and the one exception family the tool raises."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in the input, tied to a file and line where there is one.

    Attributes:
        file: path relative to the project, with `/`; empty for project-wide problems.
        line: 1-based line, 0 when the problem concerns the whole file or folder.
        severity: `error`, `warning` or `info`.
        message: one sentence for a person.
        lost: SQL of the history was not read because of it (a file or statement skipped): a set
            made without it would lack what it does.
    """

    file: str
    line: int
    severity: str
    message: str
    lost: bool = False

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "severity": self.severity, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else (self.file or "project")
        return f"{where}: {self.severity}: {self.message}"


class ConsolidateError(Exception):
    """An error a user can act on: a title, a message and where it happened."""

    def __init__(self, title: str, message: str = "", file: str = "", line: int = 0) -> None:
        super().__init__(f"{title}: {message}" if message else title)
        self.title = title
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else (f"{self.file}: " if self.file else "")
        return f"{where}{self.title}" + (f": {self.message}" if self.message else "")
