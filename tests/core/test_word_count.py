"""Counting a name's mentions in a statement by the statement's words is counting them by a pattern
made for the name, for every name (the words are read once for each statement)."""

from __future__ import annotations

import re

from tui.core.plan.mentioned import word_count


def _by_pattern(text: str, name: str) -> int:
    return len(re.findall(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text.lower()))


def test_a_name_is_counted_where_it_stands_as_a_word_of_its_own() -> None:
    text = ('CREATE TABLE "Status" (status status NOT NULL, status_old status, "my type" "my type", '
            "price$ numeric, dé status[], x int DEFAULT f$status(1)) -- status.")
    for name in ("status", "status_old", "my type", "price", "price$", "dé", "é", "f$status", "int", "absent", ""):
        assert word_count(text, name) == _by_pattern(text, name), name
    assert word_count(text, "status") == 6
    assert word_count(text, "my type") == 2  # (not a plain word: counted by its pattern)
