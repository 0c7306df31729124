-- 0003_provider_attributes: a posture integration's attributes move out of
-- `attributes` into one row per device and provider namespace.
--
-- A sync replaces a provider's whole set of attributes on up to every device
-- at once; with a row per attribute, 100,000 devices meant 700,000 row writes
-- (and as many index entries) in one transaction. One row per device and
-- namespace makes that 100,000 writes, and a device read stays one key lookup.
--
-- `attributes` holds, per attribute, its key, type name, encoded value and
-- `updated` (Unix milliseconds), each as one element of the list encoding of
-- src/store/sqlite/list_codec.h (element, '\n'; '\\' and '\n' escaped).
-- Provider attributes never expire.
CREATE TABLE provider_attributes (
  device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  namespace TEXT NOT NULL,
  attributes TEXT NOT NULL,
  PRIMARY KEY (device_id, namespace)
) STRICT, WITHOUT ROWID;

-- The namespaces core::attributeNamespaceOf() classifies as integrations.
CREATE TEMP TABLE integration_namespaces (name TEXT PRIMARY KEY);
INSERT INTO integration_namespaces (name) VALUES
  ('sentinelOne'), ('falcon'), ('intune'), ('jamfPro'), ('kandji'), ('kolide'), ('fleet'), ('fleetPolicy'),
  ('huntress');

INSERT INTO provider_attributes (device_id, namespace, attributes)
SELECT device_id, substr(key, 1, instr(key, ':') - 1),
       group_concat(
         replace(replace(key, '\', '\\'), char(10), '\n') || char(10) ||
         type || char(10) ||
         replace(replace(value, '\', '\\'), char(10), '\n') || char(10) ||
         CAST(updated AS TEXT) || char(10), '')
FROM attributes
WHERE substr(key, 1, instr(key, ':') - 1) IN (SELECT name FROM integration_namespaces)
GROUP BY 1, 2;

DELETE FROM attributes WHERE substr(key, 1, instr(key, ':') - 1) IN (SELECT name FROM integration_namespaces);

DROP TABLE integration_namespaces;
