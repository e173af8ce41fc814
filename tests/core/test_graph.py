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
