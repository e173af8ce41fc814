"""Liquibase itself (the open-source CLI, on Java, through PostgreSQL's JDBC driver) runs a
history and the set `consolidate` writes in its place: the two databases are the same, object by
object and row by row; a database that ran the history takes the new changelog with `liquibase
changelog-sync` and has nothing left to run; `liquibase rollback-count` undoes the whole set.

The CLI is found at $LIQUIBASE, at the path `.ci/run` installs it to, or on PATH; it needs Java
and a server it can reach over TCP (the Docker provider's)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pglast.parser import split

from tests.apply.helpers import run
from tests.conftest import ROOT, requires_pg
from tui.pg.catalog import snapshot
from tui.pg.compare import compare
from tui.pg.docker_server import docker_available, docker_server
from tui.pg.server import Server

_INSTALLED = Path.home() / ".cache" / "consolidate-ci" / "liquibase" / "package" / "dist" / "liquibase" / "liquibase"


def _liquibase() -> str:
    return os.environ.get("LIQUIBASE") or (str(_INSTALLED) if _INSTALLED.is_file() else "") or shutil.which("liquibase") or ""


_MISSING = ("no Liquibase CLI ($LIQUIBASE, .ci/run's install or PATH)" if not _liquibase()
            else "no java on PATH" if not shutil.which("java") else docker_available())
pytestmark = [pytest.mark.pg, requires_pg, pytest.mark.skipif(bool(_MISSING), reason=_MISSING or "")]

_ROOT = ('<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"\n'
         '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog '
         'http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">\n')
_FILES = {
    "db.changelog-master.xml": _ROOT + '    <include file="release-1/changelog.xml" relativeToChangelogFile="true"/>\n'
                               '    <include file="db/changelog/release-2/changelog.yaml"/>\n</databaseChangeLog>\n',
    "release-1/changelog.xml": _ROOT + '    <include file="01-schema.sql" relativeToChangelogFile="true"/>\n'
                               '    <include file="02-seed.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n',
    "release-1/01-schema.sql": "--liquibase formatted sql\n\n--changeset dev:1\nCREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL, "
                               "attrs jsonb);\nCREATE TABLE tag (id int PRIMARY KEY, label text);\n--rollback DROP TABLE tag;\n"
                               "--rollback DROP TABLE item;\n\n--changeset dev:2 runInTransaction:false\n"
                               "CREATE INDEX CONCURRENTLY item_name ON item (name);\n\n--changeset dev:3 dbms:mysql\n"
                               "CREATE TABLE `mysql_only` (id int);\n\n--changeset dev:4\nALTER TABLE item ADD COLUMN price numeric(10,2);\n",
    "release-1/02-seed.sql": "INSERT INTO item (name, attrs) VALUES ('a', '{\"k\": 1}');\nINSERT INTO item (name, attrs) VALUES ('b?', '{}');\n"
                             "INSERT INTO tag VALUES (1, 'x');\n",
    "release-2/changelog.yaml": "databaseChangeLog:\n  - include:\n      file: 01-more.sql\n      relativeToChangelogFile: true\n",
    "release-2/01-more.sql": "--liquibase formatted sql\n\n--changeset dev:5\nALTER TABLE item ADD COLUMN has_k boolean;\n"
                             "UPDATE item SET has_k = attrs ?? 'k';\nDROP TABLE tag;\n\n--changeset dev:6\nALTER TABLE item DROP COLUMN price;\n"
                             "CREATE VIEW keyed AS SELECT id FROM item WHERE attrs ??| array['k'];\n\n--changeset dev:7 splitStatements:false\n"
                             "CREATE FUNCTION keyed_count() RETURNS bigint LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN (SELECT count(*) FROM keyed);\n"
                             "END;\n$$;\n",
}
_FOLDER = "src/main/resources/db/changelog"
JHIPSTER = ROOT / "tests" / "fixtures" / "projects" / "jhipster"


def _run_liquibase(server: Server | None, db: str, project: Path, changelog: str, *command: str) -> str:
    """Liquibase run in `project` on the server's database `db` (None: offline, for `update-sql`)."""
    env = dict(os.environ)
    url = "offline:postgresql?version=15"
    if server is not None:
        info = server.conninfo
        env.update(LIQUIBASE_COMMAND_USERNAME=str(info["user"]), LIQUIBASE_COMMAND_PASSWORD=str(info["password"]))
        url = f"jdbc:postgresql://{info['host']}:{info['port']}/{db}"
    r = subprocess.run([_liquibase(), f"--url={url}", "--search-path=src/main/resources", f"--changelog-file={changelog}",
                        "--show-banner=false", *command],
                       check=False, cwd=project, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout


def _count(summary: str, label: str) -> int:
    """A count of Liquibase's update summary (`Run:      7`)."""
    found = re.search(rf"^{label}:\s+(\d+)$", summary, re.MULTILINE)
    return int(found.group(1)) if found else -1


def _catalog(server: Server, db: str):  # type: ignore[no-untyped-def]
    with server.connect(db, autocommit=False) as conn:
        conn.execute("DROP TABLE databasechangelog, databasechangeloglock")  # (when each ran: not what was built)
        taken = snapshot(conn)
        conn.rollback()
        return taken


def _relations(server: Server, db: str) -> list[str]:
    with server.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                           "WHERE nspname = 'public' AND relname NOT LIKE 'databasechangelog%' ORDER BY 1")]


def _round_trip(project: Path, folder: Path, changelog: str, history_runs: int) -> None:
    """The history run by Liquibase, generated, validated and applied by consolidate, the new set
    run by Liquibase: the same catalog and rows; changelog-sync on a database that ran the
    history leaves nothing to run; rollback-count over the new set leaves no relation."""
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    with docker_server(15) as server:
        old, new, synced = (server.create_database(label) for label in ("old", "new", "synced"))
        for db in (old, synced):
            ran = _run_liquibase(server, db, project, changelog, "update")
            assert _count(ran, "Run") == history_runs and _count(ran, "DBMS mismatch") == 1, ran
        r = run(project, "generate", "--pg", "local")
        assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
        r = run(project, "validate", "--pg", "local")
        assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
        r = run(project, "apply", "--yes")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "run `liquibase changelog-sync` with the new changelog" in (folder / "README.md").read_text()  # (what the test does next)
        changesets = len(list((folder / "consolidated").glob("*.sql")))
        assert 0 < changesets < history_runs

        ran = _run_liquibase(server, new, project, changelog, "update")
        assert _count(ran, "Run") == changesets, ran
        differences = compare(_catalog(server, old), _catalog(server, new))
        assert differences == []

        _run_liquibase(server, synced, project, changelog, "changelog-sync")
        again = _run_liquibase(server, synced, project, changelog, "update")
        assert _count(again, "Run") == 0, again

        _run_liquibase(server, new, project, changelog, "rollback-count", "--count", str(changesets))
        left, other = _relations(server, new), _relations(server, synced)
        assert left == []
        assert len(other) > 2  # (the other database untouched)


def test_liquibase_runs_the_new_set_of_formatted_sql_to_the_same_database(tmp_path: Path) -> None:
    folder = tmp_path / _FOLDER
    for name, text in _FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    _round_trip(tmp_path, folder, "db/changelog/db.changelog-master.xml", 7)
    assert not (folder / "release-1" / "01-schema.sql").exists()


def test_liquibase_runs_the_new_set_of_a_history_of_change_types_to_the_same_database(tmp_path: Path) -> None:
    shutil.copytree(JHIPSTER, tmp_path, dirs_exist_ok=True)
    history = tmp_path.parent / (tmp_path.name + "-history")
    shutil.copytree(JHIPSTER, history)
    _round_trip(tmp_path, tmp_path / "src" / "main" / "resources" / "config" / "liquibase", "config/liquibase/master.xml", 10)
    # Under another context than the fake data's, the history and the new set leave it out alike.
    with docker_server(15) as server:
        old, new = server.create_database("old"), server.create_database("new")
        _run_liquibase(server, old, history, "config/liquibase/master.xml", "update", "--contexts=prod")
        _run_liquibase(server, new, tmp_path, "config/liquibase/master.xml", "update", "--contexts=prod")
        with server.connect(new) as conn:
            owners = conn.execute("SELECT count(*) FROM owner").fetchone()
        assert owners == (2,)
        differences = compare(_catalog(server, old), _catalog(server, new))
        assert differences == []


def test_liquibase_runs_the_new_set_of_a_yaml_history_of_change_types_to_the_same_database(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "fixtures" / "projects" / "liquibase_yaml", tmp_path, dirs_exist_ok=True)
    _round_trip(tmp_path, tmp_path / "src" / "main" / "resources" / "db" / "changelog", "db/changelog/db.changelog-master.yaml", 3)


def test_change_types_read_as_the_sql_liquibase_writes_for_them(tmp_path: Path) -> None:
    """`liquibase update-sql` (offline, PostgreSQL 15) against what consolidate reads for the same
    changelog: the same statements, but for the case of keywords and types."""
    folder = tmp_path / "src" / "main" / "resources" / "db"
    folder.mkdir(parents=True)
    (folder / "db.changelog-master.xml").write_text(_ORACLE)
    printed = _run_liquibase(None, "", tmp_path, "db/db.changelog-master.xml", "update-sql")
    theirs = split("\n".join(line for line in printed.splitlines() if line.strip() and not line.startswith("--")
                             and "databasechangelog" not in line.lower()))  # (a function's body spans lines: PostgreSQL's scanner splits)
    from tui.core.analysis import analyze
    analysis = analyze(tmp_path, "src/main/resources/db")
    ours = [st.text.strip().rstrip(";") for st in analysis.parsed.statements]
    assert [t.lower() for t in ours] == [t.lower().strip() for t in theirs]


_ORACLE = _ROOT + """    <changeSet id="1" author="a">
        <createTable tableName="owner" remarks="owners">
            <column name="id" type="bigint" autoIncrement="true"><constraints primaryKey="true" nullable="false"/></column>
            <column name="name" type="varchar(255)"><constraints nullable="false" unique="true"/></column>
            <column name="active" type="boolean" defaultValueBoolean="true"/>
            <column name="created" type="datetime" defaultValueComputed="now()"/>
            <column name="score" type="double"/>
            <column name="price" type="decimal(10,2)" defaultValueNumeric="0"/>
            <column name="notes" type="clob"/>
            <column name="data" type="blob"/>
            <column name="kind" type="varchar(20)" defaultValue="x'y"/>
            <column name="ts" type="timestamp"/>
            <column name="small" type="tinyint"/>
            <column name="i" type="int"/>
            <column name="t" type="time"/>
            <column name="n" type="nvarchar(10)"/>
            <column name="cur" type="currency"/>
            <column name="num" type="number(5)"/>
        </createTable>
        <createTable tableName="defaults">
            <column name="a" type="float4" defaultValueNumeric="0"/>
            <column name="b" type="float" defaultValueNumeric="0"/>
            <column name="c" type="double" defaultValueNumeric="1.5"/>
            <column name="e" type="decimal(5,2)" defaultValueNumeric="0"/>
            <column name="g" type="bigint" defaultValue="7"/>
            <column name="h" type="jsonb" defaultValueNumeric="0"/>
            <column name="j" type="varchar(5)" defaultValueNumeric="3"/>
            <column name="l" type="boolean" defaultValue="true"/>
        </createTable>
        <createTable tableName="stamps">
            <column name="a" type="timestamp" defaultValueComputed="CURRENT_TIMESTAMP"/>
            <column name="b" type="timestamp" defaultValueComputed="current_timestamp(3)"/>
            <column name="c" type="date" defaultValueComputed="CURRENT_DATE"/>
            <column name="d" type="timestamp" defaultValueComputed="now()"/>
            <column name="g" type="timestamp" defaultValueDate="CURRENT_TIMESTAMP"/>
            <column name="h" type="date" defaultValueDate="2020-01-02"/>
        </createTable>
        <insert tableName="stamps"><column name="a" valueComputed="CURRENT_TIMESTAMP"/><column name="d" valueDate="CURRENT_TIMESTAMP"/>
            <column name="h" valueDate="2021-02-03"/></insert>
        <createTable tableName="MyTable" schemaName="public">
            <column name="Id" type="BIGINT" autoIncrement="true" startWith="100" incrementBy="5" remarks="the id"><constraints primaryKey="true"/></column>
            <column name="user" type="varchar(10)" defaultValueDate="2020-01-02T03:04:05"/>
            <column name="u2" type="int"><constraints unique="true" uniqueConstraintName="uq_u2"/></column>
        </createTable>
    </changeSet>
    <changeSet id="2" author="a">
        <createTable tableName="pet">
            <column name="id" type="int" autoIncrement="true"><constraints primaryKey="true" primaryKeyName="pk_pet"/></column>
            <column name="owner_id" type="bigint"><constraints foreignKeyName="fk_pet_owner" references="owner(id)" deleteCascade="true"/></column>
            <column name="name" type="varchar(50)"/>
        </createTable>
        <addColumn tableName="pet">
            <column name="age" type="int" defaultValueNumeric="1"><constraints nullable="false"/></column>
            <column name="tag" type="varchar(10)"/>
        </addColumn>
        <createIndex indexName="idx_pet_name" tableName="pet" unique="true"><column name="name"/><column name="age" descending="true"/></createIndex>
        <addForeignKeyConstraint baseTableName="pet" baseColumnNames="owner_id" constraintName="fk2" referencedTableName="owner"
                                 referencedColumnNames="id" onDelete="SET NULL"/>
        <addUniqueConstraint tableName="pet" columnNames="tag, name" constraintName="uq_tag"/>
        <addNotNullConstraint tableName="pet" columnName="name" defaultNullValue="none"/>
        <dropNotNullConstraint tableName="pet" columnName="name"/>
        <addDefaultValue tableName="pet" columnName="tag" defaultValue="t"/>
        <dropDefaultValue tableName="pet" columnName="tag"/>
        <renameColumn tableName="pet" oldColumnName="tag" newColumnName="label"/>
        <modifyDataType tableName="pet" columnName="label" newDataType="varchar(30)"/>
        <createSequence sequenceName="seq_x" startValue="1000" incrementBy="50"/>
        <createSequence sequenceName="seq_z" minValue="1" maxValue="99" cycle="true" cacheSize="10"/>
        <dropForeignKeyConstraint baseTableName="pet" constraintName="fk2"/>
        <dropUniqueConstraint tableName="pet" constraintName="uq_tag"/>
        <dropIndex tableName="pet" indexName="idx_pet_name"/>
        <dropColumn tableName="pet" columnName="label"/>
        <dropColumn tableName="pet"><column name="age"/></dropColumn>
        <renameTable oldTableName="pet" newTableName="animal"/>
        <createView viewName="v_owner">SELECT id, name FROM owner</createView>
        <createView viewName="v_owner" replaceIfExists="true">SELECT id, name, active FROM owner</createView>
        <insert tableName="owner">
            <column name="name" value="O'Neil"/>
            <column name="active" valueBoolean="false"/>
            <column name="price" valueNumeric="2.5"/>
            <column name="created" valueDate="2020-01-02T03:04:05"/>
        </insert>
        <sql>UPDATE owner SET score = 1</sql>
        <addPrimaryKey tableName="animal" columnNames="id, name" constraintName="pk2"/>
        <dropPrimaryKey tableName="animal" constraintName="pk2"/>
        <dropTable tableName="animal" cascadeConstraints="true"/>
        <dropView viewName="v_owner"/>
        <dropSequence sequenceName="seq_x"/>
    </changeSet>
    <changeSet id="3" author="a">
        <createTable tableName="PERSON"><column name="ID" type="int"/><column name="firstName" type="text"/><column name="order" type="int"/>
            <column name="USER" type="int"/><column name="A1$" type="int"/><column name="a b" type="int"/></createTable>
    </changeSet>
    <changeSet id="4" author="a" objectQuotingStrategy="QUOTE_ONLY_RESERVED_WORDS">
        <createTable tableName="T2"><column name="ORDER" type="int"/><column name="myCol" type="int"/><column name="order" type="int"/></createTable>
    </changeSet>
    <changeSet id="6" author="a">
        <createTable tableName="t6"><column name="id" type="int"/></createTable>
        <addColumn tableName="t6">
            <column name="a" type="int" defaultValueNumeric="0"><constraints nullable="false" unique="true"/></column>
            <column name="b" type="int"><constraints unique="true" uniqueConstraintName="uq_b"/></column>
            <column name="e" type="varchar(5)" remarks="it"/>
        </addColumn>
        <addUniqueConstraint tableName="t6" columnNames="e" constraintName="uq_e" deferrable="true" initiallyDeferred="true"/>
        <createView viewName="v1">SELECT 1 AS x</createView>
        <renameView oldViewName="v1" newViewName="v2"/>
        <createSequence sequenceName="s1"/>
        <renameSequence oldSequenceName="s1" newSequenceName="s2"/>
        <dropColumn tableName="t6"><column name="e"/><column name="b"/></dropColumn>
    </changeSet>
    <changeSet id="7" author="a">
        <createTable tableName="types">
            <column name="c0" type="datetime(6)"/>
            <column name="c1" type="timestamp(6)"/>
            <column name="c2" type="int(11)"/>
            <column name="c3" type="bigint(20)"/>
            <column name="c4" type="tinyint(1)"/>
            <column name="c5" type="bit"/>
            <column name="c6" type="bit(1)"/>
            <column name="c7" type="smallint(6)"/>
            <column name="c8" type="mediumint(9)"/>
            <column name="c9" type="decimal"/>
            <column name="c10" type="numeric(10,2)"/>
            <column name="c11" type="number"/>
            <column name="c12" type="json"/>
            <column name="c13" type="bytea"/>
            <column name="c14" type="serial"/>
            <column name="c15" type="bigserial"/>
            <column name="c16" type="char"/>
            <column name="c17" type="varchar"/>
            <column name="c19" type="longvarchar"/>
            <column name="c20" type="binary"/>
            <column name="c21" type="varbinary(10)"/>
            <column name="c22" type="image"/>
            <column name="c23" type="timestamp with time zone"/>
            <column name="c24" type="time(3)"/>
            <column name="c25" type="date"/>
            <column name="c26" type="interval"/>
            <column name="c27" type="float(53)"/>
            <column name="c28" type="real"/>
            <column name="c29" type="int4"/>
            <column name="c30" type="int8"/>
            <column name="c31" type="int2"/>
            <column name="c32" type="float4"/>
            <column name="c33" type="float8"/>
            <column name="c34" type="bool"/>
            <column name="c35" type="text[]"/>
            <column name="c36" type="character varying(10)"/>
            <column name="c37" type="TIMESTAMP WITHOUT TIME ZONE"/>
            <column name="c38" type="smalldatetime"/>
            <column name="c39" type="double precision"/>
            <column name="c40" type="java.sql.Types.BIGINT"/>
            <column name="c41" type="java.sql.Types.VARCHAR(255)"/>
            <column name="c42" type="java.sql.Types.BOOLEAN"/>
        </createTable>
    </changeSet>
    <changeSet id="8" author="a">
        <createProcedure procedureName="f"><![CDATA[
CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN 1;
END;
$$;
]]></createProcedure>
    </changeSet>
    <changeSet id="9" author="a">
        <addAutoIncrement tableName="t6" columnName="id" columnDataType="int"/>
        <addAutoIncrement tableName="MyTable" columnName="Id" columnDataType="bigint" startWith="100" incrementBy="5"/>
    </changeSet>
    <changeSet id="5" author="a" objectQuotingStrategy="QUOTE_ALL_OBJECTS">
        <createTable tableName="Q"><column name="ID" type="int"/><column name="x" type="int"/></createTable>
    </changeSet>
</databaseChangeLog>
"""
