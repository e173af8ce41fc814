"""Phase 4: what apply will change, then the written files, README and report; rollback's result."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Markdown, Static

from tui.app.messages import ProjectChanged
from tui.app.screens.base import PhaseScreen
from tui.app.screens.confirm import ConfirmScreen
from tui.core.errors import ConsolidateError
from tui.core.report import doc_names


class ApplyScreen(PhaseScreen):
    PHASE = "apply"
    BINDINGS = [
        Binding("p", "apply", "Apply", tooltip="Back up migrations/ and swap the validated set in", id="apply"),
    ]

    def compose(self):  # type: ignore[no-untyped-def]
        yield from self.compose_frame()
        with Horizontal(id="apply-body"):
            with Vertical(id="apply-summary-pane"):
                yield Static(id="apply-state")
                yield Static(id="apply-plan")
            with VerticalScroll(id="apply-docs"):
                yield Markdown(id="apply-readme")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply" and self._applied():
            return None  # applied already: roll back first
        return True

    def session_changed(self) -> None:
        self.refresh_bindings()
        st = self.session.status
        if st is not None:
            self.query_one("#apply-state", Static).update(
                Text(f"state: {st.state}\n", style="bold") + Text("\n".join(st.detail) + f"\nnext: {st.next}\n"))
        self.refresh_plan()

    @work(thread=True, exclusive=True, group="apply-plan", exit_on_error=False, description="check apply")
    def refresh_plan(self) -> None:
        from tui.apply import plan_apply

        try:
            plan = plan_apply(self.session.root)
            text = Text("p applies:\n", style="bold") + Text("\n".join(f"• {ln}" for ln in plan.lines()))
            if plan.warnings:
                text += Text("\n" + "\n".join(f"⚠ {w}" for w in plan.warnings), style="yellow")
        except ConsolidateError as exc:
            if self._applied():
                text = Text("applied.", style="bold green") + Text(" r rolls back to the history in the backup, byte for byte.")
            else:
                text = Text("apply is not possible now:\n", style="bold") + Text(str(exc))
        docs = ""
        if self._applied():
            analysis = self.session.analysis
            folder = analysis.config.folder if analysis else self.session.root / "migrations"
            files = sorted(p.name for p in folder.iterdir())
            docs = "## Written\n\n" + "\n".join(f"- `{f}`" for f in files) + "\n\n"
            for name in doc_names(analysis.sources.format if analysis else ""):
                if (folder / name).is_file():
                    docs += (folder / name).read_text("utf-8", "replace").replace("\n# ", "\n## ") + "\n\n"
        self.app.call_from_thread(self._show_plan, text, docs)

    def _applied(self) -> bool:
        st = self.session.status
        return st is not None and st.state == "applied"

    def _show_plan(self, text: Text, docs: str) -> None:
        self.query_one("#apply-plan", Static).update(text)
        md = self.query_one("#apply-readme", Markdown)
        md.update(docs or "*The new set's README.md and CONSOLIDATION.md appear here once applied.*")

    def action_apply(self) -> None:
        from tui.apply import plan_apply

        try:
            plan = plan_apply(self.session.root)
        except ConsolidateError as exc:
            self.notify(str(exc), title="apply refused", severity="error", timeout=8)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_apply(plan)

        self.app.push_screen(ConfirmScreen("Apply the validated set?", plan.lines() + plan.warnings, yes="Apply"), answered)

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False, description="apply")
    def run_apply(self, plan: object) -> None:
        from tui.apply import apply

        files = apply(plan)  # type: ignore[arg-type]
        self.post_message(ProjectChanged(f"applied: migrations/ now holds {len(files)} files; r rolls back"))
