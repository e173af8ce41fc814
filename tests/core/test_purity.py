"""The core stays free of Textual, psycopg and docker; analyze never imports the TUI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_import_core_does_not_import_textual() -> None:
    code = "import sys, tui.core.analysis, tui.core.findings; bad = [m for m in ('textual', 'psycopg', 'docker') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_analyze_command_does_not_import_textual() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    rc = main(['analyze', {str(ROOT)!r}, '--json'])\n"
        "sys.exit(3 if 'textual' in sys.modules else rc)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


LINT = Path(sys.executable).with_name("lint-imports")


@pytest.mark.skipif(not LINT.exists() and shutil.which("lint-imports") is None, reason="import-linter is not installed")
def test_import_contracts_hold() -> None:
    exe = str(LINT) if LINT.exists() else str(shutil.which("lint-imports"))
    r = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def _import_loops(package: str) -> list[list[str]]:
    """Strongly connected groups of modules that import each other (typing-only imports count too)."""
    import grimp

    graph = grimp.build_graph(package)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                loops.append(sorted(group))

    for m in sorted(graph.modules):
        if m not in index:
            visit(m)
    return loops


def test_no_module_imports_itself_back() -> None:
    assert _import_loops("tui") == []


def test_no_core_module_is_over_400_lines() -> None:
    long = {p.relative_to(ROOT).as_posix(): n for p in (ROOT / "tui" / "core").rglob("*.py")
            if (n := p.read_text().count("\n")) > 400}
    assert long == {}
