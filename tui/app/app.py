"""ConsolidateApp: the four phases, the global keys, and the Session the screens share."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.app.commands import GoToObject
from tui.app.messages import AnalysisFinished, AnalysisProgressed, GenerationFinished, ProjectChanged, ValidationFinished
from tui.app.screens.analyze import AnalyzeScreen
from tui.app.screens.confirm import ConfirmScreen
from tui.app.session import PHASES, Session
from tui.core.errors import ConsolidateError, filesystem_problem


def _screen(phase: str) -> Screen[None]:
    import importlib

    module = importlib.import_module(f"tui.app.screens.{phase}")
    return getattr(module, f"{phase.capitalize()}Screen")()  # type: ignore[no-any-return]


class ConsolidateApp(App[None]):
    TITLE = "consolidate"
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"  # absolute: subclasses may live anywhere
    # The later phases are imported when first opened: the first paint waits for nothing else.
    MODES = {"analyze": AnalyzeScreen, "generate": lambda: _screen("generate"), "validate": lambda: _screen("validate"),
             "apply": lambda: _screen("apply")}
    DEFAULT_MODE = "analyze"
    COMMANDS = App.COMMANDS | {GoToObject}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        *(Binding(str(i), f"phase('{p}')", p.capitalize(), show=False, tooltip=f"Phase {i}: {p}", id=f"phase-{p}")
          for i, p in enumerate(PHASES, 1)),
        Binding("r", "rollback", "Roll back", tooltip="Restore migrations.old/ byte for byte", id="rollback"),
        Binding("question_mark", "help", "Help", tooltip="Keys and what the selected finding means", id="help"),
        Binding("f1", "help", "Help", show=False, id="help-f1"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    session_version: reactive[int] = reactive(0, bindings=True)
    """Bumped whenever the session changes; the screens redraw from it."""

    def __init__(self, project: Path | str = ".") -> None:
        super().__init__()
        self.session = Session(Path(project).resolve())

    def on_mount(self) -> None:
        # After the first paint: the analysis thread holds the GIL while it parses.
        self.call_after_refresh(self.run_analysis)

    def changed(self) -> None:
        self.session_version += 1

    def phase_states(self) -> dict[str, str]:
        s = self.session
        st = s.status.state if s.status else ""
        out = {"analyze": "✓" if s.analysis is not None else "…"}
        errors = sum(d.severity == "error" for d in s.analysis.diagnostics) if s.analysis is not None else 0
        if errors:
            out["analyze"] = f"⚠ {errors}"  # what could not be read: ! on the analyze screen lists it
        if s.generated is not None or st in ("generated", "validated"):
            out["generate"] = "✓"
        if s.validation is not None:
            out["validate"] = "EQUAL" if s.validation.equal else "DIFFERENT"
        elif st == "validated":
            out["validate"] = "✓"
        if st in ("applied", "rolled_back", "interrupted"):
            out["apply"] = st.replace("_", " ")
        return out

    # ---- workers ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False, description="analyze")
    def run_analysis(self) -> None:
        from tui.core.analysis import analyze

        # Read once with what each statement needs, so generate and validate plan from this reading.
        analysis = analyze(self.session.root, track_reads=True,
                           progress=lambda w, d, t: self.post_message(AnalysisProgressed(w, d, t)))
        self.post_message(AnalysisFinished(analysis))

    @work(thread=True, exclusive=True, group="status", exit_on_error=False, description="status")
    def refresh_status(self) -> None:
        from tui.status import project_status

        status = project_status(self.session.root)
        self.call_from_thread(self._set_status, status)

    def _set_status(self, status: object) -> None:
        self.session.status = status  # type: ignore[assignment]
        self.changed()

    def on_analysis_progressed(self, event: AnalysisProgressed) -> None:
        if isinstance(self.screen, AnalyzeScreen):
            self.screen.on_analysis_progressed(event)

    def on_analysis_finished(self, event: AnalysisFinished) -> None:
        s = self.session
        s.analysis = event.analysis
        s.load_decisions()
        s.stale_decisions = s.decisions.stale(s.findings)
        if s.stale_decisions:
            self.notify(f"{len(s.stale_decisions)} saved decision(s) refer to findings the history no longer has; "
                        "they are kept in decisions.json but apply to nothing", title="stale decisions", timeout=8)
        if not event.analysis.ok:
            first = next((d for d in event.analysis.diagnostics), None)
            self.notify(str(first) if first else "no migrations found", title="nothing could be analyzed", severity="error")
        self.refresh_status()
        self.changed()

    def on_generation_finished(self, event: GenerationFinished) -> None:
        self.session.generated = event.result
        self.session.validation = None
        self.notify(f"wrote {len(event.result.files)} files to .consolidate/new/")
        if event.result.kept_edits:
            self.notify(f"your hand edits to the staged set were moved to {os.path.relpath(event.result.kept_edits, self.session.root)}/",
                        title="edits kept", severity="warning", timeout=15)
        self.refresh_status()
        self.changed()

    def on_validation_finished(self, event: ValidationFinished) -> None:
        self.session.validation = event.result
        r = event.result
        self.notify("EQUAL" if r.equal else f"DIFFERENT: {len(r.differences)} difference(s)",
                    title="validation", severity="information" if r.equal else "warning")
        if r.edited:
            self.notify("the staged set was edited by hand: it was validated as it is", title="validation")
        self.refresh_status()
        self.changed()

    def on_project_changed(self, event: ProjectChanged) -> None:
        self.notify(event.what, title="done")
        s = self.session
        s.analysis, s.generated, s.validation = None, None, None
        self.changed()
        self.run_analysis()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        exc = event.worker.error
        if isinstance(exc, ConsolidateError):
            where = f"{exc.file}:{exc.line}" if exc.file and exc.line else exc.file
            self.notify((f"{where}: " if where else "") + (exc.message or exc.title), title=exc.title,
                        severity="error", timeout=10)
        elif isinstance(exc, OSError) and (problem := filesystem_problem(exc)):
            self.notify(f"{problem}. Nothing is lost: the status line says where it stopped.", title=f"{event.worker.description} stopped",
                        severity="error", timeout=15)
        else:
            self.notify(f"{type(exc).__name__}: {exc}", title=f"{event.worker.description} failed", severity="error", timeout=10)
        self.refresh_status()

    # ---- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "phase" and parameters:
            return True if not self.session.reachable(str(parameters[0])) else None
        if action == "rollback":
            st = self.session.status
            # Shown only once there is something to restore: the footer has room for few keys.
            return st is not None and st.state in ("applied", "interrupted")
        return True

    def action_phase(self, phase: str) -> None:
        why = self.session.reachable(phase)
        if why:
            self.notify(f"{phase}: {why}")
            return
        self.switch_mode(phase)

    def action_help(self) -> None:
        topic = ""
        screen = self.screen
        if isinstance(screen, AnalyzeScreen):
            f = screen.selected()
            if f is not None:
                from tui.core.findings import describe

                topic = f"## {f.kind}\n\n{describe(f.kind)}"
        from tui.app.screens.help import HelpScreen

        self.push_screen(HelpScreen(topic))

    def action_rollback(self) -> None:
        from tui.apply import plan_rollback

        try:
            plan = plan_rollback(self.session.root)
        except ConsolidateError as exc:
            self.notify(str(exc), title="rollback refused", severity="error", timeout=10)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_rollback(plan)

        self.push_screen(ConfirmScreen("Roll back to the history?", plan.lines(), yes="Roll back"), answered)

    @work(thread=True, exclusive=True, group="rollback", exit_on_error=False, description="rollback")
    def run_rollback(self, plan: object) -> None:
        from tui.apply import rollback

        rollback(plan)  # type: ignore[arg-type]
        self.post_message(ProjectChanged("rolled back: migrations/ is the history again, byte for byte"))

    def decisions_changed(self) -> None:
        """A triage changed what generate would write: the staged set is stale now."""
        if self.session.generated is not None:
            self.session.generated = None
        self.refresh_status()
        self.screen.refresh_bindings()  # undo appears once there is a step to take back

    def go_to_finding(self, finding_id: str) -> None:
        self.switch_mode("analyze")
        screen = self.screen
        if isinstance(screen, AnalyzeScreen):
            screen.select_finding(finding_id)

    def show_diagnostics(self) -> None:
        from tui.app.screens.diagnostics import DiagnosticsScreen

        if self.session.analysis is not None:
            self.push_screen(DiagnosticsScreen(list(self.session.analysis.diagnostics)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.session.analysis is not None and self.session.analysis.diagnostics:
            yield SystemCommand("Show diagnostics", "What could not be read or followed, file by file", self.show_diagnostics)
        for i, p in enumerate(PHASES, 1):
            if not self.session.reachable(p):
                yield SystemCommand(f"Phase: {p.capitalize()}", f"Open phase {i}", lambda p=p: self.switch_mode(p))
