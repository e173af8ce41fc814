"""JSON written as it is made is the text json.dumps makes of the whole, and `analyze --json`
no longer holds the whole tree at once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tui.core import json_stream
from tui.core.analysis import analyze
from tui.core.json_stream import materialized, write_json


def _streamed(value: object, depth: int = 3) -> tuple[str, int]:
    pieces: list[str] = []
    write_json(pieces.append, value, depth)
    return "".join(pieces), len(pieces)


def test_the_text_is_json_dumps_of_the_whole(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(json_stream, "_CHUNK", 64)  # many pieces, each cut where it falls
    monkeypatch.setattr(json_stream, "_BATCH", 3)  # a generator's items encoded in batches, the last one short

    def parts() -> dict[str, object]:
        return {"empty": (x for x in ()), "rows": ({"n": i, "é": [i, None, True, 1.5]} for i in range(50)),
                "nested": {"deep": (str(i) for i in range(30)), 3: "an int key: encoded whole"},
                "list": [[], {}, "quote \" and \n"], "tuple": (1, 2), "none": None}

    text, pieces = _streamed(parts())
    assert text == json.dumps(materialized(parts()), check_circular=False)
    assert pieces > 10
    assert materialized(parts())["nested"]["deep"] == [str(i) for i in range(30)]
    for depth in (0, 1, 2, 5):
        assert _streamed(parts(), depth)[0] == json.dumps(materialized(parts()))


def test_an_analysis_streamed_is_its_to_json(example: Path) -> None:
    result = analyze(example)
    text, _ = _streamed(result.json_parts())
    assert json.loads(text) == result.to_json()
    assert text == json.dumps(result.to_json(), check_circular=False)
    assert result.to_json()["findings"] and result.to_json()["graph"]["edges"]  # type: ignore[index]


def test_analyze_json_prints_it(example: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "tui", "analyze", str(example), "--json"], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.endswith("}\n") and out.count("\n") == 1
    assert json.loads(out) == analyze(example).to_json()
