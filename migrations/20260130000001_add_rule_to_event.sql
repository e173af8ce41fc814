-- Remember which rule an event was matched by.

ALTER TABLE event ADD COLUMN rule BIGINT;
ALTER TABLE event ADD COLUMN rule_ref TEXT;
ALTER TABLE event ADD CONSTRAINT event_rule_fkey FOREIGN KEY (rule) REFERENCES rule(id) ON DELETE SET NULL;

CREATE INDEX idx_event_rule ON event(rule);

COMMENT ON COLUMN event.rule_ref IS 'Rule reference, kept when the rule is deleted';
