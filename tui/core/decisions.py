"""The user's triage of findings, saved in `.consolidate/decisions.json` with the finding ids."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.core.errors import WARNING, Diagnostic
from tui.core.state import State

if TYPE_CHECKING:
    from tui.core.findings import Finding

ACCEPT = "accept"
KEEP = "keep"
DEFER = "defer"
CHOICES = (ACCEPT, KEEP, DEFER)


@dataclass
class Decisions:
    """Decision per finding id. Undecided and deferred findings are folded like accepted ones."""

    by_id: dict[str, dict[str, object]] = field(default_factory=dict)

    def get(self, finding_id: str) -> str:
        entry = self.by_id.get(finding_id)
        return str(entry.get("decision", "")) if entry else ""

    def keeps(self, finding_id: str) -> bool:
        return self.get(finding_id) == KEEP

    def set(self, f: Finding, decision: str) -> None:
        if decision not in CHOICES:
            raise ValueError(f"decision must be one of {CHOICES}, not {decision!r}")
        self.by_id[f.id] = {"decision": decision, "kind": f.kind, "object": {"type": f.object_type, "name": f.object_name}}

    def clear(self, f: Finding) -> None:
        self.by_id.pop(f.id, None)

    def stale(self, findings: list[Finding]) -> list[str]:
        """Ids saved earlier that no finding carries any more (the history changed)."""
        live = {f.id for f in findings}
        return sorted(k for k in self.by_id if k not in live)

    def to_json(self) -> dict[str, dict[str, object]]:
        return {k: self.by_id[k] for k in sorted(self.by_id)}


def load_decisions(state: State) -> tuple[Decisions, list[Diagnostic]]:
    path = state.decisions
    if not path.is_file():
        return Decisions(), []
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError) as exc:
        return Decisions(), [Diagnostic(f"{state.dir.name}/{path.name}", 0, WARNING, f"cannot read saved decisions ({exc}); starting afresh")]
    good = {k: v for k, v in data.items() if isinstance(v, dict) and v.get("decision") in CHOICES}
    return Decisions(good), []


def save_decisions(state: State, decisions: Decisions) -> None:
    state.write_json(state.decisions, decisions.to_json())
