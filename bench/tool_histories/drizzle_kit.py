"""Random schema evolutions written by drizzle-kit itself: histories nobody tuned the tool to.

Each step changes a random schema (tables, columns of eleven types, defaults, NOT NULL, unique,
indexes, foreign keys, enums and their labels, rows added by `--custom` migrations) and runs
`drizzle-kit generate`, so the SQL is the tool's own. Steps never drop and add in one table at
once, where drizzle-kit would ask whether it is a rename.

    python drizzle_kit.py SEED STEPS OUT --node-dir DIR   (DIR: `npm install drizzle-kit drizzle-orm` done there)
"""

import argparse
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

KIT = ""
TYPES = ["text", "integer", "boolean", "timestamp", "varchar", "jsonb", "numeric", "uuid", "bigint", "date", "real"]

def col_js(name, c, enums):
    t = c["type"]
    if t == "varchar": js = f'varchar("{name}", {{ length: {c["len"]} }})'
    elif t == "numeric": js = f'numeric("{name}", {{ precision: 10, scale: 2 }})'
    elif t == "bigint": js = f'bigint("{name}", {{ mode: "number" }})'
    elif t == "enum": js = f'{c["enum"]}Enum("{name}")'
    elif t == "serial": js = f'serial("{name}")'
    else: js = f'{t}("{name}")'
    if c.get("pk"): js += ".primaryKey()"
    if c.get("default") is not None: js += c["default"]
    if c.get("notnull"): js += ".notNull()"
    if c.get("unique"): js += ".unique()"
    if c.get("ref"): js += f'.references(() => {c["ref"]}.id, {{ onDelete: "{c["ondelete"]}" }})'
    return js

DEFAULTS = {"text": '.default("x")', "integer": ".default(0)", "boolean": ".default(false)", "timestamp": ".defaultNow()",
            "varchar": '.default("v")', "jsonb": ".default({})", "numeric": '.default("0")', "uuid": ".defaultRandom()",
            "bigint": ".default(0)", "date": ".defaultNow()", "real": ".default(0)"}
VALUES = {"text": "'t'", "integer": "1", "boolean": "true", "timestamp": "'2024-01-01 00:00:00'", "varchar": "'v'", "jsonb": "'{}'::jsonb",
          "numeric": "1.50", "uuid": "'00000000-0000-0000-0000-000000000001'", "bigint": "7", "date": "'2024-01-02'", "real": "1.5"}

def schema_js(state):
    lines = ['const { pgTable, pgEnum, serial, text, integer, boolean, timestamp, varchar, jsonb, numeric, uuid, bigint, date, real, index, uniqueIndex } = require("drizzle-orm/pg-core");']
    for e, labels in state["enums"].items():
        lines.append(f'const {e}Enum = pgEnum("{e}", {json.dumps(labels)});')
    order = list(state["tables"])
    for t in order:
        tb = state["tables"][t]
        cols = ",\n  ".join(f'{n}: {col_js(n, c, state["enums"])}' for n, c in tb["cols"].items())
        idx = ", ".join(f'{"uniqueIndex" if u else "index"}("{name}").on({", ".join("t." + x for x in on)})' for name, (on, u) in tb["idx"].items())
        lines.append(f'const {t} = pgTable("{t}", {{\n  {cols}\n}}, (t) => [{idx}]);')
    exports = [f"{e}Enum" for e in state["enums"]] + order
    lines.append(f"module.exports = {{ {', '.join(exports)} }};")
    return "\n".join(lines) + "\n"

def step(rng, state, n):
    tables = state["tables"]
    ops = rng.randint(1, 3)
    touched_add, touched_drop = set(), set()
    data = []
    for _ in range(ops):
        kind = rng.choice(["add_table", "add_table", "add_col", "add_col", "drop_col", "alter", "alter", "index", "fk", "enum", "drop_table", "data", "data"])
        if kind == "add_table" or not tables:
            if touched_drop & {"__table"}: continue
            name = f"t{n}_{rng.randint(0, 99)}"
            if name in tables: continue
            cols = {"id": {"type": "serial", "pk": True}}
            for i in range(rng.randint(1, 4)):
                cols[f"c{i}"] = newcol(rng, state)
            tables[name] = {"cols": cols, "idx": {}, "rows": 0}
            touched_add.add("__table")
        elif kind == "drop_table":
            if "__table" in touched_add: continue
            t = rng.choice(list(tables))
            if any(c.get("ref") == t for tb in tables.values() for c in tb["cols"].values()): continue
            del tables[t]; touched_drop.add("__table")
        elif kind == "add_col":
            t = rng.choice(list(tables))
            if (t, "drop") in touched_drop: continue
            name = f"c{n}{rng.randint(0, 9)}"
            if name in tables[t]["cols"]: continue
            c = newcol(rng, state)
            if tables[t]["rows"] and c.get("notnull") and c.get("default") is None: c["default"] = DEFAULTS[c["type"]] if c["type"] != "enum" else f'.default("{state["enums"][c["enum"]][0]}")'
            tables[t]["cols"][name] = c; touched_add.add((t, "add"))
        elif kind == "drop_col":
            t = rng.choice(list(tables))
            if (t, "add") in touched_add: continue
            cands = [c for c, spec in tables[t]["cols"].items() if not spec.get("pk") and not any(c in on for on, _ in tables[t]["idx"].values())]
            if len(cands) < 1: continue
            del tables[t]["cols"][rng.choice(cands)]; touched_drop.add((t, "drop"))
        elif kind == "alter":
            t = rng.choice(list(tables))
            cands = [c for c, spec in tables[t]["cols"].items() if not spec.get("pk") and not spec.get("ref")]
            if not cands: continue
            c = tables[t]["cols"][rng.choice(cands)]
            what = rng.choice(["notnull", "default", "widen", "unique"])
            if what == "notnull":
                if c.get("notnull"): c["notnull"] = False
                elif not tables[t]["rows"]: c["notnull"] = True
            elif what == "default" and c["type"] != "enum":
                c["default"] = None if c.get("default") else DEFAULTS[c["type"]]
            elif what == "widen":
                if c["type"] == "varchar": c["len"] += 50
                elif c["type"] == "integer": c["type"] = "bigint"; c["default"] = c.get("default") and ".default(0)"
            elif what == "unique" and not tables[t]["rows"]:
                c["unique"] = not c.get("unique")
        elif kind == "index":
            t = rng.choice(list(tables))
            cols = [c for c in tables[t]["cols"] if tables[t]["cols"][c]["type"] not in ("jsonb",)]
            if tables[t]["idx"] and rng.random() < 0.4:
                del tables[t]["idx"][rng.choice(list(tables[t]["idx"]))]
            else:
                on = rng.sample(cols, min(len(cols), rng.randint(1, 2)))
                tables[t]["idx"][f"{t}_{'_'.join(on)}_idx"] = (on, False)
        elif kind == "fk" and len(tables) > 1:
            a, b = rng.sample(list(tables), 2)
            if (a, "drop") in touched_drop: continue
            name = f"{b}_id"
            if name in tables[a]["cols"]: continue
            tables[a]["cols"][name] = {"type": "integer", "ref": b, "ondelete": rng.choice(["cascade", "set null", "no action"])}
            touched_add.add((a, "add"))
        elif kind == "enum":
            if state["enums"] and rng.random() < 0.6:
                e = rng.choice(list(state["enums"]))
                state["enums"][e].append(f"v{n}")
            else:
                state["enums"][f"e{n}"] = ["a", "b"]
        elif kind == "data":
            data.append(rng.choice(list(tables)))
    return data

def newcol(rng, state):
    t = rng.choice(TYPES + (["enum"] if state["enums"] else []))
    c = {"type": t}
    if t == "varchar": c["len"] = rng.choice([20, 64, 255])
    if t == "enum": c["enum"] = rng.choice(list(state["enums"]))
    if rng.random() < 0.4:
        c["default"] = DEFAULTS[t] if t != "enum" else f'.default("{state["enums"][c["enum"]][0]}")'
    if rng.random() < 0.4 and c.get("default") is not None:
        c["notnull"] = True
    return c

def insert_sql(state, t):
    tb = state["tables"][t]
    cols, vals = [], []
    for n, c in tb["cols"].items():
        if c.get("pk") or c.get("ref"): continue
        if c["type"] == "enum": v = f"'{state['enums'][c['enum']][0]}'"
        else: v = VALUES[c["type"]]
        if c.get("unique"): continue
        cols.append(f'"{n}"'); vals.append(v)
    if not cols: return f'INSERT INTO "{t}" DEFAULT VALUES;'
    return f'INSERT INTO "{t}" ({", ".join(cols)}) VALUES ({", ".join(vals)});'

def main(seed, steps, out):
    rng = random.Random(seed)
    out = Path(out); shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
    (out / "drizzle.config.js").write_text('module.exports = { dialect: "postgresql", schema: "./schema.js", out: "./drizzle" };\n')
    state = {"tables": {}, "enums": {}}
    for n in range(steps):
        data = step(rng, state, n)
        (out / "schema.js").write_text(schema_js(state))
        r = subprocess.run([KIT, "generate", "--name", f"s{n}"], cwd=out, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        if r.returncode != 0 or "Error" in r.stdout:
            print("kit failed", n, r.stdout[-500:], r.stderr[-500:]); return 1
        for t in data:
            if t not in state["tables"]: continue
            if any(c.get("unique") for c in state["tables"][t]["cols"].values()) and state["tables"][t]["rows"]: continue
            r = subprocess.run([KIT, "generate", "--custom", "--name", f"d{n}"], cwd=out, capture_output=True, text=True, timeout=120)
            f = sorted((out / "drizzle").glob(f"*_d{n}.sql"))[-1]
            f.write_text(f.read_text() + "\n" + insert_sql(state, t) + "\n")
            state["tables"][t]["rows"] += 1
    return 0

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("seed", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("out", help="a folder under --node-dir, so that the schema finds drizzle-orm")
    ap.add_argument("--node-dir", required=True)
    args = ap.parse_args()
    KIT = str(Path(args.node_dir) / "node_modules" / ".bin" / "drizzle-kit")
    sys.exit(main(args.seed, args.steps, args.out))
