"""goose reads its annotations itself: a set written for goose must pair StatementBegin and
StatementEnd as goose's parser does (a Begin inside a Begin is an error there), whatever markers
the history had around the statements it folds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import HISTORIES
from tui.core.generate import generate

_ANNOTATION = re.compile(r"^--\s*\+goose\s+(Up|Down|StatementBegin|StatementEnd)\b", re.IGNORECASE)


def _goose_accepts(text: str) -> bool:
    """goose's own state machine over a file's annotations (pressly/goose, sqlparser)."""
    state = "start"
    for line in text.splitlines():
        m = _ANNOTATION.match(line)
        if not m:
            continue
        word = m.group(1).lower()
        if word in ("up", "down"):
            if state.startswith("begin"):
                return False
            state = word
        elif word == "statementbegin":
            if state not in ("up", "down", "end-up", "end-down"):
                return False
            state = "begin-" + ("up" if state.endswith("up") else "down")
        else:
            if not state.startswith("begin"):
                return False
            state = "end-" + state.split("-")[1]
    return not state.startswith("begin")


def test_the_markers_of_the_history_are_not_written_again(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_goose", project)
    (project / "migrations" / "00003_fn.sql").write_text(
        "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\n"
        "-- +goose StatementEnd\n-- +goose StatementBegin\nALTER TABLE a ADD COLUMN c int;\n-- +goose StatementEnd\n"
        "-- +goose Down\nDROP FUNCTION f();\n")
    result = generate(project, out=tmp_path / "out")
    written = [p.read_text() for p in (tmp_path / "out").glob("*.sql")]
    assert result.plan.folds and written
    assert all(_goose_accepts(text) for text in written), "\n\n".join(written)
    assert sum(text.count("StatementBegin") for text in written) == 1  # the function's, written by the layout


def test_the_checker_refuses_what_goose_refuses() -> None:
    assert _goose_accepts("-- +goose Up\n-- +goose StatementBegin\nx;\n-- +goose StatementEnd\n-- +goose Down\ny;\n")
    assert not _goose_accepts("-- +goose Up\n-- +goose StatementBegin\nx;\n-- +goose StatementBegin\ny;\n-- +goose StatementEnd\n")
    assert not _goose_accepts("-- +goose Up\n-- +goose StatementBegin\nx;\n-- +goose Down\n")


def test_a_go_migration_among_the_sql_files_is_an_error_not_passed_over(tmp_path: Path) -> None:
    from tui.core.analysis import analyze

    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_goose", project)
    (project / "expected.json").unlink()
    (project / "migrations" / "00002_seed.go").write_text("package migrations\n\nfunc init() { goose.AddMigrationContext(up, down) }\n")
    (project / "migrations" / "migrations_test.go").write_text("package migrations\n")
    analysis = analyze(project)
    said = [d for d in analysis.diagnostics if d.file.endswith(".go")]
    assert [(d.file, d.severity, d.lost) for d in said] == [("migrations/00002_seed.go", "error", True)], said
    assert analysis.lost == said  # (generate refuses without --keep-going)
