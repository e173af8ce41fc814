-- Fold the webhook settings into one JSONB column.

ALTER TABLE trigger ADD COLUMN webhook_config JSONB NOT NULL DEFAULT '{}'::jsonb;

DROP FUNCTION configure_trigger_webhook_hmac(BIGINT, BOOLEAN, VARCHAR);
DROP FUNCTION configure_trigger_webhook_rate_limit(BIGINT, BOOLEAN, INTEGER, INTEGER);

DROP INDEX idx_trigger_webhook_enabled;

ALTER TABLE trigger DROP COLUMN webhook_secret;
ALTER TABLE trigger
    DROP COLUMN webhook_hmac_enabled,
    DROP COLUMN webhook_hmac_secret,
    DROP COLUMN webhook_hmac_algorithm,
    DROP COLUMN webhook_rate_limit_enabled,
    DROP COLUMN webhook_rate_limit_requests,
    DROP COLUMN webhook_rate_limit_window_seconds,
    DROP COLUMN webhook_ip_whitelist,
    DROP COLUMN webhook_payload_size_limit_kb;

CREATE OR REPLACE FUNCTION enable_trigger_webhook(p_trigger_id BIGINT, p_config JSONB)
RETURNS VARCHAR(64) AS $$
DECLARE
    v_key VARCHAR(64);
BEGIN
    v_key := enable_trigger_webhook(p_trigger_id);
    UPDATE trigger SET webhook_config = p_config WHERE id = p_trigger_id;
    RETURN v_key;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION get_webhook_config(p_trigger_id BIGINT)
RETURNS JSONB AS $$
    SELECT webhook_config FROM trigger WHERE id = p_trigger_id;
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION update_webhook_config(p_trigger_id BIGINT, p_config JSONB)
RETURNS VOID AS $$
BEGIN
    UPDATE trigger SET webhook_config = webhook_config || p_config WHERE id = p_trigger_id;
END;
$$ LANGUAGE plpgsql;
