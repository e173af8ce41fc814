"""A column renamed after indexes and keys over it were made is made under its new name, the
indexes (tui/core/plan/index_renames.py, index_naming_renamed) and the table's keys (column_text,
rename_key_column) written naming it, wherever they name it as a column alone. The proof on
PostgreSQL: the families columns_renamed_after_indexes_over_them and
columns_renamed_under_keys_of_their_table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.plans import generated_sql, write_history
from tui.core.names import clone
from tui.core.parse import Statement, parse_sql
from tui.core.plan.column_text import rename_key_column
from tui.core.plan.index_renames import index_text
from tui.core.plan.row_text import rename_insert_column

TABLE = "CREATE TABLE t (id int PRIMARY KEY, slug text NOT NULL, label text);\n"


def _renamed(sql: str, old: str, new: str, name: str | None = None) -> str | None:
    node = parse_sql(sql)[0].stmt
    changed = clone(node)
    changed.idxname = name or node.idxname
    for attr in ("indexParams", "indexIncludingParams"):
        for e in getattr(changed, attr) or ():
            if e.name == old:
                e.name = new
    return index_text(Statement(0, 0, "m.sql", 1, 1, sql, node, base=0), changed)


def test_the_index_text_names_the_new_column_as_the_author_quoted_it() -> None:
    assert _renamed('CREATE INDEX "t_slug_1" ON "t" ("slug" varchar_pattern_ops)', "slug", "key") == \
        'CREATE INDEX "t_slug_1" ON "t" ("key" varchar_pattern_ops)'
    assert _renamed("CREATE UNIQUE INDEX i ON s.t USING btree (label, lower(x), slug DESC) INCLUDE (slug) WHERE id > 0", "slug", "key") == \
        "CREATE UNIQUE INDEX i ON s.t USING btree (label, lower(x), key DESC) INCLUDE (key) WHERE id > 0"
    assert _renamed("CREATE INDEX ON t (slug)", "slug", "key", name="t_slug_idx") == "CREATE INDEX t_slug_idx ON t (key)"


def test_a_column_renamed_after_its_indexes_is_made_under_its_new_name(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_m.sql": TABLE + 'CREATE INDEX "t_slug_1" ON "t" ("slug");\nCREATE INDEX ON t (label) INCLUDE (slug);\n',
        "0002_m.sql": "ALTER TABLE t RENAME COLUMN slug TO key;\n"}))
    assert "RENAME" not in sql and "key text CONSTRAINT t_slug_not_null NOT NULL" in sql, sql
    assert 'CREATE INDEX "t_slug_1" ON "t" ("key");' in sql, sql
    # (PostgreSQL named it after the column as it was called then: the name is written out)
    assert "CREATE INDEX t_label_slug_idx ON t (label) INCLUDE (key);" in sql, sql


@pytest.mark.parametrize("index", ["CREATE INDEX t_lower ON t (lower(slug))", "CREATE INDEX t_part ON t (label) WHERE slug <> ''",
                                   "CREATE INDEX t_both ON t (slug, lower(slug))"])
def test_an_index_naming_the_column_in_an_expression_keeps_the_rename(tmp_path: Path, index: str) -> None:
    sql = generated_sql(write_history(tmp_path, {"0001_m.sql": TABLE + index + ";\n", "0002_m.sql": "ALTER TABLE t RENAME COLUMN slug TO key;\n"}))
    assert "ALTER TABLE t RENAME COLUMN slug TO key" in sql and index + ";" in sql, sql


def test_a_key_s_text_names_the_new_column_in_its_own_lists_only() -> None:
    assert rename_key_column('CONSTRAINT "Poll_pkey" PRIMARY KEY ("urlId")', "urlId", "url_id") == 'CONSTRAINT "Poll_pkey" PRIMARY KEY ("url_id")'
    assert rename_key_column("UNIQUE NULLS NOT DISTINCT (tenant_id, domain_id) INCLUDE (domain_id)", "domain_id", "zone_id") == \
        "UNIQUE NULLS NOT DISTINCT (tenant_id, zone_id) INCLUDE (zone_id)"
    # (What a foreign key references is another table's column, even of the same name.)
    assert rename_key_column("FOREIGN KEY(domain_id) REFERENCES domains (domain_id)", "domain_id", "zone_id") == \
        "FOREIGN KEY(zone_id) REFERENCES domains (domain_id)"
    assert rename_key_column("PRIMARY KEY (key, type)", "key", "k") == "PRIMARY KEY (k, type)"
    assert rename_key_column("UNIQUE (a, b)", "c", "d") is None


def test_an_insert_s_column_list_names_the_new_column_as_the_author_quoted_it() -> None:
    assert rename_insert_column('INSERT INTO "Poll" ("id", "urlId") VALUES (1, \'urlId\') RETURNING id', "urlId", "url_id") == \
        'INSERT INTO "Poll" ("id", "url_id") VALUES (1, \'urlId\') RETURNING id'
    assert rename_insert_column("INSERT INTO t AS x (a, key) SELECT 1, 2", "key", "k") == "INSERT INTO t AS x (a, k) SELECT 1, 2"
    assert rename_insert_column("INSERT INTO t (a, b) VALUES (1, 2)", "c", "d") is None


def test_rows_written_before_a_rename_under_a_trigger_keep_it(tmp_path: Path) -> None:
    """The trigger's function may name the column by its old name: run while the column is made
    under the new one, it would fail."""
    sql = generated_sql(write_history(tmp_path, {
        "0001_m.sql": TABLE + "CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.slug := lower(NEW.slug); RETURN NEW; END $$;\n"
                      "CREATE TRIGGER t_keep BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION keep();\n"
                      "INSERT INTO t (id, slug) VALUES (1, 'A');\n",
        "0002_m.sql": "ALTER TABLE t RENAME COLUMN slug TO key;\n"}))
    assert "ALTER TABLE t RENAME COLUMN slug TO key" in sql and "INSERT INTO t (id, slug)" in sql, sql


def test_rows_a_trigger_of_another_table_wrote_before_a_rename_keep_it(tmp_path: Path) -> None:
    """The rows came from a function's code, which names the column by its old name."""
    sql = generated_sql(write_history(tmp_path, {
        "0001_m.sql": TABLE + "CREATE TABLE src (id int);\n"
                      "CREATE FUNCTION copy_src() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t (id, slug) VALUES (NEW.id, 'x');"
                      " RETURN NEW; END $$;\nCREATE TRIGGER src_copy AFTER INSERT ON src FOR EACH ROW EXECUTE FUNCTION copy_src();\n"
                      "INSERT INTO src VALUES (1);\n",
        "0002_m.sql": "ALTER TABLE t RENAME COLUMN slug TO key;\n"}))
    assert "ALTER TABLE t RENAME COLUMN slug TO key" in sql, sql


def test_an_insert_follows_each_rename_of_its_columns(tmp_path: Path) -> None:
    """Each rename reads the INSERT as the ones before it left it (random seed 11809 on 18.6)."""
    sql = generated_sql(write_history(tmp_path, {
        "0001_m.sql": "CREATE TABLE t (id int PRIMARY KEY, a text, b text);\nINSERT INTO t (id, a, b) VALUES (1, 'x', 'y');\n",
        "0002_m.sql": "ALTER TABLE t RENAME COLUMN a TO a2;\nALTER TABLE t RENAME COLUMN b TO b2;\nALTER TABLE t RENAME COLUMN a2 TO a3;\n"}))
    assert "INSERT INTO t (id, a3, b2) VALUES (1, 'x', 'y');" in sql and "RENAME" not in sql, sql
