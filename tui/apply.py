"""Apply and rollback: swap the validated set into the migrations folder, and restore the history byte for byte.

The order of the steps is the safety argument. apply writes the new set and a complete,
manifested backup beside the folder before it touches the folder, and then swaps by rename;
rollback proves the backup against its manifest before it moves anything. So a kill at any
point leaves either the untouched history, or an intact backup that `rollback` restores.
Each point between two steps is a `checkpoint`, which the crash tests kill at.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core.analysis import analyze
from tui.core.decisions import ACCEPT, KEEP, load_decisions
from tui.core.errors import ConsolidateError
from tui.core.formats import detect_format
from tui.core.lock import holder_of, project_lock
from tui.core.project import ProjectConfig, load_config
from tui.core.report import doc_names, file_record, readme_text, report_text
from tui.core.state import tree_sha
from tui.manifest import (MANIFEST, Paths, check_backup, checkpoint, copy_tree, make_manifest, read_manifest, refuse_special_files,
                          remove_tree, sync_dir, tree_fingerprint)

Progress = Callable[[str], None]


@dataclass
class ApplyPlan:
    """What apply will do, checked and ready; `lines()` is what the user confirms."""

    cfg: ProjectConfig
    paths: Paths
    validation: dict[str, Any]
    new_files: list[str]
    old_files: list[str]
    forced: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    docs: tuple[str, str] = doc_names("")

    def lines(self) -> list[str]:
        rel = lambda p: p.relative_to(self.cfg.root).as_posix()  # noqa: E731
        out = [f"back up {rel(self.paths.folder)}/ ({len(self.old_files)} files) to {rel(self.paths.backup)}/ with a manifest",
               f"replace it with the new set: {len(self.new_files)} files, plus {self.docs[0]} and {self.docs[1]}"]
        out += [f"skips: {f}" for f in self.forced]
        return out


def refuse_if_busy(cfg: ProjectConfig, paths: Paths) -> None:
    rel = lambda p: p.relative_to(cfg.root).as_posix()  # noqa: E731
    if paths.backup.exists():
        raise ConsolidateError("a backup already exists", f"{rel(paths.backup)}/ is there: roll back first "
                               "(consolidate rollback), or move it away if it is not consolidate's")
    holder = holder_of(cfg.root)
    if holder is not None and holder.get("pid") != os.getpid():
        raise ConsolidateError("another command is working on this project",
                               f"consolidate {holder.get('command', '?')} (pid {holder.get('pid', '?')}) is running: wait until it ends")
    if paths.leftovers():
        raise ConsolidateError("an earlier apply or rollback was interrupted",
                               f"{', '.join(rel(p) for p in paths.leftovers())} left behind: run consolidate rollback to finish it")


def git_warnings(cfg: ProjectConfig) -> list[str]:
    """Uncommitted changes in the migrations folder: worth a warning, never a refusal."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--", str(cfg.folder)], cwd=cfg.root,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    changed = [ln[3:] for ln in out.stdout.splitlines() if ln.strip()] if out.returncode == 0 else []
    if not changed:
        return []
    return [f"git shows {len(changed)} uncommitted change(s) in the migrations ({', '.join(changed[:3])}"
            f"{' ...' if len(changed) > 3 else ''}); commit them first so git holds a copy too"]


def plan_apply(root: Path | str, migrations: str | None = None, force: bool = False) -> ApplyPlan:
    """Check everything apply needs and return what it will do; raise a ConsolidateError that says what to do otherwise."""
    cfg = load_config(root, migrations)
    cfg.check()
    paths = Paths.of(cfg)
    refuse_if_busy(cfg, paths)
    if not cfg.folder.is_dir():
        raise ConsolidateError("no migrations folder", f"{cfg.migrations}/ does not exist")
    if cfg.folder.is_symlink():
        raise ConsolidateError("refusing to apply", f"{cfg.migrations}/ is a symbolic link (to {os.readlink(cfg.folder)}): "
                               "apply swaps folders by renaming them, which would put a folder where the link is; "
                               "run consolidate in the project where the folder really is")
    refuse_special_files(cfg.folder, f"{cfg.migrations}/")
    staged = cfg.state.staged
    if not staged.is_dir():
        raise ConsolidateError("nothing generated yet", "run consolidate generate, then consolidate validate")
    validation = cfg.state.read_validation()
    forced: list[str] = []
    checks = [
        (not validation, "the staged set was never validated: run consolidate validate",
         "the validation (none was run)"),
        (bool(validation) and not validation.get("equal"),
         f"the last validation found {len(validation.get('differences', []))} difference(s): run consolidate validate "
         "to see them, fix the decisions, and validate again", "the validation's differences"),
        (bool(validation.get("unread")),
         f"the validation skipped {len(validation.get('unread', []))} part(s) of the history it could not read "
         "(--keep-going): the new set lacks them; fix them and validate again", "the check that the whole history was read"),
        (bool(validation) and validation.get("staged_sha256") != tree_sha(staged),
         "the staged set changed since it was validated: run consolidate validate again",
         "the check that the staged set is the one validated"),
        (bool(validation) and validation.get("history_sha256") != tree_sha(cfg.folder),
         f"{cfg.migrations}/ was edited since the validation: run consolidate validate again",
         "the check that the history is the one validated"),
    ]
    for failed, message, what in checks:
        if failed and not force:
            raise ConsolidateError("refusing to apply", message)
        if failed:
            forced.append(what)
    warnings = git_warnings(cfg)
    decisions, _ = load_decisions(cfg.state)
    if cfg.state.staged_is_stale(cfg.folder, decisions.to_json()) and not forced:
        warnings.append("decisions changed since the staged set was generated; applying the set that was validated")
    files = lambda d: sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file())  # noqa: E731
    fmt = cfg.format if cfg.format != "auto" else detect_format(cfg.folder) or ""
    return ApplyPlan(cfg, paths, validation, files(staged), files(cfg.folder), forced, warnings, doc_names(fmt))


def _write_docs(plan: ApplyPlan, target: Path) -> None:
    cfg = plan.cfg
    analysis = analyze(cfg.root, cfg.migrations)
    decisions, _ = load_decisions(cfg.state)
    generated = cfg.state.read_generated()
    files = generated.get("files") or [{"file": f, "objects": []} for f in plan.new_files]
    d = {ACCEPT: 0, KEEP: 0}
    for f in analysis.findings:
        d[decisions.get(f.id)] = d.get(decisions.get(f.id), 0) + 1
    counts = {"folded": d[ACCEPT], "kept": d[KEEP], "not_reviewed": len(analysis.findings) - d[ACCEPT] - d[KEEP]}
    totals = {k: generated[k] for k in ("history", "new") if k in generated}
    record = file_record(target, [str(f["file"]) for f in files])
    readme, report_name = doc_names(analysis.sources.format)
    (target / readme).write_text(readme_text(analysis.sources.format, files, totals, plan.validation, counts, record), "utf-8")
    report = report_text(analysis.findings, decisions, plan.validation, [str(x) for x in analysis.diagnostics], plan.forced)
    (target / report_name).write_text(report, "utf-8")


def apply(plan: ApplyPlan, progress: Progress | None = None) -> list[str]:
    """Back up, write and swap, holding the project's lock. Returns the files now in the migrations folder."""
    with project_lock(plan.cfg.root, "apply"):
        # What was confirmed must still hold: another command may have run between plan and now.
        again = plan_apply(plan.cfg.root, plan.cfg.migrations, force=bool(plan.forced))
        if (again.validation, again.new_files, again.old_files, again.forced) != (plan.validation, plan.new_files, plan.old_files, plan.forced):
            raise ConsolidateError("refusing to apply", "the project changed since this apply was planned: "
                                   "look at consolidate status and run apply again")
        return _apply(plan, progress or (lambda msg: None))


def _apply(plan: ApplyPlan, say: Progress) -> list[str]:
    p, cfg = plan.paths, plan.cfg
    say("writing the new set beside the migrations folder")
    copy_tree(cfg.state.staged, p.new_partial, "apply.new.file")
    _write_docs(plan, p.new_partial)
    checkpoint("apply.new.written")
    say(f"backing up {cfg.migrations}/ to {p.backup.name}/")
    copy_tree(p.folder, p.backup_partial, "apply.backup.file")
    manifest = make_manifest(p.folder, tree_fingerprint(p.folder), tree_fingerprint(p.new_partial),
                             str(plan.validation.get("staged_sha256", "")))
    (p.backup_partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8")
    checkpoint("apply.backup.copied")
    p.backup_partial.rename(p.backup)
    sync_dir(p.folder.parent)
    checkpoint("apply.backup.done")
    say("swapping the new set in")
    p.folder.rename(p.replaced)
    checkpoint("apply.old.moved")
    p.new_partial.rename(p.folder)
    sync_dir(p.folder.parent)
    checkpoint("apply.new.in_place")
    remove_tree(p.replaced)
    cfg.state.rolled_back.unlink(missing_ok=True)
    checkpoint("apply.done")
    return sorted(x.relative_to(p.folder).as_posix() for x in p.folder.rglob("*") if x.is_file())


@dataclass
class RollbackPlan:
    cfg: ProjectConfig
    paths: Paths
    manifest: dict[str, Any] | None  # None: only leftovers of an interrupted run to clear
    keep_current: bool = False  # --force over a folder edited since apply: keep a copy of it

    def lines(self) -> list[str]:
        rel = lambda x: x.relative_to(self.cfg.root).as_posix()  # noqa: E731
        if self.manifest is None:
            return [f"remove what an interrupted run left: {', '.join(rel(x) for x in self.paths.leftovers())}",
                    f"{rel(self.paths.folder)}/ is the history and stays as it is"]
        out = [f"restore {rel(self.paths.folder)}/ from {rel(self.paths.backup)}/: {len(self.manifest['files'])} files, "
               "each checked against the backup's manifest",
               f"remove what apply added, then {rel(self.paths.backup)}/"]
        if self.keep_current:
            out.append(f"keep a copy of the current {rel(self.paths.folder)}/ in {rel(_free(self.cfg.state.after_apply))}/")
        return out


def _free(path: Path) -> Path:
    """`path`, or the first of `path.2`, `path.3`, ... that does not exist yet."""
    n = 1
    candidate = path
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.name}.{n}")
    return candidate


def plan_rollback(root: Path | str, migrations: str | None = None, force: bool = False) -> RollbackPlan:
    cfg = load_config(root, migrations)
    cfg.check()
    p = Paths.of(cfg)
    rel = lambda x: x.relative_to(cfg.root).as_posix()  # noqa: E731
    if not p.backup.exists():
        if not p.leftovers():
            raise ConsolidateError("nothing to roll back", f"there is no {rel(p.backup)}/ (apply makes it)")
        if not p.folder.is_dir():
            raise ConsolidateError("cannot finish the interrupted rollback",
                                   f"{rel(p.folder)}/ is missing; the history is still in {', '.join(rel(x) for x in p.leftovers())}")
        return RollbackPlan(cfg, p, None)
    manifest = read_manifest(p.backup)
    if manifest is None:
        raise ConsolidateError("refusing to roll back", f"{rel(p.backup)}/ has no readable {MANIFEST}: it was not made by "
                               "consolidate apply, so nothing proves it whole; restore it by hand")
    problems = check_backup(p.backup, manifest)
    if problems:
        raise ConsolidateError("refusing to roll back: the backup does not match its manifest",
                               "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
                               + f". Nothing was changed; {rel(p.backup)}/ is as you left it")
    refuse_special_files(p.folder, f"{cfg.migrations}/")
    current = tree_fingerprint(p.folder) if p.folder.is_dir() else ""
    edited = bool(current) and current not in (manifest.get("new_fingerprint"), manifest.get("history_fingerprint"))
    if edited and not force:
        raise ConsolidateError("refusing to roll back", f"{rel(p.folder)}/ changed since apply, and rolling back would "
                               "lose those changes: move your new files out first, or use --force to keep a copy of "
                               "the current folder in .consolidate/after-apply/")
    return RollbackPlan(cfg, p, manifest, keep_current=edited)


def rollback(plan: RollbackPlan, progress: Progress | None = None) -> str:
    """Restore the history (or finish an interrupted run), holding the project's lock. Returns the
    restored folder's fingerprint."""
    with project_lock(plan.cfg.root, "rollback"):
        # Checked again under the lock: a rollback that ran meanwhile leaves nothing to restore.
        again = plan_rollback(plan.cfg.root, plan.cfg.migrations, force=plan.keep_current)
        if (again.manifest, again.keep_current) != (plan.manifest, plan.keep_current):
            raise ConsolidateError("refusing to roll back", "the project changed since this rollback was planned: "
                                   "look at consolidate status and run rollback again")
        return _rollback(plan, progress or (lambda msg: None))


def _rollback(plan: RollbackPlan, say: Progress) -> str:
    p, cfg = plan.paths, plan.cfg
    if plan.manifest is None:
        for x in p.leftovers():
            say(f"removing {x.name}")
            remove_tree(x)
        return tree_fingerprint(p.folder)
    for x in (p.new_partial, p.restore_partial, p.backup_partial):
        remove_tree(x)
    if plan.keep_current:
        keep = _free(cfg.state.after_apply)  # an earlier rollback's copy is kept too
        cfg.state.dir.mkdir(exist_ok=True)
        copy_tree(p.folder, keep, "rollback.keep.file")
        say(f"kept a copy of the current {cfg.migrations}/ in {keep.relative_to(cfg.root).as_posix()}/")
    say(f"copying {p.backup.name}/ back")
    copy_tree(p.backup, p.restore_partial, "rollback.copy.file", skip=MANIFEST)
    restored = tree_fingerprint(p.restore_partial)
    if restored != plan.manifest.get("history_fingerprint"):
        remove_tree(p.restore_partial)
        raise ConsolidateError("rollback stopped", "the copy of the backup does not match its manifest; nothing was changed")
    checkpoint("rollback.copied")
    remove_tree(p.replaced)
    if p.folder.exists():
        p.folder.rename(p.replaced)
    checkpoint("rollback.new.moved")
    p.restore_partial.rename(p.folder)
    sync_dir(p.folder.parent)
    checkpoint("rollback.restored")
    cfg.state.write_json(cfg.state.rolled_back, {"restored_fingerprint": restored})
    remove_tree(p.replaced)
    checkpoint("rollback.replaced.removed")
    say(f"removing {p.backup.name}/")
    p.backup.rename(p.backup_removing)
    checkpoint("rollback.backup.moved")
    remove_tree(p.backup_removing)
    checkpoint("rollback.done")
    return restored
