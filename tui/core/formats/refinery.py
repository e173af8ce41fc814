"""refinery (Rust): `V<version>__<name>.sql`, Flyway's naming, in the folder and every folder under
it, and `U<version>__<name>.sql`, which are not Flyway's undo scripts but migrations refinery may
run out of order; on a new database all run in the order of their versions, each in a
transaction. Bookkeeping: `refinery_schema_history`, with a checksum refinery's Rust code computes
(SipHash of the name, the version and the SQL), which consolidate does not write: `baseline` says
what to run instead."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tui.core.errors import Diagnostic
from tui.core.formats.base import Format, Found, Layout, Migration, NewFile, Recorded, rel, up_down
from tui.core.formats.unread import unread_migration
from tui.core.formats.unwritten import unwritten

PATTERN = re.compile(r"^([UV])(\d+(?:\.\d+)?)__(\w+)\.(sql|rs)$")
CARGO = re.compile(r"^\s*refinery(?:-core)?\s*=", re.MULTILINE)


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            p = Path(top) / name
            m = PATTERN.match(name)
            if m is None:
                others.append(rel(p, root))
            elif m.group(4) == "rs":
                others.append(rel(p, root))
                diags.append(unread_migration(rel(p, root), "refinery runs this Rust migration"))
            else:
                key = tuple(int(x) for x in m.group(2).split("."))
                found.append(up_down(m.group(2), m.group(3), p, None, root, diags, sort_key=key))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    name = re.sub(r"\W", "_", f.group)  # (refinery takes a name of word characters only)
    return Layout(f"V{f.version}__{name}.sql", f.header + f.body)


_BOOKKEEPING = unwritten("refinery's table holds checksums its Rust code computes, which consolidate does not write",
                         "on each database that ran the history, once the set is applied, delete the rows of the replaced "
                         "versions from refinery_schema_history, then mark the set as run without running it "
                         "(the runner's `set_target(Target::Fake)`)")
FORMAT = Format("refinery", "refinery_schema_history", read, layout, _BOOKKEEPING,
                recorded=Recorded("SELECT version::text FROM refinery_schema_history", lambda m: str(int(m.version.split(".")[0]))))
