"""The `consolidate` command: the TUI by default, headless subcommands for scripts and CI.

JSON goes to stdout, everything else to stderr. Exit codes are the constants below.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import threading
from collections.abc import Sequence

from tui.core.errors import ERROR

EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_ERROR = 2

SUBCOMMANDS = ("analyze", "generate", "validate", "apply", "rollback", "status", "baseline")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="consolidate", description="Consolidate a PostgreSQL migration history into a minimal, proven-equal set.")
    sub = p.add_subparsers(dest="command")
    a = sub.add_parser("analyze", help="read the history and list what can be folded or removed")
    a.add_argument("project", nargs="?", default=".")
    a.add_argument("--json", action="store_true", help="print the analysis as JSON on stdout")
    a.add_argument("--format", default=None, help="sqlx, golang-migrate, diesel, flyway, dbmate, goose (default: detect)")
    a.add_argument("--migrations", default=None, help="migrations folder, relative to PROJECT")
    for name in SUBCOMMANDS[1:]:
        s = sub.add_parser(name)
        s.add_argument("project", nargs="?", default=".")
        s.add_argument("--migrations", default=None)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in SUBCOMMANDS + ("-h", "--help"):
        return _open_tui(args_list)
    args = _parser().parse_args(args_list)
    if args.command == "analyze":
        return cmd_analyze(args)
    print(f"consolidate {args.command}: not built yet in this version", file=sys.stderr)
    return EXIT_ERROR


def _progress(what: str, done: int, total: int) -> None:
    print(f"\r[{done}/{total}] {what:<24}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def cmd_analyze(args: argparse.Namespace) -> int:
    from tui.core.analysis import Cancelled, analyze

    cancel = threading.Event()
    # The analysis holds millions of AST nodes; a cyclic collection while serialising them costs seconds.
    gc.disable()
    try:
        result = analyze(args.project, args.migrations, args.format, progress=_progress if sys.stderr.isatty() else None, cancel=cancel)
    except (Cancelled, KeyboardInterrupt):
        print("analysis interrupted", file=sys.stderr)
        return EXIT_ERROR
    for d in result.diagnostics:
        print(str(d), file=sys.stderr)
    if args.json:
        # One line, no indent: with indent (or json.dump) Python falls back to its pure-Python
        # encoder, several seconds on a 50,000-statement history. Pipe through `jq` to read it.
        sys.stdout.write(json.dumps(result.to_json()) + "\n")
    else:
        _print_findings(result)
    if not result.ok:
        errors = [d for d in result.diagnostics if d.severity == ERROR]
        print(f"nothing could be analyzed ({len(errors)} error(s))", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _print_findings(result: object) -> None:
    from tui.core.findings import KINDS

    findings = getattr(result, "findings")
    sources = getattr(result, "sources")
    out = sys.stderr
    stmts = sum(getattr(result, "parsed").per_migration)
    print(f"{sources.format}: {len(sources.migrations)} migrations, {stmts} statements, {len(findings)} findings", file=out)
    for kind in KINDS:
        group = [f for f in findings if f.kind == kind]
        if not group:
            continue
        print(f"\n{kind} ({len(group)})", file=out)
        for f in group:
            where = ", ".join(f"{s.file}:{s.line}" for s in f.sources[:3]) + (" ..." if len(f.sources) > 3 else "")
            print(f"  {f.object_type} {f.object_name}: {f.action}\n      {where}", file=out)


def _open_tui(argv: list[str]) -> int:
    project = argv[0] if argv else "."
    try:
        from tui.app.app import ConsolidateApp
    except ImportError as exc:
        print(f"the TUI is not available: {exc}", file=sys.stderr)
        return EXIT_ERROR
    ConsolidateApp(project).run()
    return EXIT_OK
