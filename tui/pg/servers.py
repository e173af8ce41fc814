"""Throwaway PostgreSQL servers: local binaries, an existing server by URL, Docker, an embedded wheel.

Each provider is a context manager yielding a `Server` that can create and drop scratch
databases. Whatever a provider starts or creates is removed on exit, also on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tui.core.errors import ConsolidateError

SCRATCH_PREFIX = "consolidate_scratch_"


@dataclass
class Server:
    """A running server: how to connect, and what it is."""

    name: str  # docker, local, embedded, url
    conninfo: dict[str, object]
    version: str = ""
    why: str = ""
    extensions: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)

    def connect(self, dbname: str = "", autocommit: bool = True) -> psycopg.Connection:  # type: ignore[type-arg]
        info = dict(self.conninfo)
        info.setdefault("client_encoding", "UTF8")  # a SQL_ASCII cluster would hand back bytes
        if dbname:
            info["dbname"] = dbname
        try:
            return psycopg.connect(autocommit=autocommit, connect_timeout=10, **info)  # type: ignore[arg-type]
        except psycopg.OperationalError as exc:
            raise ConsolidateError(f"cannot connect to the {self.name} server", _first_line(exc)) from None

    def create_database(self, label: str) -> str:
        name = f"{SCRATCH_PREFIX}{label}_{uuid.uuid4().hex[:8]}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
        self.created.append(name)
        return name

    def drop_databases(self) -> None:
        if not self.created:
            return
        with contextlib.suppress(ConsolidateError, psycopg.Error), self.connect() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()

    def create_roles(self, roles: list[str]) -> list[str]:
        """Create the roles the history grants to but never creates; returns those it created."""
        made = []
        with self.connect() as conn:
            for role in sorted(set(roles)):
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                if not exists:
                    conn.execute(f'CREATE ROLE "{role}" NOLOGIN')
                    made.append(role)
        return made

    def refresh_info(self) -> None:
        with self.connect() as conn:
            self.version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            self.extensions = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for anything printed."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# ---- local binaries ---------------------------------------------------------------------------


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
        return int(re.search(r"(\d+)", out.split(")")[-1]).group(1))  # type: ignore[union-attr]
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
    tmp = Path(tempfile.mkdtemp(prefix="consolidate-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if user:
        pw = pwd.getpwnam(user)
        for p in (tmp, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", user, "--"]
    port = _free_port()
    log = tmp / "server.log"
    started = False
    try:
        _run(prefix + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "consolidate", "-E", "UTF8",
                       "--locale=C", "--no-sync"], "initdb")
        opts = f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=40 -c max_locks_per_transaction=1024"
        _run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "60", "start"], "pg_ctl start", log)
        started = True
        server = Server(name, {"host": str(sock), "port": port, "user": "consolidate", "dbname": "postgres"})
        server.refresh_info()
        server.why = f"{'binaries of the embedded wheel' if name == 'embedded' else 'local binaries'} in {bindir}"
        yield server
    finally:
        # Also when interrupted half-way through the start: a postmaster.pid means a server to stop.
        if started or (data / "postmaster.pid").exists():
            subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        for _ in range(20):  # an interrupted initdb may still be writing into the folder
            shutil.rmtree(tmp, ignore_errors=True)
            if not tmp.exists():
                break
            time.sleep(0.25)


def _run(cmd: list[str], what: str, log: Path | None = None) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        detail = (r.stderr or r.stdout).strip().splitlines()
        if log is not None and log.is_file():
            detail += log.read_text(errors="replace").strip().splitlines()[-3:]
        raise ConsolidateError(f"{what} failed", detail[-1] if detail else f"exit code {r.returncode}")


# ---- an existing server ---------------------------------------------------------------------


@contextlib.contextmanager
def url_server(url: str) -> Iterator[Server]:
    """An existing server: only scratch databases with a unique prefix are created, then dropped."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ConsolidateError("bad database URL", _first_line(exc)) from None
    info["dbname"] = info.get("dbname") or "postgres"
    server = Server("url", info, why=f"--database-url {mask_url(url)}")
    try:
        server.refresh_info()
    except ConsolidateError as exc:
        raise ConsolidateError(exc.title, mask_url(exc.message.replace(str(info.get("password", "\0")), "***"))) from None
    try:
        yield server
    finally:
        server.drop_databases()


# ---- choosing -----------------------------------------------------------------------------


@contextlib.contextmanager
def open_server(pg: str = "auto", url: str | None = None, major: int = 0, image: str = "",
                extensions: list[str] | None = None) -> Iterator[Server]:
    """The provider asked for, or with `auto` the first that offers every extension the history needs."""
    if url:
        with url_server(url) as s:
            yield s
        return
    order = {"auto": ["docker", "local", "embedded"], "docker": ["docker"], "local": ["local"], "embedded": ["embedded"]}.get(pg)
    if order is None:
        raise ConsolidateError("unknown provider", f"--pg {pg}: expected auto, docker, local or embedded")
    tried: list[str] = []
    for name in order:
        try:
            cm = _provider(name, major, image)
        except ConsolidateError as exc:
            tried.append(f"{name}: {exc}")
            if pg != "auto":
                raise
            continue
        with cm as server:
            missing = sorted(set(extensions or ()) - server.extensions)
            if missing:
                tried.append(f"{name}: lacks extension(s) {', '.join(missing)}")
                if pg != "auto":
                    raise ConsolidateError(f"the {name} server lacks extension(s)", ", ".join(missing))
                continue
            if pg == "auto":
                server.why = f"auto: {server.why}" + (f" (skipped {'; '.join(tried)})" if tried else "")
            try:
                yield server
            finally:
                server.drop_databases()
            return
    raise ConsolidateError("no PostgreSQL server available", "; ".join(tried))


def _provider(name: str, major: int, image: str) -> contextlib.AbstractContextManager[Server]:
    if name == "local":
        if find_bindir(major) is None:
            raise ConsolidateError("no local PostgreSQL binaries")
        return local_server(major)
    if name == "docker":
        from tui.pg.docker_server import docker_available, docker_server

        why = docker_available()
        if why:
            raise ConsolidateError("Docker is not available", why)
        return docker_server(major or 15, image)
    if name == "embedded":
        from tui.pg.embedded_server import embedded_available, embedded_server

        if not embedded_available():
            raise ConsolidateError("the embedded PostgreSQL wheel is not installed", "pip install 'consolidate[embedded]'")
        return embedded_server()
    raise ConsolidateError("unknown provider", name)
