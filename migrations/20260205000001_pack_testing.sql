-- Pack test runs and their results.

CREATE TYPE pack_test_outcome AS (
    passed INTEGER,
    failed INTEGER,
    skipped INTEGER
);

CREATE TABLE pack_test_execution (
    id BIGSERIAL PRIMARY KEY,
    pack BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_version TEXT NOT NULL,
    execution_time TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    trigger_reason TEXT NOT NULL,
    outcome pack_test_outcome,
    result JSONB NOT NULL DEFAULT '{}'::jsonb,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_pack_test_execution_pack ON pack_test_execution(pack, execution_time DESC);

-- Latest test run per pack, with the pack's ref.
CREATE VIEW pack_test_latest AS
SELECT DISTINCT ON (t.pack) t.pack, p.ref AS pack_ref, t.pack_version, t.execution_time, t.outcome
FROM pack_test_execution t
JOIN pack p ON p.id = t.pack
ORDER BY t.pack, t.execution_time DESC;

COMMENT ON VIEW pack_test_latest IS 'Most recent test run of each pack';

GRANT SELECT ON pack_test_execution, pack_test_latest TO attune_readonly;

ALTER TABLE notification RENAME COLUMN content TO payload;

ALTER TABLE artifact ALTER COLUMN retention_limit SET DEFAULT 5;
ALTER TABLE worker ALTER COLUMN status TYPE VARCHAR(32);
