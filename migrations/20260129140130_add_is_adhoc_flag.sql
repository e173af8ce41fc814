-- Ad-hoc objects are created from the UI, not from a pack.

ALTER TABLE action ADD COLUMN is_adhoc BOOLEAN DEFAULT false NOT NULL;
ALTER TABLE sensor ADD COLUMN is_adhoc BOOLEAN DEFAULT false NOT NULL;
ALTER TABLE rule ADD COLUMN is_adhoc BOOLEAN DEFAULT false NOT NULL;

CREATE INDEX idx_action_adhoc ON action(is_adhoc) WHERE is_adhoc;
