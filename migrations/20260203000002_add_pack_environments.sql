-- Packs declare installers; each runtime gets an isolated environment per pack.

CREATE TYPE pack_environment_status_enum AS ENUM ('pending', 'installing', 'ready', 'failed', 'outdated');

ALTER TABLE pack ADD COLUMN installers JSONB DEFAULT '[]'::jsonb;

CREATE TABLE pack_environment (
    id BIGSERIAL PRIMARY KEY,
    pack BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref TEXT NOT NULL,
    runtime BIGINT NOT NULL REFERENCES runtime(id) ON DELETE CASCADE,
    runtime_ref TEXT NOT NULL,
    env_path TEXT NOT NULL,
    status pack_environment_status_enum NOT NULL DEFAULT 'pending',
    installed_at TIMESTAMPTZ,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (pack, runtime)
);

CREATE INDEX idx_pack_environment_status ON pack_environment(status);

CREATE TRIGGER update_pack_environment_updated
    BEFORE UPDATE ON pack_environment
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_column();
