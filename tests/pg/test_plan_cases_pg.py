"""Every plan case's expected set, under accept and under keep, builds on PostgreSQL the same
database as its history: the expected SQL in tests/fixtures/plans is proven, not just pinned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import requires_pg
from tests.core.test_plan_cases import CASES, PLANS
from tui.core.decisions import ACCEPT, KEEP
from tui.pg.validate import validate

pytestmark = [pytest.mark.pg, requires_pg]


@pytest.mark.parametrize("decision", [ACCEPT, KEEP])
@pytest.mark.parametrize("case", CASES)
def test_plan_case_is_equal_on_postgres(tmp_path: Path, pg_server, case: str, decision: str) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / case
    shutil.copytree(PLANS / case / "migrations", project / "migrations")
    info = pg_server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    result = validate(project, url=url, create_roles=True, staged=PLANS / case / "expected" / decision)
    assert [d.to_json() for d in result.differences] == []
    assert result.equal
