"""The command line itself: version, help, unknown commands and flags, no TUI without a terminal."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui import __version__
from tui.cli import _parser


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # stdin from /dev/null: a command that wrongly opened the TUI would fail here, not hang
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=cwd,
                          stdin=subprocess.DEVNULL, timeout=60)


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"consolidate {__version__}"


def test_help_says_the_bare_command_is_the_tui() -> None:
    r = run("--help")
    assert r.returncode == 0
    assert "consolidate [PROJECT]" in r.stdout and "TUI" in r.stdout
    for command in ("analyze", "generate", "validate", "apply", "rollback", "status", "baseline"):
        assert command in r.stdout and run(command, "--help").returncode == 0


def test_every_argument_has_help_text() -> None:
    parser = _parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{name} {'/'.join(action.option_strings) or action.dest}"
               for name, sub in subparsers.choices.items() for action in sub._actions if not action.help]
    assert not missing


def test_unknown_command_is_a_usage_error_not_the_tui(tmp_path: Path) -> None:
    r = run("frobnicate", cwd=tmp_path)
    assert r.returncode == 2
    assert "neither a command" in r.stderr and "usage:" in r.stderr and "Traceback" not in r.stderr


def test_unknown_flag_is_a_usage_error() -> None:
    for args in (("--frobnicate",), ("status", "--frobnicate"), ("status", ".", "extra", "args")):
        r = run(*args)
        assert r.returncode == 2, args
        assert "error:" in r.stderr and "Traceback" not in r.stderr, args


def test_tui_refuses_without_a_terminal(tmp_path: Path) -> None:
    r = run(str(tmp_path))
    assert r.returncode == 2
    assert "needs a terminal" in r.stderr


def test_status_result_goes_to_stdout(tmp_path: Path) -> None:
    r = run("status", str(ROOT))
    assert r.returncode == 0
    assert r.stdout.startswith("state: ") and "next: " in r.stdout


def test_generate_refuses_a_history_it_could_not_read_whole(tmp_path: Path) -> None:
    from tests.conftest import HISTORIES

    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "bad_syntax_in_middle", project)
    r = run("generate", str(project), "--no-proof")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "could not be read" in r.stderr and "--keep-going" in r.stderr
    assert "migrations/" in r.stderr and ":2:" in r.stderr  # the file and line of the broken statement
    assert not (project / ".consolidate" / "new").exists()
    r = run("generate", str(project), "--no-proof", "--keep-going")
    assert r.returncode == 0, r.stderr
    assert "WARNING: not read, so not in the new set" in r.stderr


def test_a_full_output_folder_is_refused_before_the_history_is_read(tmp_path: Path) -> None:
    from tests.conftest import HISTORIES

    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "bad_syntax_in_middle", project)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.sql").write_text("select 1;\n")
    r = run("generate", str(project), "--no-proof", "--out", str(out))
    # The unreadable history is not even reached: on a large one reading it takes a while.
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "output folder is not empty" in r.stderr and "could not be read" not in r.stderr
    assert [p.name for p in out.iterdir()] == ["mine.sql"]
    r = run("generate", str(project), "--no-proof", "--out", str(out / "mine.sql"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "output folder is a file" in r.stderr


def test_a_file_without_its_marker_is_refused_not_skipped(tmp_path: Path) -> None:
    from tests.conftest import HISTORIES

    project = tmp_path / "p"
    shutil.copytree(HISTORIES / "format_dbmate", project)
    first = sorted((project / "migrations").glob("*.sql"))[-1]
    first.write_text(first.read_text().replace("-- migrate:up", "-- up"))
    r = run("generate", str(project), "--no-proof", "--format", "dbmate")
    assert r.returncode == 2 and "section; file skipped" in r.stderr and first.name in r.stderr


@pytest.mark.parametrize("settings,message", [
    ('postgres = "fifteen"\n', "consolidate.toml:1: the project's settings are wrong: postgres must be"),
    ('postgres = -3\n', "postgres must be a PostgreSQL major version"),
    ('roles = 5\n', "roles must be a list of role names"),
    ('# guard the deploy\nguard = "yes"\n', "consolidate.toml:2: the project's settings are wrong: guard must be true or false, not 'yes'"),
    ('roles = "admin"\n', "roles must be a list of role names, not 'admin'"),
    ('# a comment\nmigratoins = "db"\n', "consolidate.toml:2: the project's settings are wrong: unknown setting 'migratoins'"),
    ('migrations = ["a", "b"]\n', "migrations must be the migrations folder"),
    ('migrations = "."\n', "must be a folder inside the project"),
    ('migrations = ".consolidate/new"\n', "inside .consolidate/"),
    ('postgres = 15\npostgres = 16\n', "cannot read settings"),
    (b'preamble = "caf\xe9"\n', "cannot read settings"),
])
def test_wrong_settings_are_refused_with_file_and_line(tmp_path: Path, settings: str | bytes, message: str) -> None:
    project = tmp_path / "p"
    shutil.copytree(ROOT / "migrations", project / "migrations")
    config = project / "consolidate.toml"
    config.write_bytes(settings if isinstance(settings, bytes) else settings.encode())
    for command in (("generate", "--no-proof"), ("validate",), ("apply", "--yes"), ("rollback", "--yes")):
        r = run(command[0], str(project), *command[1:])
        assert r.returncode == 2, (command, r.stderr)
        assert "Traceback" not in r.stderr
        if command[0] in ("generate", "validate"):
            assert message in r.stderr, (command, r.stderr)
    status = run("status", str(project))
    assert status.returncode == 0 and status.stdout.startswith("state: misconfigured")
    assert not (project / ".consolidate" / "new").exists()


def test_a_migrations_flag_outside_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(ROOT / "migrations", project / "migrations")
    for where in (".", "..", str(tmp_path)):
        r = run("generate", str(project), "--no-proof", "--migrations", where)
        assert r.returncode == 2 and "inside the project" in r.stderr and "Traceback" not in r.stderr


def _odd(tmp_path: Path, kind: str) -> Path:
    project = tmp_path / kind
    (project / "migrations").mkdir(parents=True)
    if kind == "diesel folder without a version":
        (project / "migrations" / "-_x").mkdir()
        (project / "migrations" / "-_x" / "up.sql").write_text("CREATE TABLE a (id int);\n")
    elif kind == "file name not UTF-8":
        (project / "migrations" / os.fsdecode(b"20240101000000_caf\xe9.sql")).write_text("CREATE TABLE a (id int);\n")
        (project / "migrations" / "20240102000000_b.sql").write_text("CREATE TABLE b (id int);\n")
    elif kind == "a NUL byte":
        (project / "migrations" / "20240101000000_a.sql").write_bytes(b"CREATE TABLE a (id int);\n\0CREATE TABLE b (id int);\n")
    elif kind == "links that loop":
        (project / "migrations" / "20240101000000_a.sql").write_text("CREATE TABLE a (id int);\n")
        (project / "migrations" / "20240102000000_b.sql").symlink_to("20240102000000_b.sql")  # itself
        (project / "migrations" / "20240103000000_c.sql").symlink_to("/nonexistent/c.sql")
        (project / "migrations" / "up").symlink_to("..")
        (project / "migrations" / "20240104000000_d.sql").write_text("CREATE TABLE d (id int);\n\0")
    elif kind == ".consolidate is a file":
        (project / "migrations" / "20240101000000_a.sql").write_text("CREATE TABLE a (id int);\n")
        (project / ".consolidate").write_text("not a folder\n")
    return project


@pytest.mark.parametrize("kind,message", [
    ("diesel folder without a version", "no diesel migration files found"),
    ("file name not UTF-8", "file name is not valid UTF-8"),
    (".consolidate is a file", ".consolidate is a file"),
    ("a NUL byte", "20240101000000_a.sql:2: nothing to generate: holds a NUL byte"),
    ("links that loop", "20240104000000_d.sql:2: cannot generate"),
])
def test_odd_trees_give_a_message_not_a_traceback(tmp_path: Path, kind: str, message: str) -> None:
    project = _odd(tmp_path, kind)
    fmt = ["--format", "diesel"] if "diesel" in kind else []
    for command in (["analyze"], ["generate", "--no-proof"], ["status"]):
        r = run(command[0], str(project), *command[1:], *(fmt if command[0] != "status" else []))
        assert "Traceback" not in r.stderr, (command, r.stderr)
        assert r.returncode in (0, 2)
    r = run("generate", str(project), "--no-proof", *fmt)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    if kind == "links that loop":
        r = run("analyze", str(project))
        assert "20240102000000_b.sql: warning: named like a migration but a broken symbolic link: not read" in r.stderr, r.stderr
        assert "20240103000000_c.sql: warning: named like a migration but a broken symbolic link" in r.stderr
        r = run("generate", str(project), "--no-proof", "--keep-going")
        assert r.returncode == 0, r.stderr
        staged = project / ".consolidate" / "new"
        assert (staged / "up").is_symlink() and os.readlink(staged / "up") == ".."  # copied as the link it is


def test_sql_files_the_format_does_not_take_as_migrations_are_said_not_read_and_kept(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "migrations").mkdir(parents=True)
    (project / "migrations" / "001_init.sql").write_text("CREATE TABLE a (id int);\n")
    (project / "migrations" / "002_more.sql").write_text("ALTER TABLE a ADD COLUMN b int;\n")
    (project / "migrations" / "003.sql").write_text("CREATE TABLE c (id int);\n")  # sqlx wants `<version>_<name>.sql`
    (project / "migrations" / "seeds").mkdir()
    (project / "migrations" / "seeds" / "0001_rows.sql").write_text("INSERT INTO a VALUES (1);\n")  # sqlx looks in no folder
    r = run("analyze", str(project))
    assert r.returncode == 0, r.stderr
    assert "migrations/003.sql: warning: not named as sqlx names a migration: not read" in r.stderr, r.stderr
    assert "migrations/seeds: warning: a folder of .sql files, which sqlx does not look into: not read" in r.stderr, r.stderr
    r = run("generate", str(project), "--no-proof")
    assert r.returncode == 0, r.stderr
    assert (project / ".consolidate" / "new" / "003.sql").read_text() == "CREATE TABLE c (id int);\n"
    assert (project / ".consolidate" / "new" / "seeds" / "0001_rows.sql").is_file()


def test_an_unexpected_error_is_a_message_and_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import tui.cli

    def boom(argv: object = None) -> int:
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr(tui.cli, "main", boom)
    monkeypatch.delenv("CONSOLIDATE_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        tui.cli.run()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: something nobody foresaw" in err and "CONSOLIDATE_DEBUG=1" in err


@pytest.mark.parametrize("command", [["generate", "--no-proof"], ["validate", "--pg", "local"], ["apply", "--yes"], ["rollback", "--yes"]])
def test_a_project_folder_that_does_not_exist_is_named_not_made(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "no_such_project"
    r = run(command[0], str(missing), *command[1:])
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert not missing.exists()


def _synthetic(project: Path) -> None:
    """300 files of the bench's synthetic history: tables renamed again and again, others made
    under the old names, comments on their columns."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    from make_history import write

    write(project, 300, 50)


@pytest.mark.parametrize("history", ["example", "synthetic"])
def test_generate_writes_the_same_bytes_whatever_the_hash_seed(tmp_path: Path, history: str) -> None:
    """Sets iterate in an order that changes with each process's hash seed: nothing written may follow it."""
    outs = []
    for seed in ("1", "2", "3"):
        project = tmp_path / seed
        if history == "example":
            shutil.copytree(ROOT / "migrations", project / "migrations")
        else:
            _synthetic(project)
        env = dict(os.environ, PYTHONHASHSEED=seed)
        r = subprocess.run([sys.executable, "-m", "tui", "generate", str(project), "--no-proof"], capture_output=True,
                           text=True, env=env, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        staged = project / ".consolidate" / "new"
        outs.append({p.relative_to(staged).as_posix(): p.read_bytes() for p in sorted(staged.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1] == outs[2]


def test_an_unproven_set_is_said_once_where_both_streams_meet(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_a.sql").write_text("CREATE TABLE a (id int);\n")
    apart = run("generate", str(tmp_path), "--no-proof")
    assert "UNPROVEN" in apart.stdout and "UNPROVEN" in apart.stderr  # a script keeping only stderr sees it
    together = subprocess.run([sys.executable, "-m", "tui", "generate", str(tmp_path), "--no-proof", "--force"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=60, check=False)
    assert together.returncode == 0 and together.stdout.count("UNPROVEN") == 1, together.stdout


@pytest.mark.parametrize("together", [True, False])
def test_stdout_goes_line_by_line_where_stderr_shares_its_pipe(together: bool) -> None:
    """`consolidate validate . 2>&1 | tee log`: a warning written while the result sat in stdout's
    buffer cut the result's line in two. Apart, stdout keeps its buffer (analyze --json is large)."""
    probe = "import sys, tui.cli; tui.cli._one_stream(); print(sys.stdout.line_buffering)"
    err = subprocess.STDOUT if together else subprocess.PIPE
    r = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, check=True)
    assert r.stdout.strip() == str(together)
