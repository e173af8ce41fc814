"""Diagnostics (errors as values) and the one exception family the tool raises."""

from __future__ import annotations

import errno
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


_FILESYSTEM = {
    errno.ENOSPC: "no space left on the device holding {path}: free some space",
    errno.EDQUOT: "the disk quota is used up writing {path}: free some space",
    errno.EROFS: "{path} is on a read-only file system: run where the project can be written "
                 "(the tool keeps its state in .consolidate/ and writes the new set beside the migrations)",
    errno.EACCES: "permission denied on {path}",
    errno.EPERM: "operation not permitted on {path}",
}


def filesystem_problem(exc: OSError) -> str | None:
    """What a user can do about a failed write, or None for an error that is not about the disk."""
    text = _FILESYSTEM.get(exc.errno or 0)
    if text is None:
        return None
    return text.format(path=exc.filename or "the project")
