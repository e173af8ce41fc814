"""What the scan for statements that reach the server's machine finds, and where (no server:
the refusal itself is tested on a real one in tests/pg/test_hostile_input.py)."""

from __future__ import annotations

import pytest

from tui.core.host_access import host_access


@pytest.mark.parametrize(("statement", "what"), [
    ("COPY t TO PROGRAM 'gzip > /tmp/x'", "runs a command"),
    ("COPY t FROM '/etc/passwd'", "reads or writes a file"),
    ("SELECT pg_read_file('/etc/passwd')", "server-side file function"),
    ("CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS $$ return 1 $$", "untrusted language"),
    ("CREATE EXTENSION IF NOT EXISTS dblink", "extension that reaches"),
    ("ALTER SYSTEM SET archive_command = 'x'", "ALTER SYSTEM"),
    ("LOAD 'auto_explain'", "LOAD"),
    ("CREATE TABLESPACE fast LOCATION '/srv/fast'", "tablespace"),
    ("create subscription s connection 'host=db.example.com dbname=app' publication p", "another host"),
    ("DO $$ BEGIN EXECUTE 'ALTER SUBSCRIPTION s CONNECTION ''host=x'''; END $$", "another host"),
    ("SET session_preload_libraries = 'auto_explain'", "preload setting"),
    # (letters outside ASCII that the scan's patterns take for ASCII ones, ignoring case)
    ("DO $$ BEGIN EXECUTE lower('ALTER \u017fYSTEM SET archive_command = ''x'''); END $$", "ALTER SYSTEM"),
    ("DO $$ BEGIN EXECUTE lower('CREATE EXTENSION dblin\u212a'); END $$", "extension that reaches"),
])
def test_each_kind_is_found_on_its_line(statement: str, what: str) -> None:
    found = host_access(f"CREATE TABLE a (id int);\n\n{statement};\n", 10)
    assert [line for line, _ in found] == [12]
    assert what in found[0][1]


@pytest.mark.parametrize("statement", [
    "CREATE TABLE subscriptions (id int)",
    "COMMENT ON TABLE a IS 'the tablespace of this table is the default'",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
    "COPY t FROM STDIN",
])
def test_what_stays_in_the_database_is_not(statement: str) -> None:
    assert host_access(f"{statement};\n") == ()
