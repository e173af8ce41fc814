"""Folds that rest on what the model knows of the rows, proven on a real PostgreSQL: rows removed
through LIKE and ON DELETE CASCADE let later changes fold; a column of an extension's type pulls
the extension ahead; a column added again under a name the CREATE still holds keeps the order;
a LANGUAGE sql function comes after what its body names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import requires_pg
from tui.core.generate import generate
from tui.pg.validate import validate

pytestmark = [pytest.mark.pg, requires_pg]

HISTORY = {
    "0001_accounts.sql": """
CREATE TABLE account (id serial PRIMARY KEY, name varchar(20) NOT NULL, theme text);
CREATE TABLE forum (id serial PRIMARY KEY, title text, owner int NOT NULL REFERENCES account ON DELETE CASCADE);
CREATE TABLE post_stats (id serial PRIMARY KEY, seen timestamp NOT NULL DEFAULT now(), score int);
INSERT INTO account (name) VALUES ('admin');
INSERT INTO forum (title, owner) VALUES ('main', 1);
INSERT INTO post_stats (score) VALUES (5);
""",
    "0002_remove_admin.sql": "DELETE FROM account WHERE name LIKE 'admin';\n",
    "0003_changes.sql": """
ALTER TABLE account ALTER COLUMN name TYPE varchar(60);
ALTER TABLE account ALTER COLUMN theme SET DEFAULT 'dark';
INSERT INTO post_stats (score) SELECT count(*) FROM forum GROUP BY owner;
ALTER TABLE post_stats RENAME COLUMN seen TO seen_necro;
ALTER TABLE post_stats ADD COLUMN seen timestamp NOT NULL DEFAULT now();
ALTER TABLE post_stats ADD COLUMN hot int NOT NULL DEFAULT 0;
CREATE SEQUENCE label_seq;
CREATE FUNCTION next_label() RETURNS text LANGUAGE sql AS $$ SELECT 'l' || nextval('label_seq')::text $$;
CREATE TABLE scratch (id int);
CREATE FUNCTION count_scratch() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM scratch $$;
DROP TABLE scratch;
""",
    "0004_citext.sql": """
CREATE EXTENSION IF NOT EXISTS citext;
ALTER TABLE forum ADD COLUMN slug citext;
""",
}


def test_folds_after_removed_rows_build_the_same_database(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    for name, text in HISTORY.items():
        (tmp_path / "migrations" / name).write_text(text.lstrip())
    generate(tmp_path, out=tmp_path / "out")
    sql = "\n".join(p.read_text() for p in sorted((tmp_path / "out").glob("*.sql")))
    # The admin and its forum are gone before anything else happens to them: nothing of them is written.
    assert "INSERT INTO account" not in sql and "INSERT INTO forum" not in sql and "DELETE FROM" not in sql
    assert "ALTER COLUMN name" not in sql and "name varchar(60) NOT NULL" in sql
    assert "ALTER COLUMN theme" not in sql and "DEFAULT 'dark'" in sql
    assert "slug citext" in sql and sql.index("CREATE EXTENSION IF NOT EXISTS citext") < sql.index("CREATE TABLE forum")
    assert sql.count("INSERT INTO post_stats") == 1  # a grouped query over no rows makes none
    # post_stats holds a row, written naming another column: the column is made as seen_necro at
    # once, and `seen` added again under the old name and the column after it follow it, in order.
    create = next(s for s in sql.split(";") if "CREATE TABLE post_stats" in s)
    assert "RENAME COLUMN" not in sql and create.index("seen_necro") < create.index("seen timestamp") < create.index("hot int"), sql
    assert sql.index("CREATE SEQUENCE label_seq") < sql.index("FUNCTION next_label()")
    # PostgreSQL checks a LANGUAGE sql body when the function is made: the table it reads is made
    # first and dropped after, as in the history, though nothing of it is left at the end.
    assert sql.index("CREATE TABLE scratch") < sql.index("FUNCTION count_scratch()") < sql.index("DROP TABLE scratch")
    result = validate(tmp_path, pg="local")
    assert [d.to_json() for d in result.differences] == []
    assert result.equal
