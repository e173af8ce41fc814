"""How the cost grows: analyze, generate and validate at 5k, 50k and 500k statements and at 1k, 10k
and 100k files, with the time and peak memory of each step and its cost per statement.

The histories come from `make_history.py --shapes` (foreign-key rings, rebuilds, enum swaps, one
function redefined hundreds of times, 200-column tables, DO blocks): 50 statements a file for the
statement sizes, one statement a file for the file counts. Each step is a whole process, timed
from start to exit, its peak memory read from the kernel when it is reaped (`wait4`: the largest
resident size of the process and of the children it forked). The floor is a bare
`pglast.parse_sql` of the same files in a process of its own. Steps, in order, on one history:

    parse     bare pglast parse (the floor analyze is held to)
    analyze   consolidate analyze --json
    generate  consolidate generate --no-proof (plan and render, written to the staged folder)
    proof     consolidate generate, proven on the local server (up to --proof-up-to statements)
    validate  consolidate validate on the local server (up to --validate-up-to statements)

    python bench/bench_scale.py [--sizes 5000,50000,500000] [--files 1000,10000,100000]
                                [--proof-up-to 50000] [--validate-up-to 500000] [--plot bench/scale.png]

Prints one table, writes it as JSON beside the plot, and draws the plot (matplotlib, if it is
installed: `pip install matplotlib`). Targets (issue #18): at 500k statements analyze at most
1.0x the bare parse, generate at most 2x analyze, peak memory under 4 GiB, the cost per statement
within 1.3x of that at 50k; at 100k files analyze and generate under 30 s each.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_analyze import BARE  # noqa: E402
from make_history import write  # noqa: E402

from tui.pg.local_server import local_server  # noqa: E402

PER_FILE = 50


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one process (and what it forked)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # validate exits 1 when the sets differ: the table says so
        raise SystemExit(f"{' '.join(cmd[2:5])} failed ({proc.returncode}): {err.decode(errors='replace')[-600:]}")
    return elapsed, usage.ru_maxrss / 1024


def steps(project: Path, size: int, url: str, a: argparse.Namespace) -> Iterator[tuple[str, float, float]]:
    """The steps on one history of about `size` statements (the sizes asked for: the histories
    written come out a little larger), each as it ends."""
    py = [sys.executable, "-m", "tui"]
    yield "parse", *measure([sys.executable, "-c", BARE, str(project / "migrations")])
    yield "analyze", *measure(py + ["analyze", str(project), "--json"])
    yield "generate", *measure(py + ["generate", str(project), "--no-proof"])
    if size <= a.proof_up_to:
        proven = project / "proven"
        yield "proof", *measure(py + ["generate", str(project), "--out", str(proven), "--database-url", url])
        shutil.rmtree(proven)
    if size <= a.validate_up_to:
        # Both sides built (the proof above kept the history's catalog: validate would not build it).
        yield "validate", *measure(py + ["validate", str(project), "--database-url", url, "--rebuild-history"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,50000,500000", help="statements, 50 a file")
    ap.add_argument("--files", default="1000,10000,100000", help="files of one statement each")
    ap.add_argument("--proof-up-to", type=int, default=50_000)
    ap.add_argument("--validate-up-to", type=int, default=500_000)
    ap.add_argument("--plot", default=str(HERE / "scale.png"))
    ap.add_argument("--plot-only", nargs="+", metavar="JSON", help="draw the plot from the rows of earlier runs, run nothing")
    a = ap.parse_args()
    if a.plot_only:
        rows = [r for f in a.plot_only for r in json.loads(Path(f).read_text())]
        verdicts(rows)
        plot(rows, Path(a.plot))
        return
    shapes = [(int(n) // PER_FILE, PER_FILE, int(n), f"{int(n):,} statements") for n in a.sizes.split(",") if n]
    shapes += [(int(n), 1, int(n), f"{int(n):,} files") for n in a.files.split(",") if n]
    rows: list[dict[str, object]] = []
    print(interpreter(), flush=True)
    print(f"{'history':<22}{'statements':>11}{'step':>10}{'seconds':>9}{'peak MiB':>10}{'us/stmt':>9}", flush=True)
    with tempfile.TemporaryDirectory() as tmp, local_server() as server:
        info = server.conninfo
        url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
        for files, per_file, size, name in shapes:
            project = Path(tmp) / name.replace(" ", "_").replace(",", "")
            statements = write(project, files, per_file, shapes=True)
            for step, seconds, mib in steps(project, size, url, a):
                row = {"history": name, "files": files, "statements": statements, "step": step, "seconds": round(seconds, 2),
                       "peak_mib": round(mib), "us_per_statement": round(seconds / statements * 1e6, 1)}
                rows.append(row)
                print(f"{name:<22}{statements:>11,}{step:>10}{seconds:>9.2f}{mib:>10.0f}{row['us_per_statement']:>9}", flush=True)
                # After each step: a run stopped half way (validate at 500k takes PostgreSQL an hour) keeps its rows.
                Path(a.plot).with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
            shutil.rmtree(project)
    verdicts(rows)
    plot(rows, Path(a.plot))


def interpreter() -> str:
    """Which Python runs the steps: Python 3.11 ran this tool 12% slower as pyenv builds it (3.11.7,
    libpython a shared library, configured without profile-guided optimization) than as Debian
    builds it (3.11.2, /usr/bin/python3, libpython linked in): 100,000 files, `generate --no-proof`,
    four runs of each in turn, 29.6-32.5 s against 25.7-28.3 s."""
    try:
        shared = "libpython" in Path("/proc/self/maps").read_text()
    except OSError:
        return f"python {platform.python_version()} ({sys.executable})"
    return f"python {platform.python_version()} ({sys.executable}; libpython {'shared' if shared else 'linked in'})"


def verdicts(rows: list[dict[str, object]]) -> None:
    """The targets of issue #18, for the sizes that were run."""
    at = {(r["history"], r["step"]): r for r in rows}
    big, mid = "500,000 statements", "50,000 statements"
    if (big, "analyze") in at:
        ana, gen, bare = (float(at[(big, s)]["seconds"]) for s in ("analyze", "generate", "parse"))
        print(f"500k: analyze / bare parse {ana / bare:.2f}x (target <= 1.0x); generate / analyze {gen / ana:.2f}x (target <= 2x); "
              f"peak {max(float(r['peak_mib']) for r in rows if r['history'] == big):.0f} MiB (target < 4096)")
        if (mid, "analyze") in at:
            for step in ("analyze", "generate", "validate"):
                if (big, step) in at and (mid, step) in at:
                    growth = float(at[(big, step)]["us_per_statement"]) / float(at[(mid, step)]["us_per_statement"])
                    print(f"  {step}: cost per statement at 500k / at 50k = {growth:.2f} (target <= 1.3)")
    many = "100,000 files"
    for step in ("analyze", "generate"):
        if (many, step) in at:
            print(f"100k files: {step} {at[(many, step)]['seconds']} s (target < 30 s)")


def plot(rows: list[dict[str, object]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, kind, title in ((axes[0], "statements", "50 statements a file"), (axes[1], "files", "one statement a file")):
        for step in ("parse", "analyze", "generate", "proof", "validate"):
            pts = [(int(r["statements"]), float(r["us_per_statement"])) for r in rows if r["step"] == step and str(r["history"]).endswith(kind)]
            if pts:
                ax.plot(*zip(*sorted(pts)), marker="o", label=step)
        ax.set_xscale("log")
        ax.set_yscale("log")  # parse and the proof differ 30-fold: both must read
        ax.set_xlabel("statements in the history")
        ax.set_ylabel("microseconds per statement")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        if ax.lines:  # (a run of only one kind of history leaves the other panel empty)
            ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
