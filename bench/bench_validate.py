"""Times `consolidate validate --database-url` beside the naive pipeline, on the same running server.

The naive pipeline: one `psql -1 -f` per migration of the history into a scratch database, one psql
for the new set into another, `pg_dump --schema-only` of both, and `diff`. Ours: apply old and new
in parallel, one session each, snapshot in-process, compare in memory. Server start is left out
of both. The new set is generated before either is timed.

    python bench/bench_validate.py [--synthetic-files 1000]
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT))

from make_history import write  # noqa: E402

from tui.core.analysis import analyze  # noqa: E402
from tui.core.generate import generate  # noqa: E402
from tui.core.sources import load_sources  # noqa: E402
from tui.pg.local_server import local_server  # noqa: E402
from tui.pg.server import Server  # noqa: E402


def psql_base(server: Server, db: str) -> list[str]:
    info = server.conninfo
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(info["host"]), "-p", str(info["port"]), "-U", str(info["user"]), "-d", db]


def naive(server: Server, project: Path, new_folder: Path, fmt: str, preamble: str) -> float:
    info = server.conninfo
    t = time.perf_counter()
    dbs = [server.create_database("naive_old"), server.create_database("naive_new")]
    dumps = []
    for db, folder in zip(dbs, (project / "migrations", new_folder)):
        if preamble:
            subprocess.run(psql_base(server, db) + ["-c", preamble], check=True, capture_output=True)
        src = load_sources(folder.parent, folder.name, fmt)
        for m in src.migrations:
            with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
                fh.write(m.sql)  # dbmate and goose keep up and down in one file: the up part only
            subprocess.run(psql_base(server, db) + ["-1", "-f", fh.name], check=True, capture_output=True)
            Path(fh.name).unlink()
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


def ours(server: Server, project: Path) -> tuple[float, bool]:
    info = server.conninfo
    url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "tui", "validate", str(project), "--database-url", url, "--json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode == 2:
        raise SystemExit(f"validate failed on {project}: {r.stderr[-400:]}")
    return elapsed, bool(json.loads(r.stdout)["equal"])


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
    a = ap.parse_args()
    print(f"{'history':<44}{'naive s':>10}{'ours s':>10}{'ratio':>8}  equal")
    with tempfile.TemporaryDirectory() as tmpdir, local_server() as server:
        for name, project, preamble in cases(Path(tmpdir), a.synthetic_files):
            analysis = analyze(project)
            server.create_roles(sorted(analysis.model.roles_used - analysis.model.roles_created))
            gen = generate(project)  # the staged set (recorded fresh by generate), before timing either side
            t_naive = naive(server, project, gen.out, analysis.sources.format, preamble)
            t_ours, equal = ours(server, project)
            print(f"{name:<44}{t_naive:>10.2f}{t_ours:>10.2f}{t_ours / t_naive:>8.2f}  {equal}")


if __name__ == "__main__":
    main()
