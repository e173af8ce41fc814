"""altered_later: objects changed after their creation (types, defaults, labels, renames)."""

from __future__ import annotations

from tui.core.findings.common import current_life
from tui.core.findings.finding import INTO_CREATE, LAST_DEFINITION, Finding, make_finding
from tui.core.formats.base import SourceSet
from tui.core.model import ALTER, CREATE, RENAME, Model


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """An object that later statements alter: a column's type, default or nullability, an
    enum's new labels, a comment rewritten, a sequence's options, a table or column renamed.

    Accept: the object is written once in its final form (final type, default, labels, name).
    Keep: the original CREATE and each ALTER stay, in their order.
    """
    out: list[Finding] = []
    for o in model.objects.values():
        if not o.exists or o.type in ("data", "grant") or len(o.events) < 2:
            continue
        life = current_life(o)
        if not life or life[0].stmt.migration < 0:
            continue
        changes = [e for e in life[1:] if e.action in (ALTER, RENAME) and e.stmt.migration >= 0
                   and not (o.type == "table" and e.child)]
        if not changes:
            continue
        first = life[0]
        if first.action not in (CREATE, "add") and o.type != "comment":
            continue
        what = ", ".join(dict.fromkeys(e.detail for e in changes if e.detail))[:160]
        action = f"Write {o.type} {o.name} once in its final form ({what})."
        out.append(make_finding("altered_later", o.type, o.name, action, [first.stmt] + [e.stmt for e in changes],
                                # A comment's final text is its last definition; anything else folds into its CREATE.
                                effect=LAST_DEFINITION if o.type == "comment" else INTO_CREATE))
    return out
