"""A table moved to another file is a `[groups]` entry in consolidate.toml, written so that the
person's own settings and comments stay and the move wins over patterns."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tui.core.errors import ConsolidateError
from tui.core.group_edit import move_table
from tui.core.project import load_config


def _project(tmp_path: Path, settings: str) -> Path:
    (tmp_path / "migrations").mkdir()
    if settings:
        (tmp_path / "consolidate.toml").write_text(settings)
    return tmp_path


def test_the_move_goes_first_and_the_rest_stays(tmp_path: Path) -> None:
    root = _project(tmp_path, 'preamble = "SET x = 1"\n\n[groups]\n# webhooks and their triggers\n'
                              'webhooks = ["trigger", "webhook_*"]\nidentity = ["identity", "api_key"]\n')
    groups = move_table(root, "webhook_event", "events")
    text = (root / "consolidate.toml").read_text()
    assert "# webhooks and their triggers" in text and tomllib.loads(text)["preamble"] == "SET x = 1"
    assert groups[0] == ("events", ("webhook_event",)), "first, so it wins over webhook_*"
    assert ("webhooks", ("trigger", "webhook_*")) in groups
    groups = move_table(root, "api_key", "webhooks")
    assert dict(groups) == {"webhooks": ("api_key", "trigger", "webhook_*"), "events": ("webhook_event",), "identity": ("identity",)}
    assert load_config(root).groups == groups


def test_a_project_without_settings_gets_them(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    assert move_table(root, "pack", "packs") == (("packs", ("pack",)),)
    assert (root / "consolidate.toml").read_text() == '[groups]\npacks = ["pack"]\n'


@pytest.mark.parametrize("settings,group,message", [
    ("", "Packs", "lowercase letters"),
    ('groups = { a = ["x"] }\n', "b", "edit it by hand"),
    ('preamble = "x"\nnot toml\n', "b", "cannot be read"),
])
def test_what_cannot_be_written_is_refused_and_nothing_changes(tmp_path: Path, settings: str, group: str, message: str) -> None:
    root = _project(tmp_path, settings)
    with pytest.raises(ConsolidateError, match=message):
        move_table(root, "pack", group)
    assert (root / "consolidate.toml").read_text() == settings if settings else not (root / "consolidate.toml").exists()
