"""The project's settings: `consolidate.toml` at its root, overridden by command-line flags."""

from __future__ import annotations

import os
import re
import tomllib
from typing import Any
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.errors import ERROR, ConsolidateError, Diagnostic
from tui.core.state import STATE_DIR, State, state_of

CONFIG_FILE = "consolidate.toml"


@dataclass(frozen=True)
class ProjectConfig:
    """Where the migrations are and what the throwaway server needs.

    Attributes:
        root: the project folder.
        migrations: the migrations folder, relative to root.
        format: `auto` or one of the formats in `sources.FORMATS`.
        preamble: SQL the application or the migration tool runs before the first migration.
        roles: roles to create in the throwaway server.
        postgres: PostgreSQL major version wanted (0: whatever the provider has).
        image: Docker image for the docker provider.
        pg: default provider.
        groups: files the user names: (name, table name patterns); the tables that match, with
            what belongs to them, go to that file, which keeps its name and is not cut.
        guard: generate writes the guard into every new set (`tui.core.guard`).
        schemas: the schemas the tool folds and compares (empty: all); statements on objects
            elsewhere stay as written, and the comparison does not read those schemas.
        exclude_schemas: schemas left out of folding and comparing the same way.
    """

    root: Path
    migrations: str = "migrations"
    format: str = "auto"
    preamble: str = ""
    roles: tuple[str, ...] = ()
    postgres: int = 0
    image: str = ""
    pg: str = "auto"
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    guard: bool = False
    schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def folder(self) -> Path:
        return self.root / self.migrations

    @property
    def scope(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(schemas, exclude_schemas), as the catalog reads them."""
        return self.schemas, self.exclude_schemas

    def in_scope(self, schema: str) -> bool:
        return (not self.schemas or schema in self.schemas) and schema not in self.exclude_schemas

    @property
    def backup(self) -> Path:
        """`migrations.old/` beside the migrations folder."""
        return self.folder.with_name(self.folder.name + ".old")

    @property
    def state(self) -> State:
        return state_of(self.root)

    def check(self) -> None:
        """Refuse to work from settings that could not be read as written: a default silently
        used instead (another folder, no preamble) would give another result."""
        errors = [d for d in self.diagnostics if d.severity == ERROR]
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise ConsolidateError("the project's settings are wrong", first.message + more, first.file, first.line)


# Each setting: the type it must have, and what it is, for the message when it has another.
_SCHEMA: dict[str, tuple[type, str]] = {
    "migrations": (str, "the migrations folder, relative to the project"),
    "format": (str, "a migration format name"),
    "preamble": (str, "SQL text"),
    "roles": (list, "a list of role names"),
    "postgres": (int, "a PostgreSQL major version such as 15"),
    "image": (str, "a Docker image name"),
    "pg": (str, "a provider: auto, docker, local or embedded"),
    "groups": (dict, 'a table of file names, each a list of table name patterns (webhooks = ["webhook_*"])'),
    "guard": (bool, "true or false"),
    "schemas": (list, "a list of schema names"),
    "exclude_schemas": (list, "a list of schema names"),
}
GROUP_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _schema_problems(data: dict[str, Any], text: str) -> list[tuple[str, Diagnostic]]:
    """(key, diagnostic) for each setting that is unknown or of the wrong type, at its line."""
    out = []
    for key, value in data.items():
        line = next((i for i, ln in enumerate(text.splitlines(), 1)
                     if re.match(rf"\s*(?:{re.escape(key)}\s*=|\[\s*{re.escape(key)}\s*\])", ln)), 0)
        if key not in _SCHEMA:
            out.append((key, Diagnostic(CONFIG_FILE, line, ERROR, f"unknown setting {key!r} (known: {', '.join(_SCHEMA)})")))
            continue
        kind, what = _SCHEMA[key]
        wrong = not isinstance(value, bool) if kind is bool else not isinstance(value, kind) or isinstance(value, bool)
        if kind is list and not wrong:
            wrong = not all(isinstance(x, str) and x for x in value)
        if kind is int and not wrong:
            wrong = value < 0
        if kind is dict and not wrong:
            wrong = not all(isinstance(name, str) and GROUP_NAME.fullmatch(name) and isinstance(patterns, list) and patterns
                            and all(isinstance(x, str) and x for x in patterns) for name, patterns in value.items())
        if wrong:
            out.append((key, Diagnostic(CONFIG_FILE, line, ERROR, f"{key} must be {what}, not {value!r}")))
    return out


def _outside(root: Path, migrations: str) -> str:
    """Why the migrations folder cannot be where it is said to be ("" when it can)."""
    # Lexically: a migrations folder that is a symlink to elsewhere is still the project's.
    top = Path(os.path.normpath(root.absolute()))
    folder = Path(os.path.normpath(top / migrations))
    if folder == top or top not in folder.parents:
        return f"the migrations folder must be a folder inside the project, not {migrations!r}"
    if (top / STATE_DIR) == folder or (top / STATE_DIR) in folder.parents:
        return f"the migrations folder cannot be inside {STATE_DIR}/, the tool's own state"
    return ""


DEFAULT_FOLDERS = ("prisma/migrations", "supabase/migrations", "db/migrations", "drizzle", "src/migrations",
                   "src/main/resources/db/migration",  # (Flyway's in a Spring Boot, Micronaut or Quarkus project)
                   "src/main/resources/db/changelog", "src/main/resources/config/liquibase")  # (Liquibase's there; JHipster's)
SQITCH_FOLDERS = ("db", "sqitch", "database")  # (a folder holding sqitch.plan: sqitch's top_dir)


def is_hasura_config(path: Path) -> bool:
    """A config.yaml that is Hasura CLI's (`version:` and `endpoint:` at its top level): the
    project's folder is chosen here by it, and the format module tells Hasura's folders from
    diesel's by it."""
    try:
        text = path.read_text("utf-8", "replace") if path.is_file() else ""
    except OSError:
        return False
    return bool(re.search(r"^version:\s*[23]\s*$", text, re.MULTILINE) and re.search(r"^endpoint:", text, re.MULTILINE))


def _hasura_database(root: Path, folder: Path) -> str:
    """Hasura's CLI (config v3) keeps a folder of migrations per database in `migrations/`: the
    one named `default`, or the only one."""
    if not is_hasura_config(root / "config.yaml"):
        return ""
    try:
        subs = [p.name for p in folder.iterdir() if p.is_dir()]
    except OSError:
        return ""
    if any(re.match(r"^\d+_", s) for s in subs):  # (config v2: the migrations are in the folder itself)
        return ""
    return "default" if "default" in subs else subs[0] if len(subs) == 1 else ""


def _sqitch_top_dir(root: Path) -> list[str]:
    """The `top_dir`s sqitch.conf names: PostgreSQL's engine's first (`[engine "pg"]`), then `[core]`'s."""
    try:
        text = (root / "sqitch.conf").read_text("utf-8", "replace")
    except OSError:
        return []
    out = []
    for section in (r'\[engine\s+"pg"\]', r"\[core\]"):
        part = re.search(r"^\s*" + section + r"[^\[]*", text, re.MULTILINE)
        top = re.search(r"^\s*top_dir\s*=\s*(\S+)\s*$", part.group(0), re.MULTILINE) if part else None
        if top:
            out.append(top.group(1).strip("\"'").rstrip("/"))
    return out


# Flyway's names of databases, which a location's `{vendor}` becomes (`db/migration/{vendor}`).
FLYWAY_VENDORS = frozenset({"postgresql", "mysql", "mariadb", "h2", "hsqldb", "oracle", "sqlserver", "db2", "sqlite", "derby",
                            "sybasease", "redshift", "cockroachdb", "snowflake", "informix", "firebird", "saphana", "sapdb",
                            "clickhouse", "yugabytedb", "tidb"})


def _vendor_folders(folder: Path) -> bool:
    """A Flyway location with `{vendor}` (`db/migration/{vendor}`): only folders of databases, and
    no script of its own; PostgreSQL's is `postgresql/`, the one Flyway reads. (Beside a folder of
    scripts for all, `common/`, the history is in two locations: the format module refuses it.)"""
    try:
        entries = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return False
    names = {p.name for p in entries if p.is_dir()}
    return ("postgresql" in names and len(names) > 1 and names <= FLYWAY_VENDORS
            and not any(p.suffix == ".sql" for p in entries if p.is_file()))


def load_config(root: Path | str, migrations: str | None = None, fmt: str | None = None) -> ProjectConfig:
    """Read `consolidate.toml` if there is one; a broken file becomes a diagnostic, not a crash."""
    root = Path(root)
    cfg = ProjectConfig(root=root)
    path = root / CONFIG_FILE
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            line = getattr(exc, "lineno", 0) or 0
            cfg = replace(cfg, diagnostics=(Diagnostic(CONFIG_FILE, line, ERROR, f"cannot read settings: {exc}"),))
        else:
            problems = _schema_problems(data, path.read_text("utf-8"))
            if problems:
                data = {k: v for k, v in data.items() if k not in {key for key, _ in problems}}
            cfg = replace(
                cfg,
                migrations=str(data.get("migrations", cfg.migrations)),
                format=str(data.get("format", cfg.format)),
                preamble=str(data.get("preamble", "")),
                roles=tuple(str(r) for r in data.get("roles", ())),
                postgres=int(data.get("postgres", 0) or 0),
                image=str(data.get("image", "")),
                pg=str(data.get("pg", "auto")),
                groups=tuple((name, tuple(patterns)) for name, patterns in data.get("groups", {}).items()),
                guard=bool(data.get("guard", False)),
                schemas=tuple(str(x) for x in data.get("schemas", ())),
                exclude_schemas=tuple(str(x) for x in data.get("exclude_schemas", ())),
                diagnostics=tuple(d for _, d in problems),
            )
    if migrations:
        cfg = replace(cfg, migrations=migrations)
    elif "migrations" not in data and not cfg.folder.is_dir():
        # Where each tool puts its folder by default, when the project has no `migrations/`.
        found = next((f for f in DEFAULT_FOLDERS if (root / f).is_dir()), None) or next(
            (f for f in (*_sqitch_top_dir(root), *SQITCH_FOLDERS) if (root / f / "sqitch.plan").is_file()), None)
        if found is None and (database := _hasura_database(root / "hasura", root / "hasura" / "migrations")):
            found = f"hasura/migrations/{database}"  # (a Hasura project in a folder of the repository)
        if found:
            cfg = replace(cfg, migrations=found)
    elif "migrations" not in data and (database := _hasura_database(root, cfg.folder)):
        cfg = replace(cfg, migrations=f"{cfg.migrations}/{database}")
    if not migrations and "migrations" not in data and _vendor_folders(cfg.folder):
        cfg = replace(cfg, migrations=f"{cfg.migrations}/postgresql")
    where = _outside(root, cfg.migrations)
    if where:
        cfg = replace(cfg, diagnostics=cfg.diagnostics + (Diagnostic(CONFIG_FILE if not migrations else "", 0, ERROR, where),))
    if fmt and fmt != "auto":
        cfg = replace(cfg, format=fmt)
    return cfg
