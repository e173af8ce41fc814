"""node-pg-migrate's SQL migrations, through generate, validate and baseline on a real server: its
up and down comments, its order by timestamps, and its `pgmigrations` table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import HISTORIES, requires_pg
from tui.core.analysis import analyze
from tui.pg.runner import apply_migrations

pytestmark = [pytest.mark.pg, requires_pg]

# As node-pg-migrate makes it (its migrations table).
PGMIGRATIONS = "CREATE TABLE pgmigrations (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "node"
    shutil.copytree(HISTORIES / "format_node_pg_migrate", project)
    (project / "expected.json").unlink()
    # A third migration whose down part drops what the first made: read as one file it would leave no table.
    (project / "migrations" / "1700000000001_idx.sql").write_text(
        "-- Up Migration\nCREATE INDEX a_b_idx ON a (b);\n\n-- Down Migration\nDROP INDEX a_b_idx;\nDROP TABLE a;\n")
    return project


def test_the_set_is_proven_equal_and_written_as_node_pg_migrate_reads_it(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0, r.stderr
    assert "proven on PostgreSQL" in r.stdout and "0 backed off" in r.stdout, r.stdout
    new = sorted((project / ".consolidate" / "new").glob("*.sql"))
    assert new and all(len(p.name.split("_", 1)[0]) == 13 for p in new), [p.name for p in new]
    text = new[0].read_text()
    assert text.startswith("-- Up Migration\n") and "\n-- Down Migration\n" in text
    up = text.split("\n-- Down Migration\n")[0]
    assert "CREATE TABLE" in up.upper() and "b int" in up and "a_b_idx" in up
    r = run(project, "validate", "--database-url", url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "EQUAL" in r.stdout


def test_baseline_rewrites_pgmigrations_to_the_new_set(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    analysis = analyze(project)
    assert [Path(m.file).stem for m in analysis.sources.migrations] == [
        "20230101000000000_init", "1700000000000_col", "1700000000001_idx"]
    db = pg_server.create_database("node")
    apply_migrations(pg_server, db, analysis.sources.migrations)
    with pg_server.connect(db) as conn:
        conn.execute(PGMIGRATIONS)
        for m in analysis.sources.migrations:
            conn.execute("INSERT INTO pgmigrations (name, run_on) VALUES (%s, now())", (Path(m.file).stem,))
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/{db}?host={info['host']}&port={info['port']}"
    assert run(project, "generate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    with pg_server.connect(db) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM pgmigrations ORDER BY id")]
    assert names == [p.stem for p in sorted((project / ".consolidate" / "new").glob("*.sql"))]


def test_a_script_migration_is_said_not_read_and_a_file_without_the_up_comment_runs_whole(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "migrations" / "1700000000002_seed.js").write_text("exports.up = (pgm) => { pgm.sql('INSERT INTO a VALUES (1)') }\n")
    (project / "migrations" / "1700000000003_whole.sql").write_text("ALTER TABLE a ADD COLUMN c int;\n-- Down Migration\nDROP TABLE a;\n")
    analysis = analyze(project)
    said = {(d.file, d.severity): d.message for d in analysis.diagnostics}
    assert "only SQL" in said[("migrations/1700000000002_seed.js", "error")]
    assert next(d for d in analysis.diagnostics if d.file == "migrations/1700000000002_seed.js").lost
    assert "whole file" in said[("migrations/1700000000003_whole.sql", "warning")]
    assert not analysis.model.get("table", "a").exists, "its down part ran too, as node-pg-migrate runs it"
