"""Load the packs' YAML data into the new database and report every row, or its error with file and line.

Convention: `packs/<pack>/pack.yaml` is one row of table `pack`; every `packs/<pack>/<folder>/*.yaml`
is one row of the table named by the folder in the singular (`runtimes/` fills `runtime`). Keys
are column names; a key `<name>_ref` whose table has a column `<name>` also fills `<name>` with
the id of the row of table `<name>` whose `ref` is that value. Mappings and lists become JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
import yaml

from tui.pg.server import Server


def _table_for(folder: str, tables: set[str]) -> str | None:
    for cand in (folder[:-1] if folder.endswith("s") else folder, folder):
        if cand in tables:
            return cand
    return None


def load_packs(server: Server, dbname: str, packs: Path) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    with server.connect(dbname) as conn:
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
        files: list[tuple[Path, str | None]] = []
        for pack_dir in sorted(p for p in packs.iterdir() if p.is_dir()):
            if (pack_dir / "pack.yaml").is_file():
                files.append((pack_dir / "pack.yaml", "pack" if "pack" in tables else None))
            for sub in sorted(p for p in pack_dir.iterdir() if p.is_dir()):
                for f in sorted(sub.glob("*.yaml")):
                    files.append((f, _table_for(sub.name, tables)))
        for path, table in files:
            rel = path.relative_to(packs.parent).as_posix()
            results.append(_load_one(conn, path, rel, table))
    return results


def _load_one(conn: psycopg.Connection, path: Path, rel: str, table: str | None) -> dict[str, object]:  # type: ignore[type-arg]
    if table is None:
        return {"file": rel, "line": 1, "table": "", "ok": False, "error": "no table matches this folder"}
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return {"file": rel, "line": (mark.line + 1) if mark else 1, "table": table, "ok": False, "error": str(exc).splitlines()[0]}
    if not isinstance(data, dict):
        return {"file": rel, "line": 1, "table": table, "ok": False, "error": "expected a mapping of column: value"}
    columns = {r[0]: r[1] for r in conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s AND table_schema = current_schema()", (table,))}
    values: dict[str, Any] = {}
    refs: dict[str, str] = {}
    for key, value in data.items():
        if key not in columns:
            return {"file": rel, "line": _line_of(path, key), "table": table, "ok": False, "error": f"table {table} has no column {key}"}
        values[key] = json.dumps(value) if isinstance(value, (dict, list)) else value
        if key.endswith("_ref") and key[:-4] in columns and key[:-4] not in data:
            refs[key[:-4]] = str(value)
    cols = list(values) + list(refs)
    # Table and column names come from folder names and YAML keys: they reach SQL only as identifiers.
    exprs = [sql.Placeholder()] * len(values) + [
        sql.SQL("(SELECT id FROM {} WHERE ref = %s)").format(sql.Identifier(c)) for c in refs]
    # A row the migrations already insert (the pack itself, say) counts as loaded.
    insert = sql.SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, cols)), sql.SQL(", ").join(exprs))
    try:
        with conn.transaction():
            cur = conn.execute(insert, list(values.values()) + list(refs.values()))
    except psycopg.Error as exc:
        return {"file": rel, "line": 1, "table": table, "ok": False, "error": (exc.diag.message_primary or str(exc)).strip()}
    note = "" if cur.rowcount else "already present"
    return {"file": rel, "line": 1, "table": table, "ok": True, "error": "", "note": note}


def _line_of(path: Path, key: str) -> int:
    for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return i
    return 1
