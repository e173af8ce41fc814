"""Atlas: a folder of `<version>_<name>.sql` files applied in name order, beside `atlas.sum`, which
`atlas migrate apply` checks before it runs anything. Each file runs in a transaction unless its
header says `-- atlas:txmode none`. A file whose header says `-- atlas:checkpoint` stands for the
files before it on a new database (Atlas's own squash): those are not read, and the new set, which
replaces the checkpoint, replaces them too.

atlas.sum holds `h1:` and a base64 SHA-256 for the folder, then a line a file: its name and the
SHA-256 of the name and bytes of every file up to it, in order (so a change to one file changes
the sums of all after it); a file marked `-- atlas:sum ignore` adds its name only. Bookkeeping:
`atlas_schema_revisions.atlas_schema_revisions`, a row a file, with the file's sum."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pglast import split

from tui.core.errors import INFO, WARNING, Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Raw, Recorded, literal, rel, up_down
from tui.core.formats.named import named_files

SUM = "atlas.sum"
PATTERN = re.compile(r"^([^_]+?)(?:_(.*))?\.sql$")
_DIRECTIVE = re.compile(r"^--\s*atlas:(\w+)(?:[ \t]+(.*?))?\s*$")
_DIRECTIVES = re.compile(r"^--[ \t]*atlas:.*$", re.M)


def looks_like(entries: list[Path]) -> bool:
    return any(p.name == SUM and p.is_file() for p in entries)


def directives(text: str) -> dict[str, str]:
    """The file's own directives: `-- atlas:...` lines of the comment block that opens the file,
    which a blank line ends (a directive above a statement, without one, is the statement's)."""
    head, blank, _ = text.partition("\n\n")
    if not blank:
        return {}
    out = {}
    for line in head.splitlines():
        if not line.startswith("--"):
            return {}
        m = _DIRECTIVE.match(line)
        if m:
            out[m.group(1)] = m.group(2) or ""
    return out


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    checkpoints: list[int] = []
    for p, m in named_files(folder, root, PATTERN, others):
        mig = up_down(m.group(1), m.group(2) or "", p, None, root, diags, sort_key=(p.name,))
        own = directives(mig.sql)
        # The file's directives say how Atlas runs it, which `transactional` carries: blanked (lines
        # and offsets kept), they do not follow its first statement into the new set as comments.
        head = mig.sql.partition("\n\n")[0] if own else ""
        sql = _DIRECTIVES.sub(lambda d: " " * len(d.group(0)), head) + mig.sql[len(head):]
        if "checkpoint" in own:
            checkpoints.append(len(found))
        found.append(replace(mig, sql=sql, transactional=own.get("txmode") != "none"))
    _check_sum(folder, root, diags)
    if checkpoints and checkpoints[-1] > 0:
        last = found[checkpoints[-1]]
        diags.append(Diagnostic(last.file, 1, INFO, f"a checkpoint: Atlas builds a new database from it, so the {checkpoints[-1]} "
                                "file(s) before it are not read, and the new set stands for them too"))
        found = found[checkpoints[-1]:]
    return found, others


def _check_sum(folder: Path, root: Path, diags: list[Diagnostic]) -> None:
    """Atlas refuses to apply a folder whose atlas.sum does not match its files: say so now."""
    path = folder / SUM
    try:
        written = path.read_bytes().decode("utf-8")
        files = [(p.name, p.read_bytes()) for p in folder.glob("*.sql") if p.is_file()]
    except (OSError, UnicodeDecodeError):
        return
    if written.strip() and written.splitlines()[0] != sums(files).splitlines()[0]:
        diags.append(Diagnostic(rel(path, root), 1, WARNING, "atlas.sum does not match the files (`atlas migrate apply` refuses "
                                "such a folder until `atlas migrate hash`); the new set's is computed afresh"))


def layout(f: NewFile, reversible: bool) -> Layout:
    marker = "" if f.transactional else "-- atlas:txmode none\n\n"
    return Layout(f"{f.version}_{f.group}.sql", marker + f.header + f.body)


def _running(files: list[tuple[str, bytes]]) -> tuple[str, dict[str, str]]:
    """The folder's sum and each file's (base64 SHA-256 of every name and file up to it), in name order."""
    h = hashlib.sha256()
    each: dict[str, str] = {}
    for name, data in sorted(files):
        h.update(name.encode("utf-8"))
        if directives(data.decode("utf-8", "replace")).get("sum") == "ignore":
            continue
        h.update(data)
        each[name] = base64.b64encode(h.digest()).decode()
    return base64.b64encode(h.digest()).decode(), each


def sums(files: list[tuple[str, bytes]]) -> str:
    """atlas.sum for these files (name, bytes), in name order, as Atlas writes it."""
    total, each = _running(files)
    return f"h1:{total}\n" + "".join(f"{name} h1:{h}\n" for name, h in each.items())


def finish(history: Path, new: Path, kept: list[str]) -> dict[str, str]:
    """The new set's atlas.sum: its files and the kept later ones (read from the history, where
    they are byte for byte what the set will hold)."""
    files = [(p.name, p.read_bytes()) for p in new.glob("*.sql")]
    files += [(Path(k).name, (history / k).read_bytes()) for k in kept if k.endswith(".sql") and "/" not in k]
    return {SUM: sums(files)}


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    entries = _running([(Path(m.file).name, data(m)) for m in migs])[1]
    values = []
    for m in migs:
        try:
            total = len(split(data(m).decode("utf-8")))
        except Exception:  # noqa: BLE001 - a count for people; the file itself was proven
            total = 0
        values.append("(" + ", ".join(literal(v) for v in (m.version, m.name, 2, total, total, Raw("now()"), 0, entries[Path(m.file).name],
                                                                "consolidate")) + ")")
    # Rows whose version starts with a dot are Atlas's own (the database's identifier), not migrations.
    stmts = [f"DELETE FROM {FORMAT.table} WHERE version NOT LIKE '.%'"]
    if values:
        stmts.append(f"INSERT INTO {FORMAT.table} (version, description, type, applied, total, executed_at, execution_time, hash, "
                     "operator_version) VALUES\n  " + ",\n  ".join(values))
    return Bookkeeping(FORMAT.table, tuple(stmts), len(migs))


FORMAT = Format("atlas", "atlas_schema_revisions.atlas_schema_revisions", read, layout, bookkeeping, finish=finish,
                recorded=Recorded("SELECT version FROM atlas_schema_revisions.atlas_schema_revisions WHERE applied = total "
                                  "AND version NOT LIKE '.%'", lambda m: m.version))
