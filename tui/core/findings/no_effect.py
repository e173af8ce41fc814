"""no_effect: statements that change nothing in the database."""

from __future__ import annotations

from tui.core.findings import Finding, make_finding
from tui.core.findings.common import version_of
from tui.core.model import Model
from tui.core.sources import SourceSet


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """A statement that leaves the schema and data as they were: a DO block that only raises
    notices, CREATE ... IF NOT EXISTS of something already there, DROP ... IF EXISTS of
    something already gone, a SELECT without side effects, transaction control.

    Accept: it is left out. Keep: it is written where it stood.
    """
    out: list[Finding] = []
    for st, reason in model.no_effect:
        if st.migration < 0 or reason.startswith("sets the search path"):
            continue
        version = version_of(model, sources, st.migration)
        action = f"Leave out {st.text.split(None, 1)[0].upper() if st.text else 'the statement'} at {st.file}:{st.line}: {reason}."
        out.append(make_finding("no_effect", "migration", version, action, [st]))
    return out
