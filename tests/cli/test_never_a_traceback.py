"""Whatever the settings file holds and whatever the command line says: a message and an exit
code, never a traceback."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core.errors import ConsolidateError
from tui.core.project import CONFIG_FILE, load_config

KEYS = ["migrations", "format", "preamble", "roles", "postgres", "image", "pg", "migratoins", "extra"]
SCALARS = st.one_of(st.integers(-5, 20), st.booleans(), st.text(max_size=12), st.floats(allow_nan=False, allow_infinity=False))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def _project(root: Path, config: str | bytes) -> Path:
    (root / "migrations").mkdir(exist_ok=True)
    (root / "migrations" / "20250101000000_init.sql").write_text("CREATE TABLE t (id int);\n")
    (root / CONFIG_FILE).write_bytes(config if isinstance(config, bytes) else config.encode())
    return root


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


@settings(max_examples=40, deadline=None)
@given(st.one_of(
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4).map(
        lambda d: "".join(f"{k} = {_toml_value(v)}\n" for k, v in d.items())),
    st.binary(max_size=40),
    st.text(max_size=40),
))
def test_any_settings_file_gives_a_message_not_a_traceback(config: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), config)
        cfg = load_config(project)  # never raises
        errors = [d for d in cfg.diagnostics if d.severity == "error"]
        if errors:
            try:
                cfg.check()
            except ConsolidateError as exc:
                assert exc.file in (CONFIG_FILE, "") and exc.message
            else:
                raise AssertionError("settings with errors were accepted")
        code, err = _run(["generate", str(project), "--no-proof"])
        assert code in (0, 2), err
        assert "Traceback" not in err
        if errors:
            assert code == 2 and "settings are wrong" in err


WORDS = ["analyze", "status", "apply", "rollback", "--json", "--yes", "--force", "--format", "sqlx", "bogus", "--migrations",
         "migrations", "..", "--version", "--help", "-h", "--frobnicate", "", "--pg", "nowhere", "--until", "2024", "é", "-"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=5))
def test_any_command_line_gives_an_exit_code_not_a_traceback(words: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = _project(Path(tmp), "")
        argv = [w if w != "migrations" else str(project) for w in words]
        with contextlib.chdir(project):  # the default project "." is this throwaway one
            code, err = _run(argv)
        assert code in (0, 1, 2), (argv, err)
        assert "Traceback" not in err
