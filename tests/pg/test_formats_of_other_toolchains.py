"""Five tools' migrations on a real server. pop's for several databases (Ory's Kratos, Hydra and
Keto write them so): the new set is PostgreSQL's, the other databases keep their files, and a file
for all that the set replaces stays for them with an empty PostgreSQL file of its version standing
in for it. Hasura's folders, yoyo's dependencies, refinery's unversioned files, sqitch's plan."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import HISTORIES, requires_pg
from tui.core.analysis import analyze
from tui.core.formats.pop import STAND_IN
from tui.pg.runner import apply_migrations

pytestmark = [pytest.mark.pg, requires_pg]


def _url(server, db: str) -> str:  # type: ignore[no-untyped-def]
    info = server.conninfo
    return f"postgresql://{info['user']}@/{db}?host={info['host']}&port={info['port']}"


def test_the_postgresql_set_is_proven_and_the_other_databases_keep_their_files(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_pop", project)
    (project / "expected.json").unlink()
    old = project / "migrations"
    (old / "20190101000004_seed.up.sql").write_text("insert into a (id, b) values (1, 2);\n")
    analysis = analyze(project)
    assert [Path(m.file).name for m in analysis.sources.migrations] == [
        "20190101000001_init.up.sql", "20190101000002_col.postgres.up.sql", "20190101000003_idx.pg.up.sql", "20190101000004_seed.up.sql"]
    db = pg_server.create_database("pop")
    apply_migrations(pg_server, db, analysis.sources.migrations)
    with pg_server.connect(db) as conn:
        conn.execute("CREATE TABLE schema_migration (version varchar(48) NOT NULL, version_self int NOT NULL DEFAULT 0)")
        conn.execute("INSERT INTO schema_migration (version) SELECT unnest(%s::text[])", ([m.version for m in analysis.sources.migrations],))
    url = _url(pg_server, db)
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = project / ".consolidate" / "new"
    for p in old.iterdir():  # the other databases' files and the files for all, as they were
        if ".mysql." in p.name or ".sqlite3." in p.name or p.name.count(".") == 2:
            assert (new / p.name).read_bytes() == p.read_bytes(), p.name
    assert (new / "20190101000001_init.postgres.up.sql").read_text() == STAND_IN
    assert (new / "20190101000001_init.postgres.down.sql").read_text() == STAND_IN
    assert (new / "20190101000004_seed.postgres.up.sql").read_text() == STAND_IN
    # (the all file of 2 never ran here: PostgreSQL's own file of that version, folded, stood for it)
    assert (new / "20190101000002_col.postgres.up.sql").read_text() == STAND_IN
    written = sorted(p.name for p in new.glob("0*.postgres.up.sql"))
    assert written and "create table a (id int, b int)" in (new / written[0]).read_text().lower()
    assert run(project, "validate", "--database-url", url).returncode == 0
    again = analyze(project, ".consolidate/new")
    read = [Path(m.file).name for m in again.sources.migrations]
    assert read[:len(written)] == written and all(n.endswith(".postgres.up.sql") for n in read), read
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    with pg_server.connect(db) as conn:
        versions = sorted(row[0] for row in conn.execute("SELECT version FROM schema_migration"))
    assert versions == sorted(m.version for m in again.sources.migrations)


@pytest.mark.parametrize("bound", [("--until", "20190101000002"), ("--from", "20190101000002")])
def test_pops_set_of_a_part_of_the_history_keeps_the_rest_for_every_database(pg_server, tmp_path: Path, bound: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The files kept before or after the set stay as they were; the replaced files for all stay
    for the other databases, each stood in for on PostgreSQL; what PostgreSQL runs builds the same."""
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_pop", project)
    (project / "expected.json").unlink()
    (project / "migrations" / "20190101000004_seed.up.sql").write_text("insert into a (id, b) values (1, 2);\n")
    url = _url(pg_server, "postgres")
    r = run(project, "generate", "--database-url", url, *bound)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new, old = project / ".consolidate" / "new", project / "migrations"
    kept = ["20190101000003_idx.pg.up.sql", "20190101000004_seed.up.sql"] if bound[0] == "--until" else ["20190101000001_init.up.sql"]
    for name in kept + ["20190101000002_col.mysql.up.sql", "20190101000003_idx.sqlite3.up.sql"]:
        assert (new / name).read_bytes() == (old / name).read_bytes(), name
    replaced_for_all = "20190101000001_init.up.sql" if bound[0] == "--until" else "20190101000004_seed.up.sql"
    assert (new / replaced_for_all).read_bytes() == (old / replaced_for_all).read_bytes()
    assert (new / replaced_for_all.replace(".up.sql", ".postgres.up.sql")).read_text() == STAND_IN
    assert not any((new / k.replace(".up.sql", ".postgres.up.sql")).exists() for k in kept if k.count(".") == 2)  # (kept: it runs)
    r = run(project, "validate", "--database-url", url)
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr


def test_hasuras_migrations_are_proven_and_what_it_keeps_itself_is_said_not_written(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Hasura's folders (`<version>_<name>/up.sql`) are diesel's shape; its config.yaml tells them apart."""
    project = tmp_path / "p"
    folder = project / "migrations" / "default"
    for name, up in [("1614864712344_init", 'CREATE TABLE "public"."todo"("id" serial NOT NULL, PRIMARY KEY ("id") );\n'),
                     ("1614864800000_col", 'alter table "public"."todo" add column "done" boolean\n null default false;\n')]:
        (folder / name).mkdir(parents=True)
        (folder / name / "up.sql").write_text(up)
        (folder / name / "down.sql").write_text("-- Could not auto-generate a down migration.\n")
    (project / "config.yaml").write_text("version: 3\nendpoint: http://localhost:8080\nmetadata_directory: metadata\n")
    url = _url(pg_server, "postgres")
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    ups = sorted((project / ".consolidate" / "new").glob("*/up.sql"))
    assert len(ups) == 1 and '"done" boolean' in ups[0].read_text().split("CREATE TABLE", 1)[1], ups
    assert run(project, "validate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--yes")
    assert r.returncode == 2 and "hasura migrate apply --skip-execution" in r.stderr and "Traceback" not in r.stderr, r.stderr
    r = run(project, "generate", "--no-proof", "--guard")
    assert r.returncode == 2 and "hasura gets no guard" in r.stderr, r.stderr


def test_yoyos_order_rollbacks_and_table_are_kept(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_yoyo", project)
    (project / "expected.json").unlink()
    (project / "migrations" / "0003.seed.sql").write_text("-- depends: 0000.col 0001.base\ninsert into a values (1, 2);\n")
    analysis = analyze(project)
    db = pg_server.create_database("yoyo")
    apply_migrations(pg_server, db, analysis.sources.migrations)
    with pg_server.connect(db) as conn:  # as yoyo makes its table
        conn.execute("CREATE TABLE _yoyo_migration (migration_hash VARCHAR(64), migration_id VARCHAR(255), "
                     "applied_at_utc TIMESTAMP, PRIMARY KEY (migration_hash))")
        for m in analysis.sources.migrations:
            conn.execute("INSERT INTO _yoyo_migration VALUES (encode(sha256(convert_to(%s, 'UTF8')), 'hex'), %s, now())",
                         (m.version, m.version))
    url = _url(pg_server, db)
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = project / ".consolidate" / "new"
    ups = sorted(p for p in new.glob("*.sql") if not p.name.endswith(".rollback.sql"))
    assert ups and all(p.with_name(p.stem + ".rollback.sql").is_file() for p in ups), ups
    texts = [p.read_text() for p in ups]
    assert not any("-- depends:" in t for t in texts), texts  # (the history's would name migrations the set lacks)
    assert sum(t.startswith("-- transactional: false\n") and "concurrently" in t for t in texts) == 1, texts
    assert run(project, "validate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--pg", "local", "--yes")
    assert r.returncode == 0, r.stderr
    with pg_server.connect(db) as conn:
        rows = conn.execute("SELECT migration_id, migration_hash = encode(sha256(convert_to(migration_id, 'UTF8')), 'hex') "
                            "FROM _yoyo_migration ORDER BY migration_id").fetchall()
    assert rows == [(p.stem, True) for p in ups]


def test_refinerys_unversioned_files_run_in_the_order_of_the_versions(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Flyway would take `U2__` for an undo script and leave it out; refinery runs it."""
    project = tmp_path / "p"
    (project / "migrations" / "more").mkdir(parents=True)
    (project / "Cargo.toml").write_text('[package]\nname = "x"\n\n[dependencies]\nrefinery = "0.8"\n')
    for name, text in {"V1__init.sql": "CREATE TABLE a (id int PRIMARY KEY);\n", "U2__seed.sql": "INSERT INTO a VALUES (1);\n",
                       "more/V3__b.sql": "ALTER TABLE a ADD COLUMN b int;\n", "V4__note.rs": "fn migration() -> String { String::new() }\n"}.items():
        (project / "migrations" / name).write_text(text)
    analysis = analyze(project)
    assert analysis.sources.format == "refinery"
    assert [m.file for m in analysis.sources.migrations] == ["migrations/V1__init.sql", "migrations/U2__seed.sql", "migrations/more/V3__b.sql"]
    assert [d.file for d in analysis.lost] == ["migrations/V4__note.rs"]
    (project / "migrations" / "V4__note.rs").unlink()
    url = _url(pg_server, "postgres")
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = sorted(p.name for p in (project / ".consolidate" / "new").glob("*.sql"))
    assert new and all(re.match(r"^V\d+__\w+\.sql$", n) for n in new), new
    assert run(project, "validate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--yes")
    assert r.returncode == 2 and "Target::Fake" in r.stderr and "Traceback" not in r.stderr, r.stderr


def _changes(plan_text: str) -> list[str]:
    return [line.split()[0] for line in plan_text.splitlines() if line and line[0] not in "%#@"]


def test_sqitchs_set_is_a_new_plan_of_changes_and_what_it_keeps_stays_in_it(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_sqitch", project)
    (project / "expected.json").unlink()
    email = project / "migrations" / "deploy" / "users_email.sql"
    email.write_text("\\set ON_ERROR_STOP on\n\\echo adding email\n" + email.read_text())  # (psql's own: nothing to the database)
    url = _url(pg_server, "postgres")
    r = run(project, "generate", "--database-url", url)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = project / ".consolidate" / "new"
    made = sorted(p.stem for p in (new / "deploy").glob("*.sql"))
    plan_text = (new / "sqitch.plan").read_text()
    assert plan_text.startswith("%syntax-version=1.0.0\n%project=flipr\n") and _changes(plan_text) == made, plan_text
    assert sorted(p.stem for p in (new / "revert").glob("*.sql")) == made and not (new / "verify").exists()
    body = (new / "deploy" / f"{made[-1]}.sql").read_text()
    assert body.count("BEGIN;") == 1 and body.rstrip().endswith("COMMIT;"), body  # (psql runs it: its own transaction)
    assert run(project, "validate", "--database-url", url).returncode == 0
    r = run(project, "baseline", "--database-url", url, "--yes")
    assert r.returncode == 2 and "sqitch deploy --log-only" in r.stderr and "Traceback" not in r.stderr, r.stderr
    # Up to the change before the tag: the rework after it still finds its earlier scripts by the tag.
    (project / "migrations" / "verify" / "users_email.sql").write_text("SELECT email FROM flipr.users WHERE false;\n")
    r = run(project, "generate", "--database-url", url, "--until", "users", "--force")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    plan_text = (new / "sqitch.plan").read_text()
    assert _changes(plan_text)[1:] == ["insert_user", "users_email", "insert_user"] and "\n@v1.0 " in plan_text, plan_text
    assert "insert_user [users]" not in plan_text and "[insert_user@v1.0 users_email]" in plan_text, plan_text
    assert (new / "deploy" / "insert_user@v1.0.sql").is_file() and (new / "verify" / "users_email.sql").is_file()
    assert not (new / "verify" / "appschema.sql").exists()  # (its change is replaced)
    r = run(project, "validate", "--database-url", url)
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
