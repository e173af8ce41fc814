"""A PostgreSQL server the tool works in: how to connect, scratch databases, roles; and an
existing server given by URL.

Each provider (see `providers.py`) is a context manager yielding a `Server`. Whatever a provider
starts or creates is removed on exit, also on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import psycopg
from psycopg import sql

from tui.core.errors import ConsolidateError

# Short, because a history may build names from current_database() (a role prefix, say) and
# PostgreSQL cuts a name at 63 bytes: a long scratch name made such a history fail here alone.
SCRATCH_PREFIX = "csl_"
_EARLIER_PREFIX = "consolidate_scratch_"  # what versions before named them; their leftovers go too
_DROP = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
_PASSWORD_KEY = re.compile(r"password\s*=\s*('(?:[^'\\]|\\.)*'|[^&\s]*)", re.IGNORECASE)


@dataclass
class Server:
    """A running server: how to connect, and what it is."""

    name: str  # docker, local, embedded, url
    conninfo: dict[str, object]
    version: str = ""
    why: str = ""
    extensions: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)
    may_create_roles: bool = True  # a throwaway server; on the user's own, only when asked
    roles_made: list[str] = field(default_factory=list)

    def connect(self, dbname: str = "", autocommit: bool = True) -> psycopg.Connection:  # type: ignore[type-arg]
        info = dict(self.conninfo)
        info.setdefault("client_encoding", "UTF8")  # a SQL_ASCII cluster would hand back bytes
        if dbname:
            info["dbname"] = dbname
        try:
            return psycopg.connect(autocommit=autocommit, connect_timeout=10, **info)  # type: ignore[arg-type]
        except psycopg.OperationalError as exc:
            raise ConsolidateError(f"cannot connect to the {self.name} server", first_line(exc)) from None

    def create_database(self, label: str) -> str:
        # Who made it (this machine, this process) is in the name: a later run can tell a scratch
        # database whose maker died (SIGKILL) from one another run still uses. The label gives
        # only its first letter (old, new, trial, baseline, empty), to keep the name short.
        name = f"{SCRATCH_PREFIX}{label[0]}_{_HOST}_{os.getpid()}_{uuid.uuid4().hex[:4]}"
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
        self.created.append(name)
        return name

    def drop_database(self, name: str) -> None:
        """Drop one scratch database this server made (the proof makes many, one at a time)."""
        if name not in self.created:
            return
        with contextlib.suppress(ConsolidateError, psycopg.Error), self.connect() as conn:
            conn.execute(_DROP.format(sql.Identifier(name)))
        self.created.remove(name)

    def drop_databases(self) -> None:
        if not self.created:
            return
        with contextlib.suppress(ConsolidateError, psycopg.Error), self.connect() as conn:
            for name in self.created:
                conn.execute(_DROP.format(sql.Identifier(name)))
        self.created.clear()

    def create_roles(self, roles: list[str], by_history: bool = False, powers: dict[str, tuple[str, ...]] | None = None) -> list[str]:
        """Create the roles the history grants to but never creates, or (`by_history`) those it
        creates itself, before any build (see history_roles); returns those it created.

        `powers`: the attributes a role needs for the history to run (Analysis.role_powers), given
        on a throwaway server only: on the user's own, a role made for the run stays powerless."""
        with self.connect() as conn:
            missing = [r for r in sorted(set(roles)) if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (r,)).fetchone()]
            if missing and not self.may_create_roles:
                raise ConsolidateError("the history creates roles" if by_history else "the history grants to roles this server does not have",
                                       f"{', '.join(missing)}; roles belong to the whole server, so they are made only "
                                       "with --create-roles (and dropped again afterwards)")
            for role in missing:
                # the name comes from the history: it reaches SQL only as an identifier; the
                # attributes are keywords of our own list, never the history's text
                given = [p for p in (powers or {}).get(role, ()) if p in _POWERS] if self.name != "url" else []
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN{}").format(sql.Identifier(role), sql.SQL("".join(" " + p for p in given))))
                self.roles_made.append(role)
        return missing

    def drop_roles(self) -> None:
        """Drop the roles this run made (after its scratch databases, which held what they own)."""
        with contextlib.suppress(ConsolidateError, psycopg.Error), self.connect() as conn:
            for role in reversed(self.roles_made):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        self.roles_made.clear()

    def refresh_info(self) -> None:
        with self.connect() as conn:
            self.version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            self.extensions = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}


_POWERS = frozenset(("SUPERUSER", "CREATEDB", "CREATEROLE", "BYPASSRLS", "REPLICATION"))
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
_MADE_BY = re.compile(rf"^(?:{SCRATCH_PREFIX}|{_EARLIER_PREFIX})\w+?_([0-9a-f]{{6}})_(\d+)_[0-9a-f]{{4}}$")


def drop_stale_scratch(server: Server) -> list[str]:
    """Drop the scratch databases that runs on this machine left when they died; those of other
    machines and of live processes are left alone. Returns the names dropped."""
    dropped = []
    with contextlib.suppress(ConsolidateError, psycopg.Error), server.connect() as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s OR datname LIKE %s",
                                             (SCRATCH_PREFIX + "%", _EARLIER_PREFIX + "%"))]
        for name in names:
            m = _MADE_BY.match(name)
            if not m or m.group(1) != _HOST or _alive(int(m.group(2))):
                continue
            conn.execute(_DROP.format(sql.Identifier(name)))
            dropped.append(name)
    return dropped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, under another user
    return True


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def mask_url(url: str) -> str:
    """The URL or conninfo string with its password replaced by ***, for anything printed."""
    return hide_password(url, url)


def hide_password(text: str, url: str | None) -> str:
    """`text` with the password of `url` (in any of its forms: a URL's user info, `?password=`,
    `password=` of a keyword/value string, percent-encoded or not) replaced by ***."""
    if not url:
        return text
    secrets: set[str] = set()
    try:
        secrets.add(str(psycopg.conninfo.conninfo_to_dict(url).get("password") or ""))
    except psycopg.Error:
        pass
    with contextlib.suppress(ValueError):
        secrets.add(urlsplit(url).password or "")
    secrets |= {m.group(1) for m in _PASSWORD_KEY.finditer(url)}
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "***")
        text = text.replace(quote(secret, safe=""), "***")
    return _PASSWORD_KEY.sub("password=***", text)


@contextlib.contextmanager
def url_server(url: str, create_roles: bool = False) -> Iterator[Server]:
    """An existing server: only scratch databases with a unique prefix are created, then dropped;
    roles only with `create_roles`, then dropped."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ConsolidateError("bad database URL", first_line(exc)) from None
    info["dbname"] = info.get("dbname") or "postgres"
    server = Server("url", info, why=f"--database-url {mask_url(url)}", may_create_roles=create_roles)
    try:
        server.refresh_info()
    except ConsolidateError as exc:
        raise ConsolidateError(exc.title, hide_password(exc.message, url)) from None
    drop_stale_scratch(server)
    try:
        yield server
    finally:
        server.drop_databases()
        server.drop_roles()
