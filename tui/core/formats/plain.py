"""Plain numbered SQL files (`001.sql`, `002-add-users.sql`, `003_more.sql`, `2.8.1.sql`), as a
script of the project's own runs them: in the order of their numbers (then names), each in a
transaction; a version of dotted numbers is ordered part by part (`1.9` before `1.10`). No
tool's table records what ran, so there is no guard, and `baseline` has nothing to rewrite.
Chosen only when no tool's files are found."""

from __future__ import annotations

import re
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Format, Found, Layout, Migration, NewFile, up_down
from tui.core.formats.named import named_files
from tui.core.formats.unwritten import unwritten

PATTERN = re.compile(r"^(\d+(?:\.\d+)*)(?:[-_.](.*))?\.sql$")


# A file named as the undoing of another (`7-users-down.sql` beside `7-users-up.sql`, as db-migrate
# writes them; `7.users.rollback.sql` beside `7.users.sql`) is its down part, never a migration.
_DOWN = re.compile(r"^(.*[-_.])(down|undo|rollback|revert)\.sql$", re.IGNORECASE)
_UPS = {"down": "up", "undo": "do", "rollback": "", "revert": ""}


def _up_of(name: str, names: set[str]) -> str | None:
    m = _DOWN.match(name)
    if m is None:
        return None
    stem, word = m.group(1), m.group(2).lower()
    return next((n for n in (stem + _UPS[word] + ".sql", stem[:-1] + ".sql") if n in names and n != name), None)


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    files = list(named_files(folder, root, PATTERN, others))
    names = {p.name for p, _ in files}
    undoes = {p.name: _up_of(p.name, names) for p, _ in files}
    downs = {up: p for p, _ in files if (up := undoes[p.name])}
    for p, m in files:
        if undoes[p.name] is None:
            found.append(up_down(m.group(1), m.group(2) or "", p, downs.get(p.name), root, diags, sort_key=(_numbers(m.group(1)), p.name)))
    return found, others


def _numbers(version: str) -> tuple[int, ...]:
    """An upgrade script's version read as numbers: compared as text, `1.10` came before `1.9`."""
    return tuple(int(part) for part in version.split("."))


def layout(f: NewFile, reversible: bool) -> Layout:
    if reversible:
        return Layout(f"{f.version}_{f.group}-up.sql", f.header + f.body, f"{f.version}_{f.group}-down.sql", f.down)
    return Layout(f"{f.version}_{f.group}.sql", f.header + f.body)


_BOOKKEEPING = unwritten("plain numbered files keep no table to baseline", "no tool records what ran: whatever the project's "
                         "own script keeps, rewrite it by hand to list the new set's files")
FORMAT = Format("plain", "", read, layout, _BOOKKEEPING,
                no_guard="no tool's table records what a database ran, for a guard to read")
