"""Generate, then validate on a real PostgreSQL: the example and every corpus history build the same database."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import copy_corpus, corpus_params, requires_pg
from tui.core.generate import generate
from tui.core.proof import PROVEN
from tui.pg.proof import PgProver
from tui.core.sources import load_sources
from tui.pg.validate import validate

pytestmark = [pytest.mark.pg, requires_pg]


# The history built by validate itself, not the catalog the proof kept (tests/pg/test_history_catalog.py
# covers that): a second build, independent of the proof's watched one.
def test_example_round_trip_is_equal(example: Path) -> None:
    result = validate(example, pg="local", rebuild_history=True)
    assert result.differences == [] and result.history_from == ""
    assert result.equal
    assert result.provider["name"] == "local"
    assert result.roles_created == ["attune_readonly"]
    assert result.counts["old"] == result.counts["new"]
    assert result.counts["old"]["table"] >= 15
    assert all(p["ok"] for p in result.packs) and len(result.packs) == 5
    assert any("now()" in s for s in result.skipped)
    assert (example / ".consolidate" / "validation.json").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("name,fmt,preamble", corpus_params("round_trip"))
def test_corpus_round_trip_is_equal(tmp_path: Path, name: str, fmt: str, preamble: str) -> None:
    project = copy_corpus(tmp_path, name, preamble)
    result = validate(project, pg="local", rebuild_history=True)
    assert [d.to_json() for d in result.differences] == [] and result.history_from == ""
    assert result.equal
    if any(m.down_sql.strip() for m in load_sources(project / ".consolidate", "new", fmt).migrations):
        # the down parts generate wrote undo the set, which then builds the same catalog again
        assert result.downs is not None and result.downs.ok, result.downs and result.downs.summary()
    gen = generate(project, out=tmp_path / "out")
    totals = gen.totals()
    assert totals["new"]["lines"] <= totals["history"]["lines"]
    assert totals["new"]["statements"] < totals["history"]["statements"]


def _psql_name_order(server, db: str, folder: Path, fmt: str, preamble: str) -> None:  # type: ignore[no-untyped-def]
    """Apply the generated up files with plain psql, in name order, as a user's own tool would."""
    src = load_sources(folder.parent, folder.name, fmt)
    info = server.conninfo
    base = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(info["host"]), "-p", str(info["port"]), "-U", str(info["user"]), "-d", db]
    if preamble:
        subprocess.run(base + ["-c", preamble], check=True, capture_output=True, text=True)
    for m in sorted(src.migrations, key=lambda m: m.file):
        if m.kind == "repeatable":
            continue
        # One transaction per file, as the tools run them, except where the file says otherwise.
        r = subprocess.run(base + (["-1"] if m.transactional and not m.single_query else []), input=m.sql, capture_output=True, text=True)
        assert r.returncode == 0, f"{m.file}: {r.stderr}"


@pytest.mark.parametrize("name,fmt,preamble", [pytest.param("example", "sqlx", "", id="example")]
                         + corpus_params("plain_psql", exclude=("lemmy-0.19.9",)))
def test_generated_files_apply_with_plain_psql(tmp_path: Path, example: Path, pg_server, name: str, fmt: str,  # type: ignore[no-untyped-def]
                                               preamble: str) -> None:
    project = example if name == "example" else copy_corpus(tmp_path, name, preamble)
    if name == "example":
        pg_server.create_roles(["attune_readonly"])
    out = tmp_path / "generated"
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    gen = generate(project, out=out, prover=PgProver(url=url, create_roles=True))
    assert gen.proof.state == PROVEN, gen.proof.why
    db = pg_server.create_database("psql")
    try:
        _psql_name_order(pg_server, db, out, gen.analysis.sources.format, preamble)
    finally:
        pg_server.drop_databases()
