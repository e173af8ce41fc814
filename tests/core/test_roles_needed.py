"""The roles a history needs made before it runs on a throwaway server, and what they must be
able to do there; a SET of a session setting is never offered as a statement to leave out."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import write_history
from tui.core.analysis import analyze


def test_every_role_a_statement_names_is_needed(tmp_path: Path) -> None:
    write_history(tmp_path, {"20240101000001_a.sql":
        "CREATE TABLE t (id int);\n"
        "ALTER ROLE r_altered SET timezone = 'UTC';\nALTER USER r_login WITH LOGIN;\n"
        "REASSIGN OWNED BY r_from TO r_to;\nDROP OWNED BY r_dropped;\n"
        "SET ROLE r_switched;\nCREATE TABLE t2 (id int);\nRESET ROLE;\nSET SESSION AUTHORIZATION r_session;\n"
        "SET ROLE NONE;\nALTER ROLE CURRENT_USER SET work_mem = '1MB';\n"})
    a = analyze(tmp_path)
    assert a.roles_needed() == ["r_altered", "r_dropped", "r_from", "r_login", "r_session", "r_switched", "r_to"]


def test_a_role_switched_to_or_created_with_powers_gets_them(tmp_path: Path) -> None:
    # The history's CREATE ROLE is left out of each build (the tool made the role first): what it
    # gave the role comes along. A role switched to but made elsewhere may do what the history does.
    write_history(tmp_path, {"20240101000001_a.sql":
        "CREATE ROLE r_admin SUPERUSER CREATEDB;\nCREATE ROLE r_plain NOSUPERUSER LOGIN;\nCREATE ROLE r_owner;\n"
        "SET ROLE r_owner;\nCREATE TABLE t (id int);\nRESET ROLE;\nSET ROLE r_elsewhere;\nCREATE TABLE t2 (id int);\n"})
    a = analyze(tmp_path)
    assert a.role_powers() == {"r_admin": ("CREATEDB", "SUPERUSER"), "r_elsewhere": ("SUPERUSER",)}
    assert a.roles_made() == ["r_admin", "r_owner", "r_plain"] and a.roles_needed() == ["r_elsewhere"]


def test_a_session_setting_is_not_a_finding(tmp_path: Path) -> None:
    write_history(tmp_path, {"20240101000001_a.sql": "SET statement_timeout = 0;\nSET ROLE r_owner;\nCREATE TABLE t (id int);\nRESET ROLE;\n"})
    a = analyze(tmp_path)
    assert [f.kind for f in a.findings] == []
