"""What the plan reads of a tree instead of printing it."""

from __future__ import annotations

from pglast import parse_sql

from tui.core.names import texts


def test_texts_are_the_names_and_strings_of_a_tree_not_its_codes() -> None:
    node = parse_sql("CREATE TABLE s.t (a int REFERENCES u (id) ON DELETE CASCADE, "
                     "\"B\" text DEFAULT 'x y' CHECK (length(\"B\") > 0))")[0].stmt
    found = list(texts(node))
    assert {"s", "t", "a", "u", "id", "B", "x y", "length"} <= set(found)
    # A foreign key's actions and the table's persistence are one-letter codes, not text: a
    # column called `c` or `p` is not named by them.
    assert node.relation.relpersistence == "p" and "p" not in found
    assert "c" not in found and found.count("a") == 1 and found.count("s") == 1  # ON DELETE c(ascade), MATCH s(imple)
    assert found.count("B") == 2  # in source order, each time it is named
