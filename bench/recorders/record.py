"""Records a Python project's migrations, run on an empty PostgreSQL database, as a sqlx history:
one file per migration, its statements as the server got them (parameters written in as literals).

    python record.py django OUT APP[,APP...]   Django's `migrate` for these apps (settings they need
                                               as JSON in RECORD_SETTINGS), or, with
                                               DJANGO_SETTINGS_MODULE set, for that project: pass -
    python record.py mlflow OUT                MLflow's tracking store: its first tables, then alembic
    python record.py superset OUT              Superset's metadata database: every alembic revision
    python record.py prefect OUT               Prefect's server database: every alembic revision
    python record.py ckan OUT                  CKAN's database: every alembic revision from its first
    python record.py synapse OUT               Synapse's (matrix-synapse) database as a new install gets
                                               it: its full schema, then each delta, one file per delta
    python record.py airflow OUT               Airflow 2's metadata database: every alembic revision

Run it with the project's own packages installed (Django and the apps, mlflow, superset, prefect
with asyncpg, ckan with alembic and SQLAlchemy 2.0, matrix-synapse, apache-airflow 2.10) and psycopg2; the server is PGHOST/PGPORT (default /tmp, 5432), where PGUSER (default
postgres) creates databases. Not part of the tool: how the real histories in the README were made."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import psycopg2

HOST, PORT, USER = os.environ.get("PGHOST", "/tmp"), os.environ.get("PGPORT", "5432"), os.environ.get("PGUSER", "postgres")
# The catalog reads that only steer the tool are not the history.
CATALOG_READ = re.compile(r"(?is)^\s*(select|show)\b.*(information_schema|pg_catalog|pg_class|pg_namespace|pg_attribute|pg_index"
                          r"|pg_constraint|pg_get_|pg_type|current_schema|version\(\))")


def fresh_database(name: str) -> None:
    c = psycopg2.connect(host=HOST, port=PORT, user=USER, dbname="postgres")
    c.autocommit = True
    c.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
    c.cursor().execute(f"CREATE DATABASE {name}")
    c.close()


class Recorder:
    def __init__(self, out: Path) -> None:
        self.out, self.seen, self.n = out, [], 0
        out.mkdir(parents=True, exist_ok=True)

    def add(self, text: str) -> None:
        s = text.strip().rstrip(";")
        # (A setval over pg_get_serial_sequence, as Django's loaddata writes it, changes a sequence.)
        if (not CATALOG_READ.match(s) or "setval(" in s.lower()) and not re.match(r"(?i)(BEGIN|COMMIT|ROLLBACK)$", s):
            self.seen.append(s)

    def flush(self, name: str) -> Path:
        self.n += 1
        path = self.out / f"{self.n:04d}_{name}.sql"
        # A migration that runs CONCURRENTLY ran (that part, at least) outside a transaction.
        alone = any(re.search(r"(?i)\bCONCURRENTLY\b", s) for s in self.seen)
        path.write_text(("-- no-transaction\n" if alone else "") + "".join(s + ";\n" for s in self.seen))
        self.seen = []
        return path


def literal(v) -> str:  # type: ignore[no-untyped-def]
    if v is None:
        return "NULL"
    if isinstance(v, bool | int | float):
        return str(v).lower() if isinstance(v, bool) else str(v)
    return "'" + str(v).replace("'", "''") + "'"


def texts(cursor, sql: str, params, many: bool) -> list[str]:  # type: ignore[no-untyped-def]
    def inline(p):  # type: ignore[no-untyped-def]
        if not hasattr(cursor, "mogrify"):  # asyncpg: `$1` placeholders
            return re.sub(r"\$(\d+)", lambda m: literal(p[int(m.group(1)) - 1]), sql)
        text = cursor.mogrify(sql, p)  # (bytes from psycopg2, str from psycopg 3)
        return text.decode() if isinstance(text, bytes) else text

    if many and params and not isinstance(params, dict):  # (SQLAlchemy's insertmanyvalues: one batch, one dict)
        return [inline(p) for p in params]
    text = inline(params) if params else sql
    if "%s" in text and isinstance(params, list | tuple) and params:  # (a server-side cursor's, not written in)
        text = sql % tuple(literal(p) for p in params)
    return [text]


def django(out: Path, apps: str) -> None:
    import django
    from django.conf import settings

    db = "rec_django"
    if apps != "-":
        settings.configure(
            INSTALLED_APPS=apps.split(","), SECRET_KEY="x", USE_TZ=True, SITE_ID=1, STATIC_URL="/static/",
            DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": db, "HOST": HOST, "PORT": PORT, "USER": USER}},
            TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]}}],
            **json.loads(os.environ.get("RECORD_SETTINGS", "{}")))  # what the apps ask for besides
    fresh_database(db if apps != "-" else os.environ.get("RECORD_DATABASE", db))
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    rec = Recorder(out)
    atomic = {}
    for (app, name), migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items():
        atomic[f"{app}_{name}"] = migration.atomic

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        for s in texts(context["cursor"].cursor, sql, params, many):
            m = re.match(r"""(?s)\s*INSERT INTO "django_migrations" .*VALUES \('([^']*)', '([^']*)'""", s)
            if m:
                name = f"{m.group(1)}_{m.group(2)}"
                path = rec.flush(name)
                text = path.read_text()
                if not atomic.get(name, True) and not text.startswith("-- no-transaction"):  # (Django runs it outside one)
                    path.write_text("-- no-transaction\n" + text)
            elif '"django_migrations"' not in s:
                rec.add(s)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        call_command("migrate", verbosity=0)


def record_alembic(target, rec: Recorder) -> None:  # type: ignore[no-untyped-def]
    """Each revision's statements, up to the write of its number into alembic_version."""
    from sqlalchemy import event

    @event.listens_for(target, "before_cursor_execute")
    def record(conn, cursor, sql, params, context, many):  # type: ignore[no-untyped-def]
        for s in texts(cursor, sql, params, many):
            m = re.match(r"(?is)\s*(UPDATE alembic_version SET version_num='([^']*)'"
                         r"|INSERT INTO alembic_version \(version_num\) VALUES \('([^']*)'(::VARCHAR)?\))", s)
            if m:
                rec.flush(m.group(2) or m.group(3))
            elif "alembic_version" not in s:
                rec.add(s)


def superset(out: Path) -> None:
    """Superset's `db upgrade`: every revision from its first, on an empty database."""
    from sqlalchemy.engine import Engine

    fresh_database("rec_superset")
    config = out.parent / "superset_config.py"
    out.mkdir(parents=True, exist_ok=True)
    caches = "".join(f"{name} = {{'CACHE_TYPE': 'SimpleCache'}}\n" for name in (
        "CACHE_CONFIG", "DATA_CACHE_CONFIG", "FILTER_STATE_CACHE_CONFIG", "EXPLORE_FORM_DATA_CACHE_CONFIG"))
    config.write_text(f"SQLALCHEMY_DATABASE_URI = 'postgresql+psycopg2://{USER}@/rec_superset?host={HOST}&port={PORT}'\n"
                      f"SECRET_KEY = 'x' * 32\n{caches}")
    os.environ["SUPERSET_CONFIG_PATH"] = str(config)
    rec = Recorder(out)
    record_alembic(Engine, rec)
    import superset
    from flask_migrate import upgrade
    from superset.app import create_app

    with create_app().app_context():
        upgrade(directory=str(Path(superset.__file__).parent / "migrations"))


def prefect(out: Path) -> None:
    """Prefect's server database (asyncpg, over TCP on localhost)."""
    import asyncio

    from sqlalchemy.engine import Engine

    fresh_database("rec_prefect")
    os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = f"postgresql+asyncpg://{USER}@localhost:{PORT}/rec_prefect"
    rec = Recorder(out)
    record_alembic(Engine, rec)
    from prefect.server.database import provide_database_interface

    asyncio.run(provide_database_interface().create_db())


def mlflow(out: Path) -> None:
    import sqlalchemy as sa
    from mlflow.store.db import utils

    fresh_database("rec_mlflow")
    engine = sa.create_engine(f"postgresql+psycopg2://{USER}@/rec_mlflow?host={HOST}&port={PORT}")
    rec = Recorder(out)
    record_alembic(engine, rec)

    upgrade = utils._upgrade_db

    def first_tables_then_upgrade(e):  # type: ignore[no-untyped-def]
        rec.flush("initial_tables")  # (made from its first models, before the first revision)
        upgrade(e)

    utils._upgrade_db = first_tables_then_upgrade
    utils._initialize_tables(engine)


def ckan(out: Path) -> None:
    import ckan as package
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.engine import Engine

    fresh_database("rec_ckan")
    rec = Recorder(out)
    record_alembic(Engine, rec)
    folder = Path(package.__file__).parent / "migration"
    cfg = Config(str(folder / "alembic.ini"))
    cfg.set_main_option("script_location", str(folder))
    cfg.set_main_option("sqlalchemy.url", f"postgresql://{USER}@/rec_ckan?host={HOST}&port={PORT}")
    command.upgrade(cfg, "head")


def airflow(out: Path) -> None:
    """Airflow 2's metadata database, every alembic revision from its first (its own `db migrate`
    makes a new database from the models instead). A revision that syncs FAB's permissions may
    leave a second session idle in a transaction that the next ALTER waits on: end that session
    (`pg_terminate_backend`) and the upgrade goes on."""
    from alembic import command
    from sqlalchemy.engine import Engine

    fresh_database("rec_airflow")
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"postgresql+psycopg2://{USER}@/rec_airflow?host={HOST}&port={PORT}"
    os.environ.setdefault("AIRFLOW_HOME", str(out.parent / "airflow_home"))
    rec = Recorder(out)
    record_alembic(Engine, rec)
    from airflow.utils.db import _get_alembic_config

    command.upgrade(_get_alembic_config(), "heads")


def synapse(out: Path) -> None:
    """prepare_database on an empty database (C collation, as Synapse asks), every statement
    through a cursor that notes it; each delta ends at its row in applied_schema_deltas."""
    import psycopg2.extensions
    from synapse.storage.database import LoggingDatabaseConnection
    from synapse.storage.engines import create_engine
    from synapse.storage.prepare_database import prepare_database

    seen: list[str] = []

    class Noting(psycopg2.extensions.cursor):
        def execute(self, sql, args=None):  # type: ignore[no-untyped-def]
            seen.append(self.mogrify(sql, args).decode() if args is not None else sql)
            return super().execute(sql, args)

        def executemany(self, sql, seq):  # type: ignore[no-untyped-def]
            for a in seq:
                self.execute(sql, a)

    c = psycopg2.connect(host=HOST, port=PORT, user=USER, dbname="postgres")
    c.autocommit = True
    c.cursor().execute("DROP DATABASE IF EXISTS rec_synapse")
    c.cursor().execute("CREATE DATABASE rec_synapse TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C' ENCODING 'UTF8'")
    c.close()
    args = {"host": HOST, "port": PORT, "user": USER, "dbname": "rec_synapse"}
    engine = create_engine({"name": "psycopg2", "args": args})
    conn = psycopg2.connect(cursor_factory=Noting, **args)
    db_conn = LoggingDatabaseConnection(conn=conn, engine=engine, default_txn_name="prepare", server_name="example.org")
    engine.on_new_connection(db_conn)
    seen.clear()
    prepare_database(db_conn, engine, config=None)
    conn.commit()
    rec = Recorder(out)
    for text in seen:
        text = re.sub(r"^\s*COMMIT; BEGIN TRANSACTION; ", "", text)  # (how Synapse runs a file of SQL)
        m = re.match(r"\s*INSERT INTO applied_schema_deltas \(version, file\) VALUES \((\d+),\s*'([^']+)'\)", text)
        if not re.match(r"(?i)\s*(SELECT|SHOW)\b", text):
            rec.add(text)
        if m:
            rec.flush(re.sub(r"[^A-Za-z0-9]+", "_", f"v{m.group(1)}_{m.group(2)}").strip("_")[:80])
    if rec.seen:
        rec.flush("rest")


KINDS = {"mlflow": mlflow, "superset": superset, "prefect": prefect, "ckan": ckan, "synapse": synapse, "airflow": airflow}

if __name__ == "__main__":
    kind, out = sys.argv[1], Path(sys.argv[2])
    if kind == "django":
        django(out, sys.argv[3])
    elif kind in KINDS:
        KINDS[kind](out)
    else:
        sys.exit(f"unknown kind {kind}: django, {', '.join(KINDS)}")
