"""Move a table of the highlighted file to another file: pick the table, name the file (one of
the set's or a new one). The answer is (table, file name); escape backs out."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.project import GROUP_NAME

# Files the tool writes for itself: surviving rows, sequence values, the guard.
RESERVED = ("data", "sequence_values", "guard")


class MoveScreen(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="move-cancel")]

    def __init__(self, source: str, tables: list[str], files: list[str]) -> None:
        super().__init__()
        self.source, self.tables, self.files = source, tables, files

    def compose(self):  # type: ignore[no-untyped-def]
        with Vertical(id="dialog"):
            yield Static(f"Move a table of {self.source} to another file", id="dialog-title")
            yield OptionList(*[Option(t, id=t) for t in self.tables], id="move-tables")
            yield Static(Text("to the file (a name of the set, or a new one; it goes to consolidate.toml's [groups]):"))
            yield Input(placeholder=self.files[0] if self.files else "webhooks", id="move-to")
            yield Static(Text("files of the set: " + ", ".join(f for f in self.files if f not in RESERVED)), id="move-files")
            yield Static("", id="move-error")

    def on_mount(self) -> None:
        tables = self.query_one("#move-tables", OptionList)
        tables.highlighted = 0
        tables.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#move-to", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        tables = self.query_one("#move-tables", OptionList)
        if not GROUP_NAME.fullmatch(name):
            self.query_one("#move-error", Static).update("a file name: lowercase letters, digits and _, starting with a letter")
            return
        if name in RESERVED:
            self.query_one("#move-error", Static).update(f"{name} is the tool's own file: name another")
            return
        if tables.highlighted is None:
            return
        self.dismiss((self.tables[tables.highlighted], name))

    def action_cancel(self) -> None:
        self.dismiss(None)
