"""The new set's down migrations, checked up-down-up on the database validate built from it: every
down part, newest first, must leave what the preamble alone leaves, and the set run up again must
build the catalog it built the first time (rows aside: a clock or a random call fills them anew).
The down parts are for development databases, so what they leave is a warning beside validate's
verdict, not a difference in it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import psycopg

from tui.core.formats.base import Migration
from tui.pg.catalog import Snapshot, snapshot
from tui.pg.compare import Unstable, compare
from tui.pg.runner import ApplyError, apply_migrations
from tui.pg.server import Server


@dataclass
class DownCheck:
    """What running the downs and the set again showed. `failed`: the file and PostgreSQL's
    message where a down part, or the set run up again, failed; `left`: what the downs did not
    undo; `again`: how the catalog of the second up differs from the first's."""

    checked: int
    failed: str = ""
    left: list[str] = field(default_factory=list)
    again: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.left or self.again)

    def summary(self) -> str:
        if self.failed:
            return f"down migrations: {self.failed}"
        if self.left:
            return f"down migrations: after all {self.checked} down parts ran, {len(self.left)} object(s) are left: " + "; ".join(self.left[:5])
        if self.again:
            return "down migrations: the set run up again after them builds another catalog: " + "; ".join(self.again[:5])
        return f"down migrations: checked up-down-up ({self.checked} down parts undo the set, which then builds the same catalog again)"

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "ok": self.ok, "failed": self.failed, "left": self.left, "again": self.again}


def _line(d: Any) -> str:
    return f"{d.type} {d.name}: {d.detail}"


def check_downs(server: Server, db: str, migrations: list[Migration] | tuple[Migration, ...], preamble: str, built: Snapshot,
                explicit: frozenset[tuple[str, str]], schemas: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
                cancel: threading.Event | None = None, ignore: Unstable = frozenset()) -> DownCheck | None:
    """Run the downs on `db` (built by `migrations`, its catalog `built`), then the set again. None
    when the set has no down parts. `ignore`: what differs between two builds of the history (a
    server that stamps each build's columns, say), no difference of the downs either."""
    downs = [m for m in migrations if m.down_sql.strip()]
    if not downs:
        return None
    result = DownCheck(len(downs))
    with server.connect(db) as conn:
        for m in reversed(migrations):
            if not m.down_sql.strip():
                continue
            try:
                with conn.transaction():
                    conn.execute(m.down_sql.encode())
            except psycopg.Error as exc:
                result.failed = f"{m.down_file or m.file + ' (down)'} failed: {(exc.diag.message_primary or str(exc)).strip()}"
                return result
        after = snapshot(conn, explicit=explicit, schemas=schemas, scratch=True)
    empty_db = server.create_database("empty")
    try:
        apply_migrations(server, empty_db, [], preamble, cancel=cancel)
        with server.connect(empty_db) as conn:
            empty = snapshot(conn, explicit=explicit, schemas=schemas)
    finally:
        server.drop_database(empty_db)
    result.left = [_line(d) for d in compare(empty, after)]
    if result.left:
        return result
    try:
        apply_migrations(server, db, migrations, "", cancel=cancel)
    except ApplyError as exc:
        result.failed = f"after the downs, the set fails to run up again: {exc}"
        return result
    with server.connect(db) as conn:
        again = snapshot(conn, explicit=explicit, schemas=schemas, scratch=True)
        result.again = [_line(d) for d in compare(built, again, ignore) if d.type != "data"]
    return result
