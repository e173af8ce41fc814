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
_AGGREGATE = re.compile(r"(count|sum|min|max|avg|array_agg|string_agg|json_agg|jsonb_agg|json_object_agg|"
                        r"jsonb_object_agg|bool_and|bool_or|every|xmlagg|bit_and|bit_or|stddev|variance|percentile_cont|percentile_disc|mode)\(", re.I)


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
                and self.query_is_empty(sel)):
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
        everything = node.whereClause is None and not node.usingClause
        if matched is None:
            e.detail = "rows matching a condition the model cannot evaluate"
            if rows:
                d.attrs["uncertain"] = "DELETE with a condition the model cannot evaluate"
        else:
            for r in matched:
                r.alive, r.removed_by = False, e
            e.detail = f"{len(matched)} row(s)"
        if matched or matched is None or everything:
            self.cascade(t, everything or self.certainly_empty(t), set())

    def referencing(self: Replayer, t: Obj) -> list[tuple[Obj, Obj]]:
        """(foreign key, its table) for every live foreign key of another table that points at `t`;
        found through dependencies, which follow renames."""
        out = []
        for key in list(self.rdeps.get(t.key, ())):
            c = self.model.objects.get(key)
            if (c is not None and c.type == "constraint" and c.attrs.get("contype") == "f" and c.exists
                    and t.key in c.attrs.get("depends", ()) and c.parent != t.key):
                child = self.model.objects.get(c.parent)
                if child is not None:
                    out.append((c, child))
        return out

    def cascade(self: Replayer, t: Obj, emptied: bool, seen: set[str]) -> None:
        """Rows of `t` were deleted: ON DELETE CASCADE, SET NULL and SET DEFAULT reach the rows of
        the tables whose foreign keys point at it. When `t` is left with no row the model knows
        which rows those are (every row whose key is set); otherwise it no longer knows their rows."""
        seen.add(t.key)
        for c, child in self.referencing(t):
            action = getattr(c.attrs.get("node"), "fk_del_action", "a")
            cd = self.model.get("data", child.name)
            live = [r for r in cd.attrs["rows"] if r.alive] if cd is not None and cd.exists else []
            if action not in ("c", "n", "d") or not live:
                continue
            keyed = [_key_set(child, r, c.attrs.get("columns", []), self) for r in live]
            if not any(k is None or k for k in keyed):
                continue  # every row's key is NULL: no row of t is theirs
            if not emptied or action == "d" or None in keyed:
                cd.attrs["uncertain"] = f"rows an ON DELETE action from {t.name} may have changed"  # type: ignore[union-attr]
                if child.key not in seen:
                    self.cascade(child, False, seen)
                continue
            hit = [r for r, k in zip(live, keyed) if k]
            if action == "c":
                e = self.event(cd, DELETE, f"{len(hit)} row(s) by ON DELETE CASCADE from {t.name}")  # type: ignore[arg-type]
                for r in hit:
                    r.alive, r.removed_by = False, e
                if child.key not in seen:
                    self.cascade(child, self.certainly_empty(child), seen)
            else:
                self.event(cd, UPDATE, f"{len(hit)} row(s) by ON DELETE SET NULL from {t.name}")  # type: ignore[arg-type]
                for r in hit:
                    r.values.update({k: "NULL" for k in c.attrs.get("columns", [])})

    def on_TruncateStmt(self: Replayer, node: ast.TruncateStmt) -> None:
        for rv in node.relations or ():
            t = self._table(rv, "TRUNCATE")
            if t is None:
                continue
            d = self.data(t)
            self.fire(t, rows_affected=False)
            self.truncations += 1  # a table may be known empty again: triggers must mark anew
            self._truncate(d, "all rows")
            if getattr(node.behavior, "name", "") == "DROP_CASCADE":
                self._truncate_referencing(t, {t.key})

    def _truncate(self: Replayer, d: Obj, detail: str) -> None:
        e = self.event(d, TRUNCATE, detail)
        for r in d.attrs["rows"]:
            if r.alive:
                r.alive, r.removed_by = False, e
        d.attrs["uncertain"] = ""

    def _truncate_referencing(self: Replayer, t: Obj, seen: set[str]) -> None:
        """TRUNCATE ... CASCADE empties every table whose foreign keys point at a truncated one."""
        for _, child in self.referencing(t):
            if child.key in seen:
                continue
            seen.add(child.key)
            self.fire(child, rows_affected=False)
            self._truncate(self.data(child), f"all rows, by TRUNCATE ... CASCADE of {t.name}")
            self._truncate_referencing(child, seen)

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
        return not any(t.key in u.objects or (not u.contained and local in self.names_in(u.stmt)) for u in self.model.unfollowable)

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

    def query_is_empty(self: Replayer, query: Any) -> bool:
        """True when a SELECT surely returns no row: it reads FROM a table that holds none (through
        joins that keep no row of their own), and nothing (an aggregate without GROUP BY, VALUES, a
        row-making function) makes a row out of nothing."""
        return self._no_rows(query, {})

    def _no_rows(self: Replayer, q: Any, ctes: dict[str, bool]) -> bool:
        if not isinstance(q, ast.SelectStmt):
            return False
        if q.withClause is not None:
            if q.withClause.recursive:
                return False
            ctes = dict(ctes)
            for cte in q.withClause.ctes or ():
                if not isinstance(cte.ctequery, ast.SelectStmt):
                    return False  # a data-modifying CTE runs whatever the result
                ctes[cte.ctename] = self._no_rows(cte.ctequery, ctes)
        op = getattr(q.op, "name", str(q.op))
        if op == "SETOP_UNION":
            return self._no_rows(q.larg, ctes) and self._no_rows(q.rarg, ctes)
        if op == "SETOP_INTERSECT":
            return self._no_rows(q.larg, ctes) or self._no_rows(q.rarg, ctes)
        if op == "SETOP_EXCEPT":
            return self._no_rows(q.larg, ctes)
        if q.valuesLists or not q.fromClause:
            return False
        if any(isinstance(g, ast.GroupingSet) for g in q.groupClause or ()):
            return False  # GROUP BY () and its kin make a row over no rows
        if not q.groupClause and (q.havingClause is not None or self._aggregates(q.targetList)):
            return False  # one row over no rows
        return any(self._from_empty(f, ctes) for f in q.fromClause)

    def _from_empty(self: Replayer, f: Any, ctes: dict[str, bool]) -> bool:
        if isinstance(f, ast.RangeVar):
            if not f.schemaname and f.relname in ctes:
                return ctes[f.relname]
            _, _, t = self.rel(f)
            return t is not None and self.certainly_empty(t)
        if isinstance(f, ast.RangeSubselect):
            return not f.lateral and self._no_rows(f.subquery, ctes)
        if isinstance(f, ast.JoinExpr):
            kind = getattr(f.jointype, "name", str(f.jointype))
            left, right = self._from_empty(f.larg, ctes), self._from_empty(f.rarg, ctes)
            return {"JOIN_INNER": left or right, "JOIN_LEFT": left, "JOIN_RIGHT": right}.get(kind, left and right)
        return False  # a function in FROM makes rows of its own

    def _aggregates(self: Replayer, targets: Any) -> bool:
        """Does the select list call an aggregate of its own (not inside a subquery)?"""
        return any(isinstance(n, ast.FuncCall) and n.over is None and (
                       n.agg_star or n.agg_distinct or n.agg_order or n.agg_filter is not None
                       or _AGGREGATE.fullmatch(strings(n.funcname)[-1] + "(") or self.user_aggregates)
                   for n in walk(targets or (), skip=ast.SubLink))

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
        return _NO_MATCH
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


def _key_set(child: Obj, r: Row, columns: list[str], rp: Any) -> bool | None:
    """Is every column of a foreign key set in this row? None when the model cannot tell."""
    for col in columns:
        v = r.values.get(col)
        if v is None:
            o = rp.model.get("column", f"{child.name}.{col}")
            if o is None or o.attrs.get("default") is not None:
                return None  # a default the model does not evaluate
            return False
        if _literal(v).upper() == "NULL":
            return False
    return bool(columns)


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
        if right is _NO_MATCH:
            return _NO_MATCH
        if kind in ("AEXPR_LIKE", "AEXPR_ILIKE"):
            return _like(left, right, kind == "AEXPR_ILIKE", negated=op[0].startswith("!"))
        if kind != "AEXPR_OP":
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
