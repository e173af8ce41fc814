"""The catalog kinds beyond tables, columns and code: collations, text search, operators, casts,
extended statistics, publications, rules, event triggers, foreign servers and user mappings,
default privileges and database settings.

Each is read as plain comparable text, keyed by a name a person can find, and left out where it
belongs to an extension (the extension is compared by name and version) or to PostgreSQL itself.
"""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg

# The user's schemas, within the project's `schemas` / `exclude_schemas` (set on the session by
# `scope`: empty settings leave every schema in).
_USER_NS = ("n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
            " AND (coalesce(current_setting('consolidate.schemas', true), '') = ''"
            " OR n.nspname = ANY (string_to_array(current_setting('consolidate.schemas', true), ',')))"
            " AND NOT n.nspname = ANY (string_to_array(coalesce(current_setting('consolidate.exclude_schemas', true), ''), ','))")
_NOT_EXT = "NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = {cls}::regclass AND dep.objid = {oid} AND dep.deptype = 'e')"
_FIRST_USER_OID = 16384  # PostgreSQL's own objects have lower oids


def scope(conn: psycopg.Connection, schemas: tuple[str, ...], exclude: tuple[str, ...]) -> None:  # type: ignore[type-arg]
    """Read only these schemas (all when empty), none of `exclude`, on this session."""
    conn.execute("SELECT set_config('consolidate.schemas', %s, false), set_config('consolidate.exclude_schemas', %s, false)",
                  (",".join(schemas), ",".join(exclude)))


def _all(conn: psycopg.Connection, sql: str) -> list[tuple[Any, ...]]:  # type: ignore[type-arg]
    return conn.execute(sql).fetchall()  # type: ignore[arg-type]


def _q(name: str, schema: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def read_more(conn: psycopg.Connection, objects: dict[str, dict[str, Any]]) -> None:  # type: ignore[type-arg]
    """Add the kinds of this module to a snapshot's objects."""
    objects["collation"] = {_q(name, ns): {"definition": d, "owner": owner, "comment": comment} for ns, name, d, owner, comment in _all(conn, f"""
        SELECT n.nspname, c.collname, (to_jsonb(c) - 'oid' - 'collnamespace' - 'collowner' - 'collversion')::text,
               pg_get_userbyid(c.collowner), obj_description(c.oid, 'pg_collation')
        FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_collation'", oid="c.oid")}""")}
    objects["text_search_config"] = {_q(name, ns): {"parser": parser, "mappings": maps, "comment": comment}
                                     for ns, name, parser, maps, comment in _all(conn, f"""
        SELECT n.nspname, cfg.cfgname, prs.prsname,
               (SELECT string_agg(m.maptokentype || '=' || d.dictname, ',' ORDER BY m.maptokentype, m.mapseqno)
                  FROM pg_ts_config_map m JOIN pg_ts_dict d ON d.oid = m.mapdict WHERE m.mapcfg = cfg.oid),
               obj_description(cfg.oid, 'pg_ts_config')
        FROM pg_ts_config cfg JOIN pg_namespace n ON n.oid = cfg.cfgnamespace JOIN pg_ts_parser prs ON prs.oid = cfg.cfgparser
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_ts_config'", oid="cfg.oid")}""")}
    objects["text_search_dictionary"] = {_q(name, ns): {"template": tmpl, "options": opts, "comment": comment}
                                         for ns, name, tmpl, opts, comment in _all(conn, f"""
        SELECT n.nspname, d.dictname, t.tmplname, d.dictinitoption, obj_description(d.oid, 'pg_ts_dict')
        FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace JOIN pg_ts_template t ON t.oid = d.dicttemplate
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_ts_dict'", oid="d.oid")}""")}
    objects["operator"] = {f"{_q(name, ns)}({left},{right})": {"function": fn, "result": res, "commutator": com, "negator": neg,
                                                              "restrict": rest, "join": join, "hashes": h, "merges": m}
                           for ns, name, left, right, fn, res, com, neg, rest, join, h, m in _all(conn, f"""
        SELECT n.nspname, o.oprname, format_type(o.oprleft, NULL), format_type(o.oprright, NULL), o.oprcode::regprocedure::text,
               format_type(o.oprresult, NULL), NULLIF(o.oprcom, 0)::regoperator::text, NULLIF(o.oprnegate, 0)::regoperator::text,
               o.oprrest::text, o.oprjoin::text, o.oprcanhash, o.oprcanmerge
        FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_operator'", oid="o.oid")}""")}
    objects["operator_class"] = {f"{_q(name, ns)} USING {am}": {"type": type_, "family": family, "default": default, "members": members}
                                 for ns, name, am, type_, family, default, members in _all(conn, f"""
        SELECT n.nspname, c.opcname, am.amname, format_type(c.opcintype, NULL), f.opfname, c.opcdefault,
               concat_ws(' ',
                 (SELECT string_agg('op' || ao.amopstrategy || '=' || ao.amopopr::regoperator::text, ' ' ORDER BY ao.amopstrategy)
                    FROM pg_amop ao WHERE ao.amopfamily = c.opcfamily AND ao.amoplefttype = c.opcintype),
                 (SELECT string_agg('fn' || ap.amprocnum || '=' || ap.amproc::regprocedure::text, ' ' ORDER BY ap.amprocnum)
                    FROM pg_amproc ap WHERE ap.amprocfamily = c.opcfamily AND ap.amproclefttype = c.opcintype))
        FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod
        JOIN pg_opfamily f ON f.oid = c.opcfamily
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_opclass'", oid="c.oid")}""")}
    objects["operator_family"] = {f"{_q(name, ns)} USING {am}": {"owner": owner} for ns, name, am, owner in _all(conn, f"""
        SELECT n.nspname, f.opfname, am.amname, pg_get_userbyid(f.opfowner)
        FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_opfamily'", oid="f.oid")}""")}
    objects["cast"] = {f"{src} AS {dst}": {"function": fn, "context": ctx, "method": method} for src, dst, fn, ctx, method in _all(conn, f"""
        SELECT format_type(c.castsource, NULL), format_type(c.casttarget, NULL), NULLIF(c.castfunc, 0)::regprocedure::text,
               c.castcontext, c.castmethod
        FROM pg_cast c WHERE c.oid >= {_FIRST_USER_OID} AND {_NOT_EXT.format(cls="'pg_cast'", oid="c.oid")}""")}
    objects["statistics"] = {_q(name, ns): {"definition": d, "target": str(target), "comment": comment}
                             for ns, name, d, target, comment in _all(conn, f"""
        SELECT n.nspname, s.stxname, pg_get_statisticsobjdef(s.oid), s.stxstattarget, obj_description(s.oid, 'pg_statistic_ext')
        FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
        WHERE {_USER_NS} AND {_NOT_EXT.format(cls="'pg_statistic_ext'", oid="s.oid")}""")}
    objects["publication"] = {name: {"all_tables": alltables, "actions": actions, "via_root": via_root, "tables": tables}
                              for name, alltables, actions, via_root, tables in _all(conn, """
        SELECT p.pubname, p.puballtables,
               concat_ws(',', CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
                         CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END),
               p.pubviaroot,
               (SELECT string_agg(t.schemaname || '.' || t.tablename, ',' ORDER BY t.schemaname, t.tablename) FROM pg_publication_tables t
                 WHERE t.pubname = p.pubname)
        FROM pg_publication p""")}
    objects["rule"] = {f"{_q(table, ns)}.{name}": {"definition": d} for ns, table, name, d in _all(conn, """
        SELECT schemaname, tablename, rulename, definition FROM pg_rules
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema')""")}
    objects["event_trigger"] = {name: {"event": event, "function": fn, "tags": tags, "enabled": enabled, "owner": owner, "comment": comment}
                                for name, event, fn, tags, enabled, owner, comment in _all(conn, f"""
        SELECT e.evtname, e.evtevent, e.evtfoid::regprocedure::text, array_to_string(e.evttags, ', '), e.evtenabled,
               pg_get_userbyid(e.evtowner), obj_description(e.oid, 'pg_event_trigger')
        FROM pg_event_trigger e WHERE {_NOT_EXT.format(cls="'pg_event_trigger'", oid="e.oid")}
          AND e.evtname NOT IN ('consolidate_observe_ddl', 'consolidate_observe_drop')""")}  # (the proof's own: see observe)
    objects["foreign_data_wrapper"] = {name: {"handler": h, "validator": v, "options": _options(opts), "owner": owner}
                                       for name, h, v, opts, owner in _all(conn, f"""
        SELECT w.fdwname, NULLIF(w.fdwhandler, 0)::regproc::text, NULLIF(w.fdwvalidator, 0)::regproc::text, w.fdwoptions,
               pg_get_userbyid(w.fdwowner)
        FROM pg_foreign_data_wrapper w WHERE {_NOT_EXT.format(cls="'pg_foreign_data_wrapper'", oid="w.oid")}""")}
    objects["server"] = {name: {"wrapper": fdw, "type": type_, "version": version, "options": _options(opts), "owner": owner,
                                "comment": comment}
                         for name, fdw, type_, version, opts, owner, comment in _all(conn, f"""
        SELECT s.srvname, w.fdwname, s.srvtype, s.srvversion, s.srvoptions, pg_get_userbyid(s.srvowner),
               obj_description(s.oid, 'pg_foreign_server')
        FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
        WHERE {_NOT_EXT.format(cls="'pg_foreign_server'", oid="s.oid")}""")}
    # (The view, not pg_user_mapping: that catalog is a superuser's to read, and --database-url may not be one.)
    objects["user_mapping"] = {f"{user} on {server}": {"options": _options(opts)} for user, server, opts in _all(conn, """
        SELECT CASE WHEN m.umuser = 0 THEN 'PUBLIC' ELSE m.usename END, m.srvname, m.umoptions FROM pg_user_mappings m""")}
    objects["default_privilege"] = {f"{role} in {schema or 'every schema'} on {kind}": {"acl": acl}
                                    for role, schema, kind, acl in _all(conn, """
        SELECT pg_get_userbyid(d.defaclrole), n.nspname,
               CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                    WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE d.defaclobjtype::text END,
               coalesce(array_to_string(ARRAY(SELECT x::text FROM unnest(d.defaclacl) x ORDER BY 1), ','), '')
        FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace""")}
    objects["database_setting"] = {f"for {role or 'every role'}": {"settings": settings} for role, settings in _all(conn, """
        SELECT CASE WHEN s.setrole <> 0 THEN pg_get_userbyid(s.setrole) END, array_to_string(ARRAY(SELECT x FROM unnest(s.setconfig) x ORDER BY 1), ',')
        FROM pg_db_role_setting s WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())""")}


_SECRET = ("pass", "secret", "token", "key")  # option names whose values are never shown


def _options(options: list[str] | None) -> str:
    """A server's or a user mapping's options, sorted, a password's value as a digest: two
    different ones still differ, and the report never shows one."""
    out = []
    for option in sorted(options or ()):
        name, _, value = option.partition("=")
        if any(word in name.lower() for word in _SECRET):
            value = "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:12]
        out.append(f"{name}={value}")
    return ", ".join(out)
