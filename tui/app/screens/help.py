"""Keys, phases and, for a finding, what its detector finds and what accept and keep do."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

KEYS = """\
| key | does |
|---|---|
| `1`-`4` | switch phase: analyze, generate, validate, apply (dimmed until reachable) |
| `a` / `k` / `d` | accept (fold), keep as written, defer the selected finding |
| `A` | accept every finding of the selected kind |
| `f` / `/` | filter by kind / search |
| `enter` | open the selected item (timeline, file, difference) |
| `g` / `v` / `p` | generate, validate, apply (each says where it writes and asks) |
| `r` | roll back to `migrations.old/` (once a backup exists; asks) |
| `ctrl+p` | command palette: "Go to object", "Phase: ..." |
| `escape` | back, or cancel a running validation |
| `?` / `F1` | this help |
| `q` | quit |
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help-close")]

    def __init__(self, topic: str = "") -> None:
        super().__init__()
        self.topic = topic

    def compose(self):  # type: ignore[no-untyped-def]
        with VerticalScroll(id="help"):
            yield Markdown(("# " + "Help" + "\n\n" + (self.topic + "\n\n" if self.topic else "") + "## Keys\n\n" + KEYS))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
