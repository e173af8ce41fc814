"""The words of Liquibase's change types as Liquibase 4 writes them for PostgreSQL: names quoted
where PostgreSQL would fold them, its types (`datetime` is TIMESTAMP WITHOUT TIME ZONE), defaults
and dates as it writes them for a column's type, current-time functions as NOW()."""

from __future__ import annotations

import re
from contextvars import ContextVar

from pglast.keywords import RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS
from pglast.stream import maybe_double_quote_name

from tui.core.formats.liquibase_xml import Node


class Unread(ValueError):
    """A change (or attribute) this module does not turn into SQL, at the line of its element."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


# How the changeset being read quotes names (its `objectQuotingStrategy`, or its changelog's).
QUOTING: ContextVar[str] = ContextVar("quoting", default="LEGACY")
_UPPER = re.compile(r"[A-Z_][A-Z0-9_]*")


def ident(written: str) -> str:
    """A name as Liquibase writes it on PostgreSQL. LEGACY: quoted where its case would be folded
    (`myTable`), where it is a reserved word (`"ORDER"`, its case kept) or not a plain word; a name
    all in capitals is not (PostgreSQL folds it: `PERSON` is person). QUOTE_ONLY_RESERVED_WORDS:
    only reserved words. QUOTE_ALL_OBJECTS: every name."""
    strategy = QUOTING.get()
    reserved = written.lower() in RESERVED_KEYWORDS or written.lower() in TYPE_FUNC_NAME_KEYWORDS
    if strategy == "QUOTE_ALL_OBJECTS" or (strategy == "QUOTE_ONLY_RESERVED_WORDS" and reserved):
        return '"' + written.replace('"', '""') + '"'
    if strategy == "QUOTE_ONLY_RESERVED_WORDS" or (_UPPER.fullmatch(written) and not reserved):
        return written
    return maybe_double_quote_name(written) if not reserved else '"' + written.replace('"', '""') + '"'


def table_ref(node: Node, attr: str = "tableName", schema_attr: str = "schemaName") -> str:
    if not node.get(attr):
        raise Unread(f"{node.tag} without {attr}", node.line)
    schema = node.get(schema_attr)
    return (f"{ident(schema)}." if schema else "") + ident(node.get(attr))


def quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def is_true(value: str) -> bool:
    return value.strip().lower() == "true"


_TYPES = {"bigint": "BIGINT", "int8": "BIGINT", "java.sql.types.bigint": "BIGINT", "int": "INTEGER", "integer": "INTEGER",
          "int4": "INTEGER", "mediumint": "INTEGER", "java.sql.types.integer": "INTEGER", "smallint": "SMALLINT", "int2": "SMALLINT",
          "tinyint": "SMALLINT", "boolean": "BOOLEAN", "bool": "BOOLEAN", "java.sql.types.boolean": "BOOLEAN",
          "datetime": "TIMESTAMP WITHOUT TIME ZONE", "timestamp": "TIMESTAMP WITHOUT TIME ZONE", "java.sql.types.timestamp":
          "TIMESTAMP WITHOUT TIME ZONE", "timestamptz": "TIMESTAMP WITH TIME ZONE", "time": "time WITHOUT TIME ZONE",
          "clob": "TEXT", "nclob": "TEXT", "longtext": "TEXT", "mediumtext": "TEXT", "tinytext": "TEXT", "text": "TEXT",
          "blob": "OID", "longblob": "OID", "mediumblob": "OID", "tinyblob": "OID", "double": "DOUBLE PRECISION",
          "double precision": "DOUBLE PRECISION", "float8": "DOUBLE PRECISION", "currency": "DECIMAL", "uuid": "UUID",
          "java.sql.types.varchar": "VARCHAR"}
_SIZED = {"varchar": "VARCHAR", "nvarchar": "VARCHAR", "varchar2": "VARCHAR", "nvarchar2": "VARCHAR", "character varying": "VARCHAR",
          "java.sql.types.varchar": "VARCHAR", "char": "CHAR", "nchar": "CHAR", "decimal": "DECIMAL", "number": "numeric"}
_TYPE = re.compile(r"^\s*([A-Za-z_][\w. ]*?)\s*(\(([^)]*)\))?\s*$")


def sql_type(written: str, line: int) -> str:
    """The type Liquibase writes for PostgreSQL; one it has no word for passes as written (PostgreSQL
    judges it: `jsonb`, `text[]`)."""
    if "${" in written:
        raise Unread(f"type {written}: a changelog property, not filled in", line)
    m = _TYPE.match(written)
    if m is None:
        return written
    base, args = m.group(1).lower(), m.group(3)
    if args is not None and base in _SIZED:
        return f"{_SIZED[base]}({', '.join(a.strip() for a in args.split(','))})"
    if args is None and base in _TYPES:
        return _TYPES[base]
    if args is None and base in _SIZED:
        return _SIZED[base]
    return written


_NUMBERS = {"bigint", "int8", "int", "integer", "int4", "mediumint", "smallint", "int2", "tinyint", "float", "double", "double precision",
            "float8", "decimal", "number", "numeric", "real", "currency"}
_NUMBER = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?")


def _kind(written: str) -> str:
    """How Liquibase writes a default for a column of this type: a number bare in a numeric type of
    its own, TRUE or FALSE in a boolean, else quoted (`float4`, `jsonb`: types it passes through)."""
    m = _TYPE.match(written)
    base = m.group(1).lower() if m is not None else ""
    return "number" if base in _NUMBERS else "boolean" if base in ("boolean", "bool") else "other"


def default_sql(col: Node) -> str | None:
    kind = _kind(col.get("type") or col.get("columnDataType"))
    if "defaultValue" in col.attrs or "defaultValueNumeric" in col.attrs:
        value = col.get("defaultValue") if "defaultValue" in col.attrs else col.get("defaultValueNumeric")
        if kind == "number" and _NUMBER.fullmatch(value.strip()):
            return value.strip()
        if kind == "boolean" and value.strip().lower() in ("true", "false", "1", "0"):
            return "TRUE" if value.strip().lower() in ("true", "1") else "FALSE"
        return quoted(value)
    if "defaultValueBoolean" in col.attrs:
        return "TRUE" if is_true(col.get("defaultValueBoolean")) else "FALSE"
    if "defaultValueComputed" in col.attrs:
        return computed(col.get("defaultValueComputed"))
    if "defaultValueDate" in col.attrs:
        return date_value(col.get("defaultValueDate"), tenths=True)
    if "defaultValueSequenceNext" in col.attrs:
        return f"nextval({quoted(col.get('defaultValueSequenceNext'))})"
    return None


def computed(value: str) -> str:
    """Liquibase's current-time functions (any spelling of CURRENT_TIMESTAMP, with a precision too)
    are PostgreSQL's NOW()."""
    return "NOW()" if value.strip().lower().startswith(("current_timestamp", "current_datetime")) else value


_DATE = re.compile(r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?|\d\d:\d\d(:\d\d)?")


def date_value(value: str, tenths: bool = False) -> str:
    """A date as Liquibase writes it: a literal with a space for the T (a default's with tenths of
    a second), or, where it is no date, the function it names."""
    if not _DATE.fullmatch(value.strip()):
        return computed(value)
    text = value.strip().replace("T", " ")
    return quoted(text + ".0" if tenths and re.fullmatch(r"\S+ \d\d:\d\d:\d\d", text) else text)
