"""Times `consolidate generate` with its proof beside `generate --no-proof`, in one run.

Both are whole processes on the same history; the proof runs on one local server started before
either is timed (`--database-url`), so server start is left out of the proof's side. The proof
builds the history twice (what differs between two builds is the history's own randomness) and
each candidate once, so it costs about three applies of the history on top of the plan.

    python bench/bench_generate.py [--synthetic-files 1000] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_validate import cases  # noqa: E402

from tui.core.analysis import analyze  # noqa: E402
from tui.pg.local_server import local_server  # noqa: E402


def run(project: Path, out: Path, extra: list[str]) -> tuple[float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "tui", "generate", str(project), "--out", str(out), "--json", *extra],
                       capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"generate failed on {project}: {r.stderr[-400:]}")
    return elapsed, json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic-files", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=1, help="best of N for each side")
    a = ap.parse_args()
    print(f"{'history':<44}{'no proof s':>11}{'proof s':>9}{'ratio':>7}{'folds':>7}{'backed off':>11}{'rounds':>7}  state")
    with tempfile.TemporaryDirectory() as tmpdir, local_server() as server:
        info = server.conninfo
        url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
        for name, project, _ in cases(Path(tmpdir), a.synthetic_files):
            analysis = analyze(project)
            server.create_roles(sorted(analysis.model.roles_used - analysis.model.roles_created))
            out = Path(tmpdir) / "out"
            bare = min(run(project, out, ["--no-proof"])[0] for _ in range(a.runs))
            timed = [run(project, out, ["--database-url", url]) for _ in range(a.runs)]
            proved, data = min(timed, key=lambda x: x[0])
            proof = data["proof"]
            print(f"{name:<44}{bare:>11.2f}{proved:>9.2f}{proved / bare:>7.1f}{proof['folds']:>7}{len(proof['backed_off']):>11}"
                  f"{proof['rounds']:>7}  {proof['state']}")


if __name__ == "__main__":
    main()
