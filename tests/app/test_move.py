"""Moving a table to another file from the generate screen: the move lands in consolidate.toml,
the set is generated and proven again, and validates EQUAL on a real PostgreSQL."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Input, OptionList, RadioButton

from tests.app.conftest import settle
from tests.conftest import requires_pg
from tui.app.app import ConsolidateApp
from tui.core.proof import PROVEN


@requires_pg
async def test_a_table_moved_to_another_file_is_proven_and_validates(example: Path) -> None:
    (example / "consolidate.toml").write_text('pg = "local"\n')
    app = ConsolidateApp(example)
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await pilot.press("2", "g", "y")
        await settle(pilot)
        generated = app.session.generated
        assert generated is not None
        source = next(f for f in generated.files if "table api_key" in f.objects)
        files = app.screen.query_one("#files", OptionList)
        files.highlighted = [f.path for f in generated.files].index(source.path)
        await pilot.press("m")
        assert type(app.screen).__name__ == "MoveScreen"
        tables = app.screen.query_one("#move-tables", OptionList)
        tables.highlighted = [str(tables.get_option_at_index(i).id) for i in range(tables.option_count)].index("api_key")
        await pilot.press("enter")
        assert app.screen.focused is app.screen.query_one("#move-to", Input)
        await pilot.press("B", "a", "d", "enter")
        assert "lowercase" in str(app.screen.query_one("#move-error").render()), "a wrong name is refused in the dialog"
        app.screen.query_one("#move-to", Input).value = ""
        await pilot.press(*"keys", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "GenerateScreen"
        settings = tomllib.loads((example / "consolidate.toml").read_text())
        assert settings["groups"] == {"keys": ["api_key"]} and settings["pg"] == "local"
        moved = app.session.generated
        assert moved is not None and moved is not generated and moved.proof.state == PROVEN
        target = [f for f in moved.files if f.path.endswith("_keys.sql")]
        assert len(target) == 1 and "table api_key" in target[0].objects
        assert not any("table api_key" in f.objects for f in moved.files if f is not target[0])
        await pilot.press("3")
        app.screen.query_one("#pg-local", RadioButton).value = True
        await pilot.press("v")
        await settle(pilot)
        assert app.session.validation is not None and app.session.validation.equal


@requires_pg
async def test_the_validate_screen_says_what_the_downs_leave(tmp_path: Path) -> None:
    from tests.apply.helpers import run

    project = tmp_path / "shop"
    (project / "migrations").mkdir(parents=True)
    (project / "migrations" / "20240101000000_init.up.sql").write_text("CREATE TABLE account (id int PRIMARY KEY);\nCREATE TABLE note (id int);\n")
    (project / "migrations" / "20240101000000_init.down.sql").write_text("DROP TABLE note;\nDROP TABLE account;\n")
    (project / "migrations" / "20240102000000_more.up.sql").write_text("ALTER TABLE account ADD COLUMN name text;\n")
    (project / "migrations" / "20240102000000_more.down.sql").write_text("ALTER TABLE account DROP COLUMN name;\n")
    assert run(project, "generate", "--pg", "local").returncode == 0
    down = next((project / ".consolidate" / "new").glob("*.down.sql"))
    down.write_text("".join(line + "\n" for line in down.read_text().splitlines() if "note" not in line))
    app = ConsolidateApp(project)
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        app.screen.query_one("#pg-local", RadioButton).value = True
        await pilot.press("v")
        await settle(pilot)
        verdict = str(app.screen.query_one("#verdict").render())
        assert "EQUAL" in verdict and "down migrations: after all" in verdict and "note" in verdict, verdict
