"""Which tool a folder's files are for, from the files and the project around them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tui.core.formats import detect

UP_DOWN = "CREATE TABLE a (id int);\n"


@pytest.mark.parametrize("files,fmt", [
    ({"20240101000000_a.sql": "-- migrate:up\n" + UP_DOWN}, "dbmate"),
    ({"00001_a.sql": "-- +goose Up\n" + UP_DOWN}, "goose"),
    ({"1-a.sql": "-- +migrate Up\n" + UP_DOWN + "-- +migrate Down\n"}, "sql-migrate"),
    ({"001_a.sql": UP_DOWN + "---- create above / drop below ----\n"}, "tern"),
    ({"1700000000000_a.sql": "-- Up Migration\n" + UP_DOWN + "-- Down Migration\n"}, "node-pg-migrate"),
    ({"001.do.sql": UP_DOWN, "001.undo.sql": "DROP TABLE a;\n"}, "postgrator"),
    ({"20240101000000_a.up.sql": UP_DOWN, "20240101000000_a.mysql.up.sql": "CREATE TABLE `a` (id int);\n"}, "pop"),
    ({"20240101000000_a.up.fizz": 'create_table("a") {}\n'}, "pop"),
    ({"0001.a.sql": UP_DOWN, "0001.a.rollback.sql": "DROP TABLE a;\n"}, "yoyo"),
    ({"0001.a.sql": UP_DOWN, "0002.b.sql": "-- depends: 0001.a\n" + UP_DOWN}, "yoyo"),
    ({"committed/000001.sql": "--! Previous: -\n--! Hash: sha1:0\n\n" + UP_DOWN, "current.sql": ""}, "graphile-migrate"),
    ({"20240101000000_a.sql": UP_DOWN}, "sqlx"),
    ({"V1__a.sql": UP_DOWN}, "flyway"),
])
def test_each_tool_is_told_by_its_files(tmp_path: Path, files: dict[str, str], fmt: str) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert detect(tmp_path)[0] == fmt


def test_a_comment_that_reads_like_node_pg_migrates_is_not_taken_for_it_in_a_rust_or_go_project(tmp_path: Path) -> None:
    folder = tmp_path / "db" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_a.sql").write_text("-- Up migration of the users\n" + UP_DOWN + "-- down migration: none\n")
    assert detect(folder)[0] == "node-pg-migrate"
    (tmp_path / "Cargo.toml").write_text("[package]\n")
    assert detect(folder)[0] == "sqlx"
    (tmp_path / "Cargo.toml").unlink()
    (tmp_path / "go.mod").write_text("module x\n")
    assert detect(folder)[0] == "sqlx"  # (plain `<version>_<name>.sql`: golang-migrate wants .up.sql)
    (folder / "20240101000000_a.sql").rename(folder / "20240101000000_a.up.sql")
    assert detect(folder)[0] == "golang-migrate"


def test_a_liquibase_changelog_is_named_not_read_as_another_tools(tmp_path: Path) -> None:
    (tmp_path / "001_init.sql").write_text("--liquibase formatted sql\n\n--changeset ana:1\n" + UP_DOWN)
    fmt, note = detect(tmp_path)
    assert fmt is None and "001_init.sql is Liquibase's formatted SQL, which consolidate reads through the master changelog" in note


def test_graphile_migrates_committed_folder_itself_is_told_and_the_folder_above_it_asked_for(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    committed = tmp_path / "migrations" / "committed"
    committed.mkdir(parents=True)
    (committed / "000001.sql").write_text("--! Previous: -\n--! Hash: sha1:0\n\n" + UP_DOWN)
    assert detect(committed)[0] == "graphile-migrate"
    said = [d.message for d in analyze(tmp_path, "migrations/committed").diagnostics]
    assert any("the one holding committed/ and current.sql" in m for m in said) and not any("not named" in m for m in said), said
    assert [m.file for m in analyze(tmp_path).sources.migrations] == ["migrations/committed/000001.sql"]


@pytest.mark.parametrize("file,manifest,plain,other,uses,fmt", [
    ("20240101000000_a.up.sql", "go.mod", "module x\n\nrequire (\n\tgithub.com/lib/pq v1.10.9\n)\n", "golang-migrate",
     "module x\n\nrequire (\n\tgithub.com/gobuffalo/pop/v6 v6.1.1\n)\n", "pop"),
    ("V1__a.sql", "Cargo.toml", '[package]\nname = "x"\n\n[dependencies]\ntokio-postgres = "0.7"\n', "flyway",
     '[package]\nname = "x"\n\n[dependencies]\nrefinery = { version = "0.8" }\n', "refinery"),
])
def test_a_project_that_requires_a_tool_takes_files_of_a_shape_others_share_for_its(
        tmp_path: Path, file: str, manifest: str, plain: str, other: str, uses: str, fmt: str) -> None:
    """pop's files for all databases are golang-migrate's shape; refinery's names are Flyway's."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / file).write_text(UP_DOWN)
    (tmp_path / manifest).write_text(plain)
    assert detect(folder)[0] == other
    (tmp_path / manifest).write_text(uses)
    assert detect(folder)[0] == fmt


def test_hasuras_folders_are_told_from_diesels_by_its_config_and_its_database_folder_is_found(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    one = tmp_path / "migrations" / "default" / "1614864712344_init"
    one.mkdir(parents=True)
    (one / "up.sql").write_text(UP_DOWN)
    (tmp_path / "migrations" / "default" / "1614864800000_seed").mkdir()
    (tmp_path / "migrations" / "default" / "1614864800000_seed" / "up.yaml").write_text("- type: run_sql\n")
    assert detect(tmp_path / "migrations" / "default")[0] == "diesel"
    (tmp_path / "config.yaml").write_text("version: 3\nendpoint: http://localhost:8080\nmetadata_directory: metadata\n")
    assert detect(tmp_path / "migrations" / "default")[0] == "hasura"
    analysis = analyze(tmp_path)
    assert analysis.sources.format == "hasura" and [m.file for m in analysis.sources.migrations] == [
        "migrations/default/1614864712344_init/up.sql"]
    lost = [d for d in analysis.diagnostics if d.file == "migrations/default/1614864800000_seed/up.yaml"]
    assert lost and lost[0].severity == "error" and lost[0].lost and "YAML" in lost[0].message
    shutil.move(tmp_path / "migrations", tmp_path / "hasura" / "migrations")  # (the project in a folder of the repository)
    shutil.move(tmp_path / "config.yaml", tmp_path / "hasura" / "config.yaml")
    assert [m.file for m in analyze(tmp_path).sources.migrations] == ["hasura/migrations/default/1614864712344_init/up.sql"]


def test_plain_files_named_as_the_undoing_of_another_are_its_down_part_not_a_migration(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, text in {"20150101120000-add-a-up.sql": UP_DOWN, "20150101120000-add-a-down.sql": "DROP TABLE a;\n",
                       "20150202120000-b.sql": "ALTER TABLE a ADD COLUMN b int;\n",
                       "20150202120000-b_revert.sql": "ALTER TABLE a DROP COLUMN b;\n",
                       "20150303120000-lone-down.sql": "CREATE INDEX a_b_idx ON a (b);\n"}.items():
        (folder / name).write_text(text)
    analysis = analyze(tmp_path)
    assert analysis.sources.format == "plain"
    assert [(Path(m.file).name, Path(m.down_file).name if m.down_file else "") for m in analysis.sources.migrations] == [
        ("20150101120000-add-a-up.sql", "20150101120000-add-a-down.sql"), ("20150202120000-b.sql", "20150202120000-b_revert.sql"),
        ("20150303120000-lone-down.sql", "")]  # (no file it undoes: a migration, whatever its name)
    assert analysis.model.get("table", "a").exists


def test_plain_upgrade_scripts_named_by_dotted_versions_run_in_the_order_of_their_numbers(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, text in {"1.9.sql": "CREATE TABLE t (a int);\n", "1.10.sql": "ALTER TABLE t ADD COLUMN b int;\n",
                       "1.10.1-rename.sql": "ALTER TABLE t RENAME COLUMN b TO c;\n", "2.0.sql": "ALTER TABLE t ADD COLUMN d int;\n",
                       "00.05.00_01_e.sql": "CREATE TABLE e (x int);\n", "00.05.00_02_f.sql": "ALTER TABLE e ADD COLUMN y int;\n"}.items():
        (folder / name).write_text(text)
    analysis = analyze(tmp_path)
    assert analysis.sources.format == "plain"
    # As text, 1.10 and 1.10.1 came before 1.9: the ALTERs ran before the table was made.
    assert [(m.version, Path(m.file).name) for m in analysis.sources.migrations] == [
        ("00.05.00", "00.05.00_01_e.sql"), ("00.05.00", "00.05.00_02_f.sql"), ("1.9", "1.9.sql"), ("1.10", "1.10.sql"),
        ("1.10.1", "1.10.1-rename.sql"), ("2.0", "2.0.sql")]
    assert not [d for d in analysis.diagnostics if d.severity != "info"]
    assert all(analysis.model.get("column", c).exists for c in ("t.a", "t.c", "t.d"))


def test_pops_autocommit_files_run_outside_a_transaction(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "20240101000000_a.postgres.up.sql").write_text(UP_DOWN)
    (folder / "20240101000000_a.mysql.up.sql").write_text("CREATE TABLE `a` (id int);\n")
    (folder / "20240102000000_idx.autocommit.postgres.up.sql").write_text("CREATE INDEX CONCURRENTLY a_id ON a (id);\n")
    analysis = analyze(tmp_path)
    assert analysis.sources.format == "pop"
    assert [(m.version, m.transactional) for m in analysis.sources.migrations] == [("20240101000000", True), ("20240102000000", False)]


def test_flyways_folder_in_a_spring_project_and_its_vendor_folders(tmp_path: Path) -> None:
    """`src/main/resources/db/migration` is found; with `{vendor}` folders, PostgreSQL's is read,
    and the folder above them, given, is refused with the one to give (its other databases'
    scripts are no PostgreSQL)."""
    from tui.core.analysis import analyze

    location = tmp_path / "src" / "main" / "resources" / "db" / "migration"
    (location / "releases").mkdir(parents=True)
    (location / "releases" / "V1__a.sql").write_text(UP_DOWN)
    assert detect(location)[0] == "flyway"  # (its scripts only in the folders under it)
    assert analyze(tmp_path).sources.migrations[0].file == "src/main/resources/db/migration/releases/V1__a.sql"
    (location / "releases" / "V1__a.sql").rename(location / "V1__a.sql")
    (location / "releases").rmdir()
    for vendor in ("postgresql", "mysql"):
        (location / vendor).mkdir()
        (location / vendor / "V2__b.sql").write_text("CREATE TABLE b (id int);\n" if vendor == "postgresql" else "CREATE TABLE `b` (id int);\n")
    (location / "V1__a.sql").unlink()
    analysis = analyze(tmp_path)
    assert [m.file for m in analysis.sources.migrations] == ["src/main/resources/db/migration/postgresql/V2__b.sql"]
    given = analyze(tmp_path, "src/main/resources/db/migration")
    assert not given.sources.migrations
    assert any("give --migrations src/main/resources/db/migration/postgresql" in d.message for d in given.diagnostics)
    (location / "common").mkdir()  # (locations `common` and `{vendor}`: scripts for all beside PostgreSQL's)
    (location / "common" / "V1__a.sql").write_text(UP_DOWN)
    split = analyze(tmp_path)
    assert not split.sources.migrations and any("in two locations" in d.message for d in split.diagnostics), split.diagnostics


@pytest.mark.parametrize("master", ["db.changelog-master.yaml", "db.changelog-master.xml", "changelog.json"])
def test_a_liquibase_master_changelog_is_found_where_spring_keeps_it_and_named_when_it_is_looked_for(tmp_path: Path, master: str) -> None:
    from tui.core.analysis import analyze

    folder = tmp_path / "src" / "main" / "resources" / "db" / "changelog"
    (folder / "changes").mkdir(parents=True)
    (folder / master).write_text('{"databaseChangeLog": [{"include": {"file": "changes/001.sql"}}]}\n' if master.endswith(".json") else
                                 "databaseChangeLog:\n  - include:\n      file: changes/001.sql\n" if master.endswith(".yaml") else
                                 '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
                                 '  <include file="changes/001.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n')
    (folder / "changes" / "001.sql").write_text("--liquibase formatted sql\n\n--changeset ana:1\n" + UP_DOWN)
    analysis = analyze(tmp_path)
    assert analysis.ok and analysis.sources.folder == "src/main/resources/db/changelog" and analysis.sources.format == "liquibase"
    assert [m.version for m in analysis.sources.migrations] == ["001.sql::1::ana"]
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "src" / "main" / "resources" / "db", elsewhere / "db")
    said = [d.message for d in analyze(elsewhere).diagnostics]
    assert any(m.startswith("migrations folder not found") and m.endswith(": db/changelog (give --migrations)") for m in said), said


def test_jhipsters_changelog_of_change_types_is_found_and_read(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    folder = tmp_path / "src" / "main" / "resources" / "config" / "liquibase"
    (folder / "changelog").mkdir(parents=True)
    (folder / "master.xml").write_text('<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
                                       '  <include file="config/liquibase/changelog/0001_initial.xml" relativeToChangelogFile="false"/>\n'
                                       "</databaseChangeLog>\n")
    (folder / "changelog" / "0001_initial.xml").write_text(
        '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="1" author="j">\n'
        '    <createTable tableName="t"><column name="id" type="bigint"/></createTable>\n  </changeSet>\n'
        '  <changeSet id="2" author="j" context="faker">\n    <loadData file="t.csv" tableName="t"/>\n  </changeSet>\n</databaseChangeLog>\n')
    analysis = analyze(tmp_path)
    assert analysis.sources.format == "liquibase" and [(m.version, m.file, m.first_line) for m in analysis.sources.migrations] == [
        ("0001_initial.xml::1::j", "src/main/resources/config/liquibase/changelog/0001_initial.xml", 2)]
    assert [st.text for st in analysis.parsed.statements] == ["CREATE TABLE t (id BIGINT)"]
    assert any(d.file == "src/main/resources/config/liquibase/changelog/0001_initial.xml" and d.line == 6 and d.severity == "error"
               and "loadData" in d.message for d in analysis.diagnostics)


def test_a_missing_migrations_folder_names_the_folders_that_look_like_one(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    (tmp_path / "internal" / "db" / "migrations").mkdir(parents=True)
    (tmp_path / "internal" / "db" / "migrations" / "00001_a.sql").write_text("-- +goose Up\n" + UP_DOWN)
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)  # (not looked into)
    (tmp_path / "node_modules" / "pkg" / "V1__a.sql").write_text(UP_DOWN)
    said = [d.message for d in analyze(tmp_path).diagnostics]
    assert any(m.startswith("migrations folder not found") and m.endswith(": internal/db/migrations (give --migrations)") for m in said), said


def test_sqitchs_folder_is_the_top_dir_its_conf_names(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    (tmp_path / "schema" / "deploy").mkdir(parents=True)
    (tmp_path / "schema" / "sqitch.plan").write_text("%project=x\n\na 2020-01-01T00:00:00Z Ana <ana@example.com> # a\n")
    (tmp_path / "schema" / "deploy" / "a.sql").write_text(UP_DOWN)
    assert analyze(tmp_path).sources.folder == "migrations"  # (not found: no folder of its name, nor a conf)
    (tmp_path / "sqitch.conf").write_text('[core]\n\tengine = pg\n\ttop_dir = schema\n[engine "pg"]\n\ttarget = db:pg:x\n')
    analysis = analyze(tmp_path)
    assert analysis.sources.format == "sqitch" and [m.file for m in analysis.sources.migrations] == ["schema/deploy/a.sql"]
    shutil.copytree(tmp_path / "schema", tmp_path / "pg")  # (a project for several engines: PostgreSQL's own folder)
    (tmp_path / "sqitch.conf").write_text('[core]\n\ttop_dir = schema\n[engine "pg"]\n\ttop_dir = pg\n[engine "sqlite"]\n\ttop_dir = lite\n')
    assert [m.file for m in analyze(tmp_path).sources.migrations] == ["pg/deploy/a.sql"]
