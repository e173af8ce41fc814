"""The history's catalog kept between generate and validate: used only for the files, preamble,
roles and server it was read from, read back exactly, and never trusted to find a difference."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import requires_pg
from tui.core.formats.base import Migration
from tui.core.generate import generate
from tui.core.state import state_of
from tui.pg.catalog import Snapshot, snapshot
from tui.pg.history_catalog import history_key, keep, recall
from tui.pg.proof import PgProver
from tui.pg.runner import apply_migrations
from tui.pg.server import Server
from tui.pg.validate import validate

pytestmark = pytest.mark.pg


def _key(server: Server, sql: str = "CREATE TABLE t (id int);", preamble: str = "", roles: tuple[str, ...] = ()) -> str:
    return history_key(server, [Migration("1", "1_init", "migrations/1_init.sql", sql)], preamble,
                       frozenset({("t", "id")}), ((), ()), roles)


def test_the_key_changes_with_anything_the_build_depends_on() -> None:
    server = Server("local", {}, version="15.18", why="local binaries in /usr/bin")
    base = _key(server)
    assert base == _key(Server("local", {"port": 1}, version="15.18", why="local binaries in /usr/bin"))  # not the port
    assert len({base, _key(server, sql="CREATE TABLE t (id bigint);"), _key(server, preamble="CREATE ROLE app;"),
                _key(server, roles=("app",)), _key(replace(server, version="16.4")), _key(replace(server, name="docker"))}) == 6


@requires_pg
def test_a_real_catalog_reads_back_equal_and_only_for_its_key(pg_server: Server, tmp_path: Path) -> None:
    sql = ("CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (id serial PRIMARY KEY, m mood, tags text[] DEFAULT '{a,b}');\n"
           "CREATE INDEX t_m ON t (m);\nINSERT INTO t (m) VALUES ('ok'), (NULL);\nGRANT SELECT ON t TO PUBLIC;\n")
    db = pg_server.create_database("kept")
    try:
        apply_migrations(pg_server, db, [Migration("1", "1_init", "migrations/1_init.sql", sql)])
        with pg_server.connect(db) as conn:
            snap = snapshot(conn)
    finally:
        pg_server.drop_database(db)
    state = state_of(tmp_path)
    keep(state, "k1", snap, "generate")
    kept = recall(state, "k1")
    assert kept is not None and kept.snapshot == snap and kept.made.startswith("generate at ") and kept.noise is None
    assert snap.objects["table"] and any(isinstance(v, tuple) for r in snap.rows.values() for v in r)  # tuples came back tuples
    assert recall(state, "k2") is None

    record = json.loads(state.history_catalog.read_text())
    record["snapshot"]["objects"] = {"table": ["not", "a", "mapping"]}  # well-formed JSON, not a catalog
    state.history_catalog.write_text(json.dumps(record))
    assert recall(state, "k1") is None
    state.history_catalog.write_text("{not json")
    assert recall(state, "k1") is None
    keep(state, "k3", Snapshot(objects={"table": {"t": {"odd": {1, 2}}}}), "validate")  # a value JSON cannot carry
    assert recall(state, "k3") is None


@requires_pg
def test_validate_after_generate_compares_with_the_kept_catalog_and_says_so(example: Path) -> None:
    generate(example, prover=PgProver("local"))
    result = validate(example, pg="local")
    assert result.equal and result.history_from.startswith("generate at ")
    again = validate(example, pg="local", rebuild_history=True)
    assert again.equal and again.history_from == ""
    assert validate(example, pg="local").history_from.startswith("validate at ")  # the build just made was kept


@requires_pg
def test_a_kept_catalog_never_decides_a_difference(example: Path) -> None:
    generate(example, prover=PgProver("local"))
    path = state_of(example).history_catalog
    record = json.loads(path.read_text())
    tables = record["snapshot"]["objects"]["table"]
    tables.pop(sorted(tables)[0])  # what a stale or damaged catalog would say
    path.write_text(json.dumps(record))
    result = validate(example, pg="local")
    assert result.equal and result.history_from == ""  # the history was built, and the set equals it


@requires_pg
def test_a_set_that_differs_is_compared_with_the_history_built_now(example: Path) -> None:
    generate(example, prover=PgProver("local"))
    staged = sorted((example / ".consolidate" / "new").glob("*.sql"))[-1]
    staged.write_text(staged.read_text() + "\nCREATE TABLE hand_added (id int);\n")
    result = validate(example, pg="local")
    assert not result.equal and result.history_from == ""
    assert {d.name.split(".")[0] for d in result.differences} == {"hand_added"}


@requires_pg
def test_what_differs_between_two_builds_is_kept_with_the_catalog(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_init.sql").write_text(
        "CREATE TABLE t (id int PRIMARY KEY, token text);\nINSERT INTO t VALUES (1, md5(random()::text));\n")
    (tmp_path / "migrations" / "20250102000000_more.sql").write_text("ALTER TABLE t ADD COLUMN note text;\n")
    generate(tmp_path, prover=PgProver("local"))
    record = json.loads(state_of(tmp_path).history_catalog.read_text())
    assert record["noise"], "the proof learnt what differs between two builds"
    result = validate(tmp_path, pg="local")
    assert result.equal and result.history_from.startswith("generate at ")
    assert any(s.startswith("data t.token") and "two builds" in s for s in result.skipped)


def test_every_module_that_reads_the_catalog_is_part_of_the_key() -> None:
    # A module added to the reading of the catalog, left out of the key, would let a catalog kept
    # by an older version stand for one the new code reads otherwise.
    from tui.pg import history_catalog

    readers = {p.name for p in Path(history_catalog.__file__).parent.glob("catalog*.py")}
    assert readers and readers <= set(history_catalog._READERS), readers - set(history_catalog._READERS)
