/* test-audit-model.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The paged event list of the Activity page: pages read on demand in list order, keyset and
 * from-the-end reads agree with plain SQL, filters, order, the page cache stays bounded, CSV.
 */

#include "config.h"

#include <string.h>

#include "lsn-activity-fixture.h"
#include "lsn-audit-model.h"
#include "lsn-history.h"
#include "lsn-test-util.h"

#define N 3000

static const LsnAuditEvent *
event_at (LsnAuditModel *model,
          guint          position)
{
  g_autoptr(LsnAuditItem) item = g_list_model_get_item (G_LIST_MODEL (model), position);

  if (!lsn_audit_item_get_loaded (item))
    activity_fixture_wait (model);
  g_assert_true (lsn_audit_item_get_loaded (item));
  /* the model keeps the item (its page is cached) */
  return lsn_audit_item_get_event (item);
}

static void
test_pages_in_order (void)
{
  ActivityFixture f;
  g_autoptr(LsnAuditModel) model = NULL;
  gint64 newest_id, oldest_id;
  gint64 last_time = G_MAXINT64;
  guint n;

  activity_fixture_init (&f, N);
  newest_id = activity_fixture_count (&f, "SELECT id FROM audit_events ORDER BY time DESC, id DESC LIMIT 1");
  oldest_id = activity_fixture_count (&f, "SELECT id FROM audit_events ORDER BY time, id LIMIT 1");

  model = lsn_audit_model_new (f.store, f.profile_id);
  /* nothing is read on the calling thread */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  activity_fixture_wait (model);
  g_assert_true (lsn_audit_model_get_count_known (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N);
  g_assert_cmpint (event_at (model, 0)->id, ==, newest_id);

  /* jump to the end: read from the end, not through 2,800 rows */
  g_assert_cmpint (event_at (model, N - 1)->id, ==, oldest_id);
  g_assert_cmpint (event_at (model, N - LSN_AUDIT_MODEL_PAGE_SIZE)->time, >, 0);

  /* every row, newest first, no gaps or repeats (keyset pages next to loaded ones) */
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  for (guint i = 0; i < n; i++)
    {
      const LsnAuditEvent *e = event_at (model, i);
      g_assert_cmpint (e->time, <, last_time);
      last_time = e->time;
    }
  /* the cache stays bounded */
  g_assert_cmpuint (lsn_audit_model_get_n_loaded_pages (model), <=, 65);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), n));

  /* oldest first */
  lsn_audit_model_set_ascending (model, TRUE);
  activity_fixture_wait (model);
  g_assert_cmpint (event_at (model, 0)->id, ==, oldest_id);
  g_assert_cmpint (event_at (model, N - 1)->id, ==, newest_id);
  g_assert_cmpint (event_at (model, N / 2)->time, <, event_at (model, N / 2 + 1)->time);

  g_clear_object (&model);
  activity_fixture_clear (&f);
}

static void
test_filters (void)
{
  ActivityFixture f;
  g_autoptr(LsnAuditModel) model = NULL;
  LsnEventFilter filter = { 0 };
  guint n;

  activity_fixture_init (&f, N);
  model = lsn_audit_model_new (f.store, f.profile_id);
  activity_fixture_wait (model);

  filter.outcome = "failed";
  lsn_audit_model_set_filter (model, &filter);
  /* the old rows stay until the new first page is there */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N);
  activity_fixture_wait (model);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, ==, N / 10);
  for (guint i = 0; i < n; i += 7)
    g_assert_cmpstr (event_at (model, i)->outcome, ==, "failed");

  filter.kind = "site";
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                   activity_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE outcome = 'failed' AND kind = 'site'"));

  memset (&filter, 0, sizeof filter);
  filter.run_id = f.run_ids[1];
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N / 4);
  g_assert_cmpint (event_at (model, 3)->run_id, ==, f.run_ids[1]);

  /* free text over names, ids and the message: every word, as a word or its start; case,
   * accents and punctuation ignored */
  memset (&filter, 0, sizeof filter);
  filter.text = "COMPANY 2999,";
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (event_at (model, 0)->left_name, ==, "Company 2999");
  filter.text = "compány 299";
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 11);
  filter.text = "hyperlink server";
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N / 10);
  filter.text = "\"*)(";
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_null (lsn_audit_model_get_error (model));

  /* one record's events, as the Mappings page's "Has events" link asks */
  memset (&filter, 0, sizeof filter);
  filter.kind = "client";
  filter.left_id = "42";
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

  /* a time range: the newest 100 seconds */
  memset (&filter, 0, sizeof filter);
  filter.since_usec = f.t0 + (gint64) (N - 100) * G_USEC_PER_SEC;
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100);
  filter.until_usec = filter.since_usec + 10 * G_USEC_PER_SEC;
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);

  /* nothing matches */
  memset (&filter, 0, sizeof filter);
  filter.text = "no such company";
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_true (lsn_audit_model_get_count_known (model));

  g_clear_object (&model);
  activity_fixture_clear (&f);
}

static void
test_items_changed (void)
{
  ActivityFixture f;
  g_autoptr(LsnAuditModel) model = NULL;
  g_autoptr(LsnAuditItem) placeholder = NULL;
  guint notified = 0;

  activity_fixture_init (&f, N);
  model = lsn_audit_model_new (f.store, f.profile_id);
  activity_fixture_wait (model);

  /* an item far from any loaded page is handed out at once, empty, and filled in later */
  placeholder = g_list_model_get_item (G_LIST_MODEL (model), N / 2);
  g_assert_false (lsn_audit_item_get_loaded (placeholder));
  g_signal_connect_swapped (placeholder, "notify::loaded", G_CALLBACK (g_atomic_int_inc), &notified);
  activity_fixture_wait (model);
  g_assert_true (lsn_audit_item_get_loaded (placeholder));
  g_assert_cmpuint (notified, ==, 1);
  /* the same row by plain SQL */
  g_assert_cmpint (lsn_audit_item_get_id (placeholder), ==,
                   activity_fixture_count (&f, "SELECT id FROM audit_events ORDER BY time DESC, id DESC "
                                               "LIMIT 1 OFFSET 1500"));

  g_clear_object (&model);
  activity_fixture_clear (&f);
}

static void
store_result (GObject      *source,
              GAsyncResult *res,
              gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (res);
}

static void
test_record_events_and_csv (void)
{
  ActivityFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(LsnAuditModel) model = NULL;
  g_autoptr(GPtrArray) around = NULL;
  g_autoptr(LsnAuditEvent) middle = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  LsnEventFilter filter = { 0 };
  guint64 written = 0;
  gint64 mid_id;

  activity_fixture_init (&f, 12000);
  db = lsn_store_open_reader (f.store, &error);
  g_assert_no_error (error);

  /* company 7 (a site) has events 7, 5007 and 10007: "before and after" of the middle one */
  mid_id = activity_fixture_count (&f, "SELECT id FROM audit_events WHERE left_id = '7' ORDER BY time LIMIT 1 OFFSET 1");
  middle = lsn_db_load_event (db, mid_id, &error);
  g_assert_no_error (error);
  around = lsn_history_record_events (db, middle, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (around->len, ==, 3);
  g_assert_cmpint (((LsnAuditEvent *) g_ptr_array_index (around, 1))->id, ==, mid_id);
  g_assert_cmpint (((LsnAuditEvent *) g_ptr_array_index (around, 0))->time, <, middle->time);

  /* CSV of the filtered view: a header and one line per event, quoted where needed */
  model = lsn_audit_model_new (f.store, f.profile_id);
  filter.outcome = "failed";
  filter.kind = "client";
  lsn_audit_model_set_filter (model, &filter);
  activity_fixture_wait (model);
  file = g_file_new_build_filename (f.dir, "events.csv", NULL);
  lsn_audit_model_write_csv_async (model, file, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (lsn_audit_model_write_csv_finish (model, result, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, g_list_model_get_n_items (G_LIST_MODEL (model)));
  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, &error));
  lines = g_strsplit (contents, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, written + 2); /* header, rows, "" after the last */
  g_assert_true (g_str_has_prefix (lines[0], "id,time,run,kind,"));
  g_assert_nonnull (strstr (lines[1], ",client,right,"));
  g_assert_nonnull (strstr (lines[1], ", Inc\""));
  /* a message that a spreadsheet would run as a formula is quoted and defused */
  g_assert_nonnull (strstr (lines[1], "\"'=HYPERLINK(\"\"x\"\"), the server said: \"\"no\"\"\""));

  g_clear_object (&model);
  activity_fixture_clear (&f);
}

static gboolean
shuffle_times_func (LsnStore  *store,
                    sqlite3   *db,
                    gpointer   data,
                    GError   **error)
{
  /* times out of id order, as after a clock step: the list is ordered by time, not by id */
  return lsn_store_exec (db, "UPDATE audit_events SET time = time - 7000000000 WHERE id % 13 = 0",
                         error);
}

static GPtrArray *
reference_ids (sqlite3    *db,
               const char *fts,
               gboolean    ascending,
               gint64      offset,
               guint       limit)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM audit_events WHERE id IN (SELECT rowid "
                                          "FROM audit_events_fts WHERE audit_events_fts MATCH ?1) "
                                          "ORDER BY time %s, id %s LIMIT ?2 OFFSET ?3",
                                          ascending ? "ASC" : "DESC", ascending ? "ASC" : "DESC");
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = lsn_store_prepare (db, sql, &error);
  GPtrArray *ids = g_ptr_array_new ();

  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, fts, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, limit);
  sqlite3_bind_int64 (stmt, 3, offset);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, GINT_TO_POINTER ((int) sqlite3_column_int64 (stmt, 0)));
  return ids;
}

static void
assert_same_ids (GPtrArray *events,
                 GPtrArray *ids)
{
  g_assert_cmpuint (events->len, ==, ids->len);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpint (((LsnAuditEvent *) events->pdata[i])->id, ==,
                     GPOINTER_TO_INT (ids->pdata[i]));
}

/* Free text is read from the newest rows when the words are common and from the word index when
 * they are rare: every page agrees with the word index, whichever way it was read. */
static void
test_text_pages (void)
{
  static const struct { const char *text; const char *fts; } cases[] = {
    { "Company", "\"company\"*" },                 /* every event */
    { "hyperlink SERVER", "\"hyperlink\"* \"server\"*" }, /* one in ten */
    { "company 42", "\"company\"* \"42\"*" },       /* one in 45: the index */
    { "compány 4242", "\"company\"* \"4242\"*" },   /* two events */
    { "c12", "\"c12\"*" },
    { "no such company", "\"no\"* \"such\"* \"company\"*" },
  };
  static const gint64 offsets[] = { 0, 150, 1000, 9000 };
  ActivityFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3) db = NULL;

  activity_fixture_init (&f, 12000);
  g_assert_true (lsn_store_run_in_transaction (f.store, shuffle_times_func, NULL, &error));
  g_assert_no_error (error);
  db = lsn_store_open_reader (f.store, &error);
  g_assert_no_error (error);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (guint asc = 0; asc < 2; asc++)
      for (guint o = 0; o < G_N_ELEMENTS (offsets); o++)
        {
          LsnEventFilter filter = { .text = cases[c].text };
          g_autoptr(GPtrArray) ids = reference_ids (db, cases[c].fts, asc, offsets[o], 200);
          g_autoptr(GPtrArray) page = lsn_history_list_events_page (db, f.profile_id, &filter, asc,
                                                                    NULL, offsets[o], 200, &error);
          g_autoptr(GPtrArray) next_ids = NULL;
          g_autoptr(GPtrArray) next = NULL;
          LsnEventAnchor anchor = { 0 };

          g_assert_no_error (error);
          assert_same_ids (page, ids);
          if (asc == 0 && o == 0)
            {
              g_autoptr(GPtrArray) all = reference_ids (db, cases[c].fts, FALSE, 0, G_MAXINT);

              g_assert_cmpint (lsn_history_count_events (db, f.profile_id, &filter, &error), ==,
                               all->len);
              g_assert_no_error (error);
            }
          if (asc == 0)
            {
              g_autoptr(GPtrArray) cli = lsn_history_list_events (db, f.profile_id, &filter,
                                                                  offsets[o], 200, &error);
              g_assert_no_error (error);
              assert_same_ids (cli, ids);
            }
          if (page->len == 0)
            continue;

          /* the page after it, from an anchor, and the page before it read backward */
          anchor.time = ((LsnAuditEvent *) page->pdata[page->len - 1])->time;
          anchor.id = ((LsnAuditEvent *) page->pdata[page->len - 1])->id;
          anchor.before = TRUE;
          next_ids = reference_ids (db, cases[c].fts, asc, offsets[o] + page->len, 100);
          next = lsn_history_list_events_page (db, f.profile_id, &filter, asc, &anchor, 0, 100,
                                               &error);
          g_assert_no_error (error);
          assert_same_ids (next, next_ids);
          if (next->len > 0)
            {
              g_autoptr(GPtrArray) back = NULL;
              g_autoptr(GPtrArray) back_ids = NULL;

              anchor.time = ((LsnAuditEvent *) next->pdata[0])->time;
              anchor.id = ((LsnAuditEvent *) next->pdata[0])->id;
              anchor.before = FALSE;
              back_ids = reference_ids (db, cases[c].fts, asc, offsets[o] + page->len - 50, 50);
              back = lsn_history_list_events_page (db, f.profile_id, &filter, asc, &anchor, 0, 50,
                                                   &error);
              g_assert_no_error (error);
              assert_same_ids (back, back_ids);
            }
        }

  g_clear_pointer (&db, sqlite3_close);
  activity_fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/activity/model/pages-in-order", test_pages_in_order);
  g_test_add_func ("/activity/model/filters", test_filters);
  g_test_add_func ("/activity/model/text-pages", test_text_pages);
  g_test_add_func ("/activity/model/items-changed", test_items_changed);
  g_test_add_func ("/activity/model/record-events-and-csv", test_record_events_and_csv);

  return g_test_run ();
}
