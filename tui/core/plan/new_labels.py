"""Files that end after an ALTER TYPE ... ADD VALUE: a label added cannot be used before its
transaction commits."""

from __future__ import annotations

import bisect

from tui.core.plan.items import Item, adds_enum_label
from tui.core.plan.planner import Planner


def break_after_new_labels(items: list[Item], p: Planner) -> None:
    """A label ALTER TYPE ... ADD VALUE adds cannot be used before its transaction commits: where a
    later statement of the same file names the label and needs the type (or a column of it), the
    file ends after the ADD VALUE. (A use this does not see, the proof finds, and splits there too.)"""
    labels = [i for i, it in enumerate(items) if adds_enum_label(it.node) and not it.break_after]
    if not labels:
        return
    # Where the run of one file that starts after each item ends (exclusive): at another group or
    # a statement written alone, or just after a statement the file already ends at. Looked up
    # rather than scanned for each label: thousands of labels in one long run are quadratic.
    n = len(items)
    bound = [n] * n
    for i in range(n - 2, -1, -1):
        nxt = items[i + 1]
        if nxt.group != items[i].group or nxt.alone:
            bound[i] = i + 1
        elif nxt.break_after:
            bound[i] = i + 2
        else:
            bound[i] = bound[i + 1]
    literals = {i: "'" + str(items[i].node.newVal).replace("'", "''") + "'" for i in labels}
    where = _holding(items, set(literals.values()))
    # The type by its key, and by the name it had then (`@name:`): renamed aside later (an enum
    # swap), its key is the later name, which the statements of the time do not read.
    types_of = {i: frozenset(k.removeprefix("@name:") for k in items[i].writes if k.startswith(("type:", "@name:type:"))) for i in labels}
    rev = _users(p, frozenset().union(*types_of.values()))
    users_of: dict[frozenset[str], set[str]] = {}
    for types in set(types_of.values()):
        users = set(types).union(*(rev[t] for t in types))
        users_of[types] = users | {p.m.objects[k].parent for k in list(users) if k in p.m.objects and p.m.objects[k].parent}
    # One literal is in thousands of statements and each enum swap brings a type of its own:
    # for each literal and each object that needs a label's type, where it is read, in order.
    wanted = set().union(*users_of.values())
    read_at: dict[tuple[str, str], list[int]] = {}
    for literal, at in where.items():
        for j in at:
            for k in wanted.intersection(items[j].reads):
                read_at.setdefault((literal, k), []).append(j)
    for i in labels:
        for k in users_of[types_of[i]]:
            at = read_at.get((literals[i], k), [])
            x = bisect.bisect_right(at, i)
            if x < len(at) and at[x] < bound[i]:
                items[i].break_after = True
                break


def _users(p: Planner, types: frozenset[str]) -> dict[str, set[str]]:
    """The objects that depend on each of these types (columns of an enum, a domain over it)."""
    rev: dict[str, set[str]] = {t: set() for t in types}
    for o in p.m.objects.values():
        for t in types.intersection(o.depends):
            rev[t].add(o.key)
    return rev


def _holding(items: list[Item], literals: set[str]) -> dict[str, list[int]]:
    """For each quoted literal, the items whose text holds it (as a substring), in order: one
    pass over the texts, not one per literal (thousands of labels on a long history). A literal
    starts and ends at a quote, so only the quotes of a text are tried, at each length there is."""
    lengths = sorted({len(lit) for lit in literals})
    where: dict[str, list[int]] = {}
    for j, it in enumerate(items):
        text = it.stmt.text
        at = text.find("'")
        found = set()
        while at != -1:
            for n in lengths:
                end = at + n - 1
                if end >= len(text):
                    break
                if text[end] == "'" and text[at:end + 1] in literals:
                    found.add(text[at:end + 1])
            at = text.find("'", at + 1)
        for lit in found:
            where.setdefault(lit, []).append(j)
    return where
