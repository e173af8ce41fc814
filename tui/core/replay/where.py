"""Constant WHERE conditions evaluated over the rows the model knows (=, <>, IN, IS NULL, LIKE, ILIKE, AND, OR, NOT)."""

from __future__ import annotations

import re
from typing import Any

from pglast import ast

from tui.core.model import Row
from tui.core.names import sql, strings

NO_MATCH = object()  # a condition the model cannot evaluate


def matching_rows(rows: list[Row], where: Any) -> list[Row] | None:
    """Rows a simple WHERE selects (col = const, col IN (...), AND, OR); None when it cannot tell."""
    if where is None:
        return list(rows)
    out = []
    for r in rows:
        v = _eval(where, r.values)
        if v is NO_MATCH:
            return None
        if v:
            out.append(r)
    return out


def literal_value(text: str | None) -> str | None:
    """A constant's value with its cast and quotes removed, for comparing `'a'::text` with `'a'`."""
    if text is None:
        return None
    t = text.strip()
    while "::" in t and not t.endswith("'"):
        t = t.rsplit("::", 1)[0].strip()
    return t


def _unquoted(text: Any) -> str | None:
    """The value of a plain string literal ('it''s'); None for anything else."""
    if not isinstance(text, str) or len(text) < 2 or text[0] != "'" or text[-1] != "'":
        return None
    inner = text[1:-1]
    return None if "'" in inner.replace("''", "") else inner.replace("''", "'")


def _like(value: Any, pattern: Any, fold_case: bool, negated: bool) -> Any:
    """LIKE and ILIKE with the default escape character, for string literals."""
    if value is None or value == "NULL" or pattern is None or pattern == "NULL":
        return False  # NULL LIKE anything is not true: the row is not selected
    v, p = _unquoted(value), _unquoted(pattern)
    if v is None or p is None:
        return NO_MATCH
    rx, i = [], 0
    while i < len(p):
        ch = p[i]
        if ch == "\\" and i + 1 < len(p):
            rx.append(re.escape(p[i + 1]))
            i += 2
            continue
        rx.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    hit = re.fullmatch("".join(rx), v, re.S | (re.I if fold_case else 0)) is not None
    return hit != negated


def is_constant(node: Any) -> bool:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return isinstance(node, ast.A_Const) or (isinstance(node, ast.FuncCall) and not node.args)


def _value(node: Any, values: dict[str, str]) -> Any:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const):
        return literal_value(sql(node))
    if isinstance(node, ast.ColumnRef):
        name = strings(node.fields)[-1]
        return literal_value(values[name]) if name in values else NO_MATCH
    return NO_MATCH


def _eval(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, ast.BoolExpr):
        results = [_eval(a, values) for a in node.args]
        if any(r is NO_MATCH for r in results):
            return NO_MATCH
        op = getattr(node.boolop, "value", node.boolop)
        return all(results) if op == 0 else any(results) if op == 1 else not results[0]
    if isinstance(node, ast.A_Expr):
        op = strings(node.name)
        left = _value(node.lexpr, values)
        if left is NO_MATCH:
            return NO_MATCH
        kind = getattr(node.kind, "name", "")
        if kind == "AEXPR_IN" and isinstance(node.rexpr, (list, tuple)):
            items = [_value(x, values) for x in node.rexpr]
            if any(i is NO_MATCH for i in items):
                return NO_MATCH
            return (left in items) == (op == ["="])
        right = _value(node.rexpr, values)
        if right is NO_MATCH:
            return NO_MATCH
        if kind in ("AEXPR_LIKE", "AEXPR_ILIKE"):
            return _like(left, right, kind == "AEXPR_ILIKE", negated=op[0].startswith("!"))
        if kind != "AEXPR_OP":
            return NO_MATCH
        if op == ["="]:
            return left == right
        if op in (["<>"], ["!="]):
            return left != right
        return NO_MATCH
    if isinstance(node, ast.NullTest):
        v = _value(node.arg, values)
        if v is NO_MATCH:
            return NO_MATCH
        is_null = v is None or v == "NULL"
        return is_null if getattr(node.nulltesttype, "value", node.nulltesttype) == 0 else not is_null
    return NO_MATCH
