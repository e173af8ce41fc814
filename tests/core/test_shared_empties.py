"""Containers most objects never fill start as one shared empty tuple: filling one object's must
never show in another's."""

from __future__ import annotations

from pathlib import Path

from tui.core.analysis import analyze
from tui.core.model import Obj
from tui.core.plan.items import Item
from tui.core.plan.splice import Op


def test_filling_one_items_containers_leaves_the_others_empty(example: Path) -> None:
    st = analyze(example).parsed.statements[0]
    a, b = Item(st, st.node), Item(st, st.node)
    a.fold_in(st)
    a.needs_ahead(st.seq, {"type:mood"}, {"type:mood"})
    a.note("kept whole")
    a.merge(st)
    a.add_op(Op("add"))
    a.needs_ahead(st.seq + 1, {"function:f()"}, set())
    assert (a.folded, a.merged, a.notes, len(a.ops)) == ([st], [st], ["kept whole"], 1)
    assert a.ahead == {"type:mood", "function:f()"} and a.fold_ahead == {st.seq: {"type:mood"}, st.seq + 1: set()}
    assert (b.folded, b.merged, b.notes, b.ops, b.ahead, b.fold_ahead) == ((), (), (), (), frozenset(), None)


def test_a_renamed_object_keeps_its_former_names_to_itself(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_a.sql").write_text(
        "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nALTER TABLE a RENAME TO c;\n")
    model = analyze(tmp_path).model
    c, b = model.get("table", "c"), model.get("table", "b")
    assert c is not None and b is not None
    assert c.former_names == ["a"] and b.former_names == ()
    data_b, data_c = model.get("data", "b"), model.get("data", "c")
    assert data_b is not None and [r.values for r in data_b.rows] == [{"id": "1"}]
    assert data_c is None or data_c.rows == ()
    assert Obj("table", "x").rows == () and Obj("table", "y").former_names == ()
