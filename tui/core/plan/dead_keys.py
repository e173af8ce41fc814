"""The keys of the objects all of whose events are dead, kept up to date kill by kill.

Asked of every statement the plan looks at; made again from every object after each kill, it
cost a second an attempt at 500,000 statements (880,000 objects). The objects a kill or a
revival touched since are looked at instead; the first time, the objects killed so far (an
object none of whose events was killed has none dead: only a kill makes an event dead).
"""

from __future__ import annotations

from tui.core.model import Obj


class DeadKeys:
    """As of the last kill: a revival since does not take a key out until the next kill (the
    plan's steps look again at each key where it matters, and their results must not depend on
    when the set was asked for)."""

    __slots__ = ("_keys", "_killed", "_touched")

    def __init__(self) -> None:
        self._keys: set[str] | None = None
        # Since the set was last brought up to date (before it was first made: every object killed),
        # each once (one killed an event at a time, a table's rows one by one, is looked at once).
        self._touched: dict[int, Obj] = {}
        self._killed = False

    def killed(self, o: Obj) -> None:
        self._touched[id(o)] = o
        self._killed = True

    def revived(self, o: Obj) -> None:
        if self._keys is not None:
            self._touched[id(o)] = o

    def keys(self, dead_in: dict[int, int]) -> set[str]:
        """`dead_in`: how many of each object's events are dead (the planner's count)."""
        if self._keys is None:
            self._keys = {o.key for o in self._touched.values() if all_dead(o, dead_in)}
            self._touched = {}
        elif self._killed:
            keys = self._keys
            for o in self._touched.values():
                if all_dead(o, dead_in):
                    keys.add(o.key)
                else:
                    keys.discard(o.key)
            self._touched = {}
        self._killed = False
        return self._keys


def all_dead(o: Obj, dead_in: dict[int, int]) -> bool:
    """Are all of its events dead? By the count of its dead events (a kill counts the events it
    makes dead, a revival brings them all back): no look at each of thousands of a table's events."""
    return bool(n := len(o.events)) and dead_in.get(id(o)) == n
