"""`consolidate check`: each exit code and each output, run as CI runs it (a subprocess at the
repository's root)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, requires_pg

CLEAN = "CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL);\n"
PILED = ["CREATE TABLE account (id bigint PRIMARY KEY);\n", "ALTER TABLE account ADD COLUMN email text;\n",
         "ALTER TABLE account ALTER COLUMN email SET NOT NULL;\n"]


def _repo(tmp_path: Path, files: list[str]) -> Path:
    """A repository whose project is `app/`, with a sqlx history."""
    folder = tmp_path / "app" / "migrations"
    folder.mkdir(parents=True)
    for i, text in enumerate(files, 1):
        (folder / f"2024010{i}000000_step_{i}.sql").write_text(text)
    return tmp_path


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", "check", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})


def test_a_clean_history_passes(tmp_path: Path) -> None:
    repo = _repo(tmp_path, [CLEAN])
    r = check(repo, "app")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith(": OK") and "0 finding(s) worth consolidating" in r.stdout


def test_findings_fail_past_the_threshold_with_github_annotations(tmp_path: Path) -> None:
    repo = _repo(tmp_path, PILED)
    r = check(repo, "app", "--output", "github")
    assert r.returncode == 1, r.stdout + r.stderr
    notes = [line for line in r.stdout.splitlines() if line.startswith("::")]
    assert notes and all(re.fullmatch(r"::warning file=app/migrations/\d+_step_\d\.sql,line=\d+,title=consolidate \w+::.+", n) for n in notes), notes
    assert "FAILED" in r.stdout.splitlines()[-1]
    # paths point at real lines, relative to where CI runs
    for n in notes:
        file, line = re.search(r"file=([^,]+),line=(\d+)", n).groups()  # type: ignore[union-attr]
        assert (repo / file).read_text().splitlines()[int(line) - 1].strip()
    allowed = check(repo, "app", "--output", "github", "--max-findings", str(len(notes)))
    assert allowed.returncode == 0 and allowed.stdout.count("::notice ") == len(notes), allowed.stdout


def test_json_and_sarif(tmp_path: Path) -> None:
    repo = _repo(tmp_path, PILED)
    r = check(repo, "app", "--output", "json")
    data = json.loads(r.stdout)
    assert r.returncode == 1 and data["ok"] is False and data["worth_consolidating"] == len(data["notes"]) > 0
    assert data["reasons"] and data["format"] == "sqlx"
    r = check(repo, "app", "--output", "sarif")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert run["results"] and all(res["ruleId"] == rules[res["ruleIndex"]] and res["level"] == "warning" for res in run["results"])
    loc = run["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].startswith("app/migrations/") and loc["region"]["startLine"] >= 1


def test_sql_that_cannot_be_read_fails_with_an_error_at_its_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path, [CLEAN, "CREATE TABLE broken (id int;\n"])
    r = check(repo, "app", "--output", "github", "--max-findings", "99")
    assert r.returncode == 1
    assert re.search(r"^::error file=app/migrations/20240102000000_step_2\.sql,line=1,title=consolidate unreadable::", r.stdout, re.M), r.stdout


@pytest.mark.parametrize("args", [["nowhere"], ["app", "--max-findings", "-1"], ["app", "--output", "xml"]])
def test_errors_exit_2_without_a_traceback(tmp_path: Path, args: list[str]) -> None:
    repo = _repo(tmp_path, [CLEAN])
    r = check(repo, *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.strip(), r.stderr


@pytest.mark.pg
@requires_pg
def test_a_consolidated_set_passes_until_one_of_its_files_is_edited(tmp_path: Path) -> None:
    repo = tmp_path
    shutil.copytree(ROOT / "migrations", repo / "app" / "migrations")
    env_run = lambda *a: subprocess.run([sys.executable, "-m", "tui", *a], cwd=repo, capture_output=True, text=True, timeout=300,  # noqa: E731
                                        stdin=subprocess.DEVNULL)
    assert env_run("validate", "app", "--pg", "local").returncode == 0
    assert env_run("apply", "app", "--yes").returncode == 0
    r = check(repo, "app")
    assert r.returncode == 0, r.stdout + r.stderr  # what the proof kept unfolded is not held against the set
    assert "the consolidated set as apply wrote it" in r.stdout
    first = sorted((repo / "app" / "migrations").glob("0002_*.sql"))[0]
    first.write_text(first.read_text() + "-- a fix, written into a file that has run\n")
    r = check(repo, "app", "--output", "github")
    assert r.returncode == 1
    assert f"::error file=app/migrations/{first.name},title=consolidate edited-after-apply::" in r.stdout, r.stdout


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path, PILED)
    project = repo / "app"
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}

    def cli(*a: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tui", *a], cwd=repo, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)

    r = cli("generate", "app", "--dry-run", "--no-proof")
    assert r.returncode == 0 and "would write 1 files (--dry-run: nothing written)" in r.stdout, r.stdout + r.stderr
    for command in ("apply", "rollback"):
        r = cli(command, "app", "--dry-run")
        assert "Traceback" not in r.stderr and "nothing" in r.stderr, r.stderr
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and p.name != "lock"}
    assert after == before
