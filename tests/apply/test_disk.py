"""A full disk and a read-only project: every command stops with a message that says what to do,
exit 2, never a traceback, and the history comes back byte for byte.

Real file systems: a tmpfs of a given size, and a read-only bind mount (both need root's mount).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.apply.helpers import project_tree, run, status
from tui.core.generate import generate


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def _mounted(target: Path, *args: str) -> Iterator[None]:
    target.mkdir(parents=True, exist_ok=True)
    if not _mount(*args, str(target)):
        pytest.skip("this machine does not let the tests mount a file system (root's mount is needed)")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import ROOT

    base = tmp_path_factory.mktemp("disk") / "project"
    base.mkdir()
    shutil.copytree(ROOT / "migrations", base / "migrations")
    generate(base)
    return base


def _size_kib(folder: Path) -> int:
    return sum(-(-p.stat().st_size // 4096) * 4 for p in folder.rglob("*") if p.is_file()) + 4 * len(list(folder.rglob("*")))


def _says_what_to_do(r: subprocess.CompletedProcess[str], cause: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert cause in r.stderr, r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_apply_on_a_full_disk_loses_nothing(prepared: Path, tmp_path: Path) -> None:
    """Apply, then rollback, on file systems too small for them at each step: each stops with
    the cause, and once there is room, rollback gives the history back byte for byte."""
    need = _size_kib(prepared)
    stopped = 0
    for extra in range(-need // 2, need, max(need // 16, 4)):
        mnt = tmp_path / f"fs{extra}"
        with _mounted(mnt, "-t", "tmpfs", "-o", f"size={need + extra}k", "tmpfs"):
            project = mnt / "p"
            try:
                shutil.copytree(prepared, project)
            except OSError:
                continue  # too small even for the project
            before = project_tree(project)
            r = run(project, "apply", "--yes", "--force")
            if r.returncode != 0:
                stopped += 1
                _says_what_to_do(r, "no space left")
                assert "rollback" in r.stderr
                assert status(project)["state"] in ("interrupted", "generated"), status(project)
                assert project_tree(project)["migrations"] == before["migrations"]
                subprocess.run(["mount", "-o", f"remount,size={need * 4}k", str(mnt)], check=True)
            r = run(project, "rollback", "--yes")
            if r.returncode != 0:  # the disk was just big enough for apply, not for the copy rollback makes
                stopped += 1
                _says_what_to_do(r, "no space left")
                subprocess.run(["mount", "-o", f"remount,size={need * 4}k", str(mnt)], check=True)
                assert run(project, "rollback", "--yes").returncode == 0
            assert project_tree(project) == before, f"at {need + extra} KiB"
    assert stopped >= 3, "too few sizes were small enough to stop apply or rollback: the test proves little"


def test_rollback_on_a_full_disk_loses_nothing(prepared: Path, tmp_path: Path) -> None:
    mnt = tmp_path / "fs"
    with _mounted(mnt, "-t", "tmpfs", "-o", f"size={_size_kib(prepared) * 4}k", "tmpfs"):
        project = mnt / "p"
        shutil.copytree(prepared, project)
        before = project_tree(project)
        assert run(project, "apply", "--yes", "--force").returncode == 0
        filler = mnt / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)  # until the disk is full
        r = run(project, "rollback", "--yes")
        if r.returncode != 0:
            _says_what_to_do(r, "no space left")
        filler.unlink()
        if r.returncode != 0:
            assert run(project, "rollback", "--yes").returncode == 0
        assert project_tree(project) == before


def test_a_read_only_project_is_refused_with_its_cause(prepared: Path, tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(prepared, source / "p")
    before = project_tree(source / "p")
    ro = tmp_path / "ro"
    with _mounted(ro, "--bind", str(source)):
        if not _mount("-o", "remount,bind,ro", str(ro)):
            pytest.skip("this machine does not let the tests remount read-only")
        project = ro / "p"
        for command in (["generate", "--no-proof", "--force"], ["apply", "--yes", "--force"]):
            _says_what_to_do(run(project, *command), "read-only file system")
        assert run(project, "status").returncode == 0
    assert project_tree(source / "p") == before
