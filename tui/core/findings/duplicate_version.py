"""duplicate_version: two migration files that carry the same version."""

from __future__ import annotations

from tui.core.findings.finding import AS_WRITTEN, Finding, Source, make_finding
from tui.core.formats.base import REPEATABLE, SourceSet
from tui.core.model import Model


def detect(model: Model, sources: SourceSet) -> list[Finding]:
    """Two files with one version. Most tools refuse this (sqlx stops); the history is read
    in version-then-file-name order.

    Accept: the consolidated set numbers its files afresh, so the clash disappears.
    Keep: nothing to keep; the files are folded like the others.
    """
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, m in enumerate(sources.migrations):
        if m.kind != REPEATABLE:
            groups.setdefault((m.kind, m.sort_key), []).append(i)
    out: list[Finding] = []
    for idxs in groups.values():
        if len(idxs) < 2:
            continue
        migs = [sources.migrations[i] for i in idxs]
        out.append(make_finding("duplicate_version", "migration", migs[0].version,
                                f"Number the consolidated files afresh: version {migs[0].version} is used by {len(migs)} files.",
                                [], files=[Source(m.file, m.first_line) for m in migs], effect=AS_WRITTEN))
    return out
