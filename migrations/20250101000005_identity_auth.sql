-- Identity and authentication.

CREATE SEQUENCE identity_login_seq START WITH 1000 INCREMENT BY 1;

CREATE TABLE identity (
    id BIGSERIAL PRIMARY KEY,
    login CITEXT NOT NULL UNIQUE,
    display_name TEXT,
    password_hash TEXT,
    attributes JSONB NOT NULL DEFAULT '{}'::jsonb,
    login_number BIGINT NOT NULL DEFAULT nextval('identity_login_seq'),
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

COMMENT ON TABLE identity IS 'People and service accounts that can sign in';
COMMENT ON COLUMN identity.login IS 'Case-insensitive login name';

CREATE TABLE api_key (
    id BIGSERIAL PRIMARY KEY,
    identity BIGINT NOT NULL REFERENCES identity(id) ON DELETE CASCADE,
    key_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    expires TIMESTAMPTZ,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

COMMENT ON TABLE api_key IS 'API keys (hashed)';

CREATE TABLE permission_set (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    grants JSONB NOT NULL DEFAULT '[]'::jsonb
);

INSERT INTO permission_set (ref, grants) VALUES
    ('core.admin', '["*"]'),
    ('core.viewer', '["read:*"]');

-- The reporting role is managed outside the migrations.
GRANT SELECT ON identity, api_key TO attune_readonly;
GRANT SELECT, INSERT, UPDATE ON permission_set TO attune_readonly;
