"""A DO block that runs one ALTER TABLE, guarded against its object being there already
(drizzle's `EXCEPTION WHEN duplicate_object THEN null` around every foreign key, an `IF NOT
EXISTS (SELECT ... FROM pg_constraint ...)` test), folds into the CREATE TABLE as that statement
would, the block gone; a block that stays keeps the later changes of what it changed after it.
The proof on PostgreSQL: the family keys_added_in_guarded_blocks."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import plan_of
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
