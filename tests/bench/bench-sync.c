/* bench-sync.c
 *
 * Copyright 2026 The Liaison authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sync engine's cost, as issue 5 asks: ConnectWise with N companies, their sites and
 * contacts; an empty HaloPSA; 20 ms latency; budgets scaled down so that the budget, not the
 * latency, sets the pace. Prints requests against the minimum the work needs, wall time against
 * the floor the budget allows, 429s received, and the requests of a second run with no changes.
 *
 *   bench-sync [--clients N] [--latency-ms MS] [--rate R]
 */

#include "config.h"

#include <math.h>

#include "lsn-profile-io.h"
#include "lsn-sandbox.h"
#include "lsn-store.h"
#include "lsn-sync-job.h"

static int opt_clients = 1000;
static int opt_latency = 20;
static double opt_rate = 25;  /* requests per second, each side */

static guint64
server_requests (LsnSandbox *sandbox,
                 const char *server,
                 guint64    *throttled)
{
  g_autofree char *stats = lsn_sandbox_get_stats (sandbox, server);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  json_parser_load_from_data (parser, stats, -1, NULL);
  o = json_node_get_object (json_parser_get_root (parser));
  if (throttled)
    *throttled += json_object_get_int_member (o, "throttled");
  return json_object_get_int_member (o, "requests");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- sync engine benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(LsnSandbox) sandbox = NULL;
  g_autoptr(LsnStore) store = NULL;
  g_autoptr(LsnProfile) profile = NULL;
  g_autoptr(JsonParser) ready_parser = json_parser_new ();
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *json = NULL;
  JsonObject *h, *c;
  LsnSandboxOptions options;
  guint window = 10, per_window;
  const GOptionEntry entries[] = {
    { "clients", 0, 0, G_OPTION_ARG_INT, &opt_clients, "ConnectWise companies (default 1000)", "N" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &opt_latency, "Latency of every answer (default 20)", "MS" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_rate, "Budget of each side, requests per second (default 25)", "R" },
    { NULL }
  };

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  per_window = (guint) MAX (1, opt_rate * window);
  lsn_sandbox_options_init (&options);
  options.halo_clients = 0;
  options.cw_clients = opt_clients;
  options.latency_ms = opt_latency;
  /* the servers enforce exactly the budget the profile declares */
  options.halo_limit = options.cw_limit = per_window;
  options.halo_window = options.cw_window = window;
  sandbox = lsn_sandbox_new (&options);
  if (!lsn_sandbox_start (sandbox, &error))
    {
      g_printerr ("sandbox: %s\n", error->message);
      return 1;
    }
  ready = lsn_sandbox_ready_line (sandbox);
  json_parser_load_from_data (ready_parser, ready, -1, NULL);
  h = json_object_get_object_member (json_node_get_object (json_parser_get_root (ready_parser)), "halopsa");
  c = json_object_get_object_member (json_node_get_object (json_parser_get_root (ready_parser)), "connectwise");
  g_setenv ("BENCH_HALO_SECRET", json_object_get_string_member (h, "client_secret"), TRUE);
  g_setenv ("BENCH_CW_KEY", json_object_get_string_member (c, "private_key"), TRUE);

  dir = g_dir_make_tmp ("bench-sync-XXXXXX", NULL);
  db = g_build_filename (dir, "liaison.db", NULL);
  store = lsn_store_open (db, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  json = g_strdup_printf (
    "{\"name\": \"Bench\","
    " \"left\": {\"connector\": \"halopsa\", \"url\": \"%s\", \"auth_url\": \"%s\", \"tenant\": \"%s\","
    "   \"client_id\": \"%s\", \"client_secret\": {\"env\": \"BENCH_HALO_SECRET\"},"
    "   \"budget\": {\"requests\": %u, \"seconds\": %u}},"
    " \"right\": {\"connector\": \"connectwise\", \"url\": \"%s\", \"company\": \"%s\", \"public_key\": \"%s\","
    "   \"client_id\": \"%s\", \"private_key\": {\"env\": \"BENCH_CW_KEY\"},"
    "   \"budget\": {\"requests\": %u, \"seconds\": %u}},"
    " \"kinds\": {\"client\": {\"direction\": \"right-to-left\"}, \"site\": {\"direction\": \"right-to-left\"},"
    "   \"contact\": {\"direction\": \"right-to-left\"}}}",
    json_object_get_string_member (h, "url"), json_object_get_string_member (h, "auth_url"),
    json_object_get_string_member (h, "tenant"), json_object_get_string_member (h, "client_id"),
    per_window, window,
    json_object_get_string_member (c, "url"), json_object_get_string_member (c, "company"),
    json_object_get_string_member (c, "public_key"), json_object_get_string_member (c, "client_id"),
    per_window, window);
  profile = lsn_profile_import (store, json, NULL, FALSE, &error);
  if (profile == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("ConnectWise: %d companies with their sites and contacts; HaloPSA empty; "
           "latency %d ms; budget %u requests / %u s on each side (%.1f/s)\n",
           opt_clients, opt_latency, per_window, window, per_window / (double) window);

  {
    g_autoptr(LsnSyncJob) first = lsn_sync_job_new (store, profile, "cli");
    g_autoptr(LsnSyncJob) second = NULL;
    const LsnRunCounts *counts;
    LsnSyncProgress progress;
    guint64 halo_before, cw_before, halo_after, cw_after, throttled = 0;
    guint64 writes, reads, min_reads, min_requests, requests;
    gint64 t0, t1;
    double wall, floor_s;
    guint n_sites = 0, n_contacts = 0;
    LsnPlan *plan;

    halo_before = server_requests (sandbox, "halopsa", NULL);
    cw_before = server_requests (sandbox, "connectwise", NULL);
    t0 = g_get_monotonic_time ();
    if (!lsn_sync_job_run (first, NULL, &error))
      {
        g_printerr ("first run failed: %s\n", error->message);
        return 1;
      }
    t1 = g_get_monotonic_time ();
    halo_after = server_requests (sandbox, "halopsa", &throttled);
    cw_after = server_requests (sandbox, "connectwise", &throttled);
    counts = lsn_sync_job_get_counts (first);
    lsn_sync_job_get_progress (first, &progress);
    plan = lsn_sync_job_get_plan (first);
    for (guint i = 0; i < plan->kinds->len; i++)
      {
        LsnKindPlan *kp = g_ptr_array_index (plan->kinds, i);
        if (g_str_equal (kp->kind, "site"))
          n_sites = kp->n_records;
        if (g_str_equal (kp->kind, "contact"))
          n_contacts = kp->n_records;
      }

    /* The minimum the work needs, with this API: one request per record written (Liaison
     * writes one record per request), ConnectWise lists at 1000 a page plus its /count, one
     * sites list per company (the API has no list of all sites), HaloPSA's empty lists, one
     * token. */
    writes = counts->created + counts->updated;
    min_reads = 2 * (guint64) ceil (opt_clients / 1000.0)             /* companies + /count */
                + (guint64) opt_clients                               /* sites, per company */
                + 2 * (guint64) ceil (MAX (n_contacts, 1) / 1000.0)   /* contacts + /count */
                + 3 + 1;                                               /* Halo lists + token */
    min_requests = min_reads + writes;
    requests = (halo_after - halo_before) + (cw_after - cw_before);
    reads = requests - writes;
    wall = (t1 - t0) / 1e6;
    /* each side's budget allows a first window's worth at once, then its rate; the engine uses
     * one side at a time, so the floors add up */
    floor_s = (MAX (0.0, (double) (halo_after - halo_before) - per_window)
               + MAX (0.0, (double) (cw_after - cw_before) - per_window))
              / (per_window / (double) window);

    g_print ("first run: %s, %" G_GINT64_FORMAT " created (%u sites, %u contacts seen), %"
             G_GINT64_FORMAT " failed\n", lsn_sync_job_get_outcome (first), counts->created,
             n_sites, n_contacts, counts->failed);
    g_print ("  requests sent:   %" G_GUINT64_FORMAT " (reads %" G_GUINT64_FORMAT ", writes %"
             G_GUINT64_FORMAT ") against a minimum of %" G_GUINT64_FORMAT ": ratio %.3f\n",
             requests, reads, writes, min_requests, requests / (double) min_requests);
    g_print ("  wall time:       %.1f s against the budget floor of %.1f s (requests beyond the first window ÷ rate): "
             "ratio %.3f\n", wall, floor_s, wall / floor_s);
    g_print ("  429s received:   %" G_GUINT64_FORMAT "\n", throttled);

    second = lsn_sync_job_new (store, profile, "cli");
    halo_before = halo_after;
    cw_before = cw_after;
    if (!lsn_sync_job_run (second, NULL, &error))
      {
        g_printerr ("second run failed: %s\n", error->message);
        return 1;
      }
    halo_after = server_requests (sandbox, "halopsa", NULL);
    cw_after = server_requests (sandbox, "connectwise", NULL);
    g_print ("second run (no changes): %" G_GUINT64_FORMAT " requests (HaloPSA %" G_GUINT64_FORMAT
             ", ConnectWise %" G_GUINT64_FORMAT "), %" G_GINT64_FORMAT " written\n",
             (halo_after - halo_before) + (cw_after - cw_before), halo_after - halo_before,
             cw_after - cw_before,
             lsn_sync_job_get_counts (second)->created + lsn_sync_job_get_counts (second)->updated);
  }

  lsn_store_close (store);
  lsn_sandbox_stop (sandbox);
  return 0;
}
