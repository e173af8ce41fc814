"""What Django writes around its foreign keys and its data migrations, followed: SET CONSTRAINTS
... IMMEDIATE (only when its transaction checks keys) is a statement to leave out, not one the
model cannot follow (which everything after it waited for), and an INSERT ... RETURNING id
inserts the rows it lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.plans import generated_sql, write_history
from tui.core.analysis import analyze
from tui.core.plan import build_plan

TABLES = "CREATE TABLE event (id int PRIMARY KEY);\nCREATE TABLE item (id int PRIMARY KEY);\n"
KEY_COLUMN = ("ALTER TABLE item ADD COLUMN event_id int NULL CONSTRAINT item_event_fk REFERENCES event (id) "
              "DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS item_event_fk IMMEDIATE;\n")


def _kinds(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in analyze(root).findings:
        out.setdefault(f.kind, []).append(f.action)
    return out


def test_a_key_checked_at_once_is_left_out_and_later_folds_pass_it(tmp_path: Path) -> None:
    # The category table is made after the SET: the column that references it folds into the
    # CREATE TABLE item made before it, which it could not while the SET held everything after it.
    write_history(tmp_path, {"0001_initial.sql": TABLES + KEY_COLUMN,
                             "0002_category.sql": "CREATE TABLE category (id int PRIMARY KEY);\n"
                             "ALTER TABLE item ADD COLUMN category_id int NULL CONSTRAINT item_category_fk REFERENCES category (id) "
                             "DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS item_category_fk IMMEDIATE;\n"})
    kinds = _kinds(tmp_path)
    assert "unfollowable" not in kinds, kinds["unfollowable"]
    left_out = [a for a in kinds["no_effect"] if a.startswith("Leave out SET")]
    assert len(left_out) == 2 and "item.item_event_fk" in left_out[0], left_out
    plan = build_plan(analyze(tmp_path, track_reads=True))
    assert plan.unfolded == []
    sql = generated_sql(tmp_path)
    assert "SET CONSTRAINTS" not in sql
    create = sql[sql.index("CREATE TABLE item"):]
    create = create[:create.index(");")]
    assert "category_id int NULL CONSTRAINT item_category_fk REFERENCES category" in create, sql


@pytest.mark.parametrize("statement, why", [
    ("SET CONSTRAINTS item_event_fk DEFERRED;", "DEFERRED"),  # the writes after it may break the key until COMMIT
    ("SET CONSTRAINTS no_such_key IMMEDIATE;", "does not know"),
    (("CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n"
      "CREATE CONSTRAINT TRIGGER item_audit AFTER INSERT ON item DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit();\n"
      "SET CONSTRAINTS ALL IMMEDIATE;"), "ALL"),  # it would fire the trigger earlier
])
def test_what_may_change_the_rows_stays_where_it_stood(tmp_path: Path, statement: str, why: str) -> None:
    write_history(tmp_path, {"0001_initial.sql": TABLES + KEY_COLUMN + statement + "\n"})
    unfollowable = _kinds(tmp_path).get("unfollowable", [])
    assert len(unfollowable) == 1 and why in unfollowable[0] and "SET CONSTRAINTS" in unfollowable[0], unfollowable


def test_all_checked_at_once_without_constraint_triggers_is_left_out(tmp_path: Path) -> None:
    write_history(tmp_path, {"0001_initial.sql": TABLES + KEY_COLUMN + "INSERT INTO event VALUES (1);\n"
                             "UPDATE item SET event_id = 1; SET CONSTRAINTS ALL IMMEDIATE;\nALTER TABLE item ALTER COLUMN event_id SET NOT NULL;\n"})
    kinds = _kinds(tmp_path)
    assert "unfollowable" not in kinds
    assert any(a.startswith("Leave out SET") and "its deferred keys" in a for a in kinds["no_effect"]), kinds["no_effect"]


def test_an_insert_returning_its_ids_inserts_the_rows_it_lists(tmp_path: Path) -> None:
    write_history(tmp_path, {"0001_initial.sql": TABLES + "INSERT INTO event (id) VALUES (1), (2) RETURNING event.id;\n"
                             "CREATE SEQUENCE s;\nINSERT INTO item (id) VALUES (1) RETURNING nextval('s');\n"})
    a = analyze(tmp_path)
    rows = a.model.get("data", "event")
    assert rows is not None and [r.values["id"] for r in rows.rows] == ["1", "2"] and not rows.uncertain
    unfollowable = [f.action for f in a.findings if f.kind == "unfollowable"]
    assert len(unfollowable) == 1 and ":5 " in unfollowable[0], unfollowable  # what RETURNING calls may do more
