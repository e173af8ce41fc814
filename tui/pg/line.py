"""Where to squash, read from the databases the history runs on (`generate --line-from-db URL`):
the newest migration that every one of them has run, with every migration before it. Squashing
up to there leaves nothing a database still has to run inside the new set; what comes after stays
as it is (`--until`). Each database is only read, in a read-only session."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from tui.core.errors import ConsolidateError
from tui.core.formats import FORMATS
from tui.core.formats.base import VERSIONED, Migration, SourceSet
from tui.pg.server import first_line, hide_password, mask_url, url_server


def _ran(url: str, fmt: str) -> tuple[set[str], int | None]:
    """What the tool's table of this database says ran: identifiers, or a high-water mark."""
    f = FORMATS[fmt]
    assert f.recorded is not None
    try:
        with url_server(url) as server, server.connect(str(server.conninfo.get("dbname", ""))) as conn:
            conn.execute("SET default_transaction_read_only = on")
            if conn.execute("SELECT to_regclass(%s)", (f.table,)).fetchone()[0] is None:  # type: ignore[index]
                raise ConsolidateError("cannot read the squash line", f"{mask_url(url)} has no {f.table} table: it was "
                                       f"not migrated with {fmt}")
            values = [r[0] for r in conn.execute(f.recorded.query) if r[0] is not None]
    except psycopg.Error as exc:
        raise ConsolidateError("cannot read the database", hide_password(first_line(exc), url)) from None
    if f.recorded.key is not None:
        return set(), max((int(v) for v in values), default=None)
    return {str(v) for v in values}, None


def squash_line(sources: SourceSet, urls: list[str], say: Callable[[str], None] = lambda s: None) -> Migration:
    """The newest migration that every database ran along with all before it."""
    fmt = FORMATS[sources.format]
    if fmt.recorded is None:
        raise ConsolidateError("cannot read the squash line", f"{sources.format} keeps no table to read it from")
    rec = fmt.recorded
    migs = [m for m in sources.migrations if m.kind == VERSIONED]
    line = len(migs)
    for url in urls:
        ran, mark = _ran(url, sources.format)

        def did(m: Migration) -> bool:
            if rec.key is not None:
                return mark is not None and rec.key(m) <= mark
            return rec.ident(m) in ran

        done = next((i for i, m in enumerate(migs) if not did(m)), len(migs))
        say(f"{mask_url(url)} ran the first {done} of {len(migs)} migrations")
        line = min(line, done)
    if line == 0:
        raise ConsolidateError("nothing to squash", "a database has not run even the history's first migration, so every "
                               "migration is still to be run somewhere")
    return migs[line - 1]
