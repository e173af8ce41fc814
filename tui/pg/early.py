"""The throwaway server (and validate's two scratch databases), made while the history is read.

Starting a server (a second or more for initdb or a container) and copying a template twice (a
tenth of a second or more each) is the server's work: it runs on the other core while this
process imports its parser and reads the history. Which provider `auto` picks depends on the
extensions the history needs, known only once it is read: a server that lacks one is given up
then, and validate opens the right one as it did before.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from tui.pg.providers import open_server
from tui.pg.server import Server  # psycopg, imported here: in the thread it would hold the interpreter the parser's import needs

LABELS = ("old", "new")


class EarlyServer:
    """A server being opened, and its databases (`old` and `new` for validate) being made, in a thread."""

    def __init__(self, pg: str, url: str | None, major: int, image: str, create_roles: bool,
                 labels: tuple[str, ...] = LABELS) -> None:
        self.key = (pg, url, major, image, create_roles)
        self.labels = labels  # the databases made at once (none for the proof, which makes its own)
        self._stack = contextlib.ExitStack()
        self._result: tuple[Server, list[str]] | None = None
        self._error: BaseException | None = None
        # A thread of its own, not a pool's: once the server is up it ends, and the analysis may
        # fork its second core's work again (it forks only a process with no other thread).
        self._thread = threading.Thread(target=self._run, name="consolidate-early-server", daemon=True)
        self._thread.start()
        self._closed = False

    def _run(self) -> None:
        try:
            self._result = self._open()
        except BaseException as exc:  # raised to whoever takes the server
            self._error = exc

    def _open(self) -> tuple[Server, list[str]]:
        pg, url, major, image, create_roles = self.key
        server = self._stack.enter_context(open_server(pg, url, major, image, None, create_roles))
        if not self.labels:
            return server, []
        with ThreadPoolExecutor(len(self.labels)) as pool:
            return server, list(pool.map(server.create_database, self.labels))

    def _wait(self) -> tuple[Server, list[str]]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def take(self, extensions: Iterable[str]) -> tuple[Server, list[str]] | None:
        """The server and its databases; None (and closed) when it lacks an extension the
        history needs. An error in starting it is raised here, as opening it would have."""
        server, dbs = self._wait()
        if set(extensions) - server.extensions:
            self.close()
            return None
        return server, dbs

    def close(self) -> None:
        """Stop the server (or drop its databases) once its start has finished, however it ended."""
        if self._closed:
            return
        self._closed = True
        self._thread.join()
        self._stack.close()
