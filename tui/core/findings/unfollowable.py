"""unfollowable: statements the model cannot follow, kept verbatim."""

from __future__ import annotations

from tui.core.findings.common import version_of
from tui.core.findings.finding import AS_WRITTEN, Finding, make_finding
from tui.core.formats.base import SourceSet
from tui.core.model import Model


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """A statement whose effect the model cannot know from the SQL alone: dynamic EXECUTE,
    COPY, a DO block with logic, an INSERT from a query, a statement kind it does not model.

    Accept and keep do the same: it is written verbatim where it stood, after the objects it
    names, with a comment saying why. It is never dropped.
    """
    out: list[Finding] = []
    for u in model.unfollowable:
        if u.stmt.migration < 0:
            continue
        obj = model.objects.get(u.objects[0]) if u.objects else None
        type_, name = (obj.type, obj.name) if obj else ("migration", version_of(model, sources, u.stmt.migration))
        action = f"Keep {u.stmt.file}:{u.stmt.line} verbatim: {u.reason}."
        related = [(model.objects[k].type, model.objects[k].name) for k in u.objects[1:] if k in model.objects]
        out.append(make_finding("unfollowable", type_, name, action, [u.stmt], related, effect=AS_WRITTEN))
    return out
