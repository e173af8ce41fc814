"""A kill -9 or a Ctrl-C at every point of apply and rollback, also of the rollback that recovers,
loses nothing: status names the state and rollback brings back the original tree byte for byte
(contents, names, empty folders, modes)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from tests.apply.helpers import add_odd_files, checkpoints, project_tree, run, status
from tui.core.generate import generate

APPLY_POINTS = [c for c in checkpoints("tui/apply.py") if c.startswith("apply.")]
ROLLBACK_POINTS = [c for c in checkpoints("tui/apply.py") if c.startswith("rollback.") and "keep" not in c]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with odd files and a staged set, made once (copied for each kill point)."""
    from tests.conftest import ROOT

    base = tmp_path_factory.mktemp("crash") / "project"
    base.mkdir()
    shutil.copytree(ROOT / "migrations", base / "migrations")
    add_odd_files(base / "migrations")
    generate(base)
    return base


def _copy(prepared: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "p"
    shutil.copytree(prepared, dest, symlinks=True)
    return dest


def test_every_kill_point_is_covered() -> None:
    assert len(APPLY_POINTS) >= 8 and len(ROLLBACK_POINTS) >= 7, (APPLY_POINTS, ROLLBACK_POINTS)


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_apply_killed_then_rolled_back(prepared: Path, tmp_path: Path, point: str) -> None:
    project = _copy(prepared, tmp_path)
    before = project_tree(project)
    r = run(project, "apply", "--yes", "--force", kill_at=point)
    assert r.returncode == -9, f"not killed at {point}: {r.stderr}"
    st = status(project)
    assert st["state"] == ("applied" if point == "apply.done" else "interrupted"), st
    assert "rollback" in str(st["next"])
    r = run(project, "rollback", "--yes")
    assert r.returncode == 0, r.stderr
    assert project_tree(project) == before
    assert status(project)["state"] in ("rolled_back", "untouched", "generated")


@pytest.mark.parametrize("point", ROLLBACK_POINTS)
def test_rollback_killed_then_finished(prepared: Path, tmp_path: Path, point: str) -> None:
    project = _copy(prepared, tmp_path)
    before = project_tree(project)
    assert run(project, "apply", "--yes", "--force").returncode == 0
    assert project_tree(project) != before
    r = run(project, "rollback", "--yes", kill_at=point)
    assert r.returncode == -9, f"not killed at {point}: {r.stderr}"
    st = status(project)
    if point in ("rollback.done",):
        assert st["state"] == "rolled_back", st
        assert project_tree(project) == before
        return
    assert st["state"] in ("interrupted", "applied"), st
    assert "rollback" in str(st["next"])
    r = run(project, "rollback", "--yes")
    assert r.returncode == 0, r.stderr
    assert project_tree(project) == before
    assert status(project)["state"] == "rolled_back"


@pytest.mark.parametrize("point", APPLY_POINTS)
def test_apply_interrupted_by_ctrl_c_then_rolled_back(prepared: Path, tmp_path: Path, point: str) -> None:
    project = _copy(prepared, tmp_path)
    before = project_tree(project)
    r = run(project, "apply", "--yes", "--force", kill_at=point, signal="INT")
    assert r.returncode == 2 and "interrupted" in r.stderr and "Traceback" not in r.stderr, (point, r.stderr)
    st = status(project)
    assert st["state"] == ("applied" if point == "apply.done" else "interrupted"), st
    r = run(project, "rollback", "--yes")
    assert r.returncode == 0, r.stderr
    assert project_tree(project) == before


# Pairs of (where apply dies, where the rollback that recovers dies too), drawn once with a fixed seed.
PAIRS = random.Random(20261202).sample([(a, b) for a in APPLY_POINTS[:-1] for b in ROLLBACK_POINTS], 6)


@pytest.mark.parametrize("apply_point,rollback_point", PAIRS)
def test_recovery_killed_too_then_finished(prepared: Path, tmp_path: Path, apply_point: str, rollback_point: str) -> None:
    project = _copy(prepared, tmp_path)
    before = project_tree(project)
    assert run(project, "apply", "--yes", "--force", kill_at=apply_point).returncode == -9
    r = run(project, "rollback", "--yes", kill_at=rollback_point)
    assert r.returncode in (-9, 0), r.stderr  # a recovery that clears leftovers may not reach the point
    r = run(project, "rollback", "--yes")
    assert r.returncode in (0, 2), r.stderr
    if r.returncode == 2:
        assert "nothing to roll back" in r.stderr, r.stderr  # the killed recovery had finished its work
    assert project_tree(project) == before
    assert status(project)["state"] in ("rolled_back", "untouched", "generated")
