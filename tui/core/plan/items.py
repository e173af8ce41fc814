"""The units of a plan: items (statements of the new set, possibly edited) and the plan itself,
with what each kind of statement means for where it may go."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import TRIGGER_TYPE_BEFORE, TRIGGER_TYPE_INSTEAD, GrantTargetType, TransactionStmtKind

from tui.core.model import ALTER, CREATE, REPLACE, Event, Model, Obj, appended
from tui.core.parse import Statement
from tui.core.plan.splice import Op

# Settings that change what the session reports or how fast it works, never what a statement
# makes: nothing needs to stay on either side of them (a timeout does, unless it is switched off).
_QUIET_SETTINGS = frozenset({
    "client_min_messages", "log_min_messages", "log_statement", "log_min_duration_statement", "application_name",
    "work_mem", "maintenance_work_mem", "max_parallel_workers_per_gather", "max_parallel_maintenance_workers",
    "synchronous_commit", "jit", "random_page_cost", "seq_page_cost", "effective_cache_size", "effective_io_concurrency",
    "default_statistics_target",
})
_TIMEOUTS = frozenset({"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "transaction_timeout"})


_SAVEPOINTS = (TransactionStmtKind.TRANS_STMT_SAVEPOINT, TransactionStmtKind.TRANS_STMT_ROLLBACK_TO)


def is_barrier(node: Any) -> bool:
    """Does everything after it rely on it without naming it? A setting (the search path; not a
    quiet one), a GRANT ... ON ALL TABLES IN SCHEMA (what exists then gets the privileges, what is
    made after it does not) or a schema named after its owner (`$user` in the search path finds
    it: what is made after it, unqualified, lands there). A schema made by name is read by what is
    made in it (order_keys). A SAVEPOINT and a ROLLBACK TO it: what is moved between them is undone,
    whatever it names."""
    if isinstance(node, ast.VariableSetStmt):
        return not (node.name in _QUIET_SETTINGS or node.name in _TIMEOUTS and _switched_off(node))
    return ((isinstance(node, ast.GrantStmt) and node.targtype != GrantTargetType.ACL_TARGET_OBJECT)
            or isinstance(node, ast.CreateSchemaStmt) and not node.schemaname
            or isinstance(node, ast.TransactionStmt) and node.kind in _SAVEPOINTS)


def _switched_off(node: ast.VariableSetStmt) -> bool:
    args = node.args or ()
    value = args[0].val if len(args) == 1 and isinstance(args[0], ast.A_Const) else None
    return getattr(value, "ival", None) == 0 or getattr(value, "sval", None) in ("0", "0s", "0ms")


# What an extension makes (types, functions, operators) is unknown to the model: everything after
# it stays after it. It may move ahead of earlier statements, for a folded column of its type.
ANCHORS = (ast.CreateExtensionStmt, ast.AlterExtensionStmt)
DML = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.TruncateStmt, ast.CopyStmt)
# A function body that may write rows (or run what does).
WRITES = re.compile(r"\b(?:insert|update|delete|merge|truncate|copy|execute)\b")


def changes_rows(m: Model, trig: Obj) -> bool:
    """Can the trigger change what rows a write leaves? A BEFORE or INSTEAD OF trigger sets the
    row; an AFTER one only through what its function writes (a notify writes nothing)."""
    if getattr(trig.node, "timing", 0) & (TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_INSTEAD):
        return True
    fns = [f for k in trig.depends if (f := m.objects.get(k)) is not None and f.type == "function"]
    return not fns or any(WRITES.search(e.stmt.text.lower()) for f in fns for e in f.events if e.action in (CREATE, REPLACE))


# Statements that need a function only to exist, never run it.
EXISTENCE_ONLY = (ast.CreateTrigStmt, ast.CommentStmt, ast.GrantStmt, ast.CreateFunctionStmt, ast.AlterOwnerStmt)


def outside_transaction(node: Any) -> bool:
    """A statement PostgreSQL refuses inside a transaction block."""
    if isinstance(node, (ast.IndexStmt, ast.DropStmt)):
        return bool(node.concurrent)
    if isinstance(node, ast.ReindexStmt):
        return any(getattr(p, "defname", "") == "concurrently" for p in node.params or ())
    if isinstance(node, ast.VacuumStmt):
        return bool(node.is_vacuumcmd)  # ANALYZE alone may run in one
    return isinstance(node, (ast.CreatedbStmt, ast.DropdbStmt, ast.AlterSystemStmt, ast.CreateTableSpaceStmt, ast.DropTableSpaceStmt))


def adds_enum_label(node: Any) -> bool:
    """ALTER TYPE ... ADD VALUE: the new label cannot be used before the transaction commits."""
    return isinstance(node, ast.AlterEnumStmt) and bool(node.newVal) and not node.oldVal


# Statements that may run code: a trigger fires, a function is called, a DO block runs.
# (A statement that names the function, an index expression or a column default, is a reader.)
RUNS_CODE = DML + (ast.DoStmt, ast.SelectStmt, ast.CallStmt, ast.CreateTableAsStmt, ast.RefreshMatViewStmt)


@dataclass(eq=False, slots=True)
class Item:
    """One statement of the new set: an original statement, possibly with parts removed or folded in."""

    stmt: Statement
    node: Any
    changed: bool = False
    writes: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    # The containers most items never fill start as shared empty tuples (six empty ones for each
    # item were 16 MB of the plan at 50,000 statements); the methods below give an item its own
    # when it needs one.
    folded: list[Statement] | tuple[()] = ()  # statements whose content moved in here
    ahead: set[str] | frozenset[str] = frozenset()  # needs of folded-in content, which may be created later
    barrier: bool = False
    anchor: bool = False  # later statements wait for it; earlier ones need not
    group: str = ""
    notes: list[str] | tuple[()] = ()
    at: int = -1  # the history position it takes, when not its own (a definition moved earlier)
    fold_ahead: dict[int, set[str]] | None = None  # folded statement's seq -> what it needs
    merged: list[Statement] | tuple[()] = ()  # INSERTs whose rows were appended to this one
    ops: list[Op] | tuple[()] = ()  # what was done to a CREATE TABLE, replayed on its text by render
    alone: bool = False  # it cannot run in a transaction block: a file of its own, outside one
    break_after: bool = False  # what follows goes to the next file (a new enum label, used only once committed)
    unit: int = -1  # statements of one unit (a temporary table's) stay in one file
    home: str = ""  # the table it belongs to (its own, its index's, its trigger's): it follows that table

    @property
    def seq(self) -> int:
        return self.at if self.at >= 0 else self.stmt.seq

    def fold_in(self, st: Statement) -> None:
        """`st`'s content moved in here."""
        self.folded = appended(self.folded, st)

    def needs_ahead(self, seq: int, needs: set[str], outside: set[str]) -> None:
        """What the content folded in from statement `seq` needs (which may be made later in the
        history), and what of that this item does not make itself."""
        if isinstance(self.ahead, frozenset):
            self.ahead = set(self.ahead)
        self.ahead |= needs
        if self.fold_ahead is None:
            self.fold_ahead = {}
        self.fold_ahead[seq] = outside

    def add_op(self, op: Op) -> None:
        self.ops = appended(self.ops, op)

    def note(self, text: str) -> None:
        self.notes = appended(self.notes, text)

    def merge(self, st: Statement) -> None:
        """`st`'s rows were appended to this INSERT."""
        self.merged = appended(self.merged, st)


MERGE = "merge"  # a fold of the plan's own: INSERTs written as one


@dataclass
class Fold:
    """One change the plan makes to the history that can be backed off on its own: backing it off
    pins `seqs`, which are then written as in the history, where they stood.

    Attributes:
        id: stable: the finding's id, or the effect and the place of the statement folded.
        effect: what it does (a finding effect, or MERGE).
        seqs: the history statements it removes, edits, moves or merges.
        findings: the accepted findings it carries out.
        into: the statement it folds into (a CREATE TABLE, an INSERT), or -1.
    """

    id: str
    effect: str
    seqs: set[int] = field(default_factory=set)
    findings: list[str] = field(default_factory=list)
    into: int = -1


@dataclass
class Plan:
    """The ordered items, what was left out and why, the folds made, and those that could not be."""

    items: list[Item]
    dropped: dict[int, str]  # seq -> reason the statement was left out
    unfolded: list[str]
    setup: list[Statement] = field(default_factory=list)  # tool-owned migrations kept as they are
    folds: list[Fold] = field(default_factory=list)  # the folds made, in history order of their first statement
    adjust: Adjustments = field(default_factory=lambda: Adjustments())  # what the proof asked for
    concerns: set[str] = field(default_factory=set)  # groups named for the user: a concern accepted (notify), a [groups] file
    too_deep: list[str] = field(default_factory=list)  # file:line of the statements nested too deep to print again: as written
    conditions: dict[int, str] = field(default_factory=dict)  # seq -> what its migration runs under (Migration.condition)


@dataclass(frozen=True)
class Adjustments:
    """What the proof on PostgreSQL asks of the plan, beyond the user's decisions.

    Attributes:
        pinned: statements written as in the history, in its order (the folds backed off).
        breaks: statements after which a new file starts.
        alone: statements that go to a file of their own, outside a transaction.
        setvals: (sequence, SQL) that leave a sequence where the history left it, when statements
            that used it up (rows inserted and removed) were left out.
    """

    pinned: frozenset[int] = frozenset()
    breaks: frozenset[int] = frozenset()
    alone: frozenset[int] = frozenset()
    setvals: frozenset[tuple[str, str]] = frozenset()

    def __or__(self, other: Adjustments) -> Adjustments:
        # A sequence's later value replaces its earlier one.
        return Adjustments(self.pinned | other.pinned, self.breaks | other.breaks, self.alone | other.alone,
                           frozenset((dict(self.setvals) | dict(other.setvals)).items()))

    def __bool__(self) -> bool:
        return bool(self.pinned or self.breaks or self.alone or self.setvals)


def birth_name(o: Obj) -> str:
    return o.former_names[0] if o.former_names else o.name


BOOKKEEPING_ACTIONS = frozenset({"comment", "grant", "revoke", ALTER})  # every bookkeeping event has one (others too)


def bookkeeping_event(o: Obj, e: Event) -> bool:
    """A table's own note that a child changed ("column x added"), or that a comment or grant was set
    on it: the child's, comment's or grant's own event tells the story."""
    if e.action in ("comment", "grant", "revoke") and o.type not in ("comment", "grant"):
        return True
    return o.type == "table" and e.action == ALTER and e.child in ("column", "constraint")


def language(node: Any) -> str:
    for opt in getattr(node, "options", None) or ():
        if getattr(opt, "defname", "") == "language":
            return str(getattr(opt.arg, "sval", "")).lower()
    return ""
