"""The keys of the objects all of whose events are dead, kept up to date kill by kill.

Asked of every statement the plan looks at; made again from every object after each kill, it
cost a second an attempt at 500,000 statements (880,000 objects). The objects a kill or a
revival touched since are looked at instead.
"""

from __future__ import annotations

from tui.core.model import Model, Obj


class DeadKeys:
    """As of the last kill: a revival since does not take a key out until the next kill (the
    plan's steps look again at each key where it matters, and their results must not depend on
    when the set was asked for)."""

    __slots__ = ("_keys", "_killed", "_touched")

    def __init__(self) -> None:
        self._keys: set[str] | None = None
        self._touched: list[Obj] = []  # since the set was last brought up to date
        self._killed = False

    def killed(self, o: Obj) -> None:
        if self._keys is not None:
            self._touched.append(o)
        self._killed = True

    def revived(self, o: Obj) -> None:
        if self._keys is not None:
            self._touched.append(o)

    def keys(self, m: Model, dead: set[int]) -> set[str]:
        if self._keys is None:
            self._keys = {k for k, o in m.objects.items() if _all_dead(o, dead)}
            self._touched = []
        elif self._killed:
            keys = self._keys
            for o in self._touched:
                if _all_dead(o, dead):
                    keys.add(o.key)
                else:
                    keys.discard(o.key)
            self._touched = []
        self._killed = False
        return self._keys


def _all_dead(o: Obj, dead: set[int]) -> bool:
    return bool(evs := o.events) and id(evs[-1]) in dead and all(id(e) in dead for e in evs)
