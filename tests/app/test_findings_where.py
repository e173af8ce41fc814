"""The file:line column: the line always shows, and diesel's up.sql files are told apart by folder."""

from __future__ import annotations

from tui.app.widgets.findings_table import WHERE, where
from tui.core.findings import NO_STATEMENT, make_finding
from tui.core.parse import Statement


def _finding(file: str, line: int):  # type: ignore[no-untyped-def]
    st = Statement(seq=0, migration=0, file=file, line=line, column=1, text="SELECT 1", node=None)
    return make_finding("no_effect", "migration", "1", "Leave it out.", [st], effect=NO_STATEMENT)


def test_sqlx_file_and_line() -> None:
    assert where(_finding("migrations/0001_init.sql", 12)) == "0001_init.sql:12"


def test_diesel_shows_the_folder_and_keeps_the_line() -> None:
    got = where(_finding("migrations/2019-02-26-002946_create_user/up.sql", 23))
    assert got.startswith("2019-02-26-002946_") and got.endswith("…:23") and len(got) == WHERE
