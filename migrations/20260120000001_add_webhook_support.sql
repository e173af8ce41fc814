-- Webhooks: triggers can receive events over HTTP.

ALTER TABLE trigger ADD COLUMN webhook_enabled BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE trigger ADD COLUMN webhook_key VARCHAR(64) UNIQUE;
ALTER TABLE trigger ADD COLUMN webhook_secret VARCHAR(128);

CREATE INDEX idx_trigger_webhook_enabled ON trigger(webhook_enabled) WHERE webhook_enabled = true;

CREATE OR REPLACE FUNCTION generate_webhook_key()
RETURNS VARCHAR(64) AS $$
BEGIN
    RETURN 'wh_' || md5(random()::text || clock_timestamp()::text);
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION enable_trigger_webhook(p_trigger_id BIGINT)
RETURNS VARCHAR(64) AS $$
DECLARE
    v_key VARCHAR(64);
BEGIN
    v_key := generate_webhook_key();
    UPDATE trigger SET webhook_enabled = true, webhook_key = v_key WHERE id = p_trigger_id;
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
    UPDATE trigger SET webhook_key = v_key WHERE id = p_trigger_id;
    RETURN v_key;
END;
$$ LANGUAGE plpgsql;
