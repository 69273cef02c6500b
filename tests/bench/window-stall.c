/* window-stall.c: how long the window's main loop stalls while a large sync runs
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opens the window on a demo profile over an in-process sandbox with 5,000 companies in each
 * PSA (rate limits lifted, so that the run is as dense as it gets), selects the profile, starts a
 * sync from the window's scheduler, and meanwhile runs a 10 ms timer on the main loop: its worst
 * lateness is the longest stall a person would feel. Prints it against the 20 ms aim.
 *
 * Needs a display: tests/bench/bench-window-stall.sh runs it under tests/run-headless.
 * LSN_BENCH_CLIENTS changes the number of companies.
 */

#include "config.h"

#include <stdlib.h>
#include <adwaita.h>

#include "lsn-demo-profile.h"
#include "lsn-profile-io.h"
#include "lsn-scheduler.h"
#include "lsn-test-util.h"
#include "lsn-window.h"

#define TICK_MS 10
#define AIM_MS 20.0
#define RUN_LIMIT_SECONDS 600

typedef struct
{
  gint64   expected;
  gint64   worst;
  gint64   worst_at;
  guint64  ticks;
  gboolean measuring;
} Stall;

static gboolean
tick_cb (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = g_get_monotonic_time ();

  if (stall->measuring && stall->expected > 0 && now - stall->expected > stall->worst)
    {
      stall->worst = now - stall->expected;
      stall->worst_at = now;
    }
  stall->ticks++;
  stall->expected = now + TICK_MS * 1000;
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  gboolean   finished;
  char      *error;
  gint64     created;
  gint64     requests;
  char      *outcome;
} Done;

static void
job_finished_cb (LsnScheduler *scheduler,
                 LsnSyncJob   *job,
                 gint64        profile_id,
                 const char   *trigger,
                 const char   *error_message,
                 Done         *done)
{
  done->finished = TRUE;
  done->error = g_strdup (error_message);
  done->created = lsn_sync_job_get_counts (job)->created;
  done->requests = lsn_sync_job_get_counts (job)->requests;
  done->outcome = g_strdup (lsn_sync_job_get_outcome (job));
}

/* The demo profile, without its "demo" mark (the window would start a sandbox of its own for
 * it) and with budgets nothing in this run can reach. */
static LsnProfile *
install_profile (LsnStore   *store,
                 LsnSandbox *sandbox)
{
  g_autofree char *ready = lsn_sandbox_ready_line (sandbox);
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *root;
  LsnProfile *profile;

  json = lsn_demo_profile_json (ready, "Bench: 5,000 companies", &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  json_object_remove_member (root, "demo");
  for (guint s = 0; s < 2; s++)
    {
      JsonObject *budget = json_object_new ();

      json_object_set_int_member (budget, "requests", 1000000);
      json_object_set_int_member (budget, "seconds", 1);
      json_object_set_object_member (json_object_get_object_member (root, s == 0 ? "left" : "right"),
                                     "budget", budget);
    }
  node = json_node_alloc ();
  json_node_init_object (node, root);
  text = json_to_string (node, FALSE);

  profile = lsn_profile_import (store, text, NULL, TRUE, &error);
  g_assert_no_error (error);
  return profile;
}

static void
spin_until (gboolean *flag,
            int       seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnSandbox) sandbox = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(GError) error = NULL;
  LsnSandboxOptions options;
  LsnWindow *window;
  LsnScheduler *scheduler;
  Stall stall = { 0 };
  Done done = { 0 };
  gboolean settled = FALSE;
  gint64 started;
  double seconds;
  int clients = g_getenv ("LSN_BENCH_CLIENTS") ? atoi (g_getenv ("LSN_BENCH_CLIENTS")) : 5000;

  if (!gtk_init_check ())
    {
      g_print ("bench-window-stall: no display; run tests/bench/bench-window-stall.sh\n");
      return 0;
    }
  adw_init ();
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  dir = g_dir_make_tmp ("liaison-bench-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "liaison.db", NULL);
  store = lsn_store_open (db, &error);
  g_assert_no_error (error);

  lsn_sandbox_options_init (&options);
  options.halo_clients = options.cw_clients = clients;
  options.halo_limit = options.cw_limit = 1000000;
  options.halo_window = options.cw_window = 1;
  sandbox = lsn_test_start_sandbox (&options);
  profile = install_profile (store, sandbox);

  window = lsn_window_new (NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 680);
  gtk_window_present (GTK_WINDOW (window));
  lsn_window_set_store (window, store);
  scheduler = lsn_window_get_scheduler (window);
  g_signal_connect (scheduler, "job-finished", G_CALLBACK (job_finished_cb), &done);

  /* Let the window show the profile's overview (its connection checks included). */
  g_timeout_add_seconds (3, set_flag, &settled);
  spin_until (&settled, 10);

  g_timeout_add (TICK_MS, tick_cb, &stall);
  stall.measuring = TRUE;
  started = g_get_monotonic_time ();
  if (lsn_scheduler_start (scheduler, profile, "manual", LSN_SCHEDULER_CONFIRMED, &error) == NULL)
    g_error ("Cannot start the sync: %s", error->message);
  spin_until (&done.finished, RUN_LIMIT_SECONDS);
  stall.measuring = FALSE;
  seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;

  if (!done.finished)
    g_error ("The sync did not end within %d s", RUN_LIMIT_SECONDS);

  g_print ("sync of %d companies per side in the window: %s, %" G_GINT64_FORMAT " created, "
           "%" G_GINT64_FORMAT " requests, %.1f s%s%s\n",
           clients, done.outcome, done.created, done.requests, seconds,
           done.error ? ": " : "", done.error ? done.error : "");
  g_print ("main loop: %" G_GUINT64_FORMAT " ticks of %d ms; longest stall %.1f ms "
           "(aim %.0f ms: ratio %.2f), %.1f s into the run\n",
           stall.ticks, TICK_MS, stall.worst / 1000.0, AIM_MS, stall.worst / 1000.0 / AIM_MS,
           (stall.worst_at - started) / (double) G_USEC_PER_SEC);

  gtk_window_destroy (GTK_WINDOW (window));
  lsn_store_close (store);
  lsn_sandbox_stop (sandbox);
  return 0;
}
