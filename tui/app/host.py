"""What the screens, widgets and commands need from the app, as a protocol: they depend on it,
not on the app module, so the app can import them without a loop."""

from __future__ import annotations

from typing import Protocol

from tui.app.session import Session


class Host(Protocol):
    """The app as its screens see it."""

    session: Session

    def phase_states(self) -> dict[str, str]:
        """The state shown beside each phase in the phase bar."""

    def decisions_changed(self) -> None:
        """A triage changed what generate would write."""

    def go_to_finding(self, finding_id: str) -> None:
        """Open the analyze phase on a finding."""

    def show_diagnostics(self) -> None:
        """List what could not be read or followed, file by file."""
