"""Command palette: "Go to object" for every finding's object."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from tui.app.host import Host


class GoToObject(Provider):
    async def search(self, query: str) -> Hits:
        app: Host = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        for f in app.session.findings:
            label = f"Go to object: {f.object_type} {f.object_name} ({f.kind})"
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(app.go_to_finding, f.id), help=f.action)
