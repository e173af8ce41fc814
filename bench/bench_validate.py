"""Times `consolidate validate --database-url` beside the naive pipeline, on the same running server.

The naive pipeline: one `psql -1 -f` per migration of the history into a scratch database, one psql
for the new set into another, `pg_dump --schema-only` of both, and `diff`. Ours: apply old and new
in parallel, one session each, snapshot in-process, compare in memory. Server start is left out
of both. The new set is generated before either is timed.

    python bench/bench_validate.py [--synthetic-files 1000] [--migra PATH] [--repeat 5]

migra is installed apart (`python -m venv /tmp/migra && /tmp/migra/bin/pip install migra
psycopg2-binary psycopg`): it brings SQLAlchemy and psycopg2, which the tool does not need.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from make_history import write  # noqa: E402

from tui.core.analysis import analyze  # noqa: E402
from tui.core.generate import generate  # noqa: E402
from tui.core.sources import load_sources  # noqa: E402
from tui.pg.local_server import local_server  # noqa: E402
from tui.pg.proof import PgProver  # noqa: E402
from tui.pg.server import Server  # noqa: E402


def psql_base(server: Server, db: str) -> list[str]:
    info = server.conninfo
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(info["host"]), "-p", str(info["port"]), "-U", str(info["user"]), "-d", db]


def _apply_both(server: Server, project: Path, new_folder: Path, fmt: str, preamble: str) -> list[str]:
    """The history and the new set into two scratch databases, one `psql -1 -f` per migration."""
    dbs = [server.create_database("naive_old"), server.create_database("naive_new")]
    for db, folder in zip(dbs, (project / "migrations", new_folder)):
        if preamble:
            subprocess.run(psql_base(server, db) + ["-c", preamble], check=True, capture_output=True)
        src = load_sources(folder.parent, folder.name, fmt)
        for m in src.migrations:
            with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
                fh.write(m.sql)  # dbmate and goose keep up and down in one file: the up part only
            subprocess.run(psql_base(server, db) + ["-1", "-f", fh.name], check=True, capture_output=True)
            Path(fh.name).unlink()
    return dbs


def naive(server: Server, project: Path, new_folder: Path, fmt: str, preamble: str) -> float:
    info = server.conninfo
    t = time.perf_counter()
    dumps = []
    for db in _apply_both(server, project, new_folder, fmt, preamble):
        out = subprocess.run(["pg_dump", "--schema-only", "-h", str(info["host"]), "-p", str(info["port"]), "-U", str(info["user"]), db],
                             check=True, capture_output=True, text=True).stdout
        dumps.append(out)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "old.sql", Path(tmp) / "new.sql"
        a.write_text(dumps[0])
        b.write_text(dumps[1])
        subprocess.run(["diff", str(a), str(b)], capture_output=True)
    elapsed = time.perf_counter() - t
    server.drop_databases()
    return elapsed


def with_migra(migra: str, server: Server, project: Path, new_folder: Path, fmt: str, preamble: str) -> float:
    """The same two databases, compared by migra (`pip install migra psycopg2-binary`, its own venv)."""
    info = server.conninfo
    t = time.perf_counter()
    old, new = _apply_both(server, project, new_folder, fmt, preamble)
    urls = [f"postgresql://{info['user']}@/{db}?host={info['host']}&port={info['port']}" for db in (old, new)]
    r = subprocess.run([migra, "--unsafe", "--with-privileges", *urls], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode not in (0, 2):  # 2: migra found differences
        raise SystemExit(f"migra failed: {r.stderr[-400:]}")
    server.drop_databases()
    return elapsed


def ours(server: Server, project: Path) -> tuple[float, bool, dict[str, float]]:
    info = server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    t = time.perf_counter()
    # Both sides built, as the pipeline builds both (not the history's catalog kept by the run before).
    r = subprocess.run([sys.executable, "-m", "tui", "validate", str(project), "--database-url", url, "--json",
                        "--rebuild-history"], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode == 2:
        raise SystemExit(f"validate failed on {project}: {r.stderr[-400:]}")
    result = json.loads(r.stdout)
    return elapsed, bool(result["equal"]), result["timings"]


def cases(tmp: Path, synthetic_files: int) -> list[tuple[str, Path, str]]:
    out = []
    example = tmp / "example"
    shutil.copytree(ROOT / "migrations", example / "migrations")
    out.append(("example", example, ""))
    rows = list(csv.DictReader(open(CORPUS / "cases.tsv"), delimiter="\t")) if (CORPUS / "cases.tsv").is_file() else []
    if rows:
        largest = max(rows, key=lambda r: sum(1 for _ in (CORPUS / r["name"] / "migrations").rglob("*.sql")))
        dest = tmp / largest["name"]
        shutil.copytree(CORPUS / largest["name"] / "migrations", dest / "migrations")
        if largest["preamble_sql"]:
            (dest / "consolidate.toml").write_text(f"preamble = {json.dumps(largest['preamble_sql'])}\n")
        out.append((largest["name"], dest, largest["preamble_sql"]))
    if synthetic_files:
        syn = tmp / "synthetic"
        n = write(syn, synthetic_files, 50)
        out.append((f"synthetic ({synthetic_files} files, {n} statements)", syn, ""))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic-files", type=int, default=1000)
    ap.add_argument("--migra", default=shutil.which("migra") or "", help="the migra command (left out when not found)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each side on the small histories (the median is shown)")
    a = ap.parse_args()
    # As pip leaves an installed package: compiled once. Without it (PYTHONDONTWRITEBYTECODE, a fresh
    # checkout) each timed process would compile the tool's modules again, 0.1 s on this machine.
    compileall.compile_dir(ROOT / "tui", quiet=1)
    print(f"{'history':<44}{'naive s':>10}{'migra s':>10}{'ours s':>10}{'/naive':>8}{'/migra':>8}  equal")
    with tempfile.TemporaryDirectory() as tmpdir, local_server() as server:
        for name, project, preamble in cases(Path(tmpdir), a.synthetic_files):
            analysis = analyze(project)
            server.create_roles(sorted(analysis.model.roles_used - analysis.model.roles_created))
            # The proven staged set (recorded fresh by generate), before timing any side.
            gen = generate(project, prover=PgProver(server=server))
            fmt = analysis.sources.format
            runs = []
            for _ in range(a.repeat if not name.startswith("synthetic") else 1):  # side by side, in turn
                t_naive = naive(server, project, gen.out, fmt, preamble)
                t_migra = with_migra(a.migra, server, project, gen.out, fmt, preamble) if a.migra else float("nan")
                t_ours, equal, timings = ours(server, project)
                runs.append((t_naive, t_migra, t_ours))
            t_naive, t_migra, t_ours = (statistics.median(r[i] for r in runs) for i in range(3))
            print(f"{name:<44}{t_naive:>10.2f}{t_migra:>10.2f}{t_ours:>10.2f}{t_ours / t_naive:>8.2f}{t_ours / t_migra:>8.2f}  {equal}"
                  + (f"  (median of {len(runs)})" if len(runs) > 1 else ""))
            print("    ours: " + ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))


if __name__ == "__main__":
    main()
