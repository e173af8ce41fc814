"""baseline: bring a database that already ran the old history in line with the new set.

The database is only read (a read-only session) until the user says yes; then one
transaction rewrites the migration tool's own table and nothing else. The comparison is
validate's, on the schema: the new set is built on a throwaway server, and the data rows of
a live database are its own business.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tui.core.decisions import load_decisions
from tui.core.errors import ConsolidateError
from tui.core.formats import FORMATS
from tui.core.generate import generate
from tui.core.project import load_config
from tui.core.sources import load_set, load_sources
from tui.manifest import read_manifest
from tui.pg.catalog import Snapshot, snapshot
from tui.pg.compare import Difference, compare
from tui.pg.providers import open_server
from tui.pg.runner import apply_migrations
from tui.pg.server import Server, first_line, hide_password, mask_url, url_server

MIGRATOR = "<migrator>"  # whoever ran the migrations: the owner on each side


@dataclass
class BaselinePlan:
    url: str
    table: str
    sql: str
    count: int
    differences: list[Difference] = field(default_factory=list)
    statements: tuple[str, ...] = ()


def _without_table(s: Snapshot, table: str) -> Snapshot:
    """The snapshot without the migration tool's own table, its columns, key and sequence."""
    # A tool that keeps its table in a schema of its own (Supabase, graphile-migrate) owns the
    # schema too, and what else it keeps there (graphile-migrate's `current`).
    own = table.split(".", 1)[0] + "." if "." in table else table + "."
    names = (table, f"{table}_pkey", f"{table}_id_seq", own[:-1])
    keep = lambda n: n not in names and not n.startswith(own)  # noqa: E731
    objects = {kind: {n: v for n, v in objs.items() if keep(n)} for kind, objs in s.objects.items()}
    return Snapshot(objects, {}, s.skipped, {})


def _as_migrator(s: Snapshot, user: str) -> Snapshot:
    """Owners and grantors named after the user who ran the migrations, so two servers compare."""
    pattern = re.compile(rf'(?<![\w"]){re.escape(user)}(?=[=/,}}]|$)')

    def fix(v: object) -> object:
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, str):
            return MIGRATOR if v == user else pattern.sub(MIGRATOR, v)
        if isinstance(v, (list, tuple)):
            return type(v)(fix(x) for x in v)
        return v

    return Snapshot({k: {n: fix(v) for n, v in objs.items()} for k, objs in s.objects.items()}, {}, s.skipped, {})


def _read(server: Server, dbname: str, schemas: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[Snapshot, str]:
    with server.connect(dbname) as conn:
        conn.execute("SET default_transaction_read_only = on")
        user = str(conn.execute("SELECT current_user").fetchone()[0])  # type: ignore[index]
        return snapshot(conn, with_rows=False, schemas=schemas), user


def plan_baseline(root: Path | str, migrations: str | None, fmt: str | None, url: str, pg: str | None = None,
                  progress: Callable[[str], None] | None = None) -> BaselinePlan:
    """Compare the database with the new set and compute the bookkeeping rewrite (nothing is written)."""
    say = progress or (lambda msg: None)
    cfg = load_config(root, migrations, fmt)
    cfg.check()
    backup = read_manifest(cfg.backup) if cfg.backup.exists() else None
    if backup is not None:
        folder = cfg.folder  # applied: the new set is the migrations folder
    else:
        decisions, _ = load_decisions(cfg.state)
        if cfg.state.staged_is_stale(cfg.folder, decisions.to_json()):
            say("generating the new set")
            generate(root, migrations, fmt, decisions=decisions)
        folder = cfg.state.staged
    # The staged set is read in the history's format: its folder alone may look like another's.
    new = load_set(folder, load_sources(cfg.root, cfg.migrations, fmt or cfg.format))
    if not new.migrations:
        raise ConsolidateError("no new set to baseline to", f"{folder} holds no migrations")
    fmt_ = FORMATS[new.format]
    keeping = fmt_.bookkeeping([m for m in new.migrations if m.readable], lambda m: (folder.parent / m.file).read_bytes())
    table = fmt_.table
    say(f"reading {mask_url(url)} (read-only)")
    try:
        with url_server(url) as target_server:
            target_db = str(target_server.conninfo.get("dbname", ""))
            with target_server.connect(target_db) as conn:
                if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:  # type: ignore[index]
                    raise ConsolidateError("refusing to baseline", f"the database has no {table} table: it was not "
                                           f"migrated with {new.format}, or with another search_path")
            target, target_user = _read(target_server, target_db, cfg.scope)
    except psycopg.Error as exc:
        raise ConsolidateError("cannot read the database", hide_password(first_line(exc), url)) from None
    say("building the new set on a throwaway server")
    from tui.core.analysis import analyze

    history = analyze(root, migrations, fmt)
    cfg = history.config  # with what the format's platform provides (Supabase's auth and storage)
    roles = history.roles_needed()
    with open_server(pg or cfg.pg, None, cfg.postgres, cfg.image, history.model.extensions) as server:
        server.create_roles(roles, powers=history.role_powers())
        db = server.create_database("baseline")
        apply_migrations(server, db, new.migrations, cfg.preamble)
        built, built_user = _read(server, db, cfg.scope)
    diffs = compare(_as_migrator(_without_table(target, table), target_user),
                    _as_migrator(_without_table(built, table), built_user))
    return BaselinePlan(url, table, keeping.sql, keeping.count, diffs, keeping.statements)


def baseline(plan: BaselinePlan) -> None:
    """Rewrite the bookkeeping table in one transaction; nothing else in the database is touched."""
    try:
        with url_server(plan.url) as server, server.connect(str(server.conninfo.get("dbname", "")), autocommit=False) as conn:
            with conn.transaction():
                for stmt in plan.statements:
                    conn.execute(stmt)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        raise ConsolidateError(f"baseline failed; {plan.table} is unchanged", hide_password(first_line(exc), plan.url)) from None

