/* lsn-activity-fixture.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "lsn-activity-fixture.h"
#include "lsn-audit-model.h"
#include "lsn-profile.h"
#include "lsn-test-util.h"

typedef struct
{
  ActivityFixture *f;
  guint            n;
} FillData;

/* Event i (0 = oldest): one second apart; every 10th failed; kinds and runs in turn; names
 * "Company i". Bulk SQL in one transaction: a million rows take a few seconds. */
static gboolean
fill_func (LsnStore  *store,
           sqlite3   *db,
           gpointer   data,
           GError   **error)
{
  FillData *fd = data;
  static const char *kinds[] = { "client", "site", "contact" };
  g_autoptr(sqlite3_stmt) stmt = NULL;

  for (guint r = 0; r < G_N_ELEMENTS (fd->f->run_ids); r++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO runs (profile_id, trigger, started_at, "
                                              "finished_at, outcome, failed) VALUES (%" G_GINT64_FORMAT
                                              ", 'manual', %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                                              ", 'partial', 1)",
                                              fd->f->profile_id, fd->f->t0 + r,
                                              fd->f->t0 + r + 1);
      if (!lsn_store_exec (db, sql, error))
        return FALSE;
      fd->f->run_ids[r] = sqlite3_last_insert_rowid (db);
    }

  stmt = lsn_store_prepare (db,
                            "INSERT INTO audit_events (profile_id, run_id, time, kind, target_side, "
                            "left_id, right_id, left_name, right_name, action, outcome, changes, "
                            "request, message, actor) VALUES (?1, ?2, ?3, ?4, 'right', ?5, ?6, ?7, "
                            "?8, ?9, ?10, ?11, ?12, ?13, 'tester')",
                            error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < fd->n; i++)
    {
      gboolean failed = i % 10 == 7;
      char left_id[32], right_id[32], left_name[64], right_name[64];

      g_snprintf (left_id, sizeof left_id, "%u", i % 5000);
      g_snprintf (right_id, sizeof right_id, "c%u", i % 5000);
      g_snprintf (left_name, sizeof left_name, "Company %u", i % 5000);
      g_snprintf (right_name, sizeof right_name, "Company %u, Inc", i % 5000);
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, fd->f->profile_id);
      sqlite3_bind_int64 (stmt, 2, fd->f->run_ids[i % G_N_ELEMENTS (fd->f->run_ids)]);
      sqlite3_bind_int64 (stmt, 3, fd->f->t0 + (gint64) i * G_USEC_PER_SEC);
      lsn_store_bind_text (stmt, 4, kinds[(i % 5000) % 3]);
      lsn_store_bind_text (stmt, 5, left_id);
      lsn_store_bind_text (stmt, 6, right_id);
      lsn_store_bind_text (stmt, 7, left_name);
      lsn_store_bind_text (stmt, 8, right_name);
      lsn_store_bind_text (stmt, 9, i % 2 ? "update" : "create");
      lsn_store_bind_text (stmt, 10, failed ? "failed" : "ok");
      lsn_store_bind_text (stmt, 11, "[{\"field\":\"phone\",\"before\":\"1\",\"after\":\"2\"}]");
      lsn_store_bind_text (stmt, 12, "PATCH /apis/3.0/company/companies/1");
      lsn_store_bind_text (stmt, 13, failed ? "=HYPERLINK(\"x\"), the server said: \"no\"" : NULL);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return lsn_store_set_error (db, sqlite3_errcode (db), NULL, "filling events", error);
    }
  return TRUE;
}

void
activity_fixture_init (ActivityFixture *f,
                       guint            n_events)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  FillData fd = { f, n_events };

  memset (f, 0, sizeof *f);
  f->dir = lsn_test_tmpdir ();
  path = g_build_filename (f->dir, "liaison.db", NULL);
  f->store = lsn_store_open (path, &error);
  g_assert_no_error (error);
  f->profile_id = lsn_store_add_profile (f->store, "Activity", "{}", &error);
  g_assert_no_error (error);
  f->t0 = (g_get_real_time () / G_USEC_PER_SEC - n_events - 10) * G_USEC_PER_SEC;
  g_assert_true (lsn_store_run_in_transaction (f->store, fill_func, &fd, &error));
  g_assert_no_error (error);
}

void
activity_fixture_clear (ActivityFixture *f)
{
  if (f->store)
    lsn_store_close (f->store);
  g_clear_object (&f->store);
  g_free (f->dir);
}

gint64
activity_fixture_count (ActivityFixture *f,
                        const char      *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3) db = lsn_store_open_reader (f->store, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_no_error (error);
  stmt = lsn_store_prepare (db, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* Runs the main context until the model has nothing in flight (at most 20 s). */
void
activity_fixture_wait (gpointer model)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (lsn_audit_model_get_busy (model))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}
