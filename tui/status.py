"""Which state a project is in, read from the folders alone, and what to run next.

Every state apply or rollback can be killed in maps to one of these, so `status` always has
an answer and `next` always names the command that finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui.core.decisions import load_decisions
from tui.core.lock import holder_of
from tui.core.project import load_config
from tui.core.state import read_json_object
from tui.manifest import Paths, read_manifest, tree_fingerprint

STATES = ("untouched", "generated", "validated", "applied", "rolled_back", "interrupted", "busy", "misconfigured")


@dataclass
class Status:
    state: str
    next: str
    detail: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"state": self.state, "next": self.next, "detail": self.detail}


def project_status(root: Path | str, migrations: str | None = None) -> Status:
    cfg = load_config(root, migrations)
    broken = [str(d) for d in cfg.diagnostics if d.severity == "error"]
    if broken:
        return Status("misconfigured", f"fix {broken[0].split(': error: ')[0]} (every command but analyze refuses until then)", broken)
    p = Paths.of(cfg)
    rel = lambda x: x.relative_to(cfg.root).as_posix()  # noqa: E731
    left = [rel(x) for x in p.leftovers()]
    holder = holder_of(cfg.root)
    if holder is not None:
        # What another command is in the middle of looks interrupted; it is not, and must not be "finished".
        who = f"consolidate {holder.get('command', '?')} (pid {holder.get('pid', '?')})"
        return Status("busy", f"wait until {who} ends, then consolidate status",
                      [f"{who} is working on this project", *(f"in progress: {x}" for x in left)])
    if p.backup.exists():
        manifest = read_manifest(p.backup)
        if manifest is None:
            return Status("interrupted", f"move {rel(p.backup)}/ away: it has no consolidate manifest",
                          [f"{rel(p.backup)}/ was not made by consolidate apply"])
        current = tree_fingerprint(p.folder) if p.folder.is_dir() else ""
        if current == manifest.get("new_fingerprint") and not left:
            return Status("applied", "review and commit the new set; consolidate rollback restores the history",
                          [f"backup: {rel(p.backup)}/ ({len(manifest.get('files', []))} files, {manifest.get('created', '?')})"])
        if current and current not in (manifest.get("new_fingerprint"), manifest.get("history_fingerprint")) and not left:
            return Status("applied", "commit your new migrations; consolidate rollback --force keeps a copy of them",
                          [f"{rel(p.folder)}/ changed since apply", f"backup: {rel(p.backup)}/"])
        where = "the new set was not swapped in" if current == manifest.get("history_fingerprint") else \
            f"{rel(p.folder)}/ is missing" if not current else "the swap did not finish"
        return Status("interrupted", "consolidate rollback (restores the history from the backup)",
                      [f"apply stopped after the backup: {where}", *(f"left behind: {x}" for x in left)])
    if left:
        return Status("interrupted", "consolidate rollback (clears what was left; the history is in place)",
                      [f"left behind: {x}" for x in left])
    marker = read_json_object(cfg.state.rolled_back)
    if marker and marker.get("restored_fingerprint") == tree_fingerprint(p.folder):
        return Status("rolled_back", "consolidate validate, then consolidate apply when you are ready again",
                      [f"{rel(p.folder)}/ is the history as it was before apply"])
    staged = cfg.state.staged
    decisions, _ = load_decisions(cfg.state)
    if not staged.is_dir() or cfg.state.staged_is_stale(cfg.folder, decisions.to_json()):
        detail = ["the staged set is older than the history or the decisions"] if staged.is_dir() else []
        return Status("untouched", "consolidate analyze to triage, then consolidate generate", detail)
    validation, fresh = cfg.state.validation_is_fresh(cfg.folder)
    if fresh and validation.get("equal"):
        return Status("validated", "consolidate apply", ["the last validation found the new set EQUAL to the history"])
    if fresh:
        n = len(validation.get("differences", []))  # type: ignore[arg-type]
        return Status("generated", "consolidate validate, and fix what differs",
                      [f"the last validation found {n} difference(s)"])
    proof = cfg.state.read_generated().get("proof") or {}
    proven = "proven on PostgreSQL when generated" if proof.get("state") == "proven" else "NOT proven when generated"
    return Status("generated", "consolidate validate", [f"staged set in {rel(staged)}/ ({proven})"])
