"""sqitch: `sqitch.plan` lists the changes in the order they deploy (dependencies are only checked);
each change's `deploy/<name>.sql` is run by psql in a session of its own, outside any transaction
but the ones the script opens itself, and `revert/<name>.sql` undoes it. A change reworked later
keeps its earlier scripts as `<name>@<tag>.sql`, the first tag after it in the plan; a change's
version is its name as sqitch names a change (`<name>@<tag>` for those earlier ones: `--until` takes
it). The new set is written as changes of a new plan (`finish`), dated and signed as the history's
last change, so the same history gives the same plan. sqitch keeps what ran in its registry, keyed
by ids that hash the plan: no guard, and `baseline` says what to run instead."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from tui.core.errors import ERROR, Diagnostic
from tui.core.formats.base import Format, Found, Layout, Migration, NewFile, listing, rel, up_down
from tui.core.formats.unwritten import unwritten

PLAN = "sqitch.plan"
_CHANGE = re.compile(r"^([+-]?)(\S+)(\s+\[[^\]]*\])?\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s+(.*?)\s*(?:#.*)?$")
_TAG = re.compile(r"^@(\S+)")
_SCRIPTS = ("deploy", "revert", "verify")
# psql's meta-commands that change what it prints or its own variables, never the database: blanked
# (their lines kept); any other (`\i`, `\connect`, `\copy`) stays, and is an error that names it.
_PSQL_ONLY = re.compile(r"^[ \t]*\\(?:set|unset|echo|qecho|warn|pset|timing|encoding|restrict|unrestrict|x|t|a)\b[^\n]*$",
                        re.MULTILINE)


def looks_like(folder: Path) -> bool:
    return (folder / PLAN).is_file()


class Change:
    """A change line of the plan: its name, where it stands, the script it deploys, the line."""

    def __init__(self, name: str, line: int, text: str, stamp: str, planner: str) -> None:
        self.name, self.line, self.text, self.stamp, self.planner = name, line, text, stamp, planner
        self.script = name


def plan(text: str, where: str, diags: list[Diagnostic]) -> tuple[list[str], list[Change]]:
    """The plan's pragmas and its changes, each with the script it runs (a change reworked later
    runs `<name>@<tag>`, the first tag after it)."""
    pragmas: list[str] = []
    changes: list[Change] = []
    untagged: list[Change] = []  # the changes since the last tag
    tag_after: dict[int, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("%"):
            pragmas.append(line)
        elif (tag := _TAG.match(line)) is not None:
            tag_after.update((id(c), tag.group(1)) for c in untagged)
            untagged = []
        elif (m := _CHANGE.match(line)) is None:
            diags.append(Diagnostic(where, n, ERROR, "not a change, a tag or a pragma of a sqitch plan: line skipped", lost=True))
        elif m.group(1) == "-":
            diags.append(Diagnostic(where, n, ERROR, "a change marked for revert (`-`): consolidate does not follow it; line skipped",
                                   lost=True))
        else:
            change = Change(m.group(2), n, line, m.group(4), m.group(5))
            changes.append(change)
            untagged.append(change)
    latest = {c.name: c for c in changes}
    for c in changes:
        if latest[c.name] is not c and id(c) in tag_after:
            c.script = f"{c.name}@{tag_after[id(c)]}"
    return pragmas, changes


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others = [rel(p, root) for p in listing(folder) if p.name != PLAN and p.name not in _SCRIPTS]
    path = folder / PLAN
    _, changes = plan(path.read_text("utf-8", "replace"), rel(path, root), diags)
    used = {f"{d}/{c.script}.sql" for c in changes for d in ("deploy", "revert")}
    for d in ("deploy", "revert"):  # scripts no change of the plan runs: named, kept as they are
        if (folder / d).is_dir():
            others += [rel(p, root) for p in sorted((folder / d).rglob("*.sql")) if p.relative_to(folder).as_posix() not in used]
    for i, c in enumerate(changes, 1):
        deploy, revert = folder / "deploy" / f"{c.script}.sql", folder / "revert" / f"{c.script}.sql"
        if not deploy.is_file():
            diags.append(Diagnostic(rel(path, root), c.line, ERROR, f"change {c.name}: no deploy/{c.script}.sql", lost=True))
            continue
        mig = up_down(c.script, c.name, deploy, revert if revert.is_file() else None, root, diags, sort_key=(i,),
                      transactional=False, inline_copy=True, fresh_search_path=True)
        found.append(replace(mig, sql=_PSQL_ONLY.sub("", mig.sql)))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    # psql runs it: a transaction of its own, unless a statement in it cannot run in one
    body = f.header + (f.body if not f.transactional else "BEGIN;\n\n" + f.body + "\nCOMMIT;\n")
    down = "BEGIN;\n\n" + f.down + "\nCOMMIT;\n" if f.down.strip() else f.down
    return Layout(f"deploy/{f.version}_{f.group}.sql", body, f"revert/{f.version}_{f.group}.sql", down)


def finish(history: Path, new: Path, kept: list[str]) -> dict[str, str]:
    """The new plan: the history's, each change the set replaces taken out and the set's changes
    put where the first of them stood (with --until or --from, the changes kept stay around them,
    without dependencies on the ones replaced); its tags stay, in their order among the changes
    kept, so a reworked change kept still finds its scripts."""
    text = (history / PLAN).read_text("utf-8", "replace")
    _, changes = plan(text, PLAN, [])
    last = changes[-1] if changes else None
    stamp, planner = (last.stamp, last.planner) if last else ("1970-01-01T00:00:00Z", "consolidate <consolidate@localhost>")
    kept_scripts = {k[len("deploy/"):-len(".sql")] for k in kept if k.startswith("deploy/") and k.endswith(".sql")}
    replaced = {c.line for c in changes if c.script not in kept_scripts}
    gone = {c.name for c in changes if c.line in replaced}
    made = sorted(p.stem for p in (new / "deploy").glob("*.sql")) if (new / "deploy").is_dir() else []
    lines: list[str] = []
    at = {c.line: c for c in changes}
    for n, raw in enumerate(text.splitlines(), 1):
        if n in replaced:
            lines += [f"{name} {stamp} {planner} # consolidated by consolidate" for name in made]
            made = []
        elif n in at:
            lines.append(_without(raw, gone))
        else:
            lines.append(raw)
    out = {PLAN: "\n".join(lines + [f"{name} {stamp} {planner} # consolidated by consolidate" for name in made]) + "\n"}
    for script in sorted(kept_scripts):  # (a kept change's verify script goes with it)
        if (verify := history / "verify" / f"{script}.sql").is_file():
            out[f"verify/{script}.sql"] = verify.read_text("utf-8", "replace")
    return out


def _without(line: str, replaced: set[str]) -> str:
    """A change line without its dependencies on changes that are no longer in the plan (the
    brackets right after its name; a note's are left as they are)."""
    m = re.match(r"^(\S+)\s+\[([^\]]*)\]", line)
    if m is None:
        return line
    deps = [d for d in m.group(2).split() if d.lstrip("!").split("@")[0] not in replaced]
    return m.group(1) + (f" [{' '.join(deps)}]" if deps else "") + line[m.end():]


_BOOKKEEPING = unwritten("sqitch keeps what ran in its registry, keyed by ids that hash the plan, which consolidate does not write",
                         "on each database that ran the history: with the history's plan, `sqitch revert --log-only -y`; "
                         "then, with the new set, `sqitch deploy --log-only` (both mark changes without running them)")
FORMAT = Format("sqitch", "", read, layout, _BOOKKEEPING, finish=finish,
                no_guard="sqitch keeps what a database ran in its registry, keyed by ids that hash the plan")
