"""validate starts its server and makes its two databases while it reads the history: what it
makes is real and goes away, a server without an extension the history needs is given up, and
an error in starting it is the error opening it gives."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.conftest import requires_pg
from tui.core.errors import ConsolidateError
from tui.pg.early import LABELS, EarlyServer

pytestmark = [pytest.mark.pg, requires_pg]


def _url(server: Any) -> str:
    info = server.conninfo
    return f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"


def _databases(pg_server: Any) -> set[str]:
    with pg_server.connect() as conn:
        return {r[0] for r in conn.execute("SELECT datname FROM pg_database")}


def test_the_databases_are_made_early_and_dropped_after(pg_server: Any) -> None:
    early = EarlyServer("auto", _url(pg_server), 0, "", False)
    taken = early.take([])
    assert taken is not None
    server, dbs = taken
    assert len(dbs) == len(LABELS) and set(dbs) <= _databases(pg_server)
    early.close()
    assert not set(dbs) & _databases(pg_server)
    early.close()  # twice is harmless: validate and the CLI both close it


def test_a_server_without_a_needed_extension_is_given_up(pg_server: Any) -> None:
    mine = f"_{os.getpid()}_"  # the scratch databases this process makes carry its pid
    before = {d for d in _databases(pg_server) if mine in d}  # other tests' own, on the shared server
    early = EarlyServer("auto", _url(pg_server), 0, "", False)
    assert early.take(["no_such_extension_anywhere"]) is None
    assert not {d for d in _databases(pg_server) if mine in d} - before


def test_a_start_that_fails_fails_where_it_is_taken(pg_server: Any) -> None:
    early = EarlyServer("auto", "postgresql://nobody@/postgres?host=/nonexistent&port=1", 0, "", False)
    with pytest.raises(ConsolidateError):
        early.take([])
    early.close()
