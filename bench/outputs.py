"""Writes what the tool makes of many histories into one folder, to show a change of structure
changes no output: run it before and after, then `diff -r BEFORE AFTER`.

For the example, every corpus history (with its preamble), every fixture under
tests/fixtures/histories and the synthetic bench history, it writes the analyze JSON and the
generated set (or the error generate gave), under decisions that accept everything and, for the
example, under decisions that keep every finding.

    python bench/outputs.py OUT_DIR [--no-synthetic]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tui.core.analysis import analyze  # noqa: E402
from tui.core.decisions import Decisions  # noqa: E402
from tui.core.errors import ConsolidateError  # noqa: E402
from tui.core.generate import generate  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def projects(work: Path, synthetic: bool) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    ex = work / "example"
    shutil.copytree(ROOT / "migrations", ex / "migrations")
    out.append(("example", ex))
    if (CORPUS / "cases.tsv").is_file():
        with open(CORPUS / "cases.tsv", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                dest = work / "corpus" / row["name"]
                shutil.copytree(CORPUS / row["name"] / "migrations", dest / "migrations")
                if row["preamble_sql"]:
                    (dest / "consolidate.toml").write_text(f"preamble = {json.dumps(row['preamble_sql'])}\n")
                out.append((f"corpus-{row['name']}", dest))
    for case in sorted((ROOT / "tests" / "fixtures" / "histories").iterdir()):
        if case.is_dir():
            dest = work / "fixtures" / case.name
            shutil.copytree(case, dest, ignore=shutil.ignore_patterns("expected.json"))
            out.append((f"fixture-{case.name}", dest))
    if synthetic:
        from make_history import write

        dest = work / "synthetic"
        write(dest, 1000, 50)
        out.append(("synthetic", dest))
    return out


def dump(name: str, project: Path, out: Path, decisions: Decisions | None = None) -> None:
    target = out / name
    target.mkdir(parents=True)
    analysis = analyze(project)
    (target / "analyze.json").write_text(json.dumps(analysis.to_json(), indent=1, sort_keys=True) + "\n")
    try:
        result = generate(project, out=target / "new", decisions=decisions or Decisions())
        (target / "generate.json").write_text(json.dumps(result.to_json() | {"out": "new"}, indent=1, sort_keys=True)
                                             + "\n" + "\n".join(f"{k} {v}" for k, v in sorted(result.plan.dropped.items()))
                                             + "\n" + "\n".join(result.plan.unfolded) + "\n")
    except ConsolidateError as exc:
        (target / "generate.error").write_text(str(exc) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--no-synthetic", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, project in projects(Path(tmp), not args.no_synthetic):
            print(name, file=sys.stderr)
            dump(name, project, out)
        example = Path(tmp) / "example"
        keep_all = Decisions()
        for f in analyze(example).findings:
            keep_all.set(f, "keep")
        dump("example-keep-all", example, out, keep_all)


if __name__ == "__main__":
    main()
