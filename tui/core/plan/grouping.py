"""Which domain file each statement of the new set goes to, derived from the dependency map.

A file of the history that created several tables names a domain (the team's own grouping);
a table created alone joins the domain of the table it references. Everything else follows the
table it belongs to or reads; notify triggers spread over several files go together; what comes
before any table is setup.
"""

from __future__ import annotations

import fnmatch
import functools
import re

from tui.core.analysis import Analysis
from tui.core.findings import TOGETHER, Finding
from tui.core.formats.base import short_name
from tui.core.model import CREATE, Obj
from tui.core.plan.items import Item

SETUP = "setup"
DATA = "data"
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=None)  # asked for each statement, of a few thousand files
def stem(path: str) -> str:
    """`20250101000002_core_tables.sql` -> `core_tables`; diesel's `2019-..._create_user/up.sql` -> `create_user`."""
    name = short_name(path)
    name = re.sub(r"(\.up|\.down)?\.sql$", "", name)
    name = re.sub(r"^(V|R|B)?[\d._-]*_+", "", name)
    name = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_").lower()
    return name or "migration"


def table_of(analysis: Analysis, key: str, users: dict[str, list[Obj]] | None = None, depth: int = 0) -> Obj | None:
    """The table an object belongs to: its owner, the first table a view reads, the first table using a type."""
    o = analysis.model.objects.get(key)
    if o is None or depth > 4:
        return None
    if o.type == "table":
        return o
    if o.parent:
        return table_of(analysis, o.parent, users, depth + 1)
    if o.type == "view":
        for d in o.depends:
            t = table_of(analysis, d, users, depth + 1)
            if t is not None:
                return t
    if users is not None and o.type in ("type", "domain", "sequence"):
        for u in users.get(key, ()):
            t = table_of(analysis, u.key, users, depth + 1)
            if t is not None:
                return t
    return None


def table_groups(analysis: Analysis) -> dict[str, str]:
    m = analysis.model
    # Tables the preamble made (the platform's, the tool's own) are no domain of the new set.
    tables = sorted((o for o in m.objects.values() if o.type == "table" and o.exists and o.last(CREATE)
                     and o.last(CREATE).stmt.seq >= 0), key=lambda o: o.born)  # type: ignore[union-attr]
    per_file: dict[str, int] = {}
    for t in tables:
        f = t.last(CREATE).stmt.file  # type: ignore[union-attr]
        per_file[f] = per_file.get(f, 0) + 1
    # The foreign keys of every table, found in one pass: not a scan of all objects per table.
    refs_of: dict[str, list[str]] = {}
    for c in m.objects.values():
        if c.type == "constraint" and c.exists and c.contype == "f":
            refs_of.setdefault(c.parent, []).append(c.attrs.get("ref_table"))
    groups: dict[str, str] = {}
    for t in tables:
        f = t.last(CREATE).stmt.file  # type: ignore[union-attr]
        if per_file[f] >= 2:
            groups[t.key] = stem(f)
            continue
        refs = refs_of.get(t.key, [])
        target = next((groups[f"table:{r}"] for r in refs if r and f"table:{r}" in groups), None)
        groups[t.key] = target or stem(f)
    for t in tables:  # the files the user named in consolidate.toml take their tables, whatever the rest says
        local = t.name.rsplit(".", 1)[-1]
        named = next((name for name, patterns in analysis.config.groups
                      if any(fnmatch.fnmatchcase(t.name if "." in pat else local, pat) for pat in patterns)), None)
        if named:
            groups[t.key] = named
    return groups


def group_items(analysis: Analysis, items: list[Item], accepted: list[Finding]) -> None:
    m = analysis.model
    groups = table_groups(analysis)
    names = {t.name.rsplit(".", 1)[-1]: g for t in m.objects.values() if t.type == "table" and (g := groups.get(t.key))}
    first_table = min((o.born for o in m.objects.values() if o.type == "table" and o.last(CREATE)), default=-1)
    # A concern's members go together only where the user accepted it.
    spread = {f"{f.object_type}:{f.object_name}": f for f in accepted if f.effect == TOGETHER}
    users: dict[str, list[Obj]] = {}
    for o in sorted((o for o in m.objects.values() if o.exists and o.depends), key=lambda x: x.born):
        for d in o.depends:
            users.setdefault(d, []).append(o)
    # Thousands of statements read the same table: each key's table found once.
    tables: dict[str, Obj | None] = {}

    def table(k: str) -> Obj | None:
        if k not in tables:
            tables[k] = table_of(analysis, k, users)
        return tables[k]
    for it in items:
        if "@data" in it.writes and not any(k.split(":", 1)[0] in ("table", "view", "function", "type") for k in it.writes):
            it.group = DATA  # the rows the history leaves behind: one file after the schema
            continue
        concern = next((spread[k] for k in sorted(it.writes) if k in spread), None) if spread else None
        if concern is not None:
            it.group = concern.group
            continue
        group = ""
        for keys in (it.writes, it.reads):
            for k in sorted(keys):
                t = table(k)
                if t is not None and t.key in groups:
                    group = groups[t.key]
                    it.home = t.key
                    break
            if group:
                break
        if not group and first_table >= 0 and it.seq < first_table:
            group = SETUP
        if not group:
            body = " ".join(str(m.objects[k].attrs.get("body", "")) for k in it.writes if k in m.objects)
            counts: dict[str, int] = {}
            for w in _WORD.findall(body):
                if w in names:
                    counts[names[w]] = counts.get(names[w], 0) + 1
            group = max(sorted(counts), key=lambda g: counts[g]) if counts else ""
        it.group = group
    _functions_follow_callers(analysis, items)
    for it in items:
        it.group = it.group or stem(it.stmt.file)


def _functions_follow_callers(analysis: Analysis, items: list[Item]) -> None:
    """A helper function with no table of its own goes where the functions that call it go."""
    objects = analysis.model.objects
    # Only the items that write functions take part: found once, not in each of the three passes.
    writers = [(it, fns) for it in items
               if (fns := [o for k in it.writes if (o := objects.get(k)) is not None and o.type == "function"])]
    by_local: dict[str, str] = {}
    for _ in range(3):
        for it, fns in writers:
            if it.group:
                for o in fns:
                    for call in o.attrs.get("calls", ()):
                        by_local.setdefault(call.rsplit(".", 1)[-1], it.group)
        moved = False
        for it, fns in writers:
            if it.group:
                continue
            for o in fns:
                local = o.name.split("(", 1)[0].rsplit(".", 1)[-1].lower()
                if local in by_local:
                    it.group = by_local[local]
                    moved = True
        if not moved:
            break
