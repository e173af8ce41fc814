"""Liquibase's changelog: the entries of a master changelog (XML, YAML or JSON) that include the
files whose changesets run, in their order, and the rewrite of those entries for a new set.

`include`, `includeAll` and, in XML and YAML, `changeSet` and `property` entries are read (the
changes of a changeset are turned into SQL by liquibase_changes): a changeset in JSON is an error
that names it, as is any other entry that decides what runs (a precondition). A YAML changelog's
includes are read for the shapes Liquibase's documentation writes (`- include:` with `file:` under
it, or `{file: ...}` on its line), its changesets and properties by PyYAML (liquibase_yaml).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import ERROR, WARNING, Diagnostic
from tui.core.formats.base import listing
from tui.core.formats.liquibase_xml import Node, XmlError, parse_xml  # (a DOCTYPE, and with it any entity, is refused before parsing)
from tui.core.formats.liquibase_yaml import yaml_entries

SUFFIXES = (".xml", ".yaml", ".yml", ".json")
NEW_FOLDER = "consolidated"  # where the new set's files go, beside the master changelog


@dataclass
class Entry:
    """An `include` (a file) or `includeAll` (a folder's files, in the order of their paths), at
    `line` of the changelog (JSON: 0), with what it resolves to; or an XML `changeSet` of change types."""

    kind: str
    path: str
    relative: bool
    line: int
    files: list[Path]  # (a changeSet: the changelog it is written in)
    node: Node | None = None  # a changeSet's element


def master(folder: Path) -> Path | None:
    """The folder's master changelog: a file named like one (`db.changelog-master.yaml`, JHipster's
    `master.xml`) that says `databaseChangeLog`."""
    for p in listing(folder) if folder.is_dir() else ():  # (the folder's listing, as detection and reading share it)
        if ("changelog" in p.name.lower() or p.stem.lower() == "master") and master_like(p):
            return p
    return None


def master_like(path: Path) -> bool:
    """A changelog of XML, YAML or JSON: it says `databaseChangeLog`."""
    return (path.suffix.lower() in SUFFIXES and path.is_file()
            and "databaseChangeLog" in path.read_bytes()[:65536].decode("utf-8", "replace"))


def entries(path: Path, root: Path, where: str, diags: list[Diagnostic], properties: dict[str, str] | None = None) -> list[Entry]:
    """The include entries of a master changelog, resolved, in order. `properties`: filled with the
    changelog's properties for PostgreSQL, where none of the name is yet (Liquibase keeps the first)."""
    text = path.read_bytes().decode("utf-8", "replace")  # (its line endings as they are: CR LF kept)
    suffix = path.suffix.lower()
    found: list[dict[str, str]] = []  # its properties, read with its entries
    if suffix == ".xml":
        raw = _xml(text, where, diags, found)
    elif suffix == ".json":
        raw = [(*e, None) for e in _json(text, where, diags)]
    else:
        raw = [(*e, None) for e in _yaml(text, where, diags)]
        if "changeSet" in text or (properties is not None and "property" in text):
            try:
                changesets, found = yaml_entries(text)
                raw = sorted(raw + [("changeSet", f"{n.get('id')}::{n.get('author')}", False, n.line, n) for n in changesets],
                             key=lambda e: e[3])
            except XmlError as exc:
                if "changeSet" in text:
                    diags.append(Diagnostic(where, exc.line, ERROR, f"{exc}; its changesets not read", lost=True))
    if properties is not None:
        _take(found, properties, where, diags)
    out = []
    for kind, target, relative, line, node in raw:
        files = [path] if node is not None else resolve(path, root, kind, target, relative, where, line, diags)
        out.append(Entry(kind, target, relative, line, files, node))
    return out


def _take(found: list[dict[str, str]], properties: dict[str, str], where: str, diags: list[Diagnostic]) -> None:
    """The properties for PostgreSQL into `properties`, where none of the name is yet; one from a
    file or under a context said."""
    for attrs in found:
        if attrs.get("file") or attrs.get("context") or attrs.get("contextFilter") or attrs.get("labels"):
            diags.append(Diagnostic(where, 0, WARNING, f"property {attrs.get('name') or attrs.get('file')}: from a file, or under a "
                                    "context or label: not filled in"))
        elif dbms_matches(attrs.get("dbms", "")) and attrs.get("name"):
            properties.setdefault(attrs["name"], attrs.get("value", ""))


def resolve(path: Path, root: Path, kind: str, target: str, relative: bool, where: str, line: int, diags: list[Diagnostic]) -> list[Path]:
    """The files an entry names: beside the changelog where it says so, else found from the
    changelog's folder up to the project's root (Liquibase looks on its search path, the classpath
    of a Spring project: `src/main/resources`)."""
    target = target.removeprefix("classpath:").lstrip("/")
    if not target.strip("./"):
        diags.append(Diagnostic(where, line, ERROR, f"{kind} without a {'path' if kind == 'includeAll' else 'file'}: entry skipped", lost=True))
        return []
    bases = [path.parent] if relative else [path.parent, *(p for p in path.parent.parents if p == root or root in p.parents)]
    # Then, for a path from the search path's top, its tail beside the changelog or a folder above
    # it, longest tail first: the folder as staged or backed up is not where the search path finds
    # it (`db/changelog/changes/a.sql` is `changes/a.sql` beside `db/changelog/db.changelog-master.yaml`,
    # and `functions/f.sql` above `db/changelog/releases/r1.xml`).
    parts = Path(target).parts
    tried = [base / target for base in bases] + ([base.joinpath(*parts[k:]) for k in range(1, len(parts)) for base in bases]
                                                  if not relative else [])
    top = root.resolve()
    for candidate in tried:
        plain = Path(os.path.normpath(candidate))  # (`..` taken out as written; links followed only to check)
        found = plain.resolve()
        if top not in (found, *found.parents):
            continue  # (outside the project: never read)
        if kind != "includeAll" and plain.is_file():  # (an include's file, or a loadData's)
            return [plain]
        if kind == "includeAll" and plain.is_dir():  # (a file linked from outside the project is not read)
            return sorted((p for p in plain.rglob("*") if p.is_file() and top in p.resolve().parents), key=lambda p: p.as_posix())
    diags.append(Diagnostic(where, line, ERROR, f"{kind} {target}: not found in the project; entry skipped", lost=True))
    return []


def _true(value: object) -> bool:
    return str(value).strip().strip("'\"").lower() == "true"


def _xml(text: str, where: str, diags: list[Diagnostic], properties: list[dict[str, str]]) -> list[tuple[str, str, bool, int, Node | None]]:
    """Its entries, in order; its `property` elements' attributes go to `properties`."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        diags.append(Diagnostic(where, 1, ERROR, "a changelog with a DOCTYPE or entities: not read", lost=True))
        return []
    try:
        tree = parse_xml(text)
    except XmlError as exc:
        diags.append(Diagnostic(where, exc.line, ERROR, f"not well-formed XML ({exc}); changelog not read", lost=True))
        return []
    out: list[tuple[str, str, bool, int, Node | None]] = []
    for el in tree.children:
        if el.tag in ("include", "includeAll") and (scope := [f"{k}:{el.get(k)}" for k in ("context", "contextFilter", "labels") if el.get(k)]):
            diags.append(Diagnostic(where, el.line, WARNING, f"{el.tag} under {' '.join(scope)}: what it includes is read as run, and "
                                    "the new set runs it under every context"))
        if el.tag == "include":
            out.append(("include", el.get("file"), _true(el.get("relativeToChangelogFile")), el.line, None))
        elif el.tag == "includeAll":
            out.append(("includeAll", el.get("path"), _true(el.get("relativeToChangelogFile")), el.line, None))
        elif el.tag == "property":
            properties.append(el.attrs)
        elif el.tag == "changeSet":  # (its changes are read as SQL by liquibase_changes)
            if tree.get("objectQuotingStrategy") and not el.get("objectQuotingStrategy"):
                el.attrs["objectQuotingStrategy"] = tree.get("objectQuotingStrategy")  # (the changelog's, where it has none)
            out.append(("changeSet", f"{el.get('id')}::{el.get('author')}", False, el.line, el))
        else:
            _other(el.tag, el.line, where, diags)
    return out


def _json(text: str, where: str, diags: list[Diagnostic]) -> list[tuple[str, str, bool, int]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        diags.append(Diagnostic(where, exc.lineno, ERROR, f"not JSON ({exc.msg}); changelog not read", lost=True))
        return []
    out = []
    for item in data.get("databaseChangeLog", []) if isinstance(data, dict) else []:
        for tag, body in item.items() if isinstance(item, dict) else ():
            body = body if isinstance(body, dict) else {}
            if tag in ("include", "includeAll"):
                out.append((tag, str(body.get("file" if tag == "include" else "path", "")), _true(body.get("relativeToChangelogFile")), 0))
            elif tag == "property":
                diags.append(Diagnostic(where, 0, WARNING, "a JSON changelog's property: its ${...} in the changesets are not filled in"))
            else:
                _other(tag, 0, where, diags)
    return out


_YAML_ENTRY = re.compile(r"^(\s*)-\s+(\w+)\s*:\s*(\{.*\})?\s*$")
_YAML_KEY = re.compile(r"^\s+(\w+)\s*:\s*(.*?)\s*$")
_FLOW_KEY = re.compile(r"(\w+)\s*:\s*([^,}]+)")


def _yaml(text: str, where: str, diags: list[Diagnostic]) -> list[tuple[str, str, bool, int]]:
    out = []
    current: dict[str, str] | None = None
    indent = -1
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#") or line.strip() == "databaseChangeLog:":
            continue
        if (m := _YAML_ENTRY.match(line)) is not None and (indent < 0 or len(m.group(1)) <= indent):
            indent = len(m.group(1))
            tag = m.group(2)
            if tag in ("include", "includeAll"):
                current = {"kind": tag, "line": str(n)}
                current.update((k, v.strip().strip("'\"")) for k, v in _FLOW_KEY.findall(m.group(3) or ""))
                out.append(current)
            else:
                current = None
                if tag != "changeSet":  # (read by yaml_entries)
                    _other(tag, n, where, diags)
        elif current is not None and (k := _YAML_KEY.match(line)) is not None:
            current[k.group(1)] = k.group(2).strip("'\"")
    return [(e["kind"], e.get("file" if e["kind"] == "include" else "path", ""), _true(e.get("relativeToChangelogFile", "")),
             int(e["line"])) for e in out]


def dbms_matches(dbms: str) -> bool:
    """Whether what a `dbms` attribute lists takes in PostgreSQL (`!h2`, `all`, none)."""
    names = {d.strip().lower() for d in dbms.split(",") if d.strip()}
    if not names or "all" in names:
        return "!postgresql" not in names
    return "postgresql" in names or (all(n.startswith("!") for n in names) and "!postgresql" not in names)


_PROPERTY = re.compile(r"\$\{([^}]+)\}")


def filled(text: str, properties: dict[str, str]) -> str:
    """`${name}` replaced by the property's value, as Liquibase fills it in; one it has none of stays."""
    return _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), text) if properties and "${" in text else text


def _other(tag: str, line: int, where: str, diags: list[Diagnostic]) -> None:
    if tag != "property":  # (read by entries)
        diags.append(Diagnostic(where, line, ERROR, f"a `{tag}` entry: consolidate reads a changelog's include and includeAll "
                                "entries, the changesets of the formatted SQL files they name and an XML or YAML changelog's "
                                "changesets, not a JSON one's nor other entries; entry skipped", lost=True))


def rewritten(path: Path, entries_: list[Entry], replaced: set[int], at: int, after: bool, insert: bool = True) -> str:
    """The changelog with the entries at `replaced` (indexes) taken out and one `includeAll` of the
    new set's folder put before the entry at `at` (after it, with `after`: its first files stay,
    the set comes after them; none without `insert`: a changelog the master includes)."""
    text = path.read_bytes().decode("utf-8", "replace")  # (its line endings as they are: CR LF kept)
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = json.loads(text)
        items = data["databaseChangeLog"]
        index = [i for i, item in enumerate(items) if isinstance(item, dict) and set(item) & {"include", "includeAll"}]
        anchor = items[index[at]]
        keep = [item for i, item in enumerate(items) if i not in {index[k] for k in replaced}]
        new = {"includeAll": {"path": NEW_FOLDER + "/", "relativeToChangelogFile": True}}
        if insert and anchor in keep:
            keep.insert(keep.index(anchor) + after, new)
        elif insert:  # (taken out: the set stands where it stood)
            keep.insert(sum(1 for i in range(index[at]) if i not in {index[k] for k in replaced}), new)
        data["databaseChangeLog"] = keep
        return json.dumps(data, indent=2) + "\n"
    lines = text.splitlines(keepends=True)
    spans = _spans(lines, entries_, suffix)
    first, end = spans[at]
    indent = re.match(r"\s*", lines[first]).group(0)  # type: ignore[union-attr]
    newline = "\r\n" if lines[first].endswith("\r\n") else "\n"
    entry = (f'{indent}<includeAll path="{NEW_FOLDER}/" relativeToChangelogFile="true"/>{newline}' if suffix == ".xml" else
             f"{indent}- includeAll:{newline}{indent}    path: {NEW_FOLDER}/{newline}{indent}    relativeToChangelogFile: true{newline}")
    out = []
    for i, line in enumerate(lines):
        if insert and not after and i == first:
            out.append(entry)
        if not any(spans[k][0] <= i < spans[k][1] for k in replaced):
            out.append(line)
        if insert and after and i == end - 1:
            out.append(entry)
    return "".join(out)


def _spans(lines: list[str], entries_: list[Entry], suffix: str) -> list[tuple[int, int]]:
    """The lines (from, to: 0-based, end excluded) each entry takes in the changelog's text."""
    spans = []
    for e in entries_:
        start = e.line - 1
        end = start + 1
        if e.node is not None:
            end = e.node.end_line
            while suffix != ".xml" and end > start + 1 and not lines[end - 1].strip():
                end -= 1
        elif suffix == ".xml":
            while end <= len(lines) and "/>" not in "".join(lines[start:end]) and "</include" not in "".join(lines[start:end]):
                end += 1
        else:
            own = len(lines[start]) - len(lines[start].lstrip())
            while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > own) \
                    and not _YAML_ENTRY.match(lines[end]):
                end += 1
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1
        spans.append((start, end))
    return spans
