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
