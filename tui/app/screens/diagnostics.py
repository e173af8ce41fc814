"""What could not be read or followed in the history, file by file: the diagnostics of the analysis."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.core.errors import ERROR, WARNING, Diagnostic

_STYLE = {ERROR: "bold red", WARNING: "yellow"}


class DiagnosticsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close", id="close-diagnostics"),
                Binding("q", "close", "Close", show=False)]

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__()
        # Errors first: they are what a set made from this reading would lack.
        self.diagnostics = sorted(diagnostics, key=lambda d: ({ERROR: 0, WARNING: 1}.get(d.severity, 2), d.file, d.line))

    def compose(self):  # type: ignore[no-untyped-def]
        errors = sum(d.severity == ERROR for d in self.diagnostics)
        lost = sum(d.lost for d in self.diagnostics)
        with Vertical(id="diagnostics"):
            yield Static(Text(f"{len(self.diagnostics)} diagnostic(s), {errors} error(s)", style="bold")
                         + Text(f"\n{lost} of them leave SQL of the history unread: generate and validate refuse "
                                "until they are fixed (or run with --keep-going)" if lost else "", style="red"),
                         id="diagnostics-title")
            with VerticalScroll(id="diagnostics-list"):
                # One entry a diagnostic, its message wrapped under its place: readable at 80 columns.
                yield Static(self._listing(), id="diagnostics-body")
            yield Static("escape closes", id="diagnostics-keys")

    def _listing(self) -> Text:
        text = Text()
        for d in self.diagnostics:
            where = f"{d.file}:{d.line}" if d.line else (d.file or "project")
            text += Text(f"{d.severity:<8}", style=_STYLE.get(d.severity, "")) + Text(where + "\n", style="bold")
            text += Text(f"         {d.message}\n")
        return text

    def on_mount(self) -> None:
        self.query_one("#diagnostics-list").focus()

    def action_close(self) -> None:
        self.dismiss(None)
