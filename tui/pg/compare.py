"""Compare two catalog snapshots object by object: equal, or a list of differences with both sides."""

from __future__ import annotations

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

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "name": self.name, "detail": self.detail, "old": self.old, "new": self.new}


def _text(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, (tuple, list)):
        return ", ".join(str(x) for x in v)
    return str(v)


def _objects(kind: str, old: dict[str, Any], new: dict[str, Any], ignore: tuple[str, ...] = ()) -> list[Difference]:
    out: list[Difference] = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            out.append(Difference(kind, name, "missing in the new set", "present", "absent"))
        elif name not in old:
            out.append(Difference(kind, name, "not in the history", "absent", "present"))
        else:
            a, b = old[name], new[name]
            for field in sorted(set(a) | set(b)):
                if field in ignore:
                    continue
                if a.get(field) != b.get(field):
                    out.append(Difference(kind, name, field, _text(a.get(field)), _text(b.get(field))))
    return out


def compare_tables(o: Snapshot, n: Snapshot) -> list[Difference]:
    return _objects("table", o.objects.get("table", {}), n.objects.get("table", {}))


def compare_columns(o: Snapshot, n: Snapshot) -> list[Difference]:
    return _objects("column", o.objects.get("column", {}), n.objects.get("column", {}))


def compare_sequences(o: Snapshot, n: Snapshot) -> list[Difference]:
    # The current value is shown, not compared: folding removed rows changes it.
    return _objects("sequence", o.objects.get("sequence", {}), n.objects.get("sequence", {}))


def compare_types(o: Snapshot, n: Snapshot) -> list[Difference]:
    return _objects("type", o.objects.get("type", {}), n.objects.get("type", {}))


def compare_generic(kind: str) -> Callable[[Snapshot, Snapshot], list[Difference]]:
    def compare(o: Snapshot, n: Snapshot) -> list[Difference]:
        return _objects(kind, o.objects.get(kind, {}), n.objects.get(kind, {}))

    compare.__name__ = f"compare_{kind}"
    return compare


def compare_rows(o: Snapshot, n: Snapshot) -> list[Difference]:
    out: list[Difference] = []
    for table in sorted(set(o.rows) | set(n.rows)):
        a, b = o.rows.get(table, []), n.rows.get(table, [])
        if a == b:
            continue
        only_old = [r for r in a if r not in b]
        only_new = [r for r in b if r not in a]
        detail = f"{len(a)} row(s) in the history, {len(b)} in the new set"
        out.append(Difference("data", table, detail, "; ".join("(" + ", ".join(r) + ")" for r in only_old[:5]) or "(none)",
                              "; ".join("(" + ", ".join(r) + ")" for r in only_new[:5]) or "(none)"))
    return out


COMPARATORS: dict[str, Callable[[Snapshot, Snapshot], list[Difference]]] = {
    "schema": compare_generic("schema"),
    "extension": compare_generic("extension"),
    "type": compare_types,
    "domain": compare_generic("domain"),
    "sequence": compare_sequences,
    "table": compare_tables,
    "column": compare_columns,
    "constraint": compare_generic("constraint"),
    "index": compare_generic("index"),
    "view": compare_generic("view"),
    "function": compare_generic("function"),
    "trigger": compare_generic("trigger"),
    "policy": compare_generic("policy"),
    "data": compare_rows,
}


def compare(old: Snapshot, new: Snapshot) -> list[Difference]:
    out: list[Difference] = []
    for fn in COMPARATORS.values():
        out.extend(fn(old, new))
    return out
