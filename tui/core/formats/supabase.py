"""Supabase: `supabase/migrations/<timestamp>_<name>.sql`, applied in version order, each in a
transaction, by `supabase db push` or `supabase migration up`. Bookkeeping:
`supabase_migrations.schema_migrations(version, statements, name)`.

The platform's own schemas (`auth`, `storage`), roles and realtime publication are not the
user's: the history refers to them (a profile row per `auth.users` row, policies calling
`auth.uid()`, buckets, `ALTER PUBLICATION supabase_realtime ADD TABLE`, a database webhook's
trigger on `supabase_functions.http_request`), so a stub of them is the preamble, replayed into
the model and run before both builds, and never written into the new set."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pglast import split

from tui.core.errors import Diagnostic
from tui.core.formats.base import Bookkeeping, Format, Found, Layout, Migration, NewFile, Recorded, replace_rows, up_down
from tui.core.formats.named import named_files

PATTERN = re.compile(r"^(\d+)_(.*)\.sql$")

# What a Supabase project has before its first migration, as far as migrations refer to it.
# uuid-ossp and pgcrypto come enabled in `extensions`, which is on the platform's search path: a
# history calls uuid_generate_v4() unqualified, made by none of its migrations (where the server
# lacks one, the history's call fails there as it would).
PLATFORM = """\
CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS storage;
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE PUBLICATION supabase_realtime;
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'uuid-ossp') THEN
    CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
  END IF;
  IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pgcrypto') THEN
    CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;
  END IF;
END $$;
CREATE TABLE IF NOT EXISTS auth.users (
  id uuid PRIMARY KEY, aud varchar(255), role varchar(255), email varchar(255), phone text,
  encrypted_password varchar(255), email_confirmed_at timestamptz, last_sign_in_at timestamptz,
  raw_app_meta_data jsonb, raw_user_meta_data jsonb, is_super_admin boolean, is_anonymous boolean NOT NULL DEFAULT false,
  created_at timestamptz, updated_at timestamptz, deleted_at timestamptz
);
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(coalesce(current_setting('request.jwt.claim.sub', true), current_setting('request.jwt.claims', true)::jsonb ->> 'sub'), '')::uuid $$;
CREATE OR REPLACE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(coalesce(current_setting('request.jwt.claim.role', true), current_setting('request.jwt.claims', true)::jsonb ->> 'role'), '')::text $$;
CREATE OR REPLACE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(coalesce(current_setting('request.jwt.claim.email', true), current_setting('request.jwt.claims', true)::jsonb ->> 'email'), '')::text $$;
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''), nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$;
CREATE TABLE IF NOT EXISTS storage.buckets (
  id text PRIMARY KEY, name text NOT NULL, owner uuid, public boolean DEFAULT false, avif_autodetection boolean DEFAULT false,
  file_size_limit bigint, allowed_mime_types text[], created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name);
CREATE TABLE IF NOT EXISTS storage.objects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), bucket_id text REFERENCES storage.buckets (id), name text, owner uuid,
  owner_id text, metadata jsonb, path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED, version text,
  created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), last_accessed_at timestamptz DEFAULT now()
);
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS
  $$ DECLARE _parts text[]; BEGIN SELECT string_to_array(name, '/') INTO _parts; RETURN _parts[1:array_length(_parts, 1) - 1]; END $$;
CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS
  $$ DECLARE _parts text[]; BEGIN SELECT string_to_array(name, '/') INTO _parts; RETURN _parts[array_length(_parts, 1)]; END $$;
CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS
  $$ DECLARE _parts text[]; _filename text; BEGIN SELECT string_to_array(name, '/') INTO _parts;
     SELECT _parts[array_length(_parts, 1)] INTO _filename; RETURN reverse(split_part(reverse(_filename), '.', 1)); END $$;
CREATE SCHEMA IF NOT EXISTS supabase_functions;
CREATE OR REPLACE FUNCTION supabase_functions.http_request() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RETURN NEW; END $$;
SET search_path = "$user", public, extensions;
"""
ROLES = ("anon", "authenticated", "service_role", "supabase_admin", "supabase_auth_admin", "supabase_storage_admin",
         "authenticator", "dashboard_user")


def looks_like(folder: Path) -> bool:
    """A `migrations` folder inside `supabase/`, beside the CLI's `config.toml` or not."""
    return folder.name == "migrations" and folder.parent.name == "supabase"


def read(folder: Path, root: Path, diags: list[Diagnostic]) -> Found:
    found: list[Migration] = []
    others: list[str] = []
    for p, m in named_files(folder, root, PATTERN, others):
        found.append(up_down(m.group(1), m.group(2), p, None, root, diags, sort_key=(int(m.group(1)),)))
    return found, others


def layout(f: NewFile, reversible: bool) -> Layout:
    return Layout(f"{f.version}_{f.group}.sql", f.header + f.body)


def bookkeeping(migs: list[Migration], data: Callable[[Migration], bytes]) -> Bookkeeping:
    def statements(m: Migration) -> str:
        try:
            parts = [s.strip() for s in split(data(m).decode("utf-8"))]
        except Exception:  # noqa: BLE001 - the statements column is for people; an unsplittable file keeps its whole text
            parts = [data(m).decode("utf-8", "replace")]
        return "{" + ",".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in parts) + "}"

    rows: list[tuple[object, ...]] = [(m.version, statements(m), m.name) for m in migs]
    return replace_rows(FORMAT.table, "version, statements, name", rows, len(migs))


FORMAT = Format("supabase", "supabase_migrations.schema_migrations", read, layout, bookkeeping, PLATFORM, ROLES,
                recorded=Recorded("SELECT version FROM supabase_migrations.schema_migrations", lambda m: m.version))
