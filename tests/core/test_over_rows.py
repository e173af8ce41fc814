"""Which column changes move into the CREATE TABLE past rows written in between: those that leave
each row as it was written. Every change over rows used to stay (Backstage's varchar(255) to text,
Django's integer keys widened to bigint, a NOT NULL dropped)."""

from __future__ import annotations

from pathlib import Path

import pglast
import pytest

from tests.core.plans import plan_of
from tui.core.plan.over_rows import keeps_rows
from tui.core.render import statement_sql


def _change(column: str, alter: str) -> tuple[object, object]:
    cd = pglast.parse_sql(f"CREATE TABLE t ({column})")[0].stmt.tableElts[0]
    cmd = pglast.parse_sql(f"ALTER TABLE t {alter}")[0].stmt.cmds[0]
    return cmd, cd


@pytest.mark.parametrize(("column", "alter"), [
    ("c int NOT NULL", "ALTER COLUMN c DROP NOT NULL"),
    ("c int", "ALTER COLUMN c DROP DEFAULT"),
    ("c int", "ALTER COLUMN c TYPE bigint"),
    ("c smallint", "ALTER COLUMN c TYPE integer"),
    ("c integer", "ALTER COLUMN c TYPE int8 USING c::int8"),
    ("c varchar(10)", "ALTER COLUMN c TYPE varchar(20)"),
    ("c varchar(10)", "ALTER COLUMN c TYPE text USING (\"c\"::text)"),
    ("c character varying(10)", "ALTER COLUMN c TYPE character varying"),
    ("c text", "ALTER COLUMN c TYPE varchar"),
])
def test_changes_that_leave_the_rows_as_they_were(column: str, alter: str) -> None:
    assert keeps_rows(*_change(column, alter))


@pytest.mark.parametrize(("column", "alter"), [
    ("c int DEFAULT 0", "ALTER COLUMN c DROP DEFAULT"),  # rows written in between took the 0
    ("c serial", "ALTER COLUMN c DROP DEFAULT"),
    ("c int", "ALTER COLUMN c SET DEFAULT 1"),
    ("c int", "ALTER COLUMN c SET NOT NULL"),
    ("c bigint", "ALTER COLUMN c TYPE int"),
    ("c varchar(20)", "ALTER COLUMN c TYPE varchar(10)"),
    ("c text", "ALTER COLUMN c TYPE varchar(10)"),
    ("c int", "ALTER COLUMN c TYPE numeric"),
    ("c numeric(10, 2)", "ALTER COLUMN c TYPE numeric"),  # (1.005 was stored as 1.01)
    ("c char(2)", "ALTER COLUMN c TYPE text"),  # (char pads with spaces)
    ("c int", "ALTER COLUMN c TYPE bigint USING c * 10"),
    ("c int[]", "ALTER COLUMN c TYPE bigint[]"),
    ("c varchar(10)", "ALTER COLUMN c TYPE text COLLATE \"C\""),
    ("c myschema.int4", "ALTER COLUMN c TYPE bigint"),
])
def test_changes_that_would_change_rows_written_in_between(column: str, alter: str) -> None:
    assert not keeps_rows(*_change(column, alter))


def test_over_rows_the_widening_folds_and_what_follows_a_change_that_stays_stays(tmp_path: Path) -> None:
    texts = [statement_sql(it) for it in plan_of(
        tmp_path, "CREATE TABLE t (id int PRIMARY KEY, name varchar(50) NOT NULL, n int DEFAULT 0);\n"
                  "INSERT INTO t (id, name) VALUES (1, 'a');\n",
        "ALTER TABLE t ALTER COLUMN id TYPE bigint;\nALTER TABLE t ALTER COLUMN name DROP NOT NULL;\n"
        "ALTER TABLE t ALTER COLUMN n DROP DEFAULT;\nALTER TABLE t ALTER COLUMN n TYPE bigint;\n").items]
    assert texts[0] == "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(50), n int DEFAULT 0)"
    # The default the row took stays dropped after it, and the type change after that, in their order.
    assert texts[-2:] == ["ALTER TABLE t ALTER COLUMN n DROP DEFAULT", "ALTER TABLE t ALTER COLUMN n TYPE bigint"]
