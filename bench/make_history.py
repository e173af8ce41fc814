"""Writes a synthetic sqlx history: FILES files, about STATEMENTS statements in all, of every kind.

Objects are created, altered, renamed, redefined and dropped, so replay and the detectors work as
hard as on a real history. Deterministic: the same arguments give the same bytes.

`--shapes` mixes in what real histories do and the plain mix lacks: foreign-key rings of 3 to 10
tables, tables rebuilt and renamed into place (rows copied, the sequence set), enum types swapped
for a new one, one function redefined hundreds of times, tables of 200 columns, and DO blocks
that alter only when a column is missing, and a table that gains a column every ten files.
`--statements N` sets the size (files = N / per-file).

    python bench/make_history.py OUT_DIR [--files 1000] [--per-file 50] [--statements N] [--shapes]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path


BASE_COLUMNS = (
    "id BIGSERIAL PRIMARY KEY",
    "name TEXT NOT NULL",
    "amount NUMERIC(12, 2) DEFAULT 0",
    "payload JSONB NOT NULL DEFAULT '{}'::jsonb",
    "created TIMESTAMPTZ NOT NULL DEFAULT now()",
)
_COPIED = "id, name, amount, payload, created"


def ring(f: int, n: int, size: int) -> list[str]:
    """Tables that reference each other in a cycle: the last link can only be added afterwards."""
    names = [f"ring_{f}_{n}_{i}" for i in range(size)]
    out = [f"CREATE TABLE {names[0]} (id BIGINT PRIMARY KEY, next_id BIGINT)"]
    out += [f"CREATE TABLE {t} (id BIGINT PRIMARY KEY, next_id BIGINT REFERENCES {names[i]}(id))"
            for i, t in enumerate(names[1:])]
    out.append(f"ALTER TABLE {names[0]} ADD CONSTRAINT {names[0]}_next_fk FOREIGN KEY (next_id) "
               f"REFERENCES {names[-1]}(id) DEFERRABLE INITIALLY DEFERRED")
    return out


def rebuild(t: str) -> list[str]:
    """The rebuild a column type change or a reorder takes: copy, drop, rename into place."""
    new = f"{t}_new"
    return [
        f"CREATE TABLE {new} (\n    " + ",\n    ".join(BASE_COLUMNS) + "\n)",
        f"INSERT INTO {new} ({_COPIED}) SELECT {_COPIED} FROM {t}",
        f"DROP TABLE {t} CASCADE",
        f"ALTER TABLE {new} RENAME TO {t}",
        f"ALTER INDEX IF EXISTS {new}_pkey RENAME TO {t}_pkey",
        f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), coalesce(max(id), 0) + 1, false) FROM {t}",
        f"CREATE INDEX {t}_name_idx ON {t} (name)",
    ]


def wide(t: str) -> list[str]:
    cols = list(BASE_COLUMNS) + [f"col_{i} {('TEXT', 'INTEGER', 'BOOLEAN', 'TIMESTAMPTZ')[i % 4]}" for i in range(195)]
    return [f"CREATE TABLE {t} (\n    " + ",\n    ".join(cols) + "\n)",
            f"ALTER TABLE {t} DROP COLUMN col_{7}", f"ALTER TABLE {t} ADD COLUMN col_extra TEXT DEFAULT 'x'"]


def shaped(rng: random.Random, f: int, n: int, state: dict[str, list[str]]) -> list[str]:
    """One shape of the real histories the plain mix lacks."""
    tables, swaps = state["tables"], state["swaps"]
    pick = rng.random()
    if pick < 0.15:
        return ring(f, n, rng.randint(3, 10))
    if pick < 0.30 and len(tables) > 5:
        return rebuild(rng.choice(tables))
    if pick < 0.40:
        e, t = f"sw_{f}_{n}", f"sw_t_{f}_{n}"
        swaps.append(f"{e} {t}")
        return [f"CREATE TYPE {e} AS ENUM ('draft', 'live')", f"CREATE TABLE {t} (id INT PRIMARY KEY, s {e} NOT NULL DEFAULT 'draft')",
                f"INSERT INTO {t} VALUES (1, 'live'), (2, 'draft')"]
    if pick < 0.50 and swaps:
        e, t = swaps.pop(0).split()
        return [f"CREATE TYPE {e}_v2 AS ENUM ('draft', 'live', 'archived')",
                f"ALTER TABLE {t} ALTER COLUMN s DROP DEFAULT",
                f"ALTER TABLE {t} ALTER COLUMN s TYPE {e}_v2 USING s::text::{e}_v2",
                f"DROP TYPE {e}", f"ALTER TYPE {e}_v2 RENAME TO {e}",
                f"ALTER TABLE {t} ALTER COLUMN s SET DEFAULT 'draft'"]
    if pick < 0.80:
        return [f"CREATE OR REPLACE FUNCTION hot_path(p BIGINT) RETURNS BIGINT AS $$\nBEGIN\n    RETURN p * {n + 2} + {f};\nEND;\n$$ LANGUAGE plpgsql STABLE"]
    if pick < 0.88:
        t = f"wide_{f}_{n}"
        tables.append(t)
        return wide(t)
    t = rng.choice(tables)
    return [f"DO $$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = '{t}' AND column_name = 'flag_{f}') THEN\n"
            f"        ALTER TABLE {t} ADD COLUMN flag_{f} BOOLEAN NOT NULL DEFAULT false;\n    END IF;\nEND $$"]


def statements(rng: random.Random, f: int, per_file: int, state: dict[str, list[str]], shapes: bool = False) -> list[str]:
    out: list[str] = []
    tables, enums, funcs, views = state["tables"], state["enums"], state["funcs"], state["views"]
    while len(out) < per_file:
        pick = rng.random()
        n = len(out)
        if shapes and rng.random() < 0.06 and len(tables) >= 3:
            out.extend(shaped(rng, f, n, state))
        elif pick < 0.10 or len(tables) < 3:
            t = f"t_{f}_{n}"
            enum = rng.choice(enums) if enums and rng.random() < 0.3 else None
            ref = rng.choice(tables) if tables and rng.random() < 0.5 else None
            cols = list(BASE_COLUMNS)
            if enum:
                cols.append(f"state {enum}")
            if ref:
                cols.append(f"parent BIGINT REFERENCES {ref}(id) ON DELETE CASCADE")
            out.append(f"-- table {t}\nCREATE TABLE {t} (\n    " + ",\n    ".join(cols) + "\n)")
            out.append(f"CREATE INDEX {t}_name_idx ON {t} (name)")
            out.append(f"COMMENT ON TABLE {t} IS 'synthetic table {t}'")
            tables.append(t)
        elif pick < 0.22:
            t = rng.choice(tables)
            c = f"c_{f}_{n}"
            out.append(f"ALTER TABLE {t} ADD COLUMN {c} INTEGER DEFAULT {n}")
            out.append(f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL")
            if rng.random() < 0.4:
                out.append(f"ALTER TABLE {t} DROP COLUMN {c}")
        elif pick < 0.30:
            t = rng.choice(tables)
            out.append(f"INSERT INTO {t} (name, amount) VALUES ('a{n}', {n}), ('b{n}', {n + 1})")
            if rng.random() < 0.5:
                out.append(f"UPDATE {t} SET amount = 5 WHERE name = 'a{n}'")
            if rng.random() < 0.3:
                out.append(f"DELETE FROM {t} WHERE name = 'b{n}'")
        elif pick < 0.38:
            e = f"e_{f}_{n}"
            out.append(f"CREATE TYPE {e} AS ENUM ('one', 'two')")
            out.append(f"ALTER TYPE {e} ADD VALUE 'three'")
            enums.append(e)
        elif pick < 0.50:
            fn = rng.choice(funcs) if funcs and rng.random() < 0.5 else f"fn_{f}_{n}"
            out.append(
                f"CREATE OR REPLACE FUNCTION {fn}(p BIGINT) RETURNS BIGINT AS $$\nBEGIN\n    RETURN p + {n};\nEND;\n$$ LANGUAGE plpgsql"
            )
            if fn not in funcs:
                funcs.append(fn)
        elif pick < 0.56:
            t = rng.choice(tables)
            fn = f"trg_{f}_{n}"
            out.append(f"CREATE FUNCTION {fn}() RETURNS trigger AS $$ BEGIN PERFORM pg_notify('{t}', NEW.id::text); RETURN NEW; END $$ LANGUAGE plpgsql")
            out.append(f"CREATE TRIGGER {fn}_t AFTER INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION {fn}()")
        elif pick < 0.64:
            t = rng.choice(tables)
            v = rng.choice(views) if views and rng.random() < 0.4 else f"v_{f}_{n}"
            out.append(f"CREATE OR REPLACE VIEW {v} AS SELECT id, name FROM {t} WHERE amount > {n}")
            if v not in views:
                views.append(v)
        elif pick < 0.70 and len(tables) > 10:
            t = tables.pop(rng.randrange(len(tables) - 5))
            for v in [v for v in views if v.startswith("v_")][:0]:
                del v
            out.append(f"DROP TABLE {t} CASCADE")
        elif pick < 0.74:
            s = f"s_{f}_{n}"
            out.append(f"CREATE SEQUENCE {s} START 100")
            out.append(f"ALTER SEQUENCE {s} INCREMENT BY 2")
        elif pick < 0.78:
            t = rng.choice(tables)
            out.append(f"GRANT SELECT ON {t} TO PUBLIC")
        elif pick < 0.82:
            out.append(f"DO $$ BEGIN\n    CREATE TYPE d_{f}_{n} AS ENUM ('x');\nEXCEPTION WHEN duplicate_object THEN null;\nEND $$")
        elif pick < 0.85:
            out.append("DO $$ BEGIN RAISE NOTICE 'step'; END $$")
        elif pick < 0.90 and len(tables) > 5:
            i = rng.randrange(len(tables))
            new = tables[i] + "_r"
            out.append(f"ALTER TABLE {tables[i]} RENAME TO {new}")
            tables[i] = new
        elif pick < 0.94 and enums and len(enums) > 5:
            e = enums.pop(0)
            out.append(f"DROP TYPE IF EXISTS {e} CASCADE")
        else:
            t = rng.choice(tables)
            out.append(f"CREATE INDEX IF NOT EXISTS {t}_created_idx ON {t} (created DESC)")
    return out


GROWN_EVERY = 10  # files between two columns added to the grown table
GROWN_WIDTH = 1000  # columns a grown table gets before the next one starts (PostgreSQL allows 1,600)


def grown(f: int) -> list[str]:
    """A table that gains a column every few migrations for the whole history (renamed now and
    then, indexed now and then), as a product's main table does over the years: a step that
    looks over the whole table for each of its thousand statements goes quadratic here."""
    n = f // GROWN_EVERY
    t, col = f"grown_{n // GROWN_WIDTH}", n % GROWN_WIDTH
    out = [f"CREATE TABLE {t} (id BIGINT PRIMARY KEY)"] if col == 0 else []
    out.append(f"ALTER TABLE {t} ADD COLUMN g_{col} TEXT")
    if col % 3 == 2:
        out.append(f"ALTER TABLE {t} RENAME COLUMN g_{col - 1} TO h_{col - 1}")
    if col % 5 == 4:
        out.append(f"CREATE INDEX {t}_g_{col} ON {t} (g_{col})")
    return out


def write(out_dir: Path, files: int, per_file: int, seed: int = 7, shapes: bool = False) -> int:
    rng = random.Random(seed)
    folder = out_dir / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    state: dict[str, list[str]] = {"tables": [], "enums": [], "funcs": [], "views": [], "swaps": []}
    total = 0
    for f in range(files):
        stmts = statements(rng, f, per_file, state, shapes)
        if shapes and f % GROWN_EVERY == 0:
            stmts += grown(f)  # (no draw from rng: the rest of the history is as it was)
        total += len(stmts)
        (folder / f"{20200101000000 + f:014d}_step_{f}.sql").write_text(";\n\n".join(stmts) + ";\n")
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--per-file", type=int, default=50)
    ap.add_argument("--statements", type=int, help="about this many statements in all (sets --files)")
    ap.add_argument("--shapes", action="store_true", help="mix in the shapes of real histories")
    a = ap.parse_args()
    if a.statements:
        a.files = max(1, a.statements // a.per_file)
    n = write(Path(a.out), a.files, a.per_file, shapes=a.shapes)
    print(f"wrote {a.files} files, {n} statements to {a.out}")


if __name__ == "__main__":
    main()
