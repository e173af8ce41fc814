"""Commands on one project run one at a time, re-check what was confirmed, and lose nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apply.helpers import project_tree, run, status
from tui.apply import apply, plan_apply, plan_rollback, rollback
from tui.core.errors import ConsolidateError
from tui.core.generate import generate
from tui.core.lock import holder_of, project_lock
from tui.core.state import tree_sha


@pytest.fixture
def staged(example: Path) -> Path:
    generate(example)
    data = {"equal": True, "differences": [], "history_sha256": tree_sha(example / "migrations"),
            "staged_sha256": tree_sha(example / ".consolidate" / "new")}
    (example / ".consolidate" / "validation.json").write_text(json.dumps(data))
    return example


def test_a_second_command_is_refused_while_one_holds_the_project(staged: Path) -> None:
    apply(plan_apply(staged))
    before = project_tree(staged)
    with project_lock(staged, "apply"):  # this process is the first command; the CLI is another process
        assert holder_of(staged) is not None
        for command in (("rollback", "--yes"), ("generate", "--no-proof")):
            r = run(staged, *command)
            assert r.returncode == 2, r.stderr
            assert "is working on this project" in r.stderr and "Traceback" not in r.stderr
        st = status(staged)
        assert st["state"] == "busy" and "wait until" in str(st["next"])
        assert project_tree(staged) == before
    assert holder_of(staged) is None
    assert status(staged)["state"] == "applied"


def test_two_rollbacks_planned_together_restore_once_and_lose_nothing(staged: Path) -> None:
    original = project_tree(staged)
    apply(plan_apply(staged))
    first, second = plan_rollback(staged), plan_rollback(staged)
    rollback(first)
    with pytest.raises(ConsolidateError, match="nothing to roll back"):
        rollback(second)  # the old bug: the second deleted the restored history
    assert project_tree(staged) == original


def test_an_apply_planned_before_another_apply_is_refused(staged: Path) -> None:
    first, second = plan_apply(staged), plan_apply(staged)
    apply(first)
    after = project_tree(staged)
    with pytest.raises(ConsolidateError, match="backup already exists"):
        apply(second)
    assert project_tree(staged) == after


def test_each_forced_rollback_keeps_its_own_copy(staged: Path) -> None:
    for n, name in enumerate(("after-apply", "after-apply.2"), 1):
        apply(plan_apply(staged))
        (staged / "migrations" / f"001{n}_new_work.sql").write_text(f"CREATE TABLE invoice{n} (id int);\n")
        plan = plan_rollback(staged, force=True)
        assert any(name + "/" in line for line in plan.lines())
        rollback(plan)
        assert (staged / ".consolidate" / name / f"001{n}_new_work.sql").is_file()
    assert (staged / ".consolidate" / "after-apply" / "0011_new_work.sql").is_file()  # the first copy survived


def test_generate_out_never_writes_inside_the_history_nor_touches_a_tmp_beside(example: Path, tmp_path: Path) -> None:
    with pytest.raises(ConsolidateError, match="into the migrations folder"):
        generate(example, out=example / "migrations" / "sub")
    assert not (example / "migrations" / "sub").exists()
    mine = tmp_path / "out" / "x.tmp"
    mine.mkdir(parents=True)
    (mine / "keep.txt").write_text("mine")
    generate(example, out=tmp_path / "out" / "x")
    assert (mine / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x", "x.tmp"]


def test_generate_refuses_to_replace_hand_edits_and_force_keeps_them(example: Path) -> None:
    generate(example)
    first = sorted((example / ".consolidate" / "new").glob("*.sql"))[0]
    edited = first.read_text() + "\n-- my careful edit\n"
    first.write_text(edited)
    (example / ".consolidate" / "new" / "9999_mine.sql").write_text("-- added by hand\n")
    with pytest.raises(ConsolidateError, match=f"edited by hand.*{first.name}, 9999_mine.sql.*--force"):
        generate(example)
    assert first.read_text() == edited
    r = run(example, "generate", "--no-proof")
    assert r.returncode == 2 and "edited by hand" in r.stderr and "Traceback" not in r.stderr
    result = generate(example, force=True)
    assert result.kept_edits == example / ".consolidate" / "new.edited"
    assert (result.kept_edits / first.name).read_text() == edited
    assert (result.kept_edits / "9999_mine.sql").is_file()
    assert "my careful edit" not in first.read_text()
    assert generate(example).kept_edits is None  # a set nobody edited is simply replaced


def test_a_fifo_in_the_migrations_folder_is_named_not_waited_on(staged: Path) -> None:
    fifo = staged / "migrations" / "pipe"
    before = project_tree(staged)
    os.mkfifo(fifo)
    with pytest.raises(ConsolidateError, match="pipe .*FIFO"):
        plan_apply(staged)
    fifo.unlink()
    apply(plan_apply(staged))
    os.mkfifo(fifo)  # made after apply: rollback with --force would copy the folder
    with pytest.raises(ConsolidateError, match="pipe .*FIFO"):
        plan_rollback(staged, force=True)
    r = run(staged, "status")  # and status answers
    assert r.returncode == 0
    fifo.unlink()
    rollback(plan_rollback(staged))
    assert project_tree(staged) == before


def test_a_symlinked_migrations_folder_is_refused_not_replaced(staged: Path) -> None:
    real = staged / "real_migrations"
    (staged / "migrations").rename(real)
    (staged / "migrations").symlink_to("real_migrations")
    with pytest.raises(ConsolidateError, match="symbolic link"):
        plan_apply(staged, force=True)
    assert (staged / "migrations").is_symlink()



def _start(project: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tui", args[0], str(project), *args[1:]], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("first,second", [(("rollback", "--yes"), ("rollback", "--yes")),
                                          (("apply", "--yes"), ("rollback", "--yes")),
                                          (("apply", "--yes"), ("generate", "--no-proof"))])
def test_two_commands_started_together_lose_nothing(staged: Path, first: tuple[str, ...], second: tuple[str, ...]) -> None:
    original = project_tree(staged)
    for _ in range(int(os.environ.get("CONSOLIDATE_RACE_ROUNDS", "3"))):  # the suite's three; more by hand
        if first[0] == "rollback":
            apply(plan_apply(staged))
        a, b = _start(staged, *first), _start(staged, *second)
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in (a, b)]
        assert all(code in (0, 2) and "Traceback" not in err for code, err in results), results
        st = status(staged)
        assert st["state"] in ("applied", "rolled_back", "generated", "validated", "untouched"), st
        if st["state"] == "applied":
            rollback(plan_rollback(staged))
        assert project_tree(staged) == original, results  # whatever ran, and in whatever order
        if first[0] == "rollback":
            assert sum(code == 0 for code, _ in results) >= 1, results
