"""Statements about the session and blocks of code: SET, transaction control, DO blocks, SELECT."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import TransactionStmtKind, VariableSetKind

from tui.core.model import NOOP, SETVAL, Obj, Unfollowable
from tui.core.names import func_calls, sql
from tui.core.parse import Statement
from tui.core.replay.emptiness import query_is_empty
from tui.core.replay.engine import SEQUENCE_CALLS, SIDE_EFFECT_CALLS, Engine
from tui.core.replay.functions import called_in, table_from_query
from tui.core.replay.reads import relation_deps, sequence_args
from tui.core.settings import TRANSACTION_ENDS, setting_call


def set_variable(rp: Engine, node: ast.VariableSetStmt) -> None:
    if node.name in ("role", "session_authorization") and node.args:
        role = const_text(node.args[0])
        if role.lower() not in ("none", "default"):
            rp.model.roles_used.add(role)
            rp.model.roles_switched_to.add(role)
    if not follow_setting(rp, node):
        # Not offered as a statement to leave out: the plan keeps every SET where it stood (what
        # follows may run under it: a role owns what it makes, a timeout lets a migration pass).
        rp.no_effect(f"session setting {node.name or ''}".strip(), reported=False)
    elif node.name == "session_replication_role":
        rp.no_effect("sets whether triggers and foreign keys fire (the writes under it are watched)", reported=False)
    else:
        rp.no_effect("sets the search path (honoured while reading)", reported=False)


def follow_setting(rp: Engine, node: ast.VariableSetStmt) -> bool:
    """Note a setting the model reads under (search path, replication role); False for others."""
    reset_all = node.kind == VariableSetKind.VAR_RESET_ALL
    if node.name not in ("search_path", "session_replication_role") and not reset_all:
        return False
    # SET LOCAL lasts until its migration's transaction ends; a plain SET or RESET outlasts it.
    if node.is_local and rp.local_settings is None and rp.stmt is not None:
        rp.local_settings = (rp.stmt.migration, settings(rp))
    if node.name == "search_path" or reset_all:
        rp.search_path = [const_text(a) for a in node.args] if node.args and not reset_all else ["public"]
    if node.name == "session_replication_role" or reset_all:
        rp.replica = bool(node.args) and not reset_all and const_text(node.args[0]).lower() == "replica"
    if not node.is_local and rp.local_settings is not None:
        kept = rp.local_settings[1]
        now = settings(rp)
        rp.local_settings = (rp.local_settings[0], now if reset_all else {**kept, node.name: now[node.name]})
    return True


def settings(rp: Engine) -> dict[str, Any]:
    return {"search_path": rp.search_path, "session_replication_role": rp.replica}


def end_local_settings(rp: Engine) -> None:
    """The transaction of a SET LOCAL ended: the settings it changed are as before it."""
    assert rp.local_settings is not None
    kept = rp.local_settings[1]
    rp.search_path, rp.replica = kept["search_path"], kept["session_replication_role"]
    rp.local_settings = None


def transaction(rp: Engine, node: ast.TransactionStmt) -> None:
    if rp.local_settings is not None and node.kind in TRANSACTION_ENDS:
        end_local_settings(rp)
    if node.kind == TransactionStmtKind.TRANS_STMT_ROLLBACK_TO:
        _undone_since(rp, node.savepoint_name or "")
        return
    rp.no_effect("transaction control: it changes no object (the new set's files run in transactions of their own)")


def _undone_since(rp: Engine, savepoint: str) -> None:
    """ROLLBACK TO SAVEPOINT undoes what its transaction did since the savepoint, which the model
    does not follow (it counted the rows written there): neither it nor its SAVEPOINT is without
    effect, and the plan writes what lies between them as it stands (plan's session units)."""
    assert rp.stmt is not None
    effects = rp.model.no_effect
    for i in range(len(effects) - 1, -1, -1):
        st = effects[i].stmt
        if st.migration != rp.stmt.migration:
            break
        if (isinstance(st.node, ast.TransactionStmt) and st.node.kind == TransactionStmtKind.TRANS_STMT_SAVEPOINT
                and st.node.savepoint_name == savepoint):
            del effects[i]
            break
    rp.unfollow(f"ROLLBACK TO SAVEPOINT {savepoint}: what ran since the savepoint is undone")


def undone(rp: Engine, st: Statement, rollback: Statement) -> None:
    """A statement a later ROLLBACK TO SAVEPOINT undoes: it leaves nothing the model follows (what
    PostgreSQL saw it do was undone too), and the plan writes it where it stands."""
    rp.stmt, rp.guarded = st, False
    rp.add_unfollowable(Unfollowable(st, f"undone by the ROLLBACK TO SAVEPOINT at {rollback.file}:{rollback.line}", [], False))


def maintenance(rp: Engine, node: ast.VacuumStmt | ast.LockStmt) -> None:
    """VACUUM and ANALYZE change only the planner's statistics and the free space; a LOCK holds off
    other sessions until its transaction ends: none changes what the database holds."""
    rp.no_effect("changes only statistics and free space" if isinstance(node, ast.VacuumStmt)
                 else "a lock for the rest of its transaction")


def set_constraints(rp: Engine, node: ast.ConstraintsSetStmt) -> None:
    """SET CONSTRAINTS name IMMEDIATE (Django writes one after each foreign key it adds or before
    each it drops) only makes its transaction check the keys at once: the database it leaves is
    the same, and the new set ends its files where checks would still be pending (plan.deferred).
    DEFERRED lets the writes after it break a key until COMMIT, and ALL reaches constraint
    triggers too: those are kept where they stand."""
    found = [_named_constraints(rp, r) for r in node.constraints or ()]
    if node.deferred or not all(found) or not found and _deferred_triggers(rp):
        rp.unfollow("SET CONSTRAINTS " + ("DEFERRED" if node.deferred else "ALL, with deferred constraint triggers" if not found
                                          else "of a constraint the model does not know"))
        return
    names = [o for group in found for o in group]
    for o in names:
        rp.event(o, NOOP, "checked at once in its transaction")
    rp.no_effect("changes only when its transaction checks " + (", ".join(o.name for o in names) or "its deferred keys"))


def _deferred_triggers(rp: Engine) -> bool:
    """Is there a constraint trigger whose firing SET CONSTRAINTS ALL IMMEDIATE would move (what
    it writes, it would write earlier)?"""
    return rp.has_triggers and any(o.type == "trigger" and o.exists and getattr(o.node, "deferrable", False)
                                   for o in rp.model.objects.values())


def _named_constraints(rp: Engine, r: ast.RangeVar) -> list[Obj]:
    """The constraints SET CONSTRAINTS finds by a name: those of that name in its schema, or in
    the first schema of the search path that has one (a name is unique per table, not per schema)."""
    objects = rp.model.objects
    found = [o for t in rp.keys.of_table if (o := objects.get(f"constraint:{t[6:]}.{r.relname}")) is not None
             and o.exists and o.contype in ("f", "u", "x", "p")]
    if r.schemaname:
        return [o for o in found if o.schema == r.schemaname]
    for schema in rp.search_path:
        if mine := [o for o in found if o.schema == schema]:
            return mine
    return []


def do_block(rp: Engine, node: ast.DoStmt) -> None:
    st = rp.stmt
    assert st is not None
    if st.do_kind in ("notice", "empty"):
        rp.no_effect("DO block that only raises notices" if st.do_kind == "notice" else "empty DO block")
        return
    if st.do_kind == "logic":
        if st.loop_queries and all(_loop_over_nothing(rp, q) for q in st.loop_queries):
            rp.no_effect("DO block that only loops over rows of tables that hold none at this point")
            return
        rp.unfollow("DO block with logic (conditions, loops, dynamic SQL)")
        rp.note_reads(called_in(rp, st.text))
        return
    for inner in st.inner:
        rp.apply(inner)
    rp.stmt = st
    rp.guarded = False


def _loop_over_nothing(rp: Engine, query: str) -> bool:
    from tui.core.parse import parse_sql

    try:
        nodes = parse_sql(query)
    except Exception:  # noqa: BLE001 - a query pglast cannot read is one we cannot judge
        return False
    return len(nodes) == 1 and query_is_empty(rp, nodes[0].stmt)


# Built-in functions that change nothing lasting, as a migration's SELECT calls them.
_PURE_CALLS = frozenset({
    "now", "count", "max", "min", "sum", "avg", "coalesce", "nullif", "greatest", "least", "lower", "upper",
    "length", "char_length", "octet_length", "concat", "concat_ws", "format", "substring", "substr", "replace",
    "trim", "btrim", "ltrim", "rtrim", "left", "right", "lpad", "rpad", "to_char", "to_date", "to_timestamp",
    "to_number", "date_trunc", "date_part", "extract", "age", "make_date", "make_interval", "current_setting",
    "current_database", "current_schema", "current_schemas", "current_user", "session_user", "version", "pg_typeof",
    "pg_backend_pid", "txid_current", "gen_random_uuid", "random", "md5", "array_agg", "string_agg", "json_agg",
    "jsonb_agg", "json_build_object", "jsonb_build_object", "row_to_json", "to_json", "to_jsonb", "array_length",
    "array_to_string", "string_to_array", "unnest", "generate_series", "pg_sleep", "currval", "lastval",
    "pg_get_serial_sequence", "has_table_privilege", "has_schema_privilege", "pg_table_is_visible",
    "pg_relation_size", "pg_total_relation_size", "pg_size_pretty", "quote_ident", "quote_literal", "quote_nullable",
    "regexp_replace", "regexp_matches", "split_part", "position", "strpos", "abs", "round", "floor", "ceil",
    "ceiling", "mod", "power", "sqrt", "clock_timestamp", "statement_timestamp", "transaction_timestamp",
    "timeofday", "pg_is_in_recovery", "obj_description", "col_description", "format_type", "pg_get_functiondef",
    "pg_get_viewdef", "pg_get_indexdef", "pg_get_constraintdef", "to_regclass", "to_regtype", "exists", "bool_and",
    "bool_or", "every",
    # json and jsonb
    "jsonb_set", "jsonb_set_lax", "jsonb_insert", "json_build_array", "jsonb_build_array", "json_object", "jsonb_object",
    "json_extract_path", "json_extract_path_text", "jsonb_extract_path", "jsonb_extract_path_text", "json_array_elements",
    "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text", "json_array_length", "jsonb_array_length",
    "json_each", "jsonb_each", "json_each_text", "jsonb_each_text", "json_object_keys", "jsonb_object_keys", "json_typeof",
    "jsonb_typeof", "json_strip_nulls", "jsonb_strip_nulls", "jsonb_pretty", "json_object_agg", "jsonb_object_agg",
    "jsonb_path_query", "jsonb_path_query_first", "jsonb_path_exists", "json_populate_record", "jsonb_populate_record",
    "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset",
    # arrays, strings, numbers, time, windows
    "array_append", "array_prepend", "array_cat", "array_remove", "array_replace", "array_position", "array_positions",
    "cardinality", "array_dims", "array_upper", "array_lower", "array_fill", "initcap", "repeat", "reverse", "translate",
    "encode", "decode", "chr", "ascii", "starts_with", "regexp_match", "regexp_split_to_array", "regexp_split_to_table",
    "to_hex", "sha256", "sha512", "trunc", "sign", "exp", "ln", "log", "div", "width_bucket", "make_timestamp",
    "make_timestamptz", "timezone", "justify_days", "justify_hours", "justify_interval", "isfinite", "row_number", "rank",
    "dense_rank", "lag", "lead", "first_value", "last_value", "uuid_generate_v4",
})


def select(rp: Engine, node: ast.SelectStmt) -> None:
    if node.intoClause is not None:  # SELECT ... INTO t: CREATE TABLE t AS SELECT ...
        table_from_query(rp, node.intoClause, what="SELECT INTO")
        return
    if (setting := setting_call(node)) is not None and not rp.functions_named("set_config"):
        follow_setting(rp, setting)  # and watched, as any set_config() is
    written = func_calls(node)
    calls = [c.split(".")[-1] for c in written]
    known = {c for c in written if rp.functions_called(c)}
    user = [c.split(".")[-1] for c in written if c in known]
    # A function neither the history's nor a built-in known to change nothing: an extension's
    # (create_hypertable(), cron.schedule()) may make tables or rows.
    foreign = {local for c in written if (local := c.split(".")[-1]) not in _PURE_CALLS and local not in SEQUENCE_CALLS
               and not c.startswith("pg_catalog.") and c not in known}
    if user or foreign or any(c in SIDE_EFFECT_CALLS for c in calls):
        called = sorted(set(user) | (set(calls) & SIDE_EFFECT_CALLS) | foreign)
        rp.unfollow(f"SELECT calling {', '.join(called)}()" + (" (not defined by the history: an extension's?)" if foreign else ""),
                    relation_deps(rp, node))
    elif any(c in SEQUENCE_CALLS for c in calls):
        seqs = [seq for name in sequence_args(node) if (seq := rp.find(name, ("sequence",))) is not None]
        if len(seqs) < sum(c in SEQUENCE_CALLS for c in calls):
            # setval(pg_get_serial_sequence('t', 'id'), max(id)) after ids were copied into a rebuilt
            # table: the model cannot tell which sequence, so not which later rows draw from it.
            rp.unfollow("sets a sequence the model cannot name", relation_deps(rp, node))
            return
        for seq in seqs:
            rp.event(seq, SETVAL, "current value set")
        rp.no_effect("sets a sequence's current value (shown, not compared)")
    else:
        rp.no_effect("SELECT without side effects")


def const_text(node: Any) -> str:
    if isinstance(node, ast.A_Const):
        v = node.val
        return str(getattr(v, "sval", None) or getattr(v, "ival", ""))
    return sql(node)
