-- Notify listeners when an enforcement is created.

CREATE OR REPLACE FUNCTION notify_enforcement_created()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify('enforcement_created', json_build_object('id', NEW.id, 'rule_ref', NEW.rule_ref)::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER enforcement_created_notify
    AFTER INSERT ON enforcement
    FOR EACH ROW
    EXECUTE FUNCTION notify_enforcement_created();
