"""Comments in the model: on a view's columns, and followed through renames."""

from __future__ import annotations

from pathlib import Path

from tui.core.analysis import analyze


def _history(root: Path, sql: str) -> Path:
    (root / "migrations").mkdir(parents=True)
    (root / "migrations" / "20240101000001_a.sql").write_text(sql)
    return root


def test_a_comment_follows_its_view_through_a_rename(tmp_path: Path) -> None:
    # The comment's name is `view v`: a rename of `v` to `v2` once made it `v2iew v`, and the
    # next comment on v2 a second, unrelated object.
    a = analyze(_history(tmp_path, "CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT id FROM t;\n"
                                   "COMMENT ON VIEW v IS 'a';\nALTER VIEW v RENAME TO v2;\nCOMMENT ON VIEW v2 IS 'b';\n"))
    comments = [o for o in a.model.objects.values() if o.type == "comment"]
    assert [(o.name, len(o.events)) for o in comments] == [("view v2", 2)]


def test_a_comment_on_a_view_column_is_the_views_and_no_warning(tmp_path: Path) -> None:
    a = analyze(_history(tmp_path, "CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT id FROM t;\n"
                                   "COMMENT ON COLUMN v.id IS 'the id';\nALTER VIEW v RENAME TO w;\n"))
    comments = [(o.name, o.parent) for o in a.model.objects.values() if o.type == "comment"]
    assert comments == [("column w.id", "view:w")]
    assert not a.model.unfollowable
    assert not [d for d in a.diagnostics if "does not know" in d.message]


def test_the_comments_on_a_renamed_tables_columns_are_renamed_with_it(tmp_path: Path) -> None:
    # Each column's comment is renamed with its column, and a comment made later on a new table
    # of the old name is that table's, not the renamed one's. (In the same order whatever the
    # hash seed: test_generate_writes_the_same_bytes_whatever_the_hash_seed.)
    columns = [f"c{i}" for i in range(30)]
    comments = "".join(f"COMMENT ON COLUMN t.{c} IS '{c}';\n" for c in columns)
    a = analyze(_history(tmp_path, f"CREATE TABLE t ({', '.join(c + ' int' for c in columns)});\n{comments}"
                                   f"ALTER TABLE t RENAME TO t_old;\nCREATE TABLE t ({', '.join(c + ' int' for c in columns)});\n{comments}"))
    found = sorted((o.name, len(o.events)) for o in a.model.objects.values() if o.type == "comment")
    assert found == sorted([(f"column t_old.{c}", 1) for c in columns] + [(f"column t.{c}", 1) for c in columns])
