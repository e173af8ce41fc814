"""The throwaway server and validate's two scratch databases, made while the history is read.

Starting a server (a second or more for initdb or a container) and copying a template twice (a
tenth of a second or more each) is the server's work: it runs on the other core while this
process imports its parser and reads the history. Which provider `auto` picks depends on the
extensions the history needs, known only once it is read: a server that lacks one is given up
then, and validate opens the right one as it did before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from tui.pg.providers import open_server
from tui.pg.server import Server  # psycopg, imported here: in the thread it would hold the interpreter the parser's import needs

LABELS = ("old", "new")


class EarlyServer:
    """A server being opened, and its databases `old` and `new` being made, in a thread."""

    def __init__(self, pg: str, url: str | None, major: int, image: str, create_roles: bool) -> None:
        self.key = (pg, url, major, image, create_roles)
        self._stack = contextlib.ExitStack()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="consolidate-early-server")
        self._future = self._pool.submit(self._open)
        self._closed = False

    def _open(self) -> tuple[Server, list[str]]:
        pg, url, major, image, create_roles = self.key
        server = self._stack.enter_context(open_server(pg, url, major, image, None, create_roles))
        with ThreadPoolExecutor(len(LABELS)) as pool:
            return server, list(pool.map(server.create_database, LABELS))

    def take(self, extensions: Iterable[str]) -> tuple[Server, list[str]] | None:
        """The server and its two databases; None (and closed) when it lacks an extension the
        history needs. An error in starting it is raised here, as opening it would have."""
        server, dbs = self._future.result()
        if set(extensions) - server.extensions:
            self.close()
            return None
        return server, dbs

    def close(self) -> None:
        """Stop the server (or drop its databases) once its start has finished, however it ended."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(BaseException):
            self._future.result()
        try:
            self._stack.close()
        finally:
            self._pool.shutdown()
