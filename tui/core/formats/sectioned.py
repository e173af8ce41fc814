"""Reading formats that keep up and down in one file, between markers (dbmate, goose, sql-migrate)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import ERROR, Diagnostic
from tui.core.formats.base import Found, Migration, NewFile, join_blocks, read_text, rel
from tui.core.formats.named import named_files

LEADING_DIGITS = re.compile(r"^(\d+)(?:_(.*))?\.sql$")


def split_sections(text: str, up: re.Pattern[str], down: re.Pattern[str]) -> tuple[str, int, str, str]:
    """Return (up text, first line of up text, down text, options on the up marker)."""
    m = up.search(text)
    if not m:
        return "", 1, "", ""
    start = m.end()
    options = m.group(1) if m.groups() else ""
    d = down.search(text, start)
    up_text = text[start : d.start()] if d else text[start:]
    down_text = text[d.end() :] if d else ""
    first_line = text.count("\n", 0, start) + 1
    return up_text, first_line, down_text, options or ""


def read_sectioned(folder: Path, root: Path, diags: list[Diagnostic], up_re: re.Pattern[str], down_re: re.Pattern[str],
                   marker: str, transactional: Callable[[str, str], bool], prepare: Callable[[str], str] = str,
                   names: re.Pattern[str] = LEADING_DIGITS) -> Found:
    """Every `<version>_<name>.sql` (as `names` matches it: the version, then the name): the text
    after the up marker (to the down marker) is the up part. `transactional(text, options)` reads
    the file's markers; `prepare` turns the tool's own markers inside the up part into what
    PostgreSQL reads."""
    found: list[Migration] = []
    others: list[str] = []
    for p, m in named_files(folder, root, names, others):
        text, ok = read_text(p, root, diags)
        up, first_line, down, options = split_sections(text, up_re, down_re)
        if ok and not up_re.search(text):
            diags.append(Diagnostic(rel(p, root), 1, ERROR, f"no `{marker}` section; file skipped", lost=True))
            ok = False
        found.append(
            Migration(
                version=m.group(1),
                name=m.group(2) or "",
                file=rel(p, root),
                sql=prepare(up) if ok else "",
                first_line=first_line,
                down_sql=down,
                transactional=transactional(text, options),
                sort_key=(int(m.group(1)),),
                readable=ok,
            )
        )
    return found, others


def statement_markers(tool: str) -> re.Pattern[str]:
    """`-- +goose StatementBegin` and its End: they only group lines for the tool's splitter on
    semicolons."""
    return re.compile(rf"^--\s*\+{tool}\s+Statement(Begin|End)\b.*$", re.MULTILINE | re.IGNORECASE)


def blanked(markers: re.Pattern[str]) -> Callable[[str], str]:
    # Blanked (their lines kept, for line numbers), so they are not read as a statement's comments
    # and written into the new set again, where the set's own markers would pair with them wrongly.
    return lambda up: markers.sub("", up)


def grouped_body(f: NewFile, tool: str) -> str:
    """The file's statements, each with a body (a function, a DO block) between the tool's markers."""
    return join_blocks([f"-- +{tool} StatementBegin\n{b.text}\n-- +{tool} StatementEnd" if b.whole else b.text for b in f.blocks])
