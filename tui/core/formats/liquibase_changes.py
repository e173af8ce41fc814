"""Liquibase's change types (`createTable`, `addColumn`...) as the SQL Liquibase 4 runs for them on
PostgreSQL: its types (`datetime` is TIMESTAMP WITHOUT TIME ZONE, `clob` TEXT, `blob` OID), its
names (quoted where PostgreSQL folds them: `MyTable`, `user`), its defaults and its constraints'
names, checked against `liquibase update-sql` (tests/pg/test_liquibase_binary.py). A change type
or attribute not listed here is refused by name, never guessed: the changeset is not read."""

from __future__ import annotations

import re
from collections.abc import Callable

from pglast.stream import maybe_double_quote_name

from tui.core.formats.liquibase_xml import Node


class Unread(ValueError):
    """A change (or attribute) this module does not turn into SQL, at the line of its element."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _name(name: str) -> str:
    return maybe_double_quote_name(name)


def _table(node: Node, attr: str = "tableName", schema_attr: str = "schemaName") -> str:
    if not node.get(attr):
        raise Unread(f"{node.tag} without {attr}", node.line)
    schema = node.get(schema_attr)
    return (f"{_name(schema)}." if schema else "") + _name(node.get(attr))


def _string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _true(value: str) -> bool:
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


def _default(col: Node) -> str | None:
    if "defaultValue" in col.attrs:
        return _string(col.get("defaultValue"))
    if "defaultValueNumeric" in col.attrs:
        return col.get("defaultValueNumeric")
    if "defaultValueBoolean" in col.attrs:
        return "TRUE" if _true(col.get("defaultValueBoolean")) else "FALSE"
    if "defaultValueComputed" in col.attrs:
        return _computed(col.get("defaultValueComputed"))
    if "defaultValueDate" in col.attrs:
        return _date_value(col.get("defaultValueDate"), tenths=True)
    if "defaultValueSequenceNext" in col.attrs:
        return f"nextval({_string(col.get('defaultValueSequenceNext'))})"
    return None


def _computed(value: str) -> str:
    """Liquibase's current-time functions (any spelling of CURRENT_TIMESTAMP, with a precision too)
    are PostgreSQL's NOW()."""
    return "NOW()" if value.strip().lower().startswith(("current_timestamp", "current_datetime")) else value


_DATE = re.compile(r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?|\d\d:\d\d(:\d\d)?")


def _date_value(value: str, tenths: bool = False) -> str:
    """A date as Liquibase writes it: a literal with a space for the T (a default's with tenths of
    a second), or, where it is no date, the function it names."""
    if not _DATE.fullmatch(value.strip()):
        return _computed(value)
    text = value.strip().replace("T", " ")
    return _string(text + ".0" if tenths and re.fullmatch(r"\S+ \d\d:\d\d:\d\d", text) else text)


_COLUMN_ATTRS = {"name", "type", "autoIncrement", "startWith", "incrementBy", "remarks", "defaultValue", "defaultValueNumeric",
                 "defaultValueBoolean", "defaultValueComputed", "defaultValueDate", "defaultValueSequenceNext", "descending",
                 "computed", "value", "valueNumeric", "valueBoolean", "valueComputed", "valueDate", "encoding"}
_CONSTRAINT_ATTRS = {"primaryKey", "primaryKeyName", "nullable", "unique", "uniqueConstraintName", "foreignKeyName", "references",
                     "referencedTableName", "referencedColumnNames", "referencedTableSchemaName", "deleteCascade", "deferrable",
                     "initiallyDeferred", "notNullConstraintName", "validateNullable", "validateUnique", "validatePrimaryKey",
                     "validateForeignKey"}


def _column(col: Node, table: str, bare_table: str, pk: list[str], extra: list[str], comments: list[str]) -> str:
    unknown = set(col.attrs) - _COLUMN_ATTRS
    if unknown:
        raise Unread(f"column attribute {min(unknown)}", col.line)
    name = _name(col.get("name"))
    text = f"{name} {sql_type(col.get('type'), col.line)}"
    if _true(col.get("autoIncrement")):
        steps = [f"START WITH {col.get('startWith')}"] if col.get("startWith") else []
        steps += [f"INCREMENT BY {col.get('incrementBy')}"] if col.get("incrementBy") else []
        text += " GENERATED BY DEFAULT AS IDENTITY" + (f" ({' '.join(steps)})" if steps else "")
    if (default := _default(col)) is not None:
        text += f" DEFAULT {default}"
    not_null = False
    for c in col.children:
        if c.tag != "constraints":
            raise Unread(f"<{c.tag}> in a column", c.line)
        unknown = set(c.attrs) - _CONSTRAINT_ATTRS
        if unknown:
            raise Unread(f"constraint attribute {min(unknown)}", c.line)
        if any(c.get(k) and not _true(c.get(k)) for k in ("validateNullable", "validateUnique", "validatePrimaryKey", "validateForeignKey")):
            raise Unread("a constraint not validated", c.line)
        if _true(c.get("primaryKey")):
            pk.append(name)
            not_null = True
            if c.get("primaryKeyName"):
                pk.insert(0, "=" + c.get("primaryKeyName"))
        if c.get("nullable") and not _true(c.get("nullable")):
            not_null = True
            if c.get("notNullConstraintName"):
                raise Unread("a named NOT NULL", c.line)
        if _true(c.get("unique")):
            named = f"CONSTRAINT {_name(c.get('uniqueConstraintName'))} " if c.get("uniqueConstraintName") else ""
            extra.append(f"{named}UNIQUE ({name})")
        refs = c.get("references") or (f"{c.get('referencedTableSchemaName') + '.' if c.get('referencedTableSchemaName') else ''}"
                                       f"{c.get('referencedTableName')}({c.get('referencedColumnNames')})" if c.get("referencedTableName") else "")
        if refs:
            if not c.get("foreignKeyName"):
                raise Unread("a foreign key without foreignKeyName", c.line)
            if c.get("references"):  # (written into the statement as it is, as Liquibase does)
                target = refs
            else:
                target = (f"{_name(c.get('referencedTableSchemaName'))}." if c.get("referencedTableSchemaName") else "") + \
                    f"{_name(c.get('referencedTableName'))}({', '.join(_name(x.strip()) for x in c.get('referencedColumnNames').split(','))})"
            fk = f"CONSTRAINT {_name(c.get('foreignKeyName'))} FOREIGN KEY ({name}) REFERENCES {target}"
            fk += " ON DELETE CASCADE" if _true(c.get("deleteCascade")) else ""
            fk += " INITIALLY DEFERRED" if _true(c.get("initiallyDeferred")) else ""
            fk += " DEFERRABLE" if _true(c.get("deferrable")) else ""
            extra.append(fk)
    if not_null:
        text += " NOT NULL"
    if col.get("remarks"):
        comments.append(f"COMMENT ON COLUMN {table}.{name} IS {_string(col.get('remarks'))}")
    return text


def _create_table(n: Node) -> list[str]:
    table = _table(n)
    pk: list[str] = []
    extra: list[str] = []
    comments: list[str] = [f"COMMENT ON TABLE {table} IS {_string(n.get('remarks'))}"] if n.get("remarks") else []
    cols = [_column(c, table, n.get("tableName"), pk, extra, comments) for c in n.children if c.tag == "column"]
    if any(c.tag != "column" for c in n.children):
        raise Unread(f"<{next(c.tag for c in n.children if c.tag != 'column')}> in createTable", n.line)
    parts = list(cols)
    if pk:
        named = [p[1:] for p in pk if p.startswith("=")]
        cols_ = [p for p in pk if not p.startswith("=")]
        parts.append(f"CONSTRAINT {_name(named[0] if named else n.get('tableName') + '_pkey')} PRIMARY KEY ({', '.join(cols_)})")
    parts += extra
    return [f"CREATE TABLE {table} ({', '.join(parts)})", *comments]


def _add_column(n: Node) -> list[str]:
    table = _table(n)
    out: list[str] = []
    for c in n.children:
        pk: list[str] = []
        extra: list[str] = []
        comments: list[str] = []
        if c.tag != "column" or set(c.attrs) & {"afterColumn", "beforeColumn", "position"}:
            raise Unread(f"<{c.tag}> in addColumn" if c.tag != "column" else "a column placed (not on PostgreSQL)", c.line)
        out.append(f"ALTER TABLE {table} ADD {_column(c, table, n.get('tableName'), pk, extra, comments)}")
        if pk:
            out.append(f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(p for p in pk if not p.startswith('='))})")
        out += [f"ALTER TABLE {table} ADD {e}" for e in extra] + comments
    return out


def _columns(value: str) -> str:
    return ", ".join(_name(c.strip()) for c in value.split(","))


def _fk(n: Node) -> list[str]:
    base = _table(n, "baseTableName", "baseTableSchemaName")
    ref = _table(n, "referencedTableName", "referencedTableSchemaName")
    sql = (f"ALTER TABLE {base} ADD CONSTRAINT {_name(n.get('constraintName'))} FOREIGN KEY ({_columns(n.get('baseColumnNames'))}) "
           f"REFERENCES {ref} ({_columns(n.get('referencedColumnNames'))})")
    for attr, words in (("onDelete", "ON DELETE"), ("onUpdate", "ON UPDATE")):
        if n.get(attr):
            sql += f" {words} {n.get(attr).upper()}"
    if _true(n.get("deferrable")):
        sql += " DEFERRABLE"
    if _true(n.get("initiallyDeferred")):
        sql += " INITIALLY DEFERRED"
    if n.get("validate") and not _true(n.get("validate")):
        sql += " NOT VALID"
    return [sql]


def _create_index(n: Node) -> list[str]:
    cols = []
    for c in n.children:
        if c.tag != "column":
            raise Unread(f"<{c.tag}> in createIndex", c.line)
        col = c.get("name") if _true(c.get("computed")) else _name(c.get("name"))
        cols.append(col + (" DESC" if _true(c.get("descending")) else ""))
    unique = "UNIQUE " if _true(n.get("unique")) else ""
    return [f"CREATE {unique}INDEX {_name(n.get('indexName'))} ON {_table(n)}({', '.join(cols)})"]


def _not_null(n: Node) -> list[str]:
    table, col = _table(n), _name(n.get("columnName"))
    out = [f"UPDATE {table} SET {col} = {_string(n.get('defaultNullValue'))} WHERE {col} IS NULL"] if n.get("defaultNullValue") else []
    return out + [f"ALTER TABLE {table} ALTER COLUMN  {col} SET NOT NULL"]


def _drop_primary_key(n: Node) -> list[str]:
    table = _table(n)
    if n.get("constraintName"):
        return [f"ALTER TABLE {table} DROP CONSTRAINT {_name(n.get('constraintName'))}"]
    schema = n.get("schemaName")
    where = f" AND TABLE_SCHEMA = {_string(schema)}" if schema else ""
    # (Liquibase's block, on one line: the statements after it stay on their changes' lines)
    return [(f"DO $$ DECLARE constraint_name varchar; BEGIN SELECT tc.CONSTRAINT_NAME into strict constraint_name "
             f"FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc WHERE CONSTRAINT_TYPE = 'PRIMARY KEY' "
             f"AND TABLE_NAME = {_string(n.get('tableName'))}{where}; "
             f"EXECUTE 'alter table {table.replace(chr(39), chr(39) * 2)} drop constraint \"' || constraint_name || '\"'; END $$")]


def _sequence(n: Node) -> list[str]:
    sql = f"CREATE SEQUENCE  IF NOT EXISTS {_table(n, 'sequenceName')}"
    for attr, words in (("startValue", "START WITH"), ("incrementBy", "INCREMENT BY"), ("minValue", "MINVALUE"), ("maxValue", "MAXVALUE"),
                        ("cacheSize", "CACHE")):
        if n.get(attr):
            sql += f" {words} {n.get(attr)}"
    if _true(n.get("cycle")):
        sql += " CYCLE"
    if n.get("dataType"):
        raise Unread("a sequence's dataType", n.line)
    return [sql]


def _value(c: Node) -> str:
    if "value" in c.attrs:
        return _string(c.get("value"))
    if "valueNumeric" in c.attrs:
        return c.get("valueNumeric")
    if "valueBoolean" in c.attrs:
        return "TRUE" if _true(c.get("valueBoolean")) else "FALSE"
    if "valueComputed" in c.attrs:
        return _computed(c.get("valueComputed"))
    if "valueDate" in c.attrs:
        return _date_value(c.get("valueDate"))
    return "NULL"


def _insert(n: Node) -> list[str]:
    cols = [c for c in n.children if c.tag == "column"]
    if len(cols) != len(n.children) or not cols:
        raise Unread("an insert without plain columns", n.line)
    return [f"INSERT INTO {_table(n)} ({', '.join(_name(c.get('name')) for c in cols)}) VALUES ({', '.join(_value(c) for c in cols)})"]


def _sql(n: Node) -> list[str]:
    if n.get("endDelimiter") not in ("", ";"):
        raise Unread(f"sql ending its statements with {n.get('endDelimiter')!r}", n.line)
    return [n.text.strip().rstrip(";")] if n.text.strip() else []


def _view(n: Node) -> list[str]:
    verb = "CREATE OR REPLACE VIEW" if _true(n.get("replaceIfExists")) else "CREATE VIEW"
    if n.get("fullDefinition") and _true(n.get("fullDefinition")):
        return [n.text.strip().rstrip(";")]
    return [f"{verb} {_table(n, 'viewName')} AS {n.text.strip().rstrip(';')}"]


_CHANGES: dict[str, Callable[[Node], list[str]]] = {
    "createTable": _create_table,
    "addColumn": _add_column,
    "dropColumn": lambda n: [f"ALTER TABLE {_table(n)} DROP COLUMN {_name(c)}" for c in
                             ([n.get("columnName")] if n.get("columnName") else [c.get("name") for c in n.children])],
    "renameColumn": lambda n: [f"ALTER TABLE {_table(n)} RENAME COLUMN {_name(n.get('oldColumnName'))} TO {_name(n.get('newColumnName'))}"],
    "renameTable": lambda n: [f"ALTER TABLE {_table(n, 'oldTableName')} RENAME TO {_name(n.get('newTableName'))}"],
    "dropTable": lambda n: [f"DROP TABLE {_table(n)}" + (" CASCADE" if _true(n.get("cascadeConstraints")) else "")],
    "createIndex": _create_index,
    "dropIndex": lambda n: [f"DROP INDEX {(_name(n.get('schemaName')) + '.') if n.get('schemaName') else ''}{_name(n.get('indexName'))}"],
    "addForeignKeyConstraint": _fk,
    "dropForeignKeyConstraint": lambda n: [(f"ALTER TABLE {_table(n, 'baseTableName', 'baseTableSchemaName')} DROP CONSTRAINT "
                                            f"{_name(n.get('constraintName'))}")],
    "addPrimaryKey": lambda n: [f"ALTER TABLE {_table(n)} ADD " + (f"CONSTRAINT {_name(n.get('constraintName'))} " if n.get("constraintName") else "")
                                + f"PRIMARY KEY ({_columns(n.get('columnNames'))})"],
    "dropPrimaryKey": _drop_primary_key,
    "addUniqueConstraint": lambda n: [f"ALTER TABLE {_table(n)} ADD " + (f"CONSTRAINT {_name(n.get('constraintName'))} " if n.get("constraintName") else "")
                                      + f"UNIQUE ({_columns(n.get('columnNames'))})"],
    "dropUniqueConstraint": lambda n: [f"ALTER TABLE {_table(n)} DROP CONSTRAINT {_name(n.get('constraintName'))}"],
    "addNotNullConstraint": _not_null,
    "dropNotNullConstraint": lambda n: [f"ALTER TABLE {_table(n)} ALTER COLUMN  {_name(n.get('columnName'))} DROP NOT NULL"],
    "addDefaultValue": lambda n: [f"ALTER TABLE {_table(n)} ALTER COLUMN  {_name(n.get('columnName'))} SET DEFAULT {_default(n)}"],
    "dropDefaultValue": lambda n: [f"ALTER TABLE {_table(n)} ALTER COLUMN {_name(n.get('columnName'))} DROP DEFAULT"],
    "modifyDataType": lambda n: [(f"ALTER TABLE {_table(n)} ALTER COLUMN {_name(n.get('columnName'))} TYPE "
                                  f"{sql_type(n.get('newDataType'), n.line)} USING ({_name(n.get('columnName'))}::"
                                  f"{sql_type(n.get('newDataType'), n.line)})")],
    "createSequence": _sequence,
    "dropSequence": lambda n: [f"DROP SEQUENCE {_table(n, 'sequenceName')} CASCADE"],
    "createView": _view,
    "dropView": lambda n: [f"DROP VIEW {_table(n, 'viewName')}"],
    "insert": _insert,
    "sql": _sql,
    "tagDatabase": lambda n: [],
    "empty": lambda n: [],
    "output": lambda n: [],
}
# What a changeset holds that is no change: said elsewhere (preconditions) or not run (rollback).
PASSED_OVER = {"comment", "rollback", "validCheckSum", "preConditions"}


def change_sql(n: Node) -> list[str]:
    """The statements (without their semicolons) Liquibase runs for one change element."""
    make = _CHANGES.get(n.tag)
    if make is None:
        raise Unread(f"the change type {n.tag}, which consolidate does not read", n.line)
    if n.get("dbms"):
        raise Unread(f"{n.tag} for dbms {n.get('dbms')}", n.line)
    if n.tag == "addDefaultValue" and _default(n) is None:
        raise Unread("addDefaultValue without a value", n.line)
    return make(n)
