"""Liquibase itself (the open-source CLI, on Java, through PostgreSQL's JDBC driver) runs a
history and the set `consolidate` writes in its place: the two databases are the same, object by
object and row by row; a database that ran the history takes the new changelog with `liquibase
changelog-sync` and has nothing left to run; `liquibase rollback-count` undoes the whole set.

The CLI is found at $LIQUIBASE, at the path `.ci/run` installs it to, or on PATH; it needs Java
and a server it can reach over TCP (the Docker provider's)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg
from tui.pg.catalog import snapshot
from tui.pg.compare import compare
from tui.pg.docker_server import docker_available, docker_server
from tui.pg.server import Server

_INSTALLED = Path.home() / ".cache" / "consolidate-ci" / "liquibase" / "package" / "dist" / "liquibase" / "liquibase"


def _liquibase() -> str:
    return os.environ.get("LIQUIBASE") or (str(_INSTALLED) if _INSTALLED.is_file() else "") or shutil.which("liquibase") or ""


_MISSING = ("no Liquibase CLI ($LIQUIBASE, .ci/run's install or PATH)" if not _liquibase()
            else "no java on PATH" if not shutil.which("java") else docker_available())
pytestmark = [pytest.mark.pg, requires_pg, pytest.mark.skipif(bool(_MISSING), reason=_MISSING or "")]

_ROOT = ('<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"\n'
         '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog '
         'http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">\n')
_FILES = {
    "db.changelog-master.xml": _ROOT + '    <include file="release-1/changelog.xml" relativeToChangelogFile="true"/>\n'
                               '    <include file="db/changelog/release-2/changelog.yaml"/>\n</databaseChangeLog>\n',
    "release-1/changelog.xml": _ROOT + '    <include file="01-schema.sql" relativeToChangelogFile="true"/>\n'
                               '    <include file="02-seed.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n',
    "release-1/01-schema.sql": "--liquibase formatted sql\n\n--changeset dev:1\nCREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL, "
                               "attrs jsonb);\nCREATE TABLE tag (id int PRIMARY KEY, label text);\n--rollback DROP TABLE tag;\n"
                               "--rollback DROP TABLE item;\n\n--changeset dev:2 runInTransaction:false\n"
                               "CREATE INDEX CONCURRENTLY item_name ON item (name);\n\n--changeset dev:3 dbms:mysql\n"
                               "CREATE TABLE `mysql_only` (id int);\n\n--changeset dev:4\nALTER TABLE item ADD COLUMN price numeric(10,2);\n",
    "release-1/02-seed.sql": "INSERT INTO item (name, attrs) VALUES ('a', '{\"k\": 1}');\nINSERT INTO item (name, attrs) VALUES ('b?', '{}');\n"
                             "INSERT INTO tag VALUES (1, 'x');\n",
    "release-2/changelog.yaml": "databaseChangeLog:\n  - include:\n      file: 01-more.sql\n      relativeToChangelogFile: true\n",
    "release-2/01-more.sql": "--liquibase formatted sql\n\n--changeset dev:5\nALTER TABLE item ADD COLUMN has_k boolean;\n"
                             "UPDATE item SET has_k = attrs ?? 'k';\nDROP TABLE tag;\n\n--changeset dev:6\nALTER TABLE item DROP COLUMN price;\n"
                             "CREATE VIEW keyed AS SELECT id FROM item WHERE attrs ??| array['k'];\n\n--changeset dev:7 splitStatements:false\n"
                             "CREATE FUNCTION keyed_count() RETURNS bigint LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN (SELECT count(*) FROM keyed);\n"
                             "END;\n$$;\n",
}
_FOLDER = "src/main/resources/db/changelog"


def _run_liquibase(server: Server, db: str, project: Path, *command: str) -> str:
    info = server.conninfo
    env = dict(os.environ, LIQUIBASE_COMMAND_USERNAME=str(info["user"]), LIQUIBASE_COMMAND_PASSWORD=str(info["password"]))
    r = subprocess.run([_liquibase(), f"--url=jdbc:postgresql://{info['host']}:{info['port']}/{db}", "--search-path=src/main/resources",
                        "--changelog-file=db/changelog/db.changelog-master.xml", "--show-banner=false", *command],
                       check=False, cwd=project, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout


def _catalog(server: Server, db: str):  # type: ignore[no-untyped-def]
    with server.connect(db, autocommit=False) as conn:
        conn.execute("DROP TABLE databasechangelog, databasechangeloglock")  # (when each ran: not what was built)
        taken = snapshot(conn)
        conn.rollback()
        return taken


def _relations(server: Server, db: str) -> list[str]:
    with server.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                           "WHERE nspname = 'public' AND relname NOT LIKE 'databasechangelog%' ORDER BY 1")]


def test_liquibase_runs_the_new_set_to_the_same_database_and_takes_it_on_a_database_that_ran_the_history(tmp_path: Path) -> None:
    folder = tmp_path / _FOLDER
    for name, text in _FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with docker_server(15) as server:
        old, new, synced = (server.create_database(label) for label in ("old", "new", "synced"))
        for db in (old, synced):
            ran = _run_liquibase(server, db, tmp_path, "update")
            assert "Run:                          7\n" in ran and "DBMS mismatch:                1\n" in ran, ran  # (not mysql's)
        r = run(tmp_path, "generate", "--pg", "local")
        assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
        r = run(tmp_path, "validate", "--pg", "local")
        assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
        r = run(tmp_path, "apply", "--yes")
        assert r.returncode == 0, r.stdout + r.stderr
        changesets = len(list((folder / "consolidated").glob("*.sql")))
        assert 0 < changesets < 6 and not (folder / "release-1" / "01-schema.sql").exists()

        ran = _run_liquibase(server, new, tmp_path, "update")
        assert f"Run:                          {changesets}\n" in ran, ran
        differences = compare(_catalog(server, old), _catalog(server, new))
        assert differences == []

        _run_liquibase(server, synced, tmp_path, "changelog-sync")
        again = _run_liquibase(server, synced, tmp_path, "update")
        assert "Run:                          0\n" in again, again

        _run_liquibase(server, new, tmp_path, "rollback-count", "--count", str(changesets))
        left, other = _relations(server, new), _relations(server, synced)
        assert left == []
        assert "item" in other and "keyed" in other  # (the other database untouched)
