"""validate proves what the user will apply: hand edits are validated, never regenerated away,
and an edit made while it runs is never recorded as validated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import requires_pg
from tui.core.errors import ConsolidateError
from tui.core.generate import generate
from tui.pg.proof import PgProver
from tui.pg.validate import validate

pytestmark = pytest.mark.pg


@requires_pg
def test_a_hand_edited_staged_set_is_validated_as_it_is(example: Path) -> None:
    generate(example, prover=PgProver("local"))
    staged = sorted((example / ".consolidate" / "new").glob("*.sql"))
    edited = staged[-1]
    text = edited.read_text() + "\n-- reviewed by hand\nCREATE TABLE hand_added (id int);\n"
    edited.write_text(text)
    result = validate(example, pg="local")
    assert edited.read_text() == text  # not regenerated
    assert result.edited and not result.equal
    assert any("hand_added" in d.name for d in result.differences)
    record = json.loads((example / ".consolidate" / "validation.json").read_text())
    assert record["edited_by_hand"] is True and record["equal"] is False

    # a harmless edit (a comment) validates EQUAL and is what apply will take
    edited.write_text(text.replace("CREATE TABLE hand_added (id int);\n", ""))
    result = validate(example, pg="local")
    assert result.edited and result.equal
    assert "reviewed by hand" in edited.read_text()


@requires_pg
def test_an_edited_set_whose_history_changed_is_refused_not_overwritten(example: Path) -> None:
    generate(example, prover=PgProver("local"))
    edited = sorted((example / ".consolidate" / "new").glob("*.sql"))[0]
    edited.write_text(edited.read_text() + "\n-- mine\n")
    (example / "migrations" / "99999999999999_late.sql").write_text("CREATE TABLE late (id int);\n")
    with pytest.raises(ConsolidateError, match="edited by hand, and the history or the decisions changed"):
        validate(example, pg="local")
    assert edited.read_text().endswith("-- mine\n")


@requires_pg
def test_a_history_edited_while_validate_runs_is_not_recorded(example: Path) -> None:
    generate(example, prover=PgProver("local"))
    late = example / "migrations" / "99999999999999_late.sql"

    def progress(step: str, detail: str) -> None:
        if step == "old" and not late.exists():
            late.write_text("CREATE TABLE late (id int);\n")  # what an editor saving mid-run does

    with pytest.raises(ConsolidateError, match="changed while validate ran"):
        validate(example, pg="local", progress=progress)
    assert not (example / ".consolidate" / "validation.json").exists()


@requires_pg
def test_the_same_grants_in_another_order_are_equal(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_init.sql").write_text(
        "CREATE TABLE t (id int) WITH (fillfactor = 80, autovacuum_enabled = false);\n"
        "GRANT SELECT ON t TO reader_a;\nGRANT SELECT, INSERT ON t TO writer_b;\n")
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "20250101000000_init.sql").write_text(
        "CREATE TABLE t (id int) WITH (autovacuum_enabled = false, fillfactor = 80);\n"
        "GRANT SELECT, INSERT ON t TO writer_b;\nGRANT SELECT ON t TO reader_a;\n")
    assert validate(tmp_path, pg="local", staged=staged).equal
    # and a grant that is really missing is still caught
    (staged / "20250101000000_init.sql").write_text(
        "CREATE TABLE t (id int) WITH (autovacuum_enabled = false, fillfactor = 80);\nGRANT SELECT ON t TO reader_a;\n")
    diffs = validate(tmp_path, pg="local", staged=staged).differences
    assert [(d.type, d.name, d.detail) for d in diffs] == [("table", "t", "acl")]


@requires_pg
def test_a_value_written_by_name_into_a_clock_default_column_is_compared(tmp_path: Path) -> None:
    table = "CREATE TABLE ev (id int, at timestamptz DEFAULT now(), tag uuid DEFAULT gen_random_uuid());\n"
    rows = "INSERT INTO ev (id, at) VALUES (1, '{}');\nINSERT INTO ev (id) VALUES (2);\n"
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "20250101000000_init.sql").write_text(table + rows.format("2020-01-01 00:00:00+00"))
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "20250101000000_init.sql").write_text(table + rows.format("2020-01-01 00:00:00+00"))
    same = validate(tmp_path, pg="local", staged=staged)
    assert same.equal, [d.to_json() for d in same.differences]  # now() and gen_random_uuid() values are no difference
    (staged / "20250101000000_init.sql").write_text(table + rows.format("2021-06-01 00:00:00+00"))
    diffs = validate(tmp_path, pg="local", staged=staged).differences
    assert [(d.type, d.name) for d in diffs] == [("data", "ev")]
    assert "2020-01-01" in diffs[0].old and "2021-06-01" in diffs[0].new
