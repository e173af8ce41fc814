"""generate proves its set on PostgreSQL: a wrong fold is backed off with what PostgreSQL said,
and every family of histories that went wrong on real projects comes out EQUAL while still
folding what it can (the exact SQL is pinned in tests/fixtures/families/<case>/expected/)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, requires_pg
from tests.core.test_plan_cases import tree
from tui.core.findings import NO_STATEMENT, Finding
from tui.core.generate import generate
from tui.core.plan import accept
from tui.core.plan.planner import Planner
from tui.core.proof import PROVEN
from tui.pg.proof import PgProver
from tui.pg.validate import validate

pytestmark = [pytest.mark.pg, requires_pg]
FAMILIES = ROOT / "tests" / "fixtures" / "families"
CASES = sorted(p.name for p in FAMILIES.iterdir() if (p / "case.json").is_file())


def _url(server: Any) -> str:
    info = server.conninfo
    return f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"


def test_a_planted_wrong_fold_is_backed_off_with_its_reason(example: Path, pg_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A planner that also leaves out a CREATE INDEX the set needs: the proof sees the index missing,
    backs that fold off, and the staged set has the index again."""
    pg_server.create_roles(["attune_readonly"])
    index = next(s for s in generate(example, out=example / "probe").analysis.parsed.statements
                 if s.text.startswith("CREATE INDEX idx_pack_ref"))
    shutil.rmtree(example / "probe")
    honest = accept.APPLIERS[NO_STATEMENT]

    def wrong(p: Planner, findings: list[Finding]) -> None:
        honest(p, findings)
        if findings and index.seq not in p.pinned:
            p.dropped[index.seq] = "no effect"  # wrong: the index is there at the end
            p.fold_of(findings[0]).add(index.seq)

    monkeypatch.setitem(accept.APPLIERS, NO_STATEMENT, wrong)
    result = generate(example, prover=PgProver(url=_url(pg_server), create_roles=True))
    proof = result.proof
    assert proof.state == PROVEN
    assert len(proof.backed_off) == 1
    backed = proof.backed_off[0]
    assert backed.effect == NO_STATEMENT and "idx_pack_ref" in backed.reason
    staged = "\n".join(p.read_text() for p in (example / ".consolidate" / "new").glob("*.sql"))
    assert "CREATE INDEX idx_pack_ref" in staged
    assert proof.folds > 20  # the other folds stay made


def test_without_a_proof_the_set_says_it_is_unproven(example: Path) -> None:
    result = generate(example)
    assert result.proof.state == "unproven"
    recorded = json.loads((example / ".consolidate" / "generated.json").read_text())["proof"]
    assert recorded["state"] == "unproven" and recorded["why"]


@pytest.mark.parametrize("case", CASES)
def test_family_is_proven_equal_and_still_folds(tmp_path: Path, pg_server, case: str) -> None:  # type: ignore[no-untyped-def]
    spec = json.loads((FAMILIES / case / "case.json").read_text())
    project = tmp_path / case
    shutil.copytree(FAMILIES / case / "migrations", project / "migrations")
    result = generate(project, prover=PgProver(url=_url(pg_server), create_roles=True))
    proof = result.proof
    assert proof.state == PROVEN, proof.why
    assert len(proof.backed_off) == spec.get("backed_off", 0), [b.reason for b in proof.backed_off]
    assert len(proof.other_changes) == spec.get("other_changes", 0), proof.other_changes  # (files split, statements isolated)
    assert proof.folds >= spec.get("folds", 0)
    staged = tree(project / ".consolidate" / "new")
    expected_dir = FAMILIES / case / "expected"
    if os.environ.get("UPDATE_FAMILIES"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, text in staged.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_text(text)
    assert staged == tree(expected_dir)
    assert validate(project, url=_url(pg_server), create_roles=True).equal


def test_files_named_in_the_settings_are_proven_like_any_other(example: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    from tests.core.test_filing import GROUPS

    (example / "consolidate.toml").write_text(GROUPS)
    result = generate(example, prover=PgProver(url=_url(pg_server), create_roles=True))
    assert result.proof.state == PROVEN and not result.proof.backed_off, [b.reason for b in result.proof.backed_off]
    names = [f.path for f in result.files]
    assert any("_identity." in n for n in names) and any("_webhooks" in n for n in names), names
    assert validate(example, url=_url(pg_server), create_roles=True).equal


def test_a_planted_wrong_order_is_found_and_kept_in_the_history(tmp_path: Path, pg_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A planner that forgets what a function call PostgreSQL saw write rows also reads (so it
    writes the call before the rows it reads): no fold is to blame, and backing them all off does
    not help. The proof keeps the statements the model moved in the history's order, as few as
    make the sets equal; the fold stays made."""
    from tui.core.plan import order_keys as keys
    from tui.core.plan import planner

    honest = keys.order_keys

    def forgetful(p: Any, st: Any, item: Any, alive: Any, held: Any) -> None:
        honest(p, st, item, alive, held)
        if st.seq in p.contained_seqs and not isinstance(st.node, keys.DML):
            item.writes.discard("@data")

    monkeypatch.setattr(planner, "order_keys", forgetful)
    project = tmp_path / "p"
    shutil.copytree(FAMILIES / "rows_written_by_a_function_call_keep_their_order" / "migrations", project / "migrations")
    (project / "migrations" / "0003_names.sql").write_text("ALTER TABLE release_templates ADD COLUMN name text;\n")
    result = generate(project, prover=PgProver(url=_url(pg_server), create_roles=True))
    proof = result.proof
    assert proof.state == PROVEN, proof.why
    assert proof.folds == 1 and not proof.backed_off
    assert any("kept in the history's order" in c and "found by bisection" in c for c in proof.other_changes), proof.other_changes
    assert validate(project, url=_url(pg_server), create_roles=True).equal
