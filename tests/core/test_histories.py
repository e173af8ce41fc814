"""Table-driven cases: each folder under tests/fixtures/histories pins one behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import HISTORIES
from tui.core.analysis import analyze

CASES = sorted(p.name for p in HISTORIES.iterdir() if (p / "expected.json").is_file())


def _where(sources: list[dict[str, object]]) -> list[str]:
    return [f"{s['file']}:{s['line']}" for s in sources]


@pytest.mark.parametrize("case", CASES)
def test_history_case(case: str) -> None:
    root = HISTORIES / case
    expected = json.loads((root / "expected.json").read_text())
    result = analyze(root)
    data = result.to_json()
    assert (0 if result.ok else 2) == expected.get("exit", 0)
    if "format" in expected:
        assert data["format"] == expected["format"]
    if "versions" in expected:
        assert [m["version"] for m in data["migrations"]] == expected["versions"]
    findings = data["findings"]
    for want in expected.get("findings", []):
        matches = [f for f in findings if f["kind"] == want["kind"] and f["object"] == want["object"]]
        assert matches, f"no {want['kind']} finding for {want['object']}; got {[(f['kind'], f['object']) for f in findings]}"
        assert any(_where(f["sources"]) == want["sources"] for f in matches), [_where(f["sources"]) for f in matches]
    for absent in expected.get("absent", []):
        # With sources, only that statement's finding must be missing (no_effect findings share an object).
        assert not [f for f in findings if f["kind"] == absent["kind"] and f["object"] == absent["object"]
                    and ("sources" not in absent or set(absent["sources"]) <= set(_where(f["sources"])))]
    for key, related in expected.get("related", {}).items():
        type_, name = key.split(":", 1)
        f = next(f for f in findings if f["object"] == {"type": type_, "name": name})
        got = [[r["type"], r["name"]] for r in f["related"]]
        for r in related:
            assert r in got, (r, got)
    for want in expected.get("diagnostics", []):
        assert any(
            d["file"] == want["file"] and d["line"] == want["line"] and d["severity"] == want["severity"] and want["contains"] in d["message"]
            for d in data["diagnostics"]
        ), data["diagnostics"]
    for table, count in expected.get("rows", {}).items():
        rows = result.model.get("data", table).rows
        assert sum(1 for r in rows if r.alive) == count
    for table, values in expected.get("values", {}).items():
        rows = result.model.get("data", table).rows
        assert [{k: r.values[k] for k in want} for r, want in zip([r for r in rows if r.alive], values)] == values
    for table in expected.get("uncertain", []):
        assert result.model.get("data", table).uncertain, table
    for type_name, labels in expected.get("labels", {}).items():
        assert result.model.get("type", type_name).attrs["labels"] == labels


def test_ids_are_stable_and_unique() -> None:
    root = HISTORIES / "created_then_dropped_enum"
    a = [f.id for f in analyze(root).findings]
    b = [f.id for f in analyze(root).findings]
    assert a == b
    assert len(set(a)) == len(a)


def test_format_flag_overrides_detection(tmp_path: Path) -> None:
    root = HISTORIES / "format_sqlx_reversible"
    result = analyze(root, fmt="golang-migrate")
    assert result.sources.format == "golang-migrate"
    assert any("read as golang-migrate" in d.message for d in result.diagnostics)


def test_many_foreign_key_cycles_are_counted_not_listed(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for r in range(8):  # eight rings of three tables, each closed by an ALTER
        sql = "".join(f"CREATE TABLE ring{r}_{i} (id int PRIMARY KEY, next_id int);\n" for i in range(3))
        sql += "".join(f"ALTER TABLE ring{r}_{i} ADD CONSTRAINT fk{r}_{i} FOREIGN KEY (next_id) REFERENCES ring{r}_{(i + 1) % 3} (id);\n"
                       for i in range(3))
        (folder / f"{20240101000000 + r}_ring_{r}.sql").write_text(sql)
    result = analyze(tmp_path)
    assert len(result.graph.cycles) == 8
    notes = [d.message for d in result.diagnostics if "foreign-key cycle" in d.message]
    assert len(notes) == 6, notes  # five named, then one that counts the rest
    assert sum(n.startswith("foreign-key cycle ring") for n in notes) == 5
    assert any(n.startswith("foreign-key cycles: 3 more, through ring") for n in notes), notes
