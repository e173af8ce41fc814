"""Times the TUI's first paint on the example project, as a user would feel it.

Each run starts a fresh Python process that opens `consolidate` headless on a copy of the
example and exits at the first refresh after its first screen is composed; the figure is the
time from process start (interpreter and imports included) to that paint. The analysis runs in
a worker and is not waited for: it fills the screen afterwards.

    python bench/bench_tui.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import time, sys
t0 = time.perf_counter()
from tui.app.app import ConsolidateApp

class Timed(ConsolidateApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(self.painted)

    def painted(self):
        self.first_paint = time.perf_counter() - t0
        self.exit()

app = Timed(sys.argv[1])
app.run(headless=True, size=(120, 40))
print(f"{app.first_paint:.3f}")
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "example"
        shutil.copytree(ROOT / "migrations", project / "migrations")
        shutil.copytree(ROOT / "packs", project / "packs")
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, str(project)], capture_output=True, text=True, cwd=ROOT)
            wall = time.perf_counter() - t
            if out.returncode != 0:
                sys.exit(out.stderr)
            inside = float(out.stdout.strip().splitlines()[-1])
            times.append((inside, wall))
    firsts = [t[0] for t in times]
    walls = [t[1] for t in times]
    print(f"first paint, from the first import: median {statistics.median(firsts):.3f} s, max {max(firsts):.3f} s")
    print(f"process start to exit after first paint: median {statistics.median(walls):.3f} s, max {max(walls):.3f} s "
          f"(target: under 1 s) over {args.runs} runs")


if __name__ == "__main__":
    main()
