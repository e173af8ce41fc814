"""The order of the new set: the history's own order, unless a fold needs something later first."""

from __future__ import annotations

from pglast import ast

from tui.core.findings import TOGETHER, Finding
from tui.core.model import RENAME
from tui.core.plan.grouping import DATA, SETUP
from tui.core.plan.items import Item
from tui.core.plan.planner import Planner


def order(p: Planner, items: list[Item]) -> list[Item]:
    """A stable topological order: the history's order unless a fold needs something later first."""
    by_seq = sorted(items, key=lambda i: i.seq)
    creator: dict[str, Item] = {}
    at_seq = {i.stmt.seq: i for i in by_seq}
    for it in by_seq:
        for k in it.writes:
            creator.setdefault(k, it)
    edges: dict[int, set[int]] = {id(i): set() for i in by_seq}
    last_writer: dict[str, Item] = {}
    readers: dict[str, list[Item]] = {}  # read since the last write: a later write waits for them
    last_barrier: Item | None = None
    since_barrier: list[Item] = []
    anchors: list[Item] = []
    last_pinned: Item | None = None
    for it in by_seq:
        preds: set[int] = set()
        if it.stmt.seq in p.pinned:
            # Backed-off statements keep the history's order among themselves, whatever the model
            # thinks they need: the model missed something about them.
            if last_pinned is not None:
                preds.add(id(last_pinned))
            last_pinned = it
        reads, writes = it.reads, it.writes
        # (Each loop by itself, no set made per item: 100,000 items on the largest histories.)
        for k in reads:
            src = last_writer.get(k)
            if src is not None and src is not it:
                preds.add(id(src))
        for k in writes:
            src = last_writer.get(k)
            if src is not None and src is not it:
                preds.add(id(src))
        for k in it.ahead:
            if k in writes:
                continue
            # Folded-in content may need what the history created after this statement.
            src = last_writer.get(k) or creator.get(k)
            if src is not None and src is not it:
                preds.add(id(src))
        if it.fold_ahead:
            preds.update(id(r) for r in renamed_before(p, it, at_seq) if r is not it)
        if it.barrier:
            preds.update(id(x) for x in since_barrier)
            since_barrier = []
        if last_barrier is not None and last_barrier is not it:
            preds.add(id(last_barrier))
        if anchors:
            preds.update(id(a) for a in anchors if a is not it)
        for k in writes:
            # A reader that needs k created (folded-in content) waits for it, not the other way round.
            waiting = readers.pop(k, None)
            if waiting:
                preds.update(id(r) for r in waiting if r is not it and k not in r.ahead)
        preds.discard(id(it))
        edges[id(it)] = preds
        for k in writes:
            last_writer[k] = it
        for k in reads:
            if k not in writes:
                readers.setdefault(k, []).append(it)
        if it.barrier:
            last_barrier = it
            anchors = []  # the barrier waits for them: waiting for it is enough
        if it.anchor:
            anchors.append(it)
        since_barrier.append(it)
    index = {id(i): i for i in by_seq}
    seq_of = {id(i): i.seq for i in by_seq}  # (a property, asked once per edge otherwise)
    rank = group_rank(by_seq, p.accepted)
    done: set[int] = set()
    out: list[Item] = []
    named = {name for name, _ in p.a.config.groups}

    cycles: list[list[Item]] = []
    in_cycles: set[int] = set()

    def emit(it: Item, group: str, visiting: dict[int, None]) -> None:
        # Pull in what this statement needs first (only that), as part of the current group.
        if id(it) in done:
            return
        if id(it) in visiting:
            # Noted, and the walk goes on without that edge: the plan is made again once for
            # the cycles it finds, not once for each. A cycle through statements of one noted
            # already may go with it: it waits for the next round.
            path = list(visiting)
            cycle = path[path.index(id(it)):]
            if in_cycles.isdisjoint(cycle):
                in_cycles.update(cycle)
                cycles.append([index[v] for v in path])
            return
        visiting[id(it)] = None
        preds = edges[id(it)]
        for p in sorted(preds, key=seq_of.__getitem__) if len(preds) > 1 else preds:
            if p not in done:  # (most are: not a call each)
                emit(index[p], group, visiting)
        del visiting[id(it)]
        if rank[it.group] > rank[group] and it.group not in named:
            it.group = group  # (a file the user named keeps its statements: it continues in a second file)
        done.add(id(it))
        out.append(it)

    # Each group's items, taken once (not a pass over every item per group): each table's
    # statements (indexes, triggers, comments, grants, later changes) right after its CREATE
    # TABLE, else in history order; emit() still puts each after whatever it needs.
    created: dict[str, int] = {}
    for it in by_seq:
        if isinstance(it.node, ast.CreateStmt) and it.home and it.home in it.writes:
            created.setdefault(it.home, it.seq)
    members: dict[str, list[Item]] = {}
    for it in sorted(by_seq, key=lambda i: created.get(i.home, seq_of[id(i)])):  # (stable: by seq within each table)
        members.setdefault(it.group, []).append(it)
    for group in sorted(rank, key=lambda g: rank[g]):
        for it in members.get(group, ()):
            if it.group == group:  # emit() may have moved it into an earlier group already
                emit(it, group, {})
    if cycles:
        raise Cycle(cycles)
    return out


class Cycle(Exception):
    """Statements that wait on each other: for each cycle, the statements on the way to it."""

    def __init__(self, cycles: list[list[Item]]) -> None:
        super().__init__(f"{len(cycles)} cycle(s) of statements that wait on each other")
        self.cycles = cycles


def group_rank(items: list[Item], accepted: list[Finding]) -> dict[str, int]:
    """Setup first, then each domain at the place of its first CREATE TABLE, concerns (notify) last."""
    spread_keys = {f"{f.object_type}:{f.object_name}" for f in accepted if f.effect == TOGETHER}
    spread_groups = {it.group for it in items if it.writes & spread_keys}
    anchor: dict[str, int] = {}
    for it in items:
        is_table = isinstance(it.node, ast.CreateStmt)
        key = it.seq if is_table else it.seq + 10**9
        anchor[it.group] = min(anchor.get(it.group, key), key)
    order = sorted(anchor, key=lambda g: (g != SETUP, g == DATA, g in spread_groups, anchor[g], g))
    return {g: i for i, g in enumerate(order)}


def renamed_before(p: Planner, it: Item, at_seq: dict[int, Item]) -> list[Item]:
    """The RENAMEs (and SET SCHEMAs) that gave what `it`'s folded-in content needs the name that
    content calls it by: the last one before each folded statement goes first (the object's first
    CREATE, which the folded content otherwise waits for, may be before them)."""
    out = []
    for seq, needs in (it.fold_ahead or {}).items():
        for k in needs:
            o = p.m.objects.get(k)
            if o is None or not o.former_names:
                continue
            last = max(((e.stmt.parent or e.stmt).seq for e in o.events if e.action == RENAME and (e.stmt.parent or e.stmt).seq < seq), default=-1)
            if (r := at_seq.get(last)) is not None:
                out.append(r)
    return out
