"""Plain numbered SQL files (`001.sql`, `002-add-users.sql`, `003_more.sql`), as a script of the
project's own runs them: in the order of their numbers (then names), each in a transaction. No
tool's table records what ran, so there is no guard, and `baseline` has nothing to rewrite.
Chosen only when no tool's files are found."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import ConsolidateError, Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, up_down
from tui.core.formats.named import named_files

PATTERN = re.compile(r"^(\d+)(?:[-_.](.*))?\.sql$")


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    for p, m in named_files(folder, root, PATTERN, others):
        found.append(up_down(m.group(1), m.group(2) or "", p, None, root, diags, sort_key=(int(m.group(1)), p.name)))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    return Layout(f"{f.version}_{f.group}.sql", f.header + f.body)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    raise ConsolidateError("plain numbered files keep no table to baseline", "no tool records what ran: whatever the project's "
                           "own script keeps, rewrite it by hand to list the new set's files")


FORMAT = Format("plain", "", read, layout, bookkeeping,
                no_guard="no tool's table records what a database ran, for a guard to read")
