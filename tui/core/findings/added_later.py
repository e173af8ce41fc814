"""added_later: columns and constraints added to a table after its CREATE TABLE."""

from __future__ import annotations

from tui.core.findings.common import current_life
from tui.core.findings.finding import INTO_CREATE, Finding, make_finding
from tui.core.formats.base import SourceSet
from tui.core.model import ADD, CREATE, Event, Model


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """A column or constraint that a later ALTER TABLE adds to a table the history created.

    Accept: it is written inside the table's CREATE TABLE, in its final form. Keep: the
    ALTER TABLE ... ADD stays as a statement of its own after the CREATE TABLE.
    """
    out: list[Finding] = []
    made: dict[str, Event | None] = {}  # a table's CREATE, found once (its events grow with each column added)
    for o in model.objects.values():
        if not o.exists or o.type not in ("column", "constraint"):
            continue
        life = current_life(o)
        added = next((e for e in life if e.action == ADD), None)
        table = model.objects.get(o.parent)
        if added is None or added.stmt.migration < 0 or table is None or not table.exists:
            continue
        if o.parent not in made:
            made[o.parent] = table.last(CREATE)
        created = made[o.parent]
        if created is None or created.stmt.migration < 0:
            continue
        what = "column" if o.type == "column" else "constraint"
        action = f"Write {what} {o.name.rsplit('.', 1)[-1]} inside CREATE TABLE {table.name} instead of adding it in {added.stmt.file}."
        out.append(make_finding("added_later", o.type, o.name, action, [created.stmt, added.stmt], [("table", table.name)],
                                effect=INTO_CREATE))
    return out
