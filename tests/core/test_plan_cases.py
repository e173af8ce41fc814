"""Plan cases in the spirit of sqlfluff's fix_str: a tiny history, a decision, the exact generated SQL.

Each folder under tests/fixtures/plans/ holds `migrations/`, `case.json` (the finding kind the case
is about) and `expected/accept/` and `expected/keep/`: the set generate writes when every finding of
that kind is accepted, and when every one is kept. `UPDATE_PLAN_CASES=1` rewrites the expected sets
(read the diff before committing it). tests/pg/test_plan_cases_pg.py proves each set on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.core.analysis import analyze
from tui.core.decisions import ACCEPT, KEEP, Decisions
from tui.core.generate import generate

PLANS = ROOT / "tests" / "fixtures" / "plans"
CASES = sorted(p.name for p in PLANS.iterdir() if (p / "case.json").is_file())


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def generated(tmp_path: Path, case: str, decision: str) -> tuple[dict[str, str], list[str]]:
    """The set generate writes for the case with every finding of its kind decided so, and their ids."""
    project = tmp_path / case
    shutil.copytree(PLANS / case / "migrations", project / "migrations")
    kind = json.loads((PLANS / case / "case.json").read_text())["kind"]
    decisions = Decisions()
    found = [f for f in analyze(project).findings if f.kind == kind]
    for f in found:
        decisions.set(f, decision)
    out = tmp_path / f"{case}-{decision}"
    generate(project, out=out, decisions=decisions)
    return tree(out), [f.id for f in found]


@pytest.mark.parametrize("decision", [ACCEPT, KEEP])
@pytest.mark.parametrize("case", CASES)
def test_plan_case_writes_the_expected_sql(tmp_path: Path, case: str, decision: str) -> None:
    got, found = generated(tmp_path, case, decision)
    assert found, f"the history of {case} has no finding of its kind"
    expected_dir = PLANS / case / "expected" / decision
    if os.environ.get("UPDATE_PLAN_CASES"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, text in got.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_text(text)
    assert got == tree(expected_dir)


@pytest.mark.parametrize("case", CASES)
def test_keep_changes_what_is_written(case: str) -> None:
    """A decision that did nothing would pass the test above with two equal expectations."""
    assert tree(PLANS / case / "expected" / ACCEPT) != tree(PLANS / case / "expected" / KEEP)
