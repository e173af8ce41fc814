"""A column added with a foreign key into a cycle of tables folds into its CREATE TABLE, the key
written apart: PostgreSQL builds the same database (the key's name, actions and deferral)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.helpers import proven_and_equal
from tests.conftest import requires_pg

pytestmark = [pytest.mark.pg, requires_pg]


def test_keys_written_apart_build_the_same_database(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_a.sql").write_text(
        "CREATE TABLE flags (key text PRIMARY KEY, name text);\n"
        "CREATE TABLE variants (id text PRIMARY KEY, flag_key text REFERENCES flags ON DELETE CASCADE);\n"
        "INSERT INTO flags VALUES ('a', 'A');\nINSERT INTO variants VALUES ('v', 'a');\n")
    (tmp_path / "migrations" / "0002_b.sql").write_text(
        "ALTER TABLE flags ADD COLUMN default_variant_id text REFERENCES variants(id) ON DELETE SET NULL;\n"
        'ALTER TABLE "flags" ADD COLUMN "fallback_id" text NULL CONSTRAINT "flags_fallback_fk" '
        'REFERENCES "variants"("id") DEFERRABLE INITIALLY DEFERRED;\n'
        "ALTER TABLE flags ADD COLUMN metadata json;\n")
    sql = proven_and_equal(tmp_path)
    assert "ADD COLUMN" not in sql and "default_variant_id text, " in sql and '"fallback_id" text NULL, metadata json' in sql, sql
    assert "FOREIGN KEY (default_variant_id) REFERENCES variants (id) ON DELETE SET NULL" in sql
    assert "ADD CONSTRAINT flags_fallback_fk FOREIGN KEY (fallback_id) REFERENCES variants (id) DEFERRABLE INITIALLY DEFERRED" in sql
