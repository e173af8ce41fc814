"""The whole walk, as a user runs it, on every corpus history and a synthetic history with the
shapes of real ones: `analyze`, `generate` (proven) and `validate`, each a process of its own
with `--pg local` (each starts its own server, as a user's run does). Target (issue #18): the
three together under 10 s per history on this 2-core machine.

    python bench/bench_corpus.py [--synthetic 5000]
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(HERE))

from make_history import write  # noqa: E402


def timed(args: list[str]) -> tuple[float, int, str]:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - t, r.returncode, r.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic", type=int, default=5000, help="statements of the synthetic history (0: none)")
    a = ap.parse_args()
    # As pip leaves an installed package: compiled once. Without it (PYTHONDONTWRITEBYTECODE, a fresh
    # checkout) each timed process would compile the tool's modules again, 0.1 s on this machine.
    compileall.compile_dir(ROOT / "tui", quiet=1)
    print(f"{'history':<26}{'analyze s':>10}{'generate s':>11}{'validate s':>11}{'total s':>9}  verdict")
    with tempfile.TemporaryDirectory() as tmp:
        projects: list[tuple[str, Path]] = []
        for r in csv.DictReader(open(CORPUS / "cases.tsv"), delimiter="\t"):
            project = Path(tmp) / r["name"]
            shutil.copytree(CORPUS / r["name"] / "migrations", project / "migrations")
            if r["preamble_sql"]:
                (project / "consolidate.toml").write_text(f"preamble = {json.dumps(r['preamble_sql'])}\n")
            projects.append((r["name"], project))
        if a.synthetic:
            project = Path(tmp) / "synthetic"
            n = write(project, max(a.synthetic // 50, 1), 50, shapes=True)
            projects.append((f"synthetic ({n:,} statements)", project))
        for name, project in projects:
            ana, _, _ = timed(["analyze", str(project), "--json"])
            gen, code, _ = timed(["generate", str(project), "--pg", "local"])
            if code != 0:
                print(f"{name:<26}{ana:>10.2f}  generate failed ({code})")
                continue
            val, code, out = timed(["validate", str(project), "--pg", "local"])
            verdict = "EQUAL" if code == 0 else f"exit {code}"
            total = ana + gen + val
            print(f"{name:<26}{ana:>10.2f}{gen:>11.2f}{val:>11.2f}{total:>9.2f}  {verdict}{'' if total < 10 else '  (over 10 s)'}",
                  flush=True)


if __name__ == "__main__":
    main()
