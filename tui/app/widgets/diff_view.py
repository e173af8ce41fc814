"""One difference, old and new side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.syntax import Syntax
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

if TYPE_CHECKING:
    from tui.pg.compare import Difference


def _side(text: str) -> Syntax:
    return Syntax(text, "sql", theme="ansi_dark", word_wrap=True, background_color="default")


class DiffScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="diff-close")]

    def __init__(self, diff: Difference) -> None:
        super().__init__()
        self.diff = diff

    def compose(self):  # type: ignore[no-untyped-def]
        d = self.diff
        yield Static(f"{d.type} {d.name}: {d.detail}", id="diff-title")
        with Horizontal(id="diff-sides"):
            with VerticalScroll(classes="diff-side") as old:
                old.border_title = "history (old)"
                if d.history_at:
                    old.border_subtitle = ", ".join(d.history_at)
                yield Static(_side(str(d.old)))
            with VerticalScroll(classes="diff-side") as new:
                new.border_title = "new set"
                if d.new_at:
                    new.border_subtitle = ", ".join(d.new_at)
                yield Static(_side(str(d.new)))

    def action_close(self) -> None:
        self.dismiss(None)
