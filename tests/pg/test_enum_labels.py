"""An enum's later labels (ALTER TYPE ... ADD VALUE, RENAME VALUE) are written into its CREATE
TYPE: the finding said "once in its final form" and the set kept every ALTER (and, for a label
used in the same file, a file break after each). Where a statement before an ALTER could see
the difference (a row written with a label's old name, a read of the whole set of labels), that
ALTER and those after it stay. Proven on PostgreSQL, then validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.helpers import proven_and_equal
from tests.conftest import requires_pg

pytestmark = [pytest.mark.pg, requires_pg]


def _project(root: Path, files: dict[str, str]) -> Path:
    (root / "migrations").mkdir(parents=True)
    for name, text in files.items():
        (root / "migrations" / name).write_text(text)
    return root


def test_labels_added_and_renamed_later_are_written_into_the_create_type(tmp_path: Path) -> None:
    sql = proven_and_equal(_project(tmp_path, {
        "0001_jobs.sql": "CREATE TYPE state AS ENUM (\n    'new',\n    'done'\n);\nCREATE TABLE jobs (id int PRIMARY KEY, s state NOT NULL);\n",
        "0002_more.sql": "ALTER TYPE state ADD VALUE 'failed';\nALTER TYPE state ADD VALUE 'running' BEFORE 'done';\n"
                         "ALTER TYPE state ADD VALUE IF NOT EXISTS 'new';\n",
        "0003_rename.sql": "ALTER TYPE state RENAME VALUE 'done' TO 'finished';\n",
        "0004_rows.sql": "INSERT INTO jobs VALUES (1, 'running'), (2, 'finished');\n",
    }))
    assert "ALTER TYPE" not in sql
    # The list keeps its layout: one label a line.
    assert "CREATE TYPE state AS ENUM (\n    'new',\n    'running',\n    'finished',\n    'failed'\n)" in sql


def test_a_rename_of_a_label_rows_were_written_with_stays(tmp_path: Path) -> None:
    sql = proven_and_equal(_project(tmp_path, {
        "0001_jobs.sql": "CREATE TYPE state AS ENUM ('new', 'done');\nCREATE TABLE jobs (id int, s state);\n"
                         "INSERT INTO jobs VALUES (1, 'done');\nALTER TYPE state ADD VALUE 'failed';\n",
        "0002_rename.sql": "ALTER TYPE state RENAME VALUE 'done' TO 'finished';\nALTER TYPE state ADD VALUE 'late';\n",
    }))
    # The label added before the rename folds; the rename, and what follows it, stay.
    assert "CREATE TYPE state AS ENUM ('new', 'done', 'failed');" in sql
    assert sql.index("RENAME VALUE 'done' TO 'finished'") < sql.index("ADD VALUE 'late'")


def test_labels_stay_after_a_read_of_the_whole_set(tmp_path: Path) -> None:
    sql = proven_and_equal(_project(tmp_path, {
        "0001_kinds.sql": "CREATE TYPE kind AS ENUM ('a', 'b');\n"
                          "CREATE TABLE kinds AS SELECT unnest(enum_range(NULL::kind)) AS k;\n",
        "0002_more.sql": "ALTER TYPE kind ADD VALUE 'c';\n",
    }))
    assert "ALTER TYPE kind ADD VALUE 'c'" in sql and "ENUM ('a', 'b')" in sql
