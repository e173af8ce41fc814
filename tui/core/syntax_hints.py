"""What a statement PostgreSQL cannot read may be instead of SQL: a hint added to the error."""

from __future__ import annotations

import re
from collections.abc import Callable

_PLACEHOLDER = re.compile(r"\$\{[\w.:-]+\}")
_META_COMMAND = re.compile(r"^[ \t]*\\([A-Za-z]+)", re.MULTILINE)


def _hint(pattern: re.Pattern[str], text: str, say: Callable[[re.Match[str]], str]) -> str:
    m = pattern.search(text)
    return "" if m is None else f" ({say(m)})"


def meta_command_hint(text: str) -> str:
    """A backslash line is a psql meta-command (pg_dump writes `\\restrict`, `\\connect`)."""
    return _hint(_META_COMMAND, text, lambda m: f"\\{m.group(1)} is a psql meta-command: only psql runs it, migration tools "
                                                "send the file to PostgreSQL as SQL; remove the line")


def placeholder_hint(text: str) -> str:
    """A statement PostgreSQL cannot read may hold a placeholder its tool fills in first."""
    return _hint(_PLACEHOLDER, text, lambda m: f"{m.group(0)} looks like a placeholder the migration tool fills in before it "
                                               "runs the file, as goose's ENVSUB does; consolidate reads this format's files "
                                               "as written, and fills in only Flyway's")
