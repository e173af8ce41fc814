-- Notify listeners when an execution is created or changes status.

CREATE OR REPLACE FUNCTION notify_execution_change()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify('execution_change', json_build_object(
        'id', NEW.id,
        'action_ref', NEW.action_ref,
        'status', NEW.status
    )::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER execution_change_notify
    AFTER INSERT OR UPDATE ON execution
    FOR EACH ROW
    EXECUTE FUNCTION notify_execution_change();
