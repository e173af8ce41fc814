-- Task executions move into the execution row itself.

ALTER TABLE execution ADD COLUMN workflow_task JSONB;

DROP TABLE workflow_task_execution;

CREATE INDEX idx_execution_workflow_task ON execution USING GIN (workflow_task) WHERE workflow_task IS NOT NULL;
