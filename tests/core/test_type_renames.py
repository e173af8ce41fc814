"""An enum's RENAME folds into its CREATE TYPE, the columns of the CREATE TABLEs between declared of
it under its final name (tui/core/plan/type_renames.py), only where nothing else written between
them names it. The proof on PostgreSQL: the families enums_renamed_after_they_were_made and
enum_replaced_by_new_type."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.plans import generated_sql, write_history

# Prisma's swap when a value is removed, the column called as its type.
SWAP = ("CREATE TYPE status_new AS ENUM ('open', 'closed');\n"
        "ALTER TABLE vote ALTER COLUMN status TYPE status_new USING (status::text::status_new);\n"
        "ALTER TYPE status RENAME TO status_old;\nALTER TYPE status_new RENAME TO status;\nDROP TYPE status_old;\n")


def test_an_enum_swapped_for_a_new_one_is_made_under_its_name(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_m.sql": "CREATE TYPE status AS ENUM ('open', 'paused', 'closed');\nCREATE TABLE vote (id int PRIMARY KEY, status status NOT NULL);\n",
        "0002_m.sql": SWAP}))
    assert "CREATE TYPE status AS ENUM ('open', 'closed');" in sql and "status status NOT NULL" in sql, sql
    assert "RENAME" not in sql and "status_new" not in sql and "paused" not in sql, sql


NAMERS = {
    "a cast in a default": "CREATE TABLE other (s status_new DEFAULT 'open'::status_new);\n",
    "a function's argument": "CREATE FUNCTION f(s status_new) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n",
    "a view": "CREATE VIEW v AS SELECT 'open'::status_new AS s;\n",
}


@pytest.mark.parametrize("namer", sorted(NAMERS))
def test_an_enum_named_otherwise_before_its_rename_keeps_it(tmp_path: Path, namer: str) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_m.sql": "CREATE TYPE status_new AS ENUM ('open', 'closed');\n" + NAMERS[namer],
        "0002_m.sql": "ALTER TYPE status_new RENAME TO status;\n"}))
    assert "ALTER TYPE status_new RENAME TO status" in sql and "CREATE TYPE status_new" in sql, sql


def test_an_enum_whose_new_name_a_written_type_had_keeps_its_rename(tmp_path: Path) -> None:
    sql = generated_sql(write_history(tmp_path, {
        "0001_m.sql": "CREATE TYPE status AS ENUM ('open');\nCREATE TABLE kept (s status);\nINSERT INTO kept VALUES ('open');\n"
                      "CREATE TYPE status_new AS ENUM ('open', 'closed');\n",
        "0002_m.sql": "ALTER TYPE status RENAME TO status_old;\nALTER TYPE status_new RENAME TO status;\n"}))
    assert "ALTER TYPE status_new RENAME TO status" in sql, sql
