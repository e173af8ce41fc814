"""A history written with CR LF (on Windows, kept so by git): the new set's lines end in CR LF
throughout, what the tool writes around the history's statements and the statements it prints
again too, and the values whose line feeds are their own (a constant written over two lines with
LF alone in a file of CR LF) keep them: proven and EQUAL on the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.apply.helpers import run
from tests.conftest import requires_pg

pytestmark = [pytest.mark.pg, requires_pg]


def test_a_cr_lf_history_gets_a_cr_lf_set_with_its_values_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_notes.sql").write_bytes(
        b"CREATE TABLE notes (\r\n    id int PRIMARY KEY,\r\n    body text DEFAULT 'first\r\nsecond'\r\n);\r\n\r\n"
        b"CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql AS $$\r\n    SELECT upper(t)\r\n$$;\r\n")
    (folder / "002_more.sql").write_bytes(
        b"-- a constant over two lines, with LF alone\r\nALTER TABLE notes ADD COLUMN tag text DEFAULT 'x\ny';\r\n"
        b"ALTER TABLE notes ADD COLUMN extra int;\r\nALTER TABLE notes DROP COLUMN extra;\r\nCREATE INDEX notes_tag ON notes (tag);\r\n")
    r = run(tmp_path, "generate", "--pg", "local")
    assert r.returncode == 0 and "0 backed off" in r.stdout, r.stdout + r.stderr
    new = sorted((tmp_path / ".consolidate" / "new").glob("*.sql"))
    written = b"".join(p.read_bytes() for p in new)
    assert b"-- folded in:" in written and b"ADD COLUMN" not in written  # (folded: lines the tool wrote)
    assert b"'x\ny'" in written and b"'first\r\nsecond'" in written  # the values' own line feeds
    assert re.findall(rb"(?<!\r)\n", written) == [b"\n"]  # every other line ends in CR LF
    r = run(tmp_path, "validate", "--pg", "local")
    assert r.returncode == 0 and "EQUAL" in r.stdout, r.stdout + r.stderr
