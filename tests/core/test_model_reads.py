"""What replay records of a statement beyond the names it writes, and what the plan keeps of it."""

from __future__ import annotations

from pathlib import Path

from tui.core.analysis import analyze


def test_a_type_change_notes_the_type_it_leaves(tmp_path: Path) -> None:
    # The enum swap Prisma writes: DROP TYPE of the old type must stay after the column left it,
    # though the ALTER names only the new type.
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20240101000001_a.sql").write_text(
        "CREATE TYPE status AS ENUM ('new', 'void');\nCREATE TABLE orders (id int, s status);\n"
        "CREATE TYPE status_new AS ENUM ('new');\n"
        "ALTER TABLE orders ALTER COLUMN s TYPE status_new USING s::text::status_new;\n"
        "DROP TYPE status;\nALTER TYPE status_new RENAME TO status;\n")
    a = analyze(tmp_path, track_reads=True)
    retype = next(st for st in a.parsed.statements if "USING" in st.text)
    old = next(o for o in a.model.objects.values() if o.type == "type" and not o.exists)
    assert a.model.left_types.get(retype.seq) == [old]


def test_owned_by_needs_the_table_by_the_name_it_uses(tmp_path: Path) -> None:
    # ALTER SEQUENCE ... OWNED BY t.c names the table as it is called then: a later RENAME of t
    # (a table rebuilt aside) must stay after it, so it reads the table, not only the sequence.
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20240101000001_a.sql").write_text(
        "CREATE TABLE counter (id int, n bigint);\nCREATE SEQUENCE counter_n;\n"
        "ALTER SEQUENCE counter_n OWNED BY counter.n;\nALTER TABLE counter RENAME TO counter_old;\n")
    a = analyze(tmp_path, track_reads=True)
    owned = next(st for st in a.parsed.statements if "OWNED BY" in st.text)
    assert {"table:counter_old", "column:counter_old.n"} <= a.model.reads_of(owned.seq)
