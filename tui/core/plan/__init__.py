"""The generate plan: which statements of the history survive, what is folded into what, in which order.

The history is folded rather than rewritten from scratch, so every statement the model cannot
follow keeps its exact text: statements whose whole effect is dead (objects created then
dropped, earlier definitions of redefined objects, rows removed later, statements with no
effect) are left out; columns and constraints added later, and later column changes, are
folded into their CREATE TABLE; what remains is put in a dependency order that stays as close
to the history as it can.
"""

from __future__ import annotations

import bisect
import itertools
import re

from pglast import ast

from tui.core.analysis import Analysis
from tui.core.decisions import Decisions
from tui.core.findings import TOGETHER, Finding
from tui.core.model import Event, Obj
from tui.core.names import deeper_than, into_clause, strings
from tui.core.parse import Statement
from tui.core.plan.accept import NO_EFFECT, mark_dead
from tui.core.plan.deferred import commit_deferred_checks
from tui.core.plan.enum_labels import fold_labels
from tui.core.plan.folding import fold
from tui.core.plan.grouping import group_items
from tui.core.plan.items import WRITES, Adjustments, Fold, Item, Plan
from tui.core.plan.keys_apart import has_inline_key
from tui.core.plan.merging import merge_inserts
from tui.core.plan.new_labels import break_after_new_labels
from tui.core.plan.not_null_names import name_not_nulls
from tui.core.plan.ordering import Cycle, order
from tui.core.plan.planner import Planner
from tui.core.plan.reviving import revive_ahead
from tui.core.plan.updating import fold_updates
from tui.core.settings import MAKERS, TRANSACTION_ENDS, rolled_back, setting_call

__all__ = ["Adjustments", "Fold", "Item", "Plan", "build_plan"]


def build_plan(analysis: Analysis, decisions: Decisions | None = None, adjust: Adjustments | None = None) -> Plan:
    """The plan for `analysis` (made with track_reads=True) under the user's decisions, and what
    the proof on PostgreSQL asked for (`adjust`: folds backed off, files split)."""
    adjust = adjust or Adjustments()
    decisions = decisions or Decisions()
    no_fold: set[int] = set()
    no_fold_stmts: set[int] = set()
    apart: set[int] = set()  # folded without their foreign keys (keys_apart)
    no_assume: set[str] = set()
    no_exempt: set[str] = set()
    unfolded: list[str] = []
    attempts = 40
    local, as_written = _local_settings(analysis)
    units = _session_units(analysis)
    set_deferred = any(isinstance(st.node, ast.ConstraintsSetStmt) and st.node.deferred for st in analysis.parsed.statements)
    # Under a SET LOCAL search_path only the SET is pinned: it and the barrier after its transaction
    # keep the rest in place, and what folds across them PostgreSQL judges, as any fold (a history
    # may set it at the top of every file). Under the others all is: the model does not follow who
    # owns what, nor when a deferred key is checked.
    deep = _too_deep(analysis)
    conditions = _conditions(analysis)
    pinned = adjust.pinned.union(*units, *as_written, {min(unit) for unit in local}, _out_of_scope(analysis), _before_range(analysis), _under_ddl_log(analysis),
                                 analysis.model.partly_seen, deep, conditions)
    p: Planner | None = None
    left_out: list[tuple[Obj, Finding, list[Event]]] | None = None
    for attempt in range(attempts):
        # The last attempt folds nothing and moves nothing: the history's own order always works.
        last = attempt == attempts - 1
        # (What the attempt before made of the history, the lazily made parts too, is shared.)
        p = Planner(analysis, decisions, hoisting=not last, pinned=pinned, indexes=p.indexes() if p is not None else None)
        p.no_fold, p.no_fold_stmts, p.no_assume = no_fold, no_fold_stmts, no_assume
        p.no_exempt = None if last else no_exempt
        left_out = mark_dead(p, left_out)
        settled = _settled_items(p)
        if isinstance(settled, set):
            no_exempt.update(settled)  # a reader of an earlier definition is written after all
            continue
        items, setup = settled
        if p.exempted:
            built = {it.seq for it in items}
            revived = {key for key, readers in p.exempted.items() if readers & built}
            if revived:
                no_exempt.update(revived)  # (one brought back by build_items itself)
                continue
        if not last:
            fold(p, items, apart)
            fold_labels(p, items)
            unmet = {k for k, cols in p.assumed.items() if cols - p.retyped}
            if unmet:
                no_assume.update(unmet)  # a column kept its old type: the type stays after all
                continue
        name_not_nulls(p, items)
        group_items(analysis, items, p.accepted)
        _keep_together(items, units + local)
        _close_local_settings(items, local)
        try:
            ordered = order(p, items)
        except Cycle as found:
            _unfold(analysis, found.cycles, no_fold, no_fold_stmts, unfolded, apart)
            continue
        ordered = merge_inserts(fold_updates(ordered, p), p)
        for it in ordered:
            it.alone = it.alone or it.stmt.seq in adjust.alone
            it.break_after = it.stmt.seq in adjust.breaks
        break_after_new_labels(ordered, p)
        _break_around_conditions(ordered, conditions)
        _commit_replica_rows(ordered)
        index = _positions(ordered)
        for unit in local:
            if members := _members(index, unit):
                members[-1].break_after = True  # its file's transaction ends the setting: so does this file's
        commit_deferred_checks(ordered, p.m, set_deferred)
        concerns = {f.group for f in p.accepted if f.effect == TOGETHER} | {name for name, _ in analysis.config.groups}
        too_deep = [f"{analysis.parsed.statements[seq].file}:{analysis.parsed.statements[seq].line}" for seq in sorted(deep)]
        return Plan(ordered, dict(sorted(p.dropped.items())), sorted(set(unfolded)), setup, _made(p), adjust, concerns, too_deep, conditions)
    raise AssertionError("the history's own order has a cycle")  # the last attempt cannot cycle


def _unfold(analysis: Analysis, cycles: list[list[Item]], no_fold: set[int], no_fold_stmts: set[int], unfolded: list[str],
            apart: set[int]) -> None:
    """Folds made statements wait on each other: give up the folds into those statements only
    (the folded statements that need something inside a cycle stay where they were; a column
    added with a foreign key first folds without it, the key written apart), for every cycle found
    at once. Only when no cycle names such a fold, the first one's folded statements are not
    folded at all."""
    by_seq = {s.seq: s for s in analysis.parsed.statements}
    culprits: set[int] = set()
    for cycle in cycles:
        inside = set().union(*(i.writes for i in cycle))
        culprits |= {seq for i in cycle if i.folded for seq, needs in (i.fold_ahead or {}).items() if needs & inside}
    culprits -= no_fold_stmts
    split = {c for c in culprits if c not in apart and has_inline_key(by_seq[c])}
    apart |= split
    culprits -= split
    if split and not culprits:
        return
    if culprits:
        no_fold_stmts.update(culprits)
        unfolded.extend(f"{by_seq[c].file}:{by_seq[c].line}" for c in culprits)
        return
    first = cycles[0]
    stuck = [i for i in first if i.folded]
    unfolded.extend(f"{i.stmt.file}:{i.stmt.line}" for i in stuck)
    no_fold.update(i.stmt.seq for i in stuck)
    if not stuck:
        no_fold.update(i.stmt.seq for i in first)


def _conditions(analysis: Analysis) -> dict[int, str]:
    """The statements of migrations the tool runs only under a condition (Liquibase's contexts),
    with it: written as they are (pinned), in files of their own that say it again."""
    migs = analysis.sources.migrations
    if not any(m.condition for m in migs):
        return {}
    return {st.seq: migs[st.migration].condition for st in analysis.parsed.statements if migs[st.migration].condition}


def _break_around_conditions(ordered: list[Item], conditions: dict[int, str]) -> None:
    """A file ends where the condition its statements run under changes."""
    if not conditions:
        return
    for before, after in itertools.pairwise(ordered):
        if conditions.get(before.stmt.seq, "") != conditions.get(after.stmt.seq, ""):
            before.break_after = True


def _out_of_scope(analysis: Analysis) -> set[int]:
    """Statements on objects in schemas the project leaves out (`schemas`, `exclude_schemas`):
    written as they are, never folded."""
    cfg = analysis.config
    if not cfg.schemas and not cfg.exclude_schemas:
        return set()
    return {(e.stmt.parent or e.stmt).seq for o in analysis.model.objects.values() if not cfg.in_scope(o.schema) for e in o.events}


def _under_ddl_log(analysis: Analysis) -> set[int]:
    """The statements after an event trigger whose function writes rows (a log of DDL): each
    command there adds rows of its own, so they are written as they are, in the history's order."""
    statements = analysis.parsed.statements
    for st in statements:
        if isinstance(st.node, ast.CreateEventTrigStmt) and (name := strings(st.node.funcname)[-1:]):
            bodies = [e.stmt.text.lower() for o in analysis.model.objects.values()
                      if o.type == "function" and o.name.split("(", 1)[0].rsplit(".", 1)[-1] == name[0] for e in o.events]
            if not bodies or any(WRITES.search(b) for b in bodies):
                return {(later.parent or later).seq for later in statements[st.seq + 1:]}
    return set()


# How deep a statement's tree may nest for the plan to print it again: pglast's printer (and clone)
# recurse a few frames a level, and Python stops at 1,000 (a 200-term `a || b || ...` did).
_DEEPEST = 100


def _too_deep(analysis: Analysis) -> set[int]:
    """Statements nested deeper than that: written as they are, nothing folded into or out of them.
    (A level takes two characters of text at least: shorter ones are not walked.)"""
    return {(st.parent or st).seq for st in analysis.parsed.statements if len(st.text) > 2 * _DEEPEST and deeper_than(st.node, _DEEPEST)}


def _before_range(analysis: Analysis) -> set[int]:
    """With --from, the statements before the range: their files stay in the set as they are."""
    return {st.seq for st in analysis.parsed.statements if st.migration < analysis.earlier} if analysis.earlier else set()


def _session_units(analysis: Analysis) -> list[frozenset[int]]:
    """A temporary table and the later statements of its file that name it: it is gone when the
    file's transaction (or session) ends, so they stay as written, together in one file. So do a
    SAVEPOINT and what follows it up to a ROLLBACK TO it, which undoes what ran between."""
    units: list[tuple[int, str, set[int]]] = []  # (migration, table name, seqs)
    statements = analysis.parsed.statements
    for st in statements:
        node = st.node
        rel = node.relation if isinstance(node, ast.CreateStmt) else into.rel if (into := into_clause(node)) is not None else None
        if rel is not None and rel.relpersistence == "t":
            units.append((st.migration, rel.relname.lower(), {st.seq}))
            continue
        for migration, name, seqs in units:
            if migration == st.migration and re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", st.text.lower()):
                seqs.add(st.seq)
    spans = [frozenset(s.seq for s in statements[first:last + 1]) for first, last in rolled_back(statements)]
    return [frozenset(seqs) for _, _, seqs in units] + spans


def _local_settings(analysis: Analysis) -> tuple[list[frozenset[int]], list[frozenset[int]]]:
    """Each SET LOCAL search_path (or role, or SET CONSTRAINTS ... DEFERRED) and the statements
    after it in its file (up to a COMMIT): they run under it until the transaction ends, so they
    stay together in one file. And, apart, those from a SET LOCAL of anything but the search
    path on: as written."""
    units: list[frozenset[int]] = []
    as_written: list[frozenset[int]] = []
    statements = analysis.parsed.statements
    migrations = analysis.sources.migrations
    for i, st in enumerate(statements):
        node = st.node if isinstance(st.node, ast.VariableSetStmt) else setting_call(st.node)
        deferred = isinstance(st.node, ast.ConstraintsSetStmt) and st.node.deferred
        # Where the tool sets the search path back before each file (Flyway), a plain SET of it
        # lasts to its file's end, as a SET LOCAL to its transaction's.
        to_file_end = (node is not None and not node.is_local and node.name == "search_path"
                       and migrations[st.migration].fresh_search_path)
        if not deferred and not (node is not None and (node.is_local or to_file_end) and node.name in MAKERS):
            continue
        if not units or st.seq not in units[-1]:  # (a second SET LOCAL of a transaction is in the first's unit)
            unit = []
            for s in statements[i:]:
                if s.migration != st.migration or (not to_file_end and isinstance(s.node, ast.TransactionStmt)
                                                   and s.node.kind in TRANSACTION_ENDS):
                    break
                unit.append(s.seq)
            units.append(frozenset(unit))
        if deferred or (node is not None and node.name != "search_path"):
            as_written.append(frozenset(seq for seq in units[-1] if seq >= st.seq))
    return units, as_written


def _close_local_settings(items: list[Item], local: list[frozenset[int]]) -> None:
    """The SET and what follows its transaction are barriers: the transaction's statements are
    the only ones between them."""
    if not local:
        return
    by_seq = sorted(items, key=lambda it: it.seq)
    seqs = [it.seq for it in by_seq]
    for unit in local:
        start = bisect.bisect_left(seqs, min(unit))
        if start < len(by_seq) and seqs[start] == min(unit):
            by_seq[start].barrier = True
        at = bisect.bisect_right(seqs, max(unit))
        if at < len(by_seq):
            by_seq[at].barrier = True


def _positions(items: list[Item]) -> dict[int, tuple[int, Item]]:
    """Statement -> (its place in the list, its item): a unit's members are found without a scan of
    the whole list for each unit (a SET LOCAL atop each of thousands of files)."""
    return {it.stmt.seq: (i, it) for i, it in enumerate(items)}


def _members(index: dict[int, tuple[int, Item]], unit: frozenset[int]) -> list[Item]:
    """The items of a unit's statements, in list order."""
    return [it for _, it in sorted(index[s] for s in unit if s in index)]


def _keep_together(items: list[Item], units: list[frozenset[int]]) -> None:
    index = _positions(items)
    for n, unit in enumerate(units):
        members = _members(index, unit)
        for it in members:
            it.group = members[0].group
            it.unit = n


def _commit_replica_rows(items: list[Item]) -> None:
    """Rows written under `session_replication_role = replica` may break a foreign key: PostgreSQL
    checks the key again when a row its own transaction inserted is updated (the history committed
    them first). The file ends where the role is set back."""
    for it in items:
        node = it.node
        if (isinstance(node, ast.VariableSetStmt) and node.name == "session_replication_role" and not node.is_local
                and not any(getattr(getattr(a, "val", None), "sval", "") == "replica" for a in node.args or ())):
            it.break_after = True


def _made(p: Planner) -> list[Fold]:
    """The folds that changed something, in the order of their first statement."""
    made = [f for f in p.folds.values() if f.seqs]
    return sorted(made, key=lambda f: (min(f.seqs), f.id))


def _settled_items(p: Planner) -> tuple[list[Item], list[Statement]] | set[str]:
    """Build the items again until no statement revives an object another statement left out.
    Where what revive_ahead brought back includes a reader of an earlier definition that was left
    out because that reader was (see last_definitions' exempted), the keys of those definitions
    instead: the attempt starts again without them, not after building every item in vain."""
    if lost := revive_ahead(p):
        return lost
    for _ in range(10):
        p.revived = False
        p.dropped = {k: v for k, v in p.dropped.items() if v == NO_EFFECT}
        items, setup = p.build_items()
        if not p.revived:
            return items, setup
    return items, setup
