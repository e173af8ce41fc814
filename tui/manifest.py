"""The backup's manifest and the folder operations apply and rollback are built from.

The manifest lists every file (path, size, SHA-256, mode), every folder (empty ones too) and
every symlink of the migrations folder, so rollback can prove the backup intact before it
restores a byte. Folders only ever change by rename, and `checkpoint` names each point
between two steps so a test can kill the process there.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import signal
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui import __version__
from tui.core.errors import ConsolidateError
from tui.core.project import ProjectConfig
from tui.core.state import read_json_object

MANIFEST = ".consolidate-manifest.json"
KILL_ENV = "CONSOLIDATE_KILL_AT"  # fault injection for the crash-safety tests: a checkpoint name


def checkpoint(name: str) -> None:
    """Die here, as a `kill -9` would (or take a Ctrl-C, with CONSOLIDATE_KILL_SIGNAL=INT), when
    the crash tests ask for this point."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGINT if os.environ.get("CONSOLIDATE_KILL_SIGNAL") == "INT" else signal.SIGKILL)


@dataclass(frozen=True)
class Paths:
    """The migrations folder and the siblings apply and rollback use. Only `backup` is meant to last."""

    folder: Path
    backup: Path
    backup_partial: Path  # the backup while it is being copied
    new_partial: Path  # the new set while it is being written
    replaced: Path  # the folder that was swapped out, until it is deleted
    restore_partial: Path  # the restored history while rollback copies it
    backup_removing: Path  # the backup after a finished rollback, until it is deleted

    @classmethod
    def of(cls, cfg: ProjectConfig) -> Paths:
        f = cfg.folder
        return cls(f, cfg.backup, *(f.with_name(f"{f.name}.{s}") for s in
                                    ("old.partial", "new.partial", "replaced.partial", "restore.partial", "old.removing")))

    def leftovers(self) -> list[Path]:
        return [p for p in (self.backup_partial, self.new_partial, self.replaced, self.restore_partial,
                            self.backup_removing) if p.exists() or p.is_symlink()]


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def describe(folder: Path, skip: str = "") -> dict[str, list[dict[str, Any]]]:
    """Every file, folder and symlink under `folder`, sorted, as the manifest records them."""
    files, dirs, links = [], [], []
    for dirpath, dirnames, filenames in os.walk(folder):
        base = Path(dirpath)
        for d in sorted(dirnames):
            p = base / d
            rel = p.relative_to(folder).as_posix()
            if p.is_symlink():
                links.append({"path": rel, "target": os.readlink(p)})
            else:
                dirs.append({"path": rel, "mode": p.stat().st_mode & 0o7777})
        for name in sorted(filenames):
            p = base / name
            rel = p.relative_to(folder).as_posix()
            if rel == skip:
                continue
            if p.is_symlink():
                links.append({"path": rel, "target": os.readlink(p)})
                continue
            st = p.stat()
            if not stat.S_ISREG(st.st_mode):  # a FIFO or a device: reading it would wait forever
                files.append({"path": rel, "special": stat.S_IFMT(st.st_mode), "mode": st.st_mode & 0o7777})
                continue
            files.append({"path": rel, "size": st.st_size, "sha256": _sha(p), "mode": st.st_mode & 0o7777})
    key = lambda e: e["path"]  # noqa: E731
    return {"files": sorted(files, key=key), "dirs": sorted(dirs, key=key), "symlinks": sorted(links, key=key)}


def tree_fingerprint(folder: Path, skip: str = "") -> str:
    """One SHA-256 over `describe`: equal fingerprints mean equal bytes, names, folders and modes."""
    data = json.dumps(describe(folder, skip), sort_keys=True) if folder.is_dir() else "absent"
    return hashlib.sha256(data.encode()).hexdigest()


def make_manifest(folder: Path, history_sha: str, new_sha: str, validation_sha: str) -> dict[str, Any]:
    return {
        "tool": "consolidate",
        "version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "folder": folder.name,
        "mode": folder.stat().st_mode & 0o7777,
        "history_fingerprint": history_sha,
        "new_fingerprint": new_sha,
        "validated_staged_sha256": validation_sha,
        **describe(folder),
    }


def read_manifest(backup: Path) -> dict[str, Any] | None:
    data = read_json_object(backup / MANIFEST)
    return data if data.get("tool") == "consolidate" else None


def check_backup(backup: Path, manifest: dict[str, Any]) -> list[str]:
    """What in the backup differs from its manifest (empty when it is intact)."""
    now = describe(backup, skip=MANIFEST)
    problems = []
    for kind in ("files", "dirs", "symlinks"):
        want = {e["path"]: e for e in manifest.get(kind, [])}
        have = {e["path"]: e for e in now[kind]}
        for path in sorted(want.keys() - have.keys()):
            problems.append(f"{path}: missing from the backup")
        for path in sorted(have.keys() - want.keys()):
            problems.append(f"{path}: in the backup but not in its manifest")
        for path in sorted(want.keys() & have.keys()):
            if want[path] != have[path]:
                changed = [k for k in want[path] if want[path][k] != have[path].get(k)]
                problems.append(f"{path}: {', '.join(changed)} changed since the backup was made")
    return problems


def special_files(folder: Path) -> list[str]:
    """Entries under `folder` that are neither files, folders nor symlinks (FIFOs, sockets, devices)."""
    out = []
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            p = Path(dirpath) / name
            if not p.is_symlink() and not stat.S_ISREG(p.stat().st_mode):
                out.append(p.relative_to(folder).as_posix())
    return sorted(out)


def refuse_special_files(folder: Path, label: str) -> None:
    """apply and rollback copy files, folders and symlinks: anything else is named, not waited on."""
    found = special_files(folder) if folder.is_dir() else []
    if found:
        raise ConsolidateError(f"{label} holds what is not a file", f"{', '.join(found[:5])} (a FIFO, socket or device): "
                               "move it out of the folder first; nothing was changed")


def copy_tree(src: Path, dst: Path, step: str, skip: str = "") -> None:
    """Copy `src` to a new folder `dst`: bytes, modes, times, empty folders and symlinks as they are.

    Each file is flushed to disk before the next, so a copy killed half-way holds only whole files.
    """
    refuse_special_files(src, src.name + "/")
    dst.mkdir(mode=src.stat().st_mode & 0o7777)
    for dirpath, dirnames, filenames in os.walk(src):
        base = Path(dirpath)
        target = dst / base.relative_to(src)
        for d in sorted(dirnames):
            if (base / d).is_symlink():
                os.symlink(os.readlink(base / d), target / d)
            else:
                (target / d).mkdir()
        for name in sorted(filenames):
            p = base / name
            if p.relative_to(src).as_posix() == skip:
                continue
            if p.is_symlink():
                os.symlink(os.readlink(p), target / name)
                continue
            shutil.copy2(p, target / name)
            with (target / name).open("rb") as fh:
                os.fsync(fh.fileno())
            checkpoint(step)
    # Folder modes last: a read-only folder must still receive its files first.
    for dirpath, dirnames, _ in os.walk(src):
        for d in dirnames:
            p = Path(dirpath) / d
            if not p.is_symlink():
                shutil.copystat(p, dst / p.relative_to(src))
    shutil.copystat(src, dst)


def remove_tree(path: Path) -> None:
    """Delete a folder the tool made, read-only modes included."""
    if path.is_symlink() or path.is_file():
        path.unlink()
        return
    if not path.exists():
        return
    for dirpath, dirnames, _ in os.walk(path):
        for d in dirnames:
            if not (Path(dirpath) / d).is_symlink():
                os.chmod(Path(dirpath) / d, 0o700)
    os.chmod(path, 0o700)
    shutil.rmtree(path)


def sync_dir(path: Path) -> None:
    """Make a rename inside `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
