-- Built-in runtimes for sensors.

INSERT INTO pack (ref, label, description, version, is_standard)
VALUES ('core', 'Core', 'Built-in actions, sensors and runtimes', '1.0.0', true);

INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions)
VALUES ('core.sensor.python', 1, 'core', 'Python sensor runtime', 'sensor', 'Python', '{"python": ">=3.9"}');
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions)
VALUES ('core.sensor.shell', 1, 'core', 'Shell sensor runtime', 'sensor', 'Shell', '{"bash": ">=4"}');
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions)
VALUES ('core.sensor.node', 1, 'core', 'Node.js sensor runtime', 'sensor', 'Node.js', '{"node": ">=18"}');
INSERT INTO runtime (ref, pack, pack_ref, description, runtime_type, name, distributions)
VALUES ('core.sensor.builtin', 1, 'core', 'Built-in sensor runtime', 'sensor', 'Builtin', '{}');
