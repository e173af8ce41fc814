"""The four phases across the top, each with its state; unreachable ones dimmed, with why."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.app.session import PHASES, Session


class PhaseBar(Static):
    DEFAULT_CSS = """
    PhaseBar { dock: top; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def show(self, session: Session, current: str, states: dict[str, str]) -> None:
        text = Text()
        for i, phase in enumerate(PHASES, 1):
            why = session.reachable(phase)
            label = f" {i} {phase.capitalize()}"
            state = states.get(phase, "")
            if phase == current:
                text.append(label + (f" {state}" if state else "") + " ", style="bold reverse")
            elif why:
                text.append(label + f" ({why}) ", style="dim")
            else:
                text.append(label + (f" {state}" if state else "") + " ")
            if i < len(PHASES):
                text.append(" › ", style="dim")
        self.update(text)
