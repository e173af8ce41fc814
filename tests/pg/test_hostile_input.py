"""Migrations and packs are untrusted input: names from them reach the server only as identifiers."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import requires_pg
from tui.pg.local_server import local_server
from tui.pg.server import SCRATCH_PREFIX
from tui.pg.validate import validate

pytestmark = pytest.mark.pg

HOSTILE_ROLE = 'x" LOGIN; CREATE TABLE injected_by_role(i int);--'


def _project(tmp_path: Path, sql_text: str) -> Path:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_init.sql").write_text(sql_text)
    return tmp_path


@requires_pg
def test_a_role_name_from_the_history_cannot_inject_sql(tmp_path: Path) -> None:
    quoted = HOSTILE_ROLE.replace('"', '""')
    project = _project(tmp_path, f'CREATE TABLE a (id int);\nGRANT SELECT ON a TO "{quoted}";\n')
    with local_server() as server:
        info = server.conninfo
        url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
        result = validate(project, url=url, create_roles=True)
        assert result.equal
        assert HOSTILE_ROLE in result.roles_created  # made under its own odd name, not run as SQL
        with server.connect("postgres") as conn:
            injected = conn.execute("SELECT count(*) FROM pg_class WHERE relname = 'injected_by_role'").fetchone()
            role = conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (HOSTILE_ROLE,)).fetchone()
            leftovers = conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", (SCRATCH_PREFIX + "%",)).fetchone()
        assert injected == (0,)
        assert role is None  # made for the validation, dropped after it
        assert leftovers == (0,)


@pytest.mark.parametrize("url", [
    "postgresql://someone:s3cret-pw@127.0.0.1:1/app",
    "postgresql://someone@127.0.0.1:1/app?password=s3cret-pw",
    "host=127.0.0.1 port=1 user=someone password=s3cret-pw dbname=app",
    "host=127.0.0.1 port=1 password='s3cret-pw' dbname=app",
])
def test_no_form_of_password_is_printed(example: Path, url: str) -> None:
    for args in (["validate", str(example), "--database-url", url, "--json"],
                 ["generate", str(example), "--database-url", url], ["baseline", str(example), "--database-url", url]):
        r = subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert r.returncode == 2, (args, r.stderr)
        assert "s3cret-pw" not in r.stdout + r.stderr, (args, r.stdout + r.stderr)
        assert "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "tui", "baseline", str(example)], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, env={**os.environ, "DATABASE_URL": url})
    assert r.returncode == 2 and "s3cret-pw" not in r.stdout + r.stderr


@requires_pg
def test_a_password_in_a_reachable_url_is_not_saved(example: Path) -> None:
    with local_server() as server:
        info = server.conninfo
        url = f"host={info['host']} port={info['port']} user={info['user']} dbname=postgres password=s3cret-kw"
        r = subprocess.run([sys.executable, "-m", "tui", "validate", str(example), "--database-url", url, "--json", "--create-roles"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr
    saved = "".join(p.read_text() for p in (example / ".consolidate").glob("*.json"))
    assert "s3cret-kw" not in r.stdout + r.stderr + saved
    assert "password=***" in r.stdout


@requires_pg
@pytest.mark.parametrize("statement", [
    "COPY (SELECT 1) TO PROGRAM 'touch {marker}';",
    "DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {marker}'''; END $$;",
    "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {marker}'''; END $$;",
])
def test_a_migration_that_would_run_a_command_on_this_machine_is_refused(tmp_path: Path, statement: str) -> None:
    with tempfile.TemporaryDirectory(prefix="cpt-host-", dir="/tmp") as shared:
        os.chmod(shared, 0o1777)  # where the server's own user could write, had it run the command
        marker = Path(shared) / "ran-on-the-host"
        project = _project(tmp_path, "CREATE TABLE a (id int);\n" + statement.format(marker=marker) + "\n")
        r = subprocess.run([sys.executable, "-m", "tui", "validate", str(project), "--pg", "local"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        assert not marker.exists()
    assert r.returncode == 2, r.stderr
    assert "refusing to run this migration" in r.stderr and "20250101000000_init.sql:2" in r.stderr
    assert "--pg docker" in r.stderr and "Traceback" not in r.stderr
