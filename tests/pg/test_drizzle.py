"""Drizzle Kit histories: read through the journal, generated with a journal of their own, deployed
as drizzle-orm's migrator deploys them, and baselined to the rows that migrator writes.

The fixture under tests/fixtures/projects/drizzle was written by drizzle-kit 0.31 (`generate`
from a schema changed step by step, two `--custom` migrations filled by hand)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import ROOT, requires_pg
from tui.core.analysis import analyze
from tui.core.formats.drizzle import BREAKPOINT, JOURNAL
from tui.pg.validate import validate

FIXTURE = ROOT / "tests" / "fixtures" / "projects" / "drizzle"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "blog"
    shutil.copytree(FIXTURE, project)
    return project


def deploy(conn, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """What drizzle-orm's `migrate()` does (pg-core/dialect.js): the journal's files whose `when` is
    after the newest recorded one, each cut on the breakpoints, a query a chunk, all pending in one
    transaction, each recorded with the SHA-256 of its text."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS drizzle")
    conn.execute("CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)")
    conn.commit()
    last = conn.execute("SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1").fetchone()
    with conn.transaction():
        for e in json.loads((folder / JOURNAL).read_text())["entries"]:
            if last is not None and int(last[0]) >= e["when"]:
                continue
            text = (folder / f"{e['tag']}.sql").read_text()
            for chunk in text.split(BREAKPOINT):
                conn.execute(chunk.encode())
            conn.execute("INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (%s, %s)",
                         (hashlib.sha256(text.encode()).hexdigest(), e["when"]))
    conn.commit()


def _rows(conn) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(h, int(c)) for h, c in conn.execute("SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id")]


def test_drizzle_is_read_in_journal_order_with_lines_kept(tmp_path: Path) -> None:
    project = _project(tmp_path)
    journal = json.loads((project / "drizzle" / JOURNAL).read_text())
    a = analyze(project)
    assert a.sources.format == "drizzle" and a.ok
    assert [Path(m.file).stem for m in a.sources.migrations] == [e["tag"] for e in journal["entries"]]
    seed = next(m for m in a.sources.migrations if m.name == "seed")
    assert BREAKPOINT not in seed.sql and len(seed.sql) == len((project / seed.file).read_text())
    trigger = next(st for st in a.parsed.statements if st.file == seed.file and "CREATE TRIGGER" in st.text)
    assert (project / seed.file).read_text().splitlines()[trigger.line - 1].startswith("CREATE TRIGGER")


def test_drizzle_files_the_journal_does_not_match_are_named(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "drizzle" / "0008_stray.sql").write_text("CREATE TABLE stray (id int);\n")
    (project / "drizzle" / "0001_posts.sql").unlink()
    a = analyze(project)
    messages = {(d.file, d.severity, d.message.split(",")[0]) for d in a.diagnostics}
    assert ("drizzle/0008_stray.sql", "warning", "not in meta/_journal.json") in messages, messages
    assert any(d.file == "drizzle/meta/_journal.json" and d.severity == "error" and "0001_posts" in d.message for d in a.diagnostics)
    assert a.lost, "generate refuses a history it could not read whole"



@pytest.mark.pg
@requires_pg
def test_drizzle_round_trips_deploys_as_drizzle_and_baselines(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    info = pg_server.conninfo
    server_url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    result = validate(project, url=server_url)
    assert result.equal, [d.to_json() for d in result.differences]
    staged = project / ".consolidate" / "new"
    old_journal = json.loads((project / "drizzle" / JOURNAL).read_text())
    journal = json.loads((staged / JOURNAL).read_text())
    tags = [e["tag"] for e in journal["entries"]]
    assert sorted(p.stem for p in staged.glob("*.sql")) == sorted(tags) and len(tags) < len(old_journal["entries"])
    assert [e["idx"] for e in journal["entries"]] == list(range(len(tags))) and tags[0].startswith("0000_")
    whens = [e["when"] for e in journal["entries"]]
    assert whens == sorted(set(whens)) and whens[-1] == old_journal["entries"][-1]["when"]
    # drizzle-kit diffs the next migration from the newest snapshot: the history's last, under the set's last number
    snapshots = sorted(p.name for p in (staged / "meta").glob("*_snapshot.json"))
    assert snapshots == [tags[-1].split("_")[0] + "_snapshot.json"]
    assert (staged / "meta" / snapshots[0]).read_bytes() == (project / "drizzle" / "meta" / "0007_snapshot.json").read_bytes()

    old_db, new_db = pg_server.create_database("drizzle_old"), pg_server.create_database("drizzle_new")
    with pg_server.connect(old_db) as conn:
        deploy(conn, project / "drizzle")
        before = _rows(conn)
        deploy(conn, staged)  # a database that ran the whole history finds nothing pending in the new set
        assert _rows(conn) == before
    with pg_server.connect(new_db) as conn:
        deploy(conn, staged)  # a fresh database runs the set, chunk by chunk, in one transaction
        deployed = _rows(conn)
        assert [h for h, _ in deployed] == [hashlib.sha256((staged / f"{t}.sql").read_bytes()).hexdigest() for t in tags]

    url = f"postgresql://{info['user']}@/{old_db}?host={info['host']}&port={info['port']}"
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    with pg_server.connect(old_db) as conn:
        assert _rows(conn) == deployed, "baseline leaves the rows drizzle writes when it deploys the new set"


@pytest.mark.pg
@requires_pg
def test_drizzle_until_keeps_the_later_migrations_in_the_journal(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    r = run(project, "generate", "--until", "0004", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and "NOT CONSOLIDATED" not in r.stdout + r.stderr, r.stdout + r.stderr
    staged = project / ".consolidate" / "new"
    old = json.loads((project / "drizzle" / JOURNAL).read_text())["entries"]
    new = json.loads((staged / JOURNAL).read_text())["entries"]
    assert new[-3:] == old[-3:], "the later migrations keep their number, tag and when"
    assert all(e["when"] <= old[4]["when"] for e in new[:-3])
    for e in old[-3:]:
        assert (staged / f"{e['tag']}.sql").read_bytes() == (project / "drizzle" / f"{e['tag']}.sql").read_bytes()
    assert sorted(p.name for p in (staged / "meta").glob("*_snapshot.json")) == [f"000{i}_snapshot.json" for i in (4, 5, 6, 7)]
    old_db, new_db = pg_server.create_database("drizzle_old"), pg_server.create_database("drizzle_new")
    with pg_server.connect(old_db) as conn:
        deploy(conn, project / "drizzle")
    with pg_server.connect(new_db) as conn:
        deploy(conn, staged)
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
