"""The tool's own state under `.consolidate/`: every path in it, and the freshness records that tie
the staged set and the last validation to the history and the decisions they were made from.

generate, validate, apply, status and the app read these paths from here only.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_DIR = ".consolidate"


@dataclass(frozen=True)
class State:
    """The `.consolidate/` folder of one project."""

    dir: Path

    @property
    def decisions(self) -> Path:
        """The user's triage: committed with the project."""
        return self.dir / "decisions.json"

    @property
    def staged(self) -> Path:
        """The staged set generate writes and validate proves."""
        return self.dir / "new"

    @property
    def generated(self) -> Path:
        """What the staged set was made from, and what each file holds."""
        return self.dir / "generated.json"

    @property
    def validation(self) -> Path:
        """The last validation's result, with the hashes of the two trees it compared."""
        return self.dir / "validation.json"

    @property
    def history_catalog(self) -> Path:
        """The catalog the history's last build gave, and what it was built from (tui/pg/history_catalog.py)."""
        return self.dir / "history-catalog.json"

    @property
    def rolled_back(self) -> Path:
        """The fingerprint of the folder rollback restored, for `status`."""
        return self.dir / "rollback.json"

    @property
    def after_apply(self) -> Path:
        """A copy of migrations added after apply, kept by `rollback --force`."""
        return self.dir / "after-apply"

    def read_generated(self) -> dict[str, Any]:
        """The record generate leaves beside the staged set ({} when there is none)."""
        return read_json_object(self.generated)

    def read_validation(self) -> dict[str, Any]:
        return read_json_object(self.validation)

    def write_json(self, path: Path, data: dict[str, Any]) -> None:
        """Write one of the records atomically: a crash never leaves half a file."""
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
        os.replace(tmp, path)

    def staged_is_stale(self, folder: Path, decisions: dict[str, object]) -> bool:
        """True when the staged set is missing or was made from another history, other decisions or
        another version of the tool."""
        data = self.read_generated()
        if not self.staged.is_dir() or not data:
            return True
        return bool(data.get("history_sha256") != tree_sha(folder) or data.get("decisions") != decisions
                    or data.get("staged_sha256") != tree_sha(self.staged) or data.get("generator") != generator_sha())

    def staged_was_edited(self) -> bool:
        """True when the staged set is not the one generate wrote: somebody edited it by hand."""
        data = self.read_generated()
        return self.staged.is_dir() and bool(data) and data.get("staged_sha256") != tree_sha(self.staged)

    def edited_files(self) -> list[str]:
        """The staged files edited, added or removed by hand since generate wrote them."""
        data = self.read_generated()
        if not self.staged.is_dir() or not data:
            return []
        now = file_hashes(self.staged)
        if data.get("staged_sha256") == sha_of(now):
            return []
        written = data.get("file_sha256")
        if not isinstance(written, dict):
            return ["(the staged set)"]  # made by a version that kept no hash per file
        return sorted(p for p in set(written) | set(now) if written.get(p) != now.get(p))

    def staged_made_from_this(self, folder: Path, decisions: dict[str, object]) -> bool:
        """True when the staged set was generated from exactly this history and these decisions
        (whatever was edited in it since)."""
        data = self.read_generated()
        return bool(data) and data.get("history_sha256") == tree_sha(folder) and data.get("decisions") == decisions

    def keep_edited(self) -> Path:
        """Move a hand-edited staged set aside (`new.edited`, `new.edited.2`, ...) and return where."""
        keep = self.dir / "new.edited"
        n = 1
        while keep.exists():
            n += 1
            keep = self.dir / f"new.edited.{n}"
        self.staged.rename(keep)
        return keep

    def validation_is_fresh(self, folder: Path) -> tuple[dict[str, Any], bool]:
        """The last validation, and whether it was made on exactly this staged set and this history."""
        v = self.read_validation()
        fresh = bool(v) and v.get("staged_sha256") == tree_sha(self.staged) and v.get("history_sha256") == tree_sha(folder)
        return v, fresh


def state_of(root: Path | str) -> State:
    return State(Path(root) / STATE_DIR)


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object the tool wrote earlier ({} when the file is missing, unreadable or not an object)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def file_hashes(folder: Path, known: dict[str, str] | None = None) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by its relative path, in the order of the paths' parts;
    `known` gives those of files already read, by absolute path (not read again)."""
    if not folder.is_dir():
        return {}
    files: list[tuple[tuple[str, ...], str]] = []
    _files_under(os.path.abspath(folder), (), files)  # os.scandir: no Path and no stat per file (100,000 files)
    known = known or {}
    out = {}
    for parts, full in sorted(files):
        digest = known.get(full)
        if digest is None:
            with open(full, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
        out["/".join(parts)] = digest
    return out


def _files_under(folder: str, parts: tuple[str, ...], out: list[tuple[tuple[str, ...], str]], path: tuple[str, ...] = ()) -> None:
    # Links to folders are followed (as rglob), but not one leading back to a folder on the way
    # here or above it: that would loop, or bring in the whole project. (`path`: the real paths
    # of the folders walked through, for a link to be checked against.)
    path = path or (os.path.realpath(folder),)
    with os.scandir(folder) as it:
        for e in it:
            try:
                is_dir, is_file = e.is_dir(), e.is_file()
            except OSError:  # a link that loops on itself: no file to hash (sources names it)
                continue
            if is_dir:
                real = os.path.realpath(e.path) if e.is_symlink() else os.path.join(path[-1], e.name)
                if not any(p == real or p.startswith(real + os.sep) for p in path):
                    _files_under(e.path, (*parts, e.name), out, (*path, real))
            elif is_file:
                out.append(((*parts, e.name), e.path))


def sha_of(hashes: dict[str, str]) -> str:
    """One SHA-256 over the files' relative paths and hashes, in the order `file_hashes` gives them."""
    h = hashlib.sha256()
    for rel, digest in hashes.items():
        h.update(os.fsencode(rel) + b"\0")  # any name, UTF-8 or not
        h.update(bytes.fromhex(digest))
    return h.hexdigest()


def tree_sha(folder: Path) -> str:
    """SHA-256 over every file's relative path and bytes: what validation and apply pin."""
    return sha_of(file_hashes(folder))


def generator_sha() -> str:
    """The core's own code: a new version of the tool regenerates the staged set."""
    h = hashlib.sha256()
    for p in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()
