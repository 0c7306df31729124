-- 0004_policy: the tailnet policy file and every earlier version of it.
--
-- The newest row (highest sequence) is the policy in force; no row means the
-- policy was never set and Tailscale's allow-all default applies. Rows are
-- appended, never changed, so the history says who set what when.
--
-- `text` is the body exactly as posted (HuJSON comments and layout kept), so
-- GET with Accept: application/hujson returns what the author wrote.
-- `etag` is a hash of `text` (computed by the API, opaque here). `created` is
-- Unix milliseconds.
CREATE TABLE policy_versions (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused
  text TEXT NOT NULL,
  etag TEXT NOT NULL,
  created INTEGER NOT NULL,
  actor_id TEXT NOT NULL,
  actor_login_name TEXT NOT NULL
) STRICT;
