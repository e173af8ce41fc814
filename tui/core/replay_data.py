"""Replay of the rows migrations leave in tables: INSERT, UPDATE, DELETE, TRUNCATE, COPY."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pglast import ast

from tui.core.model import CREATE, DELETE, INSERT, REPLACE, TRUNCATE, UPDATE, Obj, Row
from tui.core.names import sql, strings, walk

if TYPE_CHECKING:
    from tui.core.replay import Replayer

_NO_MATCH = object()
# The tables a function body writes: INSERT INTO and MERGE INTO add rows; UPDATE, DELETE FROM and
# TRUNCATE only change the rows there are.
_INSERTS = re.compile(r"\b(?:insert\s+into|merge\s+into)\s+(?:only\s+)?([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)")
_CHANGES = re.compile(r"\b(?:update|delete\s+from|truncate(?:\s+table)?)\s+(?:only\s+)?"
                      r"([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)")
_WORD = re.compile(r"[a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?")
# Aggregates return a row even over no rows.
_AGGREGATE = re.compile(r"\b(count|sum|min|max|avg|array_agg|string_agg|json_agg|jsonb_agg|json_object_agg|"
                        r"jsonb_object_agg|bool_and|bool_or|every|xmlagg|bit_and|bit_or)\s*\(", re.I)


class DataReplay:
    """Mixin of Replayer: the rows of each table, as far as constant SQL lets the model follow them."""

    def data(self: Replayer, t: Obj) -> Obj:
        d = self.obj("data", t.name, t.schema, parent=t.key)
        if not d.exists:
            d.exists, d.lives = True, d.lives + 1
            d.attrs.update(rows=[], uncertain="")
            self.truncations += 1  # a new (empty, known) life: triggers that fired must mark it anew
            self.link(d, [])
        return d

    def mark_data_uncertain(self: Replayer, t: Obj, reason: str) -> None:
        d = self.model.get("data", t.name)
        if d is not None and d.exists and any(r.alive for r in d.attrs["rows"]):
            d.attrs["uncertain"] = reason

    def forget_column_data(self: Replayer, t: Obj, column: str) -> None:
        d = self.model.get("data", t.name)
        if d is not None:
            for r in d.attrs.get("rows", []):
                r.values.pop(column, None)

    def _table(self: Replayer, rv: ast.RangeVar, verb: str) -> Obj | None:
        _, name, t = self.rel(rv, ("table", "view"))
        if t is None:
            self.warn(f"{verb} on {name}, which the history never created")
            self.unfollow(f"{verb} on a table unknown to the model")
        return t

    def on_InsertStmt(self: Replayer, node: ast.InsertStmt) -> None:
        t = self._table(node.relation, "INSERT")
        if t is None:
            return
        d = self.data(t)
        cols = [r.name for r in node.cols or ()] or list(t.attrs.get("columns", []))
        sel = node.selectStmt
        returning = getattr(node, "returningClause", None) or getattr(node, "returningList", None)
        if (node.withClause is None and sel is not None and not sel.valuesLists and not returning and self.stmt is not None
                and self.query_is_empty(sel, self.stmt.text)):
            self.no_effect(f"INSERT into {t.name} from a query over tables that hold no rows at this point")
            return
        if node.withClause is not None or sel is None or not sel.valuesLists or returning:
            d.attrs["uncertain"] = "rows inserted from a query"
            self.fire(t)
            e = self.event(d, INSERT, "rows from a query")
            self.unfollow("INSERT from a query: the rows depend on the data", [t.key] + self.relation_deps(sel))
            del e
            return
        e = self.event(d, INSERT, f"{len(sel.valuesLists)} row(s)")
        self.fire(t)
        rows: list[Row] = d.attrs["rows"]
        conflict = node.onConflictClause
        for values in sel.valuesLists:
            row = Row({c: sql(v) for c, v in zip(cols, values)}, e)
            if conflict is not None and self._conflicts(t, rows, row, conflict):
                continue
            rows.append(row)

    def _conflicts(self: Replayer, t: Obj, rows: list[Row], row: Row, conflict: ast.OnConflictClause) -> bool:
        """ON CONFLICT: does a live row share the conflict target's values (or any unique key's)?"""
        keys: list[list[str]] = []
        if conflict.infer is not None and conflict.infer.indexElems:
            keys.append([e.name for e in conflict.infer.indexElems if e.name])
        else:
            for c in self.model.objects.values():
                if c.type == "constraint" and c.parent == t.key and c.exists and c.attrs.get("contype") in ("p", "u"):
                    keys.append(c.attrs["columns"])
        for key in keys:
            if key and all(k in row.values for k in key):
                for r in rows:
                    if r.alive and all(_literal(r.values.get(k)) == _literal(row.values[k]) for k in key):
                        if conflict.action == 2 or getattr(conflict.action, "value", None) == 2:  # DO UPDATE
                            self.warn("INSERT ... ON CONFLICT DO UPDATE: the row is kept as first inserted")
                        return True
        return False

    def on_UpdateStmt(self: Replayer, node: ast.UpdateStmt) -> None:
        t = self._table(node.relation, "UPDATE")
        if t is None:
            return
        d = self.data(t)
        rows = [r for r in d.attrs["rows"] if r.alive]
        if not rows and self._nothing_to_change(t, d, node):
            self.no_effect(f"UPDATE of {t.name}, which holds no rows at this point")
            return
        self.fire(t, bool(rows) or not self.certainly_empty(t))
        matched = self._where(rows, node.whereClause) if not node.fromClause else None
        sets = {r.name: r.val for r in node.targetList or () if r.name and not r.indirection}
        constant = all(_is_constant(v) for v in sets.values()) and len(sets) == len(node.targetList or ())
        if matched is None or not constant:
            self.event(d, UPDATE, "rows changed by a condition the model cannot evaluate")
            if rows:
                d.attrs["uncertain"] = "UPDATE with a condition or value the model cannot evaluate"
            return
        for r in matched:
            r.values.update({k: sql(v) for k, v in sets.items()})
        self.event(d, UPDATE, f"{len(matched)} row(s)")

    def on_DeleteStmt(self: Replayer, node: ast.DeleteStmt) -> None:
        t = self._table(node.relation, "DELETE")
        if t is None:
            return
        d = self.data(t)
        rows = [r for r in d.attrs["rows"] if r.alive]
        if not rows and self._nothing_to_change(t, d, node):
            self.no_effect(f"DELETE from {t.name}, which holds no rows at this point")
            return
        self.fire_cascade(t, bool(rows) or not self.certainly_empty(t))
        matched = self._where(rows, node.whereClause) if not node.usingClause else None
        e = self.event(d, DELETE, "")
        if matched is None:
            e.detail = "rows matching a condition the model cannot evaluate"
            if rows:
                d.attrs["uncertain"] = "DELETE with a condition the model cannot evaluate"
            return
        for r in matched:
            r.alive, r.removed_by = False, e
        e.detail = f"{len(matched)} row(s)"

    def on_TruncateStmt(self: Replayer, node: ast.TruncateStmt) -> None:
        for rv in node.relations or ():
            t = self._table(rv, "TRUNCATE")
            if t is None:
                continue
            d = self.data(t)
            self.fire(t, rows_affected=False)
            self.truncations += 1  # a table may be known empty again: triggers must mark anew
            e = self.event(d, TRUNCATE, "all rows")
            for r in d.attrs["rows"]:
                if r.alive:
                    r.alive, r.removed_by = False, e
            d.attrs["uncertain"] = ""

    def on_CopyStmt(self: Replayer, node: ast.CopyStmt) -> None:
        keys = []
        if node.relation is not None:
            _, _, t = self.rel(node.relation)
            if t is not None and not node.is_from:
                self.no_effect("COPY TO only reads")
                return
            if t is not None:
                d = self.data(t)
                d.attrs["uncertain"] = "rows loaded by COPY"
                self.fire(t)
                keys.append(t.key)
        self.unfollow("COPY: rows come from outside the SQL", keys)

    def _nothing_to_change(self: Replayer, t: Obj, d: Obj, node: Any) -> bool:
        """True when an UPDATE or DELETE surely meets no row."""
        if self.stmt is None or self.stmt.parent is not None or not self.certainly_empty(t):
            return False
        if node.withClause is not None or getattr(node, "returningList", None) or getattr(node, "returningClause", None):
            return False
        for key in self.rdeps.get(t.key, ()):
            trig = self.model.objects.get(key)
            if trig is not None and trig.type == "trigger" and trig.exists and not getattr(trig.attrs.get("node"), "row", True):
                return False  # a statement-level trigger fires on no rows too
        return True

    def certainly_empty(self: Replayer, t: Obj) -> bool:
        """The model knows every row the table got, none is left, and nothing it cannot follow (a
        trigger's body, dynamic SQL, COPY) may have added one."""
        if t.type != "table" or self.blind:
            return False
        d = self.model.get("data", t.name)
        if d is not None and d.exists and (d.attrs.get("uncertain") or any(r.alive for r in d.attrs["rows"])):
            return False
        local = t.name.rsplit(".", 1)[-1].lower()
        return not any(t.key in u.objects or local in self.names_in(u.stmt) for u in self.model.unfollowable)

    def names_in(self: Replayer, st: Any) -> set[str]:
        """The identifiers of a statement's text (cached): `post` is not in `post_aggregates`."""
        words = self.names_cache.get(id(st))
        if words is None:
            words = {w.rsplit(".", 1)[-1] for w in _WORD.findall(st.text.lower())}
            self.names_cache[id(st)] = words
        return words

    def fire(self: Replayer, t: Obj, rows_affected: bool = True) -> None:
        """Rows of `t` changed (or a statement ran on it): whatever its triggers' functions, and the
        functions those call, may write is no longer known to hold only the rows the model has."""
        if not self.has_triggers:
            return
        for key in list(self.rdeps.get(t.key, ())):  # marking data links new objects to the tables
            trig = self.model.objects.get(key)
            if trig is None or trig.type != "trigger" or not trig.exists:
                continue
            if not rows_affected and getattr(trig.attrs.get("node"), "row", False):
                continue  # a row-level trigger fires only on rows
            # Through the dependency, which follows renames (the name in attrs is the one written).
            fn = next((f for k in trig.attrs.get("depends", ()) if (f := self.model.objects.get(k)) is not None
                       and f.type == "function"), None)
            made = fn.last(CREATE, REPLACE) if fn is not None else None
            stamp = (key, id(made), self.truncations)
            if stamp in self.fired:
                continue  # the same function fired since the last TRUNCATE: its tables are marked already
            words = self.function_words(fn)
            if fn is None or "execute" in words:
                self.blind = True  # it may write any table
            skipped = False
            for word in words:
                other = self.model.objects.get("table:" + word[1:])
                if other is None or not other.exists:
                    continue
                if word[0] == "~" and self.certainly_empty(other):
                    skipped = True  # an UPDATE or DELETE of a table with no row changes nothing
                    continue
                self.data(other).attrs["uncertain"] = "rows a trigger may have written"
            if not skipped:
                self.fired.add(stamp)

    def fire_mentioned(self: Replayer, text: str) -> None:
        """A statement the model cannot follow may write any table it names: their triggers may fire."""
        if not self.has_triggers:
            return
        for word in set(_WORD.findall(text.lower())):
            t = self.model.objects.get("table:" + word)
            if t is not None and t.exists:
                self.fire(t)

    def fire_cascade(self: Replayer, t: Obj, rows_affected: bool) -> None:
        """A DELETE fires the triggers of `t` and, through ON DELETE CASCADE or SET NULL, of the
        tables whose foreign keys point at it (when those may hold rows)."""
        self.fire(t, rows_affected)
        if not rows_affected or not self.has_triggers:
            return
        for c in list(self.fk_by_ref.get(t.name, ())):
            if c.exists and c.attrs.get("ref_table") == t.name:
                child = self.model.objects.get(c.parent)
                if child is not None and child is not t and not self.certainly_empty(child):
                    self.fire(child, True)

    def function_words(self: Replayer, fn: Obj | None) -> set[str]:
        """The tables a function's last definition and the functions it calls write, lower case:
        `+name` where it inserts, `~name` where it updates or deletes ("execute" for dynamic SQL)."""
        made_last = fn.last(CREATE, REPLACE) if fn is not None else None
        cache_key = id(made_last)
        if made_last is not None and cache_key in self.words_cache:
            return self.words_cache[cache_key]
        out: set[str] = set()
        todo = [fn] if fn is not None else []
        seen: set[str] = set()
        while todo:
            f = todo.pop()
            if f.key in seen:
                continue
            seen.add(f.key)
            made = f.last(CREATE, REPLACE)
            if made is None:
                continue
            text = made.stmt.text.lower()
            for sign, pattern in (("+", _INSERTS), ("~", _CHANGES)):
                written = set(pattern.findall(text))
                out |= {sign + w for w in written} | {sign + w.rsplit(".", 1)[-1] for w in written if "." in w}
            if "execute" in text:
                out.add("execute")
            for w in set(_WORD.findall(text)):
                todo.extend(self.functions_named(w.rsplit(".", 1)[-1]))
        if made_last is not None:
            self.words_cache[cache_key] = out  # a later CREATE OR REPLACE is a new event: a new entry
        return out

    def query_is_empty(self: Replayer, query: Any, text: str) -> bool:
        """True when a SELECT surely returns no row: every branch reads FROM tables that hold none,
        and nothing (an aggregate, a set-returning function, VALUES) makes a row out of nothing."""
        if not isinstance(query, ast.SelectStmt) or _AGGREGATE.search(text):
            return False
        for n in walk(query):
            if isinstance(n, ast.SelectStmt):
                if n.withClause is not None or n.valuesLists or n.groupClause or n.havingClause:
                    return False
                if getattr(n.op, "value", n.op) in (0, "SETOP_NONE") and not n.fromClause:
                    return False
            elif isinstance(n, (ast.RangeFunction, ast.RangeTableFunc)):
                return False
            elif isinstance(n, ast.RangeVar):
                _, _, t = self.rel(n)
                if t is None or not self.certainly_empty(t):
                    return False
        return True

    def _where(self: Replayer, rows: list[Row], where: Any) -> list[Row] | None:
        """Rows a simple WHERE selects (col = const, col IN (...), AND, OR); None when it cannot tell."""
        if where is None:
            return list(rows)
        out = []
        for r in rows:
            v = _eval(where, r.values)
            if v is _NO_MATCH:
                return None
            if v:
                out.append(r)
        return out


def _literal(text: str | None) -> str | None:
    """A constant's value with its cast and quotes removed, for comparing `'a'::text` with `'a'`."""
    if text is None:
        return None
    t = text.strip()
    while "::" in t and not t.endswith("'"):
        t = t.rsplit("::", 1)[0].strip()
    return t


def _is_constant(node: Any) -> bool:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return isinstance(node, ast.A_Const) or (isinstance(node, ast.FuncCall) and not node.args)


def _value(node: Any, values: dict[str, str]) -> Any:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.A_Const):
        return _literal(sql(node))
    if isinstance(node, ast.ColumnRef):
        name = strings(node.fields)[-1]
        return _literal(values[name]) if name in values else _NO_MATCH
    return _NO_MATCH


def _eval(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, ast.BoolExpr):
        results = [_eval(a, values) for a in node.args]
        if any(r is _NO_MATCH for r in results):
            return _NO_MATCH
        op = getattr(node.boolop, "value", node.boolop)
        return all(results) if op == 0 else any(results) if op == 1 else not results[0]
    if isinstance(node, ast.A_Expr):
        op = strings(node.name)
        left = _value(node.lexpr, values)
        if left is _NO_MATCH:
            return _NO_MATCH
        kind = getattr(node.kind, "name", "")
        if kind == "AEXPR_IN" and isinstance(node.rexpr, (list, tuple)):
            items = [_value(x, values) for x in node.rexpr]
            if any(i is _NO_MATCH for i in items):
                return _NO_MATCH
            return (left in items) == (op == ["="])
        right = _value(node.rexpr, values)
        if right is _NO_MATCH or kind != "AEXPR_OP":
            return _NO_MATCH
        if op == ["="]:
            return left == right
        if op in (["<>"], ["!="]):
            return left != right
        return _NO_MATCH
    if isinstance(node, ast.NullTest):
        v = _value(node.arg, values)
        if v is _NO_MATCH:
            return _NO_MATCH
        is_null = v is None or v == "NULL"
        return is_null if getattr(node.nulltesttype, "value", node.nulltesttype) == 0 else not is_null
    return _NO_MATCH
