"""goose: `<version>_<name>.sql` with `-- +goose Up` and `-- +goose Down` sections; `-- +goose NO
TRANSACTION` runs it outside a transaction; statements with bodies sit between StatementBegin and
StatementEnd, because goose splits on semicolons. Bookkeeping: `goose_db_version`."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Recorded, replace_rows
from tui.core.formats.sectioned import blanked, grouped_body, read_sectioned, statement_markers
from tui.core.formats.unread import unread_migration

UP = re.compile(r"^--\s*\+goose\s+Up\b", re.M | re.I)
_DOWN = re.compile(r"^--\s*\+goose\s+Down\b", re.M | re.I)
_NO_TX = re.compile(r"^--\s*\+goose\s+NO\s+TRANSACTION\b", re.M | re.I)


_GO = re.compile(r"^\d+_.*(?<!_test)\.go$")


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found, others = read_sectioned(folder, root, diags, UP, _DOWN, "-- +goose Up",
                                   lambda text, options: not _NO_TX.search(text), blanked(statement_markers("goose")))
    for other in others:
        if _GO.match(Path(other).name):
            diags.append(unread_migration(other, "goose runs this Go migration (its version among the SQL files')"))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    up = f.header + grouped_body(f, "goose")
    marker = "" if f.transactional else "-- +goose NO TRANSACTION\n"
    return Layout(f"{f.version}_{f.group}.sql", marker + "-- +goose Up\n" + up + "\n-- +goose Down\n" + f.down, up_text=up)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    rows: list[tuple[object, ...]] = [(0, True)] + [(int(m.version), True) for m in migs]
    return replace_rows(FORMAT.table, "version_id, is_applied", rows, len(migs))


FORMAT = Format("goose", "goose_db_version", read, layout, bookkeeping,
                # goose writes a row a change: a version ran when its newest row says applied
                recorded=Recorded("SELECT DISTINCT ON (version_id) CASE WHEN is_applied THEN version_id::text END FROM goose_db_version "
                                  "ORDER BY version_id, id DESC", lambda m: str(int(m.version))))
