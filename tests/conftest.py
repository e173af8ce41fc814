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
