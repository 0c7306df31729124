-- 0005_enrollment: devices that enroll themselves with an auth key.
--
-- devices.node_key is the public half of the key pair an enrolled device
-- generated ("nodekey:" + hex); the device signs its reports with it. NULL
-- for devices created through the API. Unique, so one key is one device.
-- devices.ephemeral marks a device enrolled with an ephemeral key: it is
-- removed once it has not reported for a while.
--
-- Auth keys live in api_keys (key_type 'auth') with what they let a device
-- be: reusable, ephemeral, preauthorized, the tags (list codec) or the owner
-- its devices get. `used` is the time of the first enrollment (a one-off key
-- is spent from then on); NULL until then.
ALTER TABLE devices ADD COLUMN node_key TEXT;
ALTER TABLE devices ADD COLUMN ephemeral INTEGER NOT NULL DEFAULT 0 CHECK (ephemeral IN (0, 1));
CREATE UNIQUE INDEX devices_node_key ON devices (node_key);

ALTER TABLE api_keys ADD COLUMN reusable INTEGER NOT NULL DEFAULT 0 CHECK (reusable IN (0, 1));
ALTER TABLE api_keys ADD COLUMN ephemeral INTEGER NOT NULL DEFAULT 0 CHECK (ephemeral IN (0, 1));
ALTER TABLE api_keys ADD COLUMN preauthorized INTEGER NOT NULL DEFAULT 0 CHECK (preauthorized IN (0, 1));
ALTER TABLE api_keys ADD COLUMN device_tags TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN device_user TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN used INTEGER;
