"""A history that names the database it migrates (`GRANT CONNECT ON DATABASE appdb`, `ALTER
DATABASE appdb SET ...`): each build points those at its own scratch database, and nothing of
the user's server outside it is touched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import requires_pg
from tui.core.errors import ConsolidateError
from tui.core.generate import generate
from tui.core.proof import PROVEN
from tui.pg.own_database import pointed_at
from tui.pg.proof import PgProver
from tui.pg.validate import validate

pytestmark = [pytest.mark.pg, requires_pg]


def _project(tmp_path: Path, first: str) -> Path:
    folder = tmp_path / "p" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000001_a.sql").write_text(first + "CREATE TABLE od_t (id int PRIMARY KEY);\n")
    (folder / "20240101000002_b.sql").write_text("ALTER TABLE od_t ADD COLUMN name text;\n")
    return folder.parent


def _url(server: Any) -> str:
    info = server.conninfo
    return f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"


def _settings_of_other_databases(server: Any) -> list[tuple[str, ...]]:
    with server.connect("postgres") as conn:
        return conn.execute("SELECT d.datname, s.setconfig::text FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
                            "WHERE d.datname NOT LIKE 'csl\\_%' ORDER BY 1").fetchall()


def test_a_history_naming_its_database_is_proven_in_scratch_databases(tmp_path: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    before = _settings_of_other_databases(pg_server)
    project = _project(tmp_path, "GRANT CONNECT ON DATABASE appdb TO PUBLIC;\n"
                                 "ALTER DATABASE appdb SET timezone TO 'UTC';\n"
                                 "ALTER DATABASE postgres SET work_mem = '2MB';\n"
                                 "COMMENT ON DATABASE \"appdb\" IS 'the app';\n")
    result = generate(project, prover=PgProver(url=_url(pg_server), create_roles=True))
    assert result.proof.state == PROVEN, result.proof.why
    staged = "\n".join(p.read_text() for p in (project / ".consolidate" / "new").glob("*.sql"))
    assert "ALTER DATABASE appdb SET timezone TO 'UTC'" in staged  # as written: the new set runs on appdb
    checked = validate(project, url=_url(pg_server), rebuild_history=True)
    assert checked.equal, checked.differences
    assert checked.counts["old"].get("database_setting") == 1  # the scratch database's one row, with both settings
    assert _settings_of_other_databases(pg_server) == before  # the server's own postgres database untouched


def test_on_a_users_server_creating_or_dropping_a_database_is_refused(tmp_path: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path, "SELECT 1;\nDROP DATABASE IF EXISTS od_theirs;\n")
    with pytest.raises(ConsolidateError, match="drops or renames a database of your server") as caught:
        validate(project, url=_url(pg_server))
    assert caught.value.file.endswith("20240101000001_a.sql") and caught.value.line == 2


def test_the_names_after_database_are_pointed_at_the_scratch_database() -> None:
    assert pointed_at('GRANT CONNECT, TEMP ON DATABASE "App", data TO r', "s_1") == 'GRANT CONNECT, TEMP ON DATABASE "s_1", "s_1" TO r'
    assert pointed_at("ALTER ROLE r IN DATABASE appdb SET a = 1", "s_1") == 'ALTER ROLE r IN DATABASE "s_1" SET a = 1'
    assert pointed_at("COMMENT ON /* db */ DATABASE appdb IS 'database'", "s_1") == "COMMENT ON /* db */ DATABASE \"s_1\" IS 'database'"
