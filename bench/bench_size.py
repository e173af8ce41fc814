"""Size of the consolidated set beside what users do instead: `pg_dump` the replayed database.

For every corpus history: its own line count (up parts), a plain `pg_dump` (schema and data) of
the database it builds, and the generated set, proven on the same server (with the folds it made
and those the proof backed off). Targets: generated <= history and <= pg_dump / 2. Lines are
newlines plus one per file.

    python bench/bench_size.py
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

from tui.core.analysis import analyze  # noqa: E402
from tui.core.errors import ConsolidateError  # noqa: E402
from tui.core.generate import generate  # noqa: E402
from tui.pg.proof import PgProver  # noqa: E402
from tui.pg.runner import apply_migrations  # noqa: E402
from tui.pg.local_server import local_server  # noqa: E402


def main() -> None:
    rows = list(csv.DictReader(open(CORPUS / "cases.tsv"), delimiter="\t"))
    print(f"{'history':<16}{'history lines':>14}{'pg_dump lines':>15}{'generated':>11}{'<= history':>12}{'<= dump/2':>11}"
          f"{'files':>7}{'largest':>9}{'folds':>7}{'backed off':>11}  proof")
    with tempfile.TemporaryDirectory() as tmp, local_server() as server:
        info = server.conninfo
        for r in rows:
            project = Path(tmp) / r["name"]
            shutil.copytree(CORPUS / r["name"] / "migrations", project / "migrations")
            if r["preamble_sql"]:
                (project / "consolidate.toml").write_text(f"preamble = {json.dumps(r['preamble_sql'])}\n")
            try:
                analysis = analyze(project)
            except ConsolidateError as exc:
                print(f"{r['name']:<16}  {exc}")
                continue
            if not analysis.ok:
                print(f"{r['name']:<16}  not read: {analysis.diagnostics[0].message}")
                continue
            server.create_roles(sorted(analysis.model.roles_used - analysis.model.roles_created))
            db = server.create_database("size")
            apply_migrations(server, db, analysis.sources.migrations, analysis.config.preamble)
            dump = subprocess.run(["pg_dump", "-h", str(info["host"]), "-p", str(info["port"]), "-U", str(info["user"]), db],
                                  check=True, capture_output=True, text=True).stdout
            gen = generate(project, out=project / "out", prover=PgProver(server=server))
            t, proof = gen.totals(), gen.proof
            h, g, d = t["history"]["lines"], t["new"]["lines"], dump.count("\n") + 1
            largest = max(f.lines for f in gen.files) / max(sum(f.lines for f in gen.files), 1)
            print(f"{r['name']:<16}{h:>14}{d:>15}{g:>11}{'yes' if g <= h else 'NO':>12}{'yes' if g <= d / 2 else 'NO':>11}"
                  f"{len(gen.files):>7}{largest:>9.0%}{proof.folds:>7}{len(proof.backed_off):>11}  {proof.state}")
            server.drop_databases()


if __name__ == "__main__":
    main()
