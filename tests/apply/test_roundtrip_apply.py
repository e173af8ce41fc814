"""apply then rollback on the example and on every corpus history; the documents apply writes
checked against the analysis they come from."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.apply.helpers import add_odd_files, project_tree, run, status
from tests.conftest import copy_corpus, corpus_cases, corpus_params, requires_pg
from tui.apply import apply, plan_apply, plan_rollback, rollback
from tui.core.analysis import analyze
from tui.core.generate import generate
from tui.core.report import README, REPORT


def check_documents(project: Path, analysis: object) -> None:
    folder = project / "migrations"
    backup = project / "migrations.old"
    readme = (folder / README).read_text()
    report = (folder / REPORT).read_text()
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                     if p.is_file() and p.name not in (README, REPORT))
    listed = re.findall(r"^\| `([^`]+)` \|", readme, re.M)
    generated = json.loads((project / ".consolidate" / "generated.json").read_text())
    assert listed == [f["file"] for f in generated["files"]]
    assert set(listed) <= set(written)
    findings = getattr(analysis, "findings")
    assert f"{len(findings)} findings in the old history" in report
    for f in findings:
        line = next(ln for ln in report.splitlines() if f"(`{f.id}`)" in ln)
        assert f"**{f.kind}** {f.object_type} `{f.object_name}`" in line
        for s in f.sources:
            assert f"`{s.file}:{s.line}`" in line, (f.id, s)
            old = backup / Path(s.file).relative_to("migrations")
            text = old.read_text("utf-8", "replace").splitlines()
            assert 1 <= s.line <= len(text) and text[s.line - 1].strip(), f"{s.file}:{s.line} is not a statement line"


@requires_pg
@pytest.mark.pg
def test_example_validated_applied_documented_and_rolled_back(example: Path) -> None:
    add_odd_files(example / "migrations")
    before = project_tree(example)
    assert run(example, "generate").returncode == 0
    r = run(example, "validate", "--pg", "local")
    assert r.returncode == 0, r.stderr
    assert status(example)["state"] == "validated"
    analysis = analyze(example)
    r = run(example, "apply", "--yes")
    assert r.returncode == 0, r.stderr
    assert status(example)["state"] == "applied"
    check_documents(example, analysis)
    validation = json.loads((example / ".consolidate" / "validation.json").read_text())
    readme = (example / "migrations" / README).read_text()
    assert f"`sha256:{validation['fingerprint']}`" in readme and "EQUAL" in readme
    assert "## Writing the next migrations" in readme
    # (what a database that ran the history needs: here the tool's table, which baseline rewrites)
    assert "## Databases that ran the old history" in readme and "consolidate baseline --database-url URL" in readme
    r = run(example, "rollback", "--yes")
    assert r.returncode == 0, r.stderr
    assert project_tree(example) == before
    assert status(example)["state"] == "rolled_back"


CASES = corpus_cases()


@pytest.mark.skipif(not CASES, reason="no corpus beside the repo")
@pytest.mark.parametrize("name,fmt,preamble", corpus_params("apply_rollback"))
def test_corpus_apply_then_rollback_is_byte_for_byte(tmp_path: Path, name: str, fmt: str, preamble: str) -> None:
    project = copy_corpus(tmp_path, name, preamble)
    before = project_tree(project)
    generate(project)
    plan = plan_apply(project, force=True)
    analysis = analyze(project)
    apply(plan)
    assert project_tree(project) != before
    check_documents(project, analysis)
    rollback(plan_rollback(project))
    assert project_tree(project) == before
