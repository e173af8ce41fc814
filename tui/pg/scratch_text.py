"""A migration's text as a build in a scratch database runs it: what reaches past that database
is pointed at it (its own name for the application's database), left out where the run has
done it already (a role the history creates), or refused on the user's own server."""

from __future__ import annotations

import functools
import re
from dataclasses import replace

import psycopg

from tui.core.formats.base import Migration
from tui.core.parse import Statement, parse_history
from tui.pg import history_roles, own_database


class Refused(Exception):
    """A statement that would act on the user's server outside the scratch database."""

    def __init__(self, st: Statement, why: str) -> None:
        super().__init__(why)
        self.st, self.why = st, why


def may_need(m: Migration) -> bool:
    return _may_need(m.sql)


@functools.lru_cache(maxsize=4096)
def _may_need(sql: str) -> bool:
    # Kept per text, as host_access is: every build of the history looks at the same files.
    return history_roles.may_hold(sql) or own_database.may_hold(sql)


def prepared(conn: psycopg.Connection, server_name: str, made: list[str], dbname: str,  # type: ignore[type-arg]
             m: Migration, parts: list[Statement] | None) -> tuple[Migration, list[Statement] | None]:
    """The file and its statements as this build runs them (the same objects when nothing changes)."""
    listed = parts if parts is not None else parse_history([m]).statements
    theirs = server_name == "url"  # the user's own server: what is outside the scratch database is theirs
    changes: dict[int, str] = {}  # id of a statement -> its text in this build ("": left out)
    roles = history_roles.role_statements(listed)
    if roles:
        found = history_roles.foreign(roles, made) if theirs else None
        if found is not None:
            raise Refused(found[0], f"it drops or changes {found[1]}, which belongs to your whole server, not to the "
                                    "scratch database: prove it on a throwaway server (--pg local, docker or embedded)")
        changes.update((id(st), "") for st in history_roles.left_out(conn, roles, made))
    for st in listed:
        if st.parent is not None:
            continue
        if theirs and own_database.reaches_past(st.node):
            raise Refused(st, "it creates, drops or renames a database of your server, past the scratch database: prove "
                              "it on a throwaway server (--pg local, docker or embedded)")
        if own_database.names_a_database(st.node):
            changes[id(st)] = own_database.pointed_at(st.text, dbname)
    if not changes:
        return m, parts
    sql = _spliced(m, [(st, changes[id(st)]) for st in listed if id(st) in changes])
    kept = [replace(st, text=changes[id(st)]) if id(st) in changes else st for st in listed if changes.get(id(st)) != ""]
    return replace(m, sql=sql), kept


def _spliced(m: Migration, changes: list[tuple[Statement, str]]) -> str:
    """The file's text with each statement's text replaced (a statement left out turns into blanks,
    its semicolon an empty statement); every line stays where it was, so an error's position
    still names its line."""
    sql = m.sql
    starts = [0] + [i + 1 for i, ch in enumerate(sql) if ch == "\n"]
    for st, text in sorted(changes, key=lambda c: (c[0].line, c[0].column), reverse=True):
        at = starts[st.line - m.first_line] + st.column - 1
        end = at + len(st.text)
        if sql[at:end] != st.text:
            continue  # not where the parse put it (a file split by the scanner): run as written
        new = text or re.sub(r"[^\n]", " ", st.text)
        new += "\n" * (st.text.count("\n") - new.count("\n"))
        sql = sql[:at] + new + sql[end:]
    return sql
