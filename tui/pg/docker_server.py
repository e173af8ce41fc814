"""The Docker provider: `postgres:<major>` through the Docker SDK, bound to 127.0.0.1, labelled, removed on exit."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import time
from collections.abc import Iterator

import psycopg

from tui.core.errors import ConsolidateError
from tui.pg.server import Server

LABEL = "consolidate.scratch"
OWNER = "consolidate.owner"  # "<host> <pid> <start time>" of the run that made it


def docker_available() -> str:
    """Empty when an engine answers; otherwise why not."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001 - the SDK raises many kinds; all mean "no engine"
        text = (str(exc).splitlines() or [type(exc).__name__])[0]
        if "Connection refused" in text or "No such file" in text or "FileNotFoundError" in text:
            return "no engine answers on the Docker socket (is dockerd running?)"
        return text[:160]
    return ""


def remove_leftovers(client: object) -> int:
    """Containers a crashed run left behind carry our label: remove them. Not those of runs still
    going (another project's, a second terminal's): removing them killed their proof midway.
    A container of another machine (an engine several share) is not ours to judge."""
    from tui.core.scratch import run_alive

    gone = 0
    host = socket.gethostname()
    for c in client.containers.list(all=True, filters={"label": LABEL}):  # type: ignore[attr-defined]
        made_on, _, run = (c.labels.get(OWNER) or "").partition(" ")
        if made_on and (made_on != host or run_alive(run)):
            continue
        with contextlib.suppress(Exception):
            c.remove(force=True)
            gone += 1
    return gone


def _data_in_ram(client: object, image: str) -> dict[str, str]:
    """The image's PGDATA on a tmpfs when this machine has room (as for a local server): the
    container is thrown away anyway, and CREATE DATABASE on a disk costs four times as long."""
    from tui.pg.local_server import ram_has_room

    if not ram_has_room() or not os.environ.get("DOCKER_HOST", "unix://").startswith("unix://"):
        return {}  # the room of this machine says nothing of a remote engine's
    try:
        env = client.images.get(image).attrs["Config"].get("Env") or []  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - not found is reported by run, with its own message
        return {}
    pgdata = next((e.partition("=")[2] for e in env if e.startswith("PGDATA=")), "")
    return {pgdata: "rw,mode=0777"} if pgdata.startswith("/") else {}


@contextlib.contextmanager
def docker_server(major: int = 15, image: str = "") -> Iterator[Server]:
    import docker

    from tui.core.scratch import this_run

    client = docker.from_env(timeout=30)
    remove_leftovers(client)
    image = image or f"postgres:{major}"
    password = secrets.token_hex(12)
    try:
        container = client.containers.run(
            image,
            tmpfs=_data_in_ram(client, image),
            command=["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "max_locks_per_transaction=1024"],
            environment={"POSTGRES_PASSWORD": password, "POSTGRES_USER": "consolidate", "POSTGRES_DB": "postgres"},
            ports={"5432/tcp": ("127.0.0.1", None)},
            labels={LABEL: "1", OWNER: f"{socket.gethostname()} {this_run()}"},
            detach=True,
        )
    except docker.errors.ImageNotFound:
        raise ConsolidateError("Docker image not found", f"{image}: pull it or build it (shared/docker-postgres/build.sh)") from None
    except docker.errors.DockerException as exc:
        raise ConsolidateError("cannot start the Docker container", str(exc).splitlines()[0]) from None
    try:
        port = 0
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            container.reload()
            if container.status == "exited":
                raise ConsolidateError("the PostgreSQL container exited", container.logs(tail=3).decode(errors="replace").strip())
            bindings = (container.attrs.get("NetworkSettings", {}).get("Ports") or {}).get("5432/tcp") or []
            port = int(bindings[0]["HostPort"]) if bindings else 0
            if port:
                try:
                    psycopg.connect(host="127.0.0.1", port=port, user="consolidate", password=password, dbname="postgres",
                                    connect_timeout=3).close()
                    break
                except psycopg.OperationalError:
                    pass
            time.sleep(0.5)
        else:
            raise ConsolidateError("the PostgreSQL container did not become ready", f"{image} after 90 s")
        server = Server("docker", {"host": "127.0.0.1", "port": port, "user": "consolidate", "password": password, "dbname": "postgres"})
        server.refresh_info()
        server.why = f"Docker image {image}"
        yield server
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)
        client.close()
