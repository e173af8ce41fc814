-- Notify listeners when an event is created.

CREATE OR REPLACE FUNCTION notify_event_created()
RETURNS TRIGGER AS $$
BEGIN
    PERFORM pg_notify('event_created', json_build_object('id', NEW.id, 'trigger_ref', NEW.trigger_ref)::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER event_created_notify
    AFTER INSERT ON event
    FOR EACH ROW
    EXECUTE FUNCTION notify_event_created();
