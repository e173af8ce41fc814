"""graphile-migrate: `committed/<number>[-<slug>].sql` in the migrations folder, in the order of the
names, each opened by headers that chain it to the one before (`--! Previous: <hash>` or `-`,
`--! Hash: sha1:...`, `--! Message: ...`) and a blank line; a body whose first line is
`--! no-transaction` runs outside a transaction, any other in one. `current.sql` (the migration
being written) is not run by `graphile-migrate migrate`: kept as it is. Bookkeeping:
`graphile_migrate.migrations`, a row a file with its hash and the one before."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from tui.core.errors import ERROR, WARNING, Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Raw, Recorded, listing, read_text, rel, replace_rows

COMMITTED = "committed"
_FILE = re.compile(r"^([0-9]+)(-[-_a-zA-Z0-9]*)?\.sql$")
_HEADER = re.compile(r"^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$")
_NO_TX = re.compile(r"^--!\s*no-transaction\b")


def looks_like(folder: Path) -> bool:
    """A folder holding `committed/`, or the `committed` folder itself (its files open with headers)."""
    committed = folder / COMMITTED
    if committed.is_dir():
        return any(_FILE.match(p.name) for p in listing(committed))
    first = next((p for p in listing(folder) if p.is_file() and _FILE.match(p.name)), None)
    return first is not None and first.read_bytes()[:64].startswith(b"--! Previous:")


def parse(text: str) -> tuple[dict[str, str], str, int]:
    """The headers, the body as graphile-migrate hashes and runs it (trimmed, one newline at the
    end) and the line the body starts on."""
    lines = text.split("\n")
    headers: dict[str, str] = {}
    n = 0
    for line in lines:
        m = _HEADER.match(line)
        if not m:
            break
        headers[m.group(1)] = (m.group(2) or "").strip()
        n += 1
    rest = "\n".join(lines[n:])
    skipped = len(rest) - len(rest.lstrip())
    return headers, rest.strip() + "\n", n + 1 + rest.count("\n", 0, skipped)


def _hash(body: str, previous: str) -> str:
    """graphile-migrate's calculateHash."""
    return "sha1:" + hashlib.sha1(((previous + "\n" + body.strip()).strip() + "\n").encode()).hexdigest()


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others = [rel(p, root) for p in listing(folder) if p.name != COMMITTED]
    committed = folder / COMMITTED
    if not committed.is_dir():
        diags.append(Diagnostic(rel(folder, root), 0, ERROR, f"no {COMMITTED}/ folder here: give --migrations (or `migrations` in "
                                f"consolidate.toml) the folder graphile-migrate migrates from, the one holding {COMMITTED}/ "
                                "and current.sql"))
        return [], []
    for p in listing(committed):
        m = _FILE.match(p.name) if p.is_file() else None
        where = rel(p, root)
        if not m:
            others.append(where)
            continue
        text, ok = read_text(p, root, diags, where)
        headers, body, first_line = parse(text)
        if ok and not ("Previous" in headers and "Hash" in headers):
            diags.append(Diagnostic(where, 1, WARNING, "no `--! Previous:` and `--! Hash:` headers: graphile-migrate refuses "
                                    "a committed migration without them"))
        no_tx = bool(_NO_TX.match(body))
        sql = "\n" + body.split("\n", 1)[1] if no_tx else body  # (the marker's line kept blank: else it is written twice)
        found.append(Migration(version=m.group(1), name=(m.group(2) or "").lstrip("-"), file=where, sql=sql if ok else "",
                               first_line=first_line, transactional=not no_tx, single_query=True,
                               sort_key=(m.group(1) + ".sql",), readable=ok))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    # The headers come with the chain, once every file is written (finish).
    slug = re.sub(r"[^-_a-zA-Z0-9]", "_", f.group)
    marker = "" if f.transactional else "--! no-transaction\n"
    return Layout(f"{COMMITTED}/{int(f.version or 0):06d}-{slug}.sql", marker + f.header + f.body)


def finish(history: Path, new: Path, kept: list[str]) -> dict[str, str]:
    """Every committed file of the set, the kept ones of the history among them, chained anew in
    the order graphile-migrate runs them: each names the hash of the one before."""
    paths = {p.relative_to(new).as_posix(): p for p in (new / COMMITTED).glob("*.sql")}
    paths.update((k, history / k) for k in kept if k.startswith(COMMITTED + "/"))
    out: dict[str, str] = {}
    previous = ""
    for name in sorted(paths, key=lambda k: Path(k).name.split("-", 1)[0].removesuffix(".sql") + ".sql"):
        headers, body, _ = parse(paths[name].read_text("utf-8"))
        headers.pop("AllowInvalidHash", None)  # (its hash is made valid here)
        digest = _hash(body, previous)
        fields = {"Previous": previous or "-", "Hash": digest, **{k: v for k, v in headers.items() if k not in ("Previous", "Hash")}}
        out[name] = "\n".join(f"--! {k}" + (f": {v}" if v else "") for k, v in fields.items()) + "\n\n" + body
        previous = digest
    return out


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    rows: list[tuple[object, ...]] = []
    for m in migs:
        headers = parse(data(m).decode("utf-8", "replace"))[0]
        previous = headers.get("Previous", "-")
        rows.append((headers.get("Hash", ""), None if previous == "-" else previous, m.version + ".sql", Raw("now()")))
    return replace_rows(FORMAT.table, "hash, previous_hash, filename, date", rows, len(migs))


# It runs the files whose names sort after the newest its table holds.
FORMAT = Format("graphile-migrate", "graphile_migrate.migrations", read, layout, bookkeeping, finish=finish, aside=re.compile(r"^current\.sql$"),
                recorded=Recorded("SELECT split_part(filename, '.', 1) FROM graphile_migrate.migrations", lambda m: m.version,
                                  lambda m: int(m.version)),
                no_guard="each file names the hash of the one before it, which the database's table must hold: a guard "
                         "after the set fails there")
