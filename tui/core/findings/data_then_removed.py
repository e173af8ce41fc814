"""data_then_removed: rows a migration inserts and a later one deletes."""

from __future__ import annotations

from tui.core.findings.finding import SURVIVING_ROWS, Finding, make_finding
from tui.core.formats.base import SourceSet
from tui.core.model import Model


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """Rows inserted by one migration and removed by a later DELETE or TRUNCATE.

    Accept: the consolidated set inserts only the rows that survive (none, if all were removed).
    Keep: the INSERT and the DELETE or TRUNCATE stay as written.
    """
    out: list[Finding] = []
    for o in model.objects.values():
        if o.type != "data":
            continue
        removed = [r for r in o.rows if not r.alive and r.removed_by is not None]
        if not removed:
            continue
        inserts = list(dict.fromkeys(r.event.stmt for r in removed))
        removals = list(dict.fromkeys(r.removed_by.stmt for r in removed if r.removed_by is not None))
        if all(st.migration < 0 for st in inserts):
            continue
        left = sum(1 for r in o.rows if r.alive)
        action = f"Leave out the {len(removed)} row(s) of {o.name} that are removed later; {left} row(s) survive and are inserted."
        out.append(make_finding("data_then_removed", "data", o.name, action, inserts + removals, [("table", o.name)],
                                effect=SURVIVING_ROWS))
    return out
