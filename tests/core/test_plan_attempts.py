"""An attempt of the plan given up as soon as it is known to be in vain, and what later attempts
take from the first instead of making it again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.analysis import analyze
from tui.core.decisions import Decisions
from tui.core.plan import accept, build_plan
from tui.core.plan.planner import Planner

_REBUILD = """CREATE TABLE t_new (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, amount INTEGER);
INSERT INTO t_new (id, name, amount) SELECT id, name, amount FROM t;
DROP TABLE t CASCADE;
ALTER TABLE t_new RENAME TO t;
ALTER INDEX IF EXISTS t_new_pkey RENAME TO t_pkey;
SELECT setval(pg_get_serial_sequence('t', 'id'), coalesce(max(id), 0) + 1, false) FROM t;
"""


def _rebuilt_three_times(root: Path) -> None:
    """A table rebuilt aside three times: the second rebuild's sequence is `t_new_id_seq1` (the first
    one's still holds the name), the third's `t_new_id_seq` again, a second definition of it. Rows
    inserted by the first one's default, one deleted: left out with the table's life, until the
    copy into the next table is found to need them."""
    files = {"001_make.sql": "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, amount INTEGER);\n",
             "002_rebuild.sql": _REBUILD,
             "003_rows.sql": "INSERT INTO t (name, amount) VALUES ('a', 1), ('b', 2);\nDELETE FROM t WHERE name = 'b';\n",
             "004_rebuild.sql": _REBUILD,
             "005_rows.sql": "INSERT INTO t (name, amount) VALUES ('c', 3);\n",
             "006_rebuild.sql": _REBUILD}
    (root / "migrations").mkdir()
    for name, text in files.items():
        (root / "migrations" / name).write_text(text)


def test_an_attempt_whose_exempted_reader_comes_back_ahead_builds_no_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _rebuilt_three_times(tmp_path)
    analysis = analyze(tmp_path, track_reads=True)
    builds: list[int] = []
    chosen: list[int] = []
    indexed: list[int] = []
    build_items, leave_out, index = Planner.build_items, accept.leave_out, Planner._index
    monkeypatch.setattr(Planner, "build_items", lambda p: builds.append(1) or build_items(p))
    monkeypatch.setattr(accept, "leave_out", lambda p, fs: chosen.append(1) or leave_out(p, fs))
    monkeypatch.setattr(Planner, "_index", lambda p, *a: indexed.append(1) or index(p, *a))
    plan = build_plan(analysis)
    # Two attempts: the first given up once revive_ahead brought the INSERT back, the second
    # without that exemption; the objects left out chosen once, the history indexed once.
    assert (len(builds), len(chosen), len(indexed)) == (1, 1, 1)
    texts = [it.stmt.text for it in plan.items]
    # The reader is written, and the definition of the sequence it took its ids from before it.
    rows = texts.index("INSERT INTO t (name, amount) VALUES ('a', 1), ('b', 2)")
    made = [i for i, t in enumerate(texts) if t.startswith("CREATE TABLE t_new")]
    assert len(made) == 3 and made[0] < rows


def test_a_later_attempt_shares_the_indexes_but_not_the_state(tmp_path: Path) -> None:
    _rebuilt_three_times(tmp_path)
    analysis = analyze(tmp_path, track_reads=True)
    first = Planner(analysis, Decisions())
    accept.mark_dead(first)
    later = Planner(analysis, Decisions(), indexes=first.indexes())
    assert later.by_seq is first.by_seq and later.opaque_seqs is first.opaque_seqs
    assert first.dead and not later.dead and not later.folds
    assert [name for name in Planner.__slots__ if not hasattr(later, name)] == []
    # The objects by the words the statements the model cannot read hold are the history's: made
    # once, when first asked, for every attempt.
    assert later.named is first.named
