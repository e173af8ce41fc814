"""JSON written as it is made. An analysis of 500,000 statements printed with one `json.dumps`
held its whole tree of dicts and the whole string at once, about 500 MB more at its peak: here a
result gives its long lists as generators, and each of their items is made, encoded and dropped
in turn. The text is the same as `json.dumps(materialized(value), check_circular=False)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

_ENCODE = json.JSONEncoder(check_circular=False).encode  # json.dumps's own separators and escapes
_CHUNK = 1 << 20
_BATCH = 1000  # items of a generator encoded in one call


def write_json(write: Callable[[str], object], value: Any, depth: int = 3) -> None:
    """`value` as JSON to `write`, in pieces of about a megabyte: dicts and generators down to
    `depth` levels are written an entry at a time; what a generator yields, and anything deeper,
    is encoded whole (by json's C encoder: one call for each thousand findings, not one for each field)."""
    parts: list[str] = []
    size = 0

    def put(text: str) -> None:
        nonlocal size
        parts.append(text)
        size += len(text)
        if size > _CHUNK:
            write("".join(parts))
            parts.clear()
            size = 0

    def walk(v: Any, left: int) -> None:
        if left and isinstance(v, dict) and all(type(k) is str for k in v):
            put("{")
            for i, (k, x) in enumerate(v.items()):
                put(f"{', ' if i else ''}{_ENCODE(k)}: ")
                walk(x, left - 1)
            put("}")
        elif left and isinstance(v, Iterator):
            # Encoded a batch at a time: one call to the encoder for each item made a new C encoder
            # each time, a second at 500,000 statements. A list's items are joined by ", " too.
            put("[")
            first = True
            while batch := list(islice(v, _BATCH)):
                put(("" if first else ", ") + _ENCODE(batch)[1:-1])
                first = False
            put("]")
        else:
            put(_ENCODE(materialized(v)))

    walk(value, depth)
    write("".join(parts))


def materialized(value: Any) -> Any:
    """`value` with each generator in its dicts made a list, as json.dumps needs (what a
    generator yields is plain: it is not looked into)."""
    if isinstance(value, Iterator):
        return list(value)
    if isinstance(value, dict):
        return {k: materialized(x) for k, x in value.items()}
    return value
