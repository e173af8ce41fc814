"""The two documents apply writes beside the new set: `README.md` and `CONSOLIDATION.md` (dot files
where the tool would take them for migrations).

Both are plain Markdown a reviewer reads without the tool. Neither holds a clock time, so
writing them twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui import __version__
from tui.core.decisions import ACCEPT, KEEP, Decisions
from tui.core.errors import ConsolidateError
from tui.core.findings import Finding
from tui.core.formats import FORMATS

README = "README.md"
REPORT = "CONSOLIDATION.md"


def doc_names(fmt: str) -> tuple[str, str]:
    """The README's and the report's names in a folder of `fmt`: dot files where its tool takes
    every other file for a migration (node-pg-migrate fails on a README.md there)."""
    f = FORMATS.get(fmt)
    return ("." + README, "." + REPORT) if f is not None and f.dot_docs else (README, REPORT)

_PRACTICES = """\
## Writing the next migrations

- Add new files after the last one; never edit a file that has run anywhere.
- One concern per file, named for what it does (`add_invoice_due_date`, not `fix`).
- Put a column's default, NOT NULL and constraints in the same file as the column.
- Create types, functions and triggers with the tables that use them; `CREATE OR REPLACE`
  a function in a new file rather than editing the old one.
- Keep data that describes the product (runtimes, seeds) in `packs/`, not in migrations.
- Run `consolidate analyze` before a release to see what has started to pile up again.
"""


def _sources(f: Finding) -> str:
    return ", ".join(f"`{s.file}:{s.line}`" for s in f.sources)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# The record `consolidate check` reads: the set's files and their SHA-256, as a comment Markdown does not show.
_RECORD = re.compile(r"<!-- consolidate: the files of this set and their SHA-256[^\n]*\n(\{.*?\}) -->", re.S)


def file_record(folder: Path, names: list[str]) -> dict[str, str]:
    """Each file of the set (path in the folder) with the SHA-256 of its bytes."""
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names if (folder / n).is_file()}


def read_record(readme: str) -> dict[str, str] | None:
    """The record apply left in the folder's README; None where there is none (or it was mangled)."""
    m = _RECORD.search(readme)
    if not m:
        return None
    try:
        data = json.loads(m.group(1))
    except ValueError:
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


def readme_text(fmt: str, files: list[Mapping[str, Any]], totals: Mapping[str, Mapping[str, int]],
                validation: Mapping[str, Any], counts: Mapping[str, int], record: Mapping[str, str] | None = None) -> str:
    """`migrations/README.md`: the files and what each holds, the fingerprint, how the set was made.

    Args:
        fmt: the migration format.
        files: `{"file", "objects", "statements", "lines"}` per new file, in order.
        totals: `{"history": {...}, "new": {...}}` with files, statements and lines.
        validation: the last validation's JSON (equal, provider, fingerprint, counts).
        counts: findings by decision: folded, kept, not_reviewed.
        record: each file's SHA-256, written at the end for `consolidate check`.
    """
    h, n = totals.get("history", {}), totals.get("new", {})
    provider = validation.get("provider") or {}
    report = doc_names(fmt)[1]
    out = [
        "# Migrations",
        "",
        f"This folder holds {n.get('files', len(files))} {fmt} migrations that build the same database as the "
        f"{h.get('files', '?')} files of the history they replace ({h.get('statements', '?')} statements, "
        f"{h.get('lines', '?')} lines, now {n.get('statements', '?')} statements and {n.get('lines', '?')} lines). "
        "The old history is kept in the `.old` folder beside this one until you delete it; "
        "`consolidate rollback` restores it byte for byte.",
        "",
        "## Files",
        "",
        "| file | statements | lines | holds |",
        "|---|---:|---:|---|",
    ]
    for f in files:
        objs = list(f.get("objects", []))
        held = ", ".join(objs[:8]) + (f" and {len(objs) - 8} more" if len(objs) > 8 else "")
        out.append(f"| `{f['file']}` | {f.get('statements', '')} | {f.get('lines', '')} | {_cell(held) or 'as before'} |")
    if record:
        out += ["", "These files have run, or will, on databases: `consolidate check` fails when one of them is edited "
                "(add a new file instead)."]
    out += ["", "## Schema fingerprint", ""]
    if validation.get("fingerprint"):
        out.append(f"`sha256:{validation['fingerprint']}`")
        out.append("")
        out.append("The SHA-256 of the catalog (every table, column, constraint, index, type, function, trigger, "
                   "view, privilege, comment and row) of a database built from these files, as `consolidate "
                   "validate` reads it. A database built from the old history gave the same catalog.")
    else:
        out.append("Not available: this set was applied without a validation (`--force`).")
    out += ["", "## How this set was made", ""]
    out.append(f"- Generated by `consolidate` {__version__} from the history's SQL: {counts.get('folded', 0)} findings "
               f"folded or removed, {counts.get('kept', 0)} kept as written, {counts.get('not_reviewed', 0)} not "
               "reviewed (folded like accepted ones). Each one, with its source lines, is in "
               f"[`{report}`]({report}).")
    if validation:
        verdict = "EQUAL" if validation.get("equal") else f"{len(validation.get('differences', []))} differences"
        version = str(provider.get("version", "")).split(" ")[0]
        out.append(f"- Validated on PostgreSQL {version} ({provider.get('name', '?')} provider): the history and "
                   f"this set, each applied to a scratch database and compared object by object: {verdict}.")
    else:
        out.append("- **Not validated**: applied with `--force`.")
    out += ["", "## Databases that ran the old history", "", _ran_before(fmt), "", _PRACTICES]
    if record:
        out += ["<!-- consolidate: the files of this set and their SHA-256, for `consolidate check`",
                json.dumps(dict(record), indent=1, sort_keys=True) + " -->", ""]
    return "\n".join(out)


def _ran_before(fmt: str) -> str:
    """What a database that ran the old history needs to take this set: its tool's table rewritten
    by `consolidate baseline`, or, where consolidate does not write it, the tool's own command."""
    tool = FORMATS.get(fmt)
    if tool is None:
        return "Its migration tool's table lists the old files: rewrite it to list these before it next migrates."
    try:
        tool.bookkeeping([], lambda m: b"")
    except ConsolidateError as unwritten:  # (a table whose rows are the tool's own code's)
        return f"{unwritten.title[:1].upper()}{unwritten.title[1:]}: {unwritten.message}."
    return (f"Its `{tool.table}` lists the old files, so the tool would run these as new ones: `consolidate baseline "
            "--database-url URL` checks that database has this set's schema and rewrites that table to list these files.")


def report_text(findings: list[Finding], decisions: Decisions, validation: Mapping[str, Any],
                diagnostics: list[str], forced: list[str]) -> str:
    """`CONSOLIDATION.md`: every finding with its sources in the old history, grouped by what was done."""
    folded = [f for f in findings if decisions.get(f.id) == ACCEPT]
    kept = [f for f in findings if decisions.get(f.id) == KEEP]
    unreviewed = [f for f in findings if decisions.get(f.id) not in (ACCEPT, KEEP)]
    out = [
        "# Consolidation report",
        "",
        f"{len(findings)} findings in the old history (paths are those of the old files, now in the `.old` folder): "
        f"{len(folded)} folded or removed after review, {len(unreviewed)} folded without review, "
        f"{len(kept)} kept as written.",
        "",
        "## Validation",
        "",
    ]
    if forced:
        out.append("**Applied with `--force`**, which skipped: " + "; ".join(forced) + ".")
        out.append("")
    if validation:
        provider = validation.get("provider") or {}
        diffs = validation.get("differences", [])
        out.append(f"{'EQUAL' if validation.get('equal') else 'DIFFERENT'}: provider {provider.get('name', '?')}, "
                   f"PostgreSQL {str(provider.get('version', '')).split(' ')[0]}.")
        counts = (validation.get("counts") or {}).get("old", {})
        if counts:
            out.append("Compared: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if v) + ".")
        for d in diffs:
            out.append(f"- {d.get('type')} `{d.get('name')}`: {d.get('detail')} (history: `{d.get('old')}`, new: `{d.get('new')}`)")
        if validation.get("skipped"):
            out.append("Left out of the row comparison: " + "; ".join(validation["skipped"]) + ".")
    else:
        out.append("No validation result.")
    for title, group in (("Folded or removed", folded), ("Folded without review (deferred or undecided)", unreviewed),
                         ("Kept as written", kept)):
        out += ["", f"## {title} ({len(group)})", ""]
        if not group:
            out.append("None.")
        for f in group:
            out.append(f"- **{f.kind}** {f.object_type} `{f.object_name}`: {f.action} Source: {_sources(f)}. (`{f.id}`)")
    if diagnostics:
        out += ["", "## Diagnostics", ""] + [f"- {d}" for d in diagnostics]
    return "\n".join(out) + "\n"
