"""Atlas folders: read with their directives, generated with a recomputed atlas.sum, baselined to
revision rows that carry each file's sum.

The fixture under tests/fixtures/projects/atlas is written as `atlas migrate diff` writes files
(a `-- Create "t" table` comment above each statement, `NULL` on nullable columns); its atlas.sum
was computed by `tui.core.formats.atlas.sums`, Atlas's algorithm as its source has it: the Atlas
binary could not be fetched on the machine this was written on."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import ROOT, requires_pg
from tui.core.analysis import analyze
from tui.core.formats.atlas import SUM, sums
from tui.pg.runner import apply_migrations
from tui.pg.validate import validate

FIXTURE = ROOT / "tests" / "fixtures" / "projects" / "atlas"

REVISIONS = """CREATE SCHEMA atlas_schema_revisions;
CREATE TABLE atlas_schema_revisions.atlas_schema_revisions ("version" character varying NOT NULL, "description" character varying NOT NULL,
  "type" bigint NOT NULL DEFAULT 2, "applied" bigint NOT NULL DEFAULT 0, "total" bigint NOT NULL DEFAULT 0, "executed_at" timestamptz NOT NULL,
  "execution_time" bigint NOT NULL, "error" text NULL, "error_stmt" text NULL, "hash" character varying NOT NULL, "partial_hashes" jsonb NULL,
  "operator_version" character varying NOT NULL, PRIMARY KEY ("version"))"""


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "tracker"
    shutil.copytree(FIXTURE, project)
    return project


def test_sums_chain_every_file_before_it() -> None:
    a, b = ("1_a.sql", b"CREATE TABLE a (id int);\n"), ("2_b.sql", b"CREATE TABLE b (id int);\n")
    lines = sums([b, a]).splitlines()
    running = hashlib.sha256(b"1_a.sql" + a[1])
    assert lines[1] == "1_a.sql h1:" + base64.b64encode(running.digest()).decode()
    running.update(b"2_b.sql" + b[1])
    assert lines[2] == "2_b.sql h1:" + base64.b64encode(running.digest()).decode() and lines[0] == "h1:" + lines[2].split(" h1:")[1]
    ignored = ("2_b.sql", b"-- atlas:sum ignore\n\nSELECT 1;\n")
    assert [line.split()[0] for line in sums([a, ignored]).splitlines()[1:]] == ["1_a.sql"]


def test_atlas_directives_and_a_stale_sum_are_read(tmp_path: Path) -> None:
    project = _project(tmp_path)
    a = analyze(project)
    assert a.sources.format == "atlas" and not [d for d in a.diagnostics if d.severity != "info"]
    index = next(m for m in a.sources.migrations if m.name == "project_index")
    assert not index.transactional and "atlas:" not in index.sql
    assert index.sql.count("\n") == (project / index.file).read_text().count("\n")
    with (project / "migrations" / "20240301101500_init.sql").open("a") as f:
        f.write("-- edited after atlas migrate hash\n")
    assert any(d.file == f"migrations/{SUM}" and "does not match" in d.message for d in analyze(project).diagnostics)


def test_atlas_checkpoint_stands_for_the_files_before_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    folder = project / "migrations"
    (folder / "20240501000000_checkpoint.sql").write_text(
        "-- atlas:checkpoint\n\nCREATE TABLE \"public\".\"users\" (\"id\" bigint NOT NULL, PRIMARY KEY (\"id\"));\n")
    (folder / SUM).write_text(sums([(p.name, p.read_bytes()) for p in folder.glob("*.sql")]))
    a = analyze(project)
    assert [m.name for m in a.sources.migrations] == ["checkpoint"]
    assert any("checkpoint" in d.message and "5 file(s) before it" in d.message for d in a.diagnostics)


@pytest.mark.pg
@requires_pg
def test_atlas_round_trips_with_its_sum_and_baselines(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    info = pg_server.conninfo
    result = validate(project, url=f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}")
    assert result.equal, [d.to_json() for d in result.differences]
    staged = project / ".consolidate" / "new"
    files = sorted(p.name for p in staged.glob("*.sql"))
    assert 0 < len(files) < 5
    assert (staged / SUM).read_text() == sums([(f, (staged / f).read_bytes()) for f in files])
    assert any((staged / f).read_text().startswith("-- atlas:txmode none\n\n") and "CONCURRENTLY" in (staged / f).read_text() for f in files)
    assert "NULL NOT NULL" not in "".join((staged / f).read_text() for f in files)

    analysis = analyze(project)
    db = pg_server.create_database("atlas")
    apply_migrations(pg_server, db, analysis.sources.migrations)
    with pg_server.connect(db) as conn:
        conn.execute(REVISIONS)
        conn.execute("INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES ('.atlas_cloud_identifier', 'ident', 0, 0, 0, now(), 0, "
                     "NULL, NULL, '', NULL, 'Atlas CLI v0.30.0')")
        for m in analysis.sources.migrations:
            conn.execute("INSERT INTO atlas_schema_revisions.atlas_schema_revisions VALUES (%s, %s, 2, 1, 1, now(), 1000, NULL, NULL, 'x', NULL, "
                         "'Atlas CLI v0.30.0')", (m.version, m.name))
    url = f"postgresql://{info['user']}@/{db}?host={info['host']}&port={info['port']}"
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    entries = dict(line.split(" h1:") for line in (staged / SUM).read_text().splitlines()[1:])
    with pg_server.connect(db) as conn:
        rows = conn.execute("SELECT version, description, type, applied, total, hash FROM atlas_schema_revisions.atlas_schema_revisions "
                            "ORDER BY version").fetchall()
    assert rows[0][0] == ".atlas_cloud_identifier", "Atlas's own row stays"
    want = [(re.match(r"([^_]+)_(.*)\.sql$", f).group(1), re.match(r"([^_]+)_(.*)\.sql$", f).group(2), 2, entries[f]) for f in files]  # type: ignore[union-attr]
    assert [(v, d, t, h) for v, d, t, _, _, h in rows[1:]] == want
    assert all(applied == total > 0 for _, _, _, applied, total, _ in rows[1:])
