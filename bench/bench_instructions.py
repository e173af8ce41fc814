"""Instructions, not seconds: what the plan and the whole `generate --no-proof` cost, counted by
valgrind's cachegrind, which gives the same count on every run whatever else the machine does
(on this shared machine the same step swings by a third between runs). Compare two versions of
the tool on one history:

    python bench/make_history.py /tmp/h20k --files 400 --per-file 50 --shapes
    mkdir /tmp/before && git archive <rev> tui | tar -x -C /tmp/before
    python bench/bench_instructions.py /tmp/h20k --tree /tmp/before --tree .

Needs `valgrind` (Debian: `apt-get install valgrind`); each count runs the tool about fifty
times slower than it runs, so keep the history near 20,000 statements.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Analyzes, then plans `n` times: the plan's count is the count at 1 less the count at 0.
_PLAN = """
import gc, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from tui.core.analysis import analyze
from tui.core.plan import build_plan
gc.disable()
a = analyze(Path(sys.argv[2]), track_reads=True)
for _ in range(int(sys.argv[3])):
    build_plan(a)
"""


def instructions(args: list[str], cwd: str) -> int:
    env = {**os.environ, "CONSOLIDATE_NO_FORK": "1", "PYTHONHASHSEED": "0"}  # one process, one order
    out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *args],
                         capture_output=True, text=True, cwd=cwd, env=env, check=True).stderr
    m = re.search(r"I\s+refs:\s+([\d,]+)", out)
    if m is None:
        raise SystemExit(f"no count in valgrind's output:\n{out[-2000:]}")
    return int(m.group(1).replace(",", ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("history", type=Path, help="a project folder (its migrations/ read as the tool reads them)")
    ap.add_argument("--tree", action="append", default=[], help="a folder holding a version's tui/ (default: this checkout)")
    a = ap.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 2
    trees = [str(Path(t).resolve()) for t in a.tree] or [str(Path(__file__).resolve().parents[1])]
    history = str(a.history.resolve())
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "plan.py"
        script.write_text(_PLAN)
        print(f"{'version':<40} {'plan (M instructions)':>22} {'generate --no-proof (M)':>24}")
        for tree in trees:
            subprocess.run([sys.executable, "-m", "compileall", "-q", "tui"], cwd=tree, check=True)  # imports, not compiles, counted
            base = instructions([sys.executable, str(script), tree, history, "0"], tree)
            plan = instructions([sys.executable, str(script), tree, history, "1"], tree) - base
            whole = instructions([sys.executable, "-m", "tui", "generate", history, "--out", str(Path(scratch) / "out"), "--no-proof"], tree)
            shutil.rmtree(Path(scratch) / "out", ignore_errors=True)
            print(f"{tree:<40} {plan / 1e6:>22,.0f} {whole / 1e6:>24,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
