"""Histories written by real tools, as users will bring them: for each seed, a history is made by
drizzle-kit, by Django's migrations or by Prisma's schema engine (see drizzle_kit.py,
django_models.py, prisma_engine.mjs), then `consolidate generate` proves a set and `consolidate
validate` compares it. A line per seed, then the count of EQUAL sets, of folds backed off, and of
histories that do not apply on their own.

    python bench/tool_histories/run.py drizzle --seeds 1-20 --steps 40 --node-dir /tmp/npm
    python bench/tool_histories/run.py django --seeds 1-20 --steps 40 --python /tmp/dj/bin/python --pg-host /tmp/pg --pg-port 5432
    python bench/tool_histories/run.py prisma --seeds 1-20 --steps 40 --node-dir /tmp/npm --pg-host /tmp/pg --pg-port 5432
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def consolidate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tool", choices=("drizzle", "django", "prisma"))
    ap.add_argument("--seeds", default="1-10", help="FIRST-LAST")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--out", default="", help="where the histories go (default: under --node-dir for drizzle, /tmp for django)")
    ap.add_argument("--node-dir", default="")
    ap.add_argument("--python", default="")
    ap.add_argument("--pg-host", default="")
    ap.add_argument("--pg-port", default="5432")
    ap.add_argument("--pg", default="local", help="where consolidate proves and validates")
    args = ap.parse_args()
    first, last = (int(x) for x in args.seeds.split("-"))
    out = Path(args.out or (Path(args.node_dir) / "histories" if args.tool != "django" else "/tmp/consolidate-django-histories"))
    counts = {"equal": 0, "backed_off": 0, "history_fails": 0, "not_made": 0, "other": 0}
    for seed in range(first, last + 1):
        project = out / f"h{seed}"
        if args.tool == "drizzle":
            make = [sys.executable, str(HERE / "drizzle_kit.py"), str(seed), str(args.steps), str(project), "--node-dir", args.node_dir]
        elif args.tool == "prisma":
            make = ["node", "--experimental-wasm-modules", "--no-warnings", str(HERE / "prisma_engine.mjs"), str(seed), str(args.steps), str(project)]
        else:
            make = [sys.executable, str(HERE / "django_models.py"), str(seed), str(args.steps), str(project), "--python", args.python,
                    "--pg-host", args.pg_host, "--pg-port", args.pg_port]
        pg_url = f"postgresql://postgres@localhost/postgres?host={args.pg_host}&port={args.pg_port}"  # (the engine's, prisma only)
        env = {**os.environ, "NODE_DIR": args.node_dir, "PRISMA_PG": pg_url}
        made = subprocess.run(make, capture_output=True, text=True, timeout=1800, env=env)
        if made.returncode:
            counts["not_made"] += 1
            print(f"{seed}: the tool could not make this history: {(made.stdout + made.stderr).strip().splitlines()[-1:]}")
            continue
        gen = consolidate("generate", str(project), "--pg", args.pg)
        val = consolidate("validate", str(project), "--pg", args.pg)
        backed = len(re.findall(r"backed off \w+ fold", gen.stdout))
        verdict = (val.stdout.strip().splitlines() or [""])[-1]
        if "history itself does not apply" in gen.stdout + gen.stderr:
            counts["history_fails"] += 1
            print(f"{seed}: the history does not apply on its own")
            continue
        if val.returncode == 0 and verdict.startswith("EQUAL"):
            counts["equal"] += 1
        else:
            counts["other"] += 1
        counts["backed_off"] += backed
        proof = next((line for line in gen.stdout.splitlines() if "proven" in line or "WARNING" in line), "")
        print(f"{seed}: {proof} | {verdict}")
    print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
    return 0 if counts["other"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
