"""What the plan reads of a tree instead of printing it, and what a set_config() call sets."""

from __future__ import annotations

import pytest
from pglast import parse_sql

from tui.core.names import texts
from tui.core.settings import setting_call


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


@pytest.mark.parametrize(("sql", "name", "values", "local"), [
    ("SELECT pg_catalog.set_config('search_path', 'app, \"$user\", public', false)", "search_path", ["app", "$user", "public"], False),
    ("SELECT set_config('session_replication_role', 'replica', true)", "session_replication_role", ["replica"], True),
    ("SELECT set_config('search_path', 'app', false) FROM t", None, None, None),  # runs once per row: not a SET
    ("SELECT set_config('myapp.tenant', '7', false)", None, None, None),  # decides nothing made
    ("SELECT set_config('search_path', current_setting('x'), false)", None, None, None),
])
def test_a_set_config_call_reads_as_the_set_it_makes(sql: str, name: str | None, values: list[str] | None, local: bool | None) -> None:
    got = setting_call(parse_sql(sql)[0].stmt)
    if name is None:
        assert got is None
    else:
        assert got is not None and (got.name, [a.val.sval for a in got.args], got.is_local) == (name, values, local)



@pytest.mark.parametrize("expr", ["-5", "-12.34", "-9223372036854775808", "-1.5e-3", "- 2.0", "(-5)::int", "-5::int",
                                  "(-1.5)::numeric", "ARRAY[-1, -2]", "-5 + 3", "5", "1.5"])
def test_a_number_printed_without_the_printer_is_printed_as_the_printer_prints_it(expr: str) -> None:
    """Seed rows' numbers skip pglast's printer (0.2 ms a call); what they give must be its text,
    which the values of other statements are compared with."""
    from pglast.stream import RawStream

    from tui.core.names import sql

    value = parse_sql(f"SELECT {expr}")[0].stmt.targetList[0].val
    assert sql(value) == RawStream()(value)
