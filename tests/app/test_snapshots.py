"""SVG snapshots of each phase, the differences view and the confirmation dialogs, at 120x40.

What differs from machine to machine (the provider's version and path) is pinned before the
picture is taken; everything else on screen comes from the real run.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import RadioButton

from tests.app.conftest import settle
from tests.apply.helpers import run
from tests.conftest import requires_pg
from tui.app.app import ConsolidateApp

SIZE = (120, 40)


def _pin_provider(app: Any) -> None:
    v = app.session.validation
    v.provider = {"name": "local", "version": "15", "why": "local binaries on this machine"}
    if v.history_from:  # the history's catalog kept by the proof: its clock pinned
        v.history_from = "generate at 2026-01-01 00:00:00 UTC"
    app.changed()


async def _quiet(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def _after_analysis(*keys: str) -> Any:
    """A run_before that waits for the analysis, presses `keys` and clears the notifications."""
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await _quiet(pilot)

    return before


def test_analyze(snap_compare: Any, example: Path) -> None:
    assert snap_compare(ConsolidateApp(example), terminal_size=SIZE, run_before=_after_analysis("down", "down"))


def test_help_for_a_finding(snap_compare: Any, example: Path) -> None:
    assert snap_compare(ConsolidateApp(example), terminal_size=SIZE, run_before=_after_analysis("down", "down", "f1"))


def test_generate_confirm(snap_compare: Any, example: Path) -> None:
    assert snap_compare(ConsolidateApp(example), terminal_size=SIZE, run_before=_after_analysis("2", "g"))


def test_generate(snap_compare: Any, example: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.session.provider = "local"  # type: ignore[attr-defined]  # the same server on every machine, and the quickest
        await pilot.press("2", "g", "y")
        await settle(pilot)
        await pilot.press("down")
        await _quiet(pilot)

    assert snap_compare(ConsolidateApp(example), terminal_size=SIZE, run_before=before)


async def _validated(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.session.provider = "local"  # type: ignore[attr-defined]  # as in test_generate: the proof on the same server everywhere
    await pilot.press("2", "g", "y")
    await settle(pilot)
    await pilot.press("3")
    pilot.app.screen.query_one("#pg-local", RadioButton).value = True
    await pilot.press("v")
    await settle(pilot)
    assert pilot.app.session.validation.history_from.startswith("generate at ")  # type: ignore[attr-defined]
    _pin_provider(pilot.app)


@requires_pg
@pytest.mark.pg
def test_validate_equal(snap_compare: Any, example: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _validated(pilot)
        await _quiet(pilot)

    assert snap_compare(ConsolidateApp(example), terminal_size=SIZE, run_before=before)


@requires_pg
@pytest.mark.pg
def test_apply_confirm(snap_compare: Any, example: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _validated(pilot)
        await pilot.press("4")
        await _quiet(pilot)
        await pilot.press("p")
        await pilot.pause()

    assert snap_compare(ConsolidateApp(example), terminal_size=SIZE, run_before=before)


@requires_pg
@pytest.mark.pg
def test_apply_phase(snap_compare: Any, example: Path) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _validated(pilot)
        await pilot.press("4")
        await _quiet(pilot)

    assert snap_compare(ConsolidateApp(example), terminal_size=SIZE, run_before=before)


def test_rollback_confirm(snap_compare: Any, example: Path) -> None:
    # The screen under test is rollback's: the set need not be proven (no server, nothing to wait on).
    assert run(example, "generate", "--no-proof").returncode == 0
    assert run(example, "apply", "--yes", "--force").returncode == 0

    async def before(pilot: Pilot[None]) -> None:
        await _quiet(pilot)
        await pilot.press("r")
        await pilot.pause()

    assert snap_compare(ConsolidateApp(example), terminal_size=SIZE, run_before=before)


@pytest.fixture
def different(example: Path, pg_server: Any) -> tuple[Path, Any]:
    """A real validation of a staged set with one deliberate change: a default."""
    from tui.core.generate import generate
    from tui.pg.proof import PgProver
    from tui.pg.validate import validate

    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    generate(example, prover=PgProver(url=url, create_roles=True))  # proven: the deliberate change is the only difference
    staged = example / "mutated"
    shutil.copytree(example / ".consolidate" / "new", staged)
    old = "DEFAULT '{}'::jsonb"
    core = next(p for p in sorted(staged.glob("*.sql")) if old in p.read_text())
    text = core.read_text()
    core.write_text(text.replace(old, "DEFAULT '{\"mutated\": true}'::jsonb", 1))
    result = validate(example, url=url, staged=staged, create_roles=True)
    assert not result.equal and result.differences
    return example, result


@requires_pg
@pytest.mark.pg
def test_differences_and_side_by_side(snap_compare: Any, different: tuple[Path, Any]) -> None:
    project, result = different

    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app: Any = pilot.app
        app.session.validation = result
        _pin_provider(app)
        await pilot.press("3")
        await _quiet(pilot)

    assert snap_compare(ConsolidateApp(project), terminal_size=SIZE, run_before=before)


@requires_pg
@pytest.mark.pg
def test_difference_opened(snap_compare: Any, different: tuple[Path, Any]) -> None:
    project, result = different

    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app: Any = pilot.app
        app.session.validation = result
        _pin_provider(app)
        await pilot.press("3")
        await _quiet(pilot)
        app.screen.query_one("#differences").focus()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(ConsolidateApp(project), terminal_size=SIZE, run_before=before)
