"""The analyze phase end to end: settings, sources, parse, replay, findings, dependency map."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.beside import run_beside
from tui.core.errors import ERROR, ConsolidateError, Diagnostic
from tui.core.findings import Finding, find_all
from tui.core.formats import FORMATS
from tui.core.formats.base import Migration, SourceSet
from tui.core.formats.flyway_placeholders import fill
from tui.core.graph import Graph, build_graph, graph_json
from tui.core.json_stream import materialized
from tui.core.model import Model
from tui.core.observed import Observations
from tui.core.parse import ParsedHistory, Statement, parse_history
from tui.core.project import CONFIG_FILE, ProjectConfig, load_config
from tui.core.replay import Replayer
from tui.core.sources import load_sources, placeholders_of

Progress = Callable[[str, int, int], None]
# Detectors run beside the dependency map: about as long together as the others.
_BESIDE = ("added_later", "redefined", "spread")
# Forked, the child and this process each copy every page of the model they touch, and this one
# faults once more on each page it writes later: whole `analyze` runs, forked / not, 3.8-4.8 /
# 4.3-5.2 s at 50,000 statements, 15.9-18.8 / 16.5-19.5 s at 200,000, 45.5-52.6 / 43.9-47.5 s at
# 500,000 (11-16 s of system time against 3). `generate --no-proof` of 100,000 files (188,350
# statements), in turn: 28.9, 29.6, 30.6 / 30.1, 30.0, 30.9 s.
_FORK_BELOW = 300_000


class Cancelled(Exception):
    """The user asked to stop."""


@dataclass
class Analysis:
    """Everything the later phases and the UI need from one reading of the history."""

    config: ProjectConfig
    sources: SourceSet
    parsed: ParsedHistory
    preamble: list[Statement]
    model: Model
    findings: list[Finding]
    graph: Graph
    diagnostics: list[Diagnostic]
    later_files: list[str] = field(default_factory=list)  # with --until: migrations after it, kept as they are
    earlier: int = 0  # with --from: how many migrations come before it (replayed for the model, kept as they are)
    reads_tracked: bool = False  # what each statement needs was recorded: generate can plan from it
    observed: bool = False  # replayed with what PostgreSQL saw the statements the model cannot follow do

    @property
    def ok(self) -> bool:
        """False when nothing could be analyzed (exit code 2)."""
        return any(m.readable for m in self.sources.migrations) and bool(self.parsed.statements)

    @property
    def lost(self) -> list[Diagnostic]:
        """What of the history could not be read (files and statements skipped)."""
        return [d for d in self.diagnostics if d.lost]

    def roles_needed(self) -> list[str]:
        """The roles to make before the history runs: the project's own, and those its migrations
        grant to but never create, as the server names them (a placeholder's filled in)."""
        return sorted(set(self.config.roles) | self._filled(self.model.roles_used - self.model.roles_created))

    def role_powers(self) -> dict[str, tuple[str, ...]]:
        """The attributes each role needs on a throwaway server (see Model.role_powers), as the
        server names the roles."""
        powers = {r: set(p) for r, p in self.model.role_powers.items()}
        for r in self.model.roles_switched_to - self.model.roles_created:
            powers.setdefault(r, set()).add("SUPERUSER")
        return {fill_one: tuple(sorted(p)) for r, p in powers.items() for fill_one in self._filled({r})}

    def roles_made(self) -> list[str]:
        """The roles the history creates itself, as the server names them."""
        return sorted(self._filled(self.model.roles_created))

    def _filled(self, names: set[str]) -> set[str]:
        ph = placeholders_of(self.sources)
        return {fill(n, ph, {}) for n in names} if ph is not None else names

    def refuse_lost(self, what: str) -> None:
        """Refuse to go on when part of the history was not read: the set would lack it, and a
        validation would skip it on both sides and call them equal."""
        lost = self.lost
        if lost:
            first = lost[0]
            raise ConsolidateError(
                f"cannot {what}: {len(lost)} part(s) of the history could not be read",
                f"{first.message}{' (and more: consolidate analyze lists them)' if len(lost) > 1 else ''}; fix the file, "
                "or give --keep-going to go on without what could not be read", first.file, first.line)

    def to_json(self) -> dict[str, object]:
        return materialized(self.json_parts())  # type: ignore[no-any-return]

    def json_parts(self) -> dict[str, object]:
        """What to_json returns, its long lists as generators (see json_stream)."""
        return {
            "format": self.sources.format,
            "migrations": ({"file": m.file, "version": m.version, "statements": n}
                           for m, n in zip(self.sources.migrations, self.parsed.per_migration)),
            "findings": (f.to_json() for f in self.findings),
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "graph": graph_json(self.graph, self.model),
        }


def parse_preamble(sql: str) -> tuple[list[Statement], list[Diagnostic]]:
    """The preamble is replayed like a migration of its own, numbered -1 so no finding points at it."""
    if not sql.strip():
        return [], []
    pseudo = Migration(version="preamble", name="preamble", file=CONFIG_FILE, sql=sql)
    parsed = parse_history([pseudo])
    for st in parsed.statements:
        st.migration = -1
        st.seq = -1
        for inner in st.inner:
            inner.migration, inner.seq = -1, -1
    return parsed.statements, [d for d in parsed.diagnostics if d.severity == ERROR]


def analyze(
    root: Path | str,
    migrations: str | None = None,
    fmt: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    track_reads: bool = False,
    until: str | None = None,
    observations: Observations | None = None,
    since: str | None = None,
) -> Analysis:
    """Read, parse and replay a project's history; never raises for bad input.

    `observations`: what PostgreSQL saw the statements the model cannot follow do (the proof
    records them), followed instead of guessed."""

    def step(what: str, done: int, total: int) -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled(what)
        if progress is not None:
            progress(what, done, total)

    with _no_collector():
        return _analyze(root, migrations, fmt, step, track_reads, until, observations, since)


def replay_again(analysis: Analysis, observations: Observations) -> Analysis:
    """The same history, as read and parsed for `analysis`, replayed with what PostgreSQL saw the
    statements the model cannot follow do (the proof records it), what each statement needs recorded."""
    with _no_collector():
        return _replayed(analysis.config, analysis.sources, analysis.parsed, lambda what, done, total: None, True,
                         analysis.later_files, observations, analysis.earlier)


@contextmanager
def _no_collector() -> Iterator[None]:
    # Millions of short-lived AST nodes and no reference cycles worth collecting mid-run:
    # the cyclic collector would rescan them again and again.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyze(root: Path | str, migrations: str | None, fmt: str | None, step: Callable[[str, int, int], None], track_reads: bool,
             until: str | None = None, observations: Observations | None = None, since: str | None = None) -> Analysis:
    config = load_config(root, migrations, fmt)
    step("reading migrations", 0, 4)
    sources = load_sources(config.root, config.migrations, config.format)
    platform = FORMATS.get(sources.format)
    if platform is not None and platform.preamble:
        # What the platform provides comes first; generate never writes it, validate runs it on both sides.
        config = replace(config, preamble=platform.preamble + "\n" + config.preamble,
                         roles=tuple(dict.fromkeys(platform.roles + config.roles)))
    if platform is not None and platform.setup is not None and (setup := platform.setup(config.folder, config.root)):
        config = replace(config, preamble=config.preamble + "\n;\n" + setup)
    later: list[str] = []
    if until:
        sources, later = _split_at(sources, until)
    earlier = 0
    if since:
        sources, earlier = _start_at(sources, since)
    step("parsing", 1, 4)
    parsed = parse_history(sources.migrations, naming=track_reads)  # (only replay's reads look at them)
    return _replayed(config, sources, parsed, step, track_reads, later, observations, earlier)


def _replayed(config: ProjectConfig, sources: SourceSet, parsed: ParsedHistory, step: Callable[[str, int, int], None], track_reads: bool,
              later: list[str], observations: Observations | None, earlier: int) -> Analysis:
    preamble, pre_diags = parse_preamble(config.preamble)
    step("replaying", 2, 4)
    replayer = Replayer(track_reads=track_reads, observations=observations)
    replayer.run(preamble)
    replayer.run(parsed.statements, frozenset(i for i, m in enumerate(sources.migrations) if m.fresh_search_path))
    step("finding", 3, 4)
    model = replayer.model
    # The dependency map and half the detectors on a second core, when there is one to use and
    # the model is small enough for it to pay (see _FORK_BELOW).
    def beside() -> tuple[Graph, list[Finding]]:
        return build_graph(model), find_all(model, sources, _BESIDE)

    def here() -> list[Finding]:
        return find_all(model, sources, exclude=_BESIDE)

    (graph, some), rest = run_beside(beside, here) if len(parsed.statements) < _FORK_BELOW else (beside(), here())
    findings = some + rest
    findings.sort(key=lambda f: (f.seqs[0] if f.seqs else -1, f.kind, f.object_name))
    diags = list(config.diagnostics) + list(sources.diagnostics) + parsed.diagnostics + pre_diags + replayer.diagnostics
    diags += _cycle_notes(graph, replayer.model, sources.folder)
    step("done", 4, 4)
    return Analysis(config, sources, parsed, preamble, replayer.model, findings, graph, sorted(set(diags), key=_diag_order), later,
                    earlier, track_reads, bool(observations))


_CYCLES_NAMED = 5  # a history of hundreds of rings gets a count, not a screen of them


def _cycle_notes(graph: Graph, model: Model, folder: str) -> list[Diagnostic]:
    """One note per foreign-key cycle, the first few; the rest counted in one more."""
    def names(cycle: list[str]) -> str:
        return " -> ".join(model.objects[k].name for k in cycle)

    cycles = sorted(graph.cycles, key=names)
    notes = [Diagnostic(folder, 0, "info", f"foreign-key cycle {names(c)}: those constraints are added after the tables")
             for c in cycles[:_CYCLES_NAMED]]
    rest = cycles[_CYCLES_NAMED:]
    if rest:
        through = ", ".join(model.objects[c[0]].name for c in rest[:3])
        notes.append(Diagnostic(folder, 0, "info", f"foreign-key cycles: {len(rest)} more, through {through}{', ...' if len(rest) > 3 else ''}: "
                                "their constraints are added after the tables too"))
    return notes


def _split_at(sources: SourceSet, until: str) -> tuple[SourceSet, list[str]]:
    """The migrations up to and including version `until`, and the files of the later ones."""
    idx = [i for i, m in enumerate(sources.migrations) if m.version == until]
    if not idx:
        diag = Diagnostic(sources.folder, 0, ERROR, f"--until {until}: no migration has that version")
        return replace(sources, migrations=(), diagnostics=sources.diagnostics + (diag,)), []
    cut = idx[-1] + 1
    if (inside := _within_a_file(sources, cut, "--until", until)) is not None:
        return replace(sources, migrations=(), diagnostics=sources.diagnostics + (inside,)), []
    later = [f for m in sources.migrations[cut:] for f in (m.file, m.down_file) if f]
    return replace(sources, migrations=sources.migrations[:cut]), later


def _within_a_file(sources: SourceSet, cut: int, flag: str, version: str) -> Diagnostic | None:
    """An error where the cut falls between two migrations of one file (Liquibase's changesets):
    a file is replaced or kept whole."""
    migs = sources.migrations
    if not 0 < cut < len(migs):
        return None
    before = {m.file for m in migs[:cut]}  # (a changelog's changesets may stand on either side of the files it includes)
    split = next((m for m in migs[cut:] if m.file in before), None)
    if split is None:
        return None
    same = [m.version for m in migs if m.file == split.file]
    return Diagnostic(split.file, split.first_line, ERROR, f"{flag} {version}: {split.file} holds migrations on both "
                      f"sides of it, and a file is replaced or kept whole: give {same[0] if flag == '--from' else same[-1]}")


def _start_at(sources: SourceSet, since: str) -> tuple[SourceSet, int]:
    """How many migrations come before version `since` (they stay in the set, replayed, not folded)."""
    idx = [i for i, m in enumerate(sources.migrations) if m.version == since]
    if not idx:
        diag = Diagnostic(sources.folder, 0, ERROR, f"--from {since}: no migration has that version (or it is after --until)")
        return replace(sources, migrations=(), diagnostics=sources.diagnostics + (diag,)), 0
    if (inside := _within_a_file(sources, idx[0], "--from", since)) is not None:
        return replace(sources, migrations=(), diagnostics=sources.diagnostics + (inside,)), 0
    return sources, idx[0]


def _diag_order(d: Diagnostic) -> tuple[str, int, str]:
    return (d.file, d.line, d.message)

