/* lsn-sync-store.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows of the sync engine's tables, read and written with bound parameters only.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-error.h"
#include "lsn-names.h"
#include "lsn-store.h"
#include "lsn-sync-store.h"

LsnLink *
lsn_link_new (const char *kind,
              const char *left_id,
              const char *right_id,
              const char *origin)
{
  LsnLink *link = g_new0 (LsnLink, 1);

  link->kind = g_strdup (kind);
  link->left_id = g_strdup (left_id);
  link->right_id = g_strdup (right_id);
  link->origin = g_strdup (origin ? origin : "sync");
  link->included = TRUE;
  return link;
}

void
lsn_link_free (LsnLink *link)
{
  if (link == NULL)
    return;
  g_free (link->kind);
  g_free (link->left_id);
  g_free (link->right_id);
  g_free (link->left_hash);
  g_free (link->right_hash);
  g_free (link->origin);
  g_free (link);
}

void
lsn_decision_free (LsnDecision *decision)
{
  g_free (decision->left_id);
  g_free (decision->right_id);
  g_free (decision);
}

LsnAuditEvent *
lsn_audit_event_new (void)
{
  return g_new0 (LsnAuditEvent, 1);
}

void
lsn_audit_event_free (LsnAuditEvent *e)
{
  if (e == NULL)
    return;
  g_free (e->kind);
  g_free (e->target_side);
  g_free (e->left_id);
  g_free (e->right_id);
  g_free (e->left_name);
  g_free (e->right_name);
  g_free (e->action);
  g_free (e->outcome);
  g_free (e->changes);
  g_free (e->request);
  g_free (e->message);
  g_free (e->actor);
  g_free (e);
}

void
lsn_outbox_row_free (LsnOutboxRow *row)
{
  if (row == NULL)
    return;
  g_free (row->idem_key);
  g_free (row->kind);
  g_free (row->target_side);
  g_free (row->action);
  g_free (row->source_id);
  g_free (row->target_id);
  g_free (row->payload);
  g_free (row->state);
  g_free (row->last_error);
  g_free (row);
}

static char *
col_dup (sqlite3_stmt *stmt,
         int           col)
{
  return g_strdup (lsn_store_column_text (stmt, col));
}

static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           const char    *what,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return lsn_store_set_error (db, rc, NULL, what, error);
  return TRUE;
}

/* -------------------------------------------------------------------------------------------- */

/**
 * lsn_db_load_links:
 *
 * Returns: (transfer full) (element-type LsnLink) (nullable): the links of @kind
 */
GPtrArray *
lsn_db_load_links (sqlite3     *db,
                   gint64       profile_id,
                   const char  *kind,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_link_free);
  int rc;

  stmt = lsn_store_prepare (db,
                            "SELECT id, kind, left_id, right_id, left_hash, right_hash, "
                            "left_written_at, right_written_at, origin, included "
                            "FROM links WHERE profile_id = ?1 AND kind = ?2",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, kind);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LsnLink *link = g_new0 (LsnLink, 1);
      link->id = sqlite3_column_int64 (stmt, 0);
      link->kind = col_dup (stmt, 1);
      link->left_id = col_dup (stmt, 2);
      link->right_id = col_dup (stmt, 3);
      link->left_hash = col_dup (stmt, 4);
      link->right_hash = col_dup (stmt, 5);
      link->left_written_at = sqlite3_column_int64 (stmt, 6);
      link->right_written_at = sqlite3_column_int64 (stmt, 7);
      link->origin = col_dup (stmt, 8);
      link->included = sqlite3_column_int (stmt, 9) != 0;
      g_ptr_array_add (links, link);
    }
  if (rc != SQLITE_DONE)
    {
      lsn_store_set_error (db, rc, NULL, "reading links", error);
      return NULL;
    }
  return g_steal_pointer (&links);
}

/**
 * lsn_db_save_link:
 *
 * Inserts @link (setting its id) or, when it has an id, updates it.
 */
gboolean
lsn_db_save_link (sqlite3  *db,
                  gint64    profile_id,
                  LsnLink  *link,
                  GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 now = g_get_real_time ();
  int rc;

  if (link->id == 0)
    stmt = lsn_store_prepare (db,
                              "INSERT INTO links (profile_id, kind, left_id, right_id, left_hash, "
                              "right_hash, left_written_at, right_written_at, origin, included, "
                              "created_at, updated_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
                              error);
  else
    stmt = lsn_store_prepare (db,
                              "UPDATE links SET kind = ?2, left_id = ?3, right_id = ?4, "
                              "left_hash = ?5, right_hash = ?6, left_written_at = ?7, "
                              "right_written_at = ?8, origin = ?9, included = ?10, updated_at = ?11 "
                              "WHERE id = ?12 AND profile_id = ?1",
                              error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, link->kind);
  lsn_store_bind_text (stmt, 3, link->left_id);
  lsn_store_bind_text (stmt, 4, link->right_id);
  lsn_store_bind_text (stmt, 5, link->left_hash);
  lsn_store_bind_text (stmt, 6, link->right_hash);
  sqlite3_bind_int64 (stmt, 7, link->left_written_at);
  sqlite3_bind_int64 (stmt, 8, link->right_written_at);
  lsn_store_bind_text (stmt, 9, link->origin);
  sqlite3_bind_int (stmt, 10, link->included ? 1 : 0);
  sqlite3_bind_int64 (stmt, 11, now);
  if (link->id != 0)
    sqlite3_bind_int64 (stmt, 12, link->id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, LSN_ERROR, LSN_ERROR_EXISTS,
                   "The %s %s (left) or %s (right) is already linked to another record",
                   link->kind, link->left_id, link->right_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "saving a link", error);

  if (link->id == 0)
    link->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

/**
 * lsn_db_link_if_free:
 *
 * Links @left_id and @right_id (origin "auto": matched, not chosen by a person) unless either
 * is linked already.
 */
gboolean
lsn_db_link_if_free (sqlite3     *db,
                     gint64       profile_id,
                     const char  *kind,
                     const char  *left_id,
                     const char  *right_id,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "INSERT INTO links (profile_id, kind, left_id, right_id, origin, "
                            "included, created_at, updated_at) "
                            "VALUES (?1, ?2, ?3, ?4, 'auto', 1, ?5, ?5) ON CONFLICT DO NOTHING",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, kind);
  lsn_store_bind_text (stmt, 3, left_id);
  lsn_store_bind_text (stmt, 4, right_id);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  return step_done (db, stmt, "saving a link", error);
}

/**
 * lsn_db_unlink_record:
 * @side: "left" or "right": the side of @remote_id
 *
 * Removes the link of a record that is gone.
 */
gboolean
lsn_db_unlink_record (sqlite3     *db,
                      gint64       profile_id,
                      const char  *kind,
                      const char  *side,
                      const char  *remote_id,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db, g_str_equal (side, "left")
                                  ? "DELETE FROM links WHERE profile_id = ?1 AND kind = ?2 "
                                    "AND left_id = ?3"
                                  : "DELETE FROM links WHERE profile_id = ?1 AND kind = ?2 "
                                    "AND right_id = ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, kind);
  lsn_store_bind_text (stmt, 3, remote_id);
  return step_done (db, stmt, "removing a link", error);
}

gboolean
lsn_db_delete_link (sqlite3  *db,
                    gint64    link_id,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (db, "DELETE FROM links WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, link_id);
  return step_done (db, stmt, "removing a link", error);
}

/**
 * lsn_db_load_decisions:
 *
 * Returns: (transfer full) (element-type LsnDecision) (nullable): decisions on suggested pairs
 */
GPtrArray *
lsn_db_load_decisions (sqlite3     *db,
                       gint64       profile_id,
                       const char  *kind,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_decision_free);
  int rc;

  stmt = lsn_store_prepare (db,
                            "SELECT left_id, right_id, decision FROM match_decisions "
                            "WHERE profile_id = ?1 AND kind = ?2",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, kind);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LsnDecision *d = g_new0 (LsnDecision, 1);
      d->left_id = col_dup (stmt, 0);
      d->right_id = col_dup (stmt, 1);
      d->accepted = g_strcmp0 (lsn_store_column_text (stmt, 2), "accepted") == 0;
      g_ptr_array_add (out, d);
    }
  if (rc != SQLITE_DONE)
    {
      lsn_store_set_error (db, rc, NULL, "reading match decisions", error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
lsn_db_save_decision (sqlite3     *db,
                      gint64       profile_id,
                      const char  *kind,
                      const char  *left_id,
                      const char  *right_id,
                      gboolean     accepted,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "INSERT INTO match_decisions (profile_id, kind, left_id, right_id, "
                            "decision, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                            "ON CONFLICT (profile_id, kind, left_id, right_id) DO UPDATE SET "
                            "decision = excluded.decision, decided_at = excluded.decided_at",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, kind);
  lsn_store_bind_text (stmt, 3, left_id);
  lsn_store_bind_text (stmt, 4, right_id);
  lsn_store_bind_text (stmt, 5, accepted ? "accepted" : "rejected");
  sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
  return step_done (db, stmt, "saving a match decision", error);
}

gboolean
lsn_db_get_cursor (sqlite3     *db,
                   gint64       profile_id,
                   const char  *side,
                   const char  *kind,
                   char       **cursor,
                   gint64      *last_full_at,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *cursor = NULL;
  *last_full_at = 0;
  stmt = lsn_store_prepare (db,
                            "SELECT cursor, last_full_at FROM cursors "
                            "WHERE profile_id = ?1 AND side = ?2 AND kind = ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, side);
  lsn_store_bind_text (stmt, 3, kind);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *cursor = col_dup (stmt, 0);
      *last_full_at = sqlite3_column_int64 (stmt, 1);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "reading a cursor", error);
  return TRUE;
}

gboolean
lsn_db_set_cursor (sqlite3     *db,
                   gint64       profile_id,
                   const char  *side,
                   const char  *kind,
                   const char  *cursor,
                   gint64       last_full_at,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "INSERT INTO cursors (profile_id, side, kind, cursor, last_full_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (profile_id, side, kind) "
                            "DO UPDATE SET cursor = excluded.cursor, "
                            "last_full_at = excluded.last_full_at",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, side);
  lsn_store_bind_text (stmt, 3, kind);
  lsn_store_bind_text (stmt, 4, cursor);
  sqlite3_bind_int64 (stmt, 5, last_full_at);
  return step_done (db, stmt, "saving a cursor", error);
}

/**
 * lsn_db_load_cache:
 *
 * Returns: (transfer full) (element-type LsnRecord) (nullable): the cached records of one side
 */
GPtrArray *
lsn_db_load_cache (sqlite3     *db,
                   gint64       profile_id,
                   const char  *side,
                   const char  *kind,
                   gboolean     include_deleted,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  stmt = lsn_store_prepare (db,
                            "SELECT data FROM remote_records WHERE profile_id = ?1 AND side = ?2 "
                            "AND kind = ?3 AND (deleted = 0 OR ?4) ORDER BY id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, side);
  lsn_store_bind_text (stmt, 3, kind);
  sqlite3_bind_int (stmt, 4, include_deleted ? 1 : 0);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *data = lsn_store_column_text (stmt, 0);
      g_autoptr(GError) local_error = NULL;
      LsnRecord *record;

      if (data == NULL)
        continue;
      record = lsn_record_new_from_json (data, &local_error);
      if (record == NULL)
        {
          g_warning ("Skipping a damaged cached record: %s", local_error->message);
          continue;
        }
      g_ptr_array_add (out, record);
    }
  if (rc != SQLITE_DONE)
    {
      lsn_store_set_error (db, rc, NULL, "reading cached records", error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * lsn_db_cache_records:
 * @records: (element-type LsnRecord): records as just pulled
 *
 * Upserts @records into the cache, marking them seen (and not deleted).
 */
gboolean
lsn_db_cache_records (sqlite3     *db,
                      gint64       profile_id,
                      const char  *side,
                      GPtrArray   *records,
                      gint64       seen_at,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "INSERT INTO remote_records (profile_id, side, kind, remote_id, name, "
                            "name_key, parent_id, inactive, deleted, modified, hash, data, seen_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, ?11, ?12) "
                            "ON CONFLICT (profile_id, side, kind, remote_id) DO UPDATE SET "
                            "name = excluded.name, name_key = excluded.name_key, "
                            "parent_id = excluded.parent_id, inactive = excluded.inactive, "
                            "deleted = 0, modified = excluded.modified, hash = excluded.hash, "
                            "data = excluded.data, seen_at = excluded.seen_at",
                            error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      LsnRecord *r = g_ptr_array_index (records, i);
      g_autofree char *key = lsn_name_key (lsn_record_get_name (r));
      g_autofree char *data = lsn_record_to_json (r);
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, profile_id);
      lsn_store_bind_text (stmt, 2, side);
      lsn_store_bind_text (stmt, 3, lsn_record_get_kind (r));
      lsn_store_bind_text (stmt, 4, lsn_record_get_remote_id (r));
      lsn_store_bind_text (stmt, 5, lsn_record_get_name (r));
      lsn_store_bind_text (stmt, 6, key);
      lsn_store_bind_text (stmt, 7, lsn_record_get_parent_id (r));
      sqlite3_bind_int (stmt, 8, lsn_record_get_inactive (r) ? 1 : 0);
      sqlite3_bind_int64 (stmt, 9, lsn_record_get_modified (r));
      lsn_store_bind_text (stmt, 10, lsn_record_get_hash (r));
      lsn_store_bind_text (stmt, 11, data);
      sqlite3_bind_int64 (stmt, 12, seen_at);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        return lsn_store_set_error (db, rc, NULL, "caching records", error);
    }
  return TRUE;
}

/* What decides whether a cached record must be written again. */
static char *
cache_signature (const char *hash,
                 const char *name,
                 const char *parent_id,
                 gboolean    inactive)
{
  return g_strdup_printf ("%s\x1f%s\x1f%s\x1f%d", hash ? hash : "", name ? name : "",
                          parent_id ? parent_id : "", inactive ? 1 : 0);
}

/**
 * lsn_db_cache_replace:
 * @records: (element-type LsnRecord): every record of @kind on @side, as just read in full
 *
 * Caches @records and marks the cached records of @kind on @side that are not among them as
 * deleted (for sources read in full every time: a billing feed, HaloPSA's licences). Records
 * the cache already holds unchanged are not written again.
 */
gboolean
lsn_db_cache_replace (sqlite3     *db,
                      gint64       profile_id,
                      const char  *side,
                      const char  *kind,
                      GPtrArray   *records,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) cached = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) changed = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;
  int rc;

  /* id → signature of what is cached ("" for a record marked deleted) */
  stmt = lsn_store_prepare (db,
                            "SELECT remote_id, hash, name, parent_id, inactive, deleted "
                            "FROM remote_records WHERE profile_id = ?1 AND side = ?2 AND kind = ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, side);
  lsn_store_bind_text (stmt, 3, kind);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (cached, g_strdup (lsn_store_column_text (stmt, 0)),
                         sqlite3_column_int (stmt, 5) != 0
                           ? g_strdup ("")
                           : cache_signature (lsn_store_column_text (stmt, 1),
                                              lsn_store_column_text (stmt, 2),
                                              lsn_store_column_text (stmt, 3),
                                              sqlite3_column_int (stmt, 4) != 0));
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "reading the cached records", error);
  g_clear_pointer (&stmt, sqlite3_finalize);

  for (guint i = 0; i < records->len; i++)
    {
      LsnRecord *r = g_ptr_array_index (records, i);
      const char *was = g_hash_table_lookup (cached, lsn_record_get_remote_id (r));
      g_autofree char *now = NULL;

      g_return_val_if_fail (g_strcmp0 (lsn_record_get_kind (r), kind) == 0, FALSE);
      if (was != NULL)
        now = cache_signature (lsn_record_get_hash (r), lsn_record_get_name (r),
                               lsn_record_get_parent_id (r), lsn_record_get_inactive (r));
      if (was == NULL || !g_str_equal (was, now))
        g_ptr_array_add (changed, r);
      g_hash_table_remove (cached, lsn_record_get_remote_id (r));
    }
  if (changed->len > 0
      && !lsn_db_cache_records (db, profile_id, side, changed, g_get_real_time (), error))
    return FALSE;

  /* what is cached and was not read any more is gone */
  g_hash_table_iter_init (&iter, cached);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(const char *) value != '\0'
        && !lsn_db_cache_mark_deleted (db, profile_id, side, kind, key, TRUE, error))
      return FALSE;
  return TRUE;
}

gboolean
lsn_db_cache_mark_deleted (sqlite3     *db,
                           gint64       profile_id,
                           const char  *side,
                           const char  *kind,
                           const char  *remote_id,
                           gboolean     deleted,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "UPDATE remote_records SET deleted = ?5 WHERE profile_id = ?1 AND "
                            "side = ?2 AND kind = ?3 AND remote_id = ?4",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, side);
  lsn_store_bind_text (stmt, 3, kind);
  lsn_store_bind_text (stmt, 4, remote_id);
  sqlite3_bind_int (stmt, 5, deleted ? 1 : 0);
  return step_done (db, stmt, "marking a record deleted", error);
}

gint64
lsn_db_insert_run (sqlite3     *db,
                   gint64       profile_id,
                   const char  *trigger,
                   gboolean     dry_run,
                   gint64       profile_version,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "INSERT INTO runs (profile_id, trigger, dry_run, profile_version, "
                            "started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  lsn_store_bind_text (stmt, 2, trigger);
  sqlite3_bind_int (stmt, 3, dry_run ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, profile_version);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  if (!step_done (db, stmt, "starting a run", error))
    return 0;
  return sqlite3_last_insert_rowid (db);
}

gboolean
lsn_db_finish_run (sqlite3             *db,
                   gint64               run_id,
                   const LsnRunCounts  *c,
                   const char          *outcome,
                   const char          *message,
                   GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "UPDATE runs SET finished_at = ?2, outcome = ?3, created = ?4, "
                            "updated = ?5, deleted = ?6, skipped = ?7, failed = ?8, echoes = ?9, "
                            "requests = ?10, message = ?11 WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  lsn_store_bind_text (stmt, 3, outcome);
  sqlite3_bind_int64 (stmt, 4, c->created);
  sqlite3_bind_int64 (stmt, 5, c->updated);
  sqlite3_bind_int64 (stmt, 6, c->deleted);
  sqlite3_bind_int64 (stmt, 7, c->skipped);
  sqlite3_bind_int64 (stmt, 8, c->failed);
  sqlite3_bind_int64 (stmt, 9, c->echoes);
  sqlite3_bind_int64 (stmt, 10, c->requests);
  lsn_store_bind_text (stmt, 11, message);
  return step_done (db, stmt, "finishing a run", error);
}

gint64
lsn_db_insert_event (sqlite3              *db,
                     const LsnAuditEvent  *e,
                     GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "INSERT INTO audit_events (profile_id, run_id, time, kind, target_side, "
                            "left_id, right_id, left_name, right_name, action, outcome, changes, "
                            "request, message, actor, retry_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                            "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                            error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, e->profile_id);
  if (e->run_id > 0)
    sqlite3_bind_int64 (stmt, 2, e->run_id);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, e->time ? e->time : g_get_real_time ());
  lsn_store_bind_text (stmt, 4, e->kind);
  lsn_store_bind_text (stmt, 5, e->target_side);
  lsn_store_bind_text (stmt, 6, e->left_id);
  lsn_store_bind_text (stmt, 7, e->right_id);
  lsn_store_bind_text (stmt, 8, e->left_name);
  lsn_store_bind_text (stmt, 9, e->right_name);
  lsn_store_bind_text (stmt, 10, e->action);
  lsn_store_bind_text (stmt, 11, e->outcome);
  lsn_store_bind_text (stmt, 12, e->changes);
  lsn_store_bind_text (stmt, 13, e->request);
  lsn_store_bind_text (stmt, 14, e->message);
  lsn_store_bind_text (stmt, 15, e->actor);
  if (e->retry_of > 0)
    sqlite3_bind_int64 (stmt, 16, e->retry_of);
  else
    sqlite3_bind_null (stmt, 16);
  if (!step_done (db, stmt, "writing an audit event", error))
    return 0;
  return sqlite3_last_insert_rowid (db);
}

LsnAuditEvent *
lsn_audit_event_from_stmt (sqlite3_stmt *stmt)
{
  LsnAuditEvent *e = lsn_audit_event_new ();

  e->id = sqlite3_column_int64 (stmt, 0);
  e->profile_id = sqlite3_column_int64 (stmt, 1);
  e->run_id = sqlite3_column_int64 (stmt, 2);
  e->time = sqlite3_column_int64 (stmt, 3);
  e->kind = col_dup (stmt, 4);
  e->target_side = col_dup (stmt, 5);
  e->left_id = col_dup (stmt, 6);
  e->right_id = col_dup (stmt, 7);
  e->left_name = col_dup (stmt, 8);
  e->right_name = col_dup (stmt, 9);
  e->action = col_dup (stmt, 10);
  e->outcome = col_dup (stmt, 11);
  e->changes = col_dup (stmt, 12);
  e->request = col_dup (stmt, 13);
  e->message = col_dup (stmt, 14);
  e->actor = col_dup (stmt, 15);
  e->retry_of = sqlite3_column_int64 (stmt, 16);
  return e;
}

/**
 * lsn_db_load_event:
 *
 * Returns: (transfer full) (nullable): the event, or %NULL with %LSN_ERROR_NOT_FOUND
 */
LsnAuditEvent *
lsn_db_load_event (sqlite3  *db,
                   gint64    event_id,
                   GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = lsn_store_prepare (db, "SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM audit_events WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, event_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return lsn_audit_event_from_stmt (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, LSN_ERROR, LSN_ERROR_NOT_FOUND,
                 "There is no audit event %" G_GINT64_FORMAT ": `liaisonctl audit PROFILE` "
                 "lists them", event_id);
  else
    lsn_store_set_error (db, rc, NULL, "reading an audit event", error);
  return NULL;
}

gboolean
lsn_db_outbox_insert (sqlite3       *db,
                      gint64         profile_id,
                      LsnOutboxRow  *row,
                      GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 now = g_get_real_time ();
  int rc;

  /* The same planned action (same idempotency key) is queued once. */
  stmt = lsn_store_prepare (db,
                            "INSERT INTO outbox (profile_id, run_id, idem_key, kind, target_side, "
                            "action, source_id, target_id, payload, state, created_at, updated_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?10) "
                            "ON CONFLICT (idem_key) DO NOTHING",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  if (row->run_id > 0)
    sqlite3_bind_int64 (stmt, 2, row->run_id);
  else
    sqlite3_bind_null (stmt, 2);
  lsn_store_bind_text (stmt, 3, row->idem_key);
  lsn_store_bind_text (stmt, 4, row->kind);
  lsn_store_bind_text (stmt, 5, row->target_side);
  lsn_store_bind_text (stmt, 6, row->action);
  lsn_store_bind_text (stmt, 7, row->source_id);
  lsn_store_bind_text (stmt, 8, row->target_id);
  lsn_store_bind_text (stmt, 9, row->payload);
  sqlite3_bind_int64 (stmt, 10, now);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "queueing an action", error);

  if (sqlite3_changes (db) > 0)
    row->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

/**
 * lsn_db_outbox_unfinished:
 *
 * Returns: (transfer full) (element-type LsnOutboxRow) (nullable): rows still pending, being
 *   sent when a run stopped (outcome unknown), in queue order
 */
GPtrArray *
lsn_db_outbox_unfinished (sqlite3  *db,
                          gint64    profile_id,
                          GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_outbox_row_free);
  int rc;

  stmt = lsn_store_prepare (db,
                            "SELECT id, run_id, idem_key, kind, target_side, action, source_id, "
                            "target_id, payload, state, attempts, last_error FROM outbox "
                            "WHERE profile_id = ?1 AND state IN ('pending', 'sending', 'unknown') "
                            "ORDER BY id",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, profile_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LsnOutboxRow *row = g_new0 (LsnOutboxRow, 1);
      row->id = sqlite3_column_int64 (stmt, 0);
      row->run_id = sqlite3_column_int64 (stmt, 1);
      row->idem_key = col_dup (stmt, 2);
      row->kind = col_dup (stmt, 3);
      row->target_side = col_dup (stmt, 4);
      row->action = col_dup (stmt, 5);
      row->source_id = col_dup (stmt, 6);
      row->target_id = col_dup (stmt, 7);
      row->payload = col_dup (stmt, 8);
      row->state = col_dup (stmt, 9);
      row->attempts = sqlite3_column_int64 (stmt, 10);
      row->last_error = col_dup (stmt, 11);
      g_ptr_array_add (out, row);
    }
  if (rc != SQLITE_DONE)
    {
      lsn_store_set_error (db, rc, NULL, "reading the outbox", error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

gboolean
lsn_db_outbox_set_state (sqlite3     *db,
                         gint64       row_id,
                         const char  *state,
                         const char  *last_error,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = lsn_store_prepare (db,
                            "UPDATE outbox SET state = ?2, last_error = ?3, updated_at = ?4, "
                            "attempts = attempts + (?2 = 'sending') WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row_id);
  lsn_store_bind_text (stmt, 2, state);
  lsn_store_bind_text (stmt, 3, last_error);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  return step_done (db, stmt, "updating the outbox", error);
}
