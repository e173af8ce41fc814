"""Flyway's `${name}` placeholders: read as markers PostgreSQL's parser takes for names, written back
as they were, filled in with the project's values when run."""

from __future__ import annotations

from pathlib import Path

import pglast

from tui.core.formats.flyway_placeholders import Placeholders, fill, mark, settings, unmark
from tui.core.sources import load_sources

SQL = ("CREATE TABLE ${schema}.t (id int, note text DEFAULT '${app}');\n"
       "GRANT SELECT ON ${schema}.t TO ${reader};\n"
       "CREATE TABLE ${flyway:defaultSchema}.u (id int);\n")


def test_markers_parse_and_read_back_as_written() -> None:
    marked = mark(SQL, Placeholders())
    assert "${" not in marked and len(pglast.parse_sql(marked)) == 3
    assert unmark(marked) == SQL


def test_values_come_from_the_configuration_then_flyways_own_then_the_marker() -> None:
    ph = Placeholders(values={"schema": "app", "app": "shop"}, default_schema="core")
    filled = fill(mark(SQL, ph), ph, {})
    assert "CREATE TABLE app.t (id int, note text DEFAULT 'shop')" in filled and "CREATE TABLE core.u" in filled
    assert "TO __ph_" in filled  # nobody gave ${reader} a value: its marker stands in, a name


def test_settings_from_flyway_conf_and_toml(tmp_path: Path) -> None:
    (tmp_path / "flyway.conf").write_text("# comment\nflyway.placeholders.schema=app\nflyway.schemas=core,other\n")
    ph = settings(tmp_path)
    assert ph.values == {"schema": "app"} and ph.default_schema == "core" and ph.enabled
    (tmp_path / "flyway.conf").unlink()
    (tmp_path / "flyway.toml").write_text('[flyway]\nplaceholderReplacement = false\n[flyway.placeholders]\nschema = "x"\n')
    ph = settings(tmp_path)
    assert ph.values == {"schema": "x"} and not ph.enabled and mark(SQL, ph) == SQL


def test_a_flyway_history_with_placeholders_reads_without_error(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "V1__init.sql").write_text(SQL)
    src = load_sources(tmp_path)
    assert src.format == "flyway" and src.migrations[0].placeholders is not None
    assert "${" not in src.migrations[0].sql and not src.diagnostics
