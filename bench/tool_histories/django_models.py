"""Random model evolutions: the SQL Django's own migrations run (`sqlmigrate`), kept as a sqlx
history, with rows inserted between steps: histories nobody tuned the tool to.

Each step changes random models (ten field types, null, defaults, db_index, unique, foreign
keys, Meta indexes, models added and deleted) and runs `makemigrations --noinput`; `sqlmigrate`
needs a PostgreSQL to connect to (any; nothing is written there).

    python django_models.py SEED STEPS OUT --python PY --pg-host H --pg-port P   (PY: a Python with Django and psycopg)
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

PY = ""
PG = ("", "")
FIELDS = ["char", "int", "bool", "dt", "dec", "text", "json", "date", "bigint", "small"]

def field_src(f):
    k = f["kind"]; opts = []
    if f.get("null"): opts.append("null=True")
    if f.get("unique"): opts.append("unique=True")
    if f.get("index"): opts.append("db_index=True")
    if "default" in f: opts.append(f"default={f['default']}")
    if k == "char": return f"models.CharField(max_length={f['len']}{''.join(', ' + o for o in opts)})"
    if k == "dec": return f"models.DecimalField(max_digits=10, decimal_places=2{''.join(', ' + o for o in opts)})"
    if k == "fk": return f"models.ForeignKey('{f['to']}', on_delete=models.{'SET_NULL' if f.get('null') else 'CASCADE'}{''.join(', ' + o for o in opts if not o.startswith('db_index'))})"
    cls = {"int": "IntegerField", "bool": "BooleanField", "dt": "DateTimeField", "text": "TextField", "json": "JSONField",
           "date": "DateField", "bigint": "BigIntegerField", "small": "SmallIntegerField"}[k]
    return f"models.{cls}({', '.join(opts)})"

DEFAULTS = {"char": "'x'", "int": "0", "bool": "False", "text": "''", "json": "dict", "bigint": "0", "small": "1", "dec": "0"}
VALUES = {"char": "'c'", "int": "3", "bool": "true", "dt": "'2024-01-01 00:00:00+00'", "dec": "2.50", "text": "'t'", "json": "'{}'",
          "date": "'2024-02-02'", "bigint": "9", "small": "2"}

def newfield(rng, models, name_of):
    k = rng.choice(FIELDS + (["fk"] if models else []))
    f = {"kind": k}
    if k == "char": f["len"] = rng.choice([20, 50, 100])
    if k == "fk": f["to"] = rng.choice(list(models)); f["null"] = rng.random() < 0.5
    elif rng.random() < 0.5 or k in ("dt", "date"): f["null"] = True
    else: f["default"] = DEFAULTS.get(k, "0")
    if k in ("char", "int", "bigint") and rng.random() < 0.2: f["index"] = True
    return f

def models_src(models):
    out = ["from django.db import models", ""]
    for m, spec in models.items():
        out.append(f"class {m}(models.Model):")
        for n, f in spec["fields"].items():
            out.append(f"    {n} = {field_src(f)}")
        for name, target in spec.get("m2m", {}).items():
            out.append(f"    {name} = models.ManyToManyField('{target}', related_name='+')")
        if spec.get("idx") or spec.get("cons"):
            out.append("    class Meta:")
            out.append("        indexes = [" + ", ".join(f"models.Index(fields={cols!r}, name={name!r})" for name, cols in spec.get("idx", {}).items()) + "]")
            out.append("        constraints = [" + ", ".join(
                f"models.UniqueConstraint(fields={cols!r}, name={name!r})" if kind == "unique"
                else f"models.CheckConstraint(condition=models.Q({cols[0]}__gte=0), name={name!r})"
                for name, (kind, cols) in spec.get("cons", {}).items()) + "]")
        if not spec["fields"]: out.append("    pass")
        out.append("")
    return "\n".join(out)

def step(rng, models, n):
    data = []
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["model", "model", "add", "add", "remove", "alter", "alter", "index", "delete", "data", "data", "m2m", "constraint"])
        if op == "model" or not models:
            name = f"M{n}x{rng.randint(0, 9)}"
            if name in models: continue
            models[name] = {"fields": {f"f{i}": newfield(rng, models, name) for i in range(rng.randint(1, 4))}, "idx": {}, "rows": 0}
        elif op == "add":
            m = rng.choice(list(models)); name = f"a{n}{rng.randint(0, 9)}"
            if name in models[m]["fields"]: continue
            f = newfield(rng, models, m)
            if f["kind"] == "fk" and f["to"] == m: continue
            if models[m]["rows"] and f["kind"] == "fk" and not f.get("null"): continue
            models[m]["fields"][name] = f
        elif op == "remove":
            m = rng.choice(list(models))
            cands = [x for x in models[m]["fields"] if not any(x in cols for cols in models[m]["idx"].values())
                     and not any(x in cols for _, cols in models[m].get("cons", {}).values())]
            if cands: del models[m]["fields"][rng.choice(cands)]
        elif op == "alter":
            m = rng.choice(list(models))
            if not models[m]["fields"]: continue
            f = models[m]["fields"][rng.choice(list(models[m]["fields"]))]
            what = rng.choice(["null", "len", "index", "default", "unique"])
            if what == "null" and f["kind"] not in ("fk",):
                if f.get("null"):
                    if models[m]["rows"] == 0: f["null"] = False; f.setdefault("default", DEFAULTS.get(f["kind"], "0")) if f["kind"] not in ("dt", "date") else f.update(null=True)
                else: f["null"] = True
            elif what == "len" and f["kind"] == "char": f["len"] += 50
            elif what == "index" and f["kind"] in ("char", "int", "bigint"): f["index"] = not f.get("index")
            elif what == "default" and f["kind"] in DEFAULTS and f["kind"] != "json":
                f["default"] = DEFAULTS[f["kind"]] if "default" not in f else ("'y'" if f["kind"] == "char" else f["default"])
            elif what == "unique" and f["kind"] in ("char", "int") and models[m]["rows"] == 0: f["unique"] = not f.get("unique")
        elif op == "index":
            m = rng.choice(list(models))
            cols = [x for x, f in models[m]["fields"].items() if f["kind"] not in ("json", "text", "fk")]
            if models[m]["idx"] and rng.random() < 0.4: del models[m]["idx"][rng.choice(list(models[m]["idx"]))]
            elif cols:
                on = rng.sample(cols, min(2, len(cols))); models[m]["idx"][f"{m.lower()}_{'_'.join(on)}_ix"[:30]] = on
        elif op == "m2m" and len(models) > 1:
            a, b = rng.sample(list(models), 2)
            if any(t == a for s in models.values() for t in s.get("m2m", {}).values()):
                continue  # a model others link to stays (it could not be deleted below otherwise)
            models[a].setdefault("m2m", {})[f"links{n}"] = b
        elif op == "constraint":
            m = rng.choice(list(models))
            ints = [x for x, f in models[m]["fields"].items() if f["kind"] in ("int", "bigint", "small") and not f.get("null")]
            cons = models[m].setdefault("cons", {})
            if cons and rng.random() < 0.4:
                del cons[rng.choice(list(cons))]
            elif ints and models[m]["rows"] == 0:
                col = rng.choice(ints)
                kind = rng.choice(["unique", "check"])
                cons[f"{m.lower()}_{col}_{kind}{n}"[:30]] = (kind, [col])
        elif op == "delete" and len(models) > 1:
            m = rng.choice(list(models))
            if any(f.get("to") == m for s in models.values() for f in s["fields"].values()): continue
            if any(t == m for s in models.values() for t in s.get("m2m", {}).values()): continue
            del models[m]
        elif op == "data":
            data.append(rng.choice(list(models)))
    return data

def insert(models, m):
    cols, vals = [], []
    for n, f in models[m]["fields"].items():
        if f.get("unique") or (f["kind"] == "fk"):
            if f["kind"] == "fk" and not f.get("null"): return None
            continue
        cols.append(f'"{n}"' if f["kind"] != "fk" else f'"{n}_id"'); vals.append(VALUES[f["kind"]])
    table = f"shop_{m.lower()}"
    if not cols: return f'INSERT INTO "{table}" DEFAULT VALUES;'
    return f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join(vals)});'

def main(seed, steps, out):
    rng = random.Random(seed)
    out = Path(out); shutil.rmtree(out, ignore_errors=True)
    proj = out / "dj"; (proj / "shop" / "migrations").mkdir(parents=True)
    (proj / "shop" / "__init__.py").write_text(""); (proj / "shop" / "migrations" / "__init__.py").write_text("")
    (proj / "settings.py").write_text(f"""SECRET_KEY='x'\nINSTALLED_APPS=['shop']\nUSE_TZ=True\nDEFAULT_AUTO_FIELD='django.db.models.BigAutoField'
DATABASES={{'default': {{'ENGINE': 'django.db.backends.postgresql', 'NAME': 'postgres', 'USER': 'postgres', 'HOST': '{PG[0]}', 'PORT': '{PG[1]}'}}}}\n""")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", PYTHONPATH=str(proj))
    sql_dir = out / "migrations"; sql_dir.mkdir()
    models = {}
    k = 0
    for n in range(steps):
        data = step(rng, models, n)
        (proj / "shop" / "models.py").write_text(models_src(models))
        r = subprocess.run([PY, "-m", "django", "makemigrations", "shop", "--noinput"], env=env, capture_output=True, text=True, cwd=proj)
        if r.returncode: print("makemigrations failed", n, r.stdout[-300:], r.stderr[-600:]); return 1
        migs = sorted(p.stem for p in (proj / "shop" / "migrations").glob("0*.py"))
        if len(migs) > k:
            name = migs[-1]
            r = subprocess.run([PY, "-m", "django", "sqlmigrate", "shop", name], env=env, capture_output=True, text=True, cwd=proj)
            if r.returncode: print("sqlmigrate failed", n, r.stderr[-600:]); return 1
            body = "\n".join(l for l in r.stdout.splitlines() if l not in ("BEGIN;", "COMMIT;"))
            (sql_dir / f"2024{n + 1:04d}000000_{name[5:]}.sql").write_text(body + "\n")
            k = len(migs)
        for m in data:
            if m in models and (s := insert(models, m)):
                (sql_dir / f"2024{n + 1:04d}000001_data_{m.lower()}.sql").write_text(s + "\n")
                models[m]["rows"] += 1
    return 0

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("seed", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("out")
    ap.add_argument("--python", required=True)
    ap.add_argument("--pg-host", required=True)
    ap.add_argument("--pg-port", default="5432")
    args = ap.parse_args()
    PY, PG = args.python, (args.pg_host, args.pg_port)
    sys.exit(main(args.seed, args.steps, args.out))
