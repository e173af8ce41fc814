"""The findings: kind, object, action, file:line and the user's decision, one row each.

A history of 500,000 statements has over 100,000 findings. A DataTable measures and stores every
cell of every row (seconds to fill, tens of seconds to first paint, the screen frozen meanwhile);
this table keeps the list and draws only the rows on screen, so showing, filtering and moving
cost the same at any size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.decisions import ACCEPT, DEFER, KEEP, Decisions
from tui.core.formats.base import short_name
from tui.core.formats.flyway_placeholders import unmark

if TYPE_CHECKING:
    from tui.core.findings import Finding

_DECISION = {ACCEPT: ("accept", "green"), KEEP: ("keep", "yellow"), DEFER: ("defer", "magenta")}
WHERE = 26
_TITLES = ("kind", "decision", "object", "file:line", "action")
_WIDTHS = (20, 8, 30, WHERE)  # the action takes what is left
# On a narrow screen, which columns give up room first, and down to how much.
_SHRINK = ((2, 16), (3, 16), (0, 13))


def where(f: Finding, width: int = WHERE) -> str:
    """The first source as `file:line`, the file name shortened so the line always shows."""
    if not f.sources:
        return ""
    src = f.sources[0]
    base, suffix = short_name(src.file), f":{src.line}"
    if len(base) + len(suffix) > width:
        base = base[: max(width - 1 - len(suffix), 0)] + "…"
    return base + suffix


def widths(width: int) -> list[int]:
    """The columns' widths in `width` cells (each column is padded by one cell on both sides)."""
    out = list(_WIDTHS)
    short = sum(out) + 2 * len(_TITLES) - width
    for col, least in _SHRINK:
        cut = max(min(short, out[col] - least), 0)
        out[col] -= cut
        short -= cut
    return out + [max(width - sum(out) - 2 * len(_TITLES), 0)]


def _fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells, cut with an ellipsis."""
    if cell_len(text) > width:
        return set_cell_size(text, max(width - 1, 0)) + "…" if width > 0 else ""
    return set_cell_size(text, width)


class FindingsTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    FindingsTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        & > .findings--header { text-style: bold; background: $panel; color: $foreground; }
        & > .findings--even-row { background: $surface-lighten-1 50%; }
        & > .findings--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .findings--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        &:dark > .findings--even-row { background: $surface-darken-1 40%; }
    }
    """
    COMPONENT_CLASSES = {"findings--header", "findings--even-row", "findings--cursor"}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    class Highlighted(Message):
        """The cursor moved to another row (show() leaves telling the screen to its caller)."""

        def __init__(self, table: FindingsTable, finding: Finding | None) -> None:
            self.table = table
            self.finding = finding
            super().__init__()

        @property
        def control(self) -> FindingsTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.rows: list[Finding] = []
        self.decisions = Decisions()
        self.cursor_row = 0
        self._index: dict[str, int] | None = None  # finding id -> row, built when first asked

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def show(self, findings: list[Finding], decisions: Decisions) -> None:
        self.rows, self.decisions, self._index = findings, decisions, None
        self.virtual_size = Size(self.size.width, len(findings) + 1)
        self.move_cursor(row=min(self.cursor_row, max(len(findings) - 1, 0)))  # the screen shows the row it refilled for
        self.refresh()

    def current(self) -> Finding | None:
        return self.rows[self.cursor_row] if self.rows else None

    def decision_at(self, row: int) -> str:
        return self._decision(self.rows[row])[0]

    def _decision(self, f: Finding) -> tuple[str, str]:
        """The decision's label and colour."""
        return _DECISION.get(self.decisions.get(f.id), ("—", "dim"))

    def get_row_index(self, finding_id: str) -> int:
        if self._index is None:
            self._index = {f.id: i for i, f in enumerate(self.rows)}
        return self._index[finding_id]

    def set_decision(self, finding_id: str, decision: str) -> None:
        # The decisions object is the session's own: it already holds `decision`; only the row is redrawn.
        at_cursor = self.rows and self.rows[self.cursor_row].id == finding_id
        row = self.cursor_row if at_cursor else self.get_row_index(finding_id)
        self.refresh_line(row - self.scroll_offset.y + 1)

    def move_cursor(self, *, row: int) -> None:
        row = max(0, min(row, len(self.rows) - 1)) if self.rows else 0
        moved = row != self.cursor_row
        self.cursor_row = row
        body = max(self.scrollable_content_region.height - 1, 1)
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + body:
            self.scroll_to(y=row - body + 1, animate=False, immediate=True)
        self.refresh()
        if moved:
            self.post_message(self.Highlighted(self, self.current()))

    def action_move(self, delta: int) -> None:
        self.move_cursor(row=self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor_row + direction * max(self.scrollable_content_region.height - 2, 1))

    def action_jump(self, row: int) -> None:
        self.move_cursor(row=row if row >= 0 else len(self.rows) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_cursor(row=self.scroll_offset.y + event.y - 1)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        cols = widths(width)
        if y == 0:  # the header stays while the rows scroll
            return self._line(list(_TITLES), cols, self.get_component_rich_style("findings--header"), width)
        row = self.scroll_offset.y + y - 1
        if row >= len(self.rows):
            return Strip([Segment(" " * width, self.rich_style)], width)
        f = self.rows[row]
        if row == self.cursor_row:
            style = self.get_component_rich_style("findings--cursor")
        elif row % 2 == 0:  # as DataTable's zebra: the first row is striped
            style = self.get_component_rich_style("findings--even-row")
        else:
            style = self.rich_style
        label, colour = self._decision(f)
        cells = [f.kind, label, f"{f.object_type} {unmark(f.object_name)}", where(f, cols[3]), f.action]
        return self._line(cells, cols, style, width, decision=Style.parse(colour))

    @staticmethod
    def _line(cells: list[str], cols: list[int], style: Style, width: int, decision: Style | None = None) -> Strip:
        segments, used = [], 0
        for i, (text, w) in enumerate(zip(cells, cols)):
            own = style + decision if i == 1 and decision is not None else style
            segments += [Segment(" ", style), Segment(_fit(text, w), own), Segment(" ", style)]
            used += w + 2
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments).crop(0, width)
