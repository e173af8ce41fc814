"""Liquibase's changes that write rows: `insert` and `loadData` (a CSV file's rows), as Liquibase
runs them on PostgreSQL."""

from __future__ import annotations

import csv
import io

from tui.core.formats.liquibase_values import Unread, computed, date_value, ident, is_true, quoted, table_ref
from tui.core.formats.liquibase_xml import Node


def _value(c: Node) -> str:
    if "value" in c.attrs:
        return quoted(c.get("value"))
    if "valueNumeric" in c.attrs:
        return c.get("valueNumeric")
    if "valueBoolean" in c.attrs:
        return "TRUE" if is_true(c.get("valueBoolean")) else "FALSE"
    if "valueComputed" in c.attrs:
        return computed(c.get("valueComputed"))
    if "valueDate" in c.attrs:
        return date_value(c.get("valueDate"))
    return "NULL"


def insert(n: Node) -> list[str]:
    cols = [c for c in n.children if c.tag == "column"]
    if len(cols) != len(n.children) or not cols:
        raise Unread("an insert without plain columns", n.line)
    return [f"INSERT INTO {table_ref(n)} ({', '.join(ident(c.get('name')) for c in cols)}) VALUES ({', '.join(_value(c) for c in cols)})"]


def load_data(n: Node) -> list[str]:
    """A CSV file's rows as one INSERT, as Liquibase runs it: a header of column names, NULL a NULL
    (an empty cell too, but in a STRING column), a value of a column typed NUMERIC or COMPUTED as
    written, one typed BOOLEAN TRUE or FALSE, a SKIP column left out, the others quoted (PostgreSQL
    takes the text for the column's type, as the driver's prepared statement gives it). Values in
    files (BLOB, CLOB), SEQUENCE columns and columns without a type (Liquibase asks the database,
    and reads a text column's values as names of files) are refused."""
    unknown = set(n.attrs) - {"file", "tableName", "schemaName", "separator", "quotchar", "relativeToChangelogFile", "encoding",
                              "usePreparedStatements", "commentLineStartsWith"}
    if unknown:
        raise Unread(f"loadData's {min(unknown)}", n.line)
    if n.get("encoding", "UTF-8").upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        raise Unread(f"a CSV file in {n.get('encoding')}", n.line)
    separator = n.get("separator", ",").replace("\\t", "\t") or ","
    comment = n.get("commentLineStartsWith", "#")
    rows = [r for r in csv.reader(io.StringIO(n.text), delimiter=separator, quotechar=n.get("quotchar", '"') or '"')
            if r and not (comment and r[0].startswith(comment))]
    if not rows:
        return []
    header, rows = [h.strip() for h in rows[0]], rows[1:]
    typed: dict[str, tuple[str, str]] = {}  # CSV header -> (column, type)
    for c in n.children:
        if c.tag != "column" or set(c.attrs) - {"name", "header", "type"}:  # (a column by its index, a default: not read)
            raise Unread(f"a loadData column with {min(set(c.attrs) - {'name', 'header', 'type'}) if c.tag == 'column' else c.tag}", c.line)
        key = c.get("header") or c.get("name")
        typed[key] = (c.get("name") or key, c.get("type").upper())
    if bad := [t for _, t in typed.values() if t in ("BLOB", "CLOB", "SEQUENCE", "TEXT")]:
        raise Unread(f"loadData of a column typed {bad[0]}", n.line)
    if untyped := [h for h in header if not typed.get(h, (h, ""))[1]]:
        # (Liquibase then asks the database: a text or bytea column's values are names of files)
        raise Unread(f"loadData of column {untyped[0]} without a type, which Liquibase takes from the database", n.line)
    keep = [i for i, h in enumerate(header) if typed[h][1] != "SKIP"]
    names = ", ".join(ident(typed[header[i]][0]) for i in keep)
    values = []
    for row in rows:
        if len(row) != len(header):
            raise Unread(f"a CSV row of {len(row)} values under a header of {len(header)}", n.line)
        values.append("(" + ", ".join(_cell(row[i], typed[header[i]][1]) for i in keep) + ")")
    return [f"INSERT INTO {table_ref(n)} ({names}) VALUES " + ",".join(values)]


def _cell(value: str, type_: str) -> str:
    """(As Liquibase runs it, not as `update-sql` prints it: an empty STRING is an empty string.)"""
    if value.upper() == "NULL" or (value == "" and type_ != "STRING"):
        return "NULL"
    if type_ in ("NUMERIC", "COMPUTED"):
        return value
    if type_ == "BOOLEAN":
        return "TRUE" if value.strip().lower() in ("true", "1", "t", "y", "yes") else "FALSE"
    return quoted(value)
