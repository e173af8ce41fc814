-- Initial setup: extensions, shared types and helper functions.
-- Attune automation platform schema, first cut.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS citext;

DO $$
BEGIN
    RAISE NOTICE 'Attune schema setup starting';
END $$;

-- Kind of runtime an action or sensor runs in.
CREATE TYPE runtime_type_enum AS ENUM ('action', 'sensor');

DO $$
BEGIN
    CREATE TYPE execution_status_enum AS ENUM (
        'requested', 'scheduling', 'scheduled', 'running', 'completed', 'failed', 'canceled', 'timeout'
    );
EXCEPTION
    WHEN duplicate_object THEN null;
END $$;

CREATE TYPE enforcement_status_enum AS ENUM ('created', 'processed', 'disabled');

CREATE TYPE enforcement_condition_enum AS ENUM ('any', 'all');

CREATE TYPE owner_type_enum AS ENUM ('system', 'identity', 'pack', 'action', 'sensor');

CREATE TYPE notification_status_enum AS ENUM ('created', 'queued', 'processing', 'error');

CREATE TYPE artifact_type_enum AS ENUM ('file_binary', 'file_text', 'url', 'progress');

-- Keeps updated columns current on every UPDATE.
CREATE OR REPLACE FUNCTION update_updated_column()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
