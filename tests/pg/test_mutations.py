"""A comparison that cannot fail is no comparison: change one thing in a generated set, see exactly that."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import requires_pg
from tui.core.generate import generate
from tui.pg.proof import PgProver
from tui.pg.validate import validate

pytestmark = [pytest.mark.pg, requires_pg]

MUTATIONS = [
    # (file stem, original text, changed text, expected (type, name, detail))
    ("core_tables", "is_standard BOOLEAN NOT NULL DEFAULT false", "is_standard BOOLEAN NOT NULL DEFAULT true",
     ("column", "pack.is_standard", "default")),
    ("setup", "enforcement_condition_enum AS ENUM ('any', 'all')", "enforcement_condition_enum AS ENUM ('all', 'any')",
     ("type", "enforcement_condition_enum", "labels")),
    ("notify_triggers", "pg_notify('event_created'", "pg_notify('event_created_v2'",
     ("function", "notify_event_created()", "definition")),
    ("identity_auth", "GRANT SELECT, INSERT, UPDATE ON permission_set", "GRANT SELECT, UPDATE ON permission_set",
     ("table", "permission_set", "acl")),
    ("identity_auth", "IS 'API keys (hashed)'", "IS 'API keys'", ("table", "api_key", "comment")),
    ("identity_auth", "('core.viewer', '[\"read:*\"]')", "('core.reader', '[\"read:*\"]')", ("data", "permission_set", None)),
    # the runtime rows the history inserted and removed used ids up: a set without its setval
    # would hand them out again
    ("sequence_values", "'public.runtime_id_seq', 4, true", "'public.runtime_id_seq', 1, false",
     ("sequence", "runtime_id_seq", "value")),
]


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = Path(__file__).resolve().parents[2]
    project = tmp_path_factory.mktemp("mut") / "example"
    shutil.copytree(root / "migrations", project / "migrations")
    out = project / "generated"
    generate(project, out=out, prover=PgProver("local"))
    return project, out


def _find(folder: Path, stem: str, text: str) -> Path:
    """The generated file holding `text`; the domain file named `stem` when there is a choice."""
    found = [p for p in sorted(folder.rglob("*.sql")) if text in p.read_text()]
    assert found, f"{text!r} is not in the generated set"
    return next((p for p in found if stem in p.name), found[0])


def test_unchanged_set_is_equal(staged: tuple[Path, Path]) -> None:
    project, out = staged
    assert validate(project, pg="local", staged=out).differences == []


@pytest.mark.parametrize("stem,old,new,expected", MUTATIONS, ids=[m[2][:28] for m in MUTATIONS])
def test_one_change_is_one_difference(staged: tuple[Path, Path], tmp_path: Path, stem: str, old: str, new: str,
                                      expected: tuple[str, str, str | None]) -> None:
    project, out = staged
    mutated = tmp_path / "mutated"
    shutil.copytree(out, mutated)
    target = _find(mutated, stem, old)
    target.write_text(target.read_text().replace(old, new, 1))
    diffs = validate(project, pg="local", staged=mutated).differences
    assert len(diffs) == 1, [d.to_json() for d in diffs]
    d = diffs[0]
    assert (d.type, d.name) == expected[:2]
    if expected[2]:
        assert d.detail == expected[2]
    assert d.old != d.new
    # where to look: the history's statements that made it, and the changed file of the new set
    assert d.history_at and all(w.startswith("migrations/") for w in d.history_at), d.history_at
    assert any(w.rsplit(":", 1)[0].endswith(f"mutated/{target.name}") for w in d.new_at), d.new_at
