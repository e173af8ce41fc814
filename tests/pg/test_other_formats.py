"""node-pg-migrate's, sql-migrate's, tern's and Postgrator's SQL migrations, through generate,
validate and baseline on a real server: their up and down parts, their order (timestamps, numbers:
not the names') and their tables."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import HISTORIES, requires_pg
from tui.core.analysis import analyze
from tui.pg.runner import apply_migrations

pytestmark = [pytest.mark.pg, requires_pg]

# Each tool: its fixture, one more migration whose down part drops what the first made (read as one
# file, it would leave no table), its table as the tool makes it and the rows it writes for files,
# what it holds for the new set's files, and the comments that open the up and the down parts.
TOOLS = {
    "node-pg-migrate": ("format_node_pg_migrate", "1700000000001_idx.sql",
                        "-- Up Migration\nCREATE INDEX a_b_idx ON a (b);\n\n-- Down Migration\nDROP INDEX a_b_idx;\nDROP TABLE a;\n",
                        "CREATE TABLE pgmigrations (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)",
                        "INSERT INTO pgmigrations (name, run_on) SELECT unnest(%s::text[]), now()", lambda ps: [p.stem for p in ps],
                        "SELECT name FROM pgmigrations ORDER BY id", "-- Up Migration", "-- Down Migration"),
    "sql-migrate": ("format_sql_migrate", "11-idx.sql",
                    "-- +migrate Up\nCREATE INDEX a_id_idx ON a (id);\n-- +migrate Down\nDROP INDEX a_id_idx;\nDROP TABLE a;\n",
                    "CREATE TABLE gorp_migrations (id varchar(255) NOT NULL PRIMARY KEY, applied_at timestamp with time zone)",
                    "INSERT INTO gorp_migrations (id, applied_at) SELECT unnest(%s::text[]), now()", lambda ps: [p.name for p in ps],
                    "SELECT id FROM gorp_migrations ORDER BY id", "-- +migrate Up", "-- +migrate Down"),
    "tern": ("format_tern", "004_idx.sql", "CREATE INDEX a_id_idx ON a (id);\n---- create above / drop below ----\nDROP TABLE a;\n",
             "CREATE TABLE schema_version (version int4 NOT NULL)",
             "INSERT INTO schema_version (version) SELECT cardinality(%s::text[])", lambda ps: [len(ps)],
             "SELECT version FROM schema_version", "", "---- create above / drop below ----"),
}
_MARKER = re.compile(r"^-- \+migrate (StatementBegin|StatementEnd)$", re.MULTILINE)


def _project(tmp_path: Path, tool: str) -> Path:
    fixture, name, text = TOOLS[tool][:3]
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / fixture, project)
    (project / "expected.json").unlink()
    (project / "migrations" / name).write_text(text)
    return project


def _url(server, db: str) -> str:  # type: ignore[no-untyped-def]
    info = server.conninfo
    return f"postgresql://{info['user']}@/{db}?host={info['host']}&port={info['port']}"


@pytest.mark.parametrize("tool", TOOLS)
def test_the_set_is_proven_equal_and_written_as_the_tool_reads_it(pg_server, tmp_path: Path, tool: str) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, tool)
    up, down = TOOLS[tool][-2:]
    r = run(project, "generate", "--database-url", _url(pg_server, "postgres"))
    assert r.returncode == 0, r.stderr
    assert "proven on PostgreSQL" in r.stdout and "0 backed off" in r.stdout, r.stdout
    new = sorted((project / ".consolidate" / "new").glob("*.sql"))
    texts = [p.read_text() for p in new]
    assert texts and all(t.startswith(up) and f"\n{down}\n" in t for t in texts), texts  # (tern has no up comment)
    assert re.search(r"create table a \(id int, b int\)", "".join(texts), re.IGNORECASE), texts
    if tool == "node-pg-migrate":
        assert all(len(p.name.split("_", 1)[0]) == 13 for p in new), "other lengths make it log an error for each file"
    elif tool == "tern":
        assert sum(t.count("---- tern: disable-tx ----") for t in texts) == 1, texts
        assert any(t.startswith("---- tern: disable-tx ----\n") and "concurrently" in t for t in texts), texts
    else:
        marks = [m.group(1) for t in texts for m in _MARKER.finditer(t)]
        assert marks == ["StatementBegin", "StatementEnd"], texts  # the function's, written by the layout
        assert any(t.startswith("-- +migrate Up notransaction\n") and "concurrently" in t for t in texts), texts
    r = run(project, "validate", "--database-url", _url(pg_server, "postgres"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "EQUAL" in r.stdout


@pytest.mark.parametrize("tool", TOOLS)
def test_baseline_rewrites_the_tools_table_to_the_new_set(pg_server, tmp_path: Path, tool: str) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, tool)
    table, insert, rows, select = TOOLS[tool][3:7]
    analysis = analyze(project)
    assert analysis.sources.format == tool
    db = pg_server.create_database("sectioned")
    apply_migrations(pg_server, db, analysis.sources.migrations)
    with pg_server.connect(db) as conn:
        conn.execute(table)
        conn.execute(insert, (rows([Path(m.file) for m in analysis.sources.migrations]),))
    url = _url(pg_server, db)
    assert run(project, "generate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    with pg_server.connect(db) as conn:
        names = [row[0] for row in conn.execute(select)]
    assert names == rows(sorted((project / ".consolidate" / "new").glob("*.sql")))


def test_node_pg_migrate_orders_by_timestamp_and_runs_a_file_without_its_up_comment_whole(tmp_path: Path) -> None:
    project = _project(tmp_path, "node-pg-migrate")
    (project / "migrations" / "1700000000002_seed.js").write_text("exports.up = (pgm) => { pgm.sql('INSERT INTO a VALUES (1)') }\n")
    (project / "migrations" / "1700000000003_whole.sql").write_text("ALTER TABLE a ADD COLUMN c int;\n-- Down Migration\nDROP TABLE a;\n")
    analysis = analyze(project)
    assert [Path(m.file).stem for m in analysis.sources.migrations] == [
        "20230101000000000_init", "1700000000000_col", "1700000000001_idx", "1700000000003_whole"]
    said = {(d.file, d.severity): d.message for d in analysis.diagnostics}
    assert "only SQL" in said[("migrations/1700000000002_seed.js", "error")]
    assert next(d for d in analysis.diagnostics if d.file == "migrations/1700000000002_seed.js").lost
    assert "whole file" in said[("migrations/1700000000003_whole.sql", "warning")]
    assert not analysis.model.get("table", "a").exists, "its down part ran too, as node-pg-migrate runs it"


def test_tern_refuses_a_guard_and_a_gap_it_cannot_have(tmp_path: Path) -> None:
    project = _project(tmp_path, "tern")
    r = run(project, "generate", "--no-proof", "--guard")
    assert r.returncode == 2 and "tern gets no guard" in r.stderr and "Traceback" not in r.stderr, r.stderr
    r = run(project, "generate", "--no-proof", "--until", "002")  # the set's 1, then the kept 003 and 004
    assert r.returncode == 2 and "the set would lack 2 before the files kept after it" in r.stderr, r.stderr
    assert run(project, "generate", "--no-proof", "--from", "002").returncode == 0  # (001 kept, the set from 2 on)
    assert run(project, "generate", "--no-proof").returncode == 0


POSTGRATOR_TABLE = """CREATE TABLE schemaversion (version BIGINT PRIMARY KEY, name TEXT, md5 TEXT, run_at TIMESTAMPTZ);
INSERT INTO schemaversion (version, name, md5, run_at) VALUES (0, '', '', now())"""


def test_postgrator_is_proven_equal_and_baselined_with_its_checksums(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_postgrator", project)
    (project / "expected.json").unlink()
    analysis = analyze(project)
    db = pg_server.create_database("postgrator")
    apply_migrations(pg_server, db, analysis.sources.migrations)
    with pg_server.connect(db) as conn:
        conn.execute(POSTGRATOR_TABLE)
        for m in analysis.sources.migrations:
            conn.execute("INSERT INTO schemaversion VALUES (%s, %s, %s, now())",
                         (int(m.version), m.name, hashlib.md5((project / m.file).read_bytes()).hexdigest()))
    url = _url(pg_server, db)
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = project / ".consolidate" / "new"
    dos, undos = sorted(new.glob("*.do.*.sql")), sorted(new.glob("*.undo.*.sql"))
    assert dos and [p.name.replace(".do.", ".undo.") for p in dos] == [p.name for p in undos]
    assert "DROP TABLE" in undos[0].read_text()
    assert run(project, "validate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    with pg_server.connect(db) as conn:
        rows = conn.execute("SELECT version, name, md5 FROM schemaversion ORDER BY version").fetchall()
    want = [(int(p.name.split(".")[0]), p.name.split(".")[2], hashlib.md5(p.read_bytes()).hexdigest()) for p in dos]
    assert rows == [(0, "", "")] + want


def _graphile_chain(folder: Path) -> list[tuple[str, str, str]]:
    """(file, Previous, Hash) of each committed file, checked as graphile-migrate 1.4.1 checks them
    (its migration.js and hash.js, written again here): each hash is that of the one before and
    the body, and names it."""
    out, previous = [], ""
    for p in sorted((folder / "committed").glob("*.sql"), key=lambda p: re.split(r"[-.]", p.name)[0]):
        lines = p.read_text().split("\n")
        n = next(i for i, line in enumerate(lines) if not re.match(r"^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$", line))
        assert lines[n] == "", f"{p.name}: a blank line after the headers"
        headers = {m.group(1): (m.group(2) or "").strip() for m in (re.match(r"^--! (\w+)(?::(.*))?$", x) for x in lines[:n]) if m}
        body = "\n".join(lines[n:]).strip() + "\n"
        digest = "sha1:" + hashlib.sha1(((previous + "\n" + body.strip()).strip() + "\n").encode()).hexdigest()
        assert headers["Previous"] == (previous or "-") and headers["Hash"] == digest, p.name
        out.append((p.name, headers["Previous"], digest))
        previous = digest
    return out


def test_graphile_migrate_is_chained_anew_proven_and_baselined(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_graphile_migrate", project)
    (project / "expected.json").unlink()
    _graphile_chain(project / "migrations")  # the fixture's own chain, as graphile-migrate wrote it
    analysis = analyze(project)
    assert not [d for d in analysis.diagnostics if "current.sql" in d.file], "current.sql is graphile-migrate's, not run by migrate"
    db = pg_server.create_database("graphile")
    apply_migrations(pg_server, db, analysis.sources.migrations)
    with pg_server.connect(db) as conn:  # as graphile-migrate makes its schema, and the rows it wrote
        conn.execute("CREATE SCHEMA graphile_migrate; CREATE TABLE graphile_migrate.migrations (hash text PRIMARY KEY, "
                     "previous_hash text REFERENCES graphile_migrate.migrations, filename text NOT NULL, date timestamptz NOT NULL "
                     "DEFAULT now()); CREATE TABLE graphile_migrate.current (filename text PRIMARY KEY DEFAULT 'current.sql', "
                     "content text NOT NULL, date timestamptz NOT NULL DEFAULT now())")
        for name, previous, digest in _graphile_chain(project / "migrations"):
            conn.execute("INSERT INTO graphile_migrate.migrations (hash, previous_hash, filename) VALUES (%s, %s, %s)",
                         (digest, None if previous == "-" else previous, name.split("-")[0] + ".sql"))
    url = _url(pg_server, db)
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = project / ".consolidate" / "new"
    chain = _graphile_chain(new)
    assert 0 < len(chain) < 4 and (new / "current.sql").read_text() == "-- Enter migration here\n"
    assert run(project, "validate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    with pg_server.connect(db) as conn:
        rows = conn.execute("SELECT filename, previous_hash, hash FROM graphile_migrate.migrations ORDER BY filename").fetchall()
    assert rows == [(name.split("-")[0] + ".sql", None if previous == "-" else previous, digest) for name, previous, digest in chain]
    r = run(project, "generate", "--no-proof", "--until", "000003", "--out", str(tmp_path / "until"))
    assert r.returncode == 0, r.stderr
    names = [name for name, _, _ in _graphile_chain(tmp_path / "until")]
    assert names[-1] == "000004-late.sql", "the kept later migration, chained to the new set's last"


def test_apply_writes_its_documents_as_dot_files_where_node_pg_migrate_would_run_them(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """node-pg-migrate takes every file of its folder but a dot file for a migration: a README.md
    there stops it ("Cannot determine numeric prefix for README.md")."""
    project = _project(tmp_path, "node-pg-migrate")
    url = _url(pg_server, "postgres")
    assert run(project, "generate", "--database-url", url).returncode == 0
    assert run(project, "validate", "--database-url", url).returncode == 0
    r = run(project, "apply", "--yes")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (project / "migrations").iterdir())
    assert ".README.md" in names and ".CONSOLIDATION.md" in names, names
    assert all(n.startswith(".") or n.endswith(".sql") for n in names), names
    r = run(project, "check")
    assert r.returncode == 0 and "as apply wrote it: OK" in r.stdout, r.stdout + r.stderr
    (project / "migrations" / "0000000000001_a.sql").write_text("-- Up Migration\nSELECT 1;\n")
    r = run(project, "check")
    assert r.returncode == 1 and "edited after apply" in r.stdout + r.stderr, r.stdout + r.stderr


def test_plain_numbered_files_are_proven_and_what_needs_a_tools_table_is_refused(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Numbered files no tool claims (`1.sql`, `2-col.sql`) were of no format: nothing could be read."""
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_plain", project)
    (project / "expected.json").unlink()
    url = _url(pg_server, "postgres")
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    sql = "".join(p.read_text() for p in sorted((project / ".consolidate" / "new").glob("*.sql")))
    assert re.search(r"create table a \(id int, b int\)", sql, re.IGNORECASE) and "a_b_idx" in sql, sql
    assert (project / ".consolidate" / "new" / "notes.txt").is_file()
    assert run(project, "validate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--yes")
    assert r.returncode == 2 and "keep no table to baseline" in r.stderr, r.stderr
    r = run(project, "generate", "--no-proof", "--guard")
    assert r.returncode == 2 and "plain gets no guard" in r.stderr and "baseline" not in r.stderr.split("gets no guard")[1], r.stderr
