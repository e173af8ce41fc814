"""The files of the new set: runs of one domain cut to a balanced size, each named for what it holds.

The plan orders the statements and gives each a domain; a run of statements of one domain is a
file. A run larger than a share of the whole set is cut, before a CREATE TABLE where it can be,
so no file holds most of the schema; a run of a few lines joins the file before it, and past a
dozen files, or past the count of history files they come from, the smallest neighbours join (a
set is a few files, not one a table, and not more files than the history had). A file is
named for the tables it creates (their common family, `community` for `community` and
`community_follower`, else its largest tables), never after a history file it happened to come
from; setup, the surviving rows and concerns (notify triggers) keep their own names.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pglast import ast

from tui.core.model import CREATE, Model
from tui.core.names import into_clause
from tui.core.plan import Item, Plan
from tui.core.plan.grouping import DATA, SETUP

SHARE = 0.30  # the most of the set's lines a file may hold (the target is 35%: rendering adds headers)
FLOOR = 150  # lines: a file may hold this many whatever the set's size (a small set is not cut up)
SMALL = 8  # lines: a run this short joins the file before it
MOST = 12  # files: past this many, the smallest neighbours join (a set is a few files, not one a table)
JOINED = 1000  # lines: the most two joined files may hold (in a large set, the share is thousands)
_TOKEN = re.compile(r"[a-z0-9]+")
_KINDS = {"function": "functions", "type": "types", "domain": "types", "view": "views", "trigger": "triggers",
          "index": "indexes", "sequence": "sequences", "schema": "schemas", "extension": "extensions",
          "policy": "policies", "constraint": "constraints", "collation": "collations"}


@dataclass
class Filed:
    """One file to be: its name and statements, and the lines each statement takes."""

    name: str
    items: list[Item] = field(default_factory=list)
    lines: int = 0
    tables: list[str] = field(default_factory=list)  # the tables it creates, largest first
    changed: list[str] = field(default_factory=list)  # the tables it changes, for a file that creates none
    ends: bool = False  # nothing may join it (a statement outside a transaction, a new enum label)


def file_items(plan: Plan, model: Model, concerns: set[str], size: Callable[[Item], int]) -> list[Filed]:
    """The statements of the plan cut into files, in order. `concerns` are groups whose name is
    given (a concern the user accepted, notify triggers; a file named in `[groups]`): they keep it
    and are not cut. `size` is the lines an item renders to."""
    runs = _runs(plan, size)
    total = sum(r.lines for r in runs)
    budget = max(FLOOR, int(total * SHARE))
    cut: list[Filed] = []
    for run in runs:
        cut.extend(_cut(run, budget, size) if run.lines > budget and run.name not in concerns else [run])
    files: list[Filed] = []
    for f in cut:
        prev = files[-1] if files else None
        joins = (prev is not None and not prev.ends and not f.ends and f.lines < SMALL
                 and {f.name, prev.name}.isdisjoint(concerns | {DATA}) and prev.lines + f.lines <= budget)
        if joins:
            prev.items += f.items  # type: ignore[union-attr]
            prev.lines += f.lines  # type: ignore[union-attr]
            prev.ends = f.ends  # type: ignore[union-attr]
        else:
            files.append(f)
    # (Nor more files than the history files it comes from: four Prisma migrations made six.)
    most = min(MOST, len({it.stmt.migration for it in plan.items}))
    files = _fewer(files, budget, concerns, most)
    _name_all(files, model, concerns, size)
    return files


def _fewer(files: list[Filed], budget: int, concerns: set[str], most: int) -> list[Filed]:
    """Past `most` files, the two neighbours smallest together join, and again, while they fit the
    budget and JOINED lines: a history that adds one table a migration made a file a table
    (LiteLLM's 220 Prisma migrations gave 67 files, most of one CREATE TABLE). Setup, rows,
    concerns and a file that must end where it does (see Filed.ends) join nothing."""
    if len(files) <= most:
        return files
    budget = min(budget, JOINED)
    fixed = concerns | {DATA, SETUP}
    after = list(range(1, len(files))) + [-1]
    before = [-1] + list(range(len(files) - 1))
    gone = [False] * len(files)

    def pair(i: int, j: int) -> tuple[int, int, int, int, int] | None:
        a, b = files[i], files[j]
        if a.ends or b.ends or a.name in fixed or b.name in fixed or a.lines + b.lines > budget:
            return None
        return a.lines + b.lines, i, j, a.lines, b.lines

    heap = [p for i in range(len(files) - 1) if (p := pair(i, i + 1)) is not None]
    heapq.heapify(heap)
    count = len(files)
    while heap and count > most:
        _, i, j, i_lines, j_lines = heapq.heappop(heap)
        if gone[i] or gone[j] or after[i] != j or files[i].lines != i_lines or files[j].lines != j_lines:
            continue  # (one of them has joined another since)
        files[i].items += files[j].items
        files[i].lines += files[j].lines
        gone[j] = True
        count -= 1
        after[i] = after[j]
        if after[j] >= 0:
            before[after[j]] = i
        for p in (pair(before[i], i) if before[i] >= 0 else None, pair(i, after[i]) if after[i] >= 0 else None):
            if p is not None:
                heapq.heappush(heap, p)
    return [f for f, g in zip(files, gone) if not g]


def _runs(plan: Plan, size: Callable[[Item], int]) -> list[Filed]:
    """Consecutive statements of one domain; a statement that cannot run in a transaction is a
    run of its own, and a new enum label ends its run (it cannot be used before it commits)."""
    out: list[Filed] = []
    split = True
    for it in plan.items:
        if out and out[-1].name == it.group and not split and not it.alone:
            out[-1].items.append(it)
            out[-1].lines += size(it)
        else:
            out.append(Filed(it.group, [it], size(it)))
        split = it.alone or it.break_after
        out[-1].ends = split
    return out


def _cut(run: Filed, budget: int, size: Callable[[Item], int]) -> list[Filed]:
    """A run in pieces of about equal size, each cut before a CREATE TABLE where one is near,
    never inside a unit of statements that must stay in one file (a temporary table's)."""
    pieces = math.ceil(run.lines / budget)
    target = run.lines / pieces
    out = [Filed(run.name)]
    for i, it in enumerate(run.items):
        cur = out[-1]
        starts_table = isinstance(it.node, ast.CreateStmt)
        inside_unit = i > 0 and it.unit >= 0 and run.items[i - 1].unit == it.unit
        full = cur.lines >= target or (starts_table and cur.lines >= 0.7 * target) or cur.lines + size(it) > budget
        if cur.items and full and not inside_unit and len(out) < pieces + 2:
            out.append(Filed(run.name))
            cur = out[-1]
        cur.items.append(it)
        cur.lines += size(it)
    out[-1].ends = run.ends
    return out


def _name_all(files: list[Filed], model: Model, concerns: set[str], size: Callable[[Item], int]) -> None:
    used: set[str] = set()
    counted: dict[str, int] = {}  # a name -> the last number tried after it (see _unique)
    made = [_created_tables(f.items, model, size) for f in files]
    prefix = _prefix([t for weights in made for t in weights])
    for f, weights in zip(files, made):
        f.tables = sorted(weights, key=lambda t: (-weights[t], t))  # ties by name: a set's order varies by run
        touched = {} if weights else _touched_tables(f.items, model, size)
        f.changed = sorted(touched, key=lambda t: (-touched[t], t))
        if f.name in (SETUP, DATA) or f.name in concerns:
            candidates = [f.name]
        else:
            candidates = _names_for(weights, prefix) or _names_for(touched, prefix) or [_kinds(f.items)]
        f.name = _unique(candidates, used, counted)
        used.add(f.name)


def _prefix(tables: list[str]) -> str:
    """The first word every table of the set shares (`ttrss_feeds`, `ttrss_entries`; LiteLLM's
    `LiteLLM_`): it tells no file from another, so names leave it out (`feeds`, not `ttrss_2`)."""
    firsts = {tokens[0] if len(tokens := _TOKEN.findall(_local(t))) > 1 else "" for t in tables}
    return firsts.pop() if len(tables) >= 4 and len(firsts) == 1 else ""


def _created_tables(items: list[Item], model: Model, size: Callable[[Item], int]) -> dict[str, int]:
    """The tables these statements create, with the lines of the statements that create them."""
    out: dict[str, int] = {}
    for it in items:
        if not isinstance(it.node, ast.CreateStmt) and into_clause(it.node) is None:
            continue
        for key in it.writes:
            if not key.startswith("table:"):  # (a key is `type:name`: not a lookup for each column)
                continue
            o = model.objects.get(key)
            if o is not None and o.last(CREATE) is not None:
                out[o.name] = out.get(o.name, 0) + size(it)
    return out


def _touched_tables(items: list[Item], model: Model, size: Callable[[Item], int]) -> dict[str, int]:
    """The tables these statements change or belong to, for a file that creates none."""
    out: dict[str, int] = {}
    for it in items:
        for key in it.writes:
            o = model.objects.get(key)
            while o is not None and o.type != "table" and o.parent:
                o = model.objects.get(o.parent)
            if o is not None and o.type == "table":
                out[o.name] = out.get(o.name, 0) + size(it)
    return out


def _local(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", name.rsplit(".", 1)[-1].lower()).strip("_")


def _names_for(weights: dict[str, int], prefix: str = "") -> list[str]:
    """The family most of the lines belong to (`community` for `community_follower`, or
    `aggregates` for `post_aggregates`), the two largest families, else the largest tables; a
    `prefix` every table of the set has left out."""
    if not weights:
        return []
    tables = sorted(weights, key=lambda t: (-weights[t], t))
    total = sum(weights.values())
    out = []

    def local(t: str) -> str:
        name = _local(t)
        return name[len(prefix) + 1:] if prefix and name.startswith(prefix + "_") and len(name) > len(prefix) + 1 else name

    for position in (0, -1):  # a shared first word, or a shared last word
        family: dict[str, int] = {}
        members: dict[str, int] = {}
        for t in tables:
            tokens = _TOKEN.findall(local(t))
            if tokens:
                family[tokens[position]] = family.get(tokens[position], 0) + weights[t]
                members[tokens[position]] = members.get(tokens[position], 0) + 1
        ranked = sorted((f for f in family if members[f] >= 2), key=lambda f: (-family[f], f))
        if ranked and family[ranked[0]] * 10 >= total * 7:
            out.append((family[ranked[0]], ranked[0]))
        elif len(ranked) > 1 and (family[ranked[0]] + family[ranked[1]]) * 2 >= total:
            out.append((family[ranked[0]] + family[ranked[1]], f"{ranked[0]}_{ranked[1]}"))
    names = [n for _, n in sorted(out, key=lambda x: -x[0])]
    first = local(tables[0]) or "tables"
    names.append(first)
    if len(tables) > 1:
        names.append(f"{first}_{local(tables[1])}"[:48].strip("_"))
    return names


def _kinds(items: list[Item]) -> str:
    """For a file that touches no table: what it holds most (functions, types, ...)."""
    count: dict[str, int] = {}
    for it in items:
        for key in it.writes:
            kind = key.split(":", 1)[0]
            if kind in _KINDS:
                count[_KINDS[kind]] = count.get(_KINDS[kind], 0) + 1
    return min(count, key=lambda k: (-count[k], k)) if count else "changes"


def _unique(candidates: list[str], used: set[str], counted: dict[str, int]) -> str:
    """The first candidate not used yet, else the last one numbered: `t_2`, `t_3`. The numbers
    go on from the last one tried after that name (counting from 2 for each of thousands of files
    named alike was quadratic)."""
    for c in candidates:
        if c and c not in used:
            return c
    base = candidates[-1]
    n = counted.get(base, 1) + 1
    while f"{base}_{n}" in used:
        n += 1
    counted[base] = n
    return f"{base}_{n}"
