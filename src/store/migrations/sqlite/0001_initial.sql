-- 0001_initial: devices, their posture attributes, the audit log, API keys and
-- settings. schema_migrations itself is created by the migration runner.
--
-- Conventions: times are Unix milliseconds (INTEGER); absent optional times are
-- NULL. List columns (tags, serial_numbers, mac_addresses, scopes) hold every
-- element followed by a newline, with backslash and newline escaped
-- (src/store/sqlite/list_codec.h); no query looks inside them. Tables are
-- STRICT so a wrongly typed bind fails instead of being stored silently.

CREATE TABLE devices (
  seq INTEGER PRIMARY KEY,          -- rowid alias: creation order for listing
  id TEXT NOT NULL UNIQUE,
  hostname TEXT NOT NULL,
  user_login TEXT NOT NULL,         -- owner's login; '' for a tagged device
  tags TEXT NOT NULL,
  ipv4 TEXT UNIQUE,                 -- NULL when unassigned, so several may lack one
  ipv6 TEXT UNIQUE,
  os TEXT NOT NULL,
  os_version TEXT NOT NULL,
  client_version TEXT NOT NULL,
  created INTEGER NOT NULL,
  last_seen INTEGER,
  serial_numbers TEXT NOT NULL,
  mac_addresses TEXT NOT NULL,
  posture_identity_disabled INTEGER NOT NULL CHECK (posture_identity_disabled IN (0, 1))
) STRICT;

-- Keys are unique per device case-insensitively, so the folded key (written by
-- the store with core::foldKey) is the natural key; `key` keeps the spelling as
-- first written. WITHOUT
-- ROWID makes the primary key the table: attributes(deviceId), the hot read,
-- is one range scan that never leaves this b-tree, and the cascade from
-- devices uses it too.
CREATE TABLE attributes (
  device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  key_folded TEXT NOT NULL,
  key TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('bool', 'number', 'string')),
  value TEXT NOT NULL,
  expiry INTEGER,
  updated INTEGER NOT NULL,
  PRIMARY KEY (device_id, key_folded)
) STRICT, WITHOUT ROWID;

-- attributeKey(): tailnet-wide, case-insensitive key lookup.
CREATE INDEX attributes_by_key ON attributes (key_folded);
-- expiredAttributes(): only attributes that expire at all are indexed.
CREATE INDEX attributes_by_expiry ON attributes (expiry) WHERE expiry IS NOT NULL;

CREATE TABLE audit_events (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, orders equal times
  event_time INTEGER NOT NULL,
  event_group_id TEXT NOT NULL,
  origin TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_login_name TEXT NOT NULL,
  actor_display_name TEXT NOT NULL,
  target_id TEXT NOT NULL,
  target_name TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_property TEXT NOT NULL,
  action TEXT NOT NULL,
  old_json TEXT NOT NULL,           -- '' when absent
  new_json TEXT NOT NULL,
  action_details TEXT NOT NULL
) STRICT;

-- An index on event_time also orders by rowid (= sequence) within one time,
-- which is exactly the (event_time, sequence) order queries return.
CREATE INDEX audit_events_by_time ON audit_events (event_time);
-- Actor and target filters match either of two columns; SQLite answers such an
-- OR with one index per column. Action and property have a handful of values,
-- so an index would not narrow anything; they are filtered while scanning.
CREATE INDEX audit_events_by_actor_id ON audit_events (actor_id);
CREATE INDEX audit_events_by_actor_login ON audit_events (actor_login_name);
CREATE INDEX audit_events_by_target_id ON audit_events (target_id);
CREATE INDEX audit_events_by_target_name ON audit_events (target_name);

-- The audit log is append-only, whoever holds the file.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only: they cannot be updated');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only: they cannot be deleted');
END;

-- Keys are never deleted, only revoked, so rowid order is creation order.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  key_type TEXT NOT NULL,
  description TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  revoked INTEGER                   -- NULL while the key is valid
) STRICT;

CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
