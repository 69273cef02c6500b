/* test-crash.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Crash safety: `liaisonctl sync` is killed with SIGKILL at random moments; after each round a
 * normal run finishes the work. Afterwards every source record exists exactly once on the other
 * side, every link is right, and no audit event is lost.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "lsn-engine-fixture.h"
#include "lsn-sync-store.h"
#include "lsn-test-util.h"

static char *
liaisonctl_path (void)
{
  const char *build = g_getenv ("LIAISON_BUILD_DIR");

  g_assert_nonnull (build);
  return g_build_filename (build, "src", "cli", "liaisonctl", NULL);
}

static void
close_store (EngineFixture *f)
{
  g_clear_object (&f->profile);
  lsn_store_close (f->store);
  g_clear_object (&f->store);
}

static void
reopen_store (EngineFixture *f)
{
  g_autoptr(GError) error = NULL;

  f->store = lsn_store_open (f->db_path, &error);
  g_assert_no_error (error);
  f->profile = lsn_store_find_profile (f->store, "Engine", &error);
  g_assert_no_error (error);
}

static gint64
count_runs (EngineFixture *f)
{
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 n = 0;

  if (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    return 0;
  sqlite3_busy_timeout (db, 1000);
  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM runs", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  return n;
}

/* Starts `liaisonctl sync Engine` and kills it -9 @delay_ms after its run began (or lets it
 * finish). */
static gboolean
run_cli (EngineFixture *f,
         guint          delay_ms,
         gboolean       kill)
{
  gint64 runs_before = count_runs (f);
  gint64 t0 = g_get_monotonic_time ();
  g_autofree char *cli = liaisonctl_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, cli, "--db", f->db_path, "sync", "Engine", "--yes", NULL);
  g_assert_no_error (error);

  if (kill)
    {
      /* aim at the run itself: wait until it has started (its run row exists), then kill it
       * after a random delay; bounded waits, so a fast or slow machine changes only where the
       * kill lands, never the verdict */
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (g_get_monotonic_time () < deadline && count_runs (f) <= runs_before)
        g_usleep (2000);
      g_usleep ((gulong) delay_ms * 1000);
      g_subprocess_send_signal (proc, SIGKILL);
    }
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("run %s after %.2f s", kill ? "killed" : "finished",
                  (g_get_monotonic_time () - t0) / 1e6);

  return g_subprocess_get_if_exited (proc) && g_subprocess_get_exit_status (proc) == 0;
}

static void
assert_exactly_once (EngineFixture *f,
                     LsnSide        from,
                     const char    *kind)
{
  g_autoptr(GPtrArray) src = engine_fixture_list (f, from, kind);
  g_autoptr(GPtrArray) dst = engine_fixture_list (f, LSN_SIDE_OTHER (from), kind);
  g_autoptr(GPtrArray) links = engine_fixture_links (f, kind);
  g_autoptr(GHashTable) dst_ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < dst->len; i++)
    g_hash_table_add (dst_ids, (gpointer) lsn_record_get_remote_id (g_ptr_array_index (dst, i)));

  /* nothing created twice: as many records on the other side as on the source side */
  g_assert_cmpuint (dst->len, ==, src->len);
  g_assert_cmpuint (links->len, ==, src->len);

  for (guint i = 0; i < src->len; i++)
    {
      LsnRecord *s = g_ptr_array_index (src, i);
      const char *tid = engine_fixture_linked_id (links, from, lsn_record_get_remote_id (s));

      g_assert_nonnull (tid);
      g_assert_true (g_hash_table_contains (dst_ids, tid));
    }
}

static void
test_kill_at_random_moments (void)
{
  EngineFixture f;
  LsnSandboxOptions o;
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint kills = 0;
  gint64 started, full_run_ms;

  /* a create in flight when a run is killed has landed or never will after this long: the next
   * run waits that much before it reads (see settle_interrupted_creates) */
  engine_fixture_timeout_seconds = 1;

  lsn_sandbox_options_init (&o);
  o.halo_clients = 0;
  o.cw_clients = 6;
  o.latency_ms = 5;
  /* some 25 runs in a minute: the default rate limits would make them wait, which is right but
   * slow (and each killed process forgets what it spent) */
  o.halo_limit = o.cw_limit = 100000;
  engine_fixture_init (&f, &o,
                       "{\"client\": {\"direction\": \"right-to-left\"}, "
                       "\"site\": {\"direction\": \"right-to-left\"}, "
                       "\"contact\": {\"direction\": \"right-to-left\"}}",
                       "\"quiet_window_seconds\": 0");

  /* how long an uninterrupted first run of this size takes, to aim the kills inside it */
  {
    g_autoptr(LsnSyncJob) dry = NULL;
    started = g_get_monotonic_time ();
    dry = engine_fixture_sync (&f, TRUE, TRUE, NULL);
    /* the writes cost about as much again as the reads */
    full_run_ms = MAX (150, 3 * (g_get_monotonic_time () - started) / 1000);
  }

  for (guint round = 0; round < 4; round++)
    {
      close_store (&f);
      for (guint k = 0; k < 5; k++)
        {
          guint delay = g_rand_int_range (rand, 0, (gint32) full_run_ms);

          /* new work before every kill: companies created "by someone" on the right */
          if (round > 0 || k > 0)
            for (guint i = 0; i < 2; i++)
              {
                g_autoptr(GError) error = NULL;
                g_autoptr(JsonObject) fields = json_object_new ();
                g_autoptr(LsnRecord) r = NULL;
                g_autofree char *name = g_strdup_printf ("Crash %u-%u Company %u", round, k, i);

                json_object_set_string_member (fields, "name", name);
                r = lsn_connector_create (f.outside[LSN_SIDE_RIGHT], "client", fields, NULL, &error);
                g_assert_no_error (error);
              }
          run_cli (&f, delay, TRUE);
          kills++;
        }
      /* a normal run finishes the job */
      g_assert_true (run_cli (&f, 0, FALSE));
      reopen_store (&f);

      assert_exactly_once (&f, LSN_SIDE_RIGHT, "client");
      assert_exactly_once (&f, LSN_SIDE_RIGHT, "site");
      assert_exactly_once (&f, LSN_SIDE_RIGHT, "contact");
    }
  g_assert_cmpuint (kills, ==, 20);

  /* the kills landed inside runs, and some inside the writing */
  {
    gint64 interrupted = engine_fixture_count (&f, "SELECT count(*) FROM runs WHERE outcome = 'interrupted'");
    gint64 mid_write = engine_fixture_count (&f, "SELECT count(*) FROM outbox WHERE last_error LIKE '%interrupted%' "
                                                 "OR last_error LIKE '%not sent before%'")
                       + engine_fixture_count (&f, "SELECT count(*) FROM audit_events WHERE message LIKE "
                                                   "'%previous run was interrupted%'");
    g_test_message ("%" G_GINT64_FORMAT " runs interrupted, %" G_GINT64_FORMAT " actions resumed",
                    interrupted, mid_write);
    g_assert_cmpint (interrupted, >=, 1);
  }

  /* no audit event lost: every link made by a sync has its successful create event */
  g_assert_cmpint (engine_fixture_count (&f,
                     "SELECT count(*) FROM links l WHERE l.origin = 'sync' AND NOT EXISTS ("
                     " SELECT 1 FROM audit_events e WHERE e.kind = l.kind AND e.action = 'create'"
                     " AND e.outcome = 'ok' AND e.left_id = l.left_id AND e.right_id = l.right_id)"),
                   ==, 0);
  /* and nothing is left half-sent */
  g_assert_cmpint (engine_fixture_count (&f, "SELECT count(*) FROM outbox WHERE state IN "
                                             "('pending', 'sending', 'unknown')"), ==, 0);

  g_rand_free (rand);
  engine_fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/engine/crash/kill-at-random-moments", test_kill_at_random_moments);

  return g_test_run ();
}
