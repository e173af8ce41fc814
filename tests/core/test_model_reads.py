"""What replay records of a statement beyond the names it writes, and what the plan keeps of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_corpus, corpus_cases
from tui.core.analysis import analyze
from tui.core.replay import Replayer


def _one_file(root: Path, sql: str) -> None:
    """A history of one migration file holding `sql`."""
    (root / "migrations").mkdir()
    (root / "migrations" / "20240101000001_a.sql").write_text(sql)


def test_a_type_change_notes_the_type_it_leaves(tmp_path: Path) -> None:
    # The enum swap Prisma writes: DROP TYPE of the old type must stay after the column left it,
    # though the ALTER names only the new type.
    _one_file(tmp_path,
        "CREATE TYPE status AS ENUM ('new', 'void');\nCREATE TABLE orders (id int, s status);\n"
        "CREATE TYPE status_new AS ENUM ('new');\n"
        "ALTER TABLE orders ALTER COLUMN s TYPE status_new USING s::text::status_new;\n"
        "DROP TYPE status;\nALTER TYPE status_new RENAME TO status;\n")
    a = analyze(tmp_path, track_reads=True)
    retype = next(st for st in a.parsed.statements if "USING" in st.text)
    old = next(o for o in a.model.objects.values() if o.type == "type" and not o.exists)
    assert a.model.left_types.get(retype.seq) == [old]


def test_owned_by_needs_the_table_by_the_name_it_uses(tmp_path: Path) -> None:
    # ALTER SEQUENCE ... OWNED BY t.c names the table as it is called then: a later RENAME of t
    # (a table rebuilt aside) must stay after it, so it reads the table, not only the sequence.
    _one_file(tmp_path,
        "CREATE TABLE counter (id int, n bigint);\nCREATE SEQUENCE counter_n;\n"
        "ALTER SEQUENCE counter_n OWNED BY counter.n;\nALTER TABLE counter RENAME TO counter_old;\n")
    a = analyze(tmp_path, track_reads=True)
    owned = next(st for st in a.parsed.statements if "OWNED BY" in st.text)
    assert {"table:counter_old", "column:counter_old.n"} <= a.model.reads_of(owned.seq)


def test_an_insert_needs_the_partitions_and_columns_it_writes_to(tmp_path: Path) -> None:
    # A row goes to one of the partitions there are (a DEFAULT one takes the rest): the INSERT
    # stays after them. Without a column list, the values go to every column in order.
    _one_file(tmp_path,
        "CREATE TABLE events (id int, at date, v text) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
        "CREATE TABLE events_default PARTITION OF events DEFAULT;\n"
        "INSERT INTO events VALUES (1, '2030-01-01', 'b');\n"
        "INSERT INTO events (id) VALUES (2);\n")
    a = analyze(tmp_path, track_reads=True)
    positional, named = (st for st in a.parsed.statements if st.text.startswith("INSERT"))
    parts = {"table:events_2024", "table:events_default"}
    assert parts | {"column:events.at", "column:events.v"} <= a.model.reads_of(positional.seq)
    assert parts <= a.model.reads_of(named.seq) and "column:events.v" not in a.model.reads_of(named.seq)


def test_an_enum_made_again_knows_only_its_new_labels(tmp_path: Path) -> None:
    # The labels an enum has are kept as a set too (asked at each label added); a type dropped and
    # made again starts from its new labels: 'b' is added again, not "already there".
    _one_file(tmp_path,
        "CREATE TYPE mood AS ENUM ('a', 'b');\nALTER TYPE mood RENAME VALUE 'a' TO 'c';\nDROP TYPE mood;\n"
        "CREATE TYPE mood AS ENUM ('a');\nALTER TYPE mood ADD VALUE 'b';\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'a';\n"
        "ALTER TYPE mood ADD VALUE 'c' BEFORE 'a';\n")
    a = analyze(tmp_path)
    mood = a.model.get("type", "mood")
    assert mood is not None and mood.attrs["labels"] == ["c", "a", "b"]
    assert [e.action for e in mood.events[-3:]] == ["alter", "noop", "alter"]


def test_a_cascade_through_a_long_chain_of_views_is_followed(tmp_path: Path) -> None:
    # DROP ... CASCADE goes down a chain deeper than Python's stack (it recursed, and the model
    # gave up on the statement: "internal error following this statement").
    views = "".join(f"CREATE VIEW v{i} AS SELECT id FROM {'t' if i == 0 else f'v{i - 1}'};\n" for i in range(1500))
    _one_file(tmp_path, f"CREATE TABLE t (id int);\n{views}DROP TABLE t CASCADE;\n")
    a = analyze(tmp_path)
    assert not [d for d in a.diagnostics if "internal error" in d.message]
    dropped = [o for o in a.model.objects.values() if o.type == "view" and not o.exists]
    assert len(dropped) == 1500 and all(o.events[-1].by for o in dropped)


@pytest.mark.parametrize("name", ["rebuilt", "lemmy-0.19.9", "harbor", "kestra"])
def test_each_tables_keys_are_indexed_under_it(name: str, tmp_path: Path) -> None:
    # A foreign key finds the unique key it references among its table's constraints and indexes,
    # kept by table as they are made, renamed and moved aside (not among every dependent of the
    # table: thousands of foreign keys to one table were quadratic). Each one must be there.
    if name == "rebuilt":  # a table rebuilt aside and renamed into place: the old one moves aside
        root = tmp_path / "rebuilt"
        (root / "migrations").mkdir(parents=True)
        (root / "migrations" / "20240101000001_a.sql").write_text(
            "CREATE TABLE rb (id int PRIMARY KEY, v text UNIQUE);\nCREATE TABLE rb_new (id int PRIMARY KEY, v text UNIQUE);\n"
            "CREATE TABLE rb_user (id int, rb_id int REFERENCES rb_new(id));\nDROP TABLE rb CASCADE;\n"
            "ALTER TABLE rb_new RENAME TO rb;\nALTER TABLE rb RENAME CONSTRAINT rb_new_pkey TO rb_pkey;\n"
            "CREATE UNIQUE INDEX rb_v ON rb (v);\nALTER INDEX rb_v RENAME TO rb_v2;\n")
    else:
        case = next(c for c in corpus_cases() if c[0] == name)
        root = copy_corpus(tmp_path, name, case[2])
    analysis = analyze(root)
    replayer = Replayer()
    replayer.run(analysis.preamble)
    replayer.run(analysis.parsed.statements)
    made = [(o.parent, o.key) for o in replayer.model.objects.values() if o.type in ("constraint", "index") and o.parent]
    assert made and not [(parent, key) for parent, key in made if key not in replayer.keys.of_table.get(parent, ())]


def test_a_table_rebuilt_into_place_again_and_again_keeps_each_old_life_aside(tmp_path: Path) -> None:
    # Each old table moves aside under a number of its own, counted on from the last (counting
    # from 1 each time was quadratic in a table rebuilt thousands of times).
    rebuild = "CREATE TABLE t_new (id int, n int);\nDROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n"
    _one_file(tmp_path, "CREATE TABLE t (id int);\n" + rebuild * 3)
    objects = analyze(tmp_path).model.objects
    assert sorted(k for k in objects if k.startswith("table:t")) == ["table:t", "table:t~1", "table:t~2", "table:t~3"]
    assert objects["table:t"].exists and not any(objects[f"table:t~{n}"].exists for n in (1, 2, 3))
    assert sorted(k for k in objects if k.startswith("column:t.id")) == ["column:t.id", "column:t.id~1", "column:t.id~2", "column:t.id~3"]


def test_an_update_marks_only_keys_with_an_on_update_action_over_rows(tmp_path: Path) -> None:
    # An UPDATE of a table looks for the foreign keys pointing at it only once a key with an ON
    # UPDATE action was made (thousands of plain keys to a table updated thousands of times were
    # quadratic); the key with the action, over rows, is marked as having acted where the UPDATE
    # changes the column it references (another column's change fires no action).
    _one_file(tmp_path,
        "CREATE TABLE hub (id int PRIMARY KEY, n int);\nCREATE TABLE plain (h int REFERENCES hub(id));\n"
        "INSERT INTO hub VALUES (1, 0);\nINSERT INTO plain VALUES (1);\nUPDATE hub SET n = 1;\n"
        "CREATE TABLE cascading (h int REFERENCES hub(id) ON UPDATE CASCADE);\n"
        "INSERT INTO cascading VALUES (1);\nUPDATE hub SET n = 2;\nDELETE FROM plain;\nUPDATE hub SET id = 2 WHERE n = 2;\n")
    a = analyze(tmp_path)
    plain, cascading = (a.model.get("constraint", f"{t}.{t}_h_fkey") for t in ("plain", "cascading"))
    assert plain is not None and cascading is not None
    assert "acted" not in plain.attrs
    assert [s.seq for s in a.parsed.statements if s.seq in cascading.attrs["acted"]] == [a.parsed.statements[-1].seq]


def test_a_write_reads_the_columns_its_row_triggers_name(tmp_path: Path) -> None:
    # A row trigger's function sets NEW.touched_at: a write that fires it needs that column there
    # (quickwit's dynamic triggers, with rows written, lost a column the set folded away).
    _one_file(tmp_path,
        "CREATE TABLE docs (id int PRIMARY KEY, body text, touched_at timestamp, other int);\n"
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched_at := now(); RETURN NEW; END $$;\n"
        "CREATE TRIGGER touch BEFORE UPDATE ON docs FOR EACH ROW EXECUTE FUNCTION touch();\n"
        "INSERT INTO docs VALUES (1, 'a', NULL, 1);\nUPDATE docs SET body = 'b';\n")
    a = analyze(tmp_path, track_reads=True)
    update = a.parsed.statements[-1]
    read = a.model.reads_of(update.seq)
    assert "column:docs.touched_at" in read and "column:docs.other" not in read


def test_a_cast_to_a_tables_row_type_reads_its_columns_as_they_are(tmp_path: Path) -> None:
    # ROW(1, 'x')::addresses has the columns addresses has then: a column added later and folded
    # into its CREATE TABLE would make the cast fail. A `*` over a function returning its rows
    # takes them too.
    _one_file(tmp_path,
        "CREATE TABLE addresses (id int, street text);\n"
        "CREATE FUNCTION all_addresses() RETURNS SETOF addresses LANGUAGE sql STABLE AS 'SELECT * FROM addresses';\n"
        "CREATE TABLE people (id int, home addresses);\n"
        "INSERT INTO people VALUES (1, ROW(1, 'Main Street')::addresses);\n"
        "CREATE VIEW address_list AS SELECT * FROM all_addresses();\n"
        "ALTER TABLE addresses ADD COLUMN city text;\n")
    a = analyze(tmp_path, track_reads=True)
    people, insert, view = (st for st in a.parsed.statements if st.text.startswith(("CREATE TABLE people", "INSERT", "CREATE VIEW")))
    table = a.model.get("table", "addresses")
    assert {"table:addresses", "column:addresses.id", "column:addresses.street"} <= a.model.reads_of(insert.seq)
    assert "table:addresses" in a.model.reads_of(view.seq) and "table:addresses" in a.model.get("column", "people.home").depends
    assert {people.seq, insert.seq, view.seq} <= set(table.attrs["expanded"])


@pytest.mark.parametrize(("select", "kept"), [
    ("SELECT count(*) FROM t", False),
    ("SELECT now(), version()", False),
    ("SELECT create_hypertable('t', 'id')", True),  # an extension's: it may make tables
    ("SELECT pg_catalog.set_config('search_path', '', false)", True),
    ("SELECT id INTO t_copy FROM t", True),
])
def test_a_select_is_left_out_only_when_it_changes_nothing(select: str, kept: bool, tmp_path: Path) -> None:
    _one_file(tmp_path, f"CREATE TABLE t (id int PRIMARY KEY);\n{select};\n")
    a = analyze(tmp_path)
    st = a.parsed.statements[-1]
    assert any(n.stmt is st for n in a.model.no_effect) is not kept
    assert any(u.stmt is st for u in a.model.unfollowable) is kept


@pytest.mark.parametrize(("kind", "granted"), [
    ("TABLES", {"table:t", "view:v"}),
    ("SEQUENCES", {"sequence:s"}),
    ("FUNCTIONS", {"function:f()"}),
    ("PROCEDURES", {"function:p()"}),
    ("ROUTINES", {"function:f()", "function:p()"}),
])
def test_a_grant_on_all_of_a_kind_reaches_that_kind_only(kind: str, granted: set[str], tmp_path: Path) -> None:
    _one_file(tmp_path,
        "CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT id FROM t;\nCREATE SEQUENCE s;\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';\n"
        f"GRANT ALL ON ALL {kind} IN SCHEMA public TO PUBLIC;\n")
    a = analyze(tmp_path)
    assert {o.parent for o in a.model.objects.values() if o.type == "grant"} == granted


def test_each_write_that_fires_a_trigger_running_dynamic_sql_is_watched(tmp_path: Path) -> None:
    # The function names the table it writes at run time (TG_TABLE_NAME): only the server can
    # tell which, so every write that fires it is asked about, not the first one only.
    _one_file(tmp_path,
        "CREATE TABLE items (id int PRIMARY KEY);\nCREATE TABLE items_history (id int);\n"
        "CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "EXECUTE format('INSERT INTO %I VALUES ($1)', TG_TABLE_NAME || '_history') USING NEW.id; RETURN NEW; END $$;\n"
        "CREATE TRIGGER keep AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION keep();\n"
        "INSERT INTO items VALUES (1);\nINSERT INTO items VALUES (2);\nCREATE TABLE other (id int);\n")
    a = analyze(tmp_path)
    writes = [st for st in a.parsed.statements if st.text.startswith("INSERT")]
    assert [u.stmt for u in a.model.unfollowable] == writes


@pytest.mark.parametrize("back", ["RESET search_path", "SET search_path TO DEFAULT", "RESET ALL"])
def test_a_search_path_set_back_makes_objects_in_public_again(back: str, tmp_path: Path) -> None:
    _one_file(tmp_path, f"CREATE SCHEMA app;\nSET search_path TO app, public;\nCREATE TABLE inside (id int);\n{back};\n"
                        "CREATE TABLE outside (id int);\n")
    a = analyze(tmp_path)
    assert a.model.get("table", "app.inside") is not None and a.model.get("table", "outside") is not None
    assert a.model.get("table", "app.outside") is None


@pytest.mark.parametrize("end", ["", "COMMIT;\nCREATE TABLE after_commit (id int);\n"])
def test_a_set_local_search_path_ends_with_its_file_or_its_transaction(end: str, tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20240101000001_a.sql").write_text(
        "CREATE SCHEMA app;\nBEGIN;\nSET LOCAL search_path TO app;\nCREATE TABLE inside (id int);\n" + end)
    (tmp_path / "migrations" / "20240101000002_b.sql").write_text("CREATE TABLE outside (id int);\n")
    a = analyze(tmp_path)
    assert a.model.get("table", "app.inside") is not None and a.model.get("table", "outside") is not None
    assert a.model.get("table", "app.outside") is None
    if end:
        assert a.model.get("table", "after_commit") is not None and a.model.get("table", "app.after_commit") is None


def test_writes_under_replication_role_replica_are_watched_until_it_ends(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20240101000001_a.sql").write_text(
        "CREATE TABLE t (id int);\nSET search_path TO public;\nSET LOCAL session_replication_role = replica;\n"
        "INSERT INTO t VALUES (1);\n")
    (tmp_path / "migrations" / "20240101000002_b.sql").write_text(
        "INSERT INTO t VALUES (2);\nSET session_replication_role = replica;\nUPDATE t SET id = 3;\nRESET ALL;\nDELETE FROM t;\n")
    a = analyze(tmp_path)
    watched = [u.stmt.text for u in a.model.unfollowable]
    assert watched == ["INSERT INTO t VALUES (1)", "UPDATE t SET id = 3"]
