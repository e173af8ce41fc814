"""Where an enum's later labels go into its CREATE TYPE, and where they stop: the first label
change the plan cannot move (in a DO block, backed off by the proof, after a read of the whole
set of labels) keeps itself and every later one where they were, so the labels keep their order."""

from __future__ import annotations

from pathlib import Path

from tests.core.plans import plan_of
from tui.core.analysis import analyze
from tui.core.plan import build_plan
from tui.core.plan.items import Adjustments
from tui.core.render import statement_sql

CREATE = "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (id int, m mood);\n"


def _texts(root: Path, *files: str) -> list[str]:
    return [statement_sql(it) for it in plan_of(root, *files).items]


def test_added_renamed_and_already_there_labels_go_into_the_create(tmp_path: Path) -> None:
    texts = _texts(tmp_path, CREATE, "ALTER TYPE mood ADD VALUE 'happy';\nALTER TYPE mood ADD VALUE 'meh' AFTER 'sad';\n"
                                     "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';\nALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n")
    assert texts[0] == "CREATE TYPE mood AS ENUM ('blue', 'meh', 'ok', 'happy')" and not any("ALTER TYPE" in t for t in texts)


def test_a_label_added_in_a_block_of_logic_stops_the_folds_after_it(tmp_path: Path) -> None:
    # (A block that only adds it folds: test_guarded_blocks.)
    texts = _texts(tmp_path, CREATE, "ALTER TYPE mood ADD VALUE 'a';\n"
                                     "DO $$ BEGIN IF random() < 2 THEN ALTER TYPE mood ADD VALUE 'b'; END IF; END $$;\n"
                                     "ALTER TYPE mood ADD VALUE 'c';\n")
    assert texts[0] == "CREATE TYPE mood AS ENUM ('sad', 'ok', 'a')" and "ALTER TYPE mood ADD VALUE 'c'" in texts


def test_a_label_the_proof_backed_off_stays_with_those_after_it(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_m.sql").write_text(CREATE)
    (tmp_path / "migrations" / "0002_m.sql").write_text("ALTER TYPE mood ADD VALUE 'a';\nALTER TYPE mood ADD VALUE 'b';\n"
                                                        "ALTER TYPE mood ADD VALUE 'c';\n")
    analysis = analyze(tmp_path, track_reads=True)
    second = next(st.seq for st in analysis.parsed.statements if "'b'" in st.text)
    texts = [statement_sql(it) for it in build_plan(analysis, adjust=Adjustments(pinned=frozenset({second}))).items]
    assert texts[0] == "CREATE TYPE mood AS ENUM ('sad', 'ok', 'a')"
    assert texts[-2:] == ["ALTER TYPE mood ADD VALUE 'b'", "ALTER TYPE mood ADD VALUE 'c'"]


def test_a_rename_stays_where_a_function_wrote_the_old_label(tmp_path: Path) -> None:
    texts = _texts(tmp_path, CREATE + "CREATE FUNCTION gloomy() RETURNS mood LANGUAGE sql AS $$ SELECT 'sad'::mood $$;\n",
                   "ALTER TYPE mood ADD VALUE 'x';\nALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n")
    assert texts[0] == "CREATE TYPE mood AS ENUM ('sad', 'ok', 'x')" and "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'" in texts


def test_a_list_with_a_comment_is_printed_anew(tmp_path: Path) -> None:
    texts = _texts(tmp_path, "CREATE TYPE mood AS ENUM (\n  'sad', -- the first\n  'ok'\n);\n", "ALTER TYPE mood ADD VALUE 'x';\n")
    assert texts[0].split() == ["CREATE", "TYPE", "mood", "AS", "ENUM", "('sad',", "'ok',", "'x')"]
