-- One runtime serves actions and sensors alike: refs become pack.name.

TRUNCATE TABLE runtime CASCADE;

ALTER TABLE runtime DROP CONSTRAINT runtime_ref_format;

DROP INDEX IF EXISTS idx_runtime_type;
DROP INDEX IF EXISTS idx_runtime_pack_type;
DROP INDEX IF EXISTS idx_runtime_type_created;
DROP INDEX IF EXISTS idx_runtime_type_sensor;

ALTER TABLE runtime DROP COLUMN runtime_type;

DROP TYPE runtime_type_enum;

-- Runtime rows now come from packs/core/runtimes/*.yaml.
COMMENT ON TABLE runtime IS 'Runtimes, loaded from pack YAML';
