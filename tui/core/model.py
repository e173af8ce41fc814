"""The schema model that replay builds: every object, its final state and its timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from tui.core.parse import Statement

# Actions recorded on a timeline.
CREATE = "create"
REPLACE = "replace"
ALTER = "alter"
ADD = "add"  # a column or constraint added to an existing table
DROP = "drop"
RENAME = "rename"
COMMENT = "comment"
GRANT = "grant"
REVOKE = "revoke"
OWNER = "owner"
INSERT = "insert"
UPDATE = "update"
DELETE = "delete"
TRUNCATE = "truncate"
NOOP = "noop"
OPAQUE = "opaque"  # touched by a statement the model cannot follow
SETVAL = "setval"  # a sequence's current value set (shown, not folded)


@dataclass(eq=False, slots=True)
class Event:
    """One statement's effect on one object.

    Attributes:
        action: one of the actions above.
        detail: for a person (the timeline); code reads the typed fields.
        by: on a DROP, the name of the object whose drop took this one along (empty when dropped itself).
        child: on a table's ALTER, the kind of child the note is about (`column`, `constraint`,
            `trigger`, `policy`): the child's own event tells the story.
        part: the piece of the statement's tree that made the object (a column definition, an
            inline or table constraint): what the plan cuts out when this event is dead, with its
            `shadows`, which PostgreSQL ignored only because of it.
        name: the object's name when the statement ran; on a RENAME, `new_name` is the one it took.
    """

    stmt: Statement
    action: str
    detail: str = ""
    by: str = ""
    child: str = ""
    part: Any = None
    shadows: tuple[Any, ...] = ()  # parts PostgreSQL ignored because of this one (a UNIQUE on the primary key)
    name: str = ""
    new_name: str = ""


@dataclass(eq=False, slots=True)
class Obj:
    """A schema object, with its timeline across all its lives (created, dropped, created again).

    The state most code reads is typed: what it depends on, the statement's tree that defines it,
    a constraint's kind, a table's rows (on its `data` object). `attrs` holds the rest of the
    kind-specific final state (a column's type and default, an enum's labels, a function's body).
    """

    type: str
    name: str
    schema: str = "public"
    parent: str = ""  # key of the owning table, for columns, constraints, indexes, triggers, policies
    events: list[Event] = field(default_factory=list)
    exists: bool = True
    lives: int = 0
    born: int = 0  # seq of the statement that first created it: the history's order
    # Most objects are never renamed and most hold no rows: those two start as one shared empty
    # tuple (two empty lists for each of the million objects of a 500,000-statement history are
    # about 140 MB), a list once they get an entry.
    former_names: list[str] | tuple[()] = ()
    attrs: dict[str, Any] = field(default_factory=dict)
    depends: list[str] | tuple[()] = ()  # keys of what it needs (set by link, followed by renames; most columns need none)
    node: Any = None  # the pglast tree of the statement that last defined it
    contype: str = ""  # a constraint's kind: p, u, c, f or x
    rows: list[Row] | tuple[()] = ()  # a `data` object's rows, alive and removed
    uncertain: str = ""  # a `data` object: why the model no longer knows every row (empty: it does)

    key: str = ""  # `type:name`, kept in step with `name` by Replayer.rekey

    def __post_init__(self) -> None:
        if not self.key:  # (replay, which makes them by the hundred thousand, has it already)
            self.key = key_of(self.type, self.name)

    def reset(self) -> None:
        """Forget the state of an earlier life (a table or column created again)."""
        self.attrs.clear()
        self.depends, self.node, self.contype, self.rows, self.uncertain = (), None, "", (), ""

    # (Loops, not next() over a generator: asked of hundreds of thousands of objects.)
    def first(self, *actions: str) -> Event | None:
        for e in self.events:
            if e.action in actions:
                return e
        return None

    def last(self, *actions: str) -> Event | None:
        for e in reversed(self.events):
            if e.action in actions:
                return e
        return None

    def count(self, *actions: str) -> int:
        return sum(1 for e in self.events if e.action in actions)

    def local_names(self) -> set[str]:
        """Every name it has had, without what qualifies it (`c` of column `t.c`)."""
        return {n.rsplit(".", 1)[-1] for n in (self.name, *self.former_names)}

    def referenced(self) -> str:
        """A foreign key's referenced table, by its key now (`ref_table` keeps the name written)."""
        for d in self.depends:
            if d.startswith("table:"):
                return d
        return ""

    def files(self) -> list[str]:
        seen: list[str] = []
        for e in self.events:
            if e.stmt.file not in seen:
                seen.append(e.stmt.file)
        return seen


def key_of(type_: str, name: str) -> str:
    return f"{type_}:{name}"


T = TypeVar("T")


def appended(items: list[T] | tuple[()], item: T) -> list[T]:
    """`items` with `item` added: the list itself, or a new one where `items` is still the shared
    empty tuple a container nobody filled starts as."""
    if isinstance(items, tuple):
        return [item]
    items.append(item)
    return items


@dataclass(slots=True)
class Row:
    """A row a migration left in a table: column -> SQL text of its value."""

    values: dict[str, str]
    event: Event
    alive: bool = True
    removed_by: Event | None = None


class NoEffect(NamedTuple):
    """A statement (or part of one) that changes nothing. `reported`: worth a finding; a SET of the
    search path changes nothing in the database, but later statements are read under it."""

    stmt: Statement
    reason: str
    reported: bool = True


@dataclass
class Unfollowable:
    """A statement the model cannot follow; it is kept verbatim where it stood."""

    stmt: Statement
    reason: str
    objects: list[str] = field(default_factory=list)
    contained: bool = False  # it can write nothing but `objects` (CREATE TABLE AS, INSERT ... SELECT): what else it names, it only reads
    replayed: bool = False  # PostgreSQL saw all it did and the model replays it (objects made by dynamic SQL): it wrote no row


@dataclass
class Model:
    """The replayed schema: objects by key, in creation order, plus what could not be followed."""

    objects: dict[str, Obj] = field(default_factory=dict)
    unfollowable: list[Unfollowable] = field(default_factory=list)
    no_effect: list[NoEffect] = field(default_factory=list)
    roles_used: set[str] = field(default_factory=set)
    roles_created: set[str] = field(default_factory=set)
    # What a role needs on a throwaway server for the history to run there: the attributes its
    # CREATE ROLE gave it (left out of the builds, which find the role made), SUPERUSER for one
    # a migration switches to (SET ROLE) but never creates.
    role_powers: dict[str, set[str]] = field(default_factory=dict)
    roles_switched_to: set[str] = field(default_factory=set)
    extensions: list[str] = field(default_factory=list)
    # Seq of a statement with a no-effect note (a DO block's inner ones count for it) -> what it touched.
    touched: dict[int, list[Obj]] = field(default_factory=dict)
    reads: dict[int, tuple[Obj, ...]] = field(default_factory=dict)  # statement seq -> objects it needs (when tracked)
    quiet: set[int] = field(default_factory=set)  # seqs of table changes made while the table surely held no row
    # (schema, name, seq): a name PostgreSQL stepped over when it chose one (`jobs_id_seq1`), as
    # another object held it then: leaving that object out would change the name chosen.
    avoided: list[tuple[str, str, int]] = field(default_factory=list)
    # (schema, name, seq): a name PostgreSQL chose where one was taken before (dropped or renamed
    # away since): the statement that chose it stays after what freed it.
    freed: list[tuple[str, str, int]] = field(default_factory=list)
    # (schema, name, seq): a relation's name written again where one was taken before (a key made
    # with the name of one dropped with its table): that statement too stays after what freed it.
    reused: list[tuple[str, str, int]] = field(default_factory=list)
    # (foreign key, the table it referenced then): a key whose action reached rows. That life of
    # the key stays, and so must the table it referenced then (its last life may reference another).
    acted_on: list[tuple[Obj, Obj]] = field(default_factory=list)
    # Seq of a column type change -> the types the column left there (a DROP of one stays after it).
    left_types: dict[int, list[Obj]] = field(default_factory=dict)
    # seq of a CREATE TABLE (LIKE t ...) -> the tables it copied (an index made on them later stays after it)
    liked_at: dict[int, list[Obj]] = field(default_factory=dict)
    # Statement seq -> each foreign key it makes, with the columns and key it references then (a
    # key's `depends` are its last life's; plan/key_needs).
    referenced: dict[int, list[tuple[Obj, list[Obj]]]] = field(default_factory=dict)
    # seq of a statement that checks the rows a table holds then (a unique index, a key or check
    # validated, SET NOT NULL, a type change) -> (table, True for a foreign key): it stays after the
    # UPDATEs and DELETEs that made those rows pass (a foreign key: after every write of either table;
    # a materialized view made or refreshed, which copies the rows: after every write of each).
    checks: dict[int, list[tuple[Obj, bool]]] = field(default_factory=dict)
    # Seqs of statements PostgreSQL saw make changes the model could not replay (replay/observed):
    # they are written as they are, with all they made.
    partly_seen: set[int] = field(default_factory=set)
    _read_at: dict[int, list[int]] | None = field(default=None, repr=False, compare=False)

    def read_at(self) -> dict[int, list[int]]:
        """id(object) -> seqs of the statements that need it, in history order (made once, after replay)."""
        if self._read_at is None:
            self._read_at = {}
            for seq, objs in self.reads.items():
                for ob in objs:
                    self._read_at.setdefault(id(ob), []).append(seq)
        return self._read_at

    def reads_of(self, seq: int) -> set[str]:
        """Current keys of what a statement needs."""
        return {o.key for o in self.reads.get(seq, ())}

    def get(self, type_: str, name: str) -> Obj | None:
        return self.objects.get(key_of(type_, name))

    def live(self, type_: str | None = None) -> list[Obj]:
        return [o for o in self.objects.values() if o.exists and (type_ is None or o.type == type_)]
