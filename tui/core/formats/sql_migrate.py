"""sql-migrate (rubenv/sql-migrate): `<version>-<name>.sql` (or `_`), in the order of the versions'
numbers, with `-- +migrate Up` and `-- +migrate Down` sections; `-- +migrate Up notransaction` runs
it outside a transaction; statements with bodies sit between StatementBegin and StatementEnd,
because sql-migrate splits on semicolons. Bookkeeping: `gorp_migrations`, one row a file, by its
name."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Raw, Recorded, replace_rows
from tui.core.formats.sectioned import blanked, grouped_body, read_sectioned, statement_markers

UP = re.compile(r"^--\s*\+migrate\s+Up\b(.*)$", re.MULTILINE)
_DOWN = re.compile(r"^--\s*\+migrate\s+Down\b", re.MULTILINE)
# (A file whose name starts with no number comes after the numbered ones there: not read here, and said so.)
_NAMES = re.compile(r"^(\d+)(?:[-_](.*))?\.sql$")


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    return read_sectioned(folder, root, diags, UP, _DOWN, "-- +migrate Up",
                          lambda text, options: "notransaction" not in options.split(), blanked(statement_markers("migrate")), _NAMES)


def layout(f: NewFile, reversible: bool) -> Layout:
    up = f.header + grouped_body(f, "migrate")
    marker = "-- +migrate Up" + ("" if f.transactional else " notransaction")
    return Layout(f"{f.version}_{f.group}.sql", marker + "\n" + up + "\n-- +migrate Down\n" + f.down, up_text=up)


def _ident(m: Migration) -> str:
    return Path(m.file).name


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    return replace_rows(FORMAT.table, "id, applied_at", [(_ident(m), Raw("now()")) for m in migs], len(migs))


FORMAT = Format("sql-migrate", "gorp_migrations", read, layout, bookkeeping, recorded=Recorded("SELECT id FROM gorp_migrations", _ident))
