-- Execution notifications carry the rule that caused them.

CREATE OR REPLACE FUNCTION notify_execution_change()
RETURNS TRIGGER AS $$
DECLARE
    v_rule_ref TEXT;
BEGIN
    SELECT e.rule_ref INTO v_rule_ref FROM enforcement e WHERE e.id = NEW.enforcement;
    PERFORM pg_notify('execution_change', json_build_object(
        'id', NEW.id,
        'action_ref', NEW.action_ref,
        'status', NEW.status,
        'rule_ref', v_rule_ref
    )::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
