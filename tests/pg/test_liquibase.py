"""Liquibase with formatted SQL: the master changelog's includes in order, each changeset run as
Liquibase runs it, the new set written as formatted SQL in `consolidated/` and the master
including it where the entries it replaces stood. Proven and validated on a real server, for a
master of YAML, of XML and of JSON, with a part of the history kept by --until and --from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg
from tui.core.analysis import analyze

pytestmark = [pytest.mark.pg, requires_pg]

_USERS = ("--liquibase formatted sql\n\n--changeset alice:1\nCREATE TABLE users (id serial PRIMARY KEY, name text);\n"
          "--rollback DROP TABLE users;\n\n--changeset alice:2 dbms:mysql\nCREATE TABLE `mysql_only` (id int);\n\n"
          "--changeset alice:3 runInTransaction:false\nCREATE INDEX CONCURRENTLY users_name ON users (name);\n")
_EMAIL = ("--liquibase formatted sql\n\n--changeset bob:1\n--precondition-sql-check expectedResult:0 SELECT count(*) FROM users\n"
          "ALTER TABLE users ADD COLUMN email text;\nALTER TABLE users ADD COLUMN extra int;\n--rollback ALTER TABLE users DROP COLUMN email;\n")
_LATER = ("--liquibase formatted sql\n\n--changeset carol:1\nALTER TABLE users DROP COLUMN extra;\nCREATE TABLE audit (id int);\n\n"
          "--changeset carol:2 splitStatements:false\nCREATE FUNCTION audit_count() RETURNS bigint LANGUAGE plpgsql AS $$\n"
          "BEGIN\n  RETURN (SELECT count(*) FROM audit);\nEND;\n$$;\n")


# (Liquibase checks an XML changelog against the schema it names: without it nothing runs.)
_XML_ROOT = ('<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
             '    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog '
             'http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">')


def _project(root: Path, master: str) -> Path:
    folder = root / "src" / "main" / "resources" / "db" / "changelog"
    (folder / "changes").mkdir(parents=True)
    for name, text in (("001-users.sql", _USERS), ("002-email.sql", _EMAIL), ("003-later.sql", _LATER)):
        (folder / "changes" / name).write_text(text)
    files = ["001-users.sql", "002-email.sql", "003-later.sql"]
    if master.endswith(".yaml"):  # (one entry in the flow style, the others in the block style)
        text = "databaseChangeLog:\n  - include: {file: db/changelog/changes/001-users.sql}\n" + "".join(
            f"  - include:\n      file: changes/{f}\n      relativeToChangelogFile: true\n" for f in files[1:])
    elif master.endswith(".xml"):
        text = ('<?xml version="1.0" encoding="UTF-8"?>\n' + _XML_ROOT + "\n"
                + "".join(f'    <include file="changes/{f}" relativeToChangelogFile="true"/>\n' for f in files)
                + "</databaseChangeLog>\n")
    else:
        text = json.dumps({"databaseChangeLog": [{"includeAll": {"path": "changes/", "relativeToChangelogFile": True}}]}, indent=2)
    (folder / master).write_text(text)
    return folder


@pytest.mark.parametrize("master", ["db.changelog-master.yaml", "db.changelog-master.xml", "db.changelog-master.json"])
def test_a_liquibase_history_is_proven_and_its_master_includes_the_new_set(tmp_path: Path, master: str) -> None:
    folder = _project(tmp_path, master)
    analysis = analyze(tmp_path)
    assert analysis.sources.format == "liquibase" and analysis.ok
    assert [m.version for m in analysis.sources.migrations] == ["001-users.sql::1::alice", "001-users.sql::3::alice",
                                                                  "002-email.sql::1::bob", "003-later.sql::1::carol", "003-later.sql::2::carol"]
    assert [m.transactional for m in analysis.sources.migrations] == [True, False, True, True, True]  # (not mysql's)
    said = [d.message for d in analysis.diagnostics]
    assert any("has a precondition: read as met" in m for m in said) and any("is for mysql" in m for m in said), said
    r = run(tmp_path, "generate", "--pg", "local")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = tmp_path / ".consolidate" / "new"
    written = sorted((new / "consolidated").glob("*.sql"))
    assert written and not (new / "changes").exists()
    for p in written:
        assert p.read_text().startswith("--liquibase formatted sql\n\n--changeset consolidate:")
    text = "".join(p.read_text() for p in written)
    assert "runInTransaction:false\n" in text and "CONCURRENTLY" in text and "ADD COLUMN" not in text and "mysql_only" not in text
    assert all(("splitStatements:false" in t) == ("$$" in t) for t in (p.read_text() for p in written))  # (a body's semicolons)
    assert "--rollback DROP TABLE IF EXISTS users CASCADE;\n" in text  # (what `liquibase rollback` runs)
    # (a changeset without a rollback stops `liquibase rollback` there: an index's drop, or nothing)
    assert "--rollback DROP INDEX IF EXISTS users_name;\n" in text
    assert all("\n--rollback " in p.read_text() for p in written)
    rewritten = (new / master).read_text()
    assert "consolidated/" in rewritten and "001-users.sql" not in rewritten and "002-email.sql" not in rewritten
    again = analyze(tmp_path, ".consolidate/new")
    assert again.ok and len(again.sources.migrations) == len(written)
    r = run(tmp_path, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
    assert folder.is_dir()


@pytest.mark.parametrize("master", ["db.changelog-master.yaml", "db.changelog-master.xml", "db.changelog-master.json"])
def test_a_part_of_the_history_keeps_its_files_and_the_master_runs_the_set_in_their_place(tmp_path: Path, master: str) -> None:
    _project(tmp_path, master)
    inside = run(tmp_path, "generate", "--pg", "local", "--until", "001-users.sql::1::alice")
    assert inside.returncode != 0 and "give 001-users.sql::3::alice" in inside.stderr, inside.stderr
    r = run(tmp_path, "generate", "--pg", "local", "--until", "002-email.sql::1::bob")  # (003-later.sql kept)
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = tmp_path / ".consolidate" / "new"
    assert sorted(p.name for p in (new / "changes").iterdir()) == ["003-later.sql"]
    rewritten = (new / master).read_text()
    if not master.endswith(".json"):  # (the set first, then the file kept)
        assert rewritten.index("consolidated/") < rewritten.index("003-later.sql") and "002-email.sql" not in rewritten
    assert run(tmp_path, "validate", "--pg", "local").returncode == 0
    r = run(tmp_path, "generate", "--pg", "local", "--from", "002-email.sql::1::bob")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    names = [p.name[:5] for p in sorted((new / "consolidated").iterdir())]
    assert names == [f"{n:04d}_" for n in range(1, len(names) + 1)]  # (numbered from 1: the master places them)
    rewritten = (new / master).read_text()
    if not master.endswith(".json"):  # (the file kept first, then the set)
        assert rewritten.index("001-users.sql") < rewritten.index("consolidated/") and "003-later.sql" not in rewritten
    assert run(tmp_path, "validate", "--pg", "local").returncode == 0


def test_changelogs_the_master_includes_are_followed_and_rewritten_where_a_part_of_them_stays(tmp_path: Path) -> None:
    """A master of releases, each a changelog of its own that includes formatted SQL files."""
    folder = tmp_path / "db" / "changelog"
    (folder / "releases" / "sql").mkdir(parents=True)
    (folder / "db.changelog-master.yaml").write_text("databaseChangeLog:\n  - include:\n      file: releases/r1.xml\n"
                                                     "      relativeToChangelogFile: true\n  - include:\n      file: releases/r2.yaml\n"
                                                     "      relativeToChangelogFile: true\n")
    (folder / "releases" / "r1.xml").write_text(_XML_ROOT + "\n"
                                                '  <include file="sql/001.sql" relativeToChangelogFile="true"/>\n'
                                                '  <include file="sql/002.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n')
    (folder / "releases" / "r2.yaml").write_text("databaseChangeLog:\n  - include:\n      file: sql/003.sql\n      relativeToChangelogFile: true\n")
    for name, sql in (("001", "CREATE TABLE t (id int PRIMARY KEY);"), ("002", "ALTER TABLE t ADD COLUMN a int;"),
                      ("003", "ALTER TABLE t ADD COLUMN b int;")):
        (folder / "releases" / "sql" / f"{name}.sql").write_text(f"--liquibase formatted sql\n\n--changeset x:{name}\n{sql}\n")
    analysis = analyze(tmp_path, "db/changelog")
    assert [m.version for m in analysis.sources.migrations] == ["001.sql::001::x", "002.sql::002::x", "003.sql::003::x"]
    new = tmp_path / ".consolidate" / "new"
    r = run(tmp_path, "generate", "--migrations", "db/changelog", "--pg", "local")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    assert "releases" not in (new / "db.changelog-master.yaml").read_text() and not (new / "releases" / "sql").exists()
    assert (new / "releases" / "r2.yaml").read_text() == "databaseChangeLog: []\n"  # (what includes its folder runs nothing)
    assert (new / "releases" / "r1.xml").read_text() == _XML_ROOT + "\n</databaseChangeLog>\n"  # (its schema kept: Liquibase checks it)
    r = run(tmp_path, "generate", "--migrations", "db/changelog", "--pg", "local", "--until", "001.sql::001::x")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    master = (new / "db.changelog-master.yaml").read_text()
    assert master.index("consolidated/") < master.index("releases/r1.xml") < master.index("releases/r2.yaml")
    r1 = (new / "releases" / "r1.xml").read_text()
    assert "sql/001.sql" not in r1 and "sql/002.sql" in r1 and not (new / "releases" / "sql" / "001.sql").exists()
    assert (new / "releases" / "r2.yaml").read_text() == (folder / "releases" / "r2.yaml").read_text()  # (kept as it was)
    assert run(tmp_path, "validate", "--migrations", "db/changelog", "--pg", "local").returncode == 0


def test_a_plain_sql_file_is_one_changeset_and_the_drivers_doubled_marks_are_read_and_written(tmp_path: Path) -> None:
    """Liquibase runs an included file without the formatted SQL header whole, as a changeset of its
    own naming; it prepares each statement, so a jsonb `?` is written `??` (a `?` in quotes stays)."""
    folder = tmp_path / "db" / "changelog"
    folder.mkdir(parents=True)
    (folder / "master.yaml").write_text("databaseChangeLog:\n" + "".join(
        f"  - include:\n      file: {f}\n      relativeToChangelogFile: true\n" for f in ("001-schema.sql", "002-seed.sql", "003-more.sql")))
    (folder / "001-schema.sql").write_text("--liquibase formatted sql\n\n--changeset x:1\nCREATE TABLE item (id int PRIMARY KEY, "
                                           "attrs jsonb, note text);\n")
    (folder / "002-seed.sql").write_text("INSERT INTO item VALUES (1, '{\"k\": 1}', 'why?');\nINSERT INTO item VALUES (2, '{}', '??');\n")
    (folder / "003-more.sql").write_text("--liquibase formatted sql\n\n--changeset x:3\nALTER TABLE item ADD COLUMN has_k boolean;\n"
                                         "UPDATE item SET has_k = attrs ?? 'k';\nCREATE VIEW keyed AS SELECT id FROM item WHERE attrs ??| "
                                         "array['k'];\n")
    analysis = analyze(tmp_path, "db/changelog")
    assert analysis.ok and [m.version for m in analysis.sources.migrations] == ["001-schema.sql::1::x", "002-seed.sql::raw::includeAll",
                                                                               "003-more.sql::3::x"]
    assert "attrs ? 'k'" in analysis.sources.migrations[2].sql and "'??'" in analysis.sources.migrations[1].sql
    r = run(tmp_path, "generate", "--migrations", "db/changelog", "--pg", "local")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    text = "".join(p.read_text() for p in sorted((tmp_path / ".consolidate" / "new" / "consolidated").glob("*.sql")))
    assert "attrs ?? 'k'" in text and "attrs ??| array" in text and "'why?'" in text and "'??'" in text, text
    assert "attrs ? " not in text
    r = run(tmp_path, "validate", "--migrations", "db/changelog", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr


JHIPSTER = Path(__file__).resolve().parents[1] / "fixtures" / "projects" / "jhipster"


def test_a_jhipster_history_of_change_types_is_proven_and_its_changelogs_replaced(tmp_path: Path) -> None:
    """XML changelogs of Liquibase's change types (a sequence, tables with keys, rows, later
    columns, a renamed column, a view), a formatted SQL file between them, an index made
    CONCURRENTLY and a changeset for H2 only."""
    shutil.copytree(JHIPSTER, tmp_path, dirs_exist_ok=True)
    folder = tmp_path / "src" / "main" / "resources" / "config" / "liquibase"
    analysis = analyze(tmp_path)
    assert analysis.ok and analysis.sources.format == "liquibase", [d.message for d in analysis.diagnostics]
    assert len(analysis.sources.migrations) == 10 and analysis.sources.migrations[-2].transactional is False
    function = analysis.sources.migrations[-1]  # (a changeset that runs one SQL file: a migration of that file, on its lines)
    assert (function.version, function.file, function.first_line) == (
        "20240301000000_changes.xml::20240301000000-4::dev", "src/main/resources/config/liquibase/functions/pet_count.sql", 1)
    r = run(tmp_path, "generate", "--pg", "local")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = tmp_path / ".consolidate" / "new"
    text = "".join(p.read_text() for p in sorted((new / "consolidated").glob("*.sql")))
    assert "TIMESTAMP WITHOUT TIME ZONE" in text and "CONSTRAINT jhi_user_pkey PRIMARY KEY (id)" in text
    master = (new / "master.xml").read_text()
    assert "consolidated/" in master and "<include " not in master
    # (the owners' fake rows run under context faker only: they keep it, in a changeset of their own)
    faker = [p.read_text() for p in (new / "consolidated").glob("*.sql") if "context:faker" in p.read_text()]
    assert len(faker) == 1 and "'Zoe'" in faker[0] and faker[0].count("INSERT") == 1 and "'Zoe'" not in text.replace(faker[0], "")
    assert all("<changeSet" not in p.read_text() for p in (new / "changelog").glob("*.xml"))  # (left empty)
    r = run(tmp_path, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
    kept = "20240301000000_changes.xml"
    r = run(tmp_path, "generate", "--pg", "local", "--until", "20240101000001_added_entity_constraints_Pet.xml::20240101000001-2::jhipster")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    assert (new / "changelog" / kept).read_bytes() == (folder / "changelog" / kept).read_bytes()  # (its changesets run after the set)
    master = (new / "master.xml").read_text()
    assert master.index("consolidated/") < master.index("sql/20240201_seed.sql") < master.index(kept)
    r = run(tmp_path, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
