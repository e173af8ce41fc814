"""Statements the model cannot read (dynamic SQL, PL/pgSQL logic, CREATE STATISTICS): what they
name by a word stays alive."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Protocol

from tui.core.model import CREATE, DROP, Event, Model, Obj
from tui.core.parse import Statement
from tui.core.plan.dead_keys import all_dead


class Planner(Protocol):
    """What of the planner this needs (the planner calls in here: it is not imported back)."""

    m: Model
    dead: set[int]
    killed_in: set[int]
    by_seq: dict[int, list[tuple[Obj, Event]]]
    dead_index: dict[str, list[tuple[Obj, list[str]]]] | None  # made when first asked after a kill
    dead_in: dict[int, int]
    named: Named  # shared by the attempts of a plan
    contained_seqs: set[int]

    def dead_keys(self) -> set[str]: ...

    def revive(self, pairs: list, reads: set[str] = ..., whole: bool = ...) -> set[int]: ...  # type: ignore[type-arg]


WORD = re.compile(r"[a-z_][a-z0-9_$]*")  # an identifier as it is matched against names (lower case)
_TOKEN = re.compile(r"[\w$]+")


@lru_cache(maxsize=256)
def _tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def word_count(text: str, name: str) -> int:
    """How many times `name` (lower case) stands as a word of its own in `text`, case blind. A
    plain name is counted among the text's words, read once for the statements asked about in turn:
    a pattern made for each name filled the pattern cache and was compiled again each time."""
    if _TOKEN.fullmatch(name):
        return _tokens(text)[name]
    return len(re.findall(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text.lower()))


def words_of(st: Statement) -> set[str]:
    return set(WORD.findall(st.text.lower()))


class Named:
    """Every object by the last part of each name it had (a column by its table's, see
    _on_column), under the words of the statements asked about so far, or about to be (those the
    model cannot read): what such a statement can name, dead or alive. The model does not change
    while a plan is made, so its attempts share it and each picks the dead out of it
    (_dead_by_word), instead of reading the names of every dead object again after each kill.
    Made when first asked: a plan whose statements are all read needs none. `said`: each word,
    with the statements the model cannot read that say it, in order (`opaque`, in order too)."""

    def __init__(self, m: Model, statements: list[Statement], opaque: set[int]) -> None:
        self.m = m
        self.opaque = sorted(opaque)
        self.said: dict[str, list[int]] = {}
        for seq in self.opaque:
            for word in words_of(statements[seq]):
                self.said.setdefault(word, []).append(seq)
        self.words = set(self.said)
        self._pending = set(self.said)
        self._objects: dict[str, list[tuple[Obj, list[str]]]] = {}

    def add(self, words: set[str]) -> None:
        new = words - self.words
        self.words |= new
        self._pending |= new

    @property
    def objects(self) -> dict[str, list[tuple[Obj, list[str]]]]:
        if self._pending:
            new, self._pending = self._pending, set()
            for o in self.m.objects.values():
                if not o.events:
                    continue
                # By the names it had too: the statement may have run before a rename.
                for name in (o.name, *o.former_names) if o.former_names else (o.name,):
                    lowered = name.lower().split("(", 1)[0]
                    if o.type == "comment":  # (`column t.id`, `table t`: by what it is on)
                        lowered = lowered.split(" ", 1)[-1]
                    parts = lowered.rsplit(".", 2)
                    key = parts[-2] if _on_column(o) and len(parts) > 1 else parts[-1]
                    if key in new:
                        self._objects.setdefault(key, []).append((o, parts))
        return self._objects


def revive_mentioned(p: Planner, st: Statement) -> None:
    """A statement the model cannot read keeps what it names alive: an object all of whose events
    are dead, or the life of one made again later that it ran in (a table dropped and made anew)."""
    words = words_of(st)
    if not words <= p.named.words:
        p.named.add(words)
        p.dead_index = None  # (indexed only by the words asked about)
    index = _dead_by_word(p)
    at = (st.parent or st).seq
    hit = set()
    for word in words & index.keys():
        for o, parts in index[word]:
            if _on_column(o) and parts[-1] not in words or _gone_before(o, at):
                continue
            if all_dead(o, p.dead_in) or _dead_in_life_at(p, o, at):
                hit.add(o.key)  # (revived since the index was built: no longer dead, skipped)
    if hit:
        # What of a table it needs, the model cannot tell, unless it writes only the tables it
        # names (an INSERT ... SELECT: the columns it reads are known).
        p.revive([], hit, whole=at not in p.contained_seqs)


def _gone_before(o: Obj, seq: int) -> bool:
    """Was `o` dropped before `seq`, not to come back? Then no statement from `seq` on can reach it
    (a CTE naming `v.type` of one table does not need the `type` column another lost years before)."""
    last = o.events[-1]
    return last.action == DROP and (last.stmt.parent or last.stmt).seq < seq


def _dead_in_life_at(p: Planner, o: Obj, seq: int) -> bool:
    """Has the life of `o` that `seq` falls in a dead event?"""
    life: list[Event] = []
    for e in o.events:
        at = (e.stmt.parent or e.stmt).seq
        if e.action == CREATE:
            if at > seq:
                break
            life = []
        life.append(e)
    return any(id(e) in p.dead for e in life)


def _dead_by_word(p: Planner) -> dict[str, list[tuple[Obj, list[str]]]]:
    """The objects with a dead event, by the last part of their name (a column by its table's:
    thousands of dead columns are called `id`): looked up for each statement the model cannot
    read, so not a scan of every object each time. Only by the words those statements hold: most
    dead objects are named by none. An object with a dead event is one all of whose events are
    dead, or one made again later whose earlier life is (the planner counts them: a look at the
    events of every statement with a dead one took a second at 500,000 statements)."""
    if p.dead_index is None:
        dead_in = p.dead_in
        # (Some may come back to life before they are looked up: each hit is checked again.)
        p.dead_index = {word: picked for word, named in p.named.objects.items()
                        if (picked := [(o, parts) for o, parts in named if dead_in.get(id(o))])}
    return p.dead_index


def _on_column(o: Obj) -> bool:
    """A column, or a comment on one: named by its table and its own name, both in the text (a
    comment on `t.id` is not brought back by every `id` a DO block holds)."""
    return o.type == "column" or o.type == "comment" and o.name.startswith("column ")
