"""The five real histories: analyzed with no error, JSON per the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import copy_corpus, corpus_cases, corpus_params
from tui.core.analysis import analyze
from tui.core.findings import KINDS

CASES = corpus_cases()

OBJECT_TYPES = {"schema", "type", "domain", "table", "column", "constraint", "index", "sequence", "function", "trigger",
                "view", "policy", "extension", "grant", "comment", "data", "migration"}


@pytest.mark.skipif(not CASES, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("name,fmt,preamble", corpus_params("analyze"))
def test_corpus_analyzes_cleanly(tmp_path: Path, name: str, fmt: str, preamble: str) -> None:
    result = analyze(copy_corpus(tmp_path, name, preamble))
    data = json.loads(json.dumps(result.to_json()))
    assert result.ok
    assert data["format"] == fmt
    errors = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert errors == []
    assert len(data["migrations"]) == len(result.sources.migrations) > 0
    assert all(m["statements"] >= 0 and not m["file"].startswith("/") for m in data["migrations"])
    ids = [f["id"] for f in data["findings"]]
    assert len(ids) == len(set(ids))
    for f in data["findings"]:
        assert f["kind"] in KINDS
        assert f["object"]["type"] in OBJECT_TYPES
        assert f["action"] and f["sources"]
        for s in f["sources"]:
            assert (result.config.root / s["file"]).is_file() and s["line"] >= 1
    assert data["graph"]["nodes"]
