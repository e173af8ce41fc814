"""The TUI on a large history: keys are handled while the analysis runs in its worker, and the
findings table draws only the rows on screen, whatever the number of findings."""

from __future__ import annotations

import asyncio
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

from textual import events
from textual.widgets import Input

from tests.app.conftest import settle
from tui.app.app import ConsolidateApp
from tui.app.screens.analyze import AnalyzeScreen
from tui.app.widgets.findings_table import FindingsTable

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from make_history import write  # noqa: E402


class _Counted(list):  # type: ignore[type-arg]
    """A list of findings that counts the rows read from it, and whether it was walked whole."""

    reads = 0
    walked = False

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().__getitem__(i)

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.walked = True
        return super().__iter__()


async def _handled(app: ConsolidateApp, key: str, char: str | None, done: Callable[[], bool]) -> float:
    """Seconds from a key reaching the app to `done()` (what it does has happened).
    (Pilot.press waits for the whole process to go idle, which a running analysis never does.)"""
    start = perf_counter()
    app._driver.send_message(events.Key(key, char))  # type: ignore[union-attr]
    while not done():
        await asyncio.sleep(0.001)
    return perf_counter() - start


async def test_keys_are_handled_while_the_analysis_runs_and_the_table_draws_only_what_shows(tmp_path: Path) -> None:
    statements = write(tmp_path, 600, 50, shapes=True)
    app = ConsolidateApp(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AnalyzeScreen)
        search = app.screen.query_one("#search", Input)
        while_running = [await _handled(app, "slash", "/", lambda: app.focused is search)]
        typed = ""
        while app.session.analysis is None and len(typed) < 12:
            typed += "t"
            took = await _handled(app, "t", "t", lambda: search.value == typed)
            if app.session.analysis is None:
                while_running.append(took)
        assert len(while_running) >= 4, "the analysis of the large history ended before keys could be timed"
        assert statistics.median(while_running) < 0.1, f"key handling while the analysis runs: {while_running}"
        search.value = ""

        await settle(pilot)
        findings = app.session.findings
        table = app.screen.query_one(FindingsTable)
        assert table.row_count == len(findings) > 1000, statements

        # Shown again from a list that counts what is read of it: only the rows on screen are.
        rows = _Counted(findings)
        table.show(rows, app.session.decisions)
        await pilot.press("escape")  # from the search box back to the table
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert 0 < rows.reads <= table.size.height * 10 < len(rows), f"{rows.reads} rows read for {table.size.height} on screen"
        assert not rows.walked, "the table walked every finding"
        assert table.cursor_row == len(findings) - 1 and app.screen.selected() is findings[-1]  # type: ignore[attr-defined]
        await pilot.press("a")
        assert app.session.decisions.get(findings[-1].id) == "accept"
        assert table.decision_at(len(findings) - 1) == "accept"
        assert not rows.walked, "the table walked every finding"
