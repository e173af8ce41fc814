"""CREATE TABLE (LIKE other ...): the copy takes the other table as it is then."""

from __future__ import annotations

from pglast import ast
from pglast.enums import TableLikeOption as LIKE

from tui.core.model import Obj
from tui.core.names import qualified
from tui.core.replay.engine import Engine
from tui.core.replay.state import local_name


def copy_columns(rp: Engine, t: Obj, like: ast.TableLikeClause) -> None:
    _, _, src = rp.rel(like.relation)
    t.attrs["opaque"] = True
    if src is None:
        rp.unfollow("CREATE TABLE (LIKE ...) of a table the model does not know", [t.key])
        return
    # The copy takes the table as it is then: nothing of it folds or moves across (fold_limits.copied_between).
    if rp.stmt is not None:
        src.attrs.setdefault("liked", []).append((rp.stmt.parent or rp.stmt).seq)
        rp.model.liked_at.setdefault((rp.stmt.parent or rp.stmt).seq, []).append(src)
    t.attrs.setdefault("like_of", []).append(src)
    _reads_what_it_copies(rp, src, like.options)
    for col in list(src.attrs.get("columns", [])):
        c = rp.model.get("column", f"{src.name}.{col}")
        if c is not None:
            copy = rp.create("column", f"{t.name}.{col}", t.schema, parent=t.key)
            if copy is not None:
                copy.attrs.update({k: v for k, v in c.attrs.items() if k in ("type", "not_null", "collation")})
                t.attrs["columns"].append(col)
    if like.options & LIKE.CREATE_TABLE_LIKE_INDEXES:
        _copied_index_names(rp, t, src)


def _reads_what_it_copies(rp: Engine, src: Obj, options: int) -> None:
    """The columns the copy takes, and the checks and indexes it is asked to: a CHECK added
    before it and dropped after stays in the copy, so it stays in the history too."""
    checks, indexes = options & LIKE.CREATE_TABLE_LIKE_CONSTRAINTS, options & LIKE.CREATE_TABLE_LIKE_INDEXES
    copied = [o for o in rp.dependents(src) if o.parent == src.key and o.exists and (
        o.type == "column" or checks and o.type == "constraint" and o.contype == "c"
        or indexes and (o.type == "index" or o.type == "constraint" and o.contype in ("p", "u", "x")))]
    rp.note_reads(copied)


def _copied_index_names(rp: Engine, t: Obj, src: Obj) -> None:
    """The indexes INCLUDING INDEXES copies, named as PostgreSQL names them after the copy
    (ChooseIndexName): names later choices step around, held while the copy lives."""
    taken = rp.relnames.setdefault(t.schema, set())
    for o in rp.dependents(src):
        if o.parent != src.key:
            continue
        cols = "_".join(o.attrs.get("columns", ())) or "expr"
        if o.type == "constraint" and o.contype in ("p", "u", "x"):
            name2, label = ("", "pkey") if o.contype == "p" else (cols, "key" if o.contype == "u" else "excl")
        elif o.type == "index":
            # An index (unique or not) is copied as an index; one a copy made of a key is a key again.
            label = o.attrs.get("copied_as") or "idx"
            name2 = "" if label == "pkey" else cols
        else:
            continue
        name = rp.choose_name(t.schema, local_name(t.name), name2, label, taken)
        taken.add(name)
        copy = rp.create("index", qualified(t.schema, name), t.schema, parent=t.key, detail=f"copied from {o.name}")
        if copy is not None:
            copy.attrs.update(columns=list(o.attrs.get("columns", ())), unique=label in ("pkey", "key") or bool(o.attrs.get("unique")),
                              copied_as="" if label == "idx" else label)
