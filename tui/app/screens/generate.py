"""Phase 2: the new files, their SQL, where each object came from, and the totals old against new."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.app.messages import GenerationFinished
from tui.app.screens.base import PhaseScreen
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.move import MoveScreen
from tui.core.errors import ConsolidateError
from tui.core.formats.base import short_name
from tui.core.group_edit import move_table


def _group_of(path: str) -> str:
    """The file's name in the set without its number and extension: `0003_sensor.sql` -> `sensor`."""
    first = path.split("/", 1)[0]
    return re.sub(r"^\d+_", "", first.split(".", 1)[0])


class GenerateScreen(PhaseScreen):
    PHASE = "generate"
    AUTO_FOCUS = "#files"
    _files: list[dict[str, object]] = []
    BINDINGS = [
        Binding("g", "generate", "Generate", tooltip="Write the consolidated set to .consolidate/new/", id="generate"),
        Binding("m", "move", "Move table", tooltip="Move a table of this file to another file (kept in consolidate.toml)",
                id="move-table"),
        Binding("enter", "open", "Open", show=False, id="open-file"),
        Binding("escape", "back", "Back", show=False, id="back"),
    ]

    @dataclass
    class Progressed(Message):
        step: str
        detail: str

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, GenerateScreen.Progressed)

    def compose(self):  # type: ignore[no-untyped-def]
        yield from self.compose_frame()
        with Horizontal(id="generate-body"):
            with Vertical(id="files-pane"):
                yield OptionList(id="files")
                yield Static(id="provenance")
            with VerticalScroll(id="sql-pane"):
                yield Static(id="sql")
        yield Static(id="proof")
        yield Static(id="totals")

    def session_changed(self) -> None:
        files, totals = self.session.staged_files()
        self._files = files
        ol = self.query_one("#files", OptionList)
        keep = ol.highlighted or 0
        ol.clear_options()
        ol.add_options([Option(f"{f['file']}  {f['statements']} st · {f['lines']} lines", id=str(f["file"])) for f in files])
        if not files:
            self.query_one("#sql", Static).update(Text("Nothing generated yet: press g to write the consolidated set "
                                                       "to .consolidate/new/ (migrations/ is not touched).", style="dim"))
            self.query_one("#provenance", Static).update("")
            self.query_one("#totals", Static).update("")
            return
        ol.highlighted = min(keep, len(files) - 1)
        self.query_one("#proof", Static).update(self._proof_line())
        h, n = totals.get("history", {}), totals.get("new", {})
        self.query_one("#totals", Static).update(
            f"history: {h.get('files', '?')} files, {h.get('statements', '?')} statements, {h.get('lines', '?')} lines   →   "
            f"new set: {n.get('files', '?')} files, {n.get('statements', '?')} statements, {n.get('lines', '?')} lines")

    def _proof_line(self) -> Text:
        from tui.core.proof import PROVEN, Proof

        g = self.session.generated
        data = self.session.state.read_generated().get("proof")
        proof = g.proof if g is not None else Proof.from_json(data) if isinstance(data, dict) else None
        if proof is None:
            return Text("")
        style = "green" if proof.state == PROVEN else "bold red"
        line = Text(proof.summary(), style=style)
        plan = g.plan if g is not None else None
        # What generate kept where it stood, as the CLI says it (the first two; `generate --json` lists all).
        for kept, why in ((plan.unfolded if plan else [], "kept unfolded to break a cycle"),
                          (plan.too_deep if plan else [], "written as they are, nested too deep to print again")):
            if kept:
                line.append(f" · {len(kept)} {why} ({', '.join(kept[:2])}{' ...' if len(kept) > 2 else ''})", style="yellow")
        return line

    def on_generate_screen_progressed(self, event: Progressed) -> None:
        self.query_one("#proof", Static).update(Text(f"proving: {event.detail}", style="bold"))

    @on(OptionList.OptionHighlighted, "#files")
    def show_file(self, event: OptionList.OptionHighlighted) -> None:
        f = next((x for x in self._files if x["file"] == event.option.id), None)
        if f is None:
            return
        self.query_one("#sql-pane").border_title = str(f["file"])
        self.query_one("#sql", Static).update(Syntax(str(f["text"]), "sql", theme="ansi_dark", line_numbers=True,
                                                     word_wrap=False, background_color="default"))
        lines: list[Text] = [Text("where each object came from", style="bold")]
        for label in f.get("objects", []):  # type: ignore[union-attr]
            type_, _, name = str(label).partition(" ")
            obj = self.session.obj(type_, name)
            where = ", ".join(f"{short_name(e.stmt.file)}:{e.stmt.line}" for e in obj.events[:3]) if obj else ""
            more = f" +{len(obj.events) - 3}" if obj and len(obj.events) > 3 else ""
            lines.append(Text(f"{label}: ", style="cyan") + Text(where + more))
        self.query_one("#provenance", Static).update(Group(*lines))

    def action_generate(self) -> None:
        edited = self.session.state.edited_files()

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify("generating…")
                self.run_generate()

        where = (f"replaces your hand edits in .consolidate/new/ ({', '.join(edited[:3])}{' ...' if len(edited) > 3 else ''}): "
                 "they are moved to .consolidate/new.edited/" if edited else "writes .consolidate/new/ (replacing what is there)")
        self.app.push_screen(ConfirmScreen("Generate the consolidated set?", [
            where,
            "proves it on a throwaway PostgreSQL and backs off any fold it disagrees with",
            "migrations/ is not touched",
            f"{len(self.session.decisions.by_id)} saved decision(s) apply; undecided findings are folded"],
            yes="Generate"), answered)

    @work(thread=True, exclusive=True, group="generate", exit_on_error=False, description="generate")
    def run_generate(self) -> None:
        from tui.core.generate import generate
        from tui.pg.proof import PgProver

        result = generate(self.session.analysis or self.session.root, decisions=self.session.decisions,
                          prover=PgProver(self.session.provider), say=lambda step, detail: self.post_message(self.Progressed(step, detail)),
                          force=True)  # the confirmation said what happens to hand edits
        self.post_message(GenerationFinished(result))

    def action_move(self) -> None:
        ol = self.query_one("#files", OptionList)
        if not self._files or ol.highlighted is None:
            self.notify("generate the set first (g): then a table can be moved to another file", severity="warning")
            return
        f = self._files[ol.highlighted]
        tables = [str(o).partition(" ")[2] for o in f.get("objects", []) if str(o).startswith("table ")]  # type: ignore[union-attr]
        if not tables:
            self.notify(f"{f['file']} creates no table to move", severity="warning")
            return
        files = list(dict.fromkeys(_group_of(str(x["file"])) for x in self._files))

        def answered(choice: tuple[str, str] | None) -> None:
            if not choice:
                return
            table, group = choice
            try:
                groups = move_table(self.session.root, table, group)
            except ConsolidateError as exc:
                self.notify(str(exc), title="not moved", severity="error", timeout=15)
                return
            a = self.session.analysis
            if a is not None:
                self.session.analysis = replace(a, config=replace(a.config, groups=groups))
            self.notify(f"table {table} goes to {group} (written to consolidate.toml [groups]); generating and proving the set again")
            self.run_generate()

        self.app.push_screen(MoveScreen(str(f["file"]), tables, files), answered)

    def action_open(self) -> None:
        self.query_one("#sql-pane").focus()

    def action_back(self) -> None:
        self.query_one("#files").focus()
