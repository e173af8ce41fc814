"""`schemas` / `exclude_schemas` in consolidate.toml: what the tool folds and compares."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg

pytestmark = [pytest.mark.pg, requires_pg]

HISTORY = {
    "20240101000000_init.sql": "CREATE SCHEMA audit;\nCREATE TABLE audit.log (id int);\nCREATE TABLE account (id int PRIMARY KEY);\n",
    "20240102000000_more.sql": "ALTER TABLE audit.log ADD COLUMN at timestamptz;\nALTER TABLE account ADD COLUMN email text;\n",
}


def _project(tmp_path: Path, settings: str) -> Path:
    project = tmp_path / "app"
    (project / "migrations").mkdir(parents=True)
    for name, sql in HISTORY.items():
        (project / "migrations" / name).write_text(sql)
    (project / "consolidate.toml").write_text(settings)
    return project


def _edit(project: Path, old: str, new: str) -> None:
    staged = project / ".consolidate" / "new"
    f = next(p for p in sorted(staged.glob("*.sql")) if old in p.read_text())
    f.write_text(f.read_text().replace(old, new))


@pytest.mark.parametrize("settings", ['exclude_schemas = ["audit"]\n', 'schemas = ["public"]\n'])
def test_a_schema_left_out_is_neither_folded_nor_compared(tmp_path: Path, settings: str) -> None:
    project = _project(tmp_path, settings)
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
    text = "".join(p.read_text() for p in sorted((project / ".consolidate" / "new").glob("*.sql")))
    assert "ALTER TABLE audit.log ADD COLUMN at timestamptz" in text, "the left-out schema's statements stay as written"
    assert "ADD COLUMN email" not in text, "the rest is folded"
    _edit(project, "ADD COLUMN at timestamptz", "ADD COLUMN at date")
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, "a change in the left-out schema is not compared: " + r.stdout
    _edit(project, "email text", "email varchar(10)")
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 1 and "account.email" in r.stdout, r.stdout


def test_without_the_setting_the_same_change_is_a_difference(tmp_path: Path) -> None:
    project = _project(tmp_path, "")
    assert run(project, "generate", "--pg", "local").returncode == 0
    _edit(project, "timestamptz", "date")
    r = run(project, "validate", "--pg", "local")
    assert r.returncode == 1 and "audit.log.at" in r.stdout, r.stdout
