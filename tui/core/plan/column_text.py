"""The clauses of a column definition as its author wrote it: where its type ends, where each
constraint starts, and edits of its NOT NULL that keep the rest of the text as it was."""

from __future__ import annotations

from typing import Any

import pglast.parser
from pglast.stream import maybe_double_quote_name

# Tokens that start a column constraint: a column's type, default or constraint ends before one.
CONSTRAINT_START = {"CONSTRAINT", "NOT", "NULL_P", "CHECK", "DEFAULT", "UNIQUE", "PRIMARY", "REFERENCES", "GENERATED", "COLLATE"}


def tokens(text: str) -> list[Any]:
    """The SQL tokens of a text, comments left out."""
    return [t for t in pglast.parser.scan(text) if t.name not in ("C_COMMENT", "SQL_COMMENT")]


def clauses(text: str) -> list[tuple[str, int, int]]:
    """The depth-0 clauses of a column definition after its name and type: (kind, start, end); a
    named constraint's kind is that of the token after its name."""
    toks = tokens(text)
    out: list[tuple[str, int, int]] = []
    depth = 0
    for i, t in enumerate(toks):
        if t.name == "ASCII_40":
            depth += 1
        elif t.name == "ASCII_41":
            depth -= 1
        if depth or i == 0 or t.name not in CONSTRAINT_START:
            continue
        if t.name == "NOT" and (i + 1 >= len(toks) or toks[i + 1].name != "NULL_P"):
            continue  # NOT DEFERRABLE belongs to the constraint before it
        if t.name in ("NULL_P", "DEFAULT") and i and toks[i - 1].name in ("NOT", "SET"):
            continue  # (NOT NULL is one clause; ON DELETE SET NULL, SET DEFAULT belong to a REFERENCES)
        if out and out[-1][0] == "CONSTRAINT" and out[-1][2] == -1:
            out[-1] = (t.name, out[-1][1], -1)  # CONSTRAINT name UNIQUE ...: one clause, from CONSTRAINT on
            continue
        if out:
            out[-1] = (out[-1][0], out[-1][1], t.start)
        out.append((t.name, t.start, -1))
    if out:
        out[-1] = (out[-1][0], out[-1][1], len(text))
    return out


def type_end(text: str) -> int:
    found = clauses(text)
    return found[0][1] if found else len(text)


def has_not_null(text: str) -> bool:
    return any(kind in ("NOT", "PRIMARY") for kind, _, _ in clauses(text))


def set_not_null(text: str) -> str:
    # An explicit NULL (Atlas writes one on every nullable column) would conflict with NOT NULL.
    for kind, s, e in reversed(clauses(text)):
        if kind == "NULL_P":
            text = cut(text, s, e)
    return text if has_not_null(text) else text + " NOT NULL"


def name_not_null(text: str, name: str) -> str:
    """Its NOT NULL named (`CONSTRAINT name NOT NULL`), where it has one or after the rest."""
    named = f"CONSTRAINT {maybe_double_quote_name(name)} NOT NULL"
    for kind, s, e in clauses(text):
        if kind == "NOT":
            clause = text[s:e]
            if clause.startswith("not"):  # in the author's case
                named = named.replace("CONSTRAINT", "constraint").replace("NOT NULL", "not null")
            return text[:s] + named + clause[len(clause.rstrip()):] + text[e:]
    return text.rstrip() + " " + named


def name_constraint(text: str, keyword: str, name: str) -> str | None:
    """Its one unnamed constraint of that kind (`REFERENCES`, `UNIQUE`, ...) named; None when it
    has not exactly one."""
    found = [s for kind, s, _ in clauses(text) if kind == keyword and not text[s:].upper().startswith("CONSTRAINT")]
    if len(found) != 1:
        return None
    return text[:found[0]] + f"CONSTRAINT {maybe_double_quote_name(name)} " + text[found[0]:]


def rename_constraint(text: str, old: str, new: str) -> str | None:
    """`CONSTRAINT old` as `CONSTRAINT new`; None when the text has not exactly one."""
    toks = tokens(text)
    at = [i + 1 for i, t in enumerate(toks[:-1]) if t.name == "CONSTRAINT" and identifier(text[toks[i + 1].start:toks[i + 1].end + 1]) == old]
    if len(at) != 1:
        return None
    t = toks[at[0]]
    return text[:t.start] + quoted_like(text[t.start:t.end + 1], new) + text[t.end + 1:]


def is_name(t: Any) -> bool:
    """Is the token one a name may be written as (an identifier, or a keyword a name may be)?"""
    return bool(t.name == "IDENT" or t.kind in ("UNRESERVED_KEYWORD", "COL_NAME_KEYWORD"))


def quoted_like(written: str, name: str) -> str:
    """`name` written in place of `written`: quoted where the author quoted, else where it must be."""
    return '"' + name.replace('"', '""') + '"' if written.startswith('"') else maybe_double_quote_name(name)


def rename_key_column(text: str, old: str, new: str) -> str | None:
    """A table constraint's text (PRIMARY KEY, UNIQUE, FOREIGN KEY) with column `old` of its own
    column lists (and its INCLUDE list) called `new`, as its author quoted it; None where it names
    no `old` there. What a foreign key references is left as it is."""
    toks = tokens(text)
    at = next((i for i, t in enumerate(toks) if t.name in ("KEY", "UNIQUE")), None)
    if at is None:
        return None
    edits = []
    depth, lists = 0, 0
    for t in toks[at + 1:]:
        if t.name == "ASCII_40":
            depth += 1
        elif t.name == "ASCII_41":
            depth -= 1
            lists += depth == 0
        elif depth == 0 and (lists == 2 or lists == 1 and t.name != "INCLUDE"):
            break  # (REFERENCES, WITH, USING INDEX ..., DEFERRABLE: no more of its own columns)
        elif depth == 1 and is_name(t) and identifier(text[t.start:t.end + 1]) == old:
            edits.append((t.start, t.end + 1, quoted_like(text[t.start:t.end + 1], new)))
    for start, end, written in reversed(edits):
        text = text[:start] + written + text[end:]
    return text if edits else None


def retype_name(text: str, old: str, new: str) -> str | None:
    """A column definition's text with its type, called `old` (the last part of its name), called
    `new`, as its author quoted it; None where its type is not found so."""
    toks = tokens(text)
    end = type_end(text)
    found = [t for t in toks[1:] if t.start < end and is_name(t) and identifier(text[t.start:t.end + 1]) == old]
    if len(found) != 1:
        return None
    t = found[0]
    return text[:t.start] + quoted_like(text[t.start:t.end + 1], new) + text[t.end + 1:]


def identifier(written: str) -> str:
    """An identifier as PostgreSQL reads it: unquoted, folded to lower case unless it was quoted."""
    return written[1:-1].replace('""', '"') if written.startswith('"') else written.lower()


def name_sequence(text: str, name: str) -> str | None:
    """Its identity's sequence named (`SEQUENCE NAME name` first in its options)."""
    toks = tokens(text)
    at = [i for i, t in enumerate(toks) if t.name == "IDENTITY_P"]
    if len(at) != 1:
        return None
    option = "SEQUENCE NAME " + ".".join(maybe_double_quote_name(part) for part in name.split("."))
    i = at[0]
    if i + 1 < len(toks) and toks[i + 1].name == "ASCII_40":
        return text[:toks[i + 1].end + 1] + option + " " + text[toks[i + 1].end + 1:]
    return text[:toks[i].end + 1] + f" ({option})" + text[toks[i].end + 1:]


def cut(text: str, start: int, end: int) -> str:
    return (text[:start].rstrip() + " " + text[end:].lstrip()).rstrip()


def name_after_to(st: Any) -> str:
    """The name after TO in a RENAME statement, as the author wrote it (quoted or not)."""
    toks = tokens(st.text)
    after = next((i + 1 for i, t in enumerate(toks) if t.name == "TO"), len(toks) - 1)
    t = toks[min(after, len(toks) - 1)]
    return str(st.text[t.start:t.end + 1])
