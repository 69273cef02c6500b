/* test-licence-faults.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "lsn-error.h"
#include "lsn-licence-job.h"
#include "feed/lsn-feed-parser.h"
#include "licence-fixture.h"
#include "lsn-test-util.h"

/* The licence sync under failure: a 429 storm against a low limit, and a process killed in the
 * middle of its writes followed by a second run. The end state is compared, licence by licence,
 * with a second sandbox (same seed, same data) that ran the same invoice without trouble. */

/* The sandbox's invoice plus a new product for each of its first 10 customers: more writes,
 * and creates among them. */
static char *
bigger_invoice (LicenceFixture *f)
{
  g_autoptr(LsnFeedParser) parser = lsn_feed_parser_new ();
  g_autoptr(LsnFeedResult) result = lsn_feed_parser_parse (parser, f->invoice, strlen (f->invoice));
  g_autoptr(GString) csv = g_string_new (f->invoice);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint added = 0;

  for (guint i = 0; i < result->rows->len && added < 10; i++)
    {
      LsnFeedRow *row = g_ptr_array_index (result->rows, i);
      g_autofree char *name = NULL;

      if (g_hash_table_contains (seen, row->customer) || i + 1 == result->rows->len)
        continue;
      g_hash_table_add (seen, row->customer);
      name = licence_fixture_csv_field (row->customer);
      g_string_append_printf (csv, "%s,%s,EXTRA-%u,Extra service %u,%u,1.50,Monthly\r\n",
                              name, row->customer_id, added, added, 2 + added);
      added++;
    }
  return g_string_free (g_steal_pointer (&csv), FALSE);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Every licence as text, ids left out (a create gets a different id in each sandbox), sorted. */
static GPtrArray *
licence_state (LicenceFixture *f)
{
  g_autoptr(GPtrArray) licences = licence_fixture_list (f, LSN_KIND_LICENCE);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < licences->len; i++)
    {
      LsnRecord *l = g_ptr_array_index (licences, i);
      JsonObject *fields = lsn_record_get_fields (l);
      JsonNode *q = json_object_get_member (fields, "quantity");
      JsonNode *p = json_object_get_member (fields, "price");

      g_ptr_array_add (out, g_strdup_printf ("%s|%s|%s|%.0f|%.2f|%s|%s",
                                             lsn_record_get_string (l, "client_id"),
                                             lsn_record_get_name (l),
                                             lsn_record_get_string (l, "product_sku"),
                                             q ? json_node_get_double (q) : -1.0,
                                             p ? json_node_get_double (p) : -1.0,
                                             lsn_record_get_string (l, "billing_cycle"),
                                             lsn_record_get_string (l, "distributor")));
    }
  g_ptr_array_sort (out, compare_strings);
  return out;
}

static void
assert_same_state (GPtrArray *a,
                   GPtrArray *b)
{
  for (guint i = 0; i < MAX (a->len, b->len); i++)
    {
      const char *x = i < a->len ? g_ptr_array_index (a, i) : "(none)";
      const char *y = i < b->len ? g_ptr_array_index (b, i) : "(none)";
      if (g_strcmp0 (x, y) != 0)
        g_error ("licence %u differs: %s vs %s", i, x, y);
    }
}

/* The reference: the same invoice applied once, undisturbed, to a sandbox of the same seed. */
static GPtrArray *
reference_state (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  GPtrArray *state;

  licence_fixture_init (&f, NULL);
  csv = bigger_invoice (&f);
  path = licence_fixture_write_file (&f, "invoice.csv", csv);
  json = licence_fixture_profile_json (&f, path, "\"guard\": {\"min\": 1000}");
  profile = licence_fixture_add_profile (&f, "reference", json);
  job = lsn_licence_job_new (f.store, profile, "cli");
  g_assert_true (lsn_licence_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lsn_licence_job_get_counts (job)->created, ==, 11);
  state = licence_state (&f);
  licence_fixture_clear (&f);
  return state;
}

static void
test_429_storm (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) job = NULL;
  g_autoptr(LsnLicenceJob) again = NULL;
  g_autoptr(LsnConnector) halo = NULL;
  g_autoptr(LsnConnector) feed = NULL;
  g_autoptr(LsnProfileConfig) config = NULL;
  g_autoptr(JsonObject) stats = NULL;
  g_autoptr(GPtrArray) reference = reference_state ();
  g_autoptr(GPtrArray) state = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  LsnHttpStats http_stats;
  gint64 start;

  licence_fixture_init (&f, NULL);
  csv = bigger_invoice (&f);
  path = licence_fixture_write_file (&f, "invoice.csv", csv);
  json = licence_fixture_profile_json (&f, path, "\"guard\": {\"min\": 1000}");
  profile = licence_fixture_add_profile (&f, "storm", json);
  config = lsn_profile_config_parse (json, &error);
  g_assert_no_error (error);

  /* Halo's limit is far lower than the budget the connection believes in (300 per 5 min):
   * 10 requests per rolling second; and the first licence write meets 14 429s in a row, more than
   * the HTTP client waits out on its own. */
  licence_fixture_configure (&f, "{\"limit\": \"10/1\", \"reset_stats\": true, \"reset_limit\": true,"
                                 " \"fail_next\": {\"count\": 14, \"kind\": \"429\","
                                 " \"route\": \"POST /api/SoftwareLicence\"}}");
  halo = licence_fixture_halo (&f);
  lsn_http_client_set_backoff (lsn_connector_get_http (halo), 20, 200);
  feed = lsn_connector_new_from_settings (config->left, NULL, &error);
  g_assert_no_error (error);

  job = lsn_licence_job_new (f.store, profile, "cli");
  lsn_licence_job_set_connectors (job, feed, halo);
  start = g_get_monotonic_time ();
  g_assert_true (lsn_licence_job_run (job, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_licence_job_get_outcome (job), ==, "ok");
  g_assert_cmpint (lsn_licence_job_get_counts (job)->failed, ==, 0);

  stats = licence_fixture_stats (&f);
  lsn_http_client_get_stats (lsn_connector_get_http (halo), &http_stats);
  g_test_message ("429 storm: %.1f s, %" G_GINT64_FORMAT " requests, %" G_GINT64_FORMAT
                  " throttled (sandbox: %" G_GINT64_FORMAT " throttled, %" G_GINT64_FORMAT " faults)",
                  (g_get_monotonic_time () - start) / 1e6, (gint64) http_stats.requests,
                  (gint64) http_stats.throttled, json_object_get_int_member (stats, "throttled"),
                  json_object_get_int_member (stats, "faults"));
  g_assert_cmpint (json_object_get_int_member (stats, "throttled"), >, 0);
  g_assert_cmpint (json_object_get_int_member (stats, "faults"), ==, 14);
  g_assert_cmpuint (http_stats.throttled, >, 14);

  /* limits lifted: the result is the undisturbed one, and a second run writes nothing */
  licence_fixture_configure (&f, "{\"limit\": \"0\", \"reset_stats\": true}");
  state = licence_state (&f);
  assert_same_state (state, reference);
  again = lsn_licence_job_new (f.store, profile, "cli");
  g_assert_true (lsn_licence_job_run (again, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), ==, 0);

  licence_fixture_clear (&f);
}

typedef struct
{
  guint pending;
  guint sending;
  guint done;
  guint failed;
} OutboxStates;

static OutboxStates
outbox_states (LicenceFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3) db = lsn_store_open_reader (f->store, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  OutboxStates s = { 0 };

  g_assert_no_error (error);
  stmt = lsn_store_prepare (db, "SELECT state, count(*) FROM outbox GROUP BY state", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (stmt, 0);
      guint n = sqlite3_column_int (stmt, 1);

      if (g_str_equal (state, "pending"))
        s.pending = n;
      else if (g_str_equal (state, "sending") || g_str_equal (state, "unknown"))
        s.sending += n;
      else if (g_str_equal (state, "done"))
        s.done = n;
      else
        s.failed += n;
    }
  return s;
}

static void
test_kill_and_rerun (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) second = NULL;
  g_autoptr(LsnLicenceJob) third = NULL;
  g_autoptr(GPtrArray) reference = reference_state ();
  g_autoptr(GPtrArray) state = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *child = NULL;
  g_autofree char *db_path = NULL;
  const char *build_dir = g_getenv ("LIAISON_BUILD_DIR");
  GPid pid = 0;
  int status = 0;
  guint writes = 0;
  OutboxStates before;
  gint64 deadline;

  if (build_dir == NULL)
    {
      g_test_skip ("LIAISON_BUILD_DIR is not set: run under meson test");
      return;
    }
  child = g_build_filename (build_dir, "tests", "licence", "licence-job-child", NULL);
  g_assert_true (g_file_test (child, G_FILE_TEST_IS_EXECUTABLE));

  licence_fixture_init (&f, NULL);
  csv = bigger_invoice (&f);
  path = licence_fixture_write_file (&f, "invoice.csv", csv);
  json = licence_fixture_profile_json (&f, path, "\"guard\": {\"min\": 1000}");
  profile = licence_fixture_add_profile (&f, "kill", json);
  db_path = g_build_filename (f.tmpdir, "liaison.db", NULL);

  /* every request takes 80 ms, so that the child is caught with writes in flight */
  licence_fixture_configure (&f, "{\"latency_ms\": 80, \"reset_stats\": true}");
  {
    char *argv[] = { child, db_path, (char *) "kill", NULL };

    g_spawn_async (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error);
    g_assert_no_error (error);
  }

  /* SIGKILL it once 8 of its ~23 writes reached the server (the 8th still in flight) */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      writes = licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f);
      if (writes >= 8)
        break;
      g_usleep (2000);
    }
  g_assert_cmpuint (writes, >=, 8);
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

  /* the child was stopped in the middle: written, queued and possibly in-flight rows remain */
  before = outbox_states (&f);
  g_test_message ("after the kill: %u done, %u sending, %u pending", before.done, before.sending,
                  before.pending);
  g_assert_cmpuint (before.pending, >, 0);
  g_assert_cmpuint (before.done + before.sending, >=, 7);

  /* the second run, in this process, finishes the job */
  licence_fixture_configure (&f, "{\"latency_ms\": 0, \"reset_stats\": true}");
  second = lsn_licence_job_new (f.store, profile, "cli");
  g_assert_true (lsn_licence_job_run (second, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (lsn_licence_job_get_outcome (second), ==, "ok");
  g_test_message ("second run: created %" G_GINT64_FORMAT ", updated %" G_GINT64_FORMAT
                  ", deleted %" G_GINT64_FORMAT, lsn_licence_job_get_counts (second)->created,
                  lsn_licence_job_get_counts (second)->updated,
                  lsn_licence_job_get_counts (second)->deleted);
  /* only what was left: at most the writes not yet done (the in-flight one may have landed) */
  g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), <=,
                    before.pending + before.sending);
  g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), >=,
                    before.pending);

  /* every row of the killed run is closed; an in-flight one is reported */
  {
    OutboxStates after = outbox_states (&f);
    g_assert_cmpuint (after.pending + after.sending, ==, 0);
  }
  events = licence_fixture_events (&f, lsn_licence_job_get_run_id (second));
  if (before.sending > 0)
    {
      guint interrupted = 0;

      for (guint i = 0; i < events->len; i++)
        if (g_strcmp0 (((LsnAuditEvent *) g_ptr_array_index (events, i))->outcome, "interrupted") == 0)
          interrupted++;
      g_assert_cmpuint (interrupted, ==, before.sending);
    }

  /* no duplicate, nothing missing: the same licences as the undisturbed run */
  state = licence_state (&f);
  assert_same_state (state, reference);

  /* and a third run has nothing to do */
  licence_fixture_configure (&f, "{\"reset_stats\": true}");
  third = lsn_licence_job_new (f.store, profile, "cli");
  g_assert_true (lsn_licence_job_run (third, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (licence_fixture_licence_posts (&f) + licence_fixture_licence_deletes (&f), ==, 0);

  licence_fixture_clear (&f);
}

/* Cancelling in the middle of the writes (closing the window) is the same as a kill, minus the
 * process: the second run finishes. */
static void
cancel_after_writes (const LsnSyncProgress *progress,
                     gpointer               user_data)
{
  if (progress->phase == LSN_SYNC_PHASE_APPLYING && progress->done >= 5)
    g_cancellable_cancel (user_data);
}

static void
test_cancel_and_rerun (void)
{
  LicenceFixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(LsnLicenceJob) first = NULL;
  g_autoptr(LsnLicenceJob) second = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) reference = reference_state ();
  g_autoptr(GPtrArray) state = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;

  licence_fixture_init (&f, NULL);
  csv = bigger_invoice (&f);
  path = licence_fixture_write_file (&f, "invoice.csv", csv);
  json = licence_fixture_profile_json (&f, path, "\"guard\": {\"min\": 1000}");
  profile = licence_fixture_add_profile (&f, "cancel", json);

  first = lsn_licence_job_new (f.store, profile, "cli");
  lsn_licence_job_set_progress_func (first, cancel_after_writes, cancellable);
  g_assert_false (lsn_licence_job_run (first, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpstr (lsn_licence_job_get_outcome (first), ==, "cancelled");
  g_assert_cmpint (lsn_licence_job_get_counts (first)->created + lsn_licence_job_get_counts (first)->updated
                   + lsn_licence_job_get_counts (first)->deleted, ==, 5);

  second = lsn_licence_job_new (f.store, profile, "cli");
  g_assert_true (lsn_licence_job_run (second, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lsn_licence_job_get_counts (second)->created + lsn_licence_job_get_counts (second)->updated
                   + lsn_licence_job_get_counts (second)->deleted, >, 0);

  state = licence_state (&f);
  assert_same_state (state, reference);
  licence_fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/licence-faults/429-storm", test_429_storm);
  g_test_add_func ("/licence-faults/kill-and-rerun", test_kill_and_rerun);
  g_test_add_func ("/licence-faults/cancel-and-rerun", test_cancel_and_rerun);

  return g_test_run ();
}
