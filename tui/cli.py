"""The `consolidate` command: the TUI by default, headless subcommands for scripts and CI.

The result goes to stdout (for people, or JSON with --json: then the human lines go to stderr);
progress, diagnostics and questions to stderr. Exit codes are in `tui.exit_codes`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from tui import __version__
from tui.core.annotations import OUTPUTS
from tui.core.errors import ERROR, ConsolidateError, filesystem_problem
from tui.exit_codes import DIFFERENT as EXIT_DIFFERENT
from tui.exit_codes import ERROR as EXIT_ERROR
from tui.exit_codes import OK as EXIT_OK
from tui.pg.providers import CHOICES as PROVIDERS


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="consolidate", usage="consolidate [PROJECT] | consolidate COMMAND [PROJECT] [options]",
        description="Consolidate a PostgreSQL migration history into a minimal, proven-equal set. "
                    "`consolidate [PROJECT]` (PROJECT defaults to .) opens the full-screen TUI; the commands below "
                    "do the same steps headless, for scripts and CI.",
        epilog="Human output goes to stdout (JSON instead with --json), progress and diagnostics to stderr. "
               "Exit codes: 0 done or equal, 1 different, 2 error.")
    p.add_argument("--version", action="version", version=f"consolidate {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    a = sub.add_parser("analyze", help="read the history and list what can be folded or removed")
    g = sub.add_parser("generate", help="write the consolidated set (to .consolidate/new/ or --out)")
    g.add_argument("--out", default=None, help="write the migrations folder itself here (empty or absent)")
    g.add_argument("--until", default=None, help="fold the history up to this version; keep later files as they are")
    g.add_argument("--from", dest="since", default=None, metavar="VERSION",
                   help="fold the history from this version on (the tail of a branch); keep earlier files as they are")
    g.add_argument("--line-from-db", action="append", default=[], metavar="URL",
                   help="fold up to the newest migration every one of these databases has run (read-only; repeat it)")
    g.add_argument("--pg", default=None, choices=PROVIDERS, help="where to prove the set (default: auto)")
    g.add_argument("--database-url", default=None, help="prove it on an existing server (only scratch databases are made there)")
    g.add_argument("--create-roles", action="store_true", help="with --database-url: create the roles the history grants to (dropped after)")
    g.add_argument("--no-proof", action="store_true", help="write the set without proving it on PostgreSQL (it says so)")
    g.add_argument("--force", action="store_true", help="replace a staged set edited by hand (the edited copy is moved to .consolidate/new.edited/)")
    g.add_argument("--keep-going", action="store_true", help="go on when part of the history cannot be read (the set lacks it)")
    g.add_argument("--guard", action=argparse.BooleanOptionalAction, default=None,
                   help="write a guard into the set that stops a deploy on a database that ran only part of the history "
                        "(default: `guard` in consolidate.toml, else as the staged set had it)")
    v = sub.add_parser("validate", help="prove on a throwaway PostgreSQL that the new set builds the same database")
    v.add_argument("--pg", default=None, choices=PROVIDERS, help="where to start the throwaway PostgreSQL (default: auto)")
    v.add_argument("--database-url", default=None, help="an existing server; only scratch databases are created there")
    v.add_argument("--create-roles", action="store_true", help="with --database-url: create the roles the history grants to (dropped after)")
    v.add_argument("--keep-going", action="store_true", help="go on when part of the history cannot be read (apply then refuses without --force)")
    v.add_argument("--rebuild-history", action="store_true",
                   help="build the history even where the last generate or validate read its catalog from the same files on this server")
    ap = sub.add_parser("apply", help="back up migrations/ to migrations.old/ and swap the validated set in")
    ap.add_argument("--force", action="store_true", help="apply without an equal validation of this exact set (says what it skips)")
    rb = sub.add_parser("rollback", help="restore migrations.old/ byte for byte")
    rb.add_argument("--force", action="store_true", help="roll back over a folder edited since apply (a copy is kept)")
    st = sub.add_parser("status", help="which state the project is in and what to run next")
    ck = sub.add_parser("check", help="for CI: exit 1 when the history is worth consolidating, has unreadable SQL, or a "
                                      "consolidated file was edited after apply")
    ck.add_argument("--max-findings", type=int, default=0, metavar="N",
                    help="findings worth consolidating the history may hold before check fails (default: 0)")
    ck.add_argument("--output", default="text", choices=OUTPUTS, help="text, github (workflow annotations), json or sarif")
    bl = sub.add_parser("baseline", help="mark the new set as applied in a database that ran the old history")
    bl.add_argument("--database-url", default=None, help="the database (default: $DATABASE_URL)")
    bl.add_argument("--pg", default=None, choices=PROVIDERS, help="where to build the new set for the comparison")
    for s in (a, g, v, ap, rb, st, bl, ck):
        s.add_argument("project", nargs="?", default=".", help="the project folder (default: .)")
        s.add_argument("--migrations", default=None, help="migrations folder, relative to PROJECT")
    for s in (a, g, v, bl, ck):
        s.add_argument("--format", default=None, help="sqlx, golang-migrate, diesel, flyway, dbmate, goose, prisma, supabase, drizzle, atlas, node-pg-migrate, sql-migrate, tern, postgrator, graphile-migrate, plain (default: detect)")
    for s in (a, g, v, st):
        s.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    for s in (ap, rb, bl):
        s.add_argument("--yes", action="store_true", help="do it without asking")
    for s in (g, ap, rb, bl):
        s.add_argument("--dry-run", action="store_true", help="say what would be written, and write nothing")
    return p


_exit_now = False  # set by commands that hold nothing but memory: the process can skip tearing it down
_held: list[object] = []  # what such a command built, kept so that returning does not free it piece by piece


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled, `kill`, a container stopped), taken as Ctrl+C is."""


def _terminated(signum: int, frame: object) -> None:
    # Python's default for SIGTERM ends the process on the spot: no `finally` runs, and the
    # proof's trial folders, a scratch server and a half-written staging folder stay behind.
    raise Terminated


def _one_stream() -> None:
    """Where stdout and stderr go to one pipe or file (`2>&1 | tee log`), stdout is written line
    by line: held in its buffer, a result line was cut in two by a warning written meanwhile."""
    if _same_place(sys.stdout, sys.stderr) and not sys.stdout.isatty():
        with contextlib.suppress(AttributeError, ValueError):  # (a stream replaced by one that cannot)
            sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]


def run() -> None:
    """The console entry point."""
    signal.signal(signal.SIGTERM, _terminated)
    _one_stream()
    try:
        code = main()
    except KeyboardInterrupt as exc:
        print(f"consolidate: {'terminated' if isinstance(exc, Terminated) else 'interrupted'}", file=sys.stderr)
        code = EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the last net: a message and exit 2, never a traceback (1 means DIFFERENT)
        problem = filesystem_problem(exc) if isinstance(exc, OSError) else None
        if problem is None and os.environ.get("CONSOLIDATE_DEBUG"):
            raise
        # A full or read-only disk is not a bug, and the user can act on it.
        print(f"consolidate: {problem}" if problem else f"consolidate: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug. Run again with CONSOLIDATE_DEBUG=1 for the traceback, and report it.", file=sys.stderr)
        code = EXIT_ERROR
    if _exit_now:
        # Freeing millions of AST nodes one by one at exit takes most of a second on a large
        # history; analyze holds no file, socket or server, so nothing is lost by skipping it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if len(args_list) <= 1 and not (args_list and (args_list[0] in COMMANDS or args_list[0].startswith("-"))):
        project = args_list[0] if args_list else "."
        if not os.path.isdir(project):
            return _usage_error(parser, f"{project!r} is neither a command ({', '.join(COMMANDS)}) nor a project folder")
        return _open_tui(project)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse has printed the usage error, the help or the version
        return EXIT_OK if exc.code in (0, None) else EXIT_ERROR
    if args.command is None:
        return _usage_error(parser, "give a command, or only a project folder to open the TUI")
    return COMMANDS[args.command](args)


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    parser.print_usage(sys.stderr)
    print(f"consolidate: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _out(args: argparse.Namespace) -> TextIO:
    """Where the human result goes: stdout, unless stdout carries the JSON."""
    return sys.stderr if getattr(args, "json", False) else sys.stdout


def _progress(what: str, done: int, total: int) -> None:
    print(f"\r[{done}/{total}] {what:<24}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def cmd_analyze(args: argparse.Namespace) -> int:
    from tui.core.analysis import Cancelled, analyze
    from tui.core.formats.flyway_placeholders import unmark_json
    from tui.core.json_stream import write_json

    global _exit_now
    _exit_now = True
    cancel = threading.Event()
    # The analysis holds millions of AST nodes; a cyclic collection while serialising them costs seconds.
    gc.disable()
    try:
        result = analyze(args.project, args.migrations, args.format, progress=_progress if sys.stderr.isatty() else None, cancel=cancel)
    except (Cancelled, KeyboardInterrupt):
        print("analysis interrupted", file=sys.stderr)
        return EXIT_ERROR
    _held.append(result)
    for d in result.diagnostics:
        print(str(d), file=sys.stderr)
    if args.json:
        # One line, no indent: with indent Python falls back to its pure-Python encoder, several
        # seconds on a 50,000-statement history. Pipe through `jq` to read it.
        write_json(lambda text: sys.stdout.write(unmark_json(text)), result.json_parts())
        sys.stdout.write("\n")
    else:
        _print_findings(result, sys.stdout)
    if not result.ok:
        errors = [d for d in result.diagnostics if d.severity == ERROR]
        print(f"nothing could be analyzed ({len(errors)} error(s))", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    prover = None
    if not args.no_proof:
        from tui.core.project import load_config
        from tui.pg.early import EarlyServer
        from tui.pg.proof import PgProver

        # The server starts while the history is read and planned: on a small history that is
        # most of the time before the proof.
        try:
            cfg = load_config(args.project, args.migrations, args.format)
        except ConsolidateError:
            early = None  # generate says what is wrong with the project
        else:
            early = EarlyServer(args.pg or cfg.pg, args.database_url, cfg.postgres, cfg.image, args.create_roles, labels=())
        prover = PgProver(args.pg or "", args.database_url, create_roles=args.create_roles, early=early)
    try:
        return _cmd_generate(args, prover)
    finally:
        if prover is not None and prover.early is not None:
            prover.early.close()


def _cmd_generate(args: argparse.Namespace, prover: Any) -> int:

    def say(step: str, detail: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{step:<9} {detail[:60]:<60}", end="", file=sys.stderr, flush=True)

    if args.line_from_db:
        code = _line_from_db(args)
        if code != EXIT_OK:
            return code
    gc.disable()
    if not args.dry_run:
        return _generate(args, prover, say)
    import shutil
    import tempfile

    # Made and proven in a scratch folder, removed after: nothing of the project changes.
    scratch = tempfile.mkdtemp(prefix="consolidate-dry-run-")
    args.out = os.path.join(scratch, "set")
    try:
        return _generate(args, prover, say)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _line_from_db(args: argparse.Namespace) -> int:
    """Set --until to where the databases say the history can be squashed."""
    from tui.core.project import load_config
    from tui.core.sources import load_sources
    from tui.pg.line import squash_line

    if args.until:
        _say("generate: give --until or --line-from-db, not both")
        return EXIT_ERROR

    def run() -> int:
        cfg = load_config(args.project, args.migrations, args.format)
        last = squash_line(load_sources(cfg.root, cfg.migrations, cfg.format), args.line_from_db, _say)
        _say(f"squash line: {last.version} ({last.file}), the newest migration every database has run")
        args.until = last.version
        return EXIT_OK

    return _guarded("generate", run)


def _generate(args: argparse.Namespace, prover: Any, say: Callable[[str, str], None]) -> int:
    from tui.core.generate import generate
    from tui.core.proof import PROVEN

    try:
        result = generate(args.project, args.migrations, args.format, out=args.out, until=args.until, prover=prover, say=say, force=args.force, keep_going=args.keep_going,
                          guard=args.guard, since=args.since)
    except ConsolidateError as exc:
        msg = str(exc)
        if args.database_url:
            from tui.pg.server import hide_password

            msg = hide_password(msg, args.database_url)
        print(f"\ngenerate: {msg}" if sys.stderr.isatty() else f"generate: {msg}", file=sys.stderr)
        if getattr(exc, "excerpt", ""):
            print(exc.excerpt, file=sys.stderr)  # type: ignore[attr-defined]
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\ngenerate interrupted; nothing written", file=sys.stderr)
        return EXIT_ERROR
    global _exit_now
    _exit_now = True  # the lock is released, servers stopped, scratch folders removed: only memory is left
    _held.append(result)
    if sys.stderr.isatty():
        print("", file=sys.stderr)
    totals = result.totals()
    out = _out(args)
    if args.json:
        sys.stdout.write(_json_text(result.to_json()))
    for f in result.files:
        print(f"  {f.path:<44} {f.statements:>4} statements {f.lines:>5} lines", file=out)
    h, n = totals["history"], totals["new"]
    wrote = f"would write {n['files']} files (--dry-run: nothing written)" if args.dry_run else f"wrote {n['files']} files to {result.out}"
    print(f"{wrote}: {n['statements']} statements, {n['lines']} lines "
          f"(history: {h['files']} files, {h['statements']} statements, {h['lines']} lines)", file=out)
    for lost in result.analysis.lost:
        print(f"WARNING: not read, so not in the new set: {lost}", file=sys.stderr)
    if result.kept_edits:
        print(f"the staged set had been edited by hand: your edited copy was moved to {result.kept_edits}", file=sys.stderr)
    if result.plan.unfolded:
        print(f"kept unfolded to break a cycle: {', '.join(result.plan.unfolded)}", file=out)
    if result.plan.too_deep:
        print(f"written as they are, nested too deep to print again: {', '.join(result.plan.too_deep)}", file=out)
    proof = result.proof
    for b in proof.backed_off:
        print(f"  backed off {b.effect} fold of {b.where}: {b.reason}", file=out)
    for change in proof.other_changes[1:]:  # the first is in the summary line
        print(f"  {change}", file=out)
    print(("" if proof.state == PROVEN else "WARNING: ") + proof.summary(), file=out)
    if proof.state != PROVEN and not _same_place(out, sys.stderr):
        print("WARNING: " + proof.summary(), file=sys.stderr)  # where scripts that keep only stderr see it too
    return EXIT_OK


def _same_place(a: TextIO, b: TextIO) -> bool:
    """Do both streams reach the same terminal, file or pipe (`2>&1`)? Then a line said on each
    would be read twice."""
    if a is b:
        return True
    try:
        one, two = os.fstat(a.fileno()), os.fstat(b.fileno())
    except (AttributeError, OSError, ValueError):  # (io.UnsupportedOperation is an OSError)
        return False
    return (one.st_dev, one.st_ino) == (two.st_dev, two.st_ino)


def cmd_validate(args: argparse.Namespace) -> int:
    from tui.core.lock import project_lock
    from tui.core.project import load_config
    from tui.pg.early import EarlyServer

    def progress(step: str, detail: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{step:<9} {detail[:80]:<80}", end="", file=sys.stderr, flush=True)

    try:
        with project_lock(args.project, "validate"):
            # The server starts, and makes its two databases, while the parser is imported and
            # the history read: on a small history that is most of the time.
            cfg = load_config(args.project, args.migrations, args.format)
            early = EarlyServer(args.pg or cfg.pg, args.database_url, cfg.postgres, cfg.image, args.create_roles)
            try:
                from tui.pg.validate import validate

                result = validate(args.project, args.migrations, args.format, pg=args.pg, url=args.database_url,
                                  progress=progress, keep_going=args.keep_going, create_roles=args.create_roles, early=early,
                                  rebuild_history=args.rebuild_history)
            finally:
                early.close()
    except ConsolidateError as exc:
        from tui.pg.server import hide_password

        msg = str(exc)
        if args.database_url:
            msg = hide_password(msg, args.database_url)
        print(f"\nvalidate: {msg}" if sys.stderr.isatty() else f"validate: {msg}", file=sys.stderr)
        if getattr(exc, "excerpt", ""):
            print(exc.excerpt, file=sys.stderr)  # type: ignore[attr-defined]
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\nvalidate interrupted; scratch databases and servers removed", file=sys.stderr)
        return EXIT_ERROR
    global _exit_now
    _exit_now = True  # the lock is released and the server stopped (or its databases dropped): only memory is left
    if sys.stderr.isatty():
        print("", file=sys.stderr)
    if args.json:
        sys.stdout.write(_json_text(result.to_json()))
    out = _out(args)
    p = result.provider
    print(f"provider: {p['name']} (PostgreSQL {p['version'].split()[0]}): {p['why']}", file=out)
    for unread in result.unread:
        print(f"WARNING: not read, so compared on neither side: {unread}", file=sys.stderr)
    if result.not_recorded:
        print(f"WARNING: the result was not recorded ({result.not_recorded}): apply will not find this validation",
              file=sys.stderr)
    if result.history_from:
        print(f"history: not built again; its catalog as {result.history_from} read it from the same files on this server "
              "(--rebuild-history builds it)", file=out)
    if result.edited:
        print("the staged set was edited by hand: it was validated as it is, not regenerated", file=out)
    if result.roles_created:
        print(f"created roles the history grants to but never creates: {', '.join(result.roles_created)}", file=out)
    for d in result.differences:
        print(f"  {d.type} {d.name}: {d.detail}\n      history: {d.old}\n      new set: {d.new}", file=out)
        if d.history_at or d.new_at:
            print(f"      made by: history {', '.join(d.history_at) or '(nothing)'}; new set {', '.join(d.new_at) or '(nothing)'}", file=out)
    for pk in result.packs:
        if not pk.get("ok"):
            print(f"  {pk['file']}:{pk['line']}: pack row not loaded: {pk['error']}", file=out)
    loaded = sum(1 for pk in result.packs if pk.get("ok"))
    if result.packs:
        print(f"packs: {loaded} of {len(result.packs)} rows loaded", file=out)
    if result.downs is not None:
        print(("" if result.downs.ok else "WARNING: ") + result.downs.summary(), file=out)
    counts = result.counts["old"]
    print(("EQUAL" if result.equal else f"DIFFERENT: {len(result.differences)} difference(s)")
          + f" ({', '.join(f'{k} {v}' for k, v in counts.items() if v)}; {result.timings['total']:.1f} s)", file=out)
    return EXIT_OK if result.equal else EXIT_DIFFERENT


def _json_text(value: object) -> str:
    """A result as indented JSON, a Flyway history's placeholders as written (the model holds markers)."""
    from tui.core.formats.flyway_placeholders import unmark_json

    return unmark_json(json.dumps(value, indent=2)) + "\n"


def _print_findings(result: object, out: TextIO) -> None:
    from tui.core.findings import KINDS
    from tui.core.formats.flyway_placeholders import unmark

    findings = getattr(result, "findings")
    sources = getattr(result, "sources")
    stmts = sum(getattr(result, "parsed").per_migration)
    print(f"{sources.format}: {len(sources.migrations)} migrations, {stmts} statements, {len(findings)} findings", file=out)
    for kind in KINDS:
        group = [f for f in findings if f.kind == kind]
        if not group:
            continue
        print(f"\n{kind} ({len(group)})", file=out)
        for f in group:
            where = ", ".join(f"{s.file}:{s.line}" for s in f.sources[:3]) + (" ..." if len(f.sources) > 3 else "")
            print(f"  {f.object_type} {unmark(f.object_name)}: {f.action}\n      {where}", file=out)


def _open_tui(project: str) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("consolidate: the TUI needs a terminal; without one use a command "
              f"(consolidate status {project}, consolidate --help)", file=sys.stderr)
        return EXIT_ERROR
    try:
        from tui.app.app import ConsolidateApp
    except ImportError as exc:
        print(f"the TUI is not available: {exc}", file=sys.stderr)
        return EXIT_ERROR
    ConsolidateApp(project).run()
    return EXIT_OK


# ---- the commands that change the project's state -----------------------------------------------


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


def _dry_run(lines: list[str]) -> int:
    for line in lines:
        _say(f"  - {line}")
    _say("nothing changed (--dry-run)")
    return EXIT_OK


def _guarded(what: str, run: Callable[[], int]) -> int:
    try:
        return run()
    except ConsolidateError as exc:
        _say(f"{what}: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say(f"{what} interrupted: consolidate status says where it stopped, consolidate rollback finishes it")
        return EXIT_ERROR
    except OSError as exc:
        problem = filesystem_problem(exc)
        if problem is None:
            raise
        _say(f"{what} stopped: {problem}. Nothing is lost: consolidate status says where it stopped, "
             "and consolidate rollback clears what was left once the cause is gone")
        return EXIT_ERROR


def cmd_apply(args: argparse.Namespace) -> int:
    from tui.apply import apply, plan_apply

    def run() -> int:
        plan = plan_apply(args.project, args.migrations, force=args.force)
        for w in plan.warnings:
            _say(f"warning: {w}")
        if args.force and plan.forced:
            _say("--force: applying without " + "; ".join(plan.forced))
        _say("apply would:" if args.dry_run else "apply will:")
        if args.dry_run:
            return _dry_run(plan.lines())
        if not confirm(plan.lines(), "Apply?", args.yes):
            _say("nothing changed")
            return EXIT_ERROR
        files = apply(plan, progress=_say)
        print(f"applied: {plan.cfg.migrations}/ now holds {len(files)} files; the history is in {plan.paths.backup.name}/ "
             "(consolidate rollback restores it)")
        return EXIT_OK

    return _guarded("apply", run)


def cmd_rollback(args: argparse.Namespace) -> int:
    from tui.apply import plan_rollback, rollback

    def run() -> int:
        plan = plan_rollback(args.project, args.migrations, force=args.force)
        _say("rollback would:" if args.dry_run else "rollback will:")
        if args.dry_run:
            return _dry_run(plan.lines())
        if not confirm(plan.lines(), "Roll back?", args.yes):
            _say("nothing changed")
            return EXIT_ERROR
        rollback(plan, progress=_say)
        print(f"rolled back: {plan.cfg.migrations}/ is the history again, byte for byte")
        return EXIT_OK

    return _guarded("rollback", run)


def cmd_status(args: argparse.Namespace) -> int:
    from tui.status import project_status

    st = project_status(args.project, args.migrations)
    if args.json:
        sys.stdout.write(json.dumps(st.to_json(), indent=2) + "\n")
    out = _out(args)
    print(f"state: {st.state}", file=out)
    for d in st.detail:
        print(f"  {d}", file=out)
    print(f"next: {st.next}", file=out)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from tui.core.annotations import render
    from tui.core.check import check

    if args.max_findings < 0:
        _say("check: --max-findings must be 0 or more")
        return EXIT_ERROR

    def run() -> int:
        result = check(args.project, args.migrations, args.format, args.max_findings)
        sys.stdout.write(render(result, args.output))
        if not result.analysis.ok:
            _say(f"check: nothing could be analyzed in {result.analysis.sources.folder}")
            return EXIT_ERROR
        return EXIT_DIFFERENT if result.failed else EXIT_OK

    return _guarded("check", run)


def cmd_baseline(args: argparse.Namespace) -> int:
    from tui.pg.baseline import baseline, plan_baseline
    from tui.pg.server import hide_password, mask_url

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
        if not args.yes or args.dry_run:
            sys.stdout.write(plan.sql + "\n")
            _say("nothing changed" + ("" if args.dry_run else ": rerun with --yes to run this SQL (one transaction)"))
            return EXIT_OK
        baseline(plan)
        print(f"baselined: {plan.table} now lists the {plan.count} migrations of the new set")
        return EXIT_OK

    try:
        return _guarded("baseline", run)
    except Exception as exc:  # a driver error must not print the URL with its password
        _say(f"baseline: {hide_password(str(exc), url)}")
        return EXIT_ERROR


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "analyze": cmd_analyze,
    "generate": cmd_generate,
    "validate": cmd_validate,
    "apply": cmd_apply,
    "rollback": cmd_rollback,
    "status": cmd_status,
    "baseline": cmd_baseline,
    "check": cmd_check,
}
