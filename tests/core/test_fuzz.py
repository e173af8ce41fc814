"""Bad input never raises: truncated, spliced and byte-mutated copies of the example's files."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tui.core.analysis import analyze

FILES = sorted((ROOT / "migrations").glob("*.sql"))
TEXTS = [p.read_bytes() for p in FILES]


@st.composite
def mutated(draw: st.DrawFn) -> list[bytes]:
    picks = draw(st.lists(st.integers(0, len(TEXTS) - 1), min_size=1, max_size=4))
    out = []
    for i in picks:
        data = TEXTS[i]
        how = draw(st.sampled_from(["truncate", "splice", "bytes", "asis"]))
        if how == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif how == "splice":
            other = TEXTS[draw(st.integers(0, len(TEXTS) - 1))]
            a, b = draw(st.integers(0, len(data))), draw(st.integers(0, len(other)))
            data = data[:a] + other[b:]
        elif how == "bytes":
            buf = bytearray(data)
            for _ in range(draw(st.integers(1, 8))):
                if buf:
                    buf[draw(st.integers(0, len(buf) - 1))] = draw(st.integers(0, 255))
            data = bytes(buf)
        out.append(data)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_history_gives_result_not_exception(files: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "migrations"
        folder.mkdir()
        for i, data in enumerate(files):
            (folder / f"{i + 1:04d}_m.sql").write_bytes(data)
        result = analyze(tmp)
        data = result.to_json()
        assert isinstance(data["findings"], list)
        for d in data["diagnostics"]:
            assert d["file"] and d["message"]
            assert "internal error" not in d["message"], d


def test_copy_of_example_is_clean(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "migrations", tmp_path / "migrations")
    result = analyze(tmp_path)
    assert not [d for d in result.diagnostics if d.severity == "error"]
