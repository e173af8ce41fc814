"""Times a history that seeds a table with many rows, as real ones load countries, cities or codes:
one INSERT of many VALUES rows (negative numbers among them), the same rows as one COPY from stdin
(Flyway streams them), and as one single-row INSERT each. For each: `generate` with its proof and
`validate`, on local PostgreSQL binaries, in a process of its own.

With `--against PATH` (another checkout of the tool, e.g. a `git worktree` of an earlier commit),
each step runs there and here in turn, so both see the same machine at the same moment.

    python bench/bench_seed.py [--rows 200000] [--against /path/to/checkout] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TABLE = "CREATE TABLE city (id int PRIMARY KEY, name text NOT NULL, country text, pop int, lat float8, lon float8);\n"
_AFTER = "ALTER TABLE city ADD COLUMN region text;\nCREATE INDEX city_country ON city (country);\nUPDATE city SET region = country;\n"


def _rows(n: int) -> list[tuple[int, str, str, int, float, float]]:
    rnd = random.Random(7)
    return [(i, f"City {i} of 'x'", f"C{i % 10}", rnd.randint(-10**6, 10**7), rnd.uniform(-90, 90), rnd.uniform(-180, 180))
            for i in range(1, n + 1)]


def _values(r: tuple[int, str, str, int, float, float]) -> str:
    return f"({r[0]}, '{r[1].replace(chr(39), chr(39) * 2)}', '{r[2]}', {r[3]}, {r[4]:.5f}, {r[5]:.5f})"


def write_histories(base: Path, n: int) -> dict[str, Path]:
    """Three projects, one a shape of seed."""
    rows = _rows(n)
    cols = "INSERT INTO city (id, name, country, pop, lat, lon) VALUES"
    shapes = {
        "one INSERT of many rows": ("sqlx", {"0001_city.sql": _TABLE, "0002_seed.sql": cols + "\n" + ",\n".join(map(_values, rows)) + ";\n",
                                             "0003_region.sql": _AFTER}),
        "COPY from stdin (Flyway)": ("flyway", {"V1__city.sql": _TABLE, "V3__region.sql": _AFTER,
                                                "V2__seed.sql": "COPY city (id, name, country, pop, lat, lon) FROM stdin;\n" + "".join(
                                                    f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]:.5f}\t{r[5]:.5f}\n" for r in rows) + "\\.\n"}),
        "a single-row INSERT each": ("sqlx", {"0001_city.sql": _TABLE, "0003_region.sql": _AFTER,
                                              "0002_seed.sql": "".join(f"{cols} {_values(r)};\n" for r in rows[: n // 2])}),
    }
    out = {}
    for i, (name, (_, files)) in enumerate(shapes.items()):
        project = base / f"seed{i}"
        (project / "migrations").mkdir(parents=True)
        for fname, text in files.items():
            (project / "migrations" / fname).write_text(text)
        out[name] = project
    return out


def _timed(checkout: Path, project: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "tui", args[0], str(project), *args[1:]], cwd=checkout, env=env,
                       capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(f"{args[0]} failed in {checkout} on {project.name}: {r.stderr.strip()[-500:]}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--against", type=Path, help="another checkout of the tool, timed in turn with this one")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    checkouts = [("this", ROOT)] + ([("against", args.against.resolve())] if args.against else [])
    work = Path(tempfile.mkdtemp(prefix="bench_seed_"))
    try:
        projects = write_histories(work, args.rows)
        print(f"{args.rows:,} rows; seconds, the best of {args.repeat}")
        print("| history | step | " + " | ".join(name for name, _ in checkouts) + " |")
        print("|---|---|" + "---|" * len(checkouts))
        for shape, project in projects.items():
            # (a copy each: validate reads the history's catalog its own generate kept)
            copies = {name: project.with_name(f"{project.name}_{name}") for name, _ in checkouts}
            for copy in copies.values():
                shutil.copytree(project, copy)
            for step in (["generate", "--pg", "local", "--force"], ["validate", "--pg", "local"]):
                best = {name: min(_timed(path, copies[name], step) for _ in range(args.repeat)) for name, path in checkouts}
                print(f"| {shape} | {step[0]} | " + " | ".join(f"{best[name]:.1f}" for name, _ in checkouts) + " |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
