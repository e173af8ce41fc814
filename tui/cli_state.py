"""The commands that change the project's state: apply, rollback, status and baseline."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

from tui.cli import EXIT_ERROR, EXIT_OK
from tui.core.errors import ConsolidateError


def _say(msg: str) -> None:
    print(msg, file=sys.stderr)


def confirm(lines: list[str], question: str, yes: bool) -> bool:
    """Show what will happen; ask unless --yes. No terminal to ask on counts as no."""
    for line in lines:
        _say(f"  - {line}")
    if yes:
        return True
    if not sys.stdin.isatty():
        _say(f"{question} Not confirmed: no terminal to ask on; rerun with --yes.")
        return False
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _guarded(what: str, run: Callable[[], int]) -> int:
    try:
        return run()
    except ConsolidateError as exc:
        _say(f"{what}: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say(f"{what} interrupted: consolidate status says where it stopped, consolidate rollback finishes it")
        return EXIT_ERROR


def cmd_apply(args: argparse.Namespace) -> int:
    from tui.apply import apply, plan_apply

    def run() -> int:
        plan = plan_apply(args.project, args.migrations, force=args.force)
        for w in plan.warnings:
            _say(f"warning: {w}")
        if args.force and plan.forced:
            _say("--force: applying without " + "; ".join(plan.forced))
        _say("apply will:")
        if not confirm(plan.lines(), "Apply?", args.yes):
            _say("nothing changed")
            return EXIT_ERROR
        files = apply(plan, progress=_say)
        _say(f"applied: {plan.cfg.migrations}/ now holds {len(files)} files; the history is in {plan.paths.backup.name}/ "
             "(consolidate rollback restores it)")
        return EXIT_OK

    return _guarded("apply", run)


def cmd_rollback(args: argparse.Namespace) -> int:
    from tui.apply import plan_rollback, rollback

    def run() -> int:
        plan = plan_rollback(args.project, args.migrations, force=args.force)
        _say("rollback will:")
        if not confirm(plan.lines(), "Roll back?", args.yes):
            _say("nothing changed")
            return EXIT_ERROR
        rollback(plan, progress=_say)
        _say(f"rolled back: {plan.cfg.migrations}/ is the history again, byte for byte")
        return EXIT_OK

    return _guarded("rollback", run)


def cmd_status(args: argparse.Namespace) -> int:
    from tui.status import project_status

    st = project_status(args.project, args.migrations)
    if args.json:
        sys.stdout.write(json.dumps(st.to_json(), indent=2) + "\n")
    _say(f"state: {st.state}")
    for d in st.detail:
        _say(f"  {d}")
    _say(f"next: {st.next}")
    return EXIT_OK


def cmd_baseline(args: argparse.Namespace) -> int:
    from tui.pg.baseline import baseline, plan_baseline
    from tui.pg.servers import mask_url

    url = args.database_url or os.environ.get("DATABASE_URL", "")
    if not url:
        _say("baseline: no database: give --database-url URL (or set DATABASE_URL)")
        return EXIT_ERROR

    def run() -> int:
        plan = plan_baseline(args.project, args.migrations, args.format, url, pg=args.pg, progress=_say)
        if plan.differences:
            _say(f"refusing: {mask_url(url)} differs from the new set in {len(plan.differences)} place(s):")
            for d in plan.differences[:50]:
                _say(f"  {d.type} {d.name}: {d.detail}\n      database: {d.old}\n      new set:  {d.new}")
            return EXIT_ERROR
        _say(f"{mask_url(url)} has the same schema as the new set; the {plan.table} table would become:")
        if not args.yes:
            sys.stdout.write(plan.sql + "\n")
            _say("nothing changed: rerun with --yes to run this SQL (one transaction)")
            return EXIT_OK
        baseline(plan)
        _say(f"baselined: {plan.table} now lists the {plan.count} migrations of the new set")
        return EXIT_OK

    try:
        return _guarded("baseline", run)
    except Exception as exc:  # a driver error must not print the URL with its password
        _say(f"baseline: {mask_url(str(exc))}")
        return EXIT_ERROR
