"""Histories of one pattern repeated thousands of times: does any step grow faster than the history?

Each pattern is written at two sizes (files, or rows in one file), and `analyze --json` and
`generate --no-proof` are run on each as whole processes. The growth is the time at the larger
size over the time at the smaller, less the time of the same step on a one-statement history (the
interpreter's start and the imports): near the size ratio (4) the step is linear, near its square
(16) it looks at everything for each statement. Patterns (each found quadratic once):

    empty        files holding only a comment
    insert       one-row INSERTs into one table (merged into one multi-row INSERT)
    on_conflict  seed rows inserted ON CONFLICT DO NOTHING, in one file
    by_key       seed rows, each updated by its id, half deleted by id, in one file
    enum         labels added to one enum
    schemas      a schema per file with a table of the same name (files named t, t_2, ...)
    view_chain   views each on the one before, dropped by one DROP ... CASCADE
    rebuild      a table rebuilt and renamed into place in each file
    hub          tables each with a foreign key to one table, altered now and then
    partitions   partitions attached to one table, two of three detached and dropped
    hub_updates  tables referencing one table that is inserted into ON CONFLICT and updated
    renames      a table, a function and a rename of the table's column in each file

    python bench/bench_patterns.py [--sizes 2000,8000] [--only insert,enum]

Prints one line per pattern and step. Read with the README's scale section (issue #18).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = "CREATE TABLE t (id serial PRIMARY KEY, a int, b text);\n"


def _files(pattern: Callable[[int, int], str]) -> Callable[[Path, int], None]:
    """A pattern written as one file per step (sqlx names)."""
    def write(folder: Path, n: int) -> None:
        for i in range(n):
            (folder / f"{20200101000000 + i}_m{i}.sql").write_text(pattern(i, n))
    return write


def _one_file(pattern: Callable[[int], str]) -> Callable[[Path, int], None]:
    """A pattern written as one file of `n` steps."""
    def write(folder: Path, n: int) -> None:
        (folder / "20200101000000_seed.sql").write_text(pattern(n))
    return write


def _by_key(n: int) -> str:
    sql = ["CREATE TABLE seed (id int PRIMARY KEY, a int);"]
    sql += [f"INSERT INTO seed (id, a) VALUES ({j}, {j});" for j in range(n)]
    sql += [f"UPDATE seed SET a = {j + 1} WHERE id = {j};" for j in range(n)]
    sql += [f"DELETE FROM seed WHERE id = {j};" for j in range(0, n, 2)]
    return "\n".join(sql) + "\n"


PATTERNS: dict[str, Callable[[Path, int], None]] = {
    "empty": _files(lambda i, n: f"-- nothing {i}\n" if i else TABLE),
    "insert": _files(lambda i, n: (TABLE if i == 0 else "") + f"INSERT INTO t (a, b) VALUES ({i}, 'row {i}');\n"),
    "on_conflict": _one_file(lambda n: "CREATE TABLE seed (id int PRIMARY KEY, a int);\n" + "".join(
        f"INSERT INTO seed (id, a) VALUES ({j}, {j}) ON CONFLICT DO NOTHING;\n" for j in range(n))),
    "by_key": _one_file(_by_key),
    "enum": _files(lambda i, n: "CREATE TYPE e AS ENUM ('v0');\n" if i == 0 else f"ALTER TYPE e ADD VALUE 'v{i}';\n"),
    "schemas": _files(lambda i, n: f"CREATE SCHEMA sc{i};\nCREATE TABLE sc{i}.t (id int);\nSET search_path TO sc{i}, public;\n"
                      "CREATE INDEX ON t (id);\n"),
    "view_chain": _files(lambda i, n: (TABLE + "CREATE VIEW v0 AS SELECT id, a FROM t;\n" if i == 0 else
                                       f"CREATE VIEW v{i} AS SELECT id, a FROM v{i - 1};\n") + ("DROP TABLE t CASCADE;\n" if i == n - 1 else "")),
    "rebuild": _files(lambda i, n: (TABLE if i == 0 else "") + "CREATE TABLE t_new (id serial PRIMARY KEY, a int, b text);\n"
                      "DROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n"),
    "hub": _files(lambda i, n: ("CREATE TABLE hub (id int PRIMARY KEY);\n" if i == 0 else "")
                  + f"CREATE TABLE s{i} (id int PRIMARY KEY, hub_id int REFERENCES hub(id));\n"
                  + (f"ALTER TABLE hub ADD COLUMN h{i} int;\n" if i % 10 == 0 else "")),
    "partitions": _files(lambda i, n: ("CREATE TABLE ev (at int NOT NULL, v text) PARTITION BY RANGE (at);\n" if i == 0 else "")
                         + f"CREATE TABLE ev_{i} PARTITION OF ev FOR VALUES FROM ({i * 10}) TO ({i * 10 + 10});\n"
                         + (f"ALTER TABLE ev DETACH PARTITION ev_{i - 1};\nDROP TABLE ev_{i - 1};\n" if i % 3 == 0 and i else "")),
    "hub_updates": _files(lambda i, n: ("CREATE TABLE hub (id int PRIMARY KEY, n int);\n" if i == 0 else "")
                          + (f"CREATE TABLE s{i} (id int, h int REFERENCES hub(id));\n" if i % 2 else
                             f"INSERT INTO hub VALUES ({i}, 0) ON CONFLICT DO NOTHING;\nUPDATE hub SET n = n + 1;\n")),
    "renames": _files(lambda i, n: f"CREATE TABLE t{i} (id int, a int);\n"
                      f"CREATE FUNCTION f{i}() RETURNS int LANGUAGE sql AS 'SELECT {i}';\nALTER TABLE t{i} RENAME COLUMN a TO b;\n"),
}


def _seconds(step: str, project: Path, scratch: Path) -> float:
    cmd = [sys.executable, "-m", "tui", step, str(project)] + (["--json"] if step == "analyze" else
                                                               ["--no-proof", "--out", str(scratch / "out")])
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    shutil.rmtree(scratch / "out", ignore_errors=True)
    if proc.returncode not in (0, 1) or "internal error" in proc.stdout + proc.stderr:
        raise SystemExit(f"{step} on {project.name} failed ({proc.returncode}): {(proc.stdout + proc.stderr)[-600:]}")
    return elapsed


def _project(scratch: Path, name: str, write: Callable[[Path, int], None], n: int) -> Path:
    project = scratch / f"{name}-{n}"
    (project / "migrations").mkdir(parents=True)
    write(project / "migrations", n)
    return project


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="2000,8000", help="two sizes: files, or rows for the one-file patterns")
    ap.add_argument("--only", default="", help="comma-separated patterns (default: all)")
    a = ap.parse_args()
    small, large = (int(x) for x in a.sizes.split(","))
    names = [n for n in a.only.split(",") if n] or list(PATTERNS)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        floor_project = _project(scratch, "floor", _files(lambda i, n: TABLE), 1)
        floor = {step: min(_seconds(step, floor_project, scratch) for _ in range(3)) for step in ("analyze", "generate")}
        print(f"one statement: analyze {floor['analyze']:.2f} s, generate {floor['generate']:.2f} s (taken off below)")
        print(f"{'pattern':<13}{'step':>9}{small:>10,}{large:>10,}  growth (x{large / small:g} the size)")
        for name in names:
            projects = [_project(scratch, name, PATTERNS[name], n) for n in (small, large)]
            for step in ("analyze", "generate"):
                s, big = (_seconds(step, p, scratch) for p in projects)
                growth = (big - floor[step]) / max(s - floor[step], 0.01)
                flag = "  <- faster than the history" if growth > (large / small) ** 1.5 else ""
                print(f"{name:<13}{step:>9}{s:>9.2f}s{big:>9.2f}s  {growth:5.1f}{flag}", flush=True)
            for p in projects:
                shutil.rmtree(p)


if __name__ == "__main__":
    main()
