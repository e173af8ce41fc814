"""The example project: every situation of the hand-written plan is found, pointing at the statements."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.core.analysis import analyze


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return analyze(Path(__file__).resolve().parents[2])


def _line_of(root: Path, file: str, pattern: str) -> int:
    """The line of the first statement in `file` matching `pattern`: sources must point there."""
    for i, line in enumerate((root / file).read_text().splitlines(), 1):
        if re.search(pattern, line, re.I):
            return i
    raise AssertionError(f"{pattern!r} not in {file}")


def _find(result, kind: str, type_: str, name: str):  # type: ignore[no-untyped-def]
    found = [f for f in result.findings if f.kind == kind and f.object_type == type_ and f.object_name == name]
    assert found, f"no {kind} {type_} {name}"
    return found[0]


def _file(result, stem: str) -> str:  # type: ignore[no-untyped-def]
    return next(m.file for m in result.sources.migrations if stem in m.file)


def test_enum_dropped_with_its_column_and_four_indexes(result) -> None:  # type: ignore[no-untyped-def]
    root = Path(result.config.root)
    f = _find(result, "created_then_dropped", "type", "runtime_type_enum")
    create, drop = _file(result, "initial_setup"), _file(result, "unify_runtimes")
    assert [(s.file, s.line) for s in f.sources] == [
        (create, _line_of(root, create, r"CREATE TYPE runtime_type_enum")),
        (drop, _line_of(root, drop, r"DROP TYPE runtime_type_enum")),
    ]
    related = {n for t, n in f.related}
    assert "runtime.runtime_type" in related
    indexes = {n for t, n in f.related if t == "index"}
    assert len(indexes) == 4
    for name in indexes:
        _find(result, "created_then_dropped", "index", name)


def test_check_constraint_dropped_never_recreated(result) -> None:  # type: ignore[no-untyped-def]
    f = _find(result, "created_then_dropped", "constraint", "runtime.runtime_ref_format")
    assert f.sources[-1].file == _file(result, "unify_runtimes")
    assert not result.model.get("constraint", "runtime.runtime_ref_format").exists


def test_nine_columns_replaced_by_one_jsonb(result) -> None:  # type: ignore[no-untyped-def]
    dropped = [f for f in result.findings if f.kind == "created_then_dropped" and f.object_type == "column"
               and ("column", "trigger.webhook_config") in f.related]
    assert len(dropped) == 9
    assert len({f.sources[0].file for f in dropped}) == 2  # added over two files
    assert {f.sources[-1].file for f in dropped} == {_file(result, "consolidate_webhook_config")}


def test_rows_inserted_then_truncated(result) -> None:  # type: ignore[no-untyped-def]
    f = _find(result, "data_then_removed", "data", "runtime")
    inserts = [s for s in f.sources if "sensor_runtimes" in s.file]
    assert len(inserts) == 4
    assert f.sources[-1].file == _file(result, "unify_runtimes")
    assert not any(r.alive for r in result.model.get("data", "runtime").rows)


def test_table_replaced_by_jsonb_column(result) -> None:  # type: ignore[no-untyped-def]
    f = _find(result, "created_then_dropped", "table", "workflow_task_execution")
    assert ("column", "execution.workflow_task") in f.related


@pytest.mark.parametrize("column", ["execution.is_workflow", "execution.workflow_def", "action.is_adhoc", "sensor.is_adhoc",
                                    "rule.is_adhoc", "event.rule", "event.rule_ref", "worker.worker_role", "pack.installers"])
def test_columns_added_after_create(result, column: str) -> None:  # type: ignore[no-untyped-def]
    f = _find(result, "added_later", "column", column)
    assert len(f.sources) == 2 and f.sources[0].line < 10 or f.sources[0].file != f.sources[1].file


def test_new_enum_and_new_table_with_type(result) -> None:  # type: ignore[no-untyped-def]
    assert result.model.get("type", "worker_role_enum").exists
    assert result.model.get("type", "pack_environment_status_enum").attrs["labels"][0] == "pending"
    assert result.model.get("table", "pack_environment").exists


def test_notify_triggers_spread_over_four_files(result) -> None:  # type: ignore[no-untyped-def]
    spread = [f for f in result.findings if f.kind == "spread"]
    triggers = [f for f in spread if f.object_type == "trigger"]
    assert len(triggers) == 3
    files = {s.file for f in spread for s in f.sources}
    assert len(files) == 4


def test_function_family_rewritten_over_five_files(result) -> None:  # type: ignore[no-untyped-def]
    family = [f for f in result.findings if f.object_type == "function" and "webhook" in f.object_name
              and f.kind in ("redefined", "created_then_dropped")]
    files = {s.file for f in family for s in f.sources}
    assert len(files) == 5
    restored = _find(result, "redefined", "function", "enable_trigger_webhook(bigint, jsonb)")
    assert len(restored.sources) == 3  # created, dropped, restored


def test_real_world_extras(result) -> None:  # type: ignore[no-untyped-def]
    _find(result, "duplicate_version", "migration", "20260204000001")
    notice = [f for f in result.findings if f.kind == "no_effect" and "only raises notices" in f.action]
    assert notice
    assert result.model.get("type", "execution_status_enum").exists  # from the DO ... duplicate_object idiom
    assert "attune_readonly" in result.model.roles_used - result.model.roles_created
    assert result.model.get("comment", "table identity").attrs["text"]
    assert result.model.get("comment", "column identity.login").exists
    assert set(result.model.get("view", "action_overview").depends) >= {"table:action", "table:pack"}
    assert result.model.get("sequence", "identity_login_seq").exists
    assert "pg_trgm" in result.model.extensions
    _find(result, "altered_later", "column", "worker.hostname")


def test_dependency_map_orders_tables(result) -> None:  # type: ignore[no-untyped-def]
    order = result.graph.order
    assert order.index("table:pack") < order.index("table:runtime") < order.index("table:action")
    assert order.index("type:worker_role_enum") < order.index("table:worker")
    assert order.index("function:notify_event_created()") < order.index("trigger:event.event_created_notify")
    assert not result.graph.cycles
