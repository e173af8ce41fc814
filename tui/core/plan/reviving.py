"""Reviving ahead: what the plan must keep after all, found before its items are built.

build_items revives what a kept statement needs and the whole of a statement it cannot cut,
then builds every item again, until nothing changes. A chain of such revivals (a DROP ... CASCADE
kept whole revives what it dropped, whose CREATE, earlier, needs what it reads) cost one pass
over the whole history per link. Here the same revivals run on a work list first, so
build_items finds nothing left to revive.
"""

from __future__ import annotations

from tui.core.formats.base import OWNED
from tui.core.parse import Statement
from tui.core.plan.accept import is_left_out
from tui.core.plan.items import Item
from tui.core.plan.mentioned import revive_mentioned
from tui.core.plan.planner import Planner


def revive_ahead(p: Planner) -> set[str]:
    """Revive what build_items would, before it runs: what the statements the model cannot read
    name, then, newest statement first, what each kept statement needs (what its cut text still
    names, where it is cut) and the whole of each statement that cannot be cut, each statement
    that got an event back looked at again. build_items still builds again until nothing is
    revived, so this only saves its passes (four became one on a history with table rebuilds).
    The keys of the redefined objects one of whose exempted readers (see last_definitions) came
    back and will be written: the attempt is in vain (empty: it goes on)."""
    statements = p.a.parsed.statements  # in history order: a statement's seq is its index
    for seq in p.named.opaque:
        if seq in p.contained_seqs and _wholly_dead(p, statements[seq]):
            continue  # it writes only a table folded away: it runs no more (build_items looks again if revived)
        revive_mentioned(p, statements[seq])
    migs = p.a.sources.migrations

    def built(st: Statement) -> bool:  # as build_items builds it
        return (migs[st.migration].kind not in OWNED and st.seq not in p.dropped and st.seq not in p.hoisted
                and st.seq not in p.hoist)

    # Only a statement with a dead event or reading an object all of whose events are dead can
    # revive anything (about half of the synthetic 100,000-file history): the others are not looked at.
    dead_keys, reads = p.dead_keys(), p.m.reads
    todo = [st.seq for st in statements if (st.seq in p.killed_in or any(r.key in dead_keys for r in reads.get(st.seq, ())))
            and built(st)]
    queued = set(todo)
    while todo:
        seq = todo.pop()  # newest first
        queued.discard(seq)
        st = statements[seq]
        pairs, alive = p.alive_pairs(st)
        if pairs and not alive:
            continue  # its whole effect is folded away (unless a statement seen later revives part of it)
        revived = p.keep_needed(st, pairs, alive)
        if len(alive) < len(pairs) and not p.trim(Item(st, st.node), pairs):
            revived |= p.revive(pairs, set(p.m.reads_of(seq)))  # it cannot be cut: kept whole
        # A statement that got an event back is looked at (again): it may now be kept whole.
        for back in sorted(revived - queued):
            if built(statements[back]):
                todo.append(back)
                queued.add(back)
    p.assumed = {}  # what retyped_later noted: build_items notes it again
    return {key for key, readers in p.exempted.items() if any(built(statements[seq]) and not is_left_out(p, seq) for seq in readers)}


def _wholly_dead(p: Planner, st: Statement) -> bool:
    pairs, alive = p.alive_pairs(st)
    return bool(pairs) and not alive
