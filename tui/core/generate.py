"""The generate phase: plan, render and write the consolidated set (never into `migrations/`),
proven on PostgreSQL when a prover is given."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.analysis import Analysis, Progress, analyze, replay_again
from tui.core.decisions import Decisions, load_decisions
from tui.core.errors import ConsolidateError
from tui.core.lock import project_lock
from tui.core.project import load_config
from tui.core.formats import FORMATS
from tui.core.formats.base import OWNED, VERSIONED
from tui.core.guard import Guard, make_guard
from tui.core.line_endings import uses_crlf
from tui.core.observed import Observations
from tui.core.plan import Adjustments, Plan, build_plan
from tui.core.proof import HISTORY, PROVEN, UNPROVEN, Candidate, Proof, Prover, Say
from tui.core.render import RenderedFile, render
from tui.core.scratch import owned_folder, remove_orphans
from tui.core.state import State, file_hashes, generator_sha, sha_of

TRIALS = "consolidate-trial-"  # the prefix of the proof's folders of trial sets


@dataclass
class GenerateResult:
    analysis: Analysis
    plan: Plan
    files: list[RenderedFile]
    out: Path
    copied: list[str] = field(default_factory=list)  # tool-owned and later files, kept as they are
    history_sha: str = ""
    staged_sha: str = ""
    proof: Proof = field(default_factory=lambda: Proof(UNPROVEN, why="no proof was asked for"))
    kept_edits: Path | None = None  # where the hand-edited staged set this one replaced was moved
    guard: bool = False  # the set starts (or ends) with the guard

    def totals(self) -> dict[str, dict[str, int]]:
        """The history (with --from, the range the set replaces) against the new files."""
        start = self.analysis.earlier
        migs = [m for m in self.analysis.sources.migrations[start:] if m.readable]
        return {
            "history": {
                "files": len(migs),
                "statements": sum(self.analysis.parsed.per_migration[start:]),
                "lines": sum(m.sql.count("\n") + 1 for m in migs),
            },
            "new": {
                "files": len(self.files),
                "statements": sum(f.statements for f in self.files),
                "lines": sum(f.lines for f in self.files),
            },
        }

    def to_json(self) -> dict[str, object]:
        return {
            "out": str(self.out),
            "files": [{"file": f.path, "objects": len(f.objects), "statements": f.statements, "lines": f.lines} for f in self.files],
            "kept_as_is": self.copied,
            "left_out": len(self.plan.dropped),
            "unfolded": self.plan.unfolded,  # kept in place to break a cycle (file:line)
            "too_deep": self.plan.too_deep,  # written as they are, nested too deep to print again (file:line)
            "proof": self.proof.to_json(),
            "kept_edits": str(self.kept_edits) if self.kept_edits else None,
            **self.totals(),
        }


def generate(
    source: Analysis | Path | str,
    migrations: str | None = None,
    fmt: str | None = None,
    out: Path | str | None = None,
    until: str | None = None,
    decisions: Decisions | None = None,
    progress: Progress | None = None,
    prover: Prover | None = None,
    say: Say | None = None,
    cancel: threading.Event | None = None,
    force: bool = False,
    keep_going: bool = False,
    guard: bool | None = None,
    since: str | None = None,
) -> GenerateResult:
    """Plan and write the new set to `out` (default `.consolidate/new/`), holding the project's lock.

    `source` is an analysis made with `track_reads=True` (the TUI's, read once), or a project
    folder, which is analyzed here. With a `prover`, the set written is the one it proved
    (folds it backed off written as in the history); without one, it is written unproven.
    A staged set edited by hand is not replaced unless `force` (it is then moved aside). A history
    that could not be read whole is refused unless `keep_going`. `guard` adds the guard (None: as
    `guard` in consolidate.toml says, or as the staged set had it, when validate regenerates it).
    `since` (--from) folds only from that version on: the files before it stay as they are.
    """
    root = source.config.root if isinstance(source, Analysis) else Path(source)
    with project_lock(root, "generate"):
        if out is None and not force:
            edited = (source.config if isinstance(source, Analysis) else load_config(root, migrations, fmt)).state.edited_files()
            if edited:
                raise ConsolidateError("the staged set was edited by hand",
                                       f"edited: {', '.join(edited[:5])}{' ...' if len(edited) > 5 else ''}; consolidate "
                                       "validate proves it as it is, generate --force replaces it (your copy is moved to "
                                       ".consolidate/new.edited/)")
        return _generate(source, migrations, fmt, out, until, decisions, progress, prover, say, cancel, keep_going, guard, since)


def _generate(
    source: Analysis | Path | str,
    migrations: str | None,
    fmt: str | None,
    out: Path | str | None,
    until: str | None,
    decisions: Decisions | None,
    progress: Progress | None,
    prover: Prover | None,
    say: Say | None,
    cancel: threading.Event | None,
    keep_going: bool,
    guard: bool | None,
    since: str | None = None,
) -> GenerateResult:
    if out is not None and Path(out).exists():  # said before the history is read: on a large one that takes a while
        if not Path(out).is_dir():
            raise ConsolidateError("output folder is a file", str(out))
        if any(Path(out).iterdir()):
            raise ConsolidateError("output folder is not empty", str(out))
    if isinstance(source, Analysis) and source.reads_tracked:
        analysis = source
    else:
        root = source.config.root if isinstance(source, Analysis) else source
        analysis = analyze(root, migrations, fmt, progress=progress, track_reads=True, until=until, since=since)
    # The history as it was read (each migration's hash taken from the bytes parsed, the folder's
    # other files read now): an edit made before or while we work makes the set stale.
    history_sha = sha_of(file_hashes(analysis.config.folder, analysis.sources.read_digests))
    analysis.config.check()
    if not analysis.ok:
        first = next((d for d in analysis.diagnostics if d.severity == "error"), None)
        raise ConsolidateError("nothing to generate", first.message if first else "no migration could be read",
                               first.file if first else "", first.line if first else 0)
    if not keep_going:
        analysis.refuse_lost("generate")
    if analysis.earlier and analysis.sources.format == "drizzle":
        raise ConsolidateError("--from is not built for drizzle", "its journal orders migrations by their `when`; fold the "
                               "oldest ones with --until instead")
    cfg = analysis.config
    if guard is None:
        guard = cfg.guard or bool(cfg.state.read_generated().get("guard"))
    if decisions is None:
        decisions, _ = load_decisions(cfg.state)
    target = Path(out) if out is not None else cfg.state.staged
    if target.resolve() == cfg.folder.resolve() or cfg.folder.resolve() in target.resolve().parents:
        raise ConsolidateError("refusing to write into the migrations folder", "generate never touches it; use apply")

    # The trials' folders outlive the proof: the set proven is copied from its own. Named by this
    # run, so that the next one removes them if this one is killed before its `finally`.
    trials = ""
    if prover is not None:
        remove_orphans(TRIALS)
        trials = str(owned_folder(TRIALS))
    proven: Candidate | None = None
    try:
        if prover is not None:
            current = [analysis]

            def reread(observations: Observations) -> Analysis:
                # The same history, replayed with what PostgreSQL saw: plans are made from it from now on.
                current[0] = replay_again(analysis, observations)
                return current[0]

            count = itertools.count(1)
            last: list[tuple[Adjustments, Analysis, Candidate]] = []

            def make(adjust: Adjustments) -> Candidate:
                made = candidate(current[0], decisions, adjust, Path(trials) / f"trial{next(count)}", guard)
                last[:] = [(adjust, current[0], made)]
                return made

            proof = prover(analysis, make, say or (lambda step, detail: None), cancel, reread)
            analysis = current[0]
            if proof.state == PROVEN and last and last[0][0] == proof.adjust and last[0][1] is analysis:
                proven = last[0][2]  # the set proven is the one written: planned once, copied
        else:
            proof = Proof(UNPROVEN, why="no PostgreSQL was asked to prove it")
        target.parent.mkdir(parents=True, exist_ok=True)
        # A fresh name beside the target: nothing of the user's that happens to be called like it is touched.
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        try:
            if proven is not None:
                shutil.copytree(proven.folder, staging, dirs_exist_ok=True, symlinks=True)
                made = replace(proven, folder=staging)
            elif proof.state == HISTORY:
                made = history_candidate(analysis, staging)
            else:
                made = candidate(analysis, decisions, proof.adjust, staging, guard)
            proof.folds = len(made.plan.folds)
            kept_edits = None
            if out is None and cfg.state.staged_was_edited():
                kept_edits = cfg.state.keep_edited()
            elif target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        if trials:
            shutil.rmtree(trials, ignore_errors=True)
    hashes = file_hashes(target)  # read once: the staged set's hash, and each file's for telling hand edits
    result = GenerateResult(analysis, made.plan, made.files, target, made.copied, history_sha, sha_of(hashes), proof, kept_edits,
                            guard and proof.state != HISTORY)
    if out is None:
        _remember(cfg.state, result, decisions.to_json(), hashes)
    return result


def candidate(analysis: Analysis, decisions: Decisions, adjust: Adjustments, folder: Path, guard: bool = False) -> Candidate:
    """Plan under `adjust`, render, and write the files into `folder` (made afresh), with the
    files kept as they are (the tool's own, and those after --until), and the guard if asked."""
    plan = build_plan(analysis, decisions, adjust)
    src = analysis.sources
    versions = None
    if analysis.earlier:
        # The files before --from are copied as they are; the set takes the range's own versions.
        plan = replace(plan, items=[it for it in plan.items if it.stmt.migration >= analysis.earlier])
        if not FORMATS[src.format].numbered:
            versions = list(dict.fromkeys(m.version for m in src.migrations[analysis.earlier:] if m.kind == VERSIONED))
    files = render(plan, analysis.model, src.format, any(m.down_file for m in src.migrations), _guard(analysis, plan) if guard else None,
                   versions, uses_crlf(m.sql for m in src.migrations), src.folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for f in files:
        _write(folder / f.path, f.text)
        if f.down_path:
            _write(folder / f.down_path, f.down_text)
        for path, text in f.extra.items():
            _write(folder / path, text)
    _finish(analysis, folder)
    return Candidate(plan, files, folder, _copy_kept(analysis, folder))


def _guard(analysis: Analysis, plan: Plan) -> Guard | None:
    fmt = FORMATS[analysis.sources.format]
    replaced = [m for m in analysis.sources.migrations[analysis.earlier:] if m.kind == VERSIONED]
    kept = [int(m.group(1)) for f in analysis.later_files if (m := re.match(r"(\d+)_", Path(f).name))]
    return make_guard(fmt, replaced, len(plan.items), min(kept, default=None))


def history_candidate(analysis: Analysis, folder: Path) -> Candidate:
    """The history's own migrations, copied as they are: the set when no fold could be proven."""
    src = analysis.sources
    root = Path(analysis.config.root)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = []
    for m, n in zip(src.migrations, analysis.parsed.per_migration):
        if m.kind in OWNED:
            continue
        rel = (root / m.file).relative_to(analysis.config.folder)
        unit = analysis.config.folder / rel.parts[0] if len(rel.parts) > 1 else root / m.file
        dest = folder / (rel.parts[0] if len(rel.parts) > 1 else rel)
        if unit.is_dir():
            shutil.copytree(unit, dest, dirs_exist_ok=True, copy_function=shutil.copy2, symlinks=True)
        else:
            shutil.copy2(unit, dest)
            if m.down_file:
                shutil.copy2(root / m.down_file, folder / Path(m.down_file).name)
        text = (root / m.file).read_text("utf-8", "replace")
        files.append(RenderedFile(rel.as_posix(), text, statements=n, up_text=m.sql))
    plan = build_plan(analysis, Decisions(), Adjustments(pinned=frozenset(s.seq for s in analysis.parsed.statements)))
    _finish(analysis, folder)
    return Candidate(plan, files, folder, _copy_kept(analysis, folder))


def _finish(analysis: Analysis, folder: Path) -> None:
    """The files the format needs beside the set's migrations (a journal, a sum), written before
    the history's own are copied, which they replace."""
    finish = FORMATS[analysis.sources.format].finish
    if finish is None:
        return
    earlier = [f for m in analysis.sources.migrations[:analysis.earlier] for f in (m.file, m.down_file) if f]
    kept = [(Path(analysis.config.root) / f).relative_to(analysis.config.folder).as_posix() for f in analysis.later_files + earlier]
    for path, text in finish(analysis.config.folder, folder, kept).items():
        _write(folder / path, text)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _copy_kept(analysis: Analysis, staging: Path) -> list[str]:
    """Files the migration tool owns (diesel's setup, Flyway repeatables, .keep, READMEs) and, with
    --until, the migrations after that version, copied byte for byte."""
    src = analysis.sources
    folder = analysis.config.folder
    keep: list[Path] = []
    for m in src.migrations:
        if m.kind in OWNED:
            keep.append(Path(analysis.config.root) / m.file)
            if m.down_file:
                keep.append(Path(analysis.config.root) / m.down_file)
    keep.extend(Path(analysis.config.root) / f for f in src.other_files)
    keep.extend(Path(analysis.config.root) / f for f in analysis.later_files)
    keep.extend(Path(analysis.config.root) / f for m in src.migrations[:analysis.earlier] for f in (m.file, m.down_file) if f)
    # A kept script's settings go with it (Flyway's `<script>.sql.conf`, which its reader passes over).
    keep.extend(c for p in list(keep) if p.suffix == ".sql" and (c := p.with_name(p.name + ".conf")).is_file())
    # A folder that holds a replaced migration's file is never taken whole (Flyway's subfolders,
    # graphile-migrate's `committed`): only the kept files in it.
    # (by the paths' text: 100,000 files are not made Paths again)
    prefix = "" if src.folder in ("", ".") else src.folder.rstrip("/") + "/"
    kept = {p.relative_to(folder).as_posix() for p in keep}
    mixed = {within.split("/", 1)[0] for m in src.migrations for f in (m.file, m.down_file)
             if f.startswith(prefix) and "/" in (within := f[len(prefix):]) and within not in kept}
    copied = []
    for p in keep:
        rel = p.relative_to(folder)
        # A diesel migration is a folder: take the whole folder (up, down, metadata.toml).
        if rel.parts[0] != rel.name and rel.parts[0] not in mixed and (folder / rel.parts[0]).is_dir():
            p, rel = folder / rel.parts[0], Path(rel.parts[0])
        dest = staging / rel
        if dest.exists() or dest.is_symlink():
            continue
        if p.is_symlink():  # as a link: one looping on itself or leading up the tree is no endless copy
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(p), dest)
        elif p.is_dir():
            shutil.copytree(p, dest, copy_function=shutil.copy2, symlinks=True)
        elif p.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest)
        copied.append(rel.as_posix())
    return sorted(copied)


def _remember(state: State, result: GenerateResult, decisions: dict[str, object], hashes: dict[str, str]) -> None:
    data = {"history_sha256": result.history_sha, "staged_sha256": result.staged_sha, "decisions": decisions,
            "file_sha256": hashes, "guard": result.guard,
            "generator": generator_sha(), "format": result.analysis.sources.format,
            "files": [{"file": f.path, "objects": f.objects, "statements": f.statements, "lines": f.lines}
                      for f in result.files],
            "kept_as_is": result.copied, "proof": result.proof.to_json(), **result.totals()}
    state.write_json(state.generated, data)
