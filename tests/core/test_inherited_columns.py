"""A partition's or an INHERITS child's columns come from its parent: an ALTER COLUMN or a COMMENT
ON COLUMN naming one is valid SQL. The model keeps the columns of a table's own definition only,
so it keeps such a statement where it stands, as one it does not follow, but it does not warn
that the column is unknown; a column no parent has still gets the warning."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import write_history
from tui.core.analysis import analyze

TABLES = ("CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);\n"
          "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
          "CREATE TABLE notes (id serial PRIMARY KEY, body text);\nCREATE TABLE budget_note (extra int) INHERITS (notes);\n"
          "CREATE TABLE budget_note_2024 () INHERITS (budget_note);\n")


def test_a_column_a_child_inherits_is_not_unknown(tmp_path: Path) -> None:
    root = write_history(tmp_path, {"0001_tables.sql": TABLES, "0002_alter.sql":
                                    "ALTER TABLE events_2024 ALTER COLUMN kind SET DEFAULT 'x';\n"
                                    "ALTER TABLE budget_note_2024 ALTER COLUMN body SET DEFAULT 'n';\n"
                                    "COMMENT ON COLUMN events_2024.kind IS 'what happened';\n"})
    a = analyze(root)
    assert [d.message for d in a.diagnostics] == []
    kept = {u.stmt.line: u.reason for u in a.model.unfollowable}
    assert kept == {1: "alters a column it inherits from events", 2: "alters a column it inherits from notes",
                    3: "comment on a column events_2024 inherits from events"}


def test_a_column_no_parent_has_is_still_unknown(tmp_path: Path) -> None:
    root = write_history(tmp_path, {"0001_tables.sql": TABLES, "0002_alter.sql":
                                    "ALTER TABLE events_2024 ALTER COLUMN nope SET DEFAULT 'x';\nCOMMENT ON COLUMN budget_note.nope IS 'n';\n"})
    messages = [d.message for d in analyze(root).diagnostics]
    assert len(messages) == 2 and "which the model does not know" in messages[0] and "nope" in messages[1], messages
