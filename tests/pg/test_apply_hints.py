"""What the tool tells a user whose history does not apply on the server it was given."""

from __future__ import annotations

import pytest

from tests.conftest import requires_pg
from tui.core.formats.base import Migration
from tui.pg.local_server import local_server
from tui.pg.runner import PREAMBLE_HINT, ApplyError, apply_migrations, hint_for

pytestmark = pytest.mark.pg


def test_a_missing_extension_asks_for_another_server_not_a_preamble() -> None:
    assert "lacks the extension vector" in hint_for('migration failed: extension "vector" is not available')
    assert hint_for('migration failed: relation "app.users" does not exist') == PREAMBLE_HINT


@requires_pg
def test_the_servers_own_words_for_a_missing_extension_are_read() -> None:
    with local_server() as server:
        db = server.create_database("hint")
        with pytest.raises(ApplyError) as caught:
            apply_migrations(server, db, [Migration("1", "m", "migrations/1_m.sql", "CREATE EXTENSION csl_no_such_extension;\n")])
    assert "lacks the extension csl_no_such_extension" in hint_for(caught.value.message), caught.value.message


@requires_pg
def test_a_statement_refused_in_a_transaction_asks_for_the_formats_mark_not_a_preamble() -> None:
    """A file that runs in a transaction as its tool runs it, holding what PostgreSQL refuses there
    (a knex migration with `transaction: false` laid out as a plain sqlx file)."""
    with local_server() as server:
        db = server.create_database("hint")
        text = "CREATE TABLE search (key text, value text);\nCREATE INDEX CONCURRENTLY search_kv ON search (key, value);\n"
        with pytest.raises(ApplyError) as caught:
            apply_migrations(server, db, [Migration("1", "m", "migrations/1_m.sql", text)])
    hint = hint_for(caught.value.message)
    assert hint != PREAMBLE_HINT and "-- no-transaction" in hint, (caught.value.message, hint)
