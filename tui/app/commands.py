"""Command palette: "Go to object" for every finding's object."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.app.app import ConsolidateApp


class GoToObject(Provider):
    async def search(self, query: str) -> Hits:
        app: ConsolidateApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        for f in app.session.findings:
            label = f"Go to object: {f.object_type} {f.object_name} ({f.kind})"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(app.go_to_finding, f.id), help=f.action)
