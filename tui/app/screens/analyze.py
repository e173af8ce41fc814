"""Phase 1: the findings to triage, the selected object's timeline and its dependency map."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Input, OptionList, ProgressBar, Static

from tui.app.messages import AnalysisProgressed
from tui.app.screens.base import PhaseScreen
from tui.app.screens.confirm import ConfirmScreen
from tui.app.widgets.dependency_map import DependencyMap
from tui.app.widgets.findings_table import FindingsTable
from tui.app.widgets.timeline import Timeline
from tui.core.decisions import ACCEPT, DEFER, KEEP

if TYPE_CHECKING:
    from tui.core.findings import Finding


class AnalyzeScreen(PhaseScreen):
    PHASE = "analyze"
    AUTO_FOCUS = "#findings"
    BINDINGS = [
        Binding("a", "triage('accept')", "Accept", tooltip="Fold this finding into the new set", id="triage-accept"),
        Binding("k", "triage('keep')", "Keep", tooltip="Keep its statements as written", id="triage-keep"),
        Binding("d", "triage('defer')", "Defer", tooltip="Decide later (folded like accepted meanwhile)", id="triage-defer"),
        Binding("A", "accept_kind", "All", tooltip="Accept every finding of this kind", id="triage-accept-kind"),
        Binding("u", "undo", "Undo", tooltip="Take back the last triage step", id="triage-undo"),
        Binding("exclamation_mark", "diagnostics", "Diag", tooltip="What could not be read or followed, file by file",
                id="diagnostics"),
        Binding("f", "next_kind", "Kind", tooltip="Show one kind of finding at a time", id="filter-kind"),
        Binding("slash", "search", "Search", tooltip="Search kind, object, action and file", id="search"),
        Binding("enter", "open", "Open", show=False, tooltip="Read the selected finding's timeline", id="open"),
        Binding("escape", "back", "Back", show=False, id="back"),
    ]

    kind_filter: reactive[str] = reactive("", bindings=True)
    """The kind shown, or every kind when empty."""
    search: reactive[str] = reactive("")
    """Text the rows must contain."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield from self.compose_frame()
        with Horizontal(id="analyze-body"):
            with Vertical(id="findings-pane"):
                with Horizontal(id="filters"):
                    yield Static("kind: all", id="kind-label")
                    yield Input(placeholder="/ to search findings", id="search")
                yield ProgressBar(id="analysis-progress", show_eta=False)
                yield FindingsTable(id="findings")
                yield Static(id="triage-summary")
            with Vertical(id="detail-pane"):
                yield Timeline(id="timeline")
                yield DependencyMap(id="deps")

    def visible(self) -> list[Finding]:
        findings = self.session.findings
        if not self.search and not self.kind_filter:
            return findings
        words = self.search.lower().split()
        if self._hay[0] is not findings:  # the text searched, made once per analysis, not per key
            self._hay = (findings, [f"{f.kind} {f.object_type} {f.object_name} {f.action} {' '.join(s.file for s in f.sources)}".lower()
                                    for f in findings])
        return [f for f, hay in zip(findings, self._hay[1]) if (not self.kind_filter or f.kind == self.kind_filter)
                and all(w in hay for w in words)]

    _hay: tuple[object, list[str]] = (None, [])

    _shown: tuple[int, str, str] | None = None  # what the table holds: (analysis, kind filter, search)

    def session_changed(self) -> None:
        s = self.session
        bar = self.query_one(ProgressBar)
        bar.display = s.analysis is None
        if s.analysis is None:
            self._shown = None  # a new analysis may reuse the old one's id
            return
        # The session changes for other phases too (status, a validation): the table is refilled
        # only when its rows would differ, not on every change of a large history.
        if self._shown != (id(s.analysis), self.kind_filter, self.search):
            self.refill()
        self._summary()

    def refill(self) -> None:
        s = self.session
        self._shown = (id(s.analysis), self.kind_filter, self.search)
        self.query_one(FindingsTable).show(self.visible(), s.decisions)
        self._show_selected()

    def _summary(self) -> None:
        s = self.session
        counts = {ACCEPT: 0, KEEP: 0, DEFER: 0}
        for f in s.findings:
            d = s.decisions.get(f.id)
            if d in counts:
                counts[d] += 1
        a = s.analysis
        assert a is not None
        text = (f"{len(a.sources.migrations)} migrations, {sum(a.parsed.per_migration)} statements · "
                f"{len(s.findings)} findings: {counts[ACCEPT]} accepted, {counts[KEEP]} kept, {counts[DEFER]} deferred, "
                f"{len(s.findings) - sum(counts.values())} undecided")
        if a.diagnostics:
            text += f" · {len(a.diagnostics)} diagnostic(s) (! lists them)"
        if s.stale_decisions:
            text += f" · {len(s.stale_decisions)} saved decision(s) no longer match a finding"
        self.query_one("#triage-summary", Static).update(text)

    def selected(self) -> Finding | None:
        return self.query_one(FindingsTable).current()

    def _show_selected(self) -> None:
        f = self.selected()
        if f is None:
            self.query_one(Timeline).show(None, None)
            return
        self.show_object(f"{f.object_type}:{f.object_name}", f)

    def show_object(self, key: str, finding: Finding | None) -> None:
        a = self.session.analysis
        obj = a.model.objects.get(key) if a else None
        self.query_one(Timeline).show(obj, finding)
        self.query_one(DependencyMap).show(key, a.model if a else None, a.graph if a else None)

    def select_finding(self, finding_id: str) -> None:
        """Used by the palette's "Go to": clear filters and put the cursor on that finding."""
        self.kind_filter, self.search = "", ""
        self.query_one("#search", Input).value = ""
        self.session_changed()
        table = self.query_one(FindingsTable)
        table.move_cursor(row=table.get_row_index(finding_id))
        table.focus()

    @on(FindingsTable.Highlighted, "#findings")
    def _row_highlighted(self) -> None:
        self._show_selected()

    @on(OptionList.OptionSelected, "#deps")
    def follow_dependency(self, event: OptionList.OptionSelected) -> None:
        key = str(event.option.id).split("|", 1)[0]
        obj_type, name = key.split(":", 1)
        finding = next((f for f in self.session.findings if (f.object_type, f.object_name) == (obj_type, name)), None)
        self.show_object(key, finding)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.search = event.value
        self.session_changed()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one(FindingsTable).focus()

    def watch_kind_filter(self, kind: str) -> None:
        self.query_one("#kind-label", Static).update(f"kind: {kind or 'all'} (f)")
        if self.is_mounted:
            self.session_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "diagnostics":
            return bool(self.session.analysis and self.session.analysis.diagnostics)  # shown when there are some
        if action == "undo":
            return bool(self.session.undo_steps)  # shown once there is a step to take back
        if action in ("triage", "accept_kind", "open"):
            return True if self.session.findings else None
        return True

    def action_triage(self, decision: str) -> None:
        f = self.selected()
        if f is None:
            return
        self.session.decide(f, decision)
        self.query_one(FindingsTable).set_decision(f.id, decision)
        table = self.query_one(FindingsTable)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self._summary()
        self.capp.decisions_changed()

    def action_accept_kind(self) -> None:
        f = self.selected()
        if f is None:
            return
        group = [x for x in self.session.findings if x.kind == f.kind]
        changed: dict[str, int] = {}
        for x in group:
            was = self.session.decisions.get(x.id)
            if was and was != ACCEPT:
                changed[was] = changed.get(was, 0) + 1

        def accept(yes: bool | None = True) -> None:
            if not yes:
                return
            self.session.decide_all(group, ACCEPT)
            self.refill()
            self._summary()
            self.notify(f"accepted all {len(group)} {f.kind} finding(s) (u undoes it)")
            self.capp.decisions_changed()

        if not changed:
            accept()
            return
        self.app.push_screen(ConfirmScreen(f"Accept all {len(group)} {f.kind} finding(s)?", [
            "this changes your explicit decisions: " + ", ".join(f"{n} {d}" for d, n in sorted(changed.items())),
            "u undoes it afterwards"], yes="Accept all"), accept)

    def action_diagnostics(self) -> None:
        self.capp.show_diagnostics()

    def action_undo(self) -> None:
        restored = self.session.undo()
        if not restored:
            self.notify("nothing to undo")
            return
        self.refill()
        self._summary()
        self.notify(f"undone: {restored} decision(s) as they were")
        self.capp.decisions_changed()

    def action_next_kind(self) -> None:
        from tui.core.findings import KINDS

        present = [k for k in KINDS if any(f.kind == k for f in self.session.findings)]
        order = [""] + present
        self.kind_filter = order[(order.index(self.kind_filter) + 1) % len(order)] if self.kind_filter in order else ""

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_open(self) -> None:
        self.query_one(Timeline).focus()

    def action_back(self) -> None:
        if self.focused is self.query_one(FindingsTable):
            if self.search or self.kind_filter:
                self.kind_filter, self.search = "", ""
                self.query_one("#search", Input).value = ""
            return
        self.query_one(FindingsTable).focus()

    def on_analysis_progressed(self, event: AnalysisProgressed) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(event.total, 1), progress=event.done)
