"""A snapshot of a database's catalog, object by object, in plain comparable values.

Objects that belong to extensions are left out (the extension is compared by name). Every
value is text or a tuple of text, so two snapshots compare with ==.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
from psycopg import sql

from tui.pg.catalog_details import add_details
from tui.pg.catalog_more import _NOT_EXT, _USER_NS, read_more, scope

T = TypeVar("T")

_CLOCK_OR_RANDOM = ("now()", "clock_timestamp()", "statement_timestamp()", "transaction_timestamp()", "random()",
                    "gen_random_uuid()", "uuid_generate_v4()", "CURRENT_TIMESTAMP", "CURRENT_DATE", "LOCALTIMESTAMP",
                    "timeofday()", "CURRENT_TIME")


def _set(array: str, which: str = "") -> str:
    """An array whose order PostgreSQL does not define (privileges, options), as sorted text:
    the same grants made in another order are the same. `which`: a WHERE on its elements `x`."""
    return f"coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest({array}) x {which} ORDER BY 1), ','), '')"


# A column's options but those the server keeps for itself: a user's cannot start with `pg_`
# (PostgreSQL refuses the name), and Debian's 15.20 writes a `pg_attver` into every column made,
# its value another in each build of the same schema.
_USER_SET = "WHERE x NOT LIKE 'pg\\_%%'"


def _q(name: str, schema: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


@dataclass
class Snapshot:
    """Objects by kind, then by contract name; plus rows per table and what was left out."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    sequence_values: dict[str, str] = field(default_factory=dict)
    sequence_idents: dict[str, str] = field(default_factory=dict)  # contract name -> quoted schema.name
    row_columns: dict[str, list[str]] = field(default_factory=dict)  # table -> the columns of its rows, in order

    def fingerprint(self) -> str:
        """SHA-256 of every object and row (sequence values included): two databases with the same
        schema and data give the same fingerprint, whatever built them."""
        data = json.dumps([self.objects, self.rows], sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(data.encode()).hexdigest()

    def counts(self) -> dict[str, int]:
        out = {k: len(v) for k, v in self.objects.items()}
        out["rows"] = sum(len(r) for r in self.rows.values())
        return dict(sorted(out.items()))


# What a pipeline sends up to a sync runs as one transaction, which holds a lock on each table or
# sequence it read and on each of their indexes until it ends: thousands of partitions read in one
# overflowed the server's lock table ("out of shared memory").
_READS_A_SYNC = 100


def _synced(pipe: psycopg.Pipeline, items: Iterable[T]) -> Iterator[T]:
    """The items in turn, the pipeline synced (its transaction ended) after each _READS_A_SYNC."""
    for n, item in enumerate(items):
        if n and not n % _READS_A_SYNC:
            pipe.sync()
        yield item


def _all(conn: psycopg.Connection, sql: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:  # type: ignore[type-arg]
    # No parameters: then `%` in LIKE patterns is a plain character, not a placeholder.
    return list(conn.execute(sql, params).fetchall() if params is not None else conn.execute(sql).fetchall())


# The catalogs a history's DDL churns: a table rebuilt, renamed or dropped leaves dead rows in each.
_CHURNED = ("pg_class", "pg_attribute", "pg_attrdef", "pg_constraint", "pg_depend", "pg_type", "pg_index", "pg_proc",
            "pg_trigger", "pg_description", "pg_rewrite", "pg_sequence")


def snapshot(conn: psycopg.Connection, with_rows: bool = True,  # type: ignore[type-arg]
             explicit: frozenset[tuple[str, str]] = frozenset(),
             schemas: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()), scratch: bool = False) -> Snapshot:
    """The catalog and, `with_rows`, every table's rows; `explicit` names the (table, column)s a
    statement wrote by name, compared even where the column's default is a clock or random call;
    `schemas`: the schemas read (all when empty) and those left out, as the project says.

    `scratch`: a database the tool built and throws away, whose churned catalogs are vacuumed
    first (never a user's database). The 50,000-statement synthetic history leaves pg_attribute
    with 84,553 live rows and 95,638 dead: its snapshot 3.3-3.6 s, 2.0-2.7 s after a VACUUM of 0.13 s.
    """
    if scratch:
        conn.execute("VACUUM " + ", ".join(f"pg_catalog.{t}" for t in _CHURNED))
    scope(conn, *schemas)
    s = Snapshot()
    o = s.objects
    o["schema"] = {r[0]: {"owner": r[1], "comment": r[2], "acl": r[3]} for r in _all(conn, f"""
        SELECT n.nspname, pg_get_userbyid(n.nspowner), obj_description(n.oid, 'pg_namespace'), {_set('n.nspacl')}
        FROM pg_namespace n WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_namespace'", oid="n.oid")}""")}
    o["extension"] = {r[0]: {"schema": r[1], "version": r[2], "comment": r[3]} for r in _all(conn, """
        SELECT e.extname, n.nspname, e.extversion, obj_description(e.oid, 'pg_extension')
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'""")}
    rels = _all(conn, f"""
        SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
               {_set('c.reloptions')}, pg_get_userbyid(c.relowner), obj_description(c.oid, 'pg_class'),
               {_set('c.relacl')}, CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
               c.relreplident::text || coalesce(' ' || (SELECT ic.relname FROM pg_index ri JOIN pg_class ic ON ic.oid = ri.indexrelid
                                                        WHERE ri.indrelid = c.oid AND ri.indisreplident), ''),
               c.relispopulated
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {_NOT_EXT.format(cls="'pg_class'", oid="c.oid")}""")
    o["table"], o["view"], o["sequence"] = {}, {}, {}
    tables: dict[int, str] = {}
    copies: dict[int, str] = {}  # materialized views holding rows (their query's, as it was made or refreshed)
    for oid, ns, name, kind, persist, rls, force, opts, owner, comment, acl, viewdef, partkey, replica, populated in rels:
        q = _q(name, ns)
        base = {"owner": owner, "comment": comment, "acl": acl}
        if kind in ("r", "p", "f"):
            o["table"][q] = {**base, "kind": kind, "persistence": persist, "rls": rls, "force_rls": force, "options": opts, "partition": partkey,
                             "replica_identity": replica}
            tables[oid] = q
        elif kind in ("v", "m"):
            o["view"][q] = {**base, "kind": kind, "definition": viewdef, "options": opts}
            if kind == "m":
                tables[oid] = q
                o["view"][q]["populated"] = populated
                if populated and not any(f.lower() in (viewdef or "").lower() for f in _CLOCK_OR_RANDOM):
                    copies[oid] = q
                elif populated:
                    s.skipped.append(f"{q}: rows of a materialized view that calls a clock or random function")
        else:
            o["sequence"][q] = {**base}
    if tables:
        _columns(conn, s, tables)
    _constraints_and_indexes(conn, s)
    _sequences(conn, s, with_rows)
    _types(conn, s)
    _functions(conn, s)
    _triggers_and_policies(conn, s)
    read_more(conn, o)
    add_details(conn, o)
    if with_rows:
        # (A foreign table's rows are another server's: reading them would reach out to it.)
        _rows(conn, s, {**{k: v for k, v in tables.items() if v in o["table"] and o["table"][v]["kind"] != "f"}, **copies}, explicit)
    return s


def _not_null(conn: psycopg.Connection) -> str:
    """From PostgreSQL 18 a NOT NULL is a constraint with a name, kept when its table or column is
    renamed (`t_a_not_null` on column b), which pg_dump writes and a later DROP CONSTRAINT names:
    compared as its name and state, not as a flag."""
    if conn.info.server_version < 180000:
        return "a.attnotnull"
    return ("coalesce((SELECT con.conname || CASE WHEN con.connoinherit THEN ' NO INHERIT' ELSE '' END"
            " || CASE WHEN con.convalidated THEN '' ELSE ' NOT VALID' END FROM pg_constraint con"
            " WHERE con.conrelid = a.attrelid AND con.contype = 'n' AND con.conkey[1] = a.attnum LIMIT 1), a.attnotnull::text)")


def _columns(conn: psycopg.Connection, s: Snapshot, tables: dict[int, str]) -> None:  # type: ignore[type-arg]
    s.objects["column"] = {}
    for relid, name, type_, notnull, default, identity, generated, collation, comment, acl, position, storage, target, options, \
            compression in _all(conn, f"""
        SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), {_not_null(conn)},
               pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
               CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
               col_description(a.attrelid, a.attnum), {_set('a.attacl')},
               row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
               CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END, NULLIF(a.attstattarget, -1)::text,
               {_set('a.attoptions', _USER_SET)}, NULLIF(a.attcompression::text, '')
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped""", (list(tables),)):
        s.objects["column"][f"{tables[relid]}.{name}"] = {
            "type": type_, "not_null": notnull, "default": default, "identity": identity, "generated": generated,
            "collation": collation, "comment": comment, "acl": acl, "position": int(position),
            "storage": storage, "statistics": target, "options": options, "compression": compression,
        }


def _constraints_and_indexes(conn: psycopg.Connection, s: Snapshot) -> None:  # type: ignore[type-arg]
    s.objects["constraint"] = {
        f"{_q(rel, ns)}.{name}": {"type": contype, "definition": definition, "deferrable": deferrable, "deferred": deferred,
                                 "validated": validated, "comment": comment}
        for ns, rel, name, contype, definition, deferrable, deferred, validated, comment in _all(conn, f"""
        SELECT n.nspname, c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid), con.condeferrable,
               con.condeferred, con.convalidated, obj_description(con.oid, 'pg_constraint')
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NS} AND con.contype <> 'n'""")
    }
    s.objects["index"] = {
        _q(name, ns): {"definition": definition, "comment": comment, "clustered": clustered}
        for ns, name, definition, comment, clustered in _all(conn, f"""
        SELECT n.nspname, c.relname, pg_get_indexdef(c.oid), obj_description(c.oid, 'pg_class'), i.indisclustered
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_class'", oid="c.oid")}""")
    }


def _sequences(conn: psycopg.Connection, s: Snapshot, with_values: bool) -> None:  # type: ignore[type-arg]
    unread: list[tuple[str, str, str, Any]] = []  # sequences never called: their stored value is read from each
    for ns, name, type_, start, inc, mn, mx, cache, cycle, owned, last, ident in _all(conn, f"""
        SELECT n.nspname, c.relname, format_type(sq.seqtypid, NULL), sq.seqstart, sq.seqincrement, sq.seqmin, sq.seqmax,
               sq.seqcache, sq.seqcycle,
               (SELECT dc.relname || '.' || a.attname FROM pg_depend d JOIN pg_class dc ON dc.oid = d.refobjid
                  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')),
               ps.last_value, format('%I.%I', n.nspname, c.relname)
        FROM pg_sequence sq JOIN pg_class c ON c.oid = sq.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = c.relname
        WHERE {_USER_NS}"""):
        q = _q(name, ns)
        entry = s.objects["sequence"].setdefault(q, {})
        entry.update({"type": type_, "start": str(start), "increment": str(inc), "min": str(mn), "max": str(mx),
                      "cache": str(cache), "cycle": cycle, "owned_by": owned})
        if not with_values:
            continue
        if last is None:
            unread.append((q, ns, name, start))
        else:
            entry["value"] = str(last)
        s.sequence_values[q] = entry.get("value", "")
        s.sequence_idents[q] = ident
    if not unread:
        return
    with conn.pipeline() as pipe:  # one round trip for them all (or for each hundred: see _READS_A_SYNC)
        reads = [(q, start, conn.execute(sql.SQL("SELECT last_value FROM {}").format(sql.Identifier(ns, name))))
                 for q, ns, name, start in _synced(pipe, unread)]
    for q, start, cur in reads:
        # Not called yet: nextval hands out the stored value (the start, or what setval(..., false) set).
        stored = cur.fetchone()
        s.objects["sequence"][q]["value"] = s.sequence_values[q] = f"{stored[0] if stored else start} (not called)"


def _types(conn: psycopg.Connection, s: Snapshot) -> None:  # type: ignore[type-arg]
    s.objects["type"], s.objects["domain"] = {}, {}
    found: dict[int, dict[str, Any]] = {}
    for oid, ns, name, kind, owner, comment, acl, base, notnull, default in _all(conn, f"""
        SELECT t.oid, n.nspname, t.typname, t.typtype, pg_get_userbyid(t.typowner), obj_description(t.oid, 'pg_type'),
               {_set('t.typacl')}, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE {_USER_NS} AND t.typtype IN ('e', 'c', 'd', 'r')
          AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
          AND {_NOT_EXT.format(cls="'pg_type'", oid="t.oid")}"""):
        q = _q(name, ns)
        entry: dict[str, Any] = {"kind": kind, "owner": owner, "comment": comment, "acl": acl}
        if kind == "d":
            entry.update(base=base, not_null=notnull, default=default)
            s.objects["domain"][q] = entry
        else:
            s.objects["type"][q] = entry
        found[oid] = entry
    if not found:
        return
    # What each kind holds, read for all the types at once (not a query per type).
    oids = (list(found),)
    labels: dict[int, list[str]] = {}
    for oid, label in _all(conn, "SELECT enumtypid, enumlabel FROM pg_enum WHERE enumtypid = ANY(%s) ORDER BY enumtypid, enumsortorder", oids):
        labels.setdefault(oid, []).append(label)
    attributes: dict[int, list[str]] = {}
    for oid, att, type_ in _all(conn, """
            SELECT t.oid, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_type t ON t.typrelid = a.attrelid
            WHERE t.oid = ANY(%s) AND t.typtype = 'c' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY t.oid, a.attnum""", oids):
        attributes.setdefault(oid, []).append(f"{att} {type_}")
    subtypes = dict(_all(conn, "SELECT rngtypid, format_type(rngsubtype, NULL) FROM pg_range WHERE rngtypid = ANY(%s)", oids))
    checks: dict[int, list[str]] = {}
    for oid, con, definition in _all(conn, "SELECT contypid, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = ANY(%s)", oids):
        checks.setdefault(oid, []).append(f"{con}: {definition}")
    for oid, entry in found.items():
        kind = entry["kind"]
        if kind == "e":
            entry["labels"] = tuple(labels.get(oid, ()))
        elif kind == "c":
            entry["attributes"] = tuple(attributes.get(oid, ()))
        elif kind == "r":
            entry["subtype"] = subtypes[oid]
        elif kind == "d":
            entry["checks"] = tuple(sorted(checks.get(oid, ())))


def _functions(conn: psycopg.Connection, s: Snapshot) -> None:  # type: ignore[type-arg]
    s.objects["function"] = {
        f"{_q(name, ns)}({args})": {"definition": definition, "owner": owner, "comment": comment, "acl": acl}
        for ns, name, args, definition, owner, comment, acl in _all(conn, f"""
        SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
               CASE WHEN p.prokind IN ('a', 'w') THEN p.prokind::text ELSE pg_get_functiondef(p.oid) END,
               pg_get_userbyid(p.proowner), obj_description(p.oid, 'pg_proc'), {_set('p.proacl')}
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_proc'", oid="p.oid")}""")
    }


def _triggers_and_policies(conn: psycopg.Connection, s: Snapshot) -> None:  # type: ignore[type-arg]
    s.objects["trigger"] = {
        f"{_q(rel, ns)}.{name}": {"definition": definition, "enabled": enabled, "comment": comment}
        for ns, rel, name, definition, enabled, comment in _all(conn, f"""
        SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled, obj_description(t.oid, 'pg_trigger')
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NS} AND NOT t.tgisinternal""")
    }
    s.objects["policy"] = {
        f"{_q(p[1], p[0])}.{p[2]}": {"command": p[3], "permissive": p[4], "roles": p[5], "using": p[6], "check": p[7]}
        for p in _all(conn, f"""
        SELECT n.nspname, c.relname, pol.polname, pol.polcmd, pol.polpermissive,
               array_to_string(ARRAY(SELECT rolname FROM pg_roles WHERE oid = ANY(pol.polroles) ORDER BY 1), ','),
               pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid)
        FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NS}""")
    }


def _rows(conn: psycopg.Connection, s: Snapshot, tables: dict[int, str],  # type: ignore[type-arg]
          explicit: frozenset[tuple[str, str]]) -> None:
    """Rows per table, sorted, as text: its own (a parent's without its partitions' or children's,
    each read on its own); columns whose default is a clock or a random value are left out, unless
    a statement wrote them by name. The tables' reads go in one pipeline: a round
    trip each would be most of the time on a history of hundreds of small tables."""
    columns: dict[int, list[tuple[str, str | None]]] = {}
    relation: dict[int, sql.Identifier] = {}  # the table as SQL names it, whatever its name holds (a dot, a quote)
    if tables:
        for relid, ns, rel, name, default in _all(conn, """
            SELECT a.attrelid, n.nspname, c.relname, a.attname, pg_get_expr(ad.adbin, ad.adrelid) FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum""", (list(tables),)):
            columns.setdefault(relid, []).append((name, default))
            relation[relid] = sql.Identifier(ns, rel)
    reads: list[tuple[str, list[str], Any]] = []
    with conn.pipeline() as pipe:
        for relid, table in _synced(pipe, sorted(tables.items(), key=lambda kv: kv[1])):
            cols = []
            for name, default in columns.get(relid, ()):
                if default and any(f in default for f in _CLOCK_OR_RANDOM) and (table, name) not in explicit:
                    s.skipped.append(f"{table}.{name}: default {default} (clock or random)")
                    continue
                cols.append(name)
            if not cols:
                continue
            cols.sort()  # by name: the same rows compare equal whatever the column order
            query = sql.SQL("SELECT {} FROM ONLY {} ORDER BY {}").format(
                sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in cols), relation[relid],
                sql.SQL(", ").join(sql.SQL(str(i + 1)) for i in range(len(cols))))
            reads.append((table, cols, conn.execute(query)))
    for table, cols, cur in reads:
        rows = cur.fetchall()
        if rows:
            s.rows[table] = [tuple("NULL" if v is None else v for v in r) for r in rows]
            s.row_columns[table] = cols

