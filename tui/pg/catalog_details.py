"""What the catalog says of tables, indexes, aggregates and publications beyond their own rows:
a table's parents (INHERITS, PARTITION OF, ATTACH and DETACH, NO INHERIT) and its partition
bound, a foreign table's server and options, a partition index's parent, an aggregate's
functions and state, a publication's column lists and row filters.

Without them two databases whose tables hang under different parents, or whose aggregates add
up differently, compared equal: their columns, rows and names were the same.
"""

from __future__ import annotations

from typing import Any

import psycopg

from tui.pg.catalog_more import _NOT_EXT, _USER_NS, _all, _q


def add_details(conn: psycopg.Connection, objects: dict[str, dict[str, Any]]) -> None:
    """Fill the details into the snapshot's tables, indexes, functions and publications."""
    tables, indexes = objects.get("table", {}), objects.get("index", {})
    for ns, name, kind, parents, bound in _all(conn, f"""
        SELECT n.nspname, c.relname, c.relkind,
               (SELECT string_agg(CASE WHEN pn.nspname = 'public' THEN p.relname ELSE pn.nspname || '.' || p.relname END, ', '
                                  ORDER BY i.inhseqno)
                  FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                 WHERE i.inhrelid = c.oid),
               CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NS} AND c.relkind IN ('r', 'p', 'f', 'i', 'I') AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)"""):
        entry = (indexes if kind in ("i", "I") else tables).get(_q(name, ns))
        if entry is not None:
            entry["parents"] = parents
            if bound is not None:
                entry["bound"] = bound
    for ns, name, server, options in _all(conn, f"""
        SELECT n.nspname, c.relname, s.srvname, array_to_string(ARRAY(SELECT x FROM unnest(f.ftoptions) x ORDER BY 1), ', ')
        FROM pg_foreign_table f JOIN pg_class c ON c.oid = f.ftrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_foreign_server s ON s.oid = f.ftserver
        WHERE {_USER_NS}"""):
        if (entry := tables.get(_q(name, ns))) is not None:
            entry["server"], entry["foreign_options"] = server, options
    functions = objects.get("function", {})
    for ns, name, args, definition in _all(conn, f"""
        SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
               concat_ws(' ', 'aggregate', 'kind=' || a.aggkind::text, 'sfunc=' || a.aggtransfn::regprocedure::text,
                         'stype=' || format_type(a.aggtranstype, NULL), 'initcond=' || a.agginitval,
                         'finalfunc=' || NULLIF(a.aggfinalfn, 0)::regprocedure::text, 'finalextra=' || a.aggfinalextra::text,
                         'combinefunc=' || NULLIF(a.aggcombinefn, 0)::regprocedure::text,
                         'msfunc=' || NULLIF(a.aggmtransfn, 0)::regprocedure::text,
                         'minvfunc=' || NULLIF(a.aggminvtransfn, 0)::regprocedure::text,
                         'mstype=' || NULLIF(a.aggmtranstype, 0)::regtype::text, 'minitcond=' || a.aggminitval,
                         'sortop=' || NULLIF(a.aggsortop, 0)::regoperator::text, 'parallel=' || p.proparallel::text,
                         'strict=' || p.proisstrict::text)
        FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_proc'", oid="p.oid")}"""):
        if (entry := functions.get(f"{_q(name, ns)}({args})")) is not None:
            entry["definition"] = definition
    publications = objects.get("publication", {})
    if conn.info.server_version >= 150000 and publications:  # (column lists, row filters and schemas came in 15)
        for pub, table, columns, condition in _all(conn, """
            SELECT p.pubname, CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END,
                   (SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) FROM pg_attribute a
                     WHERE a.attrelid = r.prrelid AND a.attnum = ANY (r.prattrs::int2[])),
                   pg_get_expr(r.prqual, r.prrelid)
            FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid
            JOIN pg_class c ON c.oid = r.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE r.prattrs IS NOT NULL OR r.prqual IS NOT NULL ORDER BY 1, 2"""):
            if (entry := publications.get(pub)) is not None:
                said = f"{table}" + (f" ({columns})" if columns else "") + (f" WHERE {condition}" if condition else "")
                entry["columns_and_filters"] = ", ".join(x for x in (entry.get("columns_and_filters"), said) if x)
        for pub, schemas in _all(conn, """
            SELECT p.pubname, string_agg(n.nspname, ', ' ORDER BY n.nspname)
            FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid JOIN pg_namespace n ON n.oid = pn.pnnspid
            GROUP BY p.pubname"""):
            if (entry := publications.get(pub)) is not None:
                entry["schemas"] = schemas
