"""Every kind validate compares: a tiny history, a staged set changed in that one kind, and
validate names it. A kind read but never compared would pass here unnoticed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import requires_pg
from tui.pg.validate import validate

pytestmark = [pytest.mark.pg, requires_pg]

T = "CREATE TABLE t (id int PRIMARY KEY, v text, a int, b int);\n"
FN = "CREATE FUNCTION same(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';\n"
MOOD = "CREATE TYPE mood AS ENUM ('a');\nCREATE FUNCTION mood_text(mood) RETURNS text LANGUAGE sql AS $$SELECT $1::text$$;\n"
SETTING = "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET work_mem = ''{}''', current_database()); END $$;\n"
EV = "CREATE TABLE ev (at int) PARTITION BY RANGE (at);\nCREATE TABLE ev1 PARTITION OF ev FOR VALUES FROM (0) TO ({});\n"
AGG = "CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '{}');\n"
EVT = ("CREATE FUNCTION noted() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n"
       "CREATE EVENT TRIGGER noting ON {} EXECUTE FUNCTION noted();\n")
# A wrapper without a handler: a foreign table on it cannot be read (no rows are asked of one).
FDW = "CREATE FOREIGN DATA WRAPPER nowhere;\nCREATE SERVER far FOREIGN DATA WRAPPER nowhere OPTIONS (host '{}');\n"
OPS = "OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 btint4cmp(int4, int4)"

# (history, staged set, the difference validate must name: (type, name, what differs); None: any)
CASES = {
    "replica identity": (T + "ALTER TABLE t REPLICA IDENTITY FULL;\n", T, ("table", "t", "replica_identity")),
    "column storage": (T + "ALTER TABLE t ALTER COLUMN v SET STORAGE EXTERNAL;\n", T, ("column", "t.v", "storage")),
    "statistics target": (T + "ALTER TABLE t ALTER COLUMN v SET STATISTICS 500;\n", T, ("column", "t.v", "statistics")),
    "column options": (T + "ALTER TABLE t ALTER COLUMN a SET (n_distinct = 100);\n", T, ("column", "t.a", "options")),
    "compression": (T + "ALTER TABLE t ALTER COLUMN v SET COMPRESSION pglz;\n", T, ("column", "t.v", "compression")),
    "cluster on": (T + "ALTER TABLE t CLUSTER ON t_pkey;\n", T, ("index", "t_pkey", "clustered")),
    "extension comment": ("CREATE EXTENSION citext;\nCOMMENT ON EXTENSION citext IS 'mine';\n", "CREATE EXTENSION citext;\n",
                          ("extension", "citext", "comment")),
    "extension version": ("CREATE EXTENSION citext VERSION '1.4';\n", "CREATE EXTENSION citext;\n", ("extension", "citext", "version")),
    "collation": ("CREATE COLLATION mine (provider = libc, locale = 'C');\n", "CREATE COLLATION mine (provider = libc, locale = 'POSIX');\n",
                  ("collation", "mine", "definition")),
    "text search configuration": ("CREATE TEXT SEARCH CONFIGURATION cfg (COPY = english);\n",
                                  "CREATE TEXT SEARCH CONFIGURATION cfg (COPY = simple);\n", ("text_search_config", "cfg", "mappings")),
    "text search dictionary": ("CREATE TEXT SEARCH DICTIONARY dict (TEMPLATE = simple, STOPWORDS = english);\n",
                               "CREATE TEXT SEARCH DICTIONARY dict (TEMPLATE = simple);\n", ("text_search_dictionary", "dict", "options")),
    "operator": (FN + "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = same, COMMUTATOR = ===);\n",
                 FN + "CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = same);\n",
                 ("operator", "===(integer,integer)", "commutator")),
    "operator family": ("CREATE OPERATOR FAMILY fam USING btree;\n", "", ("operator_family", "fam USING btree", "missing in the new set")),
    "operator class": (f"CREATE OPERATOR FAMILY fam USING btree;\nCREATE OPERATOR CLASS alt FOR TYPE int4 USING btree FAMILY fam AS {OPS};\n",
                       f"CREATE OPERATOR FAMILY fam USING btree;\nCREATE OPERATOR CLASS alt FOR TYPE int4 USING btree AS {OPS};\n",
                       ("operator_class", "alt USING btree", "family")),
    "cast": (MOOD + "CREATE CAST (mood AS text) WITH FUNCTION mood_text(mood) AS IMPLICIT;\n",
             MOOD + "CREATE CAST (mood AS text) WITH FUNCTION mood_text(mood) AS ASSIGNMENT;\n", ("cast", "mood AS text", "context")),
    "extended statistics": (T + "CREATE STATISTICS st (dependencies) ON a, b FROM t;\n", T + "CREATE STATISTICS st (ndistinct) ON a, b FROM t;\n",
                            ("statistics", "st", "definition")),
    "publication": (T + "CREATE PUBLICATION pub FOR TABLE t;\n", T + "CREATE PUBLICATION pub FOR TABLE t WITH (publish = 'insert');\n",
                    ("publication", "pub", "actions")),
    "rule": (T + "CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;\n", T + "CREATE RULE r AS ON INSERT TO t DO ALSO NOTHING;\n",
             ("rule", "t.r", "definition")),
    "default privileges": ("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader_x;\nCREATE TABLE keep (id int);\n",
                           "ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT ON TABLES TO reader_x;\nCREATE TABLE keep (id int);\n",
                           ("default_privilege", None, "acl")),
    "database setting": (SETTING.format("8MB"), SETTING.format("16MB"), ("database_setting", "for every role", "settings")),
    "inheritance": (T + "CREATE TABLE kid (x int) INHERITS (t);\n", T + "CREATE TABLE kid (x int) INHERITS (t);\nALTER TABLE kid NO INHERIT t;\n",
                    ("table", "kid", "parents")),
    "partition bound": (EV.format(10), EV.format(20), ("table", "ev1", "bound")),
    "partition detached": (EV.format(10), EV.format(10) + "ALTER TABLE ev DETACH PARTITION ev1;\n", ("table", "ev1", "parents")),
    "partition index": (EV.format(10) + "CREATE INDEX ev1_at ON ev1 (at);\nCREATE INDEX ev_at ON ONLY ev (at);\nALTER INDEX ev_at ATTACH PARTITION ev1_at;\n",
                        EV.format(10) + "CREATE INDEX ev1_at ON ev1 (at);\nCREATE INDEX ev_at ON ONLY ev (at);\n", ("index", "ev1_at", "parents")),
    "aggregate": (AGG.format(0), AGG.format(1), ("function", "total(integer)", "definition")),
    "event trigger": (EVT.format("ddl_command_end"), EVT.format("ddl_command_start"), ("event_trigger", "noting", "event")),
    "foreign server": (FDW.format("a"), FDW.format("b"), ("server", "far", "options")),
    "user mapping": (FDW.format("a") + "CREATE USER MAPPING FOR PUBLIC SERVER far OPTIONS (password 'first-secret');\n",
                     FDW.format("a") + "CREATE USER MAPPING FOR PUBLIC SERVER far OPTIONS (password 'second-secret');\n",
                     ("user_mapping", "PUBLIC on far", "options")),
    "foreign table": (FDW.format("a") + "CREATE FOREIGN TABLE ft (id int) SERVER far OPTIONS (table_name 'one');\n",
                      FDW.format("a") + "CREATE FOREIGN TABLE ft (id int) SERVER far OPTIONS (table_name 'two');\n",
                      ("table", "ft", "foreign_options")),
    "publication column list": (T + "CREATE PUBLICATION pub FOR TABLE t (id, v);\n", T + "CREATE PUBLICATION pub FOR TABLE t (id, a);\n",
                                ("publication", "pub", "columns_and_filters")),
    "publication row filter": (T + "CREATE PUBLICATION pub FOR TABLE t WHERE (a > 1);\n", T + "CREATE PUBLICATION pub FOR TABLE t WHERE (a > 2);\n",
                               ("publication", "pub", "columns_and_filters")),
    "materialized view rows": (T + "INSERT INTO t (id) VALUES (1);\nCREATE MATERIALIZED VIEW mv AS SELECT id FROM t;\n",
                               T + "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;\nINSERT INTO t (id) VALUES (1);\n", ("data", "mv", None)),
    "materialized view populated": (T + "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;\n",
                                    T + "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WITH NO DATA;\n", ("view", "mv", "populated")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_names_a_change_in_each_kind(tmp_path: Path, pg_server: Any, case: str) -> None:
    history, staged_sql, (kind, name, detail) = CASES[case]
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_init.sql").write_text(history)
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "20250101000000_init.sql").write_text(staged_sql or "SELECT 1;\n")
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    assert validate(tmp_path, url=url, create_roles=True, staged=tmp_path / "migrations").equal  # the history equals itself
    found = [(d.type, d.name, d.detail) for d in validate(tmp_path, url=url, create_roles=True, staged=staged).differences]
    assert any(t == kind and (name is None or n == name) and (detail is None or d == detail) for t, n, d in found), found


def test_a_publication_s_tables_are_compared_as_a_set(tmp_path: Path, pg_server: Any) -> None:
    """The same tables, made in another order (a new set groups its tables otherwise), are the same
    publication: the catalog lists them in the order of their oids."""
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_init.sql").write_text(
        "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (id int PRIMARY KEY);\nCREATE PUBLICATION pub FOR TABLE b, a;\n")
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "20250101000000_init.sql").write_text(
        "CREATE TABLE b (id int PRIMARY KEY);\nCREATE TABLE a (id int PRIMARY KEY);\nCREATE PUBLICATION pub FOR TABLE b, a;\n")
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    assert [(d.type, d.name, d.detail) for d in validate(tmp_path, url=url, create_roles=True, staged=staged).differences] == []


def test_a_user_mapping_s_password_is_compared_but_never_shown(tmp_path: Path, pg_server: Any) -> None:
    history, staged_sql, _ = CASES["user mapping"]
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_init.sql").write_text(history)
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "20250101000000_init.sql").write_text(staged_sql)
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    shown = [str(d.to_json()) for d in validate(tmp_path, url=url, create_roles=True, staged=staged).differences]
    assert shown and not any("first-secret" in d or "second-secret" in d for d in shown), shown
