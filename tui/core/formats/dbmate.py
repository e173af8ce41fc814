"""dbmate: `<version>_<name>.sql` with `-- migrate:up` and `-- migrate:down` sections; the up marker
may say `transaction:false`. Bookkeeping: `schema_migrations`, one row per version."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Recorded, replace_rows
from tui.core.formats.sectioned import read_sectioned

UP = re.compile(r"^--\s*migrate:up\b(.*)$", re.M)
_DOWN = re.compile(r"^--\s*migrate:down\b", re.M)


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    return read_sectioned(folder, root, diags, UP, _DOWN, "-- migrate:up",
                          lambda text, options: "transaction:false" not in options.replace(" ", ""))


def layout(f: NewFile, reversible: bool) -> Layout:
    up = f.header + f.body
    marker = "-- migrate:up" + ("" if f.transactional else " transaction:false")
    return Layout(f"{f.version}_{f.group}.sql", marker + "\n" + up + "\n-- migrate:down\n" + f.down, up_text=up)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    return replace_rows(FORMAT.table, "version", [(m.version,) for m in migs], len(migs))


FORMAT = Format("dbmate", "schema_migrations", read, layout, bookkeeping,
                recorded=Recorded("SELECT version FROM schema_migrations", lambda m: m.version))
