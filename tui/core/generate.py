"""The generate phase: plan, render and write the consolidated set (never into `migrations/`)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.analysis import Analysis, Progress, analyze
from tui.core.decisions import Decisions, load_decisions
from tui.core.errors import ConsolidateError
from tui.core.formats.base import OWNED
from tui.core.plan import Plan, build_plan
from tui.core.render import RenderedFile, render
from tui.core.state import State, generator_sha, tree_sha


@dataclass
class GenerateResult:
    analysis: Analysis
    plan: Plan
    files: list[RenderedFile]
    out: Path
    copied: list[str] = field(default_factory=list)  # tool-owned and later files, kept as they are
    history_sha: str = ""
    staged_sha: str = ""

    def totals(self) -> dict[str, dict[str, int]]:
        migs = [m for m in self.analysis.sources.migrations if m.readable]
        return {
            "history": {
                "files": len(migs),
                "statements": sum(self.analysis.parsed.per_migration),
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
) -> GenerateResult:
    """Plan and write the new set to `out` (default `.consolidate/new/`).

    `source` is an analysis made with `track_reads=True` (the TUI's, read once), or a project
    folder, which is analyzed here.
    """
    if isinstance(source, Analysis) and source.reads_tracked:
        analysis = source
    else:
        root = source.config.root if isinstance(source, Analysis) else source
        analysis = analyze(root, migrations, fmt, progress=progress, track_reads=True, until=until)
    if not analysis.ok:
        first = next((d for d in analysis.diagnostics if d.severity == "error"), None)
        raise ConsolidateError("nothing to generate", first.message if first else "no migration could be read",
                               first.file if first else "", first.line if first else 0)
    cfg = analysis.config
    if decisions is None:
        decisions, _ = load_decisions(cfg.state)
    plan = build_plan(analysis, decisions)
    src = analysis.sources
    reversible = any(m.down_file for m in src.migrations)
    files = render(plan, analysis.model, src.format, reversible)
    target = Path(out) if out is not None else cfg.state.staged
    if out is not None and target.exists() and any(target.iterdir()):
        raise ConsolidateError("output folder is not empty", str(target))
    if target.resolve() == cfg.folder.resolve():
        raise ConsolidateError("refusing to write into the migrations folder", "generate never touches it; use apply")
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for f in files:
        _write(staging / f.path, f.text)
        if f.down_path:
            _write(staging / f.down_path, f.down_text)
    copied = _copy_kept(analysis, staging)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    result = GenerateResult(analysis, plan, files, target, copied, tree_sha(cfg.folder), tree_sha(target))
    if out is None:
        _remember(cfg.state, result, decisions.to_json())
    return result


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
    copied = []
    for p in keep:
        rel = p.relative_to(folder)
        # A diesel migration is a folder: take the whole folder (up, down, metadata.toml).
        if rel.parts[0] != rel.name and (folder / rel.parts[0]).is_dir():
            p, rel = folder / rel.parts[0], Path(rel.parts[0])
        dest = staging / rel
        if dest.exists():
            continue
        if p.is_dir():
            shutil.copytree(p, dest, copy_function=shutil.copy2)
        elif p.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest)
        copied.append(rel.as_posix())
    return sorted(copied)


def _remember(state: State, result: GenerateResult, decisions: dict[str, object]) -> None:
    data = {"history_sha256": result.history_sha, "staged_sha256": result.staged_sha, "decisions": decisions,
            "generator": generator_sha(), "format": result.analysis.sources.format,
            "files": [{"file": f.path, "objects": f.objects, "statements": f.statements, "lines": f.lines}
                      for f in result.files],
            "kept_as_is": result.copied, **result.totals()}
    state.write_json(state.generated, data)
