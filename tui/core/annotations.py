"""What `consolidate check` found, printed for a person, for GitHub Actions (workflow commands that
annotate the lines of a pull request), as JSON, or as SARIF 2.1.0 for code scanning.

Paths are relative to the current folder when the project is inside it (a CI job runs at the
repository's root, where annotations must point), else to the project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import __version__

if TYPE_CHECKING:  # the CLI imports this module at start: the analysis behind a result loads only for `check`
    from tui.core.check import CheckResult
    from tui.core.findings import Finding

OUTPUTS = ("text", "github", "json", "sarif")


class Note:
    """One annotation: a level (error, warning, notice), a rule, a place and a message."""

    def __init__(self, level: str, rule: str, file: str, line: int, message: str) -> None:
        self.level, self.rule, self.file, self.line, self.message = level, rule, file, line, message


def _path(root: Path, file: str) -> str:
    if not file:
        return ""
    full = (root / file).absolute()
    try:
        return full.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return file


def notes(result: CheckResult) -> list[Note]:
    root = Path(result.analysis.config.root)
    out = [Note("error", "edited-after-apply", _path(root, e.file), 0,
                f"{e.file} was {'removed' if e.gone else 'edited'} after apply: databases already ran it as it was; "
                "restore it and add a new migration instead") for e in result.edited]
    out += [Note("error", "unreadable", _path(root, d.file), d.line, d.message) for d in result.errors]

    def finding(f: Finding, level: str) -> Note:
        first = f.sources[0] if f.sources else None
        also = ", ".join(f"{s.file}:{s.line}" for s in f.sources[1:4]) + (" ..." if len(f.sources) > 4 else "")
        return Note(level, f.kind, _path(root, first.file) if first else "", first.line if first else 0,
                    f"{f.action}" + (f" (also {also})" if also else ""))

    level = "warning" if len(result.worth) > result.max_findings else "notice"
    out += [finding(f, level) for f in result.worth]
    out += [finding(f, "notice") for f in result.notices]
    return out


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github(result: CheckResult) -> str:
    """GitHub Actions workflow commands: `::warning file=F,line=N,title=T::message`."""
    lines = []
    for n in notes(result):
        props = ",".join(p for p in (f"file={_escape(n.file, True)}" if n.file else "", f"line={n.line}" if n.line else "",
                                     f"title={_escape('consolidate ' + n.rule, True)}") if p)
        lines.append(f"::{n.level} {props}::{_escape(n.message)}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def text(result: CheckResult) -> str:
    lines = [f"{n.file or '.'}{':' + str(n.line) if n.line else ''}: {n.level}: [{n.rule}] {n.message}" for n in notes(result)]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result: CheckResult) -> str:
    a = result.analysis
    head = f"{a.sources.format}: {len(a.sources.migrations)} migrations, {len(result.worth)} finding(s) worth consolidating"
    if result.failed:
        return f"{head}: FAILED: " + "; ".join(result.reasons())
    extra = ", the consolidated set as apply wrote it" if result.recorded else ""
    return f"{head} (at most {result.max_findings} allowed){extra}: OK"


def as_json(result: CheckResult) -> str:
    data = {"ok": not result.failed, "reasons": result.reasons(), "format": result.analysis.sources.format,
            "max_findings": result.max_findings, "worth_consolidating": len(result.worth),
            "notes": [{"level": n.level, "rule": n.rule, "file": n.file, "line": n.line, "message": n.message} for n in notes(result)]}
    return json.dumps(data, indent=1) + "\n"


_RULES = {
    "created_then_dropped": "An object created and dropped again in the history: the set leaves it out.",
    "added_later": "A column or constraint added after its table: the set writes it inside CREATE TABLE.",
    "altered_later": "An object changed after it was created: the set writes its final form.",
    "redefined": "A function or view defined more than once: the set writes its last definition.",
    "data_then_removed": "Rows inserted and removed again: the set leaves them out.",
    "spread": "One concern spread over many files: the set writes it together.",
    "no_effect": "A statement that changes nothing: the set leaves it out.",
    "unfollowable": "A statement the model cannot follow (dynamic SQL): kept as written, proven on PostgreSQL.",
    "duplicate_version": "Two migrations with one version.",
    "edited-after-apply": "A file of a consolidated set edited or removed after apply.",
    "unreadable": "SQL of the history that cannot be read.",
}


def sarif(result: CheckResult) -> str:
    """SARIF 2.1.0: one run, a rule per kind, a result per note."""
    found = notes(result)
    rules = sorted({n.rule for n in found})
    levels = {"error": "error", "warning": "warning", "notice": "note"}
    results: list[dict[str, Any]] = []
    for n in found:
        r: dict[str, Any] = {"ruleId": n.rule, "ruleIndex": rules.index(n.rule), "level": levels[n.level], "message": {"text": n.message}}
        if n.file:
            loc: dict[str, Any] = {"artifactLocation": {"uri": n.file, "uriBaseId": "%SRCROOT%"}}
            if n.line:
                loc["region"] = {"startLine": n.line}
            r["locations"] = [{"physicalLocation": loc}]
        results.append(r)
    run = {"tool": {"driver": {"name": "consolidate", "version": __version__,
                               "rules": [{"id": rule, "shortDescription": {"text": _RULES.get(rule, rule)}} for rule in rules]}},
           "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
           "results": results}
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=1) + "\n"


def render(result: CheckResult, output: str) -> str:
    return {"text": text, "github": github, "json": as_json, "sarif": sarif}[output](result)

