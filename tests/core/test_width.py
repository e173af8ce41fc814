"""A table that gains its columns one migration at a time, for years: the work of reading and
planning it grows with its width, not with the square of it.

Counted in Python function calls (the profiler's count is the same on every run, whatever the
machine's load): a step that looks at the whole table for each of its columns (its events, its
CREATE's elements, every statement that reads it) makes the count at twice the width four times
as large.
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

from tui.core.analysis import analyze
from tui.core.generate import generate


def _grown(root: Path, width: int) -> None:
    folder = root / "migrations"
    folder.mkdir(parents=True)
    (folder / "20200101000000_init.sql").write_text("CREATE TABLE t (id bigint PRIMARY KEY);\n")
    for i in range(width):
        sql = f"ALTER TABLE t ADD COLUMN c{i} text;\n"
        if i % 3 == 2:
            sql += f"ALTER TABLE t RENAME COLUMN c{i - 1} TO d{i - 1};\n"
        if i % 5 == 4:
            sql += f"CREATE INDEX t_c{i} ON t (c{i});\n"
        if i % 4 == 3:
            sql += f"ALTER TABLE t ADD CONSTRAINT t_ck{i} CHECK (c{i} <> '');\nALTER TABLE t ALTER COLUMN c{i} SET DEFAULT 'x';\n"
        (folder / f"{20200101000001 + i}_add.sql").write_text(sql)


def _calls(root: Path, width: int) -> int:
    _grown(root, width)
    profile = cProfile.Profile()
    profile.enable()
    result = generate(analyze(root, track_reads=True), out=root / "out")
    profile.disable()
    assert result.totals()["new"]["files"] >= 1
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def test_a_table_grown_column_by_column_costs_in_proportion_to_its_width(tmp_path: Path) -> None:
    narrow = _calls(tmp_path / "narrow", 300)
    wide = _calls(tmp_path / "wide", 600)
    # Linear work doubles (a little more: names grow a digit); quadratic work made it 3x here.
    assert wide / narrow < 2.4, (narrow, wide)
