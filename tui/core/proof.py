"""The proof of a generated set, as the core sees it: what a prover returns, and the seam through
which one (on a real PostgreSQL, in `tui.pg.proof`) asks the core for candidate sets.

The model decides how much is folded; the prover decides whether it is right. It builds
candidates under more and more adjustments (folds backed off, files split) until one builds the
same database as the history, and at worst gives up every fold, down to the history itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tui.core.analysis import Analysis
from tui.core.observed import Observations
from tui.core.plan import Adjustments, Plan
from tui.core.render import RenderedFile

PROVEN = "proven"  # applied on PostgreSQL and EQUAL to the history
UNPROVEN = "unproven"  # not checked: no server, or the history itself does not apply
HISTORY = "history"  # no candidate was EQUAL: the history's own files are the set


@dataclass(frozen=True)
class BackedOff:
    """A fold the proof gave up, and why.

    Attributes:
        fold: the fold's id; effect: what it did; findings: the findings it carried out.
        where: `file:line` of its first statement in the history.
        reason: what PostgreSQL said (an error with the new set's file and line, or a difference).
    """

    fold: str
    effect: str
    findings: tuple[str, ...]
    where: str
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"fold": self.fold, "effect": self.effect, "findings": list(self.findings), "where": self.where, "reason": self.reason}


@dataclass
class Proof:
    """The outcome: the state, the adjustments that made the set EQUAL, what was given up."""

    state: str
    adjust: Adjustments = field(default_factory=Adjustments)
    backed_off: list[BackedOff] = field(default_factory=list)
    other_changes: list[str] = field(default_factory=list)  # files split, statements isolated, and why
    rounds: int = 0
    folds: int = 0  # folds in the set finally staged
    provider: dict[str, str] = field(default_factory=dict)
    why: str = ""  # for UNPROVEN and HISTORY, in one sentence

    def to_json(self) -> dict[str, object]:
        return {"state": self.state, "folds": self.folds, "backed_off": [b.to_json() for b in self.backed_off],
                "other_changes": self.other_changes, "rounds": self.rounds, "provider": self.provider, "why": self.why}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Proof:
        """The proof recorded in generated.json (its adjustments are not kept there)."""
        backed = [BackedOff(str(b.get("fold", "")), str(b.get("effect", "")), tuple(b.get("findings", ())), str(b.get("where", "")),
                            str(b.get("reason", ""))) for b in data.get("backed_off", []) if isinstance(b, dict)]  # type: ignore[union-attr]
        return cls(str(data.get("state", UNPROVEN)), backed_off=backed, other_changes=list(data.get("other_changes", [])),  # type: ignore[call-overload]
                   rounds=int(data.get("rounds", 0)), folds=int(data.get("folds", 0)),  # type: ignore[call-overload]
                   provider=dict(data.get("provider", {})), why=str(data.get("why", "")))  # type: ignore[call-overload]

    def summary(self) -> str:
        """One line for a person."""
        if self.state == PROVEN:
            return (f"proven on PostgreSQL: {self.folds} fold(s) made, {len(self.backed_off)} backed off"
                    + (f"; {self.other_changes[0]}" + (f" (and {len(self.other_changes) - 1} more change(s))" if len(self.other_changes) > 1 else "")
                       if self.other_changes else ""))
        if self.state == HISTORY:
            return f"NOT CONSOLIDATED: no candidate built the same database, so the set is the history itself ({self.why})"
        return f"UNPROVEN: {self.why}; validate before you apply"


@dataclass
class Candidate:
    """One set the prover tries: its plan, its files and the folder they were written to."""

    plan: Plan
    files: list[RenderedFile]
    folder: Path
    copied: list[str] = field(default_factory=list)  # files kept as they are (the tool's own, later ones)


Make = Callable[[Adjustments], Candidate]  # plans, renders and writes a candidate into a folder of its own
Say = Callable[[str, str], None]  # (step, detail)
# The analysis replayed with what PostgreSQL saw the statements the model cannot follow do;
# `make` plans from it from then on.
Reread = Callable[[Observations], Analysis]


class Prover(Protocol):
    """Finds the adjustments under which the candidate builds the history's database."""

    def __call__(self, analysis: Analysis, make: Make, say: Say, cancel: threading.Event | None, reread: Reread | None = None) -> Proof:
        """Try candidates from `make` until one builds the history's database (first giving
        `reread` what the history was seen doing, where the prover watches it)."""
