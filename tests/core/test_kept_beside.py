"""What lies beside the migrations and is none of them: named once, and carried into the new set
as it is (apply swaps the whole folder)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT
from tui.core.analysis import analyze
from tui.core.generate import generate


def test_a_folder_beside_golang_migrates_files_goes_into_the_set(tmp_path: Path) -> None:
    """It was left out of the new set without a word, and so of the folder apply swaps in."""
    folder = tmp_path / "migrations"
    (folder / "seeds").mkdir(parents=True)
    (folder / "1_a.up.sql").write_text("CREATE TABLE a (id int);\n")
    (folder / "1_a.down.sql").write_text("DROP TABLE a;\n")
    (folder / "2_b.up.sql").write_text("ALTER TABLE a ADD COLUMN b int;\n")
    (folder / "seeds" / "rows.sql").write_text("INSERT INTO a VALUES (1);\n")
    (tmp_path / "go.mod").write_text("module x\n")
    said = [str(d) for d in analyze(tmp_path).diagnostics]
    assert any("migrations/seeds: warning: a folder of .sql files, which golang-migrate does not look into" in d for d in said), said
    generate(tmp_path, out=tmp_path / "out")
    assert (tmp_path / "out" / "seeds" / "rows.sql").read_text() == "INSERT INTO a VALUES (1);\n"


def test_a_file_drizzles_journal_does_not_list_is_named_once(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(ROOT / "tests" / "fixtures" / "projects" / "drizzle", project)
    (project / "drizzle" / "9999_stray.sql").write_text("SELECT 1;\n")
    said = [d.message for d in analyze(project).diagnostics if d.file.endswith("9999_stray.sql")]
    assert said == ["not in meta/_journal.json, so drizzle never runs it; kept as it is, not read"], said
