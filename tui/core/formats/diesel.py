"""diesel: one folder per migration, `<version>_<name>/up.sql` and `down.sql`, with an optional
`metadata.toml` (`run_in_transaction = false`). `00000000000000_diesel_initial_setup` is diesel's
own setup, kept as it is; a project's own first migration may carry the all-zero version too
(`00000000000000_initial`), and is folded like any other. Bookkeeping: `__diesel_schema_migrations`,
the versions without their dashes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Recorded, SETUP, VERSIONED, listing, rel, replace_rows, up_down

_DIR = re.compile(r"^(\d[\d-]*)_(.*)$")


def looks_like(entries: list[Path]) -> bool:
    return any(p.is_dir() and (p / "up.sql").is_file() for p in entries)


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    for p in listing(folder):
        m = _DIR.match(p.name) if p.is_dir() else None
        if not m or not (p / "up.sql").is_file():
            others.append(rel(p, root))
            continue
        version = m.group(1)
        meta = p / "metadata.toml"
        no_tx = meta.is_file() and re.search(r"run_in_transaction\s*=\s*false", meta.read_text("utf-8", "replace")) is not None
        found.append(up_down(version, m.group(2), p / "up.sql", p / "down.sql", root, diags, transactional=not no_tx,
                             kind=SETUP if _is_setup(version, m.group(2)) else VERSIONED, sort_key=(int(version.replace("-", "")),)))
    return found, others


def _is_setup(version: str, name: str) -> bool:
    """diesel's own setup: the all-zero version with the name `diesel setup` gives it."""
    return set(version) <= {"0"} and name == "diesel_initial_setup"


def layout(f: NewFile, reversible: bool) -> Layout:
    folder = f"{f.version}_{f.group}"
    extra = {} if f.transactional else {f"{folder}/metadata.toml": "run_in_transaction = false\n"}
    return Layout(f"{folder}/up.sql", f.header + f.body, f"{folder}/down.sql", f.down, extra=extra)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    return replace_rows(FORMAT.table, "version", [(m.version.replace("-", ""),) for m in migs], len(migs))


FORMAT = Format("diesel", "__diesel_schema_migrations", read, layout, bookkeeping,
                recorded=Recorded("SELECT version FROM __diesel_schema_migrations", lambda m: m.version.replace("-", "")))
