"""spread: one concern (such as notify triggers) added piece by piece over several files."""

from __future__ import annotations

from tui.core.findings.finding import TOGETHER, Finding, make_finding
from tui.core.formats.base import SourceSet
from tui.core.model import Model, Obj

# Calls that name what a trigger function is for; a concern is the set of its triggers.
_CONCERNS = {"pg_notify": "notify", "notify": "notify"}
_MAX_RELATED = 24


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """Triggers and their functions that serve one concern (such as LISTEN/NOTIFY, told by
    the trigger function's calls) but were added over several migrations.

    Accept: they are written together in one file of the consolidated set, after the tables.
    Keep: each stays in the group its object would otherwise fall in.
    """
    groups: dict[str, dict[str, Obj]] = {}  # by key: a concern of thousands would compare each to all
    for trig in model.live("trigger"):
        fn = model.objects.get(next(iter(trig.depends), ""))
        if fn is None:
            continue
        calls = set(fn.attrs.get("calls", []))
        concern = next((c for call, c in _CONCERNS.items() if call in calls), None)
        if concern is None:
            continue
        members = groups.setdefault(concern, {})
        for o in (trig, fn):
            members.setdefault(o.key, o)
    out: list[Finding] = []
    for concern, by_key in sorted(groups.items()):
        members = list(by_key.values())
        triggers = [m for m in members if m.type == "trigger"]
        files = {e.stmt.file for m in members for e in m.events if e.stmt.migration >= 0}
        if len(triggers) < 2 or len(files) < 2:
            continue
        label = f"{concern} triggers"
        members.sort(key=lambda x: (x.born, x.key))
        for i, m in enumerate(members):
            evs = [e.stmt for e in m.events if e.stmt.migration >= 0]
            if not evs:
                continue
            action = f"Write {m.type} {m.name} with the other {label} in one file ({len(files)} files today)."
            # The members nearest in the history; a concern of hundreds would otherwise relate n x n.
            near = members[max(0, i - _MAX_RELATED // 2) : i + _MAX_RELATED // 2 + 1]
            out.append(make_finding("spread", m.type, m.name, action, evs, [(x.type, x.name) for x in near], effect=TOGETHER,
                                    group=label.replace(" ", "_")))
    return out
