"""A statement the model cannot read, followed by what PostgreSQL saw it do (tui/core/observed.py).

Nothing seen changed: it has no effect. Only rows seen written: it writes those tables alone, and
every other table it names stays known. Objects seen created or dropped: their definitions, as
the catalog wrote them, are replayed as if the statement held them, so later statements find
them (a DROP TRIGGER IF EXISTS of a trigger made by dynamic SQL drops something). It is still
kept where it stood, as written.
"""

from __future__ import annotations

from pglast.parser import ParseError

from tui.core.model import Unfollowable
from tui.core.names import qualified
from tui.core.observed import Ddl, Observed, unseen_effects
from tui.core.parse import Statement, parse_sql
from tui.core.replay.engine import Engine
from tui.core.replay.reads import defaults_taken

# What a drop PostgreSQL reports becomes, by the kind of object: the statement that drops it.
_DROP = {"table": "DROP TABLE {}", "view": "DROP VIEW {}", "materialized view": "DROP MATERIALIZED VIEW {}",
         "index": "DROP INDEX {}", "sequence": "DROP SEQUENCE {}", "function": "DROP FUNCTION {}",
         "procedure": "DROP PROCEDURE {}", "type": "DROP TYPE {}", "schema": "DROP SCHEMA {}"}


# The model makes these itself from the statement (CREATE TABLE AS names its table).
_MADE_BY_MODEL = ("CREATE TABLE AS", "SELECT INTO", "CREATE MATERIALIZED VIEW")


def follow(rp: Engine, obs: Observed, reason: str, objects: list[str]) -> bool:
    """Record the statement from what was observed; False when the observation tells nothing new."""
    st = rp.stmt
    assert st is not None
    if obs.quiet and not unseen_effects(st.text, rp.model):
        rp.no_effect(f"{reason}; when PostgreSQL ran the history it changed nothing")
        return True
    made = [(d, _statement(st, d)) for d in obs.ddl if d.tag not in _MADE_BY_MODEL]
    inner = [s for _, s in made if s is not None]
    unreplayed = [d for d, s in made if s is None and (d.original or not d.dropped)]
    if unreplayed:
        # A change the catalog gives no definition of (ALTER TABLE by dynamic SQL): the model
        # misses it, so what it does see of the statement never folds away without it, and nothing
        # of a table it changed folds past it (plan/folding).
        rp.model.partly_seen.add(st.seq)
        objects += [t.key for d in unreplayed if d.object_type == "table" and (t := _table(rp, d.identity)) is not None]
    for s in inner:
        rp.apply(s)
    rp.stmt, rp.guarded = st, False
    if inner and not unreplayed and obs.rows is not None and not obs.written and not obs.changed_state \
            and not unseen_effects(st.text, rp.model):
        # All it did is replayed (diesel's `SELECT diesel_manage_updated_at('users')`: a trigger made
        # by dynamic SQL, as the catalog writes it) and it wrote no row: kept as written, it holds
        # back what needs or changes what it made, not every later fold into the tables it names.
        rp.add_unfollowable(Unfollowable(st, f"{reason} (PostgreSQL saw it make what the model replays, and write no row)",
                                         [], contained=True, replayed=True))
        return True
    if not obs.ddl and obs.rows is not None and not obs.changed_state and not unseen_effects(st.text, rp.model):
        written = [t.key for name in obs.written if (t := _table(rp, name)) is not None]
        if len(written) == len(obs.written):
            rp.add_unfollowable(Unfollowable(st, f"{reason} (PostgreSQL saw it write rows of {len(written)} table(s))",
                                             written, contained=True))
            for key in written:
                rp.event(rp.model.objects[key], "opaque", reason)
            # Its rows took the defaults of the columns it left out as they were then (a domain's,
            # a sequence's): an ALTER DOMAIN ... SET DEFAULT later stays after it.
            rp.note_reads(defaults_taken(rp, [rp.model.objects[key] for key in written]))
            # And it needs the tables and views it names to be there, the ones it left alone too:
            # PostgreSQL looks a name up where the statement's code reaches it (a DO block's UPDATE
            # of a table left empty, run on one branch of an IF).
            rp.note_reads([o for w in sorted(rp.names_in(st)) if (o := rp.find([w], ("table", "view"))) is not None])
            return True
    return False


def _table(rp: Engine, identity: str):  # type: ignore[no-untyped-def]
    schema, _, name = identity.partition(".")
    o = rp.model.get("table", qualified(schema, name))
    return o if o is not None and o.exists else None


def _statement(st: Statement, d: Ddl) -> Statement | None:
    """The statement that makes (or drops) what was observed, as the catalog writes it."""
    if d.dropped:
        if not d.original:
            return None  # it went with another object, whose drop the model follows
        if d.object_type == "trigger":
            trig, _, table = d.identity.partition(" on ")
            text = f"DROP TRIGGER {trig} ON {table}"
        elif d.object_type == "table column":
            table, _, column = d.identity.rpartition(".")
            text = f"ALTER TABLE {table} DROP COLUMN {column}"
        elif d.object_type == "table constraint":
            con, _, table = d.identity.partition(" on ")
            text = f"ALTER TABLE {table} DROP CONSTRAINT {con}"
        elif d.object_type in _DROP:
            text = _DROP[d.object_type].format(d.identity)
        else:
            return None
    elif d.definition:
        text = d.definition
    else:
        return None
    try:
        nodes = parse_sql(text)
    except ParseError:
        return None
    if len(nodes) != 1:
        return None
    return Statement(seq=st.seq, migration=st.migration, file=st.file, line=st.line, column=st.column, text=text,
                     node=nodes[0].stmt, parent=st)
