"""`consolidate analyze`: exit codes, JSON on stdout, diagnostics on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import HISTORIES, ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT)


def test_json_on_stdout_and_exit_0() -> None:
    r = run("analyze", str(ROOT), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) >= {"format", "migrations", "findings", "diagnostics", "graph"}
    assert data["format"] == "sqlx"
    assert "also used by" in r.stderr  # diagnostics go to stderr


def test_human_output_groups_by_kind_with_file_line() -> None:
    r = run("analyze", str(ROOT))
    assert r.returncode == 0
    assert "created_then_dropped (" in r.stdout  # the result is for stdout; stderr keeps the diagnostics
    assert "migrations/20250101000001_initial_setup.sql:13" in r.stdout
    assert "created_then_dropped (" not in r.stderr and "also used by" in r.stderr


def test_nothing_analyzable_exits_2(tmp_path: Path) -> None:
    r = run("analyze", str(tmp_path), "--json")
    assert r.returncode == 2
    assert "migrations folder not found" in r.stderr
    assert json.loads(r.stdout)["migrations"] == []
    assert "Traceback" not in r.stderr


def test_bad_file_still_exits_0_with_diagnostic() -> None:
    r = run("analyze", str(HISTORIES / "bad_non_utf8"), "--json")
    assert r.returncode == 0
    assert "migrations/0002_b.sql:1: error: not valid UTF-8" in r.stderr


def test_format_flag(tmp_path: Path) -> None:
    r = run("analyze", str(HISTORIES / "format_golang_migrate"), "--json", "--format", "golang-migrate")
    assert r.returncode == 0
    assert json.loads(r.stdout)["format"] == "golang-migrate"


def test_migrations_flag(tmp_path: Path) -> None:
    src = HISTORIES / "format_flyway" / "migrations"
    (tmp_path / "db").mkdir()
    for p in src.iterdir():
        (tmp_path / "db" / p.name).write_bytes(p.read_bytes())
    r = run("analyze", str(tmp_path), "--json", "--migrations", "db")
    assert r.returncode == 0
    assert json.loads(r.stdout)["migrations"][0]["file"] == "db/V1__init.sql"
