"""The dependency map's order: foreign-key cycles deferred, what is left of a cycle broken again."""

from __future__ import annotations

from tui.core.graph import Edge, Graph, _order
from tui.core.model import Obj


def _graph(names: str, edges: list[tuple[str, str, str]]) -> tuple[Graph, dict[str, Obj], dict[tuple[str, str], list[str]]]:
    live = {f"table:{n}": Obj("table", n, born=i) for i, n in enumerate(names)}
    g = Graph(nodes=list(live), edges=[Edge(f"table:{a}", f"table:{b}", kind) for a, b, kind in edges])
    fk = {(f"table:{a}", f"table:{b}"): [f"constraint:{a}.{b}_fk"] for a, b, kind in edges if kind == "foreign_key"}
    return g, live, fk


def test_a_cycle_left_once_its_foreign_keys_are_deferred_is_broken_in_the_next_round() -> None:
    # a and b need each other by foreign keys; b and c also by edges no foreign key can defer.
    g, live, fk = _graph("abcd", [("a", "b", "foreign_key"), ("b", "a", "foreign_key"), ("b", "c", "default"),
                                  ("c", "b", "view"), ("d", "c", "view")])
    _order(g, live, fk)
    assert g.cycles == [["table:a", "table:b", "table:c"], ["table:b", "table:c"]]
    assert sorted(g.deferred) == ["constraint:a.b_fk", "constraint:b.a_fk"]
    assert g.order == ["table:a", "table:b", "table:c", "table:d"]  # d waits for c; the rest by birth


def test_the_order_puts_what_is_needed_first_and_breaks_ties_by_birth() -> None:
    g, live, fk = _graph("abcd", [("a", "d", "foreign_key"), ("b", "a", "foreign_key"), ("c", "b", "type")])
    _order(g, live, fk)
    assert not g.cycles and not g.deferred
    assert g.order == ["table:d", "table:a", "table:b", "table:c"]


def test_a_key_made_using_its_table_s_index_is_no_cycle(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # `supabase db diff` writes every key so: the index, then the key USING it. The table is not
    # made after its own index; a key USING another table's index still orders the two.
    from tests.core.plans import write_history
    from tui.core.analysis import analyze

    a = analyze(write_history(tmp_path, {"20240101000000_a.sql":
        "CREATE TABLE p (id uuid NOT NULL, name text);\nCREATE UNIQUE INDEX p_pkey ON p USING btree (id);\n"
        "ALTER TABLE p ADD CONSTRAINT p_pkey PRIMARY KEY USING INDEX p_pkey;\n"
        "CREATE UNIQUE INDEX p_name_key ON p USING btree (name);\nALTER TABLE p ADD CONSTRAINT p_name_key UNIQUE USING INDEX p_name_key;\n"
        "CREATE TABLE c (id uuid REFERENCES p (id));\n"}))
    assert not a.graph.cycles and not [d for d in a.diagnostics if "cycle" in d.message]
    assert ("table:c", "table:p") in {(e.source, e.target) for e in a.graph.edges}
    assert not [e for e in a.graph.edges if e.source == "table:p" and e.target.startswith("index:")]
