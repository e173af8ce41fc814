"""Compare two catalog snapshots object by object: equal, or a list of differences with both sides."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.pg.catalog import Snapshot


@dataclass(frozen=True)
class Difference:
    """One difference: object kind, name, what differs, and the old (history) and new (set) sides."""

    type: str
    name: str
    detail: str
    old: str
    new: str
    history_at: tuple[str, ...] = ()  # file:line of the history's statements that last touched it
    new_at: tuple[str, ...] = ()  # and of the new set's

    def to_json(self) -> dict[str, object]:
        return {"type": self.type, "name": self.name, "detail": self.detail, "old": self.old, "new": self.new,
                "history_at": list(self.history_at), "new_at": list(self.new_at)}


def _text(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, (tuple, list)):
        return ", ".join(str(x) for x in v)
    return str(v)


def _objects(kind: str, old: dict[str, Any], new: dict[str, Any], ignore: frozenset[tuple[str, str, str]]) -> list[Difference]:
    out: list[Difference] = []
    for name in sorted(set(old) | set(new)):
        if (kind, name, "") in ignore:
            continue
        if name not in new:
            out.append(Difference(kind, name, "missing in the new set", "present", "absent"))
        elif name not in old:
            out.append(Difference(kind, name, "not in the history", "absent", "present"))
        else:
            a, b = old[name], new[name]
            for field in sorted(set(a) | set(b)):
                if (kind, name, field) in ignore:
                    continue
                if a.get(field) != b.get(field):
                    out.append(Difference(kind, name, field, _text(a.get(field)), _text(b.get(field))))
    return out


# What differs between two builds of the same history: (kind, name, field) of objects, and
# ("data", table, column) of rows; never counted as a difference of the new set.
Unstable = frozenset[tuple[str, str, str]]


def _kind(kind: str) -> Callable[[Snapshot, Snapshot, Unstable], list[Difference]]:
    def compare(o: Snapshot, n: Snapshot, ignore: Unstable) -> list[Difference]:
        return _objects(kind, o.objects.get(kind, {}), n.objects.get(kind, {}), ignore)

    compare.__name__ = f"compare_{kind}"
    return compare


_VOLATILE = "(differs between two builds of the history)"


def _stable_rows(s: Snapshot, table: str, ignore: Unstable) -> list[tuple[str, ...]]:
    rows = s.rows.get(table, [])
    cols = s.row_columns.get(table, [])
    cells = [json.loads(f) for k, n, f in ignore if k == "cell" and n == table]
    if cells:
        index = {c: i for i, c in enumerate(cols)}
        masked = []
        for r in rows:
            r = list(r)
            for col, key_cols, key in cells:
                # the cell a clock or a random call filled in this row, known by its other values
                if col in index and all(k in index for k in key_cols) and [r[index[k]] for k in key_cols] == key:
                    r[index[col]] = _VOLATILE
            masked.append(tuple(r))
        rows = sorted(masked)
    keep = [i for i, c in enumerate(cols) if ("data", table, c) not in ignore]
    if len(keep) == len(cols):
        return rows
    return sorted(tuple(r[i] for i in keep) for r in rows)


def compare_rows(o: Snapshot, n: Snapshot, ignore: Unstable) -> list[Difference]:
    out: list[Difference] = []
    for table in sorted(set(o.rows) | set(n.rows)):
        a, b = _stable_rows(o, table, ignore), _stable_rows(n, table, ignore)
        if a == b:
            continue
        only_old = [r for r in a if r not in b]
        only_new = [r for r in b if r not in a]
        detail = f"{len(a)} row(s) in the history, {len(b)} in the new set"
        out.append(Difference("data", table, detail, "; ".join("(" + ", ".join(r) + ")" for r in only_old[:5]) or "(none)",
                              "; ".join("(" + ", ".join(r) + ")" for r in only_new[:5]) or "(none)"))
    return out


# One comparison per kind. A sequence's current value is compared too (the proof adds setval
# calls where rows the set leaves out used values up).
COMPARATORS: dict[str, Callable[[Snapshot, Snapshot, Unstable], list[Difference]]] = {
    **{kind: _kind(kind) for kind in ("schema", "extension", "type", "domain", "sequence", "table", "column", "constraint",
                                      "index", "view", "function", "trigger", "policy", "rule", "statistics", "collation",
                                      "text_search_config", "text_search_dictionary", "operator", "operator_class",
                                      "operator_family", "cast", "publication", "event_trigger", "foreign_data_wrapper", "server",
                                      "user_mapping", "default_privilege", "database_setting")},
    "data": compare_rows,
}


def compare(old: Snapshot, new: Snapshot, ignore: Unstable = frozenset()) -> list[Difference]:
    out: list[Difference] = []
    for fn in COMPARATORS.values():
        out.extend(fn(old, new, ignore))
    return out


def unstable(first: Snapshot, second: Snapshot) -> Unstable:
    """What differs between two builds of one history: values computed by a clock or a random
    call, whatever column they went to."""
    out = {(d.type, d.name, d.detail if d.detail not in ("missing in the new set", "not in the history") else "")
           for d in compare(first, second) if d.type != "data"}
    for table in set(first.rows) | set(second.rows):
        a, b = first.rows.get(table, []), second.rows.get(table, [])
        cols = first.row_columns.get(table) or second.row_columns.get(table, [])
        if a == b or first.row_columns.get(table) != second.row_columns.get(table):
            continue
        noisy = [i for i in range(len(cols)) if sorted(r[i] for r in a) != sorted(r[i] for r in b)]
        stable = [i for i in range(len(cols)) if i not in noisy]
        if not stable or len(a) != len(b):
            out |= {("data", table, cols[i]) for i in noisy}  # no way to tell the rows apart: the whole column
            continue
        # Cell by cell: a row is known by its stable values, and only the cells that differ between
        # the two builds are left out; a value written by name in the same column is still compared.
        by_key: dict[tuple[str, ...], tuple[list[tuple[str, ...]], list[tuple[str, ...]]]] = {}
        for side, rows in ((0, a), (1, b)):
            for r in rows:
                by_key.setdefault(tuple(r[i] for i in stable), ([], []))[side].append(r)
        for key, (ra, rb) in by_key.items():
            for i in noisy:
                if sorted(r[i] for r in ra) != sorted(r[i] for r in rb):
                    out.add(("cell", table, json.dumps([cols[i], [cols[k] for k in stable], list(key)])))
    return frozenset(out)
