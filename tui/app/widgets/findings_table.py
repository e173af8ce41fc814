"""The findings: kind, object, action, file:line and the user's decision, one row each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from tui.core.decisions import ACCEPT, DEFER, KEEP, Decisions
from tui.core.formats.base import short_name

if TYPE_CHECKING:
    from tui.core.findings import Finding

_DECISION = {ACCEPT: ("accept", "green"), KEEP: ("keep", "yellow"), DEFER: ("defer", "magenta")}


WHERE = 26


def where(f: Finding) -> str:
    """The first source as `file:line`, the file name shortened so the line always shows."""
    if not f.sources:
        return ""
    src = f.sources[0]
    base, suffix = short_name(src.file), f":{src.line}"
    if len(base) + len(suffix) > WHERE:
        base = base[: WHERE - 1 - len(suffix)] + "…"
    return base + suffix


class FindingsTable(DataTable[object]):
    DEFAULT_CSS = """
    FindingsTable { height: 1fr; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("kind", key="kind", width=20)
        self.add_column("decision", key="decision", width=8)
        self.add_column("object", key="object", width=30)
        self.add_column("file:line", key="where", width=WHERE)
        self.add_column("action", key="action")

    def show(self, findings: list[Finding], decisions: Decisions) -> None:
        keep = self.cursor_row
        self.clear()
        for f in findings:
            self.add_row(f.kind, self.decision_cell(decisions.get(f.id)), f"{f.object_type} {f.object_name}",
                         where(f), f.action, key=f.id)
        if findings:
            self.move_cursor(row=min(keep, len(findings) - 1))

    @staticmethod
    def decision_cell(decision: str) -> Text:
        label, style = _DECISION.get(decision, ("—", "dim"))
        return Text(label, style=style)

    def set_decision(self, finding_id: str, decision: str) -> None:
        self.update_cell(finding_id, "decision", self.decision_cell(decision))
