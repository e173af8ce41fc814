"""Reading a Liquibase master changelog: its include entries in order, each resolved inside the
project; what else decides what runs is an error that names its line."""

from __future__ import annotations

from pathlib import Path

from tui.core.errors import ERROR
from tui.core.formats.liquibase import _emptied, _ignored
from tui.core.formats.liquibase_changelog import dbms_matches, entries, rewritten


def _read(tmp_path: Path, name: str, text: str) -> tuple[list[tuple[str, list[str]]], list[tuple[int, str]]]:
    folder = tmp_path / "db" / "changelog"
    (folder / "changes").mkdir(parents=True, exist_ok=True)
    for f in ("a.sql", "b.sql"):
        (folder / "changes" / f).write_text("--liquibase formatted sql\n")
    (tmp_path / "secret.sql").write_text("--liquibase formatted sql\n")
    (folder / name).write_text(text)
    diags: list = []  # type: ignore[type-arg]
    found = entries(folder / name, folder, name, diags)
    return [(e.kind, [p.name for p in e.files]) for e in found], [(d.line, d.message) for d in diags if d.severity == ERROR]


def test_yaml_entries_in_either_style_and_what_is_not_read(tmp_path: Path) -> None:
    read, errors = _read(tmp_path, "master.yaml", (
        "databaseChangeLog:\n"
        "  - include: {file: changes/a.sql, relativeToChangelogFile: true}\n"
        "  # a comment\n"
        "  - preConditions:\n      - dbms:\n          type: postgresql\n"
        "  - include:\n      file: db/changelog/changes/b.sql\n"
        "  - include:\n      file: ../../secret.sql\n      relativeToChangelogFile: true\n"
        "  - includeAll:\n      path: changes/\n      relativeToChangelogFile: true\n"))
    # (b.sql is named from the search path's top, above the folder read here: found by its tail
    # beside the changelog; the secret file is outside the folder read, never looked at)
    assert read == [("include", ["a.sql"]), ("include", ["b.sql"]), ("include", []), ("includeAll", ["a.sql", "b.sql"])]
    assert errors[0][0] == 4 and "a `preConditions` entry" in errors[0][1]
    assert [line for line, _ in errors[1:]] == [9] and "../../secret.sql: not found" in errors[1][1]


def test_xml_entries_with_their_lines_and_a_doctype_refused(tmp_path: Path) -> None:
    read, errors = _read(tmp_path, "master.xml", (
        '<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        '  <!-- <include file="changes/old.sql"/> -->\n'
        '  <include file="changes/b.sql" relativeToChangelogFile="true"/>\n'
        '  <changeSet id="1" author="a"><createTable tableName="t"/></changeSet>\n'
        '  <include\n     file="changes/a.sql"\n     relativeToChangelogFile="true"/>\n</databaseChangeLog>\n'))
    # (the commented one is none; a changeset is an entry, in the changelog's own file)
    assert read == [("include", ["b.sql"]), ("changeSet", ["master.xml"]), ("include", ["a.sql"])] and errors == []
    master = tmp_path / "db" / "changelog" / "master.xml"
    found = entries(master, tmp_path, "master.xml", [])
    assert [e.line for e in found] == [4, 5, 6]
    text = rewritten(master, found, {0, 2}, 0, False)  # (both includes replaced: the set where the first stood)
    assert text.splitlines()[2:6] == ['  <!-- <include file="changes/old.sql"/> -->',
                                      '  <includeAll path="consolidated/" relativeToChangelogFile="true"/>',
                                      '  <changeSet id="1" author="a"><createTable tableName="t"/></changeSet>', "</databaseChangeLog>"]
    _, errors = _read(tmp_path, "other.xml", '<!DOCTYPE x [<!ENTITY e "x">]>\n<databaseChangeLog/>\n')
    assert errors and "DOCTYPE" in errors[0][1]


def test_which_changesets_run_on_postgresql() -> None:
    assert dbms_matches("") and dbms_matches("postgresql, mysql") and dbms_matches("all")
    assert not dbms_matches("mysql") and not dbms_matches("!postgresql") and dbms_matches("!mysql")


def test_sql_outside_any_changeset_is_named_not_dropped_in_silence(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    folder = tmp_path / "db" / "changelog"
    folder.mkdir(parents=True)
    (folder / "db.changelog-master.yaml").write_text("databaseChangeLog:\n  - include:\n      file: a.sql\n      relativeToChangelogFile: true\n")
    (folder / "a.sql").write_text("--liquibase formatted sql\n-- a note\nCREATE TABLE lost (id int);\n\n--changeset a:1\nCREATE TABLE t (id int);\n")
    analysis = analyze(tmp_path, "db/changelog")
    assert [m.version for m in analysis.sources.migrations] == ["a.sql::1::a"]
    assert any(d.file == "db/changelog/a.sql" and d.line == 3 and "before the first `--changeset`" in d.message and d.lost
               for d in analysis.diagnostics)


def test_the_lines_liquibase_is_told_to_ignore_are_not_run() -> None:
    body = ["a;", "--ignoreLines:start", "b;", "c;", "--ignoreLines:end", "d;", "--ignoreLines:1", "e;", "f;"]
    assert _ignored(body) == ["a;", "", "", "", "", "d;", "", "", "f;"]


def test_a_master_written_with_cr_lf_is_rewritten_with_cr_lf(tmp_path: Path) -> None:
    _read(tmp_path, "master.yaml", "databaseChangeLog:\r\n  - include:\r\n      file: changes/a.sql\r\n      relativeToChangelogFile: true\r\n"
          "  - include:\r\n      file: changes/b.sql\r\n      relativeToChangelogFile: true\r\n")
    master = tmp_path / "db" / "changelog" / "master.yaml"
    text = rewritten(master, entries(master, tmp_path, "master.yaml", []), {0}, 0, False)
    assert text == ("databaseChangeLog:\r\n  - includeAll:\r\n      path: consolidated/\r\n      relativeToChangelogFile: true\r\n"
                    "  - include:\r\n      file: changes/b.sql\r\n      relativeToChangelogFile: true\r\n")


def test_a_changelog_left_empty_keeps_its_root_and_the_schema_liquibase_checks_it_against(tmp_path: Path) -> None:
    root = ('<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"\r\n    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            '\r\n    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog dbchangelog-4.20.xsd">')
    xml = tmp_path / "r1.xml"
    xml.write_bytes(('<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- release 1 -->\r\n' + root + '\r\n  <include file="a.sql"/>\r\n'
                     '</databaseChangeLog>\r\n').encode())
    assert _emptied(xml) == '<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- release 1 -->\r\n' + root + "\r\n</databaseChangeLog>\r\n"
    bare = tmp_path / "bare.xml"  # (no root tag found: one that names the schema)
    bare.write_text("databaseChangeLog")
    assert "xsi:schemaLocation=" in _emptied(bare) and _emptied(bare).rstrip().endswith("/>")
    yaml = tmp_path / "r2.yaml"
    yaml.write_text("databaseChangeLog:\n  - include:\n      file: a.sql\n")
    assert _emptied(yaml) == "databaseChangeLog: []\n"


def test_changesets_written_in_the_master_are_taken_out_whole_and_the_set_stands_where_they_stood(tmp_path: Path) -> None:
    master = tmp_path / "db.changelog-master.xml"
    (tmp_path / "later.sql").write_text("--liquibase formatted sql\n")
    master.write_text('<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
                      '  <changeSet id="1" author="a">\n    <createTable tableName="t">\n      <column name="id" type="int"/>\n'
                      '    </createTable>\n  </changeSet>\n  <changeSet id="2" author="a"><dropTable tableName="t"/></changeSet>\n'
                      '  <include file="later.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n')
    found = entries(master, tmp_path, "db.changelog-master.xml", [])
    assert [(e.kind, e.line, e.node.end_line if e.node else 0) for e in found] == [("changeSet", 2, 6), ("changeSet", 7, 7), ("include", 8, 0)]
    assert rewritten(master, found, {0, 1}, 0, False) == (
        '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
        '  <includeAll path="consolidated/" relativeToChangelogFile="true"/>\n'
        '  <include file="later.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n')
