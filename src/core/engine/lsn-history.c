/* lsn-history.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading runs and audit events, for `liaisonctl runs|audit` and the Activity page. Events are
 * read page by page through a read-only connection, newest first, filtered in SQL with bound
 * parameters; the table is never loaded whole.
 */

#define G_LOG_DOMAIN "liaison-engine"

#include "config.h"

#include "lsn-error.h"
#include "lsn-history.h"

void
lsn_run_row_free (LsnRunRow *row)
{
  if (row == NULL)
    return;
  g_free (row->trigger);
  g_free (row->outcome);
  g_free (row->message);
  g_free (row);
}

typedef struct
{
  gint64     profile_id;
  guint      limit;
  GPtrArray *rows;
} RunsQuery;

static gboolean
list_runs_func (LsnStore  *store,
                sqlite3   *db,
                gpointer   data,
                GError   **error)
{
  RunsQuery *q = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = lsn_store_prepare (db,
                            "SELECT id, trigger, dry_run, started_at, finished_at, outcome, created, "
                            "updated, deleted, skipped, failed, echoes, requests, message FROM runs "
                            "WHERE profile_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, q->profile_id);
  sqlite3_bind_int64 (stmt, 2, q->limit);
  q->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_run_row_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LsnRunRow *r = g_new0 (LsnRunRow, 1);
      r->id = sqlite3_column_int64 (stmt, 0);
      r->trigger = g_strdup (lsn_store_column_text (stmt, 1));
      r->dry_run = sqlite3_column_int (stmt, 2);
      r->started_at = sqlite3_column_int64 (stmt, 3);
      r->finished_at = sqlite3_column_int64 (stmt, 4);
      r->outcome = g_strdup (lsn_store_column_text (stmt, 5));
      r->counts.created = sqlite3_column_int64 (stmt, 6);
      r->counts.updated = sqlite3_column_int64 (stmt, 7);
      r->counts.deleted = sqlite3_column_int64 (stmt, 8);
      r->counts.skipped = sqlite3_column_int64 (stmt, 9);
      r->counts.failed = sqlite3_column_int64 (stmt, 10);
      r->counts.echoes = sqlite3_column_int64 (stmt, 11);
      r->counts.requests = sqlite3_column_int64 (stmt, 12);
      r->message = g_strdup (lsn_store_column_text (stmt, 13));
      g_ptr_array_add (q->rows, r);
    }
  if (rc != SQLITE_DONE)
    return lsn_store_set_error (db, rc, NULL, "listing runs", error);
  return TRUE;
}

/**
 * lsn_history_list_runs:
 *
 * Returns: (transfer full) (element-type LsnRunRow) (nullable): the newest runs first
 */
GPtrArray *
lsn_history_list_runs (LsnStore  *store,
                       gint64     profile_id,
                       guint      limit,
                       GError   **error)
{
  RunsQuery q = { profile_id, limit ? limit : 50, NULL };

  if (!lsn_store_run_sync (store, list_runs_func, &q, error))
    {
      g_clear_pointer (&q.rows, g_ptr_array_unref);
      return NULL;
    }
  return q.rows;
}

static GString *
where_clause (const LsnEventFilter *f)
{
  GString *w = g_string_new ("WHERE profile_id = ?1");

  if (f && f->outcome)
    g_string_append (w, " AND outcome = ?2");
  if (f && f->kind)
    g_string_append (w, " AND kind = ?3");
  if (f && f->run_id > 0)
    g_string_append (w, " AND run_id = ?4");
  if (f && f->since_usec > 0)
    g_string_append (w, " AND time >= ?5");
  if (f && f->until_usec > 0)
    g_string_append (w, " AND time < ?6");
  if (f && f->text && *f->text)
    g_string_append (w, " AND (instr(lower(coalesce(left_name, '') || ' ' || "
                        "coalesce(right_name, '') || ' ' || coalesce(left_id, '') || ' ' || "
                        "coalesce(right_id, '') || ' ' || coalesce(message, '')), lower(?7)) > 0)");
  return w;
}

static void
bind_filter (sqlite3_stmt         *stmt,
             gint64                profile_id,
             const LsnEventFilter *f)
{
  sqlite3_bind_int64 (stmt, 1, profile_id);
  if (f == NULL)
    return;
  if (f->outcome)
    lsn_store_bind_text (stmt, 2, f->outcome);
  if (f->kind)
    lsn_store_bind_text (stmt, 3, f->kind);
  if (f->run_id > 0)
    sqlite3_bind_int64 (stmt, 4, f->run_id);
  if (f->since_usec > 0)
    sqlite3_bind_int64 (stmt, 5, f->since_usec);
  if (f->until_usec > 0)
    sqlite3_bind_int64 (stmt, 6, f->until_usec);
  if (f->text && *f->text)
    lsn_store_bind_text (stmt, 7, f->text);
}

/**
 * lsn_history_list_events:
 * @reader: a read-only connection of the calling thread (lsn_store_open_reader())
 * @offset: rows to skip, newest first
 *
 * Returns: (transfer full) (element-type LsnAuditEvent) (nullable): one page of events
 */
GPtrArray *
lsn_history_list_events (sqlite3               *reader,
                         gint64                 profile_id,
                         const LsnEventFilter  *filter,
                         gint64                 offset,
                         guint                  limit,
                         GError               **error)
{
  g_autoptr(GString) where = where_clause (filter);
  g_autofree char *sql = g_strdup_printf ("SELECT " LSN_AUDIT_EVENT_COLUMNS " FROM audit_events "
                                          "%s ORDER BY time DESC, id DESC LIMIT ?8 OFFSET ?9",
                                          where->str);
  g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (reader, sql, error);
  g_autoptr(GPtrArray) out = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_filter (stmt, profile_id, filter);
  sqlite3_bind_int64 (stmt, 8, limit);
  sqlite3_bind_int64 (stmt, 9, offset);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) lsn_audit_event_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, lsn_audit_event_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    {
      lsn_store_set_error (reader, rc, NULL, "reading audit events", error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * lsn_history_count_events:
 *
 * Returns: the number of events matching @filter, or -1 with @error set
 */
gint64
lsn_history_count_events (sqlite3               *reader,
                          gint64                 profile_id,
                          const LsnEventFilter  *filter,
                          GError               **error)
{
  g_autoptr(GString) where = where_clause (filter);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_events %s", where->str);
  g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (reader, sql, error);
  int rc;

  if (stmt == NULL)
    return -1;
  bind_filter (stmt, profile_id, filter);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      lsn_store_set_error (reader, rc, NULL, "counting audit events", error);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}
