-- Supporting tables: workers, notifications, artifacts, policies.

CREATE TABLE worker (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    host TEXT,
    capabilities JSONB,
    status TEXT NOT NULL DEFAULT 'active',
    last_heartbeat TIMESTAMPTZ,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE notification (
    id BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity TEXT NOT NULL,
    activity TEXT NOT NULL,
    state notification_status_enum NOT NULL DEFAULT 'created',
    content JSONB,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE artifact (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL,
    scope owner_type_enum NOT NULL DEFAULT 'system',
    owner TEXT NOT NULL DEFAULT '',
    type artifact_type_enum NOT NULL,
    retention_limit INTEGER NOT NULL DEFAULT 1,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_artifact_ref ON artifact(ref);

CREATE TABLE policy (
    id BIGSERIAL PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    pack BIGINT REFERENCES pack(id) ON DELETE CASCADE,
    action BIGINT REFERENCES action(id) ON DELETE CASCADE,
    parameters TEXT[] DEFAULT '{}',
    method TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- Actions with the pack they come from, for the UI.
CREATE VIEW action_overview AS
SELECT a.id, a.ref, a.label, p.ref AS pack_ref, p.version AS pack_version
FROM action a
JOIN pack p ON p.id = a.pack;

GRANT SELECT ON action_overview TO attune_readonly;
