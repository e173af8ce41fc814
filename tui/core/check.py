"""`consolidate check`, for CI: has the history piled up enough to be worth consolidating, does it
hold SQL that cannot be read, and was a file of a consolidated set edited after apply?

The verdict and its reasons are plain data; `annotations` prints them as text, GitHub workflow
commands, JSON or SARIF."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui.core.analysis import Analysis, analyze
from tui.core.errors import ERROR, Diagnostic
from tui.core.findings import Finding
from tui.core.report import doc_names, file_record, read_record

# Findings that only inform: nothing of them is folded.
NOTICES = ("unfollowable", "duplicate_version")


@dataclass
class Edited:
    """A file of a consolidated set that is not what apply wrote (`gone`: it was removed)."""

    file: str
    gone: bool = False


@dataclass
class CheckResult:
    analysis: Analysis
    max_findings: int
    worth: list[Finding] = field(default_factory=list)
    notices: list[Finding] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    edited: list[Edited] = field(default_factory=list)
    recorded: bool = False  # the folder holds a set apply wrote, with its files' record

    @property
    def failed(self) -> bool:
        return len(self.worth) > self.max_findings or bool(self.errors) or bool(self.edited)

    def reasons(self) -> list[str]:
        out = []
        if len(self.worth) > self.max_findings:
            out.append(f"{len(self.worth)} finding(s) worth consolidating (more than --max-findings {self.max_findings})")
        if self.errors:
            out.append(f"{len(self.errors)} error(s) reading the history")
        if self.edited:
            out.append(f"{len(self.edited)} file(s) of the consolidated set edited after apply")
        return out


def edited_files(folder: Path, rel_folder: str, fmt: str) -> tuple[bool, list[Edited], set[str]]:
    """Whether the folder holds apply's record, the recorded files whose bytes changed, and the
    recorded files (paths relative to the project)."""
    try:
        record = read_record((folder / doc_names(fmt)[0]).read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        record = None
    if record is None:
        return False, [], set()
    now = file_record(folder, list(record))
    edited = [Edited(f"{rel_folder}/{name}", name not in now) for name, sha in record.items() if now.get(name) != sha]
    return True, edited, {f"{rel_folder}/{name}" for name in record}


def check(root: Path | str, migrations: str | None = None, fmt: str | None = None, max_findings: int = 0) -> CheckResult:
    analysis = analyze(root, migrations, fmt)
    result = CheckResult(analysis, max_findings)
    result.recorded, result.edited, consolidated = edited_files(analysis.config.folder, analysis.sources.folder, analysis.sources.format)
    for f in analysis.findings:
        # What a consolidated set still shows is what its proof kept: only what came after it counts.
        settled = bool(f.sources) and all(s.file in consolidated for s in f.sources)
        (result.notices if f.kind in NOTICES or settled else result.worth).append(f)
    result.errors = [d for d in analysis.diagnostics if d.severity == ERROR]
    return result
