/* lsn-store-schema.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The numbered migrations of the Liaison database. Times are microseconds since the epoch (UTC).
 * Secrets never appear here: a connection row holds its settings without them, and its id is the
 * key of its secret in the Secret Service.
 */

#define G_LOG_DOMAIN "liaison-store"

#include "config.h"

#include "lsn-store-schema.h"

static const char migration_1[] =
  /* One row per profile; settings is the profile file's JSON without secrets. */
  "CREATE TABLE profiles ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),"
  "  kind TEXT NOT NULL DEFAULT 'psa',"
  "  settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),"
  "  version INTEGER NOT NULL DEFAULT 1,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"

  /* The two sides of a profile. id is a UUID and the keyring key of the connection's secret. */
  "CREATE TABLE connections ("
  "  id TEXT PRIMARY KEY,"
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  side TEXT NOT NULL CHECK (side IN ('left', 'right')),"
  "  connector TEXT NOT NULL,"
  "  settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),"
  "  budget_requests INTEGER,"
  "  budget_seconds INTEGER,"
  "  UNIQUE (profile_id, side)"
  ");"

  "CREATE TABLE field_mappings ("
  "  id INTEGER PRIMARY KEY,"
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  left_field TEXT NOT NULL,"
  "  right_field TEXT NOT NULL,"
  "  direction TEXT NOT NULL DEFAULT 'both'"
  "    CHECK (direction IN ('off', 'left-to-right', 'right-to-left', 'both')),"
  "  UNIQUE (profile_id, kind, left_field, right_field)"
  ");"

  /* Stages, statuses, tax rates...: a value on one side stands for a value on the other. */
  "CREATE TABLE value_mappings ("
  "  id INTEGER PRIMARY KEY,"
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  left_value TEXT NOT NULL,"
  "  right_value TEXT NOT NULL,"
  "  UNIQUE (profile_id, kind, left_value)"
  ");"

  /* The identity of every synced pair: the only truth about which records are the same. */
  "CREATE TABLE links ("
  "  id INTEGER PRIMARY KEY,"
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  left_id TEXT NOT NULL,"
  "  right_id TEXT NOT NULL,"
  "  left_hash TEXT,"
  "  right_hash TEXT,"
  "  left_written_at INTEGER,"
  "  right_written_at INTEGER,"
  "  origin TEXT NOT NULL DEFAULT 'sync' CHECK (origin IN ('sync', 'mapping', 'auto', 'relink')),"
  "  included INTEGER NOT NULL DEFAULT 1,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  UNIQUE (profile_id, kind, left_id),"
  "  UNIQUE (profile_id, kind, right_id)"
  ");"

  /* Decisions a person took on suggested pairs; rejected pairs are never suggested again. */
  "CREATE TABLE match_decisions ("
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  left_id TEXT NOT NULL,"
  "  right_id TEXT NOT NULL,"
  "  decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),"
  "  decided_at INTEGER NOT NULL,"
  "  PRIMARY KEY (profile_id, kind, left_id, right_id)"
  ");"

  "CREATE TABLE cursors ("
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  side TEXT NOT NULL CHECK (side IN ('left', 'right')),"
  "  kind TEXT NOT NULL,"
  "  cursor TEXT,"
  "  last_full_at INTEGER,"
  "  PRIMARY KEY (profile_id, side, kind)"
  ");"

  /* What each side held when last seen: for the mapping editors and for diffing. */
  "CREATE TABLE remote_records ("
  "  id INTEGER PRIMARY KEY,"
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  side TEXT NOT NULL CHECK (side IN ('left', 'right')),"
  "  kind TEXT NOT NULL,"
  "  remote_id TEXT NOT NULL,"
  "  name TEXT,"
  "  name_key TEXT,"
  "  parent_id TEXT,"
  "  inactive INTEGER NOT NULL DEFAULT 0,"
  "  deleted INTEGER NOT NULL DEFAULT 0,"
  "  modified INTEGER,"
  "  hash TEXT,"
  "  data TEXT CHECK (data IS NULL OR json_valid(data)),"
  "  seen_at INTEGER NOT NULL,"
  "  UNIQUE (profile_id, side, kind, remote_id)"
  ");"
  "CREATE INDEX remote_records_name ON remote_records (profile_id, side, kind, name COLLATE NOCASE);"
  "CREATE INDEX remote_records_name_key ON remote_records (profile_id, side, kind, name_key);"
  "CREATE INDEX remote_records_parent ON remote_records (profile_id, side, kind, parent_id);"

  "CREATE TABLE runs ("
  "  id INTEGER PRIMARY KEY,"
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'retry', 'cli')),"
  "  dry_run INTEGER NOT NULL DEFAULT 0,"
  "  profile_version INTEGER NOT NULL DEFAULT 1,"
  "  started_at INTEGER NOT NULL,"
  "  finished_at INTEGER,"
  "  outcome TEXT NOT NULL DEFAULT 'running'"
  "    CHECK (outcome IN ('running', 'ok', 'partial', 'failed', 'cancelled', 'guarded', 'interrupted')),"
  "  created INTEGER NOT NULL DEFAULT 0,"
  "  updated INTEGER NOT NULL DEFAULT 0,"
  "  deleted INTEGER NOT NULL DEFAULT 0,"
  "  skipped INTEGER NOT NULL DEFAULT 0,"
  "  failed INTEGER NOT NULL DEFAULT 0,"
  "  echoes INTEGER NOT NULL DEFAULT 0,"
  "  requests INTEGER NOT NULL DEFAULT 0,"
  "  message TEXT"
  ");"
  "CREATE INDEX runs_profile_time ON runs (profile_id, started_at DESC);"

  /* The audit log. Every action, every skip that matters and every failure. */
  "CREATE TABLE audit_events ("
  "  id INTEGER PRIMARY KEY,"
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,"
  "  time INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  target_side TEXT CHECK (target_side IS NULL OR target_side IN ('left', 'right')),"
  "  left_id TEXT,"
  "  right_id TEXT,"
  "  left_name TEXT,"
  "  right_name TEXT,"
  "  action TEXT NOT NULL,"
  "  outcome TEXT NOT NULL,"
  "  changes TEXT CHECK (changes IS NULL OR json_valid(changes)),"
  "  request TEXT,"
  "  message TEXT,"
  "  actor TEXT,"
  "  retry_of INTEGER REFERENCES audit_events(id) ON DELETE SET NULL"
  ");"
  "CREATE INDEX audit_events_time ON audit_events (profile_id, time DESC, id DESC);"
  "CREATE INDEX audit_events_outcome ON audit_events (profile_id, outcome, time DESC, id DESC);"
  "CREATE INDEX audit_events_kind ON audit_events (profile_id, kind, time DESC, id DESC);"
  "CREATE INDEX audit_events_run ON audit_events (run_id, id);"
  "CREATE INDEX audit_events_left ON audit_events (profile_id, kind, left_id);"
  "CREATE INDEX audit_events_right ON audit_events (profile_id, kind, right_id);"
  "CREATE INDEX audit_events_retry ON audit_events (retry_of);"

  /* Planned actions waiting to be sent. The idempotency key makes a resumed run send each once. */
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
  "  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,"
  "  idem_key TEXT NOT NULL UNIQUE,"
  "  kind TEXT NOT NULL,"
  "  target_side TEXT NOT NULL CHECK (target_side IN ('left', 'right')),"
  "  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'archive')),"
  "  source_id TEXT,"
  "  target_id TEXT,"
  "  payload TEXT CHECK (payload IS NULL OR json_valid(payload)),"
  "  state TEXT NOT NULL DEFAULT 'pending'"
  "    CHECK (state IN ('pending', 'sending', 'done', 'failed', 'unknown')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX outbox_pending ON outbox (profile_id, state, id);";

/* Free-text search of the audit log (the Activity page, `liaisonctl audit --text`): a word index
 * over the names, ids and message of every event, kept in step by triggers, so a search over a
 * million events reads the index instead of every row. */
static const char migration_2[] =
  "CREATE VIRTUAL TABLE audit_events_fts USING fts5("
  "  left_name, right_name, left_id, right_id, message,"
  "  content = 'audit_events', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  "INSERT INTO audit_events_fts (audit_events_fts) VALUES ('rebuild');"
  "CREATE TRIGGER audit_events_fts_insert AFTER INSERT ON audit_events BEGIN"
  "  INSERT INTO audit_events_fts (rowid, left_name, right_name, left_id, right_id, message)"
  "  VALUES (new.id, new.left_name, new.right_name, new.left_id, new.right_id, new.message);"
  "END;"
  "CREATE TRIGGER audit_events_fts_delete AFTER DELETE ON audit_events BEGIN"
  "  INSERT INTO audit_events_fts (audit_events_fts, rowid, left_name, right_name, left_id,"
  "    right_id, message)"
  "  VALUES ('delete', old.id, old.left_name, old.right_name, old.left_id, old.right_id,"
  "    old.message);"
  "END;"
  "CREATE TRIGGER audit_events_fts_update AFTER UPDATE OF left_name, right_name, left_id,"
  "  right_id, message ON audit_events BEGIN"
  "  INSERT INTO audit_events_fts (audit_events_fts, rowid, left_name, right_name, left_id,"
  "    right_id, message)"
  "  VALUES ('delete', old.id, old.left_name, old.right_name, old.left_id, old.right_id,"
  "    old.message);"
  "  INSERT INTO audit_events_fts (rowid, left_name, right_name, left_id, right_id, message)"
  "  VALUES (new.id, new.left_name, new.right_name, new.left_id, new.right_id, new.message);"
  "END;";

const char * const lsn_store_migrations[] = {
  migration_1,
  migration_2,
};

const guint lsn_store_n_migrations = G_N_ELEMENTS (lsn_store_migrations);
