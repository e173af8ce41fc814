"""Find the migration files of a project, detect their format and order them as the owning tool does."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.errors import ERROR, INFO, WARNING, Diagnostic

FORMATS = ("sqlx", "golang-migrate", "diesel", "flyway", "dbmate", "goose")

_SQLX = re.compile(r"^(\d+)_(.*?)(\.up|\.down)?\.sql$")
_GOLANG = re.compile(r"^(\d+)_(.*)\.(up|down)\.sql$")
_FLYWAY = re.compile(r"^([VUB])(\d+(?:[._]\d+)*)__(.*)\.sql$|^(R)__(.*)\.sql$")
_LEADING_DIGITS = re.compile(r"^(\d+)(?:_(.*))?\.sql$")
_DIESEL_DIR = re.compile(r"^([\d-]+)_(.*)$")
_DBMATE_UP = re.compile(r"^--\s*migrate:up\b(.*)$", re.M)
_DBMATE_DOWN = re.compile(r"^--\s*migrate:down\b", re.M)
_GOOSE_UP = re.compile(r"^--\s*\+goose\s+Up\b", re.M | re.I)
_GOOSE_DOWN = re.compile(r"^--\s*\+goose\s+Down\b", re.M | re.I)
_GOOSE_NO_TX = re.compile(r"^--\s*\+goose\s+NO\s+TRANSACTION\b", re.M | re.I)
_GOOSE_MARKER = re.compile(r"^--\s*\+goose\s+Statement(Begin|End)\b.*$", re.M | re.I)
_SQLX_NO_TX = re.compile(r"\A\s*--\s*no-transaction\b")


@dataclass(frozen=True)
class Migration:
    """One migration as its tool sees it.

    Attributes:
        version: the version as written (diesel: the folder prefix; Flyway: `1.2`; repeatables: empty).
        name: the description part of the file name.
        file: path of the file holding the up part, relative to the project, with `/`.
        sql: the up part's text (for dbmate and goose, only that section).
        first_line: line of `file` on which `sql` starts, so positions stay true to the file.
        down_file: the separate down file, if any.
        transactional: False where the format says the tool runs it outside a transaction.
        kind: `versioned`, `repeatable` (Flyway `R__`), `baseline` (Flyway `B`) or `setup` (diesel's own).
        sort_key: the tool's order.
    """

    version: str
    name: str
    file: str
    sql: str
    first_line: int = 1
    down_file: str = ""
    down_sql: str = ""
    transactional: bool = True
    kind: str = "versioned"
    sort_key: tuple[object, ...] = ()
    readable: bool = True


@dataclass(frozen=True)
class SourceSet:
    """The migrations of a project in their tool's order, with what went wrong reading them."""

    root: str
    folder: str
    format: str
    migrations: tuple[Migration, ...]
    diagnostics: tuple[Diagnostic, ...]
    other_files: tuple[str, ...] = field(default=())


def short_name(path: str) -> str:
    """A migration file's name as a person tells it apart: the file name, or for diesel (whose files
    are all up.sql and down.sql) the folder it is in."""
    parts = path.rsplit("/", 2)
    return parts[-2] if parts[-1] in ("up.sql", "down.sql") and len(parts) > 1 else parts[-1]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def detect_format(folder: Path) -> str | None:
    """Guess the migration tool from the folder's file names and markers; None when nothing fits."""
    if not folder.is_dir():
        return None
    entries = sorted(folder.iterdir())
    if any(p.is_dir() and (p / "up.sql").is_file() for p in entries):
        return "diesel"
    sql_files = [p for p in entries if p.is_file() and p.suffix == ".sql"]
    if any(_FLYWAY.match(p.name) for p in sql_files):
        return "flyway"
    for p in sql_files[:50]:
        head = p.read_bytes()[:65536].decode("utf-8", "replace")
        if _DBMATE_UP.search(head):
            return "dbmate"
        if _GOOSE_UP.search(head):
            return "goose"
    ups = [m for p in sql_files if (m := _GOLANG.match(p.name))]
    if ups:
        # sqlx's reversible files and golang-migrate share a shape; sqlx writes 14-digit timestamps.
        return "sqlx" if all(len(m.group(1)) >= 14 for m in ups) else "golang-migrate"
    if any(_SQLX.match(p.name) for p in sql_files):
        return "sqlx"
    return None


def _decode(data: bytes, rel: str, diags: list[Diagnostic]) -> tuple[str, bool]:
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.append(Diagnostic(rel, line, ERROR, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); file skipped"))
        return data.decode("utf-8", "replace"), False


def _read(path: Path, root: Path, diags: list[Diagnostic]) -> tuple[str, bool]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.append(Diagnostic(_rel(path, root), 0, ERROR, f"cannot read: {exc.strerror}"))
        return "", False
    text, ok = _decode(data, _rel(path, root), diags)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, ok


def _split_sections(text: str, up: re.Pattern[str], down: re.Pattern[str]) -> tuple[str, int, str, str]:
    """Return (up text, first line of up text, down text, options on the up marker)."""
    m = up.search(text)
    if not m:
        return "", 1, "", ""
    start = m.end()
    options = m.group(1) if m.groups() else ""
    d = down.search(text, start)
    up_text = text[start : d.start()] if d else text[start:]
    down_text = text[d.end() :] if d else ""
    first_line = text.count("\n", 0, start) + 1
    return up_text, first_line, down_text, options or ""


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[._]", version) if p)


def load_sources(root: Path | str, migrations: str = "migrations", fmt: str = "auto") -> SourceSet:
    """Read every migration under `root/migrations` in the order its tool applies them.

    Problems (a missing folder, an unknown format, non-UTF-8 bytes, two files with one version)
    become diagnostics; reading carries on with the other files.
    """
    root = Path(root)
    folder = root / migrations
    diags: list[Diagnostic] = []
    rel_folder = _rel(folder, root)
    if not folder.is_dir():
        diags.append(Diagnostic(rel_folder, 0, ERROR, "migrations folder not found"))
        return SourceSet(str(root), rel_folder, fmt if fmt != "auto" else "unknown", (), tuple(diags))
    detected = detect_format(folder)
    if fmt == "auto":
        if detected is None:
            names = [p.name for p in sorted(folder.iterdir())][:5]
            what = "it is empty" if not names else "no file looks like sqlx, golang-migrate, diesel, Flyway, dbmate or goose (" + ", ".join(names) + ")"
            diags.append(Diagnostic(rel_folder, 0, ERROR, f"unknown migration format: {what}; use --format"))
            return SourceSet(str(root), rel_folder, "unknown", (), tuple(diags))
        fmt = detected
    elif fmt == "atlas":
        fmt = "sqlx"
    elif fmt not in FORMATS:
        diags.append(Diagnostic(rel_folder, 0, ERROR, f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}"))
        return SourceSet(str(root), rel_folder, fmt, (), tuple(diags))
    elif detected and detected != fmt:
        diags.append(Diagnostic(rel_folder, 0, WARNING, f"files look like {detected}, read as {fmt} as asked"))
    reader = {
        "sqlx": _read_sqlx,
        "golang-migrate": _read_golang,
        "diesel": _read_diesel,
        "flyway": _read_flyway,
        "dbmate": _read_sectioned,
        "goose": _read_sectioned,
    }[fmt]
    found, others = reader(folder, root, fmt, diags)
    found.sort(key=lambda m: (m.sort_key, m.file))
    _check_versions(found, diags)
    if not found:
        diags.append(Diagnostic(rel_folder, 0, ERROR, f"no {fmt} migration files found"))
    return SourceSet(str(root), rel_folder, fmt, tuple(found), tuple(sorted(diags)), tuple(sorted(others)))


def _check_versions(found: list[Migration], diags: list[Diagnostic]) -> None:
    seen: dict[tuple[object, ...], Migration] = {}
    for m in found:
        if m.kind == "repeatable":
            continue
        key = (m.kind, m.sort_key)
        if key in seen:
            first = seen[key]
            diags.append(Diagnostic(m.file, 1, WARNING, f"version {m.version} is also used by {first.file}; both are applied, in file-name order"))
        else:
            seen[key] = m


def _up_down(version: str, name: str, up: Path, down: Path | None, root: Path, diags: list[Diagnostic], **extra: object) -> Migration:
    """A migration whose up and down parts are separate files (sqlx, golang-migrate, diesel)."""
    text, ok = _read(up, root, diags)
    has_down = down is not None and down.is_file()
    return Migration(
        version=version,
        name=name,
        file=_rel(up, root),
        sql=text if ok else "",
        down_file=_rel(down, root) if has_down and down else "",
        down_sql=_read(down, root, diags)[0] if has_down and down else "",
        readable=ok,
        **extra,  # type: ignore[arg-type]
    )


def _read_sqlx(folder: Path, root: Path, fmt: str, diags: list[Diagnostic]) -> tuple[list[Migration], list[str]]:
    found: list[Migration] = []
    others: list[str] = []
    downs: dict[tuple[str, str], Path] = {}
    ups: list[tuple[re.Match[str], Path]] = []
    for p in sorted(folder.iterdir()):
        m = _SQLX.match(p.name) if p.is_file() else None
        if not m:
            others.append(_rel(p, root))
            continue
        if m.group(3) == ".down":
            downs[(m.group(1), m.group(2))] = p
        else:
            ups.append((m, p))
    for m, p in ups:
        down = downs.pop((m.group(1), m.group(2)), None)
        mig = _up_down(m.group(1), m.group(2), p, down, root, diags, sort_key=(int(m.group(1)),))
        found.append(replace(mig, transactional=not _SQLX_NO_TX.match(mig.sql)))
    others.extend(_rel(p, root) for p in downs.values())
    return found, others


def _read_golang(folder: Path, root: Path, fmt: str, diags: list[Diagnostic]) -> tuple[list[Migration], list[str]]:
    found: list[Migration] = []
    others: list[str] = []
    files = {p.name: p for p in sorted(folder.iterdir()) if p.is_file()}
    for name, p in files.items():
        m = _GOLANG.match(name)
        if not m:
            others.append(_rel(p, root))
            continue
        if m.group(3) == "down":
            if f"{m.group(1)}_{m.group(2)}.up.sql" not in files:
                others.append(_rel(p, root))
            continue
        down = files.get(f"{m.group(1)}_{m.group(2)}.down.sql")
        found.append(_up_down(m.group(1), m.group(2), p, down, root, diags, sort_key=(int(m.group(1)),)))
    return found, others


def _read_diesel(folder: Path, root: Path, fmt: str, diags: list[Diagnostic]) -> tuple[list[Migration], list[str]]:
    found: list[Migration] = []
    others: list[str] = []
    for p in sorted(folder.iterdir()):
        m = _DIESEL_DIR.match(p.name) if p.is_dir() else None
        if not m or not (p / "up.sql").is_file():
            others.append(_rel(p, root))
            continue
        version = m.group(1)
        meta = p / "metadata.toml"
        no_tx = meta.is_file() and re.search(r"run_in_transaction\s*=\s*false", meta.read_text("utf-8", "replace")) is not None
        found.append(_up_down(version, m.group(2), p / "up.sql", p / "down.sql", root, diags, transactional=not no_tx,
                              kind="setup" if set(version) <= {"0"} else "versioned", sort_key=(int(version.replace("-", "")),)))
    return found, others


def _read_flyway(folder: Path, root: Path, fmt: str, diags: list[Diagnostic]) -> tuple[list[Migration], list[str]]:
    found: list[Migration] = []
    others: list[str] = []
    for p in sorted(folder.iterdir()):
        m = _FLYWAY.match(p.name) if p.is_file() else None
        if not m or m.group(1) == "U":
            others.append(_rel(p, root))
            continue
        text, ok = _read(p, root, diags)
        if m.group(4) == "R":
            mig = Migration("", m.group(5), _rel(p, root), text if ok else "", kind="repeatable", sort_key=(1, m.group(5)), readable=ok)
        else:
            version = m.group(2).replace("_", ".")
            kind = "baseline" if m.group(1) == "B" else "versioned"
            mig = Migration(version, m.group(3), _rel(p, root), text if ok else "", kind=kind, sort_key=(0, _version_key(version)), readable=ok)
        found.append(mig)
    # Flyway applies the newest baseline instead of the versions it covers, on an empty database.
    baselines = [m for m in found if m.kind == "baseline"]
    if baselines:
        latest = max(baselines, key=lambda m: m.sort_key)
        diags.append(Diagnostic(latest.file, 0, INFO, "baseline migration: earlier versions are not applied on an empty database"))
        found = [m for m in found if m.kind == "repeatable" or m.sort_key > latest.sort_key or m is latest]
    return found, others


def _read_sectioned(folder: Path, root: Path, fmt: str, diags: list[Diagnostic]) -> tuple[list[Migration], list[str]]:
    found: list[Migration] = []
    others: list[str] = []
    up_re, down_re = (_DBMATE_UP, _DBMATE_DOWN) if fmt == "dbmate" else (_GOOSE_UP, _GOOSE_DOWN)
    for p in sorted(folder.iterdir()):
        m = _LEADING_DIGITS.match(p.name) if p.is_file() else None
        if not m:
            others.append(_rel(p, root))
            continue
        text, ok = _read(p, root, diags)
        up, first_line, down, options = _split_sections(text, up_re, down_re)
        if ok and not up_re.search(text):
            marker = "-- migrate:up" if fmt == "dbmate" else "-- +goose Up"
            diags.append(Diagnostic(_rel(p, root), 1, ERROR, f"no `{marker}` section; file skipped"))
            ok = False
        if fmt == "goose":
            # StatementBegin/End only group lines for goose's splitter; as comments they keep line numbers.
            up = _GOOSE_MARKER.sub(lambda mm: "--" + mm.group(0)[2:], up)
            transactional = not _GOOSE_NO_TX.search(text)
        else:
            transactional = "transaction:false" not in options.replace(" ", "")
        found.append(
            Migration(
                version=m.group(1),
                name=m.group(2) or "",
                file=_rel(p, root),
                sql=up if ok else "",
                first_line=first_line,
                down_sql=down,
                transactional=transactional,
                sort_key=(int(m.group(1)),),
                readable=ok,
            )
        )
    return found, others
