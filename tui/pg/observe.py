"""Watch the statements the model cannot follow while the history runs on a scratch database:
event triggers record the objects each one creates, alters and drops (with their definitions
from the catalog), the transaction's table statistics the rows it writes, and the roles and
session settings before and after tell a change no trigger sees. All of it lives in the scratch
database's `consolidate_observe` schema and is removed before the database is read.
"""

from __future__ import annotations

from typing import Any

import psycopg

from tui.core.observed import Ddl, Observations, Observed
from tui.core.parse import Statement

SCHEMA = "consolidate_observe"

SETUP = f"""
CREATE SCHEMA {SCHEMA};
CREATE TABLE {SCHEMA}.ddl (id serial, seq int, tag text, object_type text, identity text, dropped boolean,
                           original boolean, definition text);
CREATE FUNCTION {SCHEMA}.table_def(rel oid, ident text) RETURNS text LANGUAGE sql AS $f$
  SELECT 'CREATE TABLE ' || ident || ' (' || concat_ws(', ',
    (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                       || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped),
    (SELECT string_agg('CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname)
       FROM pg_constraint WHERE conrelid = rel AND contype IN ('p', 'u', 'c', 'f', 'x'))) || ')'
$f$;
CREATE FUNCTION {SCHEMA}.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $f$
DECLARE r record; s text := current_setting('consolidate.seq', true); d text;
BEGIN
  IF coalesce(s, '') = '' THEN RETURN; END IF;
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    d := NULL;
    BEGIN
      IF r.command_tag LIKE 'CREATE%' OR r.command_tag = 'ALTER TABLE' THEN
        IF r.classid = 'pg_trigger'::regclass THEN d := pg_get_triggerdef(r.objid);
        ELSIF r.classid = 'pg_proc'::regclass THEN d := pg_get_functiondef(r.objid);
        ELSIF r.object_type = 'index' AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = r.objid) THEN
          d := pg_get_indexdef(r.objid);
        ELSIF r.object_type = 'view' THEN d := 'CREATE VIEW ' || r.object_identity || ' AS ' || pg_get_viewdef(r.objid);
        ELSIF r.object_type = 'table' AND r.command_tag = 'CREATE TABLE' THEN
          d := {SCHEMA}.table_def(r.objid, r.object_identity);
        END IF;
      END IF;
    EXCEPTION WHEN others THEN d := NULL;
    END;
    INSERT INTO {SCHEMA}.ddl (seq, tag, object_type, identity, dropped, original, definition)
    VALUES (s::int, r.command_tag, r.object_type, coalesce(r.object_identity, ''), false, true, d);
  END LOOP;
END $f$;
CREATE FUNCTION {SCHEMA}.on_drop() RETURNS event_trigger LANGUAGE plpgsql AS $f$
DECLARE r record; s text := current_setting('consolidate.seq', true);
BEGIN
  IF coalesce(s, '') = '' THEN RETURN; END IF;
  FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
    INSERT INTO {SCHEMA}.ddl (seq, tag, object_type, identity, dropped, original, definition)
    VALUES (s::int, 'DROP', r.object_type, coalesce(r.object_identity, ''), true, r.original, NULL);
  END LOOP;
END $f$;
CREATE EVENT TRIGGER consolidate_observe_ddl ON ddl_command_end EXECUTE FUNCTION {SCHEMA}.on_ddl();
CREATE EVENT TRIGGER consolidate_observe_drop ON sql_drop EXECUTE FUNCTION {SCHEMA}.on_drop();
ALTER EVENT TRIGGER consolidate_observe_ddl DISABLE;
ALTER EVENT TRIGGER consolidate_observe_drop DISABLE;
"""
# On only around a watched statement: fired by every other one, even to return at once, they cost
# a tenth of the history's build.
_ON = "ALTER EVENT TRIGGER consolidate_observe_ddl ENABLE; ALTER EVENT TRIGGER consolidate_observe_drop ENABLE;"
_OFF = "ALTER EVENT TRIGGER consolidate_observe_ddl DISABLE; ALTER EVENT TRIGGER consolidate_observe_drop DISABLE;"

TEARDOWN = f"""
DROP EVENT TRIGGER IF EXISTS consolidate_observe_ddl;
DROP EVENT TRIGGER IF EXISTS consolidate_observe_drop;
DROP SCHEMA IF EXISTS {SCHEMA} CASCADE;
"""

# What pg_stat_xact_user_tables says of the tables this transaction wrote. The counts are the
# backend's pending ones: those of earlier transactions not yet sent to the shared statistics
# (at most once a second, when idle) are in them too, so a watched statement's rows are the
# difference of two looks. Asked of every table (a scan of pg_class, which a history's DDL leaves
# full of dead rows: 9.5 ms on the 50,000-statement synthetic history, twice for each of its 383
# watched statements), or, on PostgreSQL 15 and later, where the pending counts are sent before
# a watched file runs (`pg_stat_force_next_flush`), only of the tables the transaction holds a lock
# that writes take (an INSERT, UPDATE, DELETE, COPY or TRUNCATE holds one until it ends): 0.6 ms,
# 1.9 ms with 300 tables locked. A write in a subtransaction rolled back (an exception caught in a
# DO block), on a table the transaction had not locked before, gives its lock back with its rows
# and is not counted (the scan counts it: the counts keep attempted writes).
_ALL_TABLES = "pg_class c"
_LOCKED_TABLES = """(SELECT DISTINCT relation FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'
                       AND mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')) l
                    JOIN pg_class c ON c.oid = l.relation"""
_ROWS = f"""SELECT n.nspname, c.relname, s.i, s.u, s.d FROM {{tables}} JOIN pg_namespace n ON n.oid = c.relnamespace,
                   LATERAL (SELECT pg_stat_get_xact_tuples_inserted(c.oid) AS i, pg_stat_get_xact_tuples_updated(c.oid) AS u,
                                   pg_stat_get_xact_tuples_deleted(c.oid) AS d) s
             WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', '{SCHEMA}')
               AND n.nspname !~ '^pg_toast' AND n.nspname NOT LIKE 'pg_temp%' AND s.i + s.u + s.d > 0"""
_STATE = """SELECT (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles),
                   (SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings
                     WHERE source = 'session' AND name NOT LIKE 'consolidate.%')"""


class Observer:
    """The runner's watch (tui/pg/runner.py) over the statements `seqs`."""

    def __init__(self, seqs: set[int]) -> None:
        self.seqs = seqs
        self.seen: Observations = {}
        self._rows: dict[str, tuple[int, int, int]] | None = None
        self._state: Any = None
        self._tables = _ALL_TABLES

    def start(self, conn: psycopg.Connection) -> None:  # type: ignore[type-arg]
        if conn.info.server_version >= 150000:
            try:
                conn.execute("SELECT pg_stat_force_next_flush()")  # sent as this query ends: none pending in the file's transaction
            except psycopg.Error:
                return  # (a server that refuses it: every table is asked)
            self._tables = _LOCKED_TABLES

    def before(self, conn: psycopg.Connection, st: Statement) -> None:  # type: ignore[type-arg]
        conn.execute(f"{_ON} SELECT set_config('consolidate.seq', '{int(st.seq)}', false)")
        self._rows, self._state = _look(conn, _in_transaction(conn), self._tables)

    def after(self, conn: psycopg.Connection, st: Statement) -> None:  # type: ignore[type-arg]
        obs = self.seen.setdefault(st.seq, Observed(st.seq))
        now, state = _look(conn, self._rows is not None and _in_transaction(conn), self._tables)
        if self._rows is not None and now is not None:
            zero = (0, 0, 0)
            obs.rows = {t: d for t, c in now.items() if any(d := tuple(a - b for a, b in zip(c, self._rows.get(t, zero))))}  # type: ignore[misc]
        obs.changed_state = state != self._state
        conn.execute(f"SELECT set_config('consolidate.seq', '', false); {_OFF}")

    def collect(self, conn: psycopg.Connection) -> Observations:  # type: ignore[type-arg]
        """Read what the event triggers recorded, then remove every trace of the watch."""
        for seq, tag, otype, ident, dropped, original, definition in conn.execute(
                f"SELECT seq, tag, object_type, identity, dropped, original, definition FROM {SCHEMA}.ddl ORDER BY id"):
            self.seen.setdefault(seq, Observed(seq)).ddl.append(Ddl(tag, otype, ident, dropped, original, definition or ""))
        conn.execute(TEARDOWN)
        return self.seen


def _in_transaction(conn: psycopg.Connection) -> bool:  # type: ignore[type-arg]
    return conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS


def _look(conn: psycopg.Connection, rows: bool, tables: str) -> tuple[dict[str, tuple[int, int, int]] | None, Any]:  # type: ignore[type-arg]
    """The rows this transaction wrote so far, by table (when `rows`; of `tables`), and the roles
    and session settings: one round trip."""
    with conn.pipeline():
        written = conn.execute(_ROWS.format(tables=tables)) if rows else None
        state = conn.execute(_STATE)
    return ({f"{s}.{t}": (i, u, d) for s, t, i, u, d in written} if written is not None else None), state.fetchone()
