"""Column changes that leave the rows as they were written move into the CREATE TABLE past rows
written in between, proven on PostgreSQL: a key widened to bigint, varchar widened and turned
into text (with Backstage's `USING ("target"::text)`), a NOT NULL dropped, a default dropped where
there was none. What would change a row (a default the rows took dropped, a narrowing, a NOT NULL
set) stays after them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg

pytestmark = [pytest.mark.pg, requires_pg]


def test_changes_that_keep_the_rows_fold_past_them_and_the_set_is_proven(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_locations.sql").write_text(
        "CREATE TABLE locations (id int PRIMARY KEY, type varchar(255) NOT NULL, target varchar(255) NOT NULL, "
        "hits int DEFAULT 0, code varchar(10));\n"
        "INSERT INTO locations VALUES (1, 'bootstrap', 'bootstrap  ', 5, 'abc');\n"
        "INSERT INTO locations (id, type, target) VALUES (2, 'url', 'https://example.com/catalog-info.yaml');\n"
        "CREATE TABLE refs (location_id int REFERENCES locations (id));\nINSERT INTO refs VALUES (2);\n")
    (tmp_path / "migrations" / "0002_widen.sql").write_text(
        'alter table "locations" alter column "target" drop default;\n'
        'alter table "locations" alter column "target" drop not null;\n'
        'alter table "locations" alter column "target" type text using ("target"::text);\n'
        'alter table "locations" alter column "target" set not null;\n'
        "ALTER TABLE locations ALTER COLUMN id TYPE bigint;\nALTER TABLE refs ALTER COLUMN location_id TYPE bigint;\n"
        "ALTER TABLE locations ALTER COLUMN code TYPE varchar(20);\nALTER TABLE locations ALTER COLUMN hits DROP DEFAULT;\n"
        "ALTER TABLE locations ALTER COLUMN type TYPE varchar(100);\n")
    r = run(tmp_path, "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and "0 backed off" in r.stdout, r.stdout + r.stderr
    sql = "\n".join(p.read_text() for p in sorted((tmp_path / ".consolidate" / "new").glob("*.sql")))
    assert "CREATE TABLE locations (id bigint PRIMARY KEY, type varchar(255) NOT NULL, target text, hits int DEFAULT 0, code varchar(20))" in sql
    assert "CREATE TABLE refs (location_id bigint REFERENCES locations (id))" in sql
    for stays in ('alter column "target" set not null', "hits DROP DEFAULT", "type TYPE varchar(100)"):
        assert stays in sql
    v = run(tmp_path, "validate", "--pg", "local", "--rebuild-history")
    assert v.returncode == 0 and "EQUAL" in v.stdout, v.stdout + v.stderr
