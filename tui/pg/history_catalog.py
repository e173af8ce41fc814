"""The history's catalog, kept between runs.

Building the history is most of a proof's and a validation's work. generate reads the history's
catalog from PostgreSQL to prove its set; validate, on the same files, preamble, roles and server,
compares the new set with that catalog instead of building the history once more. The catalog is
kept only where it reads back equal to what PostgreSQL gave, with what differs between two builds
of the history once that is learnt (a clock, a random id), and trusted only for a verdict of
EQUAL: where the new set differs from it, validate builds the history afresh and compares with
that (and keeps it).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.formats.base import Migration
from tui.core.state import State, read_json_object
from tui.pg.catalog import Snapshot
from tui.pg.compare import Unstable
from tui.pg.server import Server

_TUPLE = "()"  # a tuple, as an object with this one key (JSON has lists only; snapshots compare tuples)
# Other code may build the history otherwise, or read other values from it: the code that runs
# the migrations (watched or not) and reads the catalog is part of the key.
_READERS = ("runner.py", "scratch_text.py", "history_roles.py", "own_database.py", "observe.py", "catalog.py", "catalog_more.py",
            "catalog_details.py", "history_catalog.py")


def history_key(server: Server, migrations: Sequence[Migration], preamble: str, explicit: Iterable[tuple[str, str]],
                scope: tuple[tuple[str, ...], tuple[str, ...]], roles: Iterable[str]) -> str:
    """SHA-256 of all a build of the history and the reading of its catalog depend on."""
    h = hashlib.sha256(_readers_digest())
    parts: list[object] = [server.name, server.version, server.why, preamble, sorted(explicit), scope, sorted(roles)]
    parts += [[m.file, m.sql, m.readable, m.single_query, m.transactional] for m in migrations]
    h.update(json.dumps(parts).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@functools.cache
def _readers_digest() -> bytes:
    """The code in _READERS, read once a process (the proof keys the catalog up to three times)."""
    return b"".join(hashlib.sha256((Path(__file__).parent / p).read_bytes()).digest() for p in _READERS)


@dataclass(frozen=True)
class Kept:
    snapshot: Snapshot
    noise: Unstable | None  # what differs between two builds of the history (None: not learnt, no two were compared)
    made: str  # by what and when it was read: "generate at 2026-12-03 18:05:19 UTC"


def keep(state: State, key: str, snap: Snapshot, by: str, noise: Unstable | None = None) -> None:
    """Keep `snap` as the catalog of the history `key` names (read `by` generate or validate),
    with its `noise` once learnt. Not kept where it would not read back equal, nor where it
    cannot be written."""
    try:
        encoded = {name: _encode(getattr(snap, name)) for name in _FIELDS}
    except TypeError:
        return
    if _decode_snapshot(encoded) != snap:
        return
    record = {"key": key, "made": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "by": by, "snapshot": encoded,
              "noise": None if noise is None else sorted(noise)}
    tmp = state.history_catalog.with_name(state.history_catalog.name + ".tmp")
    try:
        state.dir.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(record, separators=(",", ":")), "utf-8")
        os.replace(tmp, state.history_catalog)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):  # a read-only checkout, a full disk: the next run builds the history
            tmp.unlink(missing_ok=True)


def recall(state: State, key: str) -> Kept | None:
    """The catalog kept for the history `key` names; None when none is kept for it."""
    record = read_json_object(state.history_catalog)
    if record.get("key") != key or not isinstance(record.get("snapshot"), dict):
        return None
    try:
        snap = _decode_snapshot(record["snapshot"])
        noise = record.get("noise")
        learnt = None if noise is None else frozenset((str(k), str(n), str(f)) for k, n, f in noise)
    except (TypeError, KeyError, AttributeError, ValueError):
        return None
    if not _well_formed(snap):
        return None  # written by hand, or by another tool: as if none were kept
    return Kept(snap, learnt, f"{record.get('by', '?')} at {record.get('made', '?')}")


def _well_formed(s: Snapshot) -> bool:
    """The shapes the comparison reads, so a damaged file is a miss, not a crash."""
    def mapping(d: object, of: type) -> bool:
        return isinstance(d, dict) and all(isinstance(k, str) and isinstance(v, of) for k, v in d.items())

    return (mapping(s.objects, dict) and all(mapping(v, dict) for v in s.objects.values()) and mapping(s.rows, list)
            and all(isinstance(r, tuple) for rows in s.rows.values() for r in rows) and isinstance(s.skipped, list)
            and mapping(s.sequence_values, str) and mapping(s.sequence_idents, str) and mapping(s.row_columns, list))


_FIELDS = ("objects", "rows", "skipped", "sequence_values", "sequence_idents", "row_columns")


def _decode_snapshot(encoded: dict[str, Any]) -> Snapshot:
    return Snapshot(**{name: _decode(encoded[name]) for name in _FIELDS})


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, tuple):
        return {_TUPLE: [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value) and _TUPLE not in value:
        return {k: _encode(v) for k, v in value.items()}
    raise TypeError(f"not kept: {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and _TUPLE in value:
            return tuple(_decode(v) for v in value[_TUPLE])
        return {k: _decode(v) for k, v in value.items()}
    return value
