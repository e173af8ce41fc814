-- Restore the webhook API the UI still calls, on top of webhook_config.

DROP FUNCTION IF EXISTS enable_trigger_webhook(BIGINT);
DROP FUNCTION IF EXISTS disable_trigger_webhook(BIGINT);
DROP FUNCTION IF EXISTS regenerate_trigger_webhook_key(BIGINT);
DROP FUNCTION IF EXISTS get_webhook_config(BIGINT);

CREATE OR REPLACE FUNCTION enable_trigger_webhook(p_trigger_id BIGINT, p_config JSONB DEFAULT '{}'::jsonb)
RETURNS VARCHAR(64) AS $$
DECLARE
    v_key VARCHAR(64);
BEGIN
    v_key := generate_webhook_key();
    UPDATE trigger
    SET webhook_enabled = true, webhook_key = v_key, webhook_config = webhook_config || p_config
    WHERE id = p_trigger_id;
    RETURN v_key;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION disable_trigger_webhook(p_trigger_id BIGINT)
RETURNS VOID AS $$
BEGIN
    UPDATE trigger SET webhook_enabled = false WHERE id = p_trigger_id;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION regenerate_trigger_webhook_key(p_trigger_id BIGINT)
RETURNS VARCHAR(64) AS $$
DECLARE
    v_key VARCHAR(64);
BEGIN
    v_key := generate_webhook_key();
    UPDATE trigger SET webhook_key = v_key WHERE id = p_trigger_id AND webhook_enabled;
    RETURN v_key;
END;
$$ LANGUAGE plpgsql;
