"""A finding: one object's story that consolidation changes, with its sources, a stable id and
its effect (what accepting it does to the new set)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from tui.core.formats.base import SourceSet
from tui.core.formats.flyway_placeholders import unmark
from tui.core.model import Event, Model
from tui.core.parse import Statement

# What accepting a finding does to the new set.
LEAVE_OUT = "leave_out"  # the object, and what died with it, is never created
LAST_DEFINITION = "last_definition"  # only its last definition is written
SURVIVING_ROWS = "surviving_rows"  # only the rows that survive are inserted
NO_STATEMENT = "no_statement"  # its statements are left out
INTO_CREATE = "into_create"  # written inside its CREATE TABLE, in its final form
TOGETHER = "together"  # written with the rest of its concern, in one file (`Finding.group`)
AS_WRITTEN = "as_written"  # nothing to fold: the statements stay as they are
EFFECTS = (LEAVE_OUT, LAST_DEFINITION, SURVIVING_ROWS, NO_STATEMENT, INTO_CREATE, TOGETHER, AS_WRITTEN)


class Source(NamedTuple):
    """A statement's place: a tuple, cheap to make by the ten thousand."""

    file: str
    line: int

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line}


@dataclass(frozen=True)
class Finding:
    """One object's story that consolidation changes.

    Attributes:
        id: stable, derived from kind, object and sources.
        kind: one of KINDS.
        object_type, object_name: the object whose story it is.
        action: one sentence: what consolidation does with it.
        sources: the statements themselves (file, line).
        related: other objects that go with it.
        seqs: positions of the statements in the history (for the generator).
        effect: what accepting it does to the new set (one of EFFECTS).
        group: for TOGETHER, the name of the file its concern is written to.
    """

    id: str
    kind: str
    object_type: str
    object_name: str
    action: str
    sources: tuple[Source, ...]
    related: tuple[tuple[str, str], ...] = ()
    seqs: tuple[int, ...] = field(default=(), compare=False)
    effect: str = field(default=AS_WRITTEN, compare=False)
    group: str = field(default="", compare=False)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "object": {"type": self.object_type, "name": self.object_name},
            "action": self.action,
            "sources": [s.to_json() for s in self.sources],
            "related": [{"type": t, "name": n} for t, n in self.related],
        }


def make_finding(kind: str, type_: str, name: str, action: str, stmts: Iterable[Statement],
                 related: Iterable[tuple[str, str]] = (), files: Iterable[Source] = (), *, effect: str,
                 group: str = "") -> Finding:
    """Build a finding with sorted, de-duplicated sources and an id that survives re-runs.

    `files` adds sources that are whole files rather than statements (a duplicate version).
    `effect` says what accepting it does (one of EFFECTS): every detector must choose.
    """
    if effect not in EFFECTS:
        raise ValueError(f"unknown effect {effect!r}")
    seen: dict[tuple[str, int], int] = {}
    for st in stmts:
        seen.setdefault((st.file, st.line), (st.parent or st).seq)
    ordered = sorted(seen, key=lambda k: (seen[k], k[1]))
    sources = tuple(Source(f, ln) for f, ln in ordered) + tuple(files)
    rel = tuple(dict.fromkeys((t, n) for t, n in related if (t, n) != (type_, name)))
    digest = hashlib.sha256("|".join([kind, type_, name] + [f"{f}:{ln}" for f, ln in sources]).encode()).hexdigest()[:12]
    return Finding(f"{kind}-{digest}", kind, type_, name, unmark(action), sources, rel, tuple(sorted(set(seen.values()))), effect, group)


def stmts(events: Iterable[Event]) -> list[Statement]:
    return [e.stmt for e in events]


Detector = Callable[[Model, SourceSet], list[Finding]]
