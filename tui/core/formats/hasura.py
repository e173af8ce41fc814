"""Hasura: one folder per migration, `<version>_<name>/up.sql` and `down.sql`, in the database's
folder (`migrations/default/` under config v3), in the order of the versions' numbers; the CLI
sends each file to the server's `run_sql`, one query in a transaction. Which migrations ran is in
Hasura's own catalog (the CLI's state), not in a table of the database that consolidate writes:
there is no guard, and `baseline` says what to run instead."""

from __future__ import annotations

import re
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Format, Found, Layout, Migration, NewFile, listing, rel, up_down
from tui.core.formats.unread import unread_migration
from tui.core.formats.unwritten import unwritten
from tui.core.project import is_hasura_config

_DIR = re.compile(r"^(\d+)_(.*)$")


def looks_like(folder: Path) -> bool:
    """Migration folders under a project whose config.yaml is Hasura's (diesel's folders look the same)."""
    return any(is_hasura_config(parent / "config.yaml") for parent in list(folder.resolve().parents)[:3])


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    for p in listing(folder):
        m = _DIR.match(p.name) if p.is_dir() else None
        if m is None or not (p / "up.sql").is_file():
            others.append(rel(p, root))
            if m is not None and (p / "up.yaml").is_file():
                diags.append(unread_migration(rel(p / "up.yaml", root), "Hasura runs this migration written in YAML (config v1's)"))
            continue
        found.append(up_down(m.group(1), m.group(2), p / "up.sql", p / "down.sql", root, diags, sort_key=(int(m.group(1)),),
                             single_query=True))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    folder = f"{f.version}_{f.group}"
    return Layout(f"{folder}/up.sql", f.header + f.body, f"{folder}/down.sql", f.down)


_BOOKKEEPING = unwritten("Hasura keeps what ran in its own catalog, which consolidate does not write",
                         "on each server that ran the history, once the set is applied, mark its migrations as run without "
                         "running them: `hasura migrate apply --skip-execution --database-name <database>`; "
                         "`hasura migrate status` then shows them applied")
FORMAT = Format("hasura", "", read, layout, _BOOKKEEPING,
                no_guard="Hasura keeps what a database ran in its own catalog, not in a table of the database a guard could read")
