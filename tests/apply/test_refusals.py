"""Every refusal of apply and rollback: nothing changes, and the message says what to do."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.apply.helpers import project_tree, run
from tui.apply import apply, plan_apply, plan_rollback, rollback
from tui.core.errors import ConsolidateError
from tui.core.generate import generate
from tui.core.state import tree_sha


@pytest.fixture
def staged(example: Path) -> Path:
    generate(example)
    return example


def _validation(project: Path, **over: object) -> None:
    """A validation record as validate writes it (the real validate is tested in tests/pg)."""
    data = {"equal": True, "differences": [], "history_sha256": tree_sha(project / "migrations"),
            "staged_sha256": tree_sha(project / ".consolidate" / "new"), "provider": {"name": "local", "version": "15"}}
    data.update(over)
    (project / ".consolidate" / "validation.json").write_text(json.dumps(data))


def _refused(project: Path, match: str, **kw: object) -> None:
    before = project_tree(project)
    with pytest.raises(ConsolidateError, match=match):
        plan_apply(project, **kw)  # type: ignore[arg-type]
    assert project_tree(project) == before


def test_refuses_without_a_staged_set(example: Path) -> None:
    _refused(example, "consolidate generate")


def test_refuses_without_a_validation(staged: Path) -> None:
    _refused(staged, "never validated: run consolidate validate")


def test_refuses_a_validation_with_differences(staged: Path) -> None:
    _validation(staged, equal=False, differences=[{"type": "column"}])
    _refused(staged, "found 1 difference")


def test_refuses_a_staged_set_changed_since_validation(staged: Path) -> None:
    _validation(staged)
    first = sorted((staged / ".consolidate" / "new").glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    _refused(staged, "staged set changed since it was validated")


def test_refuses_a_history_edited_since_validation(staged: Path) -> None:
    _validation(staged)
    (staged / "migrations" / "99999999999999_late.sql").write_text("CREATE TABLE late (id int);\n")
    _refused(staged, "edited since the validation: run consolidate validate again")


def test_force_applies_and_says_what_it_skipped(staged: Path) -> None:
    _validation(staged, equal=False, differences=[{"type": "column"}])
    plan = plan_apply(staged, force=True)
    assert plan.forced == ["the validation's differences"]
    apply(plan)
    report = (staged / "migrations" / "CONSOLIDATION.md").read_text()
    assert "Applied with `--force`" in report and "the validation's differences" in report


def test_refuses_while_a_backup_exists(staged: Path) -> None:
    _validation(staged)
    apply(plan_apply(staged))
    _refused(staged, r"roll back first \(consolidate rollback\)")


def test_refuses_after_an_interrupted_run(staged: Path) -> None:
    _validation(staged)
    (staged / "migrations.new.partial").mkdir()
    _refused(staged, "interrupted: .*run consolidate rollback")


def test_refuses_a_migrations_old_not_made_by_apply(staged: Path) -> None:
    _validation(staged)
    shutil.copytree(staged / "migrations", staged / "migrations.old")
    _refused(staged, "backup already exists")
    with pytest.raises(ConsolidateError, match="no readable .consolidate-manifest.json"):
        plan_rollback(staged)


def test_rollback_refuses_a_backup_that_does_not_match_its_manifest(staged: Path) -> None:
    _validation(staged)
    apply(plan_apply(staged))
    victim = sorted((staged / "migrations.old").glob("*.sql"))[3]
    victim.write_bytes(victim.read_bytes().replace(b"CREATE", b"create", 1))
    (staged / "migrations.old" / "stray.sql").write_text("-- not in the manifest\n")
    before = project_tree(staged)
    with pytest.raises(ConsolidateError, match="does not match its manifest") as exc:
        plan_rollback(staged)
    assert victim.name in str(exc.value) and "sha256" in str(exc.value) and "stray.sql" in str(exc.value)
    assert project_tree(staged) == before


def test_rollback_refuses_to_lose_migrations_added_after_apply(staged: Path) -> None:
    _validation(staged)
    original = project_tree(staged)
    apply(plan_apply(staged))
    (staged / "migrations" / "0010_new_work.sql").write_text("CREATE TABLE invoice (id int);\n")
    with pytest.raises(ConsolidateError, match="changed since apply.*--force"):
        plan_rollback(staged)
    plan = plan_rollback(staged, force=True)
    assert plan.keep_current
    rollback(plan)
    assert project_tree(staged) == original
    assert (staged / ".consolidate" / "after-apply" / "0010_new_work.sql").is_file()


def test_rollback_with_nothing_to_roll_back(example: Path) -> None:
    with pytest.raises(ConsolidateError, match="nothing to roll back: there is no migrations.old/"):
        plan_rollback(example)


def test_git_changes_are_a_warning(staged: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("no git")
    git = lambda *a: subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *a], cwd=staged,  # noqa: E731
                                    check=True, capture_output=True)
    git("init", "-q")
    git("add", "migrations")
    git("commit", "-qm", "history")
    first = sorted((staged / "migrations").glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- local edit\n")
    generate(staged)
    _validation(staged)
    plan = plan_apply(staged)
    assert any("uncommitted" in w and first.name in w for w in plan.warnings), plan.warnings


def test_cli_without_yes_and_without_a_terminal_changes_nothing(staged: Path) -> None:
    _validation(staged)
    before = project_tree(staged)
    r = run(staged, "apply")
    assert r.returncode == 2 and "rerun with --yes" in r.stderr
    assert project_tree(staged) == before
