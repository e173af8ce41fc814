"""A history that creates (and drops) roles: every build of it in one cluster finds them there,
and on the user's own server nothing of theirs is made or changed without being asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import requires_pg
from tui.core.errors import ConsolidateError
from tui.core.formats.base import Migration
from tui.core.generate import generate
from tui.core.parse import parse_history
from tui.core.proof import PROVEN
from tui.pg.proof import PgProver
from tui.pg.scratch_text import prepared
from tui.pg.validate import validate

pytestmark = [pytest.mark.pg, requires_pg]

_FILES = {
    "20240101000001_roles.sql": "CREATE ROLE hr_owner NOLOGIN;\n"
                                "CREATE TABLE hr_people (id int PRIMARY KEY);\n"
                                "GRANT SELECT ON hr_people TO hr_owner;\n"
                                "CREATE ROLE hr_temp;\nDROP ROLE hr_temp;\n",
    "20240101000002_more.sql": "ALTER TABLE hr_people ADD COLUMN name text;\n"
                               "DROP ROLE IF EXISTS hr_again;\n"
                               "CREATE ROLE hr_again\n  NOLOGIN;\n"
                               "GRANT hr_owner TO hr_again;\n",
}


def _project(tmp_path: Path, extra: str = "") -> Path:
    folder = tmp_path / "p" / "migrations"
    folder.mkdir(parents=True)
    for name, sql in _FILES.items():
        (folder / name).write_text(sql)
    if extra:
        (folder / "20240101000003_extra.sql").write_text(extra)
    return folder.parent


def _url(server: Any) -> str:
    info = server.conninfo
    return f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"


def _roles(server: Any) -> set[str]:
    with server.connect("postgres") as conn:
        return {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}


def test_a_history_that_creates_roles_is_proven_and_validated(tmp_path: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    """The proof and validate build it several times in one cluster (validate both sides at
    once): a second CREATE ROLE of the same role would fail with "already exists"."""
    project = _project(tmp_path)
    before = _roles(pg_server)
    result = generate(project, prover=PgProver(url=_url(pg_server), create_roles=True))
    assert result.proof.state == PROVEN, result.proof.why
    staged = "\n".join(p.read_text() for p in (project / ".consolidate" / "new").glob("*.sql"))
    assert "CREATE ROLE hr_owner" in staged  # kept, as written: roles are not the set's to fold
    checked = validate(project, url=_url(pg_server), create_roles=True, rebuild_history=True)
    assert checked.equal, checked.differences
    assert checked.roles_created == []  # none granted to without being created
    assert _roles(pg_server) == before  # the ones made for the run are gone again


def test_on_a_users_server_the_roles_a_history_creates_are_made_only_when_asked(tmp_path: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    project = _project(tmp_path)
    before = _roles(pg_server)
    with pytest.raises(ConsolidateError, match="creates roles.*hr_again, hr_owner, hr_temp.*--create-roles"):
        validate(project, url=_url(pg_server))
    assert _roles(pg_server) == before


@pytest.mark.parametrize("statement", [
    "ALTER ROLE hr_theirs SET work_mem = '1MB'",
    "ALTER USER hr_theirs WITH LOGIN",
    "GRANT hr_theirs TO hr_owner",
    "REVOKE hr_owner FROM hr_theirs",
    "REASSIGN OWNED BY hr_theirs TO hr_owner",
    "DROP ROLE hr_theirs",
    "ALTER ROLE hr_owner RENAME TO hr_renamed",
])
def test_on_a_users_server_a_history_that_changes_a_role_of_theirs_is_refused(tmp_path: Path, pg_server, statement: str) -> None:  # type: ignore[no-untyped-def]
    with pg_server.connect("postgres") as conn:
        conn.execute("CREATE ROLE hr_theirs NOLOGIN")
    try:
        project = _project(tmp_path, f"CREATE TABLE hr_more (id int);\n{statement};\n")
        with pytest.raises(ConsolidateError, match="role hr_\\w+.*, which belongs to your whole server") as caught:
            validate(project, url=_url(pg_server), create_roles=True)
        assert caught.value.file.endswith("20240101000003_extra.sql") and caught.value.line == 2
        with pg_server.connect("postgres") as conn:
            theirs = conn.execute("SELECT rolcanlogin, (SELECT count(*) FROM pg_db_role_setting WHERE setrole = r.oid), "
                                  "(SELECT count(*) FROM pg_auth_members WHERE member = r.oid OR roleid = r.oid) "
                                  "FROM pg_roles r WHERE rolname = 'hr_theirs'").fetchone()
        assert theirs == (False, 0, 0)
    finally:
        with pg_server.connect("postgres") as conn:
            conn.execute("DROP ROLE hr_theirs")


def test_a_role_statement_left_out_keeps_the_lines_of_the_rest(pg_server) -> None:  # type: ignore[no-untyped-def]
    sql = "CREATE TABLE a (id int);\nCREATE ROLE hr_there\n  LOGIN;\nCREATE TABLE b (id int);\n"
    m = Migration("1", "m", "migrations/1_m.sql", sql)
    with pg_server.connect("postgres") as conn:
        conn.execute("CREATE ROLE hr_there")
        try:
            out, parts = prepared(conn, "local", [], "scratch", m, None)
        finally:
            conn.execute("DROP ROLE hr_there")
    assert out.sql.count("\n") == sql.count("\n")
    assert "ROLE" not in out.sql and out.sql.splitlines()[3] == "CREATE TABLE b (id int);"
    assert [s.line for s in parts or ()] == [1, 4]
    assert [type(s.node).__name__ for s in parse_history([out]).statements] == ["CreateStmt", "CreateStmt"]


def test_a_role_the_history_alters_but_never_creates_is_made_on_the_scratch_server(tmp_path: Path) -> None:
    """A migration that sets the timezone of the role it connects as names that role: made on the
    throwaway server before the history runs, as a role granted to is."""
    project = _project(tmp_path, "ALTER ROLE hr_connecting SET timezone = 'UTC';\nCREATE TABLE hr_more (id int);\n")
    result = generate(project, prover=PgProver("local"))
    assert result.proof.state == PROVEN, result.proof.why
    staged = "\n".join(p.read_text() for p in (project / ".consolidate" / "new").glob("*.sql"))
    assert "ALTER ROLE hr_connecting SET timezone = 'UTC'" in staged
    checked = validate(project, pg="local", rebuild_history=True)
    assert checked.equal, checked.differences
    assert checked.roles_created == ["hr_connecting"]


@pytest.mark.parametrize("made", ["", "CREATE ROLE hr_switched SUPERUSER;\n"])
def test_a_history_that_switches_to_a_role_runs_under_it(tmp_path: Path, made: str) -> None:
    """SET ROLE to a role made elsewhere (or by the history, as a superuser): on the throwaway
    server the role may create what the history creates under it, and owns it, on both sides."""
    project = _project(tmp_path, f"{made}SET ROLE hr_switched;\nCREATE TABLE hr_theirs (id int);\nRESET ROLE;\n"
                                 "ALTER TABLE hr_theirs ADD COLUMN name text;\n")
    result = generate(project, prover=PgProver("local"))
    assert result.proof.state == PROVEN, result.proof.why
    checked = validate(project, pg="local", rebuild_history=True)
    assert checked.equal, checked.differences
    staged = "\n".join(p.read_text() for p in sorted((project / ".consolidate" / "new").glob("*.sql")))
    assert "SET ROLE hr_switched;\n\n-- folded in" in staged and "CREATE TABLE hr_theirs (id int, name text);\n\nRESET ROLE" in staged, staged
