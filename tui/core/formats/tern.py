"""tern (jackc/tern): `<version>_<name>.sql`, numbered from 1 without a gap, the up part above a
`---- create above / drop below ----` line and the down part below it; each file runs as one query
in a transaction unless it says `---- tern: disable-tx ----`. Bookkeeping: `schema_version`, one
row with the number of the last migration run."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import WARNING, ConsolidateError, Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Recorded, read_text, rel, replace_rows
from tui.core.formats.named import named_files

SEPARATOR = re.compile(r"^---- create above / drop below ----[ \t]*$", re.MULTILINE)
_NO_TX = re.compile(r"^---- tern: disable-tx ----[ \t]*$", re.MULTILINE)
_NAMES = re.compile(r"\A(\d+)_(.+)\.sql\Z")


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    for p, m in named_files(folder, root, _NAMES, others):
        where = rel(p, root)
        text, ok = read_text(p, root, diags, where)
        cut = SEPARATOR.search(text)
        # (the marker blanked, its line kept: else it is read as the next statement's comment and written twice)
        found.append(Migration(version=m.group(1), name=m.group(2), file=where, sql=_NO_TX.sub("", text[:cut.start()] if cut else text),
                               down_sql=text[cut.end():] if cut else "", transactional=not _NO_TX.search(text),
                               single_query=True, sort_key=(int(m.group(1)),), readable=ok))
    numbers = sorted(int(m.version) for m in found)
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))[:5]
        diags.append(Diagnostic(rel(folder, root), 0, WARNING, "tern wants the migrations numbered from 1 without a gap"
                                + (f" (it lacks {', '.join(map(str, missing))})" if missing else " (a number is used twice)")
                                + ": it refuses this folder; read in the numbers' order"))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    up = ("---- tern: disable-tx ----\n" if not f.transactional else "") + f.header + f.body
    return Layout(f"{f.version}_{f.group}.sql", up + "\n---- create above / drop below ----\n\n" + f.down, up_text=up)


def finish(history: Path, new: Path, kept: list[str]) -> dict[str, str]:
    """Nothing to add; but a set whose numbers leave a gap is refused here, where it is known: tern
    would refuse it on every database (`--until` squashes part of the history, and the files kept
    after it keep their numbers above the set's)."""
    numbers = sorted(int(m.group(1)) for p in [*new.glob("*.sql"), *(Path(k) for k in kept)] if (m := _NAMES.match(Path(p).name)))
    missing = sorted(set(range(1, (numbers or [0])[-1] + 1)) - set(numbers))
    if missing:
        raise ConsolidateError("tern cannot take a part of the history squashed",
                               f"its files go from 1 without a gap, and the set would lack {', '.join(map(str, missing[:5]))} "
                               "before the files kept after it: squash the whole history (leave --until and --line-from-db out)")
    return {}


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    # tern's own table holds one row, the number of the last file it ran: the new set's count.
    return replace_rows(FORMAT.table, "version", [(len(migs),)] if migs else [], len(migs))


FORMAT = Format("tern", "schema_version", read, layout, bookkeeping, finish=finish,
                recorded=Recorded("SELECT version::text FROM schema_version", lambda m: str(int(m.version)), lambda m: int(m.version)),
                no_guard="it runs the files above the number its table holds, and numbers them from 1 without a gap: "
                         "no file of the set can stand above the history's")
