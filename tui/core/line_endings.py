"""The new set's line endings: those of the history. A history written with CR LF (on Windows,
kept so by git) gets files with CR LF throughout, not its statements' lines with CR LF and the
lines the tool writes around them (headers, folded parts, printed statements) with LF alone.

A line feed inside a string constant or a quoted name is part of its value: it is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pglast.parser
from pglast.parser import ParseError

_BARE_LF = re.compile(r"(?<!\r)\n")
_COMMENTS = frozenset(("SQL_COMMENT", "C_COMMENT"))  # tokens whose line feeds are the file's own


def uses_crlf(texts: Iterable[str]) -> bool:
    """Do most lines of these texts end in CR LF?"""
    crlf = lf = 0
    for text in texts:
        crlf += text.count("\r\n")
        lf += text.count("\n")
    return crlf > 0 and 2 * crlf > lf


def with_crlf(text: str) -> str:
    """`text` with each line feed that is not part of a value (a constant, a quoted name) and has
    no CR before it given one. A text the scanner cannot read (the rows of a COPY from stdin) is
    left as it is: a mix of line endings, not a changed value."""
    if "\n" not in text:
        return text
    try:
        tokens = pglast.parser.scan(text)
    except ParseError:
        return text
    out: list[str] = []
    at = 0
    for tok in tokens:
        if tok.name in _COMMENTS:
            continue
        end = tok.end + 1  # (the scanner's ends are inclusive)
        out.append(_BARE_LF.sub("\r\n", text[at:tok.start]))
        out.append(text[tok.start:end])
        at = end
    out.append(_BARE_LF.sub("\r\n", text[at:]))
    return "".join(out)
