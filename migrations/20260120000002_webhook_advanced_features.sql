-- Webhook security: HMAC signatures, rate limits, IP allow lists, payload limits.

ALTER TABLE trigger
    ADD COLUMN webhook_hmac_enabled BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN webhook_hmac_secret VARCHAR(128),
    ADD COLUMN webhook_hmac_algorithm VARCHAR(32) DEFAULT 'sha256';

ALTER TABLE trigger
    ADD COLUMN webhook_rate_limit_enabled BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN webhook_rate_limit_requests INTEGER DEFAULT 100,
    ADD COLUMN webhook_rate_limit_window_seconds INTEGER DEFAULT 60;

ALTER TABLE trigger ADD COLUMN webhook_ip_whitelist JSONB;
ALTER TABLE trigger ADD COLUMN webhook_payload_size_limit_kb INTEGER DEFAULT 1024;

CREATE OR REPLACE FUNCTION enable_trigger_webhook(p_trigger_id BIGINT, p_hmac BOOLEAN)
RETURNS VARCHAR(64) AS $$
DECLARE
    v_key VARCHAR(64);
BEGIN
    v_key := enable_trigger_webhook(p_trigger_id);
    UPDATE trigger SET webhook_hmac_enabled = p_hmac WHERE id = p_trigger_id;
    RETURN v_key;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION configure_trigger_webhook_hmac(p_trigger_id BIGINT, p_enabled BOOLEAN, p_algorithm VARCHAR)
RETURNS VOID AS $$
BEGIN
    UPDATE trigger SET webhook_hmac_enabled = p_enabled, webhook_hmac_algorithm = p_algorithm WHERE id = p_trigger_id;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION configure_trigger_webhook_rate_limit(p_trigger_id BIGINT, p_enabled BOOLEAN, p_requests INTEGER, p_window INTEGER)
RETURNS VOID AS $$
BEGIN
    UPDATE trigger
    SET webhook_rate_limit_enabled = p_enabled,
        webhook_rate_limit_requests = p_requests,
        webhook_rate_limit_window_seconds = p_window
    WHERE id = p_trigger_id;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION configure_trigger_webhook_ip_whitelist(p_trigger_id BIGINT, p_enabled BOOLEAN, p_ips JSONB)
RETURNS VOID AS $$
BEGIN
    UPDATE trigger SET webhook_ip_whitelist = CASE WHEN p_enabled THEN p_ips ELSE NULL END WHERE id = p_trigger_id;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION verify_webhook_hmac(p_payload TEXT, p_signature TEXT, p_secret TEXT)
RETURNS BOOLEAN AS $$
    SELECT md5(p_secret || p_payload) = p_signature;
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION check_webhook_rate_limit(p_webhook_key TEXT)
RETURNS BOOLEAN AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM trigger WHERE webhook_key = p_webhook_key AND webhook_enabled);
END;
$$ LANGUAGE plpgsql STABLE;

CREATE OR REPLACE FUNCTION get_webhook_config(p_trigger_id BIGINT)
RETURNS JSONB AS $$
    SELECT jsonb_build_object('hmac', webhook_hmac_enabled, 'rate_limit', webhook_rate_limit_enabled)
    FROM trigger WHERE id = p_trigger_id;
$$ LANGUAGE sql STABLE;
