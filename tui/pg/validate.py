"""The validate phase: build the history and the new set in two scratch databases and compare them."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pglast import ast

from tui.core.analysis import Analysis, analyze
from tui.core.decisions import load_decisions
from tui.core.errors import ConsolidateError
from tui.core.explicit import explicit_columns
from tui.core.formats.base import Migration
from tui.core.lock import project_lock
from tui.core.parse import Statement
from tui.core.project import load_config
from tui.core.sources import load_set
from tui.core.state import tree_sha
from tui.pg.catalog import Snapshot, snapshot
from tui.pg.compare import Difference, Unstable, compare, unstable
from tui.pg.early import LABELS, EarlyServer
from tui.pg.history_catalog import history_key, keep, recall
from tui.pg.history_roles import role_statements
from tui.pg.providers import open_server
from tui.pg.runner import PREAMBLE_HINT, ApplyError, apply_migrations, hint_for

if TYPE_CHECKING:
    from tui.pg.downs import DownCheck

Progress = Callable[[str, str], None]  # (step, detail)


@dataclass
class ValidationResult:
    equal: bool
    differences: list[Difference]
    counts: dict[str, dict[str, int]]
    skipped: list[str]
    provider: dict[str, str]
    timings: dict[str, float]
    history_sha: str = ""
    staged_sha: str = ""
    roles_created: list[str] = field(default_factory=list)
    packs: list[dict[str, object]] = field(default_factory=list)
    sequence_values: dict[str, dict[str, str]] = field(default_factory=dict)
    fingerprint: str = ""  # of the database the new set builds
    edited: bool = False  # the staged set was edited by hand, and validated as it is
    unread: list[str] = field(default_factory=list)  # parts of the history skipped on both sides (--keep-going)
    not_recorded: str = ""  # why the result could not be saved for apply (a read-only or full disk)
    downs: DownCheck | None = None  # the new set's down parts, checked up-down-up (None: it has none)
    history_from: str = ""  # the history's catalog was the one kept from this earlier read ("": built now)

    def to_json(self) -> dict[str, object]:
        return {
            "equal": self.equal,
            "differences": [d.to_json() for d in self.differences],
            "counts": self.counts,
            "skipped": self.skipped,
            "provider": self.provider,
            "timings": self.timings,
            "roles_created": self.roles_created,
            "packs": self.packs,
            "history_sha256": self.history_sha,
            "staged_sha256": self.staged_sha,
            "fingerprint": self.fingerprint,
            "edited_by_hand": self.edited,
            "unread": self.unread,
            "not_recorded": self.not_recorded,
            "downs": self.downs.to_json() if self.downs else None,
            "history_from": self.history_from or None,
        }


def validate(
    source: Analysis | Path | str,
    migrations: str | None = None,
    fmt: str | None = None,
    pg: str | None = None,
    url: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    staged: Path | None = None,
    keep_going: bool = False,
    create_roles: bool = False,
    early: EarlyServer | None = None,
    rebuild_history: bool = False,
) -> ValidationResult:
    """Generate the staged set if it is missing or stale, then prove it against the history.

    `source` is an analysis made with `track_reads=True`, or a project folder, analyzed here.
    `staged` validates that folder as it is instead (no generation): tests use it to prove
    that a changed set is caught. A staged set edited by hand is validated as it is, never
    regenerated over the edits. The project's lock is held throughout. The server starts while
    the history is read (`early`: the CLI starts it before it even imports the parser). The
    history's catalog kept by the last generate or validate on the same files and server stands
    for the history's build when the new set equals it (`rebuild_history`: built all the same).
    """
    root = source.config.root if isinstance(source, Analysis) else Path(source)
    with project_lock(root, "validate"):
        if early is None:
            cfg = source.config if isinstance(source, Analysis) else load_config(source, migrations, fmt)
            early = EarlyServer(pg or cfg.pg, url, cfg.postgres, cfg.image, create_roles)
        try:
            return _validate(source, migrations, fmt, pg, url, progress, cancel, staged, keep_going, create_roles, early,
                             rebuild_history)
        finally:
            early.close()


def _validate(
    source: Analysis | Path | str,
    migrations: str | None,
    fmt: str | None,
    pg: str | None,
    url: str | None,
    progress: Progress | None,
    cancel: threading.Event | None,
    staged: Path | None,
    keep_going: bool,
    create_roles: bool,
    early: EarlyServer,
    rebuild_history: bool,
) -> ValidationResult:
    say = progress or (lambda step, detail: None)
    # The history as it is before anything reads it: an edit made while we work is not recorded as validated.
    project = source.config if isinstance(source, Analysis) else load_config(source, migrations, fmt)
    history_sha = tree_sha(project.folder)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    fixed = staged is not None
    decisions, _ = load_decisions(project.state)
    edited = not fixed and project.state.staged_was_edited()
    # What each statement needs is read only to plan a set: not when the staged one is current.
    stale = not fixed and not edited and project.state.staged_is_stale(project.folder, decisions.to_json())
    if isinstance(source, Analysis) and (source.reads_tracked or not stale):
        analysis = source
    else:
        say("analyze", "reading the history")
        analysis = analyze(project.root, migrations, fmt, track_reads=stale)
    analysis.config.check()
    if not keep_going:
        analysis.refuse_lost("validate")
    cfg = analysis.config
    staged = staged if staged is not None else cfg.state.staged
    if edited and not cfg.state.staged_made_from_this(cfg.folder, decisions.to_json()):
        raise ConsolidateError("the staged set was edited by hand, and the history or the decisions changed since it was generated",
                               "validate will not replace your edits: run consolidate generate (it moves the edited set "
                               "to .consolidate/new.edited/ and writes a new one), or undo the change")
    timings["analyze"] = round(time.perf_counter() - t0, 3)
    statements: dict[str, list[Statement]] = {}
    for st in analysis.parsed.statements:
        statements.setdefault(st.file, []).append(st)
    roles = analysis.roles_needed()
    say("server", "starting PostgreSQL")
    t = time.perf_counter()
    same = early.key == (pg or cfg.pg, url, cfg.postgres, cfg.image, create_roles)
    taken = early.take(analysis.model.extensions) if same else None
    with contextlib.ExitStack() as stack:
        if taken is None:  # the early server lacks an extension: the provider that has it
            early.close()
            server, dbs = stack.enter_context(open_server(pg or cfg.pg, url, cfg.postgres, cfg.image, analysis.model.extensions,
                                                          create_roles)), []
        else:
            server, dbs = taken
        timings["server"] = round(time.perf_counter() - t, 3)
        powers = analysis.role_powers()
        made = server.create_roles(roles, powers=powers)
        server.create_roles(analysis.roles_made(), by_history=True, powers=powers)
        if edited:
            say("generate", "the staged set was edited by hand: validating it as it is")
        elif stale:
            # Imported here: the plan and the proof are most of the import time of a process
            # that, on a staged set already made, only builds and compares.
            from tui.core.generate import generate
            from tui.pg.proof import PgProver

            say("generate", "writing the staged set, proven on this server")
            t = time.perf_counter()
            generate(analysis, decisions=decisions, prover=PgProver(server=server), say=say, cancel=cancel, keep_going=keep_going)
            timings["generate"] = round(time.perf_counter() - t, 3)
        staged_sha = tree_sha(staged)
        new_sources = load_set(staged, analysis.sources)
        t = time.perf_counter()

        explicit = explicit_columns(analysis.parsed.statements)
        built: dict[str, float] = {}  # when each side was built
        lock = threading.Lock()

        def build(label: str, migrations: Sequence[Migration], parts: dict[str, list[Statement]] | None) -> tuple[str, Snapshot]:
            # Each side builds its database at once, made early or now: a CREATE DATABASE copies
            # a template (a tenth of a second or more), which overlaps the other side's work. Its
            # catalog is read as soon as it is built, while the other side may still be building.
            db = dbs[LABELS.index(label)] if dbs else server.create_database(label)
            apply_migrations(server, db, migrations, cfg.preamble, parts, _counted(say, label, len(migrations)), cancel)
            with lock:
                built[label] = time.perf_counter()
                if len(built) == len(LABELS):
                    say("snapshot", "reading the catalogs")
            with server.connect(db) as conn:
                return db, snapshot(conn, explicit=explicit, schemas=cfg.scope, scratch=True)

        def build_history() -> Snapshot:
            try:
                return build("old", analysis.sources.migrations, statements)[1]
            except ApplyError as exc:
                hint = hint_for(exc.message)
                if exc.title != "cancelled" and (hint != PREAMBLE_HINT or not cfg.preamble and "does not exist" in exc.message):
                    exc.message += f" ({hint})"
                    exc.args = (f"{exc.title}: {exc.message}",)
                raise

        key = history_key(server, analysis.sources.migrations, cfg.preamble, explicit, cfg.scope, roles)
        kept = None if rebuild_history else recall(cfg.state, key)
        if kept is not None:
            say("old", f"not built again: its catalog as {kept.made} read it")
            built["old"] = t
        with ThreadPoolExecutor(1 if _cluster_wide(analysis) else 2) as pool:
            # (Roles and their memberships belong to the cluster: two builds granting the same
            # membership at once collide in pg_auth_members, so such sides are built in turn.)
            old = pool.submit(build_history) if kept is None else None
            new = pool.submit(build, "new", new_sources.migrations, None)
            old_snap = kept.snapshot if old is None else old.result()
            new_db, new_snap = new.result()
        history_from, noise = "", Unstable()
        if kept is not None and not compare(old_snap, new_snap, kept.noise or frozenset()):
            history_from, noise = kept.made, kept.noise or frozenset()
        elif kept is not None:
            # A kept catalog is trusted only to say EQUAL: a difference is checked on the history built now.
            say("old", "the new set differs from the kept catalog: building the history now")
            old_snap = build_history()
        snaps = (old_snap, new_snap)
        timings["apply"] = round(max(built.values()) - t, 3)
        timings["snapshot"] = round(time.perf_counter() - max(built.values()), 3)  # the catalog read after the last build
        t = time.perf_counter()
        diffs = compare(snaps[0], snaps[1], noise)
        learnt = None  # what differs between two builds of the history, once learnt here
        if diffs:
            # Values a clock or a random call wrote differ between any two builds of one history:
            # build it again and leave out what differs between the two.
            say("old", "building the history again, to tell its own randomness apart")
            again = server.create_database("old_again")
            apply_migrations(server, again, analysis.sources.migrations, cfg.preamble, statements, None, cancel)
            with server.connect(again) as conn:
                noise = learnt = unstable(snaps[0], snapshot(conn, explicit=explicit, schemas=cfg.scope, scratch=True))
            diffs = compare(snaps[0], snaps[1], noise)
        skipped_noise = sorted({_noise_line(k, n, f) for k, n, f in noise})
        if not history_from:
            keep(cfg.state, key, snaps[0], "validate", learnt)
        if diffs:
            diffs = _with_provenance(diffs, analysis, staged)
        timings["compare"] = round(time.perf_counter() - t, 3)
        packs: list[dict[str, object]] = []
        downs = None
        if (cfg.root / "packs").is_dir():
            say("packs", "loading pack data into the new database")
            from tui.pg.packs import load_packs

            packs = load_packs(server, new_db, cfg.root / "packs")
        if any(m.down_sql.strip() for m in new_sources.migrations):
            from tui.pg.downs import check_downs

            say("downs", "running the down migrations, then the set again")
            t = time.perf_counter()
            downs = check_downs(server, new_db, new_sources.migrations, cfg.preamble, snaps[1], explicit, cfg.scope, cancel, noise)
            timings["downs"] = round(time.perf_counter() - t, 3)
        provider = {"name": server.name, "version": server.version, "why": server.why}
    timings["total"] = round(time.perf_counter() - t0, 3)
    result = ValidationResult(
        equal=not diffs and all(p.get("ok") for p in packs),
        differences=diffs,
        counts={"old": snaps[0].counts(), "new": snaps[1].counts()},
        skipped=sorted(set(snaps[0].skipped) | set(snaps[1].skipped) | set(skipped_noise)),
        provider=provider,
        timings=timings,
        history_sha=history_sha,
        staged_sha=staged_sha,
        roles_created=made,
        packs=packs,
        sequence_values={"old": snaps[0].sequence_values, "new": snaps[1].sequence_values},
        fingerprint=snaps[1].fingerprint(),
        edited=edited,
        unread=[str(d) for d in analysis.lost],
        downs=downs,
        history_from=history_from,
    )
    if (tree_sha(cfg.folder), tree_sha(staged)) != (history_sha, staged_sha):
        raise ConsolidateError("the history or the staged set changed while validate ran",
                               "nothing was recorded: run consolidate validate again")
    if fixed:
        return result
    try:
        cfg.state.write_json(cfg.state.validation, result.to_json())
    except OSError as exc:
        # The comparison stands (CI may validate a read-only checkout); apply will find no record.
        result.not_recorded = f"{exc.strerror}: {exc.filename}"
        return result
    cfg.state.rolled_back.unlink(missing_ok=True)  # a new validation moves the project on from its rollback
    return result


def _cluster_wide(analysis: Analysis) -> bool:
    """Does the history create, change or grant roles (the cluster's, shared by both builds)?"""
    stmts = analysis.parsed.statements
    return (bool(analysis.model.roles_created) or bool(role_statements(stmts))
            or any(isinstance(st.node, ast.DoStmt) and " role " in st.text.lower() for st in stmts))


def _counted(say: Progress, step: str, total: int) -> Callable[[str], None]:
    """Progress per migration file, as "file 175 of 224: name"."""
    done = itertools.count(1)
    return lambda f: say(step, f"file {next(done)} of {total}: {f}")


def _noise_line(kind: str, name: str, field: str) -> str:
    """What was left out of the comparison because two builds of the history differ in it."""
    if kind == "cell":
        column, key_cols, key = json.loads(field)
        row = ", ".join(f"{c}={v}" for c, v in list(zip(key_cols, key))[:3])
        return f"data {name}.{column} where {row}: differs between two builds of the history"
    return f"{kind} {name}" + (f".{field}" if field else "") + ": differs between two builds of the history"


def _with_provenance(diffs: list[Difference], history: Analysis, staged: Path) -> list[Difference]:
    """Each difference with the statements of the history and of the new set that last touched
    its object: the person reading it sees which fold or edit broke it."""
    from tui.core.blame import touched_by

    new = analyze(staged.parent, staged.name, history.sources.format)
    root = history.config.root
    parent = staged.parent.relative_to(root).as_posix() if staged.parent.is_relative_to(root) else str(staged.parent)
    prefix = "" if parent == "." else parent + "/"
    return [replace(d, history_at=tuple(touched_by(history, d.type, d.name)),
                    new_at=tuple(prefix + w for w in touched_by(new, d.type, d.name))) for d in diffs]
