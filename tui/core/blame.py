"""From what PostgreSQL said about a candidate set to what to change: the folds involved (backed
off by pinning their statements), a file to split, a statement to isolate.

Pure: the failure arrives as plain data (an error with the candidate's file and line, or the
differences of the catalogs), so every rule here is testable without a server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.core.analysis import Analysis
from tui.core.model import Obj
from tui.core.plan import Adjustments, Fold, Item
from tui.core.proof import BackedOff, Candidate

_QUOTED = re.compile(r'"([^"]+)"')
_COLUMN_OF = re.compile(r'column "([^"]+)" of relation "([^"]+)"')
_NOT_IN_TRANSACTION = ("cannot run inside a transaction block", "cannot be executed within a pipeline",
                       "cannot be executed from a function")
_NEW_LABEL = re.compile(r'unsafe use of new value "([^"]*)" of enum type (\S+)')
_PENDING = "because it has pending trigger events"


@dataclass(frozen=True)
class Failure:
    """What went wrong with a candidate: an error while applying it (its file, relative to the
    candidate's folder, the line and the message), or the differences with the history's
    database as (type, name, what differs)."""

    file: str = ""
    line: int = 0
    message: str = ""
    differences: tuple[tuple[str, str, str], ...] = ()

    def signature(self) -> str:
        """The same failure in another candidate (lines move; what failed does not)."""
        if self.message:
            return "error: " + self.message
        return "differences: " + "; ".join(f"{t} {n}: {d}" for t, n, d in sorted(self.differences))

    def describe(self) -> str:
        """One line for a person."""
        if self.message:
            return f"the new set failed at {self.file}:{self.line}: {self.message}"
        shown = "; ".join(f"{t} {n}: {d}" for t, n, d in self.differences[:3])
        more = f" (and {len(self.differences) - 3} more)" if len(self.differences) > 3 else ""
        return f"the new set builds another database: {shown}{more}"


@dataclass
class Remedy:
    """What to change, and what to tell the user about it."""

    adjust: Adjustments
    backed_off: list[BackedOff] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


def blame(analysis: Analysis, cand: Candidate, failure: Failure, adjust: Adjustments) -> Remedy | None:
    """What to change so the failure goes; None when nothing can be named (bisect then)."""
    item = _item_at(cand, failure.file, failure.line) if failure.message else None
    remedy = _transaction_remedy(cand, failure, item, adjust)
    if remedy is not None:
        return remedy
    touched = _statements_named(analysis, failure)
    if item is not None:
        touched |= _seqs_of(item)
    # The folds of the statements named first; only when none, every fold into their statements
    # (a column renamed in a CREATE others also folded into: the rename alone is backed off).
    open_folds = [f for f in cand.plan.folds if not f.seqs <= adjust.pinned]
    folds = [f for f in open_folds if f.seqs & touched] or [f for f in open_folds if f.into in touched]
    if folds:
        return back_off(analysis, folds, failure.describe())
    # No fold touches it: the model ordered or grouped it wrongly. Keep those statements in the
    # history's order, among the others the proof pinned.
    order = touched - adjust.pinned
    if order:
        where = ", ".join(_where(analysis, s) for s in sorted(order)[:3])
        return Remedy(Adjustments(pinned=frozenset(order)), changes=[f"kept in the history's order: {where} ({failure.describe()})"])
    return None


def moved_statements(cand: Candidate) -> list[int]:
    """The statements the candidate writes in another order than the history (each one written
    ahead of a statement the history ran before it, and each such statement), in the history's
    order: where the model ordered wrongly without any fold to blame, the proof keeps some of
    them in the history's order."""
    seqs = [it.stmt.seq for it in cand.plan.items]
    moved: set[int] = set()
    highest = -1
    for s in seqs:
        if s < highest:
            moved.add(s)  # written after a statement the history ran later
        highest = max(highest, s)
    lowest = len(seqs) and max(seqs) + 1
    for s in reversed(seqs):
        if s > lowest:
            moved.add(s)  # written before a statement the history ran earlier
        lowest = min(lowest, s)
    return sorted(moved)


def keep_order(analysis: Analysis, seqs: list[int], reason: str) -> Remedy:
    where = ", ".join(_where(analysis, s) for s in seqs[:3]) + (f" and {len(seqs) - 3} more" if len(seqs) > 3 else "")
    return Remedy(Adjustments(pinned=frozenset(seqs)), changes=[f"kept in the history's order: {where} ({reason})"])


def back_off(analysis: Analysis, folds: list[Fold], reason: str) -> Remedy:
    """Pin every statement of these folds: they are written as in the history, where they stood."""
    seqs: set[int] = set()
    backed = []
    for f in folds:
        seqs |= f.seqs
        backed.append(BackedOff(f.id, f.effect, tuple(f.findings), _where(analysis, min(f.seqs)), reason))
    return Remedy(Adjustments(pinned=frozenset(seqs)), backed)


def _transaction_remedy(cand: Candidate, failure: Failure, item: Item | None, adjust: Adjustments) -> Remedy | None:
    message = failure.message
    if item is not None and any(m in message for m in _NOT_IN_TRANSACTION) and item.stmt.seq not in adjust.alone:
        return Remedy(Adjustments(alone=frozenset({item.stmt.seq})),
                      changes=[f"{item.stmt.where()} runs outside a transaction, in a file of its own ({message})"])
    if item is not None and _PENDING in message:
        # Rows written earlier in the file's transaction left deferred constraint checks to run at
        # COMMIT, and PostgreSQL will not alter the table under them: the file ends before it.
        before = _previous(cand, item)
        if before is not None and before.stmt.seq not in adjust.breaks:
            return Remedy(Adjustments(breaks=frozenset({before.stmt.seq})),
                          changes=[f"a new file starts before {item.stmt.where()}: rows written before it in one transaction "
                                   f"leave deferred checks pending ({message})"])
    label = _NEW_LABEL.search(message)
    if label is not None:
        value, type_name = label.group(1), label.group(2).split(".")[-1]
        adders = [it for f in cand.files for _, _, it in f.spans
                  if getattr(it.node, "newVal", None) == value and _type_local(it) == type_name and not it.break_after]
        if adders:
            return Remedy(Adjustments(breaks=frozenset(it.stmt.seq for it in adders)),
                          changes=[f"a new file starts after {it.stmt.where()}: label {value!r} is used before it commits" for it in adders])
    return None


def _previous(cand: Candidate, item: Item) -> Item | None:
    """The statement before `item` in its file."""
    for f in cand.files:
        spans = [it for _, _, it in f.spans]
        if item in spans:
            at = spans.index(item)
            return spans[at - 1] if at else None
    return None


def _type_local(it: Item) -> str:
    names = [getattr(n, "sval", "") for n in getattr(it.node, "typeName", None) or ()]
    return names[-1] if names else ""


def _item_at(cand: Candidate, file: str, line: int) -> Item | None:
    """The statement of the candidate at `file:line` (the file as the runner named it)."""
    for f in cand.files:
        if file == f.path or file.endswith("/" + f.path):
            for first, last, it in f.spans:
                if first <= line <= last:
                    return it
    return None


def _seqs_of(it: Item) -> set[int]:
    return {it.stmt.seq} | {s.seq for s in it.folded} | {s.seq for s in it.merged}


def _statements_named(analysis: Analysis, failure: Failure) -> set[int]:
    """The statements of the history that touched the objects the failure names; for a name the
    model does not know (made by dynamic SQL, say), the statements whose text names it."""
    model = analysis.model
    objects: list[Obj] = []
    words: set[str] = set()
    if failure.message:
        for column, table in _COLUMN_OF.findall(failure.message):
            objects += [o for o in model.objects.values() if o.type == "column" and _local(o.name) == column
                        and _local(o.parent.split(":", 1)[-1]) == table]
        names = set(_QUOTED.findall(failure.message)) - {c for c, _ in _COLUMN_OF.findall(failure.message)}
        for name in names:
            found = [o for o in model.objects.values() if o.type not in ("column", "data", "comment", "grant") and _local(o.name) == name]
            objects += found
            if not found:
                words.add(name.lower())
    for type_, name, _ in failure.differences:
        key = f"{type_}:{name}"
        if key in model.objects:
            objects.append(model.objects[key])
            continue
        local = _local(name)
        found = [o for o in model.objects.values() if o.type == type_ and _local(o.name) == local]
        objects += found
        if not found:
            words.add(local.lower())
    seqs = {(e.stmt.parent or e.stmt).seq for o in objects for e in o.events if e.stmt.seq >= 0}
    if words:
        for st in analysis.parsed.statements:
            text = st.text.lower()
            if any(re.search(rf"(?<![\w$]){re.escape(w)}(?![\w$])", text) for w in words if w in text):
                seqs.add(st.seq)
    return seqs


def touched_by(analysis: Analysis, type_: str, name: str, last: int = 3) -> list[str]:
    """`file:line` of the last statements that touched an object named as the catalog names it
    (a difference's type and name): where a person looks to see why it differs."""
    model = analysis.model
    found = [model.objects[k] for k in (f"{type_}:{name}", f"table:{name}" if type_ == "data" else "") if k in model.objects]
    if not found:
        local = _local(name)
        found = [o for o in model.objects.values() if o.type == type_ and _local(o.name) == local]
    stmts = sorted({(e.stmt.parent or e.stmt) for o in found for e in o.events if e.stmt.seq >= 0}, key=lambda st: st.seq)
    return [st.where() for st in stmts[-last:]]


def _local(name: str) -> str:
    """`schema.table.column` -> `column`; `f(integer)` -> `f`."""
    return name.split("(", 1)[0].rsplit(".", 1)[-1]


def _where(analysis: Analysis, seq: int) -> str:
    stmts = analysis.parsed.statements
    return stmts[seq].where() if 0 <= seq < len(stmts) else f"statement {seq}"
