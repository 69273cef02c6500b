/* test-scheduler.c: the scheduler runs jobs over the in-process sandbox (no GTK)
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "lsn-demo-profile.h"
#include "lsn-error.h"
#include "lsn-scheduler.h"
#include "lsn-test-util.h"

#define WAIT_SECONDS 60

typedef struct
{
  guint    started;
  guint    finished;
  char    *trigger;
  char    *error_message;
  char    *outcome;
  gint64   created;
} Seen;

static void
seen_clear (Seen *seen)
{
  g_clear_pointer (&seen->trigger, g_free);
  g_clear_pointer (&seen->error_message, g_free);
  g_clear_pointer (&seen->outcome, g_free);
}

static void
job_started_cb (LsnScheduler *scheduler,
                LsnSyncJob   *job,
                gint64        profile_id,
                Seen         *seen)
{
  seen->started++;
}

static void
job_finished_cb (LsnScheduler *scheduler,
                 LsnSyncJob   *job,
                 gint64        profile_id,
                 const char   *trigger,
                 const char   *error_message,
                 Seen         *seen)
{
  seen_clear (seen);
  seen->finished++;
  seen->trigger = g_strdup (trigger);
  seen->error_message = g_strdup (error_message);
  seen->outcome = g_strdup (lsn_sync_job_get_outcome (job));
  seen->created = lsn_sync_job_get_counts (job)->created;
}

static void
wait_finished (Seen  *seen,
               guint  n)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (seen->finished < n && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (seen->finished, ==, n);
}

static void
test_scheduler (void)
{
  g_autoptr(LsnSandbox) sandbox = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnScheduler) scheduler = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GPtrArray) profiles = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = lsn_test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "liaison.db", NULL);
  g_autofree char *ready = NULL;
  LsnSandboxOptions options;
  Seen seen = { 0 };
  gint64 before;
  gint64 next;

  lsn_sandbox_options_init (&options);
  options.halo_clients = options.cw_clients = 20;
  sandbox = lsn_test_start_sandbox (&options);
  store = lsn_store_open (db, &error);
  g_assert_no_error (error);

  ready = lsn_sandbox_ready_line (sandbox);
  profile = lsn_demo_profile_install (store, ready, "Demo", &error);
  if (profile == NULL && g_error_matches (error, LSN_ERROR, LSN_ERROR_NO_KEYRING))
    {
      g_test_skip ("No keyring: run under tests/run-headless");
      lsn_store_close (store);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (lsn_demo_profile_is_demo (lsn_profile_get_settings (profile)));

  scheduler = lsn_scheduler_new (store);
  g_signal_connect (scheduler, "job-started", G_CALLBACK (job_started_cb), &seen);
  g_signal_connect (scheduler, "job-finished", G_CALLBACK (job_finished_cb), &seen);
  profiles = g_ptr_array_new ();
  g_ptr_array_add (profiles, profile);
  lsn_scheduler_set_profiles (scheduler, profiles);
  lsn_scheduler_set_enabled (scheduler, TRUE);

  /* A profile that never ran waits for a person: no next run. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (lsn_scheduler_get_next_run (scheduler, lsn_profile_get_id (profile)), ==, 0);
  g_assert_cmpuint (lsn_scheduler_get_n_scheduled (scheduler), ==, 0);

  /* A preview writes nothing and schedules nothing. */
  g_assert_nonnull (lsn_scheduler_start (scheduler, profile, "preview", LSN_SCHEDULER_DRY_RUN, &error));
  g_assert_no_error (error);
  g_assert_true (lsn_scheduler_get_job_dry_run (scheduler, lsn_profile_get_id (profile)));
  /* One job per profile at a time. */
  g_assert_null (lsn_scheduler_start (scheduler, profile, "manual", LSN_SCHEDULER_NONE, &error));
  g_assert_error (error, LSN_ERROR, LSN_ERROR_FAILED);
  g_clear_error (&error);
  wait_finished (&seen, 1);
  g_assert_cmpstr (seen.trigger, ==, "preview");
  g_assert_null (seen.error_message);
  g_assert_cmpint (lsn_scheduler_get_next_run (scheduler, lsn_profile_get_id (profile)), ==, 0);

  /* A real run: the next one is every_minutes (15) after its end. */
  before = g_get_real_time ();
  g_assert_nonnull (lsn_scheduler_start (scheduler, profile, "manual", LSN_SCHEDULER_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lsn_scheduler_get_n_running (scheduler), ==, 1);
  wait_finished (&seen, 2);
  g_assert_cmpstr (seen.outcome, ==, "ok");
  g_assert_cmpint (seen.created, >, 0);
  g_assert_null (lsn_scheduler_get_job (scheduler, lsn_profile_get_id (profile)));
  next = lsn_scheduler_get_next_run (scheduler, lsn_profile_get_id (profile));
  g_assert_cmpint (next, >=, before + 15 * 60 * G_USEC_PER_SEC);
  g_assert_cmpint (next, <=, g_get_real_time () + 15 * 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (lsn_scheduler_get_n_scheduled (scheduler), ==, 1);

  /* A cancelled run ends as such. */
  g_assert_nonnull (lsn_scheduler_start (scheduler, profile, "manual", LSN_SCHEDULER_NONE, &error));
  lsn_scheduler_cancel (scheduler, lsn_profile_get_id (profile));
  wait_finished (&seen, 3);
  g_assert_cmpuint (seen.started, ==, 3);
  g_assert_true (g_strcmp0 (seen.outcome, "cancelled") == 0 || g_strcmp0 (seen.outcome, "ok") == 0);

  /* A new scheduler on the same store reads the last run back. */
  g_clear_object (&scheduler);
  scheduler = lsn_scheduler_new (store);
  lsn_scheduler_set_profiles (scheduler, profiles);
  {
    gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

    while (lsn_scheduler_get_next_run (scheduler, lsn_profile_get_id (profile)) == 0
           && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpint (lsn_scheduler_get_next_run (scheduler, lsn_profile_get_id (profile)), >, before);

  /* A profile that is gone is forgotten. */
  g_ptr_array_set_size (profiles, 0);
  lsn_scheduler_set_profiles (scheduler, profiles);
  g_assert_cmpint (lsn_scheduler_get_next_run (scheduler, lsn_profile_get_id (profile)), ==, 0);

  g_clear_object (&scheduler);
  seen_clear (&seen);
  lsn_store_close (store);
}

int
main (int   argc,
      char *argv[])
{
  lsn_test_init (&argc, &argv);

  g_test_add_func ("/engine/scheduler", test_scheduler);

  return g_test_run ();
}
