"""A DO block that runs one ALTER TABLE, guarded against its object being there already
(drizzle's `EXCEPTION WHEN duplicate_object THEN null` around every foreign key, an `IF NOT
EXISTS (SELECT ... FROM pg_constraint ...)` test), folds into the CREATE TABLE as that statement
would, the block gone; a block that stays keeps the later changes of what it changed after it.
An enum made in such a block takes its later labels there, and a label's rename guarded by the
error PostgreSQL raises where the label is gone folds too. The proof on PostgreSQL: the families
keys_added_in_guarded_blocks and enums_made_in_guarded_blocks_given_labels_later."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.plans import plan_of
from tui.core.formats.base import Migration
from tui.core.parse import parse_history
from tui.core.render import statement_sql

TABLES = "CREATE TABLE users (id int PRIMARY KEY, email text);\nCREATE TABLE posts (id int PRIMARY KEY, author_id int NOT NULL);\n"
DRIZZLE_KEY = ('DO $$ BEGIN\n ALTER TABLE "posts" ADD CONSTRAINT "posts_author_fk" FOREIGN KEY ("author_id") REFERENCES "users"("id");\n'
               "EXCEPTION\n WHEN duplicate_object THEN null;\nEND $$;\n")
TESTED_UNIQUE = ("DO $$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_email_key') THEN\n"
                 '        ALTER TABLE "users" ADD CONSTRAINT "users_email_key" UNIQUE ("email");\n    END IF;\nEND $$;\n')


def _texts(tmp_path: Path, *files: str) -> list[str]:
    return [statement_sql(it) for it in plan_of(tmp_path, *files).items]


def test_a_key_added_in_a_guarded_block_is_written_into_its_create(tmp_path: Path) -> None:
    texts = _texts(tmp_path, TABLES + DRIZZLE_KEY, TESTED_UNIQUE)
    assert not any(t.startswith("DO") for t in texts), texts
    posts = next(t for t in texts if t.startswith("CREATE TABLE posts"))
    users = next(t for t in texts if t.startswith("CREATE TABLE users"))
    assert 'CONSTRAINT "posts_author_fk" FOREIGN KEY ("author_id") REFERENCES "users"("id")' in posts
    assert 'CONSTRAINT "users_email_key" UNIQUE ("email")' in users


def test_a_guarded_block_whose_object_is_there_already_is_not_folded(tmp_path: Path) -> None:
    # (The guard held it back: PostgreSQL made nothing, and the CREATE keeps its own key.)
    texts = _texts(tmp_path, TABLES.replace("email text", "email text CONSTRAINT users_email_key UNIQUE"), TESTED_UNIQUE)
    users = next(t for t in texts if t.startswith("CREATE TABLE users"))
    assert users.count("users_email_key") == 1, texts


def test_a_block_that_stays_keeps_the_later_change_of_a_column_it_changed_after_it(tmp_path: Path) -> None:
    block = ("DO $$ BEGIN ALTER TABLE posts ALTER COLUMN author_id SET DEFAULT 1; ALTER TABLE users ADD COLUMN x int;\n"
             "EXCEPTION WHEN undefined_column THEN null; END $$;\n")
    texts = _texts(tmp_path, TABLES + block, "ALTER TABLE posts ALTER COLUMN author_id SET DEFAULT 2;\n")
    assert texts[-1] == "ALTER TABLE posts ALTER COLUMN author_id SET DEFAULT 2", texts
    assert "DEFAULT 2" not in next(t for t in texts if t.startswith("CREATE TABLE posts"))


def test_labels_added_later_are_written_into_an_enum_made_in_a_guarded_block(tmp_path: Path) -> None:
    """drizzle-kit makes each enum in a block; its later ADD VALUEs go into the CREATE TYPE there."""
    enum = ('DO $$ BEGIN\n CREATE TYPE "public"."status" AS ENUM(\'draft\', \'live\');\nEXCEPTION\n'
            " WHEN duplicate_object THEN null;\nEND $$;\n")
    texts = _texts(tmp_path, enum + 'CREATE TABLE "posts" ("id" int PRIMARY KEY, "status" "status" DEFAULT \'draft\');\n',
                   "ALTER TYPE \"public\".\"status\" ADD VALUE 'archived';\nALTER TYPE \"public\".\"status\" ADD VALUE 'review' BEFORE 'live';\n")
    assert texts[0] == enum.rstrip(";\n").replace("'draft', 'live'", "'draft', 'review', 'live', 'archived'"), texts
    assert not any(t.startswith("ALTER TYPE") for t in texts), texts


@pytest.mark.parametrize(("inner", "kind"), [
    ("ALTER TYPE level RENAME VALUE 'WARN' TO 'WARNING';", "guarded"),
    # (Around anything else the condition may mean anything: PostgreSQL is asked what it did.)
    ("ALTER TABLE t SET (fillfactor = 70);", "logic"),
])
def test_a_missing_label_guards_a_label_s_rename_only(inner: str, kind: str) -> None:
    sql = f"DO $$ BEGIN BEGIN {inner} EXCEPTION WHEN invalid_parameter_value THEN null; END; END $$;\n"
    do, = parse_history([Migration("1", "a", "m/1_a.sql", sql)]).statements
    assert do.do_kind == kind


def test_a_label_renamed_in_a_guarded_block_is_written_into_its_create_type(tmp_path: Path) -> None:
    """kestra: `BEGIN ALTER TYPE ... RENAME VALUE ... EXCEPTION WHEN invalid_parameter_value THEN
    null; END` (the label renamed before). Run again over the renamed label, it does nothing."""
    rename = ("DO $$ BEGIN BEGIN ALTER TYPE level RENAME VALUE 'WARN' TO 'WARNING'; "
              "EXCEPTION WHEN invalid_parameter_value THEN null; END; END $$;\n")
    texts = _texts(tmp_path, "CREATE TYPE level AS ENUM ('ERROR', 'WARN');\nCREATE TABLE logs (id int, level level);\n", rename + rename)
    assert texts[0] == "CREATE TYPE level AS ENUM ('ERROR', 'WARNING')", texts
    assert not any(t.startswith("DO") for t in texts), texts


def test_renames_in_guarded_blocks_fold_into_the_create(tmp_path: Path) -> None:
    """litellm's `IF EXISTS (SELECT 1 FROM information_schema.columns WHERE ... column_name = 'alias')
    THEN ALTER TABLE ... RENAME COLUMN`, zou's constraint renamed where the old name is there and
    the new one is not."""
    column = ("DO $$\nBEGIN\n    IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'email') THEN\n"
              '        ALTER TABLE "users" RENAME COLUMN "email" TO "mail";\n    END IF;\nEND $$;\n')
    key = ("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'posts_pkey') AND NOT EXISTS (\n"
           "    SELECT 1 FROM pg_constraint WHERE conname = 'post_pk') THEN\n"
           "    ALTER TABLE posts RENAME CONSTRAINT posts_pkey TO post_pk;\nEND IF; END $$;\n")
    texts = _texts(tmp_path, TABLES, column + key)
    assert not any(t.startswith("DO") for t in texts), texts
    assert "\"mail\" text" in next(t for t in texts if t.startswith("CREATE TABLE users"))  # (as the RENAME quotes it)
    assert "CONSTRAINT post_pk PRIMARY KEY" in next(t for t in texts if t.startswith("CREATE TABLE posts"))
