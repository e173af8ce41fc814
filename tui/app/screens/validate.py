"""Phase 3: build old and new on a throwaway PostgreSQL and compare them, with live progress."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState

from tui.app.messages import ValidationFinished
from tui.app.screens.base import PhaseScreen
from tui.app.widgets.diff_view import DiffScreen
from tui.core.errors import ConsolidateError
from tui.core.formats.base import short_name
from tui.pg.providers import AUTO, CHOICES

STEPS = (("analyze", "read the history"), ("server", "start PostgreSQL"), ("generate", "stage the new set (proven)"),
         ("old", "apply the history"), ("new", "apply the new set"), ("snapshot", "read the catalogs"),
         ("packs", "load pack data"))
PROOF_STEPS = ("history", "proof")  # the proof of a set generated on the way: shown under "generate"


class ValidateScreen(PhaseScreen):
    PHASE = "validate"
    BINDINGS = [
        Binding("v", "validate", "Validate", tooltip="Prove the new set on a throwaway PostgreSQL", id="validate"),
        Binding("V", "validate(True)", "Rebuild", tooltip="Validate, building the history again even where its catalog is kept "
                "from the last generate or validate on the same files", id="validate-rebuild"),
        Binding("escape", "cancel", "Cancel", tooltip="Stop a running validation", id="cancel-validate"),
        Binding("enter", "open", "Open", show=False, id="open-difference"),
    ]

    @dataclass
    class Progressed(Message):
        step: str
        detail: str

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self.running = False
        self.state: dict[str, str] = {}
        self.detail: dict[str, str] = {}
        self.failure: BaseException | None = None  # why the last validation stopped, shown until the next

    def compose(self):  # type: ignore[no-untyped-def]
        yield from self.compose_frame()
        with Horizontal(id="validate-top"):
            with RadioSet(id="provider"):
                for p in CHOICES:
                    yield RadioButton(p, value=p == AUTO, id=f"pg-{p}")
            yield Static(id="steps")
        with Vertical(id="validate-result"):
            yield Static(id="verdict")
            yield DataTable(id="differences", cursor_type="row")

    def on_mount(self) -> None:
        t = self.query_one("#differences", DataTable)
        t.add_column("type", width=12)
        t.add_column("name", width=36)
        t.add_column("what differs")
        t.display = False
        self._steps()
        super().on_mount()

    @property
    def provider(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return str(pressed.label) if pressed else "auto"

    @on(RadioSet.Changed, "#provider")
    def provider_chosen(self, event: RadioSet.Changed) -> None:
        self.session.provider = str(event.pressed.label)  # generate proves its set there too

    def _steps(self) -> None:
        text = Text()
        for step, label in STEPS:
            state = self.state.get(step, "")
            if state == "done":
                text.append(f"✓ {label}\n", style="green")
            elif state == "active":
                text.append(f"▸ {label}  {self.detail.get(step, '')}\n", style="bold")
            elif state == "kept":
                text.append(f"– {label}: not needed, its catalog is kept\n", style="green")
            elif state in ("cancelled", "failed"):
                text.append(f"✗ {label}  {state}\n", style="red")
            else:
                text.append(f"  {label}\n", style="dim")
        self.query_one("#steps", Static).update(text)

    def session_changed(self) -> None:
        r = self.session.validation
        verdict = self.query_one("#verdict", Static)
        table = self.query_one("#differences", DataTable)
        if r is None and self.failure is not None:
            self._show_failure(self.failure)
            return
        if r is None:
            verdict.update(Text("Press v to validate: the history and the new set are each applied to a scratch "
                                "database and compared object by object.", style="dim"))
            table.display = False
            return
        p = r.provider
        head = f"provider {p['name']} (PostgreSQL {p['version'].split()[0]}): {p['why']}"
        counts = ", ".join(f"{v} {k}" for k, v in r.counts["old"].items() if v)
        packs = sum(1 for x in r.packs if x.get("ok"))
        tail = f"\ncompared: {counts}" + (f"\npacks: {packs} of {len(r.packs)} rows loaded" if r.packs else "")
        if r.history_from:
            tail += f"\nhistory not built again: its catalog as {r.history_from} read it, same files and server (V rebuilds it)"
        if r.roles_created:
            tail += f"\ncreated roles the history grants to but never creates: {', '.join(r.roles_created)}"
        downs = Text("")
        if r.downs is not None:
            # The down parts serve development databases: beside the verdict, never part of it.
            downs = Text("\n" + r.downs.summary(), style="dim" if r.downs.ok else "bold yellow")
        if r.equal:
            verdict.update(Text("EQUAL", style="bold green") + Text(f"  {head}{tail}") + downs)
            table.display = False
            return
        verdict.update(Text(f"DIFFERENT: {len(r.differences)} difference(s)", style="bold red")
                       + Text(f"  {head}{tail}") + downs + Text("\nenter opens the selected difference side by side"))
        table.clear()
        for i, d in enumerate(r.differences):
            table.add_row(d.type, d.name, d.detail, key=str(i))
        table.display = True

    def action_validate(self, rebuild: bool = False) -> None:
        if self.running:
            self.notify("a validation is already running (escape cancels it)")
            return
        self.running = True
        self.failure = None
        self.session.validation = None
        self.session_changed()
        self.cancel.clear()
        self.state, self.detail = {}, {}
        self._steps()
        self.run_validation(self.provider, rebuild)

    @work(thread=True, exclusive=True, group="validate", exit_on_error=False, description="validate")
    def run_validation(self, provider: str, rebuild: bool = False) -> None:
        from tui.pg.validate import validate

        try:
            result = validate(self.session.analysis or self.session.root, pg=provider, progress=lambda s, d: self.post_message(self.Progressed(s, d)),
                              cancel=self.cancel, rebuild_history=rebuild)
        finally:
            self.running = False
        self.post_message(ValidationFinished(result))

    def on_validate_screen_progressed(self, event: Progressed) -> None:
        order = [s for s, _ in STEPS]
        if event.step in PROOF_STEPS:
            event = self.Progressed("generate", event.detail)
        if event.step not in order:
            return
        parallel = ("old", "new")  # the history and the new set are applied side by side
        for s in order[: order.index(event.step)]:
            if not (event.step in parallel and s in parallel):
                self.state[s] = "done"
        self.state[event.step] = "active"
        if event.step in parallel and event.detail.startswith("file "):
            count, _, path = event.detail.partition(": ")  # "file 3 of 23: migrations/..."
            self.detail[event.step] = f"{count} · {short_name(path)}"
        else:
            self.detail[event.step] = event.detail
        self._steps()

    def on_validation_finished(self, event: ValidationFinished) -> None:
        self.state = {s: "done" for s, _ in STEPS}
        if event.result.history_from:
            self.state["old"] = "kept"
        self._steps()

    def action_cancel(self) -> None:
        if self.running:
            self.cancel.set()
            self.notify("cancelling: the scratch databases and the server are being removed")

    @on(DataTable.RowSelected, "#differences")
    def open_difference(self, event: DataTable.RowSelected) -> None:
        r = self.session.validation
        if r is not None:
            self.app.push_screen(DiffScreen(r.differences[int(str(event.row_key.value))]))

    def action_open(self) -> None:
        table = self.query_one("#differences", DataTable)
        if table.display and table.row_count:
            r = self.session.validation
            if r is not None:
                self.app.push_screen(DiffScreen(r.differences[table.cursor_row]))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "validate" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.running = False
            error = event.worker.error if event.state == WorkerState.ERROR else None
            if isinstance(error, ConsolidateError) and error.title == "cancelled":
                error = None
            mark = "failed" if error is not None else "cancelled"
            self.state = {s: (mark if v == "active" else v) for s, v in self.state.items()}
            self._steps()
            if error is not None:
                self.failure = error
                self._show_failure(error)

    def _show_failure(self, error: BaseException) -> None:
        """Why the validation stopped, where, and the SQL that failed: the notification fades, this stays."""
        if isinstance(error, ConsolidateError):
            where = f"{error.file}:{error.line}" if error.file and error.line else error.file
            head = (f"{where}: " if where else "") + error.title
            body = error.message
        else:
            head, body = f"{type(error).__name__}", str(error)
        text = Text("FAILED", style="bold red") + Text(f"  {head}\n") + Text(body + "\n")
        excerpt = getattr(error, "excerpt", "")
        if excerpt:
            text += Text(excerpt + "\n", style="yellow")
        text += Text("fix it and press v again", style="dim")
        self.query_one("#verdict", Static).update(text)
        self.query_one("#differences", DataTable).display = False
