"""Shared by the apply tests: run the CLI in a subprocess and fingerprint a project tree."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(project: Path, *args: str, kill_at: str = "", signal: str = "KILL") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("CONSOLIDATE_KILL_AT", None)
    env.pop("CONSOLIDATE_KILL_SIGNAL", None)
    if kill_at:
        env["CONSOLIDATE_KILL_AT"] = kill_at
        env["CONSOLIDATE_KILL_SIGNAL"] = signal
    return subprocess.run([sys.executable, "-m", "tui", args[0], str(project), *args[1:]], capture_output=True,
                          text=True, env=env, stdin=subprocess.DEVNULL, timeout=300, preexec_fn=ctrl_c_as_in_a_terminal)


def ctrl_c_as_in_a_terminal() -> None:
    """A job started in the background inherits SIGINT ignored, and Python keeps it so: the
    command under test gets Ctrl-C as a terminal delivers it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def status(project: Path) -> dict[str, object]:
    r = run(project, "status", "--json")
    assert r.returncode == 0, r.stderr
    return dict(json.loads(r.stdout))


def tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Every path under folder (files, folders, symlinks) with its content hash and mode."""
    out: dict[str, tuple[str, int]] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = ("link:" + os.readlink(p), 0)
        elif p.is_dir():
            out[rel] = ("dir", p.stat().st_mode & 0o7777)
        else:
            out[rel] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mode & 0o7777)
    return out


def project_tree(project: Path) -> dict[str, tuple[str, int]]:
    """The user's files: everything but the tool's own state."""
    return {k: v for k, v in tree(project).items() if not k.startswith(".consolidate")}


def checkpoints(*modules: str) -> list[str]:
    """Every kill point named in the code, in the order it appears."""
    names: list[str] = []
    for m in modules:
        names += re.findall(r'checkpoint\("([^"]+)"\)', (ROOT / m).read_text())
        names += re.findall(r'copy_tree\([^)]*"([a-z]+\.[a-z.]+file)"', (ROOT / m).read_text())
    return list(dict.fromkeys(names))


def add_odd_files(folder: Path) -> None:
    """What a real folder holds besides migrations: an empty folder, modes, a notes file."""
    (folder / "empty").mkdir()
    (folder / "notes.txt").write_bytes(b"keep me\r\nbyte for byte \xff\n")
    (folder / "notes.txt").chmod(0o600)
    first = sorted(folder.glob("*.sql"))[0]
    first.chmod(0o640)


def proven_and_equal(project: Path) -> str:
    """Generate with the proof on the local server (no fold backed off), validate it EQUAL against
    the history built again, and return the staged set's SQL, its files in order."""
    r = run(project, "generate", "--pg", "local")
    assert r.returncode == 0 and "proven on PostgreSQL" in r.stdout and "0 backed off" in r.stdout, r.stdout + r.stderr
    v = run(project, "validate", "--pg", "local", "--rebuild-history")
    assert v.returncode == 0 and "EQUAL" in v.stdout, v.stdout + v.stderr
    return "\n".join(p.read_text() for p in sorted((project / ".consolidate" / "new").rglob("*.sql")))
