"""What the selected object depends on and what depends on it; enter follows an edge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.core.formats.flyway_placeholders import unmark

if TYPE_CHECKING:
    from tui.core.graph import Graph
    from tui.core.model import Model



class DependencyMap(OptionList):
    DEFAULT_CSS = """
    DependencyMap { height: auto; max-height: 12; border: round $primary-darken-2; }
    DependencyMap:focus { border: round $accent; }
    """

    def show(self, key: str, model: Model | None, graph: Graph | None) -> None:
        self.clear_options()
        name = key.split(":", 1)[-1]
        self.border_title = f"Depends on / used by: {unmark(name)}"
        if model is None or graph is None or key not in model.objects:
            self.add_option(Option("not a schema object: nothing to map", disabled=True))
            return
        nodes = set(graph.nodes)
        obj = model.objects[key]
        while key not in nodes and obj.parent and obj.parent in model.objects:
            # A column or constraint is mapped through its table.
            key, obj = obj.parent, model.objects[obj.parent]
            self.border_title = f"Depends on / used by: {unmark(obj.name)} (its {obj.type})"
        if key not in nodes:
            self.add_option(Option("not in the final schema: nothing depends on it at the end", disabled=True))
            return
        out = [Option(f"→ {model.objects[e.target].type} {unmark(model.objects[e.target].name)}  ({e.kind})", id=f"{e.target}|d{i}")
               for i, e in enumerate(graph.depends_on(key))]
        out += [Option(f"← {model.objects[e.source].type} {unmark(model.objects[e.source].name)}  ({e.kind})", id=f"{e.source}|u{i}")
                for i, e in enumerate(graph.used_by(key))]
        self.add_options(out or [Option("no dependencies either way", disabled=True)])
