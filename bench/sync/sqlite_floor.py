#!/usr/bin/env python3
"""The storage floor of a first full sync: SQLite alone writing the rows that
sync wrote (one provider_attributes row and one audit event per changed
device), in one transaction, as plain SQL with no bind or application code in
between, into a fresh database with postured's own schema, WAL and
synchronous=FULL as postured runs it. Prints milliseconds.

With --bare, the floor under any design that keeps a row per changed device
and an audit event per changed device in SQLite: two tables without indexes,
constraints or triggers, no journal and no fsync, the same amount of text.

Usage: sqlite_floor.py [--bare] POSTURED_DB ROWS
"""
import sqlite3
import sys
import tempfile
import time

bare = sys.argv[1] == "--bare"
if bare:
    sys.argv.pop(1)
source, rows = sys.argv[1], int(sys.argv[2])
schema = [sql for (sql,) in sqlite3.connect(f"file:{source}?mode=ro", uri=True).execute(
    "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
    "ORDER BY type = 'table' DESC, rowid")]


def bare_floor():
    with tempfile.TemporaryDirectory() as work:
        db = sqlite3.connect(f"{work}/bare.db", isolation_level=None)
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE attributes (device_id TEXT, namespace TEXT, attributes TEXT)")
        db.execute("CREATE TABLE audit (event_time INTEGER, target_id TEXT, old_json TEXT, new_json TEXT)")
        started = time.perf_counter()
        db.execute("BEGIN")
        db.execute("""
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
          INSERT INTO attributes SELECT printf('n%016d', i), 'sentinelOne', printf('%0260d', i) FROM n""", (rows,))
        db.execute("""
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
          INSERT INTO audit SELECT 1764030000000, printf('n%016d', i), printf('%0200d', i), printf('%0250d', i)
          FROM n""", (rows,))
        db.execute("COMMIT")
        return round((time.perf_counter() - started) * 1000)


if bare:
    print(bare_floor())
    sys.exit(0)

with tempfile.TemporaryDirectory() as work:
    db = sqlite3.connect(f"{work}/floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA cache_size = -16384")
    for sql in schema:
        db.execute(sql)
    db.execute("PRAGMA foreign_keys = OFF")  # no device rows: the floor leaves the check out, in postured's favour
    started = time.perf_counter()
    db.execute("BEGIN")
    db.execute("""
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
      INSERT INTO provider_attributes (device_id, namespace, attributes)
      SELECT printf('n%016d', i), 'sentinelOne',
             printf('sentinelOne:activeThreats\nnumber\n0\n1764030000000\nsentinelOne:agentVersion\nstring\n23.4.%d\n' ||
                    '1764030000000\nsentinelOne:encryptedApplications\nbool\ntrue\n1764030000000\n' ||
                    'sentinelOne:firewallEnabled\nbool\nfalse\n1764030000000\nsentinelOne:infected\nbool\nfalse\n' ||
                    '1764030000000\nsentinelOne:isActive\nbool\ntrue\n1764030000000\n' ||
                    'sentinelOne:operationalState\nstring\nna\n1764030000000\n', i % 50)
      FROM n""", (rows,))
    db.execute("""
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
      INSERT INTO audit_events (event_time, event_group_id, origin, actor_id, actor_type, actor_login_name,
                                actor_display_name, target_id, target_name, target_type, target_property, action,
                                old_json, new_json, action_details)
      SELECT 1764030000000, 'g7Hq2xK9', 'CONTROL', 'phcIxEwt7NNQ9CNTRL', 'AUTOMATED_WORKER', 'sentinelone',
             'SentinelOne integration', printf('n%016d', i), printf('ACME-WS%05d', (i * 7919) % 100000), 'NODE',
             'ATTRIBUTES', 'UPDATE',
             '{"sentinelOne:activeThreats":null,"sentinelOne:agentVersion":null,"sentinelOne:encryptedApplications":null,' ||
             '"sentinelOne:firewallEnabled":null,"sentinelOne:infected":null,"sentinelOne:isActive":null,' ||
             '"sentinelOne:operationalState":null}',
             printf('{"sentinelOne:activeThreats":0,"sentinelOne:agentVersion":"23.4.%d",' ||
                    '"sentinelOne:encryptedApplications":true,"sentinelOne:firewallEnabled":false,' ||
                    '"sentinelOne:infected":false,"sentinelOne:isActive":true,"sentinelOne:operationalState":"na"}',
                    i % 50),
             'sync run r1'
      FROM n""", (rows,))
    db.execute("COMMIT")
    print(round((time.perf_counter() - started) * 1000))
