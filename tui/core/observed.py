"""What PostgreSQL saw a statement do, for the statements the model cannot follow (DO blocks with
logic, dynamic SQL, functions that run DDL or DML): the objects it created, dropped or altered,
and the rows it wrote per table. The proof's first build of the history records them; the
analysis is then replayed with them, so such a statement is followed like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.core.model import Model

# Changes no event trigger and no table statistic sees: roles, databases and tablespaces are
# cluster-wide, event triggers do not fire for their own commands, TRUNCATE counts no row, large
# objects and files live outside the tables, a sequence's value is no catalog row (rows inserted
# later draw from it), CLUSTER marks its index clustered without an event. A statement (or a
# function it names) that could make one is never taken as changing nothing.
UNSEEN = re.compile(r"\b((create|alter|drop)\s+(role|user|group|database|tablespace|event\s+trigger)|grant|revoke|truncate|copy|"
                    r"lo_\w+|dblink\w*|pg_file_write|pg_catalog\s*\.\s*set_config|set_config|alter\s+system|"
                    r"setval|nextval)\b|(?:^|[;'(])\s*cluster\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Ddl:
    """One object a statement created, altered or dropped, as PostgreSQL's event triggers name it.

    `definition` is the object's definition read from the catalog right after the command
    (pg_get_triggerdef and its kin), where PostgreSQL can write one; for a drop, `original` is
    False when the object went along with another.
    """

    tag: str
    object_type: str
    identity: str
    dropped: bool = False
    original: bool = True
    definition: str = ""


@dataclass
class Observed:
    """The effects of one statement when the history ran.

    rows: per table (`schema.table`), the rows inserted, updated and deleted; None when they
        could not be counted (the statement ran outside a transaction).
    changed_state: roles or session settings changed.
    """

    seq: int
    ddl: list[Ddl] = field(default_factory=list)
    rows: dict[str, tuple[int, int, int]] | None = None
    changed_state: bool = False

    @property
    def written(self) -> list[str]:
        """The tables it wrote rows of."""
        return sorted(t for t, counts in (self.rows or {}).items() if any(counts))

    @property
    def quiet(self) -> bool:
        """Nothing at all changed (as far as PostgreSQL tells)."""
        return not self.ddl and self.rows is not None and not self.written and not self.changed_state


Observations = dict[int, Observed]


def to_observe(model: Model) -> set[int]:
    """The statements worth watching: those the model could not follow, by their top statement."""
    return {(u.stmt.parent or u.stmt).seq for u in model.unfollowable}


def unseen_effects(text: str, model: Model) -> bool:
    """Whether the statement, or a function of the history it calls (and those they call), may do
    what no event trigger or row count shows."""
    if UNSEEN.search(text):
        return True
    bodies: dict[str, list[dict[str, object]]] = {}
    for o in model.objects.values():
        if o.type == "function":
            bodies.setdefault(o.name.split("(", 1)[0].rsplit(".", 1)[-1].lower(), []).append(o.attrs)
    todo = [w for w in set(re.findall(r"[a-z_][a-z0-9_$]*", text.lower())) if w in bodies]
    seen = set(todo)
    while todo:
        for attrs in bodies[todo.pop()]:
            body = str(attrs.get("body", ""))
            if not body or UNSEEN.search(body):
                return True
            for call in attrs.get("calls", ()):  # type: ignore[attr-defined]
                name = str(call).rsplit(".", 1)[-1]
                if name in bodies and name not in seen:
                    seen.add(name)
                    todo.append(name)
    return False
