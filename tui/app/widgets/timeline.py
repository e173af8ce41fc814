"""One object's story: every statement that touched it, with file:line and its SQL highlighted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.core.formats.flyway_placeholders import unmark

if TYPE_CHECKING:
    from tui.core.findings import Finding
    from tui.core.model import Obj


MAX_LINES = 30  # a long function body is cut here; the file:line says where the rest is


def _sql(text: str) -> Syntax:
    lines = unmark(text).splitlines()  # (Flyway's placeholders as written, not as the model reads them)
    if len(lines) > MAX_LINES:
        text = "\n".join(lines[:MAX_LINES]) + f"\n-- … {len(lines) - MAX_LINES} more lines"
    return Syntax(text + ";", "sql", theme="ansi_dark", word_wrap=True, background_color="default")


def timeline_renderable(obj: Obj | None, finding: Finding | None) -> RenderableType:
    parts: list[RenderableType] = []
    if finding is not None:
        parts.append(Text(f"{finding.kind}: {finding.action}", style="bold"))
        if finding.related:
            parts.append(Text("goes with: " + ", ".join(f"{t} {unmark(n)}" for t, n in finding.related), style="italic"))
        parts.append(Text(""))
    if obj is None:
        if finding is not None:
            parts.append(Text("sources: " + ", ".join(f"{s.file}:{s.line}" for s in finding.sources)))
        else:
            parts.append(Text("Select a finding to see its object's timeline.", style="dim"))
        return Group(*parts)
    parts.append(Text(f"{obj.type} {unmark(obj.name)}: {len(obj.events)} statement(s)"
                      + ("" if obj.exists else " — gone at the end of the history"), style="bold"))
    for e in obj.events:
        st = e.stmt.parent or e.stmt
        parts.append(Text(f"{e.stmt.file}:{e.stmt.line}  {e.action}" + (f" ({e.detail})" if e.detail else ""),
                          style="bold cyan"))
        parts.append(_sql(st.text if e.stmt.parent is None else e.stmt.text))
    return Group(*parts)


class Timeline(VerticalScroll, can_focus=True):
    """Scrollable; `enter` on a finding focuses it to read the whole story."""

    DEFAULT_CSS = """
    Timeline { border: round $primary-darken-2; border-title-color: $text; }
    Timeline:focus { border: round $accent; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="timeline-body")

    def show(self, obj: Obj | None, finding: Finding | None) -> None:
        self.border_title = f"Timeline: {obj.type} {unmark(obj.name)}" if obj else "Timeline"
        self.query_one("#timeline-body", Static).update(timeline_renderable(obj, finding))
        self.scroll_home(animate=False)
