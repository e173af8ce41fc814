"""Findings: what consolidation can fold or remove, one detector module per kind.

Each detector is a function from the replayed model (and the sources) to findings. Its
docstring tells a user what it finds, what accepting it does and what keeping it does;
the TUI's help shows it. Detectors read only the timeline: no object name is written in them.

Each finding carries its effect: what accepting it does to the new set. The plan applies
effects and names no kind, so a new kind chooses an effect and cannot be forgotten there.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.core.findings import (
    added_later,
    altered_later,
    created_then_dropped,
    data_then_removed,
    duplicate_version,
    no_effect,
    redefined,
    spread,
    unfollowable,
)
from tui.core.findings.finding import (
    AS_WRITTEN,
    EFFECTS,
    INTO_CREATE,
    LAST_DEFINITION,
    LEAVE_OUT,
    NO_STATEMENT,
    SURVIVING_ROWS,
    TOGETHER,
    Detector,
    Finding,
    Source,
    make_finding,
)
from tui.core.formats.base import SourceSet
from tui.core.model import Model

__all__ = ["AS_WRITTEN", "EFFECTS", "INTO_CREATE", "KINDS", "LAST_DEFINITION", "LEAVE_OUT", "NO_STATEMENT", "SURVIVING_ROWS",
           "TOGETHER", "Finding", "Source", "describe", "find_all", "make_finding", "registry"]


def registry() -> dict[str, Detector]:
    """Detectors by kind, in the order the contract lists the kinds."""
    return {
        "created_then_dropped": created_then_dropped.detect,
        "added_later": added_later.detect,
        "altered_later": altered_later.detect,
        "redefined": redefined.detect,
        "data_then_removed": data_then_removed.detect,
        "spread": spread.detect,
        "no_effect": no_effect.detect,
        "duplicate_version": duplicate_version.detect,
        "unfollowable": unfollowable.detect,
    }


KINDS = (
    "created_then_dropped", "added_later", "altered_later", "redefined", "data_then_removed", "spread", "no_effect",
    "duplicate_version", "unfollowable",
)


def find_all(model: Model, sources: SourceSet, only: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> list[Finding]:
    """Every detector's findings (or those of the kinds in `only`, less those in `exclude`)."""
    wanted = set(KINDS if only is None else only) - set(exclude)
    out: list[Finding] = []
    for kind, detect in registry().items():
        if kind in wanted:
            out.extend(detect(model, sources))
    return out


def describe(kind: str) -> str:
    """The detector's docstring: what it finds, what accept and keep do."""
    doc = registry()[kind].__doc__ or ""
    return " ".join(doc.split())
