-- Workers take a role: action runners or sensor hosts.

CREATE TYPE worker_role_enum AS ENUM ('action', 'sensor', 'hybrid');

ALTER TABLE worker ADD COLUMN worker_role worker_role_enum NOT NULL DEFAULT 'action';

ALTER TABLE worker RENAME COLUMN host TO hostname;

COMMENT ON COLUMN worker.worker_role IS 'What this worker runs';
