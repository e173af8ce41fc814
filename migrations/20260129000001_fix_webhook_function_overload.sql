-- Overloads made calls ambiguous; drop them.

DROP FUNCTION IF EXISTS enable_trigger_webhook(BIGINT, BOOLEAN);
DROP FUNCTION IF EXISTS enable_trigger_webhook(BIGINT, JSONB);
DROP FUNCTION IF EXISTS configure_trigger_webhook_ip_whitelist(BIGINT, BOOLEAN, JSONB);
