"""Find the migration files of a project, detect their format and order them as the owning tool does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tui.core.errors import ERROR, INFO, WARNING, Diagnostic
from tui.core.formats import FORMATS, detect
from tui.core.formats.base import LISTINGS, READ_DIGESTS, REPEATABLE, Migration, SourceSet, rel
from tui.core.formats.flyway_placeholders import Placeholders, mark, unmark


def placeholders_of(src: SourceSet) -> Placeholders | None:
    """How the set's tool fills in placeholders (Flyway's settings); None where it has none."""
    return next((m.placeholders for m in src.migrations if m.placeholders is not None), None)


def load_set(folder: Path, history: SourceSet) -> SourceSet:
    """A new set's migrations (a trial, the staged set), read in the history's format, their
    placeholders read and filled in as the history's: the project's settings say how, not
    whatever lies beside the set."""
    new = load_sources(folder.parent, folder.name, history.format)
    ph = placeholders_of(history)
    if ph is None:
        return new
    return replace(new, migrations=tuple(replace(m, sql=mark(unmark(m.sql), ph), placeholders=ph) for m in new.migrations))


def load_sources(root: Path | str, migrations: str = "migrations", fmt: str = "auto") -> SourceSet:
    """Read every migration under `root/migrations` in the order its tool applies them.

    Problems (a missing folder, an unknown format, non-UTF-8 bytes, two files with one version)
    become diagnostics; reading carries on with the other files.
    """
    root = Path(root)
    folder = root / migrations
    diags: list[Diagnostic] = []
    rel_folder = rel(folder, root)
    if not folder.is_dir():
        hint = ""
        if (root / "sqitch.plan").is_file():
            hint = ("; sqitch's plan is at the project's root, and consolidate swaps a folder of its own: move sqitch.plan, "
                    "deploy/, revert/ and verify/ into one (sqitch.conf's top_dir), or run it on the folder above with --migrations")
        elif found := _folders_like_migrations(root):
            hint = f"; the project's folders that look like a migration tool's: {', '.join(found)} (give --migrations)"
        diags.append(Diagnostic(rel_folder, 0, ERROR, "migrations folder not found" + hint))
        return SourceSet(str(root), rel_folder, fmt if fmt != "auto" else "unknown", (), tuple(diags))
    listings = LISTINGS.set({})  # detection and reading list the same folders: once
    try:
        return _load(root, folder, rel_folder, fmt, diags)
    finally:
        LISTINGS.reset(listings)


_NOT_LOOKED_INTO = frozenset({".git", ".hg", "node_modules", "vendor", "target", ".venv", "venv", "dist", "build", ".consolidate",
                              "__pycache__", ".tox", ".idea", ".vscode"})


def _folders_like_migrations(root: Path, most: int = 3, visits: int = 3000) -> list[str]:
    """Up to `most` folders of the project (four levels down at most, a few thousand looked at)
    whose files a migration tool would take, nearest first: for the error when the folder given
    is not there."""
    found: list[str] = []
    level = [root]
    for _ in range(4):
        below = []
        for folder in level:
            try:
                subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and p.name not in _NOT_LOOKED_INTO)
            except OSError:
                continue
            for sub in subs:
                visits -= 1
                if visits < 0:
                    return found
                if detect(sub)[0] not in (None, "plain"):
                    found.append(rel(sub, root))
                    if len(found) == most:
                        return found
                else:
                    below.append(sub)
        level = below
    return found


def _load(root: Path, folder: Path, rel_folder: str, fmt: str, diags: list[Diagnostic]) -> SourceSet:
    detected, note = detect(folder)
    if note and fmt == "auto" and detected is not None:
        diags.append(Diagnostic(rel_folder, 0, INFO, note))
    if fmt == "auto":
        if detected is None and note:
            diags.append(Diagnostic(rel_folder, 0, ERROR, f"unknown migration format: {note}"))
            return SourceSet(str(root), rel_folder, "unknown", (), tuple(diags))
        if detected is None:
            names = [p.name for p in sorted(folder.iterdir())][:5]
            what = "it is empty" if not names else "no file looks like sqlx, golang-migrate, diesel, Flyway, dbmate, goose, Prisma, Supabase, Drizzle, Atlas, node-pg-migrate, sql-migrate, tern, Postgrator, graphile-migrate, pop, Hasura, yoyo, refinery, sqitch or Liquibase, nor is numbered (" + ", ".join(names) + ")"
            diags.append(Diagnostic(rel_folder, 0, ERROR, f"unknown migration format: {what}; use --format"))
            return SourceSet(str(root), rel_folder, "unknown", (), tuple(diags))
        fmt = detected
    elif fmt not in FORMATS:
        diags.append(Diagnostic(rel_folder, 0, ERROR, f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}"))
        return SourceSet(str(root), rel_folder, fmt, (), tuple(diags))
    elif detected and detected != fmt:
        diags.append(Diagnostic(rel_folder, 0, WARNING, f"files look like {detected}, read as {fmt} as asked"))
    digests: dict[str, str] = {}
    token = READ_DIGESTS.set(digests)
    try:
        found, others = FORMATS[fmt].read(folder, root, diags)
    finally:
        READ_DIGESTS.reset(token)
    found.sort(key=lambda m: (m.sort_key, m.file))
    _check_versions(found, diags)
    aside = FORMATS[fmt].aside
    _check_unreadable(root, [o for o in others if not (aside and aside.match(Path(o).name))], fmt, diags)
    if not found:
        diags.append(Diagnostic(rel_folder, 0, ERROR, f"no {fmt} migration files found"))
    return SourceSet(str(root), rel_folder, fmt, tuple(found), tuple(sorted(diags)), tuple(sorted(others)), digests)


def _check_versions(found: list[Migration], diags: list[Diagnostic]) -> None:
    seen: dict[tuple[object, ...], Migration] = {}
    for m in found:
        if m.kind == REPEATABLE:
            continue
        key = (m.kind, m.sort_key)
        if key in seen:
            first = seen[key]
            diags.append(Diagnostic(m.file, 1, WARNING, f"version {m.version} is also used by {first.file}; both are applied, in file-name order"))
        else:
            seen[key] = m


def _check_unreadable(root: Path, others: list[str], fmt: str, diags: list[Diagnostic]) -> None:
    """A `.sql` name that is no file to read (a broken link, a folder), or a file the format does not
    take as a migration (`003.sql` beside sqlx's `001_init.sql`), or a folder of `.sql` files its tool
    does not look into, is named, not passed over."""
    for other in others:
        p = root / other
        if not other.endswith(".sql"):
            if p.is_dir() and not p.is_symlink() and _holds_sql(p):
                diags.append(Diagnostic(other, 0, WARNING, f"a folder of .sql files, which {fmt} does not look into: not read, "
                                        "not analyzed and not validated; copied to the new set as it is"))
            continue
        if p.is_file():
            what = "a down part without its up part" if other.endswith((".down.sql", ".rollback.sql", "-down.sql")) else f"not named as {fmt} names a migration"
            diags.append(Diagnostic(other, 0, WARNING, f"{what}: not read, not analyzed and not validated; copied to the new set as it is"))
            continue
        why = "a broken symbolic link" if p.is_symlink() and not p.exists() else "a folder" if p.is_dir() else "not a regular file"
        diags.append(Diagnostic(other, 0, WARNING, f"named like a migration but {why}: not read"))


def _holds_sql(folder: Path) -> bool:
    try:
        return any(q.suffix == ".sql" for q in folder.iterdir())
    except OSError:  # (a folder that cannot be listed: nothing to say of it here)
        return False
