"""The proof of a generated set on a throwaway PostgreSQL: the history is built (the first
candidate beside it, unless what the history is seen doing may change the plan), then candidate
sets one after the other, each compared with it, until one builds the same database; when one
differs, the history is built once more to learn what differs between any two runs of it. What
PostgreSQL says about a candidate (an error at a file and line, or the objects that differ)
names the folds to back off; when it names none, the folds are bisected. It always ends: at
worst every fold is backed off and the history's own files are the set.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tui.core.analysis import Analysis
from tui.core.blame import Failure, Remedy, back_off, blame, keep_order, moved_statements
from tui.core.errors import ConsolidateError
from tui.core.explicit import explicit_columns
from tui.core.observed import Observations, to_observe
from tui.core.parse import Statement
from tui.core.plan import Adjustments
from tui.core.proof import HISTORY, PROVEN, UNPROVEN, Candidate, Make, Proof, Reread, Say
from tui.core.sources import load_set
from tui.pg.catalog import Snapshot, snapshot
from tui.pg.compare import Unstable, compare, unstable
from tui.pg.early import EarlyServer
from tui.pg.history_catalog import history_key, keep
from tui.pg.observe import SETUP as OBSERVE_SETUP
from tui.pg.observe import Observer
from tui.pg.providers import open_server
from tui.pg.runner import ApplyError, apply_migrations, hint_for
from tui.pg.server import Server


@dataclass
class PgProver:
    """Proves candidates on a provider's server (`pg`, or an existing server by `url`)."""

    pg: str = "auto"
    url: str | None = None
    max_rounds: int = 80
    server: Server | None = None  # one already running (validate's), else the provider's is started
    create_roles: bool = False  # on an existing server (url): make the roles the history grants to, then drop them
    early: EarlyServer | None = None  # the same server, started while the history was read (closed when done)

    def __call__(self, analysis: Analysis, make: Make, say: Say, cancel: threading.Event | None, reread: Reread | None = None) -> Proof:
        if self.server is not None:
            proof = _Run(analysis, make, say, cancel, self.server, self.max_rounds, reread).prove()
            proof.provider = {"name": self.server.name, "version": self.server.version, "why": self.server.why}
            return proof
        say("server", "starting PostgreSQL for the proof")
        try:
            with self._open(analysis) as server:
                provider = {"name": server.name, "version": server.version, "why": server.why}
                proof = _Run(analysis, make, say, cancel, server, self.max_rounds, reread).prove()
                proof.provider = provider
                return proof
        except ApplyError:
            raise
        except ConsolidateError as exc:
            if exc.title == "cancelled" or self.url or self.pg not in ("", "auto"):
                raise  # the server asked for by name is not there: an error, not a quiet unproven set
            return Proof(UNPROVEN, why=f"no PostgreSQL to prove it on ({exc})")

    @contextlib.contextmanager
    def _open(self, analysis: Analysis) -> Iterator[Server]:
        """The server started early, unless it lacks an extension the history needs; else the
        provider's, started now."""
        cfg = analysis.config
        if self.early is not None:
            try:
                taken = self.early.take(analysis.model.extensions)
                if taken is not None:
                    yield taken[0]
                    return
            finally:
                self.early.close()
        with open_server(self.pg or cfg.pg, self.url, cfg.postgres, cfg.image, analysis.model.extensions,
                         self.create_roles) as server:
            yield server


class _Run:
    def __init__(self, analysis: Analysis, make: Make, say: Say, cancel: threading.Event | None, server: Server, max_rounds: int,
                 reread: Reread | None = None) -> None:
        self.a, self.make, self.say, self.cancel, self.server, self.max_rounds = analysis, make, say, cancel, server, max_rounds
        self.reread = reread
        self.preamble = analysis.config.preamble
        self.ignore: Unstable | None = None  # what differs between two builds of the history: learnt when something differs
        self.reference = Snapshot()
        self.explicit = explicit_columns(analysis.parsed.statements)  # compared as validate compares them
        cfg = analysis.config
        self.later = {(cfg.root / f).relative_to(cfg.folder).as_posix() for f in analysis.later_files}
        self.rebuilt = False  # the history was built once more, later, to tell clock values apart
        # Set while a candidate is being applied (this thread waits on PostgreSQL): the history's
        # catalog is kept then, not while this thread plans (both hold the interpreter's lock).
        self.applying = threading.Event()
        self.roles = analysis.roles_needed()

    def prove(self) -> Proof:
        powers = self.a.role_powers()
        self.server.create_roles(self.roles, powers=powers)
        self.server.create_roles(self.a.roles_made(), by_history=True, powers=powers)
        self.say("history", "building the history's database")
        adjust = Adjustments()
        watched = to_observe(self.a.model) if self.reread is not None else set()
        seen_now = threading.Event()  # what the watch saw is all there (or the build ended)
        seeing: Observations = {}
        with ThreadPoolExecutor(1, thread_name_prefix="consolidate-history") as pool:
            history = pool.submit(self._build_history, watched, seeing, seen_now)
            history.add_done_callback(lambda _: seen_now.set())
            try:
                if watched:
                    # What is seen changes the plan: the first candidate is planned once it is known.
                    # It is known before the history's catalog is read: replayed with it, then the
                    # candidate planned and built, while that catalog is read.
                    seen_now.wait()
                    if seeing and self.reread is not None:
                        self.say("history", f"following {len(seeing)} statement(s) by what PostgreSQL saw them do")
                        self.a = self.reread(seeing)
                # Else the first candidate is planned and built while the history builds: the server
                # has a core for each.
                first = self.make(adjust)
                built = self._build(first)
            finally:
                self.applying.set()  # the history's thread never waits for a trial that will not come
            failed, _ = history.result()
        if failed:
            return Proof(UNPROVEN, why=failed)
        backed, changes = [], []
        for round_ in range(1, self.max_rounds + 1):
            self._check_cancel()
            cand = first if round_ == 1 else self.make(adjust)
            self.say("proof", f"round {round_}: {len(cand.plan.folds)} fold(s), {len(backed)} backed off")
            failure = self._judge(built) if round_ == 1 else self._trial(cand)
            if failure is None:
                return Proof(PROVEN, adjust, backed, changes, rounds=round_)
            setvals = self._setvals(failure)
            if setvals:
                adjust = adjust | Adjustments(setvals=frozenset(setvals.items()))
                changes.append(f"sequence values set where the history left them: {', '.join(sorted(setvals))}")
                continue
            remedy = blame(self.a, cand, failure, adjust) or self._bisect(cand, failure, adjust)
            if remedy is None:
                return Proof(HISTORY, rounds=round_, why=f"{failure.describe()} even with every fold backed off")
            adjust = adjust | remedy.adjust
            backed += remedy.backed_off
            changes += remedy.changes
        return Proof(HISTORY, rounds=self.max_rounds, why=f"no EQUAL set after {self.max_rounds} rounds")

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ConsolidateError("cancelled")

    def _build_history(self, seqs: set[int], seen: Observations | None = None,
                       seen_now: threading.Event | None = None) -> tuple[str, Observations]:
        """Build the history, watching the statements `seqs` (those the model cannot follow); why
        it could not be built (or ""), and what was seen (into `seen`, `seen_now` set once it is
        all there: before the catalog is read)."""
        seen = {} if seen is None else seen
        try:
            if not seqs:
                self.reference = self._history("history")
            else:
                try:
                    self.reference = self._history("history", Observer(seqs), seen, seen_now)
                except ApplyError as exc:
                    if exc.title == "cancelled":
                        raise
                    seen.clear()  # a run a statement at a time failed where the file at once may not: no watch
                    if seen_now is not None:
                        seen_now.set()  # nothing seen: the first candidate is planned and applied beside the build
                    self.reference = self._history("history")
        except ApplyError as exc:
            if exc.title == "cancelled":
                raise
            return f"the history itself does not apply: {exc}; {hint_for(exc.message)}", {}
        self.applying.wait()
        self._keep()
        return "", seen

    def _trial(self, cand: Candidate) -> Failure | None:
        """Apply a candidate on a fresh database; None when it builds the history's database."""
        return self._judge(self._build(cand))

    def _build(self, cand: Candidate) -> Snapshot | Failure:
        """The catalog of the database a candidate builds, or where it failed to apply."""
        folder = cand.folder
        sources = load_set(folder, self.a.sources)
        # With --until the history stops there: the later files, kept as they are, are not on trial.
        migrations = [m for m in sources.migrations if m.file[len(folder.name) + 1:] not in self.later]
        db = self.server.create_database("trial")
        try:
            try:
                self.applying.set()
                apply_migrations(self.server, db, migrations, self.preamble, cancel=self.cancel)
            except ApplyError as exc:
                if exc.title == "cancelled":
                    raise
                path = exc.file[len(folder.name) + 1:] if exc.file.startswith(folder.name + "/") else exc.file
                return Failure(file=path, line=exc.line, message=exc.message)
            with self.server.connect(db) as conn:
                return snapshot(conn, explicit=self.explicit, schemas=self.a.config.scope, scratch=True)
        finally:
            self.server.drop_database(db)

    def _judge(self, built: Snapshot | Failure) -> Failure | None:
        """None when what a candidate built is the history's database, else how it differs."""
        if isinstance(built, Failure):
            return built
        diffs = compare(self.reference, built, self.ignore or frozenset())
        if diffs and self.ignore is None:
            # What differs between two builds of the same history (a random id, a clock) is no
            # difference of the new set's: built once more only when something differs.
            self.ignore = unstable(self.reference, self._history("history_again"))
            self._keep()
            diffs = compare(self.reference, built, self.ignore)
        if diffs and not self.rebuilt and any(d.type == "data" for d in diffs):
            # A clock value truncated to the second (or the day) can be the same in two builds
            # close together, yet differ now: one more build, later, tells it.
            self.rebuilt = True
            self.ignore = self.ignore | unstable(self.reference, self._history("history_later"))
            self._keep()
            diffs = compare(self.reference, built, self.ignore)
        if not diffs:
            return None
        # A sequence left elsewhere follows from rows left out (or from a wrong fold, whose own
        # differences come first): it is set right only once nothing else differs.
        rest = [d for d in diffs if (d.type, d.detail) != ("sequence", "value")] or diffs
        return Failure(differences=tuple((d.type, d.name, d.detail) for d in rest))

    def _history(self, label: str, watch: Observer | None = None, seen: Observations | None = None,
                 seen_now: threading.Event | None = None) -> Snapshot:
        """The catalog of the history built on a fresh database (`watch`: what it saw goes to
        `seen`, and `seen_now` is set)."""
        statements: dict[str, list[Statement]] = {}
        for st in self.a.parsed.statements:
            statements.setdefault(st.file, []).append(st)
        db = self.server.create_database(label)
        try:
            if watch is not None:
                with self.server.connect(db) as conn:
                    conn.execute(OBSERVE_SETUP)
            apply_migrations(self.server, db, self.a.sources.migrations, self.preamble, statements, cancel=self.cancel, watch=watch)
            with self.server.connect(db) as conn:
                if watch is not None and seen is not None:
                    seen.update(watch.collect(conn))
                    if seen_now is not None:
                        seen_now.set()
                return snapshot(conn, explicit=self.explicit, schemas=self.a.config.scope, scratch=True)
        finally:
            self.server.drop_database(db)

    def _keep(self) -> None:
        """Keep the history's catalog, and what differs between two builds of it once learnt:
        validate compares with it, on the same files and server, instead of building it again."""
        cfg = self.a.config
        keep(cfg.state, history_key(self.server, self.a.sources.migrations, self.preamble, self.explicit, cfg.scope, self.roles),
             self.reference, "generate", self.ignore)

    def _setvals(self, failure: Failure) -> dict[str, str]:
        """When only sequence values differ: the setval calls that leave them as the history did."""
        if failure.message or any((t, d) != ("sequence", "value") for t, _, d in failure.differences):
            return {}
        out = {}
        for _, name, _ in failure.differences:
            value = str(self.reference.objects["sequence"][name]["value"])
            ident = self.reference.sequence_idents[name].replace("'", "''")
            number, _, not_called = value.partition(" ")
            out[name] = f"SELECT pg_catalog.setval('{ident}', {number}, {'false' if not_called else 'true'});"
        return out

    def _gone(self, adjust: Adjustments, pins: frozenset[int], failure: Failure) -> bool:
        found = self._trial(self.make(adjust | Adjustments(pinned=pins)))
        return found is None or found.signature() != failure.signature()

    def _bisect(self, cand: Candidate, failure: Failure, adjust: Adjustments) -> Remedy | None:
        """The first fold whose backing off (with every fold before it) makes the failure go; when
        backing off every fold does not, the statements the model put in another order."""
        folds = [f for f in cand.plan.folds if not f.seqs <= adjust.pinned]

        def gone(k: int) -> bool:
            self.say("proof", f"bisecting {len(folds)} folds: backing off the first {k}")
            return self._gone(adjust, frozenset().union(*(f.seqs for f in folds[:k])), failure)

        if not folds or not gone(len(folds)):
            return self._bisect_order(cand, failure, adjust)
        k = _first(len(folds), gone)
        return back_off(self.a, [folds[k - 1]], f"{failure.describe()} (found by bisection)")

    def _bisect_order(self, cand: Candidate, failure: Failure, adjust: Adjustments) -> Remedy | None:
        """The fewest statements of those written in another order than the history's that, kept
        in it, make the failure go: the first prefix that does (in the history's order), then the
        shortest end of it that still does. None when keeping them all in order does not."""
        moved = [s for s in moved_statements(cand) if s not in adjust.pinned]

        def gone(lo: int, hi: int) -> bool:
            self.say("proof", f"bisecting {len(moved)} statements written in another order: keeping {hi - lo} in the history's")
            return self._gone(adjust, frozenset(moved[lo:hi]), failure)

        if not moved or not gone(0, len(moved)):
            return None
        end = _first(len(moved), lambda k: gone(0, k))  # the shortest prefix that makes it go
        start = end - _first(end, lambda k: gone(end - k, end))  # then the shortest end of it that still does
        return keep_order(self.a, moved[start:end], f"{failure.describe()} (found by bisection)")


def _first(n: int, holds: Callable[[int], bool]) -> int:
    """The smallest k in 1..n for which `holds` (true of n, false of 0, and true of every k past
    the first that is), by bisection."""
    lo, hi = 0, n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if holds(mid) else (mid, hi)
    return hi
