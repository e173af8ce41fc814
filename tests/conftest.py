from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HISTORIES = ROOT / "tests" / "fixtures" / "histories"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the example project (migrations and packs)."""
    dest = tmp_path / "example"
    dest.mkdir()
    shutil.copytree(ROOT / "migrations", dest / "migrations")
    shutil.copytree(ROOT / "packs", dest / "packs")
    return dest


def _has_local_pg() -> bool:
    from tui.pg.servers import find_bindir

    return find_bindir() is not None


requires_pg = pytest.mark.skipif(not _has_local_pg(), reason="no local PostgreSQL binaries (apt-get install postgresql)")


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """One real local PostgreSQL for the session's tests."""
    if not _has_local_pg():
        pytest.skip("no local PostgreSQL binaries")
    from tui.pg.servers import local_server

    with local_server() as server:
        yield server


def corpus_cases() -> list[tuple[str, str, str]]:
    import csv

    path = CORPUS / "cases.tsv"
    if not path.is_file():
        return []
    with open(path, newline="") as fh:
        return [(r["name"], r["format"], r["preamble_sql"]) for r in csv.DictReader(fh, delimiter="\t")]


def copy_corpus(tmp_path: Path, name: str, preamble: str) -> Path:
    import json

    dest = tmp_path / name
    shutil.copytree(CORPUS / name / "migrations", dest / "migrations")
    if preamble:
        (dest / "consolidate.toml").write_text(f"preamble = {json.dumps(preamble)}\n")
    return dest
