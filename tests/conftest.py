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
    from tui.pg.local_server import find_bindir

    return find_bindir() is not None


requires_pg = pytest.mark.skipif(not _has_local_pg(), reason="no local PostgreSQL binaries (apt-get install postgresql)")


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """One real local PostgreSQL for the session's tests."""
    if not _has_local_pg():
        pytest.skip("no local PostgreSQL binaries")
    from tui.pg.local_server import local_server

    with local_server() as server:
        yield server


def corpus_cases() -> list[tuple[str, str, str]]:
    import csv

    path = CORPUS / "cases.tsv"
    if not path.is_file():
        return []
    with open(path, newline="") as fh:
        return [(r["name"], r["format"], r["preamble_sql"]) for r in csv.DictReader(fh, delimiter="\t")]


# Corpus cases each test still gets wrong, until the issue that fixes them lands. The marks are
# strict: a case that starts passing fails its mark, and the entry goes.
KNOWN_FAILURES: dict[str, dict[str, str]] = {}  # test -> {case: the issue that fixes it}


def corpus_params(test: str, exclude: tuple[str, ...] = ()) -> list[object]:
    """corpus_cases() as pytest params, each case the named test still fails marked xfail(strict)."""
    known = KNOWN_FAILURES.get(test, {})
    return [pytest.param(*case, id=case[0], marks=[pytest.mark.xfail(strict=True, reason=known[case[0]])] if case[0] in known else [])
            for case in corpus_cases() if case[0] not in exclude]


def copy_corpus(tmp_path: Path, name: str, preamble: str) -> Path:
    import json

    dest = tmp_path / name
    shutil.copytree(CORPUS / name / "migrations", dest / "migrations")
    if preamble:
        (dest / "consolidate.toml").write_text(f"preamble = {json.dumps(preamble)}\n")
    return dest
