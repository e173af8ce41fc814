"""sqlx: `<version>_<name>.sql`, or reversible `<version>_<name>.up.sql` and `.down.sql`; a file that
starts with `-- no-transaction` runs outside a transaction. Bookkeeping: `_sqlx_migrations`, with
the SHA-384 of each up file."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Raw, Recorded, rel, replace_rows, up_down
from tui.core.formats.named import named_files

PATTERN = re.compile(r"^(\d+)_(.*?)(\.up|\.down)?\.sql$")
_NO_TX = re.compile(r"\A\s*--\s*no-transaction\b")


def checksum(data: bytes) -> bytes:
    """sqlx stores SHA-384 of the up file's bytes."""
    return hashlib.sha384(data).digest()


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    downs: dict[tuple[str, str], Path] = {}
    ups: list[tuple[re.Match[str], Path]] = []
    for p, m in named_files(folder, root, PATTERN, others):
        if m.group(3) == ".down":
            downs[(m.group(1), m.group(2))] = p
        else:
            ups.append((m, p))
    for m, p in ups:
        down = downs.pop((m.group(1), m.group(2)), None)
        found.append(up_down(m.group(1), m.group(2), p, down, root, diags, lambda sql: not _NO_TX.match(sql),
                             sort_key=(int(m.group(1)),)))
    others.extend(rel(p, root) for p in downs.values())
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    # sqlx reads the marker only on the first line.
    up = ("-- no-transaction\n" if not f.transactional else "") + f.header + f.body
    if reversible:
        return Layout(f"{f.version}_{f.group}.up.sql", up, f"{f.version}_{f.group}.down.sql", f.down)
    return Layout(f"{f.version}_{f.group}.sql", up)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    rows: list[tuple[object, ...]] = [(int(m.version), m.name.replace("_", " "), Raw("now()"), True, checksum(data(m)), 0) for m in migs]
    return replace_rows(FORMAT.table, "version, description, installed_on, success, checksum, execution_time", rows, len(migs))


FORMAT = Format("sqlx", "_sqlx_migrations", read, layout, bookkeeping,
                recorded=Recorded("SELECT version::text FROM _sqlx_migrations WHERE success", lambda m: str(int(m.version))))
