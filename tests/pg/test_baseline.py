"""baseline on a real database that ran the example's old history with sqlx's bookkeeping."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import CORPUS, copy_corpus, requires_pg
from tui.core.analysis import analyze
from tui.core.generate import generate
from tui.pg.runner import apply_migrations

pytestmark = [pytest.mark.pg, requires_pg]

SQLX_TABLE = """CREATE TABLE _sqlx_migrations (
    version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)"""


def _migrated_database(server, project: Path, extra_sql: str = "", bookkeeping: bool = True) -> str:  # type: ignore[no-untyped-def]
    """A database that ran the old history as sqlx would, with its _sqlx_migrations rows."""
    analysis = analyze(project)
    server.create_roles(sorted(analysis.model.roles_used - analysis.model.roles_created))
    db = server.create_database("target")
    apply_migrations(server, db, analysis.sources.migrations)
    with server.connect(db) as conn:
        if bookkeeping:
            conn.execute(SQLX_TABLE)
            for m in analysis.sources.migrations:
                data = (project / m.file).read_bytes()
                conn.execute("INSERT INTO _sqlx_migrations VALUES (%s, %s, now(), true, %s, 5) ON CONFLICT DO NOTHING",
                             (int(m.version), m.name.replace("_", " "), hashlib.sha384(data).digest()))
        if extra_sql:
            conn.execute(extra_sql)
    info = server.conninfo
    return f"postgresql://{info['user']}@/{db}?host={info['host']}&port={info['port']}"


def _rows(server, url: str) -> list[tuple[int, str, bytes]]:  # type: ignore[no-untyped-def]
    db = url.split("?")[0].rsplit("/", 1)[-1]
    with server.connect(db) as conn:
        return [(r[0], r[1], bytes(r[2])) for r in conn.execute(
            "SELECT version, description, checksum FROM _sqlx_migrations ORDER BY version")]


def test_baseline_rewrites_sqlx_bookkeeping_to_the_new_set(pg_server, example: Path) -> None:  # type: ignore[no-untyped-def]
    url = _migrated_database(pg_server, example)
    generate(example)
    old_rows = _rows(pg_server, url)
    r = run(example, "baseline", "--database-url", url, "--pg", "local")
    assert r.returncode == 0, r.stderr
    assert "DELETE FROM _sqlx_migrations" in r.stdout and "rerun with --yes" in r.stderr
    assert _rows(pg_server, url) == old_rows, "without --yes nothing is written"
    r = run(example, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    expected = []
    for p in sorted((example / ".consolidate" / "new").glob("*.sql")):
        m = re.match(r"(\d+)_(.+)\.sql$", p.name)
        assert m
        expected.append((int(m.group(1)), m.group(2).replace("_", " "), hashlib.sha384(p.read_bytes()).digest()))
    assert _rows(pg_server, url) == expected


def test_baseline_refuses_a_database_that_differs(pg_server, example: Path) -> None:  # type: ignore[no-untyped-def]
    url = _migrated_database(pg_server, example, "ALTER TABLE pack ADD COLUMN hotfix int; DROP INDEX idx_action_pack")
    generate(example)
    before = _rows(pg_server, url)
    r = run(example, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 2
    assert "refusing" in r.stderr and "pack.hotfix" in r.stderr and "idx_action_pack" in r.stderr, r.stderr
    assert _rows(pg_server, url) == before


def test_baseline_refuses_a_database_without_the_tools_table(pg_server, example: Path) -> None:  # type: ignore[no-untyped-def]
    url = _migrated_database(pg_server, example, bookkeeping=False)
    generate(example)
    r = run(example, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 2 and "no _sqlx_migrations table" in r.stderr, r.stderr


PRISMA_TABLE = """CREATE TABLE _prisma_migrations (
    id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
    migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)"""


@pytest.mark.skipif(not (CORPUS / "rallly").is_dir(), reason="the corpus is not beside the project")
def test_baseline_rewrites_prisma_migrations_as_prisma_deploy_would(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = copy_corpus(tmp_path, "rallly", "")
    analysis = analyze(project)
    assert analysis.sources.format == "prisma"
    db = pg_server.create_database("prisma")
    apply_migrations(pg_server, db, analysis.sources.migrations)
    with pg_server.connect(db) as conn:
        conn.execute(PRISMA_TABLE)  # as `prisma migrate deploy` makes it, with a row a migration
        for m in analysis.sources.migrations:
            conn.execute("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) "
                         "VALUES (gen_random_uuid()::text, %s, now(), %s, 1)",
                         (hashlib.sha256((project / m.file).read_bytes()).hexdigest(), Path(m.file).parent.name))
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/{db}?host={info['host']}&port={info['port']}"
    generate(project)
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    new = sorted((project / ".consolidate" / "new").glob("*/migration.sql"))
    assert len(new) >= 2
    expected = [(p.parent.name, hashlib.sha256(p.read_bytes()).hexdigest(), 1, True, None, None) for p in new]
    with pg_server.connect(db) as conn:
        rows = conn.execute("SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL, rolled_back_at, logs, id "
                            "FROM _prisma_migrations ORDER BY migration_name").fetchall()
    assert [r[:6] for r in rows] == expected
    assert all(re.fullmatch(r"[0-9a-f-]{36}", r[6]) for r in rows), "ids are UUIDs, as Prisma writes them"


SUPABASE_TABLE = """CREATE SCHEMA supabase_migrations;
CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY, statements text[], name text)"""


def test_supabase_round_trips_without_the_platform_and_baselines(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.conftest import ROOT
    from tui.pg.validate import validate

    project = tmp_path / "notes"
    shutil.copytree(ROOT / "tests" / "fixtures" / "projects" / "supabase", project)
    info = pg_server.conninfo
    server_url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    result = validate(project, url=server_url, create_roles=True)
    assert result.equal, [d.to_json() for d in result.differences]
    staged = project / ".consolidate" / "new"
    files = sorted(p.name for p in staged.iterdir())
    assert files and all(re.fullmatch(r"\d+_\w+\.sql", f) for f in files), files
    text = "".join((staged / f).read_text() for f in files)
    # the platform's stub is the preamble: referred to, never written
    assert "auth.users" in text and "CREATE TABLE IF NOT EXISTS auth.users" not in text and "CREATE SCHEMA" not in text.upper()
    assert "full_name" not in text and "title" not in text  # columns added then dropped are left out

    analysis = analyze(project)
    assert analysis.sources.format == "supabase"
    pg_server.create_roles(list(analysis.config.roles))
    db = pg_server.create_database("supabase")
    apply_migrations(pg_server, db, analysis.sources.migrations, analysis.config.preamble)
    with pg_server.connect(db) as conn:
        conn.execute(SUPABASE_TABLE)
        for m in analysis.sources.migrations:
            conn.execute("INSERT INTO supabase_migrations.schema_migrations VALUES (%s, %s, %s)", (m.version, ["x"], m.name))
    url = f"postgresql://{info['user']}@/{db}?host={info['host']}&port={info['port']}"
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    with pg_server.connect(db) as conn:
        rows = conn.execute("SELECT version, name, statements FROM supabase_migrations.schema_migrations ORDER BY version").fetchall()
    assert [(v, n) for v, n, _ in rows] == [tuple(f[:-4].split("_", 1)) for f in files]
    assert all(s and any("create" in x.lower() or "insert" in x.lower() for x in s) for _, _, s in rows)


def test_a_supabase_history_adds_its_tables_to_the_platform_s_realtime_publication(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every Supabase project has the `supabase_realtime` publication: a history adds its tables to
    it without making it (or drops and makes it again, as Supabase's examples do), and makes
    database webhooks, triggers on `supabase_functions.http_request`."""
    from tui.core.proof import PROVEN
    from tui.pg.proof import PgProver
    from tui.pg.validate import validate

    project = tmp_path / "chat"
    (project / "supabase" / "migrations").mkdir(parents=True)
    (project / "supabase" / "migrations" / "20240101000000_messages.sql").write_text(
        "create table public.messages (id bigint generated by default as identity primary key, body text,\n"
        "  author uuid references auth.users);\nalter publication supabase_realtime add table public.messages;\n")
    (project / "supabase" / "migrations" / "20240102000000_rooms.sql").write_text(
        "begin;\ndrop publication if exists supabase_realtime;\ncreate publication supabase_realtime;\ncommit;\n"
        "create table public.rooms (id int primary key);\nalter publication supabase_realtime add table public.rooms, public.messages;\n"
        "alter table public.messages add column sent_at timestamptz;\n"
        "create trigger rooms_hook after insert on public.rooms for each row\n"
        "  execute function supabase_functions.http_request('https://example.com/hook', 'POST', '{}', '{}', '1000');\n"
        "insert into public.rooms values (1);\n")
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    result = generate(project, prover=PgProver(url=url, create_roles=True))
    assert result.proof.state == PROVEN and not result.proof.backed_off, result.proof.why
    text = "".join(p.read_text() for p in sorted((project / ".consolidate" / "new").iterdir()))
    assert "ADD COLUMN" not in text.upper() and "sent_at timestamptz" in text  # folded past the publication's statements
    assert validate(project, url=url, create_roles=True).equal
