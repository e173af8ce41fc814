"""no_effect: statements that change nothing in the database."""

from __future__ import annotations

from tui.core.findings.common import version_of
from tui.core.findings.finding import NO_STATEMENT, Finding, make_finding
from tui.core.formats.base import SourceSet
from tui.core.model import NOOP, Event, Model
from tui.core.parse import Statement


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """A statement that leaves the schema and data as they were: a DO block that only raises
    notices, CREATE ... IF NOT EXISTS of something already there, DROP ... IF EXISTS of
    something already gone, a SELECT without side effects, transaction control.

    Accept: it is left out. Keep: it is written where it stood.
    """
    reasons: dict[int, tuple[Statement, list[str]]] = {}
    for st, reason, reported in model.no_effect:
        top = st.parent or st
        if top.migration < 0 or not reported:
            continue
        reasons.setdefault(top.seq, (top, []))[1].append(reason)
    out: list[Finding] = []
    for seq, (st, why) in sorted(reasons.items()):
        if any(e.action not in (NOOP,) for e in _events(model, seq)):
            continue  # part of the statement has an effect: it is no candidate
        version = version_of(model, sources, st.migration)
        verb = st.text.split(None, 1)[0].upper() if st.text else "the statement"
        action = f"Leave out {verb} at {st.file}:{st.line}: {'; '.join(dict.fromkeys(why))}."
        out.append(make_finding("no_effect", "migration", version, action, [st], effect=NO_STATEMENT))
    return out


def _events(model: Model, seq: int) -> list[Event]:
    return [e for o in dict.fromkeys(model.touched.get(seq, ())) for e in o.events if (e.stmt.parent or e.stmt).seq == seq]
