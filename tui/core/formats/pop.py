"""pop (gobuffalo's, and Ory's popx: Kratos, Hydra, Keto): `<version>_<name>.up.sql` and `.down.sql`
for every database, or `<version>_<name>.<dialect>.up.sql` for one (`postgres`, `mysql`,
`sqlite3`, `cockroach`...). On PostgreSQL pop runs the files for all databases and PostgreSQL's,
in the order of the versions as text; where a version has both, PostgreSQL's own runs and the
one for all is passed over (its version is then recorded). Each file is sent as one query in a
transaction, unless its name says `.autocommit` (popx). Bookkeeping: `schema_migration`, a row a version.

The files for other databases are kept as they are, unread. Where there are such files, the
files for all that the new set replaces are kept too (the other databases still run them), and
each gets an empty PostgreSQL file of its version in the new set, which stands in for it here."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import INFO, Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Recorded, listing, rel, replace_rows, up_down
from tui.core.formats.named import files_by_name
from tui.core.formats.unread import unread_migration

# (`.autocommit`, popx's mark of a file run outside a transaction, before or after the dialect)
PATTERN = re.compile(r"^(\d+)_([^.]+)(?:\.autocommit)?(?:\.([a-z0-9]+))?(?:\.autocommit)?\.(up|down)\.(sql|fizz)$")
_POSTGRES = frozenset({"postgres", "postgresql", "pg"})
_OTHERS = frozenset({"mysql", "mariadb", "maria", "sqlite3", "sqlite", "cockroach", "cockroachdb", "crdb"})
# The other databases' files, which consolidate keeps as they are without naming each.
ASIDE = re.compile(r"^\d+_[^.]+(?:\.autocommit)?\.(?:" + "|".join(sorted(_OTHERS)) + r")(?:\.autocommit)?\.(?:up|down)\.(?:sql|fizz)$")
# Besides those, files for all that are no migration here (passed over for PostgreSQL's own, or a
# down part alone), which `read` names itself where it must.
_KEPT_SILENT = re.compile(ASIDE.pattern + r"|^\d+_[^.]+(?:\.autocommit)?\.(?:up|down)\.(?:sql|fizz)$")
STAND_IN = ("-- consolidate: what this version did on PostgreSQL is in the new set; this empty file stands in for the\n"
            "-- file for all databases here (pop runs a database's own file of a version in place of the one for all).\n")


def looks_like(entries: list[Path]) -> bool:
    """A file named for one database, or a fizz file: pop's alone."""
    return any((m := PATTERN.match(p.name)) and (m.group(5) == "fizz" or m.group(3) in _POSTGRES | _OTHERS) for p in entries)


def _dialect(m: re.Match[str]) -> str:
    return "all" if m.group(3) is None else "postgres" if m.group(3) in _POSTGRES else m.group(3)


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    others: list[str] = []
    files = files_by_name(folder, root, others)
    ups: dict[str, dict[str, tuple[re.Match[str], Path]]] = {}
    downs: dict[tuple[str, str], Path] = {}
    elsewhere = set()
    for name, p in files.items():
        m = PATTERN.match(name)
        dialect = _dialect(m) if m else ""
        if m is None or dialect not in ("all", "postgres"):
            others.append(rel(p, root))
            if m is not None and dialect in _OTHERS:
                elsewhere.add(dialect)
        elif m.group(5) == "fizz":
            if m.group(4) == "up":
                diags.append(unread_migration(rel(p, root), "pop runs this fizz migration"))
            others.append(rel(p, root))
        elif m.group(4) == "down":
            downs[(m.group(1), dialect)] = p
        else:
            ups.setdefault(m.group(1), {})[dialect] = (m, p)
    found = []
    for version, by in ups.items():
        dialect = "postgres" if "postgres" in by else "all"
        m, p = by[dialect]
        down = downs.pop((version, dialect), None)
        found.append(up_down(version, m.group(2), p, down, root, diags, sort_key=(version,), single_query=True,
                             transactional=".autocommit." not in p.name))
        if dialect == "postgres" and "all" in by:  # passed over here, run by the other databases
            others.append(rel(by["all"][1], root))
            diags.append(Diagnostic(rel(by["all"][1], root), 0, INFO, f"passed over on PostgreSQL, which runs {p.name} for this "
                                    "version: not read, kept as it is"))
    others.extend(rel(p, root) for p in downs.values())
    if elsewhere:
        diags.append(Diagnostic(rel(folder, root), 0, INFO, f"the files for {', '.join(sorted(elsewhere))} are kept as they are, "
                                "not read: pop runs them only there"))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    # Named for PostgreSQL: the set is proven there, and other databases keep their own files.
    return Layout(f"{f.version}_{f.group}.postgres.up.sql", f.header + f.body, f"{f.version}_{f.group}.postgres.down.sql", f.down)


def finish(history: Path, new: Path, kept: list[str]) -> dict[str, str]:
    """Where other databases have files, each replaced file for all stays for them, and an empty
    PostgreSQL file of its version stands in for it here (unless one of PostgreSQL's own is there)."""
    entries = listing(history)
    if not any(ASIDE.match(p.name) for p in entries):
        return {}
    here = {m.group(1) for name in os.listdir(new) + [Path(k).name for k in kept]
            if (m := PATTERN.match(name)) and m.group(3) in _POSTGRES}
    out = {}
    for p in entries:
        m = PATTERN.match(p.name)
        if m is None or m.group(3) is not None or m.group(5) != "sql" or p.name in kept or (new / p.name).exists():
            continue
        out[p.name] = text = p.read_text("utf-8", "replace")
        if m.group(1) not in here and text.strip():
            out[f"{m.group(1)}_{m.group(2)}.postgres.{m.group(4)}.sql"] = STAND_IN
    return out


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    return replace_rows(FORMAT.table, "version", [(m.version,) for m in migs], len(migs))


FORMAT = Format("pop", "schema_migration", read, layout, bookkeeping, finish=finish, aside=_KEPT_SILENT,
                recorded=Recorded("SELECT version FROM schema_migration", lambda m: m.version))
