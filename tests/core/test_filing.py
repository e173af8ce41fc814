"""The new set reads as a person would lay it out: no file holds most of a large set, and every file
is named for what it holds, never after a history file it happened to come from."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_corpus, corpus_params
from tui.core.filing import _unique
from tui.core.generate import generate
from tui.core.plan.grouping import stem
from tui.core.sources import load_sources

LARGE = 1000  # lines: from this size on, no file may hold more than SHARE of the set
SHARE = 0.35
OWN_NAMES = {"setup", "data", "sequence_values", "notify_triggers", "functions", "types", "views", "triggers",
             "indexes", "sequences", "schemas", "extensions", "policies", "constraints", "changes"}


def _files(project: Path) -> list[tuple[str, str]]:
    """(name, up text) of each file the tool wrote (its own setup files, diesel's, aside)."""
    result = generate(project, out=project / "new")
    out = []
    for f in result.files:
        base = f.path.split("/", 1)[0] if "/" in f.path else f.path
        name = re.sub(r"(\.up)?\.sql$", "", base)
        name = re.sub(r"^(V|R|B)?[\d._-]*_+", "", name)
        out.append((name, f.up_text or f.text))
    return out


def _check(project: Path) -> list[tuple[str, str]]:
    files = _files(project)
    history_stems = {stem(m.file) for m in load_sources(project).migrations}
    total = sum(text.count("\n") + 1 for _, text in files)
    for name, text in files:
        if "diesel_initial_setup" in name:
            continue  # the tool's own file, written as it was
        lines = text.count("\n") + 1
        if total > LARGE:
            assert lines <= SHARE * total, f"{name}: {lines} of {total} lines"
        if name in OWN_NAMES or re.fullmatch(r"\w+_\d+", name) and name.rsplit("_", 1)[0] in OWN_NAMES:
            continue
        body = text.lower()
        words = [w for w in name.split("_") if w and not w.isdigit()]
        assert all(re.search(rf"(?<![a-z0-9]){re.escape(w)}", body) for w in words), f"{name}: names what it does not hold"
        tables = set(re.findall(r"create table (?:if not exists )?(?:\w+\.)?\"?(\w+)", body))
        assert name not in history_stems or name in tables or any(t.startswith(name) for t in tables), \
            f"{name}: named after a history file"
    return files


def test_the_example_is_laid_out_in_named_domain_files(tmp_path: Path) -> None:
    project = tmp_path / "example"
    shutil.copytree(ROOT / "migrations", project / "migrations")
    assert len(_check(project)) >= 6  # not one file holding most of the schema


@pytest.mark.parametrize("name,fmt,preamble", corpus_params("filing"))
def test_each_corpus_history_is_laid_out_in_named_balanced_files(tmp_path: Path, name: str, fmt: str, preamble: str) -> None:
    _check(copy_corpus(tmp_path, name, preamble))


GROUPS = '[groups]\nwebhooks = ["trigger", "webhook_*"]\nidentity = ["identity", "api_key", "permission_*"]\n'


def test_files_named_in_the_settings_take_their_tables(tmp_path: Path) -> None:
    project = tmp_path / "example"
    shutil.copytree(ROOT / "migrations", project / "migrations")
    (project / "consolidate.toml").write_text(GROUPS)
    files = dict(_files(project))
    assert "identity" in files and "webhooks" in files
    for table in ("identity", "api_key", "permission_set"):
        assert re.search(rf"create table {table}\b", files["identity"].lower()), table
    # trigger is needed by sensor, made before the webhook functions: webhooks goes on in a second file
    together = "".join(text for name, text in files.items() if name.startswith("webhooks")).lower()
    assert "create table trigger" in together


def test_a_wrong_group_setting_is_refused_with_its_line(tmp_path: Path) -> None:
    from tui.core.errors import ConsolidateError
    from tui.core.project import load_config

    for bad in ('[groups]\nWeb = ["x"]\n', '[groups]\nweb = "x"\n', '[groups]\nweb = []\n', 'groups = 3\n'):
        (tmp_path / "consolidate.toml").write_text("# settings\n" + bad)
        with pytest.raises(ConsolidateError) as exc:
            load_config(tmp_path).check()
        assert exc.value.line == 2 and "groups" in str(exc.value), (bad, str(exc.value))


def test_the_authors_comments_go_with_their_statements(tmp_path: Path) -> None:
    """A comment above a kept statement stays above it; one above a statement left out goes with it."""
    folder = tmp_path / "p" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_a.sql").write_text("-- the accounts\nCREATE TABLE account (id int PRIMARY KEY);\n\n"
                                                 "-- a scratch table for the import\nCREATE TABLE scratch (id int);\n")
    (folder / "20240102000000_b.sql").write_text("-- done with the import\nDROP TABLE scratch;\n")
    text = "".join(t for _, t in _files(tmp_path / "p"))
    assert "-- the accounts\nCREATE TABLE account" in text
    assert "scratch" not in text and "import" not in text


def test_files_named_alike_are_numbered_on_from_the_last_number() -> None:
    # (Counted on from the last number given, not from 2 each time: thousands of files named
    # alike were quadratic. A name taken some other way is still skipped.)
    used: set[str] = {"t_3"}
    counted: dict[str, int] = {}
    names = []
    for candidates in (["t"], ["t"], ["t"], ["users", "t"], ["users", "t"], ["t"]):
        names.append(_unique(candidates, used, counted))
        used.add(names[-1])
    assert names == ["t", "t_2", "t_4", "users", "t_5", "t_6"]


def test_a_history_that_adds_one_table_a_migration_is_laid_out_in_a_few_files(tmp_path: Path) -> None:
    """Each table its own domain made a file a table (LiteLLM's 220 Prisma migrations gave 67
    files): past MOST files, the smallest neighbours join, within the share a file may hold; a
    statement that runs alone stays alone."""
    from tui.core.filing import MOST

    folder = tmp_path / "p" / "migrations"
    folder.mkdir(parents=True)
    for i in range(40):
        cols = ",\n".join(f"  c{j} text" for j in range(i % 7 + 2))
        text = f"CREATE TABLE thing{i} (\n  id bigint PRIMARY KEY,\n{cols}\n);\nCREATE INDEX thing{i}_c0 ON thing{i} (c0);\n"
        (folder / f"{20240101000000 + i}_thing{i}.sql").write_text(text)
    (folder / "20240201000000_concurrent.sql").write_text("-- no-transaction\nCREATE INDEX CONCURRENTLY thing3_c1 ON thing3 (c1);\n")
    files = _check(tmp_path / "p")
    assert len(files) <= MOST
    body = "".join(text for _, text in files)
    assert all(f"CREATE TABLE thing{i} (" in body for i in range(40))
    alone = [text for _, text in files if "CONCURRENTLY" in text]
    assert len(alone) == 1 and alone[0].count(";") == 1


def test_a_short_history_is_not_laid_out_in_more_files_than_it_had(tmp_path: Path) -> None:
    """Setup, rows and a domain a table made four Prisma migrations six files: the domains join
    down to the number of history files they come from (setup and rows keep their own)."""
    def table(name: str) -> str:
        return f"CREATE TABLE {name} (\n  id bigint PRIMARY KEY,\n" + ",\n".join(f"  {name}_{i} text" for i in range(12)) + "\n);\n"

    folder = tmp_path / "p" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_init.sql").write_text('CREATE EXTENSION IF NOT EXISTS "pgcrypto";\n' + table("account") + table("setting")
                                                    + "INSERT INTO setting (id, setting_0) VALUES (1, 'dark');\n")
    (folder / "20240102000000_event.sql").write_text(table("event") + "CREATE INDEX event_at ON event (event_0);\n")
    files = _check(tmp_path / "p")
    names = [name for name, _ in files]
    assert len(files) <= 3 and names[0] == "setup" and names[-1] == "data", names
    assert "CREATE TABLE event" in "".join(text for _, text in files)


def test_a_prefix_every_table_shares_is_left_out_of_the_names() -> None:
    """`ttrss_feeds`, `ttrss_entries`, LiteLLM's `LiteLLM_*`: the shared first word told no file
    from another (LiteLLM's files were `litellm`, `litellm_2`... or `litellm_<table>`)."""
    from tui.core.filing import _names_for, _prefix

    tables = ["ttrss_feeds", "ttrss_entries", "ttrss_user_entries", "ttrss_users", "public.ttrss_labels2"]
    assert _prefix(tables) == "ttrss"
    assert _names_for({"ttrss_feeds": 30, "ttrss_feed_categories": 20}, "ttrss")[:2] == ["feeds", "feeds_feed_categories"]
    assert _names_for({"ttrss_entries": 50, "ttrss_users": 10}, "ttrss")[:2] == ["entries", "entries_users"]
    assert _prefix(["LiteLLM_SpendLogs", "LiteLLM_TeamTable", "LiteLLM_UserTable", "LiteLLM_Config"]) == "litellm"
    # Not where a table is the bare word, nor across other first words, nor in a set of a few tables.
    assert _prefix(["ttrss", "ttrss_feeds", "ttrss_entries", "ttrss_users"]) == ""
    assert _prefix(["ttrss_feeds", "ttrss_entries", "ttrss_users", "users"]) == ""
    assert _prefix(["app_a", "app_b", "app_c"]) == ""
    assert _names_for({"ttrss": 5}, "ttrss") == ["ttrss"]
