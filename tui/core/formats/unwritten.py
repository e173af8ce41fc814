"""The bookkeeping of a tool whose record of what ran consolidate cannot write: none at all (a
project's own script), one kept outside the database's tables (Hasura's catalog, sqitch's
registry) or one checksummed by the tool's own code (refinery). `baseline` refuses with what to do
instead."""

from __future__ import annotations

from collections.abc import Callable

from tui.core.errors import ConsolidateError
from tui.core.formats.base import Bookkeeping, Migration


def unwritten(why: str, instead: str) -> Callable[[list[Migration], Callable[[Migration], bytes]], Bookkeeping]:
    def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
        raise ConsolidateError(why, instead)
    return bookkeeping
