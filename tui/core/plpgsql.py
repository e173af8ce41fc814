"""Reading PL/pgSQL trees (pglast's `parse_plpgsql`) of DO blocks: is a block plain SQL, SQL guarded
against what is already there, notices only, or logic the model cannot follow; and the queries
of a block that only loops over rows."""

from __future__ import annotations

import re
from typing import Any

# Conditions whose handler makes a statement "create it unless it is there" (or "drop it if there").
GUARD_CONDITIONS = frozenset(
    {
        "duplicate_object",
        "duplicate_table",
        "duplicate_column",
        "duplicate_function",
        "duplicate_schema",
        "duplicate_alias",
        "undefined_object",
        "undefined_table",
        "undefined_column",
        "undefined_function",
        "others",
    }
)
# What ALTER TYPE ... RENAME VALUE raises where the label is not there (renamed before): a guard
# of such renames only; around another statement it may mean anything.
_LABEL_GONE = "invalid_parameter_value"
_RENAME_VALUE = re.compile(r"^\s*ALTER\s+TYPE\s+.*\bRENAME\s+VALUE\b", re.IGNORECASE | re.DOTALL)
_ERROR_LEVEL = 21  # elog level of RAISE EXCEPTION; lower levels only print


def loop_queries(fn: dict[str, Any]) -> list[str]:
    """The queries of a block that does nothing but loop over their rows (a data migration):
    over no rows it does nothing. Empty when the block does anything else, a declaration's
    default included."""
    block = fn["action"]["PLpgSQL_stmt_block"]
    if block.get("exceptions"):
        return []
    for datum in fn.get("datums", []):
        (_, value), = datum.items()
        if value.get("default_val"):
            return []
    out = []
    for child in block.get("body", []):
        (kind, value), = child.items()
        if kind == "PLpgSQL_stmt_fors" and "query" in value:
            out.append(value["query"]["PLpgSQL_expr"]["query"])
        elif not (kind == "PLpgSQL_stmt_return" or (kind == "PLpgSQL_stmt_raise" and value.get("elog_level", _ERROR_LEVEL) < _ERROR_LEVEL)):
            return []
    return out


class DoWalker:
    """Reads a PL/pgSQL tree and says whether it is plain SQL, guarded SQL, only notices, or logic."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, int, bool]] = []
        self.notices = 0
        self.logic = False
        self.guarded = False
        self.label_guard = False

    def classify(self) -> str:
        if self.logic or self.label_guard and not all(_RENAME_VALUE.match(q) for q, _, _ in self.statements):
            return "logic"
        if not self.statements:
            return "notice" if self.notices else "empty"
        return "guarded" if self.guarded else "static"

    def walk(self, node: dict[str, Any], guarded: bool) -> None:
        (kind, value), = node.items()
        if kind == "PLpgSQL_stmt_block":
            handlers = (value.get("exceptions") or {}).get("PLpgSQL_exception_block", {}).get("exc_list", [])
            inner_guard = guarded
            if handlers:
                names = set()
                for h in handlers:
                    exc = h["PLpgSQL_exception"]
                    names.update(c["PLpgSQL_condition"]["condname"] for c in exc.get("conditions", []))
                    if any(not _is_null_action(a) for a in exc.get("action", [])):
                        self.logic = True
                if names <= GUARD_CONDITIONS | {_LABEL_GONE}:
                    inner_guard = True
                    self.guarded = True
                    self.label_guard = self.label_guard or _LABEL_GONE in names
                else:
                    self.logic = True
            for child in value.get("body", []):
                self.walk(child, inner_guard)
        elif kind == "PLpgSQL_stmt_execsql":
            query = value["sqlstmt"]["PLpgSQL_expr"]["query"]
            if value.get("into"):
                self.logic = True
            self.statements.append((query, value.get("lineno", 1), guarded))
        elif kind == "PLpgSQL_stmt_raise":
            if value.get("elog_level", _ERROR_LEVEL) >= _ERROR_LEVEL:
                self.logic = True
            self.notices += 1
        elif kind == "PLpgSQL_stmt_return":
            return
        elif kind == "PLpgSQL_stmt_if" and _is_existence_test(value):
            self.guarded = True
            for child in value.get("then_body", []):
                self.walk(child, True)
        else:
            self.logic = True


def _is_null_action(action: dict[str, Any]) -> bool:
    (kind, value), = action.items()
    if kind == "PLpgSQL_stmt_raise":
        return bool(value.get("elog_level", _ERROR_LEVEL) < _ERROR_LEVEL)
    if kind == "PLpgSQL_stmt_execsql":
        return False
    return kind in {"PLpgSQL_stmt_return"} or (kind == "PLpgSQL_stmt_assign")


_EXISTS_TEST = re.compile(r"^\s*(NOT\s+)?EXISTS\s*\(\s*SELECT\b.*\bFROM\s+(pg_catalog\.)?(pg_\w+|information_schema\.\w+)", re.I | re.S)


def _is_existence_test(value: dict[str, Any]) -> bool:
    """`IF NOT EXISTS (SELECT ... FROM pg_type ...) THEN CREATE ...`: a catalog test with no ELSE."""
    if value.get("elsif_list") or value.get("else_body"):
        return False
    cond = value.get("cond", {}).get("PLpgSQL_expr", {}).get("query", "")
    return bool(_EXISTS_TEST.match(cond))
