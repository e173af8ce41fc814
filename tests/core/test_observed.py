"""The model follows what PostgreSQL saw a statement do (the observations the proof records): the
replay itself is pure, so these give it observations by hand; tests/pg/test_proof.py records real
ones (families `do_block_changes_nothing`, `object_made_by_dynamic_sql`)."""

from __future__ import annotations

from pathlib import Path

from tui.core.analysis import analyze
from tui.core.observed import Ddl, Observed, to_observe, unseen_effects

_LOGIC = "DO $$ BEGIN IF EXISTS (SELECT 1 FROM a WHERE flag) THEN UPDATE a SET n = 1 WHERE flag; END IF; END $$;\n"


def _project(root: Path, files: dict[str, str]) -> Path:
    (root / "migrations").mkdir(parents=True)
    for name, text in files.items():
        (root / "migrations" / name).write_text(text)
    return root


def _seq(root: Path, start: str) -> int:
    return next(s.seq for s in analyze(root).parsed.statements if s.text.startswith(start))


def test_a_block_seen_changing_nothing_has_no_effect(tmp_path: Path) -> None:
    root = _project(tmp_path, {"0001_a.sql": "CREATE TABLE a (id int, n int, flag boolean);\n" + _LOGIC})
    plain = analyze(root)
    seq = _seq(root, "DO")
    assert to_observe(plain.model) == {seq}
    seen = analyze(root, observations={seq: Observed(seq, rows={})})
    assert not seen.model.unfollowable
    assert any(f.kind == "no_effect" and seq in f.seqs for f in seen.findings)
    # Rows it could not count (outside a transaction) tell nothing: it stays unfollowable.
    assert analyze(root, observations={seq: Observed(seq, rows=None)}).model.unfollowable


def test_a_block_seen_writing_rows_writes_only_those_tables(tmp_path: Path) -> None:
    root = _project(tmp_path, {"0001_a.sql": "CREATE TABLE a (id int, n int, flag boolean);\nCREATE TABLE b (id int);\n"
                               + _LOGIC.replace("UPDATE a SET n = 1 WHERE flag;", "UPDATE a SET n = 1 WHERE flag; DELETE FROM b;")})
    seq = _seq(root, "DO")
    assert not analyze(root).model.unfollowable[0].contained
    seen = analyze(root, observations={seq: Observed(seq, rows={"public.a": (0, 2, 0), "public.b": (0, 0, 0)})})
    [u] = seen.model.unfollowable
    assert u.contained and u.objects == ["table:a"]


def test_an_object_seen_made_by_dynamic_sql_is_there_for_later_statements(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "0001_a.sql": "CREATE TABLE t (id int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
                      "DO $$ BEGIN EXECUTE 'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()'; END $$;\n",
        "0002_b.sql": "DROP TRIGGER IF EXISTS tr ON t;\n",
    })
    seq = _seq(root, "DO")
    plain = analyze(root)
    assert any(f.kind == "no_effect" for f in plain.findings), "unobserved, the DROP seems to drop nothing"
    made = Ddl("CREATE TRIGGER", "trigger", "tr on public.t",
               definition="CREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f()")
    seen = analyze(root, observations={seq: Observed(seq, ddl=[made], rows={})})
    assert not any(f.kind == "no_effect" for f in seen.findings), "the DROP drops the trigger the block made"
    trig = seen.model.get("trigger", "t.tr")
    assert trig is not None and not trig.exists and [e.stmt.seq for e in trig.events][0] == seq


def test_what_no_trigger_or_row_count_sees_is_never_taken_for_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path, {"0001_a.sql": "CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
                               "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app') THEN CREATE ROLE app; END IF; END $$;\n"
                               "SELECT mk();\n"})
    a = analyze(root)
    assert unseen_effects("SELECT mk()", a.model)
    assert unseen_effects("DO $$ BEGIN TRUNCATE t; END $$", a.model)
    assert not unseen_effects("DO $$ BEGIN IF EXISTS (SELECT 1 FROM t) THEN UPDATE t SET x = 1; END IF; END $$", a.model)
    seq = _seq(root, "SELECT mk")
    assert analyze(root, observations={seq: Observed(seq, rows={})}).model.unfollowable
