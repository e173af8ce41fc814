"""Moving a table to another file of the new set, as the TUI's generate screen does: the move is a
`[groups]` entry in consolidate.toml, so the CLI, validate and the next generate honour it too,
and the person sees it in a file they own."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from tui.core.errors import ConsolidateError
from tui.core.project import CONFIG_FILE, GROUP_NAME, load_config

_SECTION = re.compile(r"^\[\s*groups\s*\][^\n]*\n(?P<body>.*?)(?=^\[|\Z)", re.M | re.S)


def move_table(root: Path, table: str, group: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Put `table` (its name as the files list it) in the file named `group`, and return the
    project's groups as they now are. The group goes first in `[groups]`, since the first group
    whose patterns match a table takes it, and other groups no longer name the table itself
    (their patterns stay). Comments in the section are kept; nothing is written when the result
    would not read back as valid settings."""
    if not GROUP_NAME.fullmatch(group):
        raise ConsolidateError("not a file name for a group", f"{group!r}: lowercase letters, digits and _, starting with a letter")
    path = root / CONFIG_FILE
    text = path.read_text("utf-8") if path.is_file() else ""
    try:
        groups = tomllib.loads(text).get("groups", {}) if text else {}
    except tomllib.TOMLDecodeError as exc:
        raise ConsolidateError("cannot move the table", f"{CONFIG_FILE} cannot be read: {exc}") from None
    found = _SECTION.search(text)
    if groups and found is None:
        raise ConsolidateError("cannot move the table", f"{CONFIG_FILE} writes groups another way than a [groups] table: "
                               "edit it by hand")
    moved = {group: [table] + [p for p in groups.get(group, []) if p != table]}
    moved.update({name: kept for name, patterns in groups.items() if name != group and (kept := [p for p in patterns if p != table])})
    comments = [line for line in (found.group("body") if found else "").splitlines() if line.lstrip().startswith("#")]
    section = "[groups]\n" + "".join(c + "\n" for c in comments) + "".join(f"{n} = {json.dumps(p)}\n" for n, p in moved.items())
    if found is not None:
        new = text[:found.start()] + section + ("\n" if found.end() < len(text) else "") + text[found.end():]
    else:
        new = text + ("\n" if text and not text.endswith("\n") else "") + ("\n" if text else "") + section
    before = {d.message for d in load_config(root).diagnostics}  # a problem it had already is not the move's
    path.write_text(new, "utf-8")
    cfg = load_config(root)
    wrong = [d for d in cfg.diagnostics if d.message not in before]
    if wrong:
        if text:
            path.write_text(text, "utf-8")
        else:
            path.unlink()
        raise ConsolidateError("cannot move the table", str(wrong[0]))
    return cfg.groups
