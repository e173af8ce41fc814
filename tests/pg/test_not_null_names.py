"""PostgreSQL 18 names each NOT NULL (`t_a_not_null`) and keeps the name when the column is renamed:
a set that declares the renamed column NOT NULL at once would build `t_b_not_null`, another
database there (pg_dump writes the name, a later DROP CONSTRAINT names it). The new set writes the
history's names where its own would differ (tests/core/test_not_null_names.py), and the folds are
proven on 18 as on the servers before it, which keep a flag only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg
from tui.pg.embedded_server import embedded_available

pytestmark = pytest.mark.pg

HISTORY = {
    "0001_make.sql": "CREATE TABLE t (a int NOT NULL, c int);\nCREATE TABLE log (id int, at date NOT NULL);\n",
    "0002_rename.sql": "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t ADD COLUMN e int NOT NULL DEFAULT 0;\n"
                       "ALTER TABLE t RENAME TO u;\nALTER TABLE u ADD COLUMN f int NOT NULL DEFAULT 1;\n",
    # A table rebuilt beside the one it replaces: its NOT NULLs are numbered past the old one's.
    "0003_rebuild.sql": "ALTER TABLE log RENAME TO log_old;\nCREATE TABLE log (id serial PRIMARY KEY, at date NOT NULL);\n"
                        "INSERT INTO log (at) SELECT at FROM log_old;\nDROP TABLE log_old;\n",
    # A column swapped for a new one of another type, renamed into place (Django writes these).
    "0004_swap.sql": "ALTER TABLE u ADD COLUMN e_new bigint NOT NULL DEFAULT 0;\nALTER TABLE u DROP COLUMN e;\n"
                     "ALTER TABLE u RENAME COLUMN e_new TO e;\n",
}


def _project(tmp_path: Path) -> Path:
    (tmp_path / "migrations").mkdir()
    for name, sql in HISTORY.items():
        (tmp_path / "migrations" / name).write_text(sql)
    return tmp_path


def _staged(project: Path) -> str:
    return "\n".join(p.read_text() for p in sorted((project / ".consolidate" / "new").rglob("*.sql")))


@pytest.mark.skipif(not embedded_available(), reason="the embedded extra is not installed (pip install -e '.[embedded]')")
def test_on_postgresql_18_the_folds_keep_the_not_null_names(tmp_path: Path) -> None:
    project = _project(tmp_path)
    r = run(project, "generate", "--pg", "embedded")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    sql = _staged(project)
    assert "RENAME COLUMN a TO b" not in sql and "ADD COLUMN" not in sql and "log_old" not in sql and "CONSTRAINT log_at_not_null1 NOT NULL" in sql, sql
    v = run(project, "validate", "--pg", "embedded", "--rebuild-history")
    assert v.returncode == 0 and "EQUAL" in v.stdout and "PostgreSQL 18" in v.stdout, v.stdout + v.stderr


@requires_pg
def test_before_postgresql_18_the_same_set_is_proven(tmp_path: Path) -> None:
    project = _project(tmp_path)
    r = run(project, "generate", "--pg", "local")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    sql = _staged(project)
    # (t is made as u at once: f's NOT NULL takes u's name by itself, a's keeps t's written)
    assert "RENAME COLUMN a TO b" not in sql and "RENAME TO u" not in sql and "CONSTRAINT t_a_not_null NOT NULL" in sql, sql


NAMED = {
    "0001_make.sql": "CREATE TABLE t (a int NOT NULL, c int, k int CONSTRAINT k_set NOT NULL, g int GENERATED ALWAYS AS IDENTITY);\n"
                     "CREATE TABLE log (id int PRIMARY KEY, at date NOT NULL);\n"
                     "CREATE TABLE a_table_with_a_name_long_enough_to_be_cut_short_by_postgresql (a_column_with_a_long_name_too int NOT NULL);\n",
    "0002_rename.sql": "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME TO u;\nALTER TABLE u ALTER COLUMN c SET NOT NULL;\n"
                       "ALTER TABLE u ADD COLUMN s serial;\nCREATE TABLE p (x int, y int);\nALTER TABLE p ADD PRIMARY KEY (x, y);\n",
    "0003_rebuild.sql": "ALTER TABLE log RENAME TO log_old;\nCREATE TABLE log (id serial PRIMARY KEY, at date NOT NULL);\n"
                        "ALTER TABLE u ALTER COLUMN k DROP NOT NULL;\nALTER TABLE u ALTER COLUMN k SET NOT NULL;\n"
                        "ALTER TABLE u DROP COLUMN b;\nALTER TABLE u ADD COLUMN b int NOT NULL DEFAULT 0;\n",
    "0004_swap.sql": "ALTER TABLE u ADD COLUMN c_new bigint NOT NULL DEFAULT 0;\nALTER TABLE u DROP COLUMN c;\n"
                     "ALTER TABLE u RENAME COLUMN c_new TO c;\n",
}


@pytest.mark.skipif(not embedded_available(), reason="the embedded extra is not installed (pip install -e '.[embedded]')")
def test_the_model_names_not_nulls_as_postgresql_18_does(tmp_path: Path) -> None:
    from tui.core.analysis import analyze
    from tui.pg.embedded_server import embedded_server
    root = tmp_path / "p"
    (root / "migrations").mkdir(parents=True)
    for name, sql in NAMED.items():
        (root / "migrations" / name).write_text(sql)
    model = analyze(root).model
    predicted = {o.name: o.attrs.get("nn_name") for o in model.objects.values() if o.type == "column" and o.exists and o.attrs.get("not_null")}
    with embedded_server() as server:
        db = server.create_database("nn_names")
        try:
            with server.connect(db) as conn:
                for sql in NAMED.values():
                    conn.execute(sql)
                rows = conn.execute("""SELECT c.relname || '.' || a.attname, con.conname FROM pg_constraint con
                    JOIN pg_class c ON c.oid = con.conrelid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1]
                    WHERE con.contype = 'n' AND c.relnamespace = 'public'::regnamespace""").fetchall()
        finally:
            server.drop_database(db)
    assert predicted == dict(rows)
