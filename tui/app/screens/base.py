"""What every phase screen has: the phase bar, the footer, and a refresh when the session changes."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

from tui.app.host import Host
from tui.app.session import Session
from tui.app.widgets.phase_bar import PhaseBar


class PhaseScreen(Screen[None]):
    PHASE = ""

    @property
    def capp(self) -> Host:
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> Session:
        return self.capp.session

    def compose_frame(self):  # type: ignore[no-untyped-def]
        yield PhaseBar()
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "session_version", self._session_changed, init=True)

    def on_resize(self) -> None:
        self.query_one(Footer).compact = self.size.width < 110

    def _session_changed(self, _version: int) -> None:
        self.query_one(PhaseBar).show(self.session, self.PHASE, self.capp.phase_states())
        self.session_changed()

    def session_changed(self) -> None:
        """Redraw from the session; each screen fills this in."""
