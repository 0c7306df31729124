-- 0002_integrations: posture integrations (one per provider) and the record of
-- their sync runs. Same conventions as 0001: Unix milliseconds, NULL for an
-- absent optional time, STRICT tables.

-- Like devices, `seq` (a rowid alias, which VACUUM never renumbers) gives the
-- creation order for listing; `id` is the key everything else refers to.
-- sealed_secret is the client secret already encrypted by the caller.
--
-- The status columns hold core::IntegrationStatus; has_status is 0 until a
-- status was written (the integration has not finished a run yet), and the
-- other status columns are then NULL, '' or 0.
CREATE TABLE integrations (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  provider TEXT NOT NULL UNIQUE,    -- at most one integration per provider
  cloud_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  sealed_secret TEXT NOT NULL,
  created INTEGER NOT NULL,
  config_updated INTEGER NOT NULL,
  has_status INTEGER NOT NULL CHECK (has_status IN (0, 1)),
  last_sync INTEGER,
  last_success INTEGER,
  next_sync INTEGER,
  paused_until INTEGER,
  error TEXT NOT NULL,
  provider_host_count INTEGER NOT NULL,
  matched_count INTEGER NOT NULL,
  possible_matched_count INTEGER NOT NULL,
  duplicate_serials INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL
) STRICT;

-- `sequence` (a rowid alias) orders runs newest first: a new row always gets a
-- larger one than every row present, while started_at can tie. The store keeps
-- the newest store::kRunsKept runs of each integration and deletes older ones
-- in the transaction that inserts a run. trigger and outcome are not
-- constrained here: their values belong to core (core/integration.h).
CREATE TABLE integration_runs (
  sequence INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
  trigger TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,              -- NULL while the run is going on
  outcome TEXT NOT NULL,
  error TEXT NOT NULL,
  provider_host_count INTEGER NOT NULL,
  matched_count INTEGER NOT NULL,
  attributes_changed INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL
) STRICT;

-- integrationRuns() and pruning read one integration's runs newest first; the
-- cascade from integrations uses the same index.
CREATE INDEX integration_runs_by_integration ON integration_runs (integration_id, sequence DESC);
