"""What the screens share: the project's analysis, decisions, staged set, validation and state.

Plain Python, no Textual: the App fills it from worker results and the screens read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.decisions import Decisions, load_decisions, save_decisions
from tui.core.state import State, state_of

if TYPE_CHECKING:
    from tui.core.analysis import Analysis
    from tui.core.findings import Finding
    from tui.core.generate import GenerateResult
    from tui.core.model import Obj
    from tui.pg.validate import ValidationResult
    from tui.status import Status

PHASES = ("analyze", "generate", "validate", "apply")


@dataclass
class Session:
    root: Path
    analysis: Analysis | None = None
    decisions: Decisions = field(default_factory=Decisions)
    generated: GenerateResult | None = None
    validation: ValidationResult | None = None
    status: Status | None = None
    stale_decisions: list[str] = field(default_factory=list)
    provider: str = ""  # where generate proves and validate builds (empty: the project's setting, else auto)
    undo_steps: list[dict[str, dict[str, object] | None]] = field(default_factory=list)  # each: what decisions were before

    @property
    def state(self) -> State:
        return state_of(self.root)

    def load_decisions(self) -> None:
        self.decisions, _ = load_decisions(self.state)

    def decide(self, finding: Finding, decision: str) -> None:
        self.decide_all([finding], decision)

    def decide_all(self, findings: list[Finding], decision: str) -> None:
        self.undo_steps.append({f.id: self.decisions.by_id.get(f.id) for f in findings})
        for f in findings:
            self.decisions.set(f, decision)
        save_decisions(self.state, self.decisions)

    def undo(self) -> int:
        """Take back the last triage step (one decision, or a whole accept-all); how many it restored."""
        if not self.undo_steps:
            return 0
        step = self.undo_steps.pop()
        for fid, before in step.items():
            if before is None:
                self.decisions.by_id.pop(fid, None)
            else:
                self.decisions.by_id[fid] = before
        save_decisions(self.state, self.decisions)
        return len(step)

    @property
    def findings(self) -> list[Finding]:
        return self.analysis.findings if self.analysis else []

    def obj(self, type_: str, name: str) -> Obj | None:
        return self.analysis.model.objects.get(f"{type_}:{name}") if self.analysis else None

    def reachable(self, phase: str) -> str:
        """Empty when `phase` can be opened, else why not (shown beside the dimmed phase)."""
        if phase == "analyze":
            return ""
        if self.analysis is None:
            return "the analysis is still running"
        if not self.analysis.ok:
            return "nothing could be analyzed"
        if phase == "generate":
            return ""
        if phase == "validate":
            return "" if self.generated is not None or self.state.staged.is_dir() else "generate first: g"
        state = self.status.state if self.status else ""
        if state in ("applied", "interrupted", "rolled_back", "validated"):
            return ""
        if self.validation is not None and self.validation.equal:
            return ""
        return "validate first: v"

    def staged_files(self) -> tuple[list[dict[str, object]], dict[str, dict[str, int]]]:
        """The staged set's files (path, text, objects, statements, lines) and the totals, old against new."""
        if self.generated is not None:
            g = self.generated
            # As written (a format may add to a file once all are written: graphile-migrate's hashes).
            files = [{"file": f.path, "text": _written(g.out / f.path, f.text), "objects": f.objects, "statements": f.statements,
                      "lines": f.lines} for f in g.files]
            return files, g.totals()
        data = self.state.read_generated()
        files = []
        for f in data.get("files", []):
            path = self.state.staged / f["file"]
            if path.is_file():
                files.append({**f, "text": path.read_text("utf-8", "replace")})
        return files, {k: data[k] for k in ("history", "new") if k in data}


def _written(path: Path, text: str) -> str:
    try:
        return path.read_text("utf-8", "replace")
    except OSError:
        return text
