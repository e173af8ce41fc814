"""The dependency map of the final schema: what must exist before what, and the foreign-key cycles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tui.core.model import Model, Obj

NODE_TYPES = ("schema", "extension", "type", "domain", "sequence", "table", "function", "view", "trigger", "policy", "index")


@dataclass(frozen=True)
class Edge:
    """`source` needs `target` to exist first."""

    source: str
    target: str
    kind: str  # foreign_key, type, trigger_function, on_table, view, default, index, policy, schema, function

    def to_json(self, model: Model) -> dict[str, object]:
        a, b = model.objects[self.source], model.objects[self.target]
        return {"from": {"type": a.type, "name": a.name}, "to": {"type": b.type, "name": b.name}, "kind": self.kind}


@dataclass
class Graph:
    """Nodes are object keys of live objects; `order` is a topological order (history order breaks ties)."""

    nodes: list[str] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # foreign-key constraints added after the tables

    def depends_on(self, key: str) -> list[Edge]:
        return [e for e in self.edges if e.source == key]

    def used_by(self, key: str) -> list[Edge]:
        return [e for e in self.edges if e.target == key]


def _owner(model: Model, key: str) -> Obj | None:
    """Lift a column or constraint to its table, a comment or grant to its object."""
    o = model.objects.get(key)
    while o is not None and o.type in ("column", "constraint", "data", "comment", "grant") and o.parent:
        o = model.objects.get(o.parent)
    return o


def _kind(src: Obj, via: Obj, dst: Obj) -> str:
    if via.type == "constraint" and via.contype == "f":
        return "foreign_key"
    if dst.type in ("type", "domain"):
        return "type"
    if src.type == "trigger":
        return "trigger_function" if dst.type == "function" else "on_table"
    if src.type == "view":
        return "view"
    if dst.type == "sequence":
        return "default"
    if src.type in ("index", "policy"):
        return src.type
    return "function" if dst.type == "function" else "depends"


def build_graph(model: Model) -> Graph:
    """Edges from foreign keys, column types, trigger functions, views, defaults, owners."""
    g = Graph()
    live = {k: o for k, o in model.objects.items() if o.exists and o.type in NODE_TYPES}
    g.nodes = sorted(live, key=lambda k: (live[k].born, k))
    seen: set[tuple[str, str, str]] = set()
    fk_edges: dict[tuple[str, str], list[str]] = {}
    for o in model.objects.values():
        if not o.exists:
            continue
        src = _owner(model, o.key)
        if src is None or src.key not in live:
            continue
        targets = list(o.depends)
        if o.parent and o.type in ("trigger", "index", "policy"):
            targets.append(o.parent)
        for t in targets:
            dst = _owner(model, t)
            if dst is None or dst.key not in live or dst.key == src.key or not dst.exists:
                continue
            if dst.type == "index" and dst.parent == src.key:
                continue  # its own table's index (a key made USING INDEX): made after the table, as the index is
            if src.type == "sequence" and dst.type == "table":
                continue  # OWNED BY is set after both exist; it orders nothing

            kind = _kind(src, o, dst)
            if (src.key, dst.key, kind) not in seen:
                seen.add((src.key, dst.key, kind))
                g.edges.append(Edge(src.key, dst.key, kind))
            if kind == "foreign_key":
                fk_edges.setdefault((src.key, dst.key), []).append(o.key)
        if src.type != "schema" and src.schema != "public" and f"schema:{src.schema}" in live:
            if (src.key, f"schema:{src.schema}", "schema") not in seen:
                seen.add((src.key, f"schema:{src.schema}", "schema"))
                g.edges.append(Edge(src.key, f"schema:{src.schema}", "schema"))
    g.edges.sort(key=lambda e: (live[e.source].born, e.source, e.target, e.kind))
    _order(g, live, fk_edges)
    return g


def _order(g: Graph, live: dict[str, Obj], fk_edges: dict[tuple[str, str], list[str]]) -> None:
    """Topological order. Each group of objects that need each other (a strongly connected
    component) is a cycle: its foreign keys are deferred until after the tables; a cycle without
    one (which PostgreSQL could not have built) loses its edges. Every round removes edges, so it ends."""
    born = lambda k: (live[k].born, k)  # noqa: E731
    active = list(g.edges)
    deferred = set(g.deferred)
    nodes, edges = g.nodes, active
    while True:
        components = [c for c in _components(nodes, edges) if len(c) > 1]
        if not components:
            break
        # The edges inside each component, in one pass over the edges (not one per component:
        # a history with hundreds of foreign-key rings made that quadratic).
        comp_of = {k: n for n, comp in enumerate(components) for k in comp}
        within: dict[int, list[Edge]] = {}
        for e in active:
            n = comp_of.get(e.source)
            if n is not None and comp_of.get(e.target) == n:
                within.setdefault(n, []).append(e)
        dropped: set[int] = set()
        for n, comp in enumerate(components):
            g.cycles.append(sorted(comp, key=born))
            edges = within.get(n, [])
            broken = [e for e in edges if e.kind == "foreign_key"] or edges
            for e in broken:
                for k in fk_edges.get((e.source, e.target), []):
                    if k not in deferred:
                        deferred.add(k)
                        g.deferred.append(k)
            dropped.update(map(id, broken))
        active = [e for e in active if id(e) not in dropped]
        # Taking edges away makes no new cycle: only the components just broken are looked at again.
        members = set(comp_of)
        nodes = [k for k in g.nodes if k in members]
        edges = [e for e in active if comp_of.get(e.source, -1) == comp_of.get(e.target, -2)]
    g.order = _rounds(g.nodes, active, born)


def _rounds(nodes: list[str], edges: list[Edge], key: Callable[[str], tuple[int, str]]) -> list[str]:
    """Kahn's order by rounds: each round, every node whose prerequisites are all placed, by `key`."""
    waiting = dict.fromkeys(nodes, 0)
    after: dict[str, list[str]] = {}
    for e in edges:
        if e.source != e.target:
            waiting[e.source] += 1
            after.setdefault(e.target, []).append(e.source)
    ready = [k for k, n in waiting.items() if n == 0]
    out: list[str] = []
    while ready:
        ready.sort(key=key)
        out.extend(ready)
        nxt = []
        for k in ready:
            for s in after.get(k, ()):
                waiting[s] -= 1
                if waiting[s] == 0:
                    nxt.append(s)
        ready = nxt
    return out


def _components(nodes: list[str], edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components (Tarjan's, iterative: a long chain must not hit the recursion limit)."""
    succ: dict[str, list[str]] = {}
    for e in edges:
        succ.setdefault(e.source, []).append(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = len(index)
                stack.append(v)
                on_stack.add(v)
            children = succ.get(v, [])
            if i < len(children):
                work.append((v, i + 1))
                w = children[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out


def graph_json(g: Graph, model: Model) -> dict[str, object]:
    """The map as JSON, its nodes and edges as generators (json_stream writes them one by one)."""
    return {
        "nodes": ({"type": model.objects[k].type, "name": model.objects[k].name} for k in g.nodes),
        "edges": (e.to_json(model) for e in g.edges),
        "cycles": [[model.objects[k].name for k in c] for c in g.cycles],
        "deferred_foreign_keys": [model.objects[k].name for k in g.deferred if k in model.objects],
    }
