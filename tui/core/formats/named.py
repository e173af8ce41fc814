"""The files of a migrations folder that a tool's naming takes, and the rest beside them (which
generate carries into the new set as it is and `sources.py` names where it looks like SQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from tui.core.formats.base import listing, rel


def named_files(folder: Path, root: Path, pattern: re.Pattern[str], others: list[str]) -> Iterator[tuple[Path, re.Match[str]]]:
    """Each file whose name `pattern` matches, with the match, in name order; every other entry
    (a folder too) goes to `others`."""
    for p in listing(folder):
        m = pattern.match(p.name) if p.is_file() else None
        if m is None:
            others.append(rel(p, root))
        else:
            yield p, m


def files_by_name(folder: Path, root: Path, others: list[str]) -> dict[str, Path]:
    """The folder's files by name, for a tool that pairs them (an up file with its down file); the
    folders in it go to `others`."""
    entries = listing(folder)
    others.extend(rel(p, root) for p in entries if not p.is_file())
    return {p.name: p for p in entries if p.is_file()}
