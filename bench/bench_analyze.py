"""Times `consolidate analyze --json` as a whole process beside a bare pglast parse of the same files.

    python bench/bench_analyze.py [--files 1000] [--per-file 50] [--runs 3]

Prints one table; the figures go in the README. Targets: under 5 s, at most 2.0x the bare parse.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from make_history import write  # noqa: E402

BARE = """
import sys, pathlib, pglast
n = 0
for p in sorted(pathlib.Path(sys.argv[1]).glob('*.sql')):
    n += len(pglast.parse_sql(p.read_text()))
print(n)
"""


def best(cmd: list[str], runs: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise SystemExit(f"{cmd[:3]} failed: {r.stderr[-500:]}")
        out = r.stdout
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--per-file", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        n = write(Path(tmp), a.files, a.per_file)
        bare, count = best([sys.executable, "-c", BARE, str(Path(tmp) / "migrations")], a.runs)
        full, out = best([sys.executable, "-m", "tui", "analyze", tmp, "--json"], a.runs)
        findings = out.count('"kind":')
    print(f"synthetic history: {a.files} files, {n} statements ({count.strip()} parsed)")
    print(f"{'step':<34}{'seconds':>10}")
    print(f"{'bare pglast.parse_sql (process)':<34}{bare:>10.2f}")
    print(f"{'consolidate analyze --json':<34}{full:>10.2f}")
    print(f"ratio analyze / bare parse: {full / bare:.2f}x  (target <= 2.0x); findings: {findings}")
    print(f"target under 5 s: {'met' if full < 5 else 'NOT met'}; 2x target: {'met' if full / bare <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
