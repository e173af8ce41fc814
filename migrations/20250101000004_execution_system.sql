-- Execution system: executions, workflow definitions and their task executions.

CREATE TABLE execution (
    id BIGSERIAL PRIMARY KEY,
    action BIGINT REFERENCES action(id),
    action_ref TEXT NOT NULL,
    config JSONB,
    parent BIGINT REFERENCES execution(id),
    enforcement BIGINT REFERENCES enforcement(id),
    executor BIGINT,
    status execution_status_enum NOT NULL DEFAULT 'requested',
    result JSONB,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_execution_status_created ON execution(status, created DESC);

CREATE TABLE workflow_definition (
    id BIGSERIAL PRIMARY KEY,
    ref VARCHAR(255) NOT NULL UNIQUE,
    pack BIGINT NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    pack_ref VARCHAR(255) NOT NULL,
    label VARCHAR(255) NOT NULL,
    version VARCHAR(50) NOT NULL,
    definition JSONB NOT NULL,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE workflow_task_execution (
    id BIGSERIAL PRIMARY KEY,
    workflow_execution BIGINT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
    execution BIGINT NOT NULL REFERENCES execution(id) ON DELETE CASCADE,
    task_name VARCHAR(255) NOT NULL,
    task_index INTEGER,
    retry_count INTEGER NOT NULL DEFAULT 0,
    max_retries INTEGER NOT NULL DEFAULT 0,
    timeout_seconds INTEGER,
    timed_out BOOLEAN NOT NULL DEFAULT false,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_wte_workflow ON workflow_task_execution(workflow_execution);

-- Workflow support on executions.
ALTER TABLE execution
    ADD COLUMN is_workflow BOOLEAN DEFAULT false NOT NULL,
    ADD COLUMN workflow_def BIGINT REFERENCES workflow_definition(id);
