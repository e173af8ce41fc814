"""Replay the history's statements into a schema model, recording every object's timeline.

Each statement kind has a handler, a plain function in the module of its concern, dispatched by
the statement's node type. What the model cannot follow (dynamic SQL, COPY, DO blocks with
logic, statements it does not know) is recorded as unfollowable: the generator keeps it verbatim
where it stood.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pglast import ast

from tui.core.errors import ERROR, Diagnostic
from tui.core.model import Model
from tui.core.observed import Observed
from tui.core.parse import Statement
from tui.core.replay import access, ddl, drops, functions, indexes, moves, observed, rows, run_later, session, tables, triggers, written_through
from tui.core.replay.engine import Engine
from tui.core.replay.reads import reads, row_checks
from tui.core.settings import rolled_back

Handler = Callable[[Engine, Any], None]

HANDLERS: dict[type, Handler] = {
    ast.VariableSetStmt: session.set_variable,
    ast.TransactionStmt: session.transaction,
    ast.DoStmt: session.do_block,
    ast.SelectStmt: session.select,
    ast.ConstraintsSetStmt: session.set_constraints,
    ast.VacuumStmt: session.maintenance,
    ast.LockStmt: session.maintenance,
    ast.CreateSchemaStmt: ddl.create_schema,
    ast.CreateExtensionStmt: ddl.create_extension,
    ast.AlterExtensionStmt: ddl.alter_extension,
    ast.CreateRoleStmt: ddl.create_role,
    ast.GrantRoleStmt: ddl.grant_role,
    ast.AlterRoleStmt: ddl.alter_role,
    ast.AlterRoleSetStmt: ddl.alter_role,
    ast.ReassignOwnedStmt: ddl.owned_by,
    ast.DropOwnedStmt: ddl.owned_by,
    ast.CreateEnumStmt: ddl.create_enum,
    ast.AlterEnumStmt: ddl.alter_enum,
    ast.CompositeTypeStmt: ddl.create_composite_type,
    ast.CreateRangeStmt: ddl.create_range,
    ast.CreateDomainStmt: ddl.create_domain,
    ast.AlterDomainStmt: ddl.alter_domain,
    ast.DefineStmt: ddl.define,
    ast.CreateFunctionStmt: functions.create_function,
    ast.AlterFunctionStmt: functions.alter_function,
    ast.CreateTrigStmt: functions.create_trigger,
    ast.ViewStmt: functions.create_view,
    ast.CreateTableAsStmt: functions.create_table_as,
    ast.RefreshMatViewStmt: functions.refresh_matview,
    ast.CommentStmt: access.comment,
    ast.GrantStmt: access.grant,
    ast.AlterDefaultPrivilegesStmt: access.default_privileges,
    ast.AlterOwnerStmt: access.alter_owner,
    ast.CreatePolicyStmt: access.create_policy,
    ast.AlterPolicyStmt: access.alter_policy,
    ast.DropStmt: drops.drop_objects,
    ast.RenameStmt: drops.rename_object,
    ast.AlterObjectSchemaStmt: moves.move_object,
    ast.CreateStmt: tables.create_table,
    ast.AlterTableStmt: tables.alter_table,
    ast.IndexStmt: indexes.create_index,
    ast.CreateSeqStmt: indexes.create_sequence,
    ast.AlterSeqStmt: indexes.alter_sequence,
    ast.InsertStmt: rows.insert,
    ast.UpdateStmt: rows.update,
    ast.DeleteStmt: rows.delete,
    ast.TruncateStmt: rows.truncate,
    ast.CopyStmt: rows.copy,
}


# Under session_replication_role = replica no trigger and no foreign key fires: such writes are watched.
_ROW_WRITES = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.TruncateStmt, ast.CopyStmt, ast.MergeStmt)
# What runs the functions it calls (and, in them, the functions they call).
# (Building an index, a column's default or a check over the rows there are runs them too.)
_RUNS_CALLS = (ast.SelectStmt, ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.CallStmt, ast.MergeStmt,
               ast.CreateTableAsStmt, ast.RefreshMatViewStmt, ast.IndexStmt, ast.AlterTableStmt)
# What may check or copy the rows a table holds then (see Model.checks).
_ROW_CHECKING = (ast.IndexStmt, ast.AlterTableStmt, ast.CreateTableAsStmt, ast.RefreshMatViewStmt)


class Replayer(Engine):
    """Builds a Model from statements, in order."""

    __slots__ = ()

    def run(self, statements: Iterable[Statement], fresh_path_at: frozenset[int] = frozenset()) -> Model:
        """`fresh_path_at`: the migrations before which the tool sets the search path back to
        what it was when the first one started (Flyway)."""
        notes = self.model.no_effect
        first_path, at = list(self.search_path), -1
        statements = statements if isinstance(statements, list) else list(statements)
        undone = {st.seq: statements[last] for first, last in rolled_back(statements) for st in statements[first + 1:last]}
        for st in statements:
            if undone and st.seq in undone:
                session.undone(self, st, undone[st.seq])
                continue
            if self.local_settings is not None and st.migration != self.local_settings[0]:
                session.end_local_settings(self)  # the SET LOCAL's transaction ended with its file
            if st.migration != at:
                at = st.migration
                if at in fresh_path_at:
                    self.search_path = list(first_path)
            self.touched_now = touched = []
            noted = len(notes)
            try:
                self.apply(st)
            except Exception as exc:  # noqa: BLE001 - a bug in one handler must not lose the analysis
                self.stmt = st
                self.diagnostics.append(Diagnostic(st.file, st.line, ERROR, f"internal error following this statement ({type(exc).__name__}: {exc}); kept as written"))
                self.unfollow("the model failed on this statement")
            if len(notes) > noted:
                # Kept only where a part of the statement changed nothing: whether the rest did is
                # asked of these objects (by reference: a later rename changes their keys).
                self.model.touched[st.seq] = touched
        return self.model

    def apply(self, st: Statement) -> None:
        self.stmt = st
        self.guarded = st.guarded
        if self.track_reads:
            # Objects, not keys: a rename later changes the key, not what the statement needs.
            # A tuple, and none where it reads nothing: a set for each statement was 14 MB of 50,000 statements, these 3.
            objects = self.model.objects
            found = dict.fromkeys(o for k in reads(self, st.node, st.namers) if (o := objects.get(k)) is not None)
            if isinstance(st.node, _RUNS_CALLS) and (found or self.run_opaquely):
                ran = run_later.ran(self, st.node) if self.run_opaquely else []
                found.update(dict.fromkeys([*ran, *functions.callees(self, [*found, *ran])]))
            if isinstance(st.node, run_later.MAKERS):
                run_later.note(self, st)
            if found:
                had = self.model.reads.get(st.seq, ())
                self.model.reads[st.seq] = tuple(dict.fromkeys((*had, *found))) if had else tuple(found)
            if isinstance(st.node, _ROW_CHECKING) and (checked := row_checks(self, st.node)):
                self.model.checks.setdefault((st.parent or st).seq, []).extend(checked)
        if isinstance(st.node, ast.RuleStmt):
            written_through.note_rule(self, st.node)
        handler = HANDLERS.get(type(st.node))
        if self.replica and isinstance(st.node, _ROW_WRITES):
            self.unfollow("writes rows under session_replication_role = replica: no trigger or foreign key fires")
            return
        if handler is None:
            self.unfollow(f"{type(st.node).__name__.replace('Stmt', '')} is not modelled")
            return
        handler(self, st.node)

    def fire_mentioned(self, text: str) -> None:
        triggers.fire_mentioned(self, text)

    def follow_observed(self, obs: Observed, reason: str, objects: list[str]) -> bool:
        return observed.follow(self, obs, reason, objects)
