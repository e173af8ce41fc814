"""The project's settings: `consolidate.toml` at its root, overridden by command-line flags."""

from __future__ import annotations

import tomllib
from typing import Any
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.errors import ERROR, Diagnostic
from tui.core.state import State, state_of

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
    """

    root: Path
    migrations: str = "migrations"
    format: str = "auto"
    preamble: str = ""
    roles: tuple[str, ...] = ()
    postgres: int = 0
    image: str = ""
    pg: str = "auto"
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def folder(self) -> Path:
        return self.root / self.migrations

    @property
    def backup(self) -> Path:
        """`migrations.old/` beside the migrations folder."""
        return self.folder.with_name(self.folder.name + ".old")

    @property
    def state(self) -> State:
        return state_of(self.root)


DEFAULT_FOLDERS = ("prisma/migrations", "supabase/migrations", "db/migrations", "drizzle", "src/migrations")


def load_config(root: Path | str, migrations: str | None = None, fmt: str | None = None) -> ProjectConfig:
    """Read `consolidate.toml` if there is one; a broken file becomes a diagnostic, not a crash."""
    root = Path(root)
    cfg = ProjectConfig(root=root)
    path = root / CONFIG_FILE
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", 0) or 0
            cfg = replace(cfg, diagnostics=(Diagnostic(CONFIG_FILE, line, ERROR, f"cannot read settings: {exc}"),))
        else:
            cfg = replace(
                cfg,
                migrations=str(data.get("migrations", cfg.migrations)),
                format=str(data.get("format", cfg.format)),
                preamble=str(data.get("preamble", "")),
                roles=tuple(str(r) for r in data.get("roles", ())),
                postgres=int(data.get("postgres", 0) or 0),
                image=str(data.get("image", "")),
                pg=str(data.get("pg", "auto")),
            )
    if migrations:
        cfg = replace(cfg, migrations=migrations)
    elif "migrations" not in data and not cfg.folder.is_dir():
        # Where each tool puts its folder by default, when the project has no `migrations/`.
        found = next((f for f in DEFAULT_FOLDERS if (root / f).is_dir()), None)
        if found:
            cfg = replace(cfg, migrations=found)
    if fmt and fmt != "auto":
        cfg = replace(cfg, format=fmt)
    return cfg
