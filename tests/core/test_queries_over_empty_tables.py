"""Rows copied by a query with WITH around it, from tables that hold none at that point, are none:
the INSERT, UPDATE or DELETE is left out, and what only it kept (the tables it read, a column
another table lost years before that shares a name it reads) goes with it. A WITH query that may
write where it returns rows keeps the statement. A seed row written `SELECT ... WHERE NOT EXISTS`
over rows the model knows is let in, or kept out, as PostgreSQL would."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import generated_sql, write_history
from tui.core.analysis import analyze

TABLES = ("CREATE TABLE polls (id text PRIMARY KEY, type text, event_id text);\n"
          "CREATE TABLE votes (id text PRIMARY KEY, poll_id text, type text);\n"
          "CREATE TABLE events (id text PRIMARY KEY);\n"
          "CREATE TABLE invites (id text PRIMARY KEY, status text, uid text);\n")
COPY = ("WITH picked AS (SELECT v.id, v.type AS vote_type, row_number() OVER (PARTITION BY p.id ORDER BY v.id) AS rn\n"
        "  FROM events e JOIN polls p ON e.id = p.event_id JOIN votes v ON v.poll_id = p.id)\n"
        "INSERT INTO invites (id, status) SELECT id, vote_type FROM picked WHERE rn = 1;\n")


def _left_out(root: Path) -> list[str]:
    return [f.action for f in analyze(root).findings if f.kind == "no_effect"]


def test_a_query_with_a_with_clause_over_empty_tables_copies_no_row(tmp_path: Path) -> None:
    write_history(tmp_path, {"0001_a.sql": TABLES + COPY +
                             "UPDATE invites SET uid = id WHERE uid IS NULL;\n"
                             "WITH dups AS (SELECT id, row_number() OVER (PARTITION BY status) AS rn FROM invites)\n"
                             "DELETE FROM invites WHERE id IN (SELECT id FROM dups WHERE rn > 1);\n"})
    left_out = _left_out(tmp_path)
    assert len(left_out) == 3, left_out  # the INSERT copies none, so the UPDATE and DELETE meet none
    assert any("INSERT into invites" in a for a in left_out)


def test_rows_in_a_table_it_reads_keep_it(tmp_path: Path) -> None:
    write_history(tmp_path, {"0001_a.sql": TABLES + "INSERT INTO events VALUES ('e');\n"
                             "INSERT INTO polls VALUES ('p', 'x', 'e');\nINSERT INTO votes VALUES ('v', 'p', 'yes');\n" + COPY})
    assert not any("INSERT into invites" in a for a in _left_out(tmp_path))


def test_a_with_query_that_may_write_keeps_it(tmp_path: Path) -> None:
    # The planner may read the sequence's query whole though the join meets no row of events.
    write_history(tmp_path, {"0001_a.sql": TABLES + "CREATE SEQUENCE n;\nINSERT INTO votes VALUES ('v', 'p', 'yes');\n"
                             "WITH numbered AS (SELECT id, nextval('n') AS k FROM votes)\n"
                             "INSERT INTO invites (id) SELECT numbered.id FROM numbered JOIN events ON events.id = numbered.id;\n"})
    assert not any("INSERT into invites" in a for a in _left_out(tmp_path))
    write_history(tmp_path, {"0001_a.sql": TABLES + "CREATE SEQUENCE n;\n"
                             "WITH numbered AS (SELECT id, nextval('n') AS k FROM votes)\n"
                             "INSERT INTO invites (id) SELECT numbered.id FROM numbered JOIN events ON events.id = numbered.id;\n"})
    assert any("INSERT into invites" in a for a in _left_out(tmp_path)), "over no row, nextval is never called"


def test_a_column_dropped_before_is_not_what_a_query_naming_its_name_reads(tmp_path: Path) -> None:
    # `v.type` names the votes' column; polls lost a `type` column before: it is not read.
    write_history(tmp_path, {"0001_a.sql": TABLES + "INSERT INTO votes VALUES ('v', 'p', 'yes');\n",
                             "0002_b.sql": "ALTER TABLE polls DROP COLUMN type;\n",
                             "0003_c.sql": "INSERT INTO invites (id, status) SELECT v.id, v.type FROM votes v JOIN polls p ON p.id = v.poll_id;\n"})
    a = analyze(tmp_path, track_reads=True)
    copy = next(st for st in a.parsed.statements if st.text.startswith("INSERT INTO invites"))
    reads = a.model.reads_of(copy.seq)
    assert "column:votes.type" in reads and "column:polls.type" not in reads


def test_a_block_naming_a_column_dropped_before_does_not_keep_it(tmp_path: Path) -> None:
    history = [TABLES + "INSERT INTO votes VALUES ('v', 'p', 'yes');\n", "ALTER TABLE polls DROP COLUMN type;\n",
               "DO $$ BEGIN EXECUTE 'UPDATE votes SET type = ''no'' WHERE poll_id IN (SELECT id FROM polls)'; END $$;\n"]
    write_history(tmp_path, {f"{i:04d}_m.sql": text for i, text in enumerate(history, 1)})
    sql = generated_sql(tmp_path)
    assert "DROP COLUMN type" not in sql and "CREATE TABLE polls (id text PRIMARY KEY, event_id text)" in sql, sql


SEEDS = ("CREATE TABLE strategies (name text PRIMARY KEY, description text);\n"
         "INSERT INTO strategies (name, description) VALUES ('default', 'on or off');\n")


def _guarded(name: str) -> str:
    return (f"INSERT INTO strategies (name, description) SELECT '{name}', 'seed'\n"
            f"    WHERE NOT EXISTS (SELECT name FROM strategies WHERE name = '{name}');\n")


def test_a_seed_row_guarded_by_not_exists_is_let_in_or_kept_out_by_the_rows_known(tmp_path: Path) -> None:
    write_history(tmp_path, {"0001_a.sql": SEEDS + _guarded("default") + _guarded("flexible")})
    a = analyze(tmp_path)
    left_out = [f.action for f in a.findings if f.kind == "no_effect"]
    assert len(left_out) == 1 and "keeps out" in left_out[0], left_out  # 'default' is there: the first adds nothing
    assert not [f for f in a.findings if f.kind == "unfollowable"]
    rows = a.model.get("data", "strategies").rows  # type: ignore[union-attr]
    assert sorted(r.values["name"] for r in rows if r.alive) == ["'default'", "'flexible'"]


def test_rows_the_model_does_not_know_keep_it_a_query(tmp_path: Path) -> None:
    write_history(tmp_path, {"0001_a.sql": SEEDS + "CREATE TABLE old (name text);\n"
                             "INSERT INTO old VALUES ('x');\nINSERT INTO strategies (name) SELECT name FROM old;\n" + _guarded("default")})
    a = analyze(tmp_path)
    assert not any("keeps out" in f.action for f in a.findings if f.kind == "no_effect")
