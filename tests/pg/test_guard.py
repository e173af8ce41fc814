"""`generate --guard` on a real PostgreSQL: databases that ran part of the old history, all of it,
or none, deploy the new set as their tool would, and the guard lets through only what is safe."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg
from tui.core.sources import load_sources

pytestmark = [pytest.mark.pg, requires_pg]

HISTORY = [
    ("20240101000000_users", "CREATE TABLE users (id bigint PRIMARY KEY, name text);"),
    ("20240102000000_email", "ALTER TABLE users ADD COLUMN email text;"),
    ("20240103000000_posts", "CREATE TABLE posts (id bigint PRIMARY KEY, author bigint REFERENCES users (id), body text);"),
    ("20240104000000_email_required", "UPDATE users SET email = name; ALTER TABLE users ALTER COLUMN email SET NOT NULL;"),
]


def _project(tmp_path: Path, fmt: str) -> Path:
    folder = tmp_path / fmt / "migrations"
    folder.mkdir(parents=True)
    for name, sql in HISTORY:
        if fmt == "dbmate":
            (folder / f"{name}.sql").write_text(f"-- migrate:up\n{sql}\n\n-- migrate:down\n")
        else:
            (folder / f"{name}.up.sql").write_text(sql + "\n")
            (folder / f"{name}.down.sql").write_text("SELECT 1;\n")
    if fmt == "golang-migrate":
        (tmp_path / fmt / "go.mod").write_text("module example.com/app\n")
    r = run(tmp_path / fmt, "generate", "--guard", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout, r.stdout + r.stderr
    return tmp_path / fmt


def _old(server, project: Path, upto: int, fmt: str) -> str:  # type: ignore[no-untyped-def]
    """A database that ran the first `upto` migrations of the history, with its tool's rows."""
    db = server.create_database("guard")
    migs = load_sources(project).migrations
    with server.connect(db) as conn:
        if fmt == "dbmate":
            conn.execute("CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)")
        else:
            conn.execute("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)")
        for m in migs[:upto]:
            conn.execute(m.sql.encode())
            if fmt == "dbmate":
                conn.execute("INSERT INTO schema_migrations VALUES (%s)", (m.version,))
        if fmt == "golang-migrate" and upto:
            conn.execute("INSERT INTO schema_migrations VALUES (%s, false)", (int(migs[upto - 1].version),))
    return db


def _deploy(server, db: str, project: Path, fmt: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Deploy the staged set as the tool does; the files run, in order. dbmate runs every version
    its table lacks; golang-migrate every version above the one it holds."""
    staged = project / ".consolidate" / "new"
    ran = []
    with server.connect(db) as conn:
        current = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] if fmt == "golang-migrate" else None
        done = {r[0] for r in conn.execute("SELECT version::text FROM schema_migrations")}
        for m in load_sources(staged.parent, staged.name, fmt).migrations:
            if (fmt == "dbmate" and m.version in done) or (fmt == "golang-migrate" and current is not None and int(m.version) <= current):
                continue
            with conn.transaction():
                conn.execute(m.sql.encode())
                if fmt == "dbmate":
                    conn.execute("INSERT INTO schema_migrations VALUES (%s)", (m.version,))
                else:
                    conn.execute("DELETE FROM schema_migrations")
                    conn.execute("INSERT INTO schema_migrations VALUES (%s, false)", (int(m.version),))
            ran.append(Path(m.file).name)
    return ran


@pytest.mark.parametrize("fmt", ["dbmate", "golang-migrate"])
def test_the_guard_stops_a_database_that_ran_part_of_the_history(pg_server, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, fmt)
    db = _old(pg_server, project, 2, fmt)
    with pytest.raises(psycopg.errors.RaiseException) as caught:
        _deploy(pg_server, db, project, fmt)
    message = str(caught.value)
    assert "ran 2 of the 4 migrations this set replaces; it lacks 20240103000000, 20240104000000" in message, message
    assert caught.value.diag.message_hint and "up to 20240104000000" in caught.value.diag.message_hint
    with pg_server.connect(db) as conn:
        assert conn.execute("SELECT to_regclass('posts')").fetchone()[0] is None, "nothing of the set ran"


def test_a_new_database_passes_the_guard(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, "dbmate")
    db = _old(pg_server, project, 0, "dbmate")
    ran = _deploy(pg_server, db, project, "dbmate")
    assert ran[0].endswith("_guard.sql") and len(ran) > 1
    with pg_server.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM information_schema.columns WHERE table_name IN ('users', 'posts')").fetchone()[0] == 6


def test_a_database_that_ran_it_all_is_sent_to_baseline_where_the_tool_would_rerun_the_set(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, "dbmate")
    db = _old(pg_server, project, 4, "dbmate")
    with pytest.raises(psycopg.errors.RaiseException) as caught:
        _deploy(pg_server, db, project, "dbmate")
    assert "ran every migration this set replaces" in str(caught.value) and "consolidate baseline" in (caught.value.diag.message_hint or "")


def test_under_golang_migrate_a_database_that_ran_it_all_runs_only_the_guard_and_is_in_line(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, "golang-migrate")
    db = _old(pg_server, project, 4, "golang-migrate")
    ran = _deploy(pg_server, db, project, "golang-migrate")
    staged = load_sources(project / ".consolidate", "new", "golang-migrate").migrations
    assert ran == [Path(staged[-1].file).name] and ran[0].endswith("_guard.up.sql")
    assert int(staged[-1].version) > 20240104000000
    with pg_server.connect(db) as conn:
        assert conn.execute("SELECT version, dirty FROM schema_migrations").fetchall() == [(int(staged[-1].version), False)]
    assert _deploy(pg_server, db, project, "golang-migrate") == [], "the next deploy finds nothing pending"


def test_the_guard_setting_stays_with_the_staged_set_and_no_guard_drops_it(tmp_path: Path) -> None:
    project = _project(tmp_path, "dbmate")
    staged = project / ".consolidate" / "new"
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 0 and any(p.name.endswith("_guard.sql") for p in staged.iterdir()), r.stdout + r.stderr
    (project / "migrations" / "20240105000000_bio.sql").write_text("-- migrate:up\nALTER TABLE users ADD COLUMN bio text;\n\n-- migrate:down\n")
    r = run(project, "validate", "--pg", "local")  # the history changed: validate regenerates, with the guard it had
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
    guard = next(p for p in staged.iterdir() if p.name.endswith("_guard.sql"))
    assert "'20240105000000'" in guard.read_text(), "the guard lists the migration added since"
    r = run(project, "generate", "--no-guard", "--pg", "local")
    assert r.returncode == 0 and not any(p.name.endswith("_guard.sql") for p in staged.iterdir())


def test_the_squash_line_is_read_from_the_databases(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, "dbmate")
    info = pg_server.conninfo

    def url(db: str, password: str = "") -> str:
        return f"postgresql://{info['user']}{':' + password if password else ''}@/{db}?host={info['host']}&port={info['port']}"

    production, staging = _old(pg_server, project, 3, "dbmate"), _old(pg_server, project, 4, "dbmate")
    r = run(project, "generate", "--line-from-db", url(production), "--line-from-db", url(staging), "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout, r.stdout + r.stderr
    assert "squash line: 20240103000000" in r.stderr and "ran the first 3 of 4 migrations" in r.stderr, r.stderr
    staged = project / ".consolidate" / "new"
    last = project / "migrations" / "20240104000000_email_required.sql"
    assert (staged / last.name).read_bytes() == last.read_bytes(), "what a database has still to run stays as it is"
    with pg_server.connect(production) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 3, "only read"

    empty = pg_server.create_database("guard")
    r = run(project, "generate", "--line-from-db", url(empty, "s3cret"), "--pg", "local")
    assert r.returncode == 2 and "has no schema_migrations table" in r.stderr and "s3cret" not in r.stderr, r.stderr


def test_golang_migrate_guard_needs_a_version_between_the_set_and_the_kept_files(tmp_path: Path) -> None:
    folder = tmp_path / "small" / "migrations"
    folder.mkdir(parents=True)
    for i, sql in enumerate(["CREATE TABLE a (id int);", "ALTER TABLE a ADD COLUMN b int;", "CREATE TABLE c (id int);",
                             "CREATE TABLE d (id int);"], 1):
        (folder / f"{i}_step.up.sql").write_text(sql + "\n")
        (folder / f"{i}_step.down.sql").write_text("SELECT 1;\n")
    (tmp_path / "small" / "go.mod").write_text("module example.com/small\n")
    r = run(tmp_path / "small", "generate", "--until", "3", "--guard", "--no-proof")
    assert r.returncode == 2 and "no version is left for the guard" in r.stderr and "kept migration 4" in r.stderr, r.stderr
    assert not (tmp_path / "small" / ".consolidate" / "new").exists()


def test_from_folds_the_tail_and_keeps_the_files_before_it(tmp_path: Path) -> None:
    folder = tmp_path / "tail" / "migrations"
    folder.mkdir(parents=True)
    for name, sql in HISTORY + [("20240105000000_tags", "CREATE TABLE tags (id int);"),
                                ("20240106000000_tag_name", "ALTER TABLE tags ADD COLUMN name text;")]:
        (folder / f"{name}.sql").write_text(f"-- migrate:up\n{sql}\n\n-- migrate:down\n")
    project = tmp_path / "tail"
    r = run(project, "generate", "--from", "20240103000000", "--guard", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and "0 backed off" in r.stdout, r.stdout + r.stderr
    assert "(history: 4 files" in r.stdout, "the totals are the range's"
    staged = project / ".consolidate" / "new"
    for name, _ in HISTORY[:2]:
        assert (staged / f"{name}.sql").read_bytes() == (folder / f"{name}.sql").read_bytes()
    new = sorted(p.name for p in staged.glob("*.sql") if p.name not in {f"{n}.sql" for n, _ in HISTORY[:2]})
    assert new[0] == "20240103000000_guard.sql" and all(n[:14] in {"20240103000000", "20240104000000", "20240105000000",
                                                                    "20240106000000"} for n in new), new
    guard = (staged / new[0]).read_text()
    assert "'20240103000000'" in guard and "'20240101000000'" not in guard, "the guard names only the range"
    text = "".join((staged / n).read_text() for n in new)
    assert "ADD COLUMN name" not in text and "ALTER TABLE users ADD COLUMN email" not in text, "the tail is folded"
    assert "ALTER COLUMN email SET NOT NULL" in text, "what changes a table kept before --from stays a change"
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
    r = run(project, "generate", "--from", "20240106000000", "--guard", "--no-proof")
    assert r.returncode == 2 and "the range is too short for the set" in r.stderr, r.stderr
