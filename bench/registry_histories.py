"""Real migration histories that ship inside packages of PyPI and npm, run through the whole walk:
histories nobody here tuned the tool to, fetched at pinned versions, laid out as their projects
run them, then `generate` (proven) and `validate --rebuild-history`, each a process of its own.

    python bench/registry_histories.py [--pg auto] [--cache DIR] [--only NAME,...]

Only histories written as SQL files are taken: migrations written as code are recorded by running
them (`bench/recorders/`), which this script does not do.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class History:
    name: str
    registry: str  # pypi or npm
    package: str  # name==version (PyPI) or name@version (npm)
    lay_out: Callable[[Path, Path], None]  # (unpacked package, project folder)
    note: str


def _procrastinate(pkg: Path, project: Path) -> None:
    """A task queue's schema: plain files named by dotted versions (`00.05.00_01_x.sql`)."""
    _copy(pkg / "procrastinate" / "sql" / "migrations", project / "migrations", "*.sql")


def _synapse(pkg: Path, project: Path) -> None:
    """Matrix's server: the full schema of version 72, then each later version's deltas of its
    three databases in the order synapse runs them (by file name within a version), `.sql` and
    `.sql.postgres`, numbered as one sqlx history; its placeholder filled as synapse fills it for
    PostgreSQL. Its Python deltas are not run (listed)."""
    schema = pkg / "synapse" / "storage" / "schema"
    out = project / "migrations"
    out.mkdir(parents=True)
    files = [schema / db / "full_schemas" / "72" / "full.sql.postgres" for db in ("common", "main", "state")]
    skipped = []
    versions = {int(p.name) for db in ("common", "main", "state") if (schema / db / "delta").is_dir()
                for p in (schema / db / "delta").iterdir() if p.name.isdigit() and int(p.name) > 72}
    for version in sorted(versions):
        deltas = sorted((p for db in ("common", "main", "state") if (schema / db / "delta" / str(version)).is_dir()
                         for p in (schema / db / "delta" / str(version)).iterdir()), key=lambda p: p.name)
        files += [p for p in deltas if p.name.endswith((".sql", ".sql.postgres"))]
        skipped += [p.name for p in deltas if p.suffix == ".py"]
    for n, p in enumerate(files, 1):
        text = p.read_text().replace("$%AUTO_INCREMENT_PRIMARY_KEY%$", "BIGINT PRIMARY KEY GENERATED ALWAYS AS IDENTITY")
        stem = p.name.split(".sql")[0]
        (out / f"{n:04d}_{p.parent.name}_{stem}.sql").write_text(text)
    print(f"  synapse: {len(files)} files; Python deltas not run: {', '.join(skipped)}")


def _graphile_worker(pkg: Path, project: Path) -> None:
    """A job queue's numbered SQL files (before 0.16 moved them into code), its schema placeholder
    filled with the default schema, which its runner makes first."""
    out = project / "migrations"
    out.mkdir(parents=True)
    for p in sorted((pkg / "package" / "sql").glob("*.sql")):
        (out / f"{p.stem}_graphile_worker.sql").write_text(p.read_text().replace(":GRAPHILE_WORKER_SCHEMA", "graphile_worker"))
    (project / "consolidate.toml").write_text('preamble = "CREATE SCHEMA graphile_worker;"\n')


def _lobe_chat(pkg: Path, project: Path) -> None:
    """LobeChat's Drizzle migrations (with pgvector), journal and snapshots."""
    shutil.copytree(pkg / "package" / "packages" / "database" / "migrations", project / "migrations")


def _litellm(pkg: Path, project: Path) -> None:
    """LiteLLM proxy's Prisma migrations, from a baseline on."""
    shutil.copytree(pkg / "litellm_proxy_extras" / "migrations", project / "migrations")


def _umami(pkg: Path, project: Path) -> None:
    """Umami's Prisma migrations for PostgreSQL."""
    shutil.copytree(pkg / "package" / "db" / "postgresql" / "migrations", project / "migrations")


HISTORIES = (
    History("procrastinate", "pypi", "procrastinate==3.10.0", _procrastinate, "plain, dotted versions"),
    History("synapse", "pypi", "matrix-synapse==1.163.2", _synapse, "sqlx (laid out), 3 databases' deltas"),
    History("graphile-worker", "npm", "graphile-worker@0.13.0", _graphile_worker, "plain, functions and triggers"),
    History("lobe-chat", "npm", "@lobehub/chat@1.143.3", _lobe_chat, "Drizzle, pgvector"),
    History("umami", "npm", "umami@2.10.0", _umami, "Prisma"),
    History("litellm", "pypi", "litellm-proxy-extras==0.4.110", _litellm, "Prisma, 220 folders"),
)


def _copy(src: Path, dst: Path, pattern: str) -> None:
    dst.mkdir(parents=True)
    for p in sorted(src.glob(pattern)):
        shutil.copy(p, dst / p.name)


def fetch(h: History, cache: Path) -> Path:
    """The package unpacked under `cache` (fetched once)."""
    target = cache / re.sub(r"[^\w.-]", "_", h.package)
    if target.is_dir():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        if h.registry == "pypi":
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", tmp, h.package],
                           check=True, capture_output=True)
            (wheel,) = Path(tmp).glob("*.whl")
            with zipfile.ZipFile(wheel) as z:
                z.extractall(target)
        else:
            subprocess.run(["npm", "pack", h.package, "--pack-destination", tmp], check=True, capture_output=True)
            (tgz,) = Path(tmp).glob("*.tgz")
            with tarfile.open(tgz) as t:
                t.extractall(target, filter="data")
    return target


_WROTE = re.compile(r"wrote (?P<new>\d+) files .*: (?P<new_st>[\d,]+) statements.*\(history: (?P<files>[\d,]+) files, (?P<st>[\d,]+) statements")


def run(project: Path, args: list[str]) -> tuple[float, int, str]:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT, check=False)
    return time.perf_counter() - t, r.returncode, (r.stdout + r.stderr).strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", default="auto", help="the provider generate and validate use")
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "consolidate-bench" / "registry"))
    ap.add_argument("--only", default="", help="names of the histories to run, by commas")
    a = ap.parse_args()
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    chosen = [h for h in HISTORIES if not a.only or h.name in a.only.split(",")]
    rows = []
    failed = 0
    with tempfile.TemporaryDirectory(prefix="consolidate-registry-") as tmp:
        for h in chosen:
            project = Path(tmp) / h.name
            project.mkdir()
            h.lay_out(fetch(h, cache), project)
            gen_s, gen_rc, gen_out = run(project, ["generate", str(project), "--pg", a.pg])
            val_s, val_rc, val_out = run(project, ["validate", str(project), "--pg", a.pg, "--rebuild-history"])
            wrote = _WROTE.search(gen_out)
            sizes = (f"{wrote['files']} files, {wrote['st']} statements -> {wrote['new']} files, {wrote['new_st']} statements" if wrote
                     else f"exit {gen_rc}")
            verdict = next((line.split(" (")[0] for line in val_out.splitlines() if line.startswith(("EQUAL", "DIFFERENT"))), "")
            ok = gen_rc == 0 and val_rc == 0 and verdict == "EQUAL"
            failed += not ok
            rows.append((h.name, h.package, h.note, sizes, f"{gen_s:.1f}", verdict or f"exit {val_rc}", f"{val_s:.1f}"))
            if not ok:
                print(f"{h.name}:\n{gen_out}\n{val_out}", file=sys.stderr)
    print("| history | package | shape | history -> new set | generate s | validate | validate s |\n|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
