"""What holds back the statements after it: a schema the history makes is needed by what is made
in it and what reads from it, not by everything after it (a column of a type made after the
schema still folds into a table made before it); a setting that changes only what the session
reports or how fast it works holds back nothing."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import plan_of

LATER_TYPE = "CREATE TYPE mood AS ENUM ('x');\nALTER TABLE a ADD COLUMN m mood;\n"


def _order(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [it.stmt.text.split("(")[0].strip().rstrip(";") for it in plan.items]


def test_a_column_folds_past_a_schema_it_does_not_need(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "CREATE TABLE a (id int PRIMARY KEY);\n",
                   "CREATE SCHEMA utils;\nCREATE TABLE utils.log (id int);\nCREATE VIEW a_ids AS SELECT id FROM utils.log;\n", LATER_TYPE)
    assert plan.unfolded == []
    order = _order(plan)
    assert order.index("CREATE TYPE mood AS ENUM") < order.index("CREATE TABLE a")
    schema = order.index("CREATE SCHEMA utils")
    assert schema < order.index("CREATE TABLE utils.log") and schema < order.index("CREATE VIEW a_ids AS SELECT id FROM utils.log")


def test_what_is_made_in_a_schema_dropped_and_made_again_stays_between(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "CREATE SCHEMA utils;\nCREATE TABLE utils.log (id int);\n",
                   "DROP SCHEMA utils CASCADE;\nCREATE SCHEMA utils;\nCREATE TABLE utils.log (id int, at timestamptz);\n")
    order = [it.stmt.text for it in plan.items]
    drop = next(i for i, t in enumerate(order) if t.startswith("DROP SCHEMA"))
    assert all(i > drop for i, t in enumerate(order) if "at timestamptz" in t)


def test_a_schema_named_after_its_owner_holds_back_what_follows(tmp_path: Path) -> None:
    # `$user` in the search path finds it: an unqualified CREATE after it lands there.
    plan = plan_of(tmp_path, "CREATE TABLE a (id int PRIMARY KEY);\n", "CREATE SCHEMA AUTHORIZATION CURRENT_USER;\n", LATER_TYPE)
    assert plan.unfolded


def test_a_quiet_setting_holds_back_nothing(tmp_path: Path) -> None:
    # What the session reports, how fast it works, a timeout switched off: no statement makes
    # anything else on either side of it. A timeout that is on, or the search path, still does.
    quiet = "SET client_min_messages = warning;\nSET statement_timeout = 0;\nRESET work_mem;\n"
    assert plan_of(tmp_path / "quiet", "CREATE TABLE a (id int PRIMARY KEY);\n", quiet, LATER_TYPE).unfolded == []
    for setting in ("SET lock_timeout = '5s';\n", "SET search_path = public;\n", "SET timezone = 'UTC';\n"):
        assert plan_of(tmp_path / setting[4:10], "CREATE TABLE a (id int PRIMARY KEY);\n", setting, LATER_TYPE).unfolded, setting
