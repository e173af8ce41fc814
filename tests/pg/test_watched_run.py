"""The proof's first build of the history watches the statements the model cannot follow; in a
file holding one, the statements between watched ones go as one query inside the file's
transaction. It must build what the file at once builds, see what the watched one did, and
name the file and line of a statement that fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import requires_pg
from tui.core.analysis import analyze
from tui.core.observed import to_observe
from tui.pg.catalog import snapshot
from tui.pg.observe import SETUP, Observer
from tui.pg.runner import ApplyError, apply_migrations

pytestmark = [pytest.mark.pg, requires_pg]

FILE = """CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));
DO $$ BEGIN EXECUTE 'CREATE TABLE made_' || 'inside (id int)'; END $$;
INSERT INTO a VALUES (1), (2);
INSERT INTO b VALUES (1, 1);
CREATE INDEX b_a ON b (a_id);
{tail}
"""


def _built(server: Any, project: Path, watched: bool) -> tuple[Any, dict[int, Any]]:
    a = analyze(project, track_reads=True)
    parts: dict[str, list[Any]] = {}
    for st in a.parsed.statements:
        parts.setdefault(st.file, []).append(st)
    db = server.create_database("watched" if watched else "plain")
    try:
        seen: dict[int, Any] = {}
        watch = Observer(to_observe(a.model)) if watched else None
        if watch is not None:
            assert watch.seqs, "the DO block is not followed by the model: it is watched"
            with server.connect(db) as conn:
                conn.execute(SETUP)
        apply_migrations(server, db, a.sources.migrations, "", parts, watch=watch)
        with server.connect(db) as conn:
            if watch is not None:
                seen = watch.collect(conn)
            return snapshot(conn), seen
    finally:
        server.drop_database(db)


def _project(tmp_path: Path, tail: str) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir(parents=True)
    (folder / "0001_init.sql").write_text(FILE.format(tail=tail))
    (folder / "0002_more.sql").write_text("ALTER TABLE b ADD COLUMN note text;\n")
    return tmp_path


def test_a_watched_file_builds_what_the_file_at_once_builds(tmp_path: Path, pg_server: Any) -> None:
    project = _project(tmp_path, "UPDATE b SET a_id = 2;")
    plain, _ = _built(pg_server, project, watched=False)
    watched, seen = _built(pg_server, project, watched=True)
    assert watched.objects == plain.objects and watched.rows == plain.rows
    assert "made_inside" in str(plain.objects["table"])
    made = [d.identity for o in seen.values() for d in o.ddl]
    assert any("made_inside" in i for i in made), made
    # The watch looks only around the watched statement: the index and the column added after it are not seen.
    assert not any("b_a" in i or i.startswith("public.b") for i in made), made


@pytest.mark.parametrize("failing, message", [
    ("INSERT INTO b VALUES (2, 99);", "foreign key"),  # PostgreSQL gives no position
    ("SELECT 1 FROM a\n  WHERE no_such_column = 1;", "does not exist"),  # a position in the query sent
])
def test_a_failing_statement_between_watched_ones_is_named_by_file_and_line(tmp_path: Path, pg_server: Any, failing: str,
                                                                            message: str) -> None:
    project = _project(tmp_path, "CREATE INDEX c ON b (a_id);\n" + failing)
    with pytest.raises(ApplyError) as plain:
        _built(pg_server, project, watched=False)
    with pytest.raises(ApplyError) as watched:
        _built(pg_server, project, watched=True)
    assert (watched.value.file, watched.value.line) == (plain.value.file, plain.value.line)
    assert watched.value.file.endswith("0001_init.sql") and watched.value.line == (8 if "INSERT" in failing else 9)
    assert message in watched.value.message


def test_the_rows_a_watched_statement_writes_are_seen_table_by_table(tmp_path: Path, pg_server: Any) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_init.sql").write_text(
        "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE audit (n int);\nCREATE TABLE kept (id int);\n"
        "CREATE TABLE untouched (id int);\nINSERT INTO kept VALUES (1);\n"
        "CREATE FUNCTION log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (NEW.id); RETURN NEW; END $$;\n"
        "CREATE TRIGGER a_log AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION log();\n")
    # Written by dynamic SQL (and, through the trigger, into audit), deleted from, and written in a
    # subtransaction rolled back: that table holds nothing of it, and is not among those written.
    (folder / "0002_fill.sql").write_text(
        "DO $$ BEGIN EXECUTE 'INSERT INTO a VALUES (1), (2)';\n"
        "  BEGIN EXECUTE 'INSERT INTO untouched VALUES (1)'; RAISE EXCEPTION 'undone'; EXCEPTION WHEN raise_exception THEN NULL; END;\n"
        "  EXECUTE 'DELETE FROM kept'; END $$;\n")
    _, seen = _built(pg_server, tmp_path, watched=True)
    (rows,) = [o.rows for o in seen.values() if o.rows]
    assert rows == {"public.a": (2, 0, 0), "public.audit": (2, 0, 0), "public.kept": (0, 0, 1)}


def test_a_watch_that_fails_falls_back_to_a_plain_build_and_the_proof_ends(tmp_path: Path, pg_server: Any, monkeypatch: Any) -> None:
    import threading

    import psycopg

    from tui.core.generate import generate
    from tui.core.proof import PROVEN
    from tui.pg.proof import PgProver

    def refuse(self: Any, conn: Any) -> None:  # what a run a statement at a time may meet that the file at once does not
        raise psycopg.errors.FeatureNotSupported("not a statement at a time")

    monkeypatch.setattr(Observer, "start", refuse)
    project = _project(tmp_path, "")
    result: list[Any] = []
    # In a thread of its own: were the history's build to wait for a candidate that waits for it, the test ends, not hangs.
    t = threading.Thread(target=lambda: result.append(generate(project, prover=PgProver(server=pg_server))), daemon=True)
    t.start()
    t.join(120)
    assert not t.is_alive(), "the proof hung after the watched build failed"
    assert result and result[0].proof.state == PROVEN
