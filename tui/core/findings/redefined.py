"""redefined: functions, views, triggers and tables defined more than once."""

from __future__ import annotations

from tui.core.findings.finding import LAST_DEFINITION, Finding, make_finding
from tui.core.formats.base import SourceSet
from tui.core.model import CREATE, DROP, REPLACE, Model

_KINDS = ("function", "view", "trigger", "type", "domain", "policy", "index", "table", "column", "constraint", "sequence")


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """An object that is replaced (CREATE OR REPLACE) or dropped and created again, and
    exists at the end: a function rewritten in several files, an overload dropped and restored.

    Accept: only its last definition is written. Keep: every definition stays, in order.
    """
    families: dict[str, list[tuple[str, str]]] = {}
    for x in model.objects.values():
        if x.type == "function":
            families.setdefault(x.name.split("(", 1)[0], []).append((x.type, x.name))
    out: list[Finding] = []
    for o in model.objects.values():
        if not o.exists or o.type not in _KINDS:
            continue
        events = [e for e in o.events if e.stmt.migration >= 0 and e.action in (CREATE, REPLACE, DROP, "add")]
        defs = [e for e in events if e.action in (CREATE, REPLACE, "add")]
        if len(defs) < 2:
            continue
        family = families.get(o.name.split("(", 1)[0], []) if o.type == "function" else []
        last = defs[-1].stmt
        action = f"Write {o.type} {o.name} once, as last defined in {last.file}:{last.line} ({len(defs)} definitions)."
        out.append(make_finding("redefined", o.type, o.name, action, [e.stmt for e in events], family, effect=LAST_DEFINITION))
    return out
