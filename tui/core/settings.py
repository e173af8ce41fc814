"""Settings a SET LOCAL holds for the rest of its transaction, what ends one (or part of one: a
ROLLBACK TO SAVEPOINT), and `SELECT set_config('search_path', ..., is_local)` read as the SET it
is (pg_dump writes one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pglast import ast
from pglast.enums import TransactionStmtKind, VariableSetKind

# The settings that decide where objects are made, who owns them, whether triggers fire or whether
# a function body is checked (a timeout decides nothing kept): a SET LOCAL of one holds the rest of
# its transaction together (see plan), and a set_config() call is read for them.
MAKERS = frozenset({"search_path", "role", "session_authorization", "default_tablespace", "session_replication_role",
                    "check_function_bodies"})

# What ends a transaction, and with it what SET LOCAL set.
TRANSACTION_ENDS = (TransactionStmtKind.TRANS_STMT_COMMIT, TransactionStmtKind.TRANS_STMT_ROLLBACK)


def rolled_back(statements: Sequence[Any]) -> list[tuple[int, int]]:
    """(first, last): where in `statements` (parse.Statement) a SAVEPOINT stands and the ROLLBACK
    TO it in the same file, which undoes what ran between them."""
    spans: list[tuple[int, int]] = []
    saved: dict[tuple[int, str], int] = {}  # (migration, savepoint) -> where it was set
    for i, st in enumerate(statements):
        node = st.node
        if isinstance(node, ast.TransactionStmt) and node.savepoint_name:
            if node.kind == TransactionStmtKind.TRANS_STMT_SAVEPOINT:
                saved[(st.migration, node.savepoint_name)] = i
            elif node.kind == TransactionStmtKind.TRANS_STMT_ROLLBACK_TO and (at := saved.get((st.migration, node.savepoint_name))) is not None:
                spans.append((at, i))
    return spans


def setting_call(node: Any) -> ast.VariableSetStmt | None:
    """The SET a `SELECT [pg_catalog.]set_config('name', 'value', true|false)` makes, with nothing
    else selected (no FROM, one target, constant arguments); None for any other statement."""
    if not isinstance(node, ast.SelectStmt) or node.fromClause or node.intoClause or len(node.targetList or ()) != 1:
        return None
    call = node.targetList[0].val
    if not isinstance(call, ast.FuncCall) or len(call.args or ()) != 3:
        return None
    if [n.sval for n in call.funcname] not in (["set_config"], ["pg_catalog", "set_config"]):
        return None
    name, value, local = call.args
    texts = [a.val.sval if isinstance(a, ast.A_Const) and isinstance(a.val, ast.String) else None for a in (name, value)]
    if texts[0] is None or texts[1] is None or texts[0].lower() not in MAKERS:
        return None
    if not (isinstance(local, ast.A_Const) and isinstance(local.val, ast.Boolean)):
        return None
    setting = texts[0].lower()
    # The value is the whole list as one string: 'app, "$user", public'.
    parts = [p.strip().strip('"') for p in texts[1].split(",")] if setting == "search_path" else [texts[1]]
    args = tuple(ast.A_Const(val=ast.String(sval=p)) for p in parts)
    return ast.VariableSetStmt(kind=VariableSetKind.VAR_SET_VALUE, name=setting, args=args, is_local=local.val.boolval)
