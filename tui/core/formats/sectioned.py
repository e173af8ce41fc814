"""Reading formats that keep up and down in one file, between markers (dbmate, goose)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import ERROR, Diagnostic
from tui.core.formats.base import Found, Migration, listing, read_text, rel, split_sections

LEADING_DIGITS = re.compile(r"^(\d+)(?:_(.*))?\.sql$")


def read_sectioned(folder: Path, root: Path, diags: list[Diagnostic], up_re: re.Pattern[str], down_re: re.Pattern[str],
                   marker: str, transactional: Callable[[str, str], bool], prepare: Callable[[str], str] = str) -> Found:
    """Every `<version>_<name>.sql`: the text after the up marker (to the down marker) is the up part.
    `transactional(text, options)` reads the file's markers; `prepare` turns the tool's own markers
    inside the up part into what PostgreSQL reads."""
    found: list[Migration] = []
    others: list[str] = []
    for p in listing(folder):
        m = LEADING_DIGITS.match(p.name) if p.is_file() else None
        if not m:
            others.append(rel(p, root))
            continue
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
